/**
 * A repo file checked inside an untrusted workspace by name and then opened is judged by the
 * file opened: a link out put at its name (or at a folder above it) between the check and the
 * open is refused with an error naming it, nothing of it read. The config and docs checks'
 * reader, the docs link check's look at a link target, the repo's templates, the settings file,
 * and the checks that stat or list a repo file or folder (storage/, db/migrate, the generated
 * docs, the coverage report, config/application.rb). A link inside the workspace is still read,
 * and a trusted workspace still reads one linked out of it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findBrokenLinks, generatedDocsCheck } from '../../../src/core/checks/docsChecks';
import { readWorkspaceFile } from '../../../src/core/checks/files';
import { storageFoldersCheck } from '../../../src/core/checks/hostChecks';
import { pendingMigrationsCheck } from '../../../src/core/checks/repoChecks';
import { filterParametersCheck } from '../../../src/core/checks/securityChecks';
import { coverageCheck } from '../../../src/core/checks/toolChecks';
import type { CheckContext, CheckDefinition, CheckReport } from '../../../src/core/checks/types';
import { loadWorkspaceSettings } from '../../../src/core/checks/workspaceSettings';
import { resolveSettings } from '../../../src/core/settings';
import { loadTemplate } from '../../../src/core/templates/scaffold';
import { readdirInside, statInside } from '../../../src/core/util/confinedOpen';
import { systemClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger } from '../../../src/core/util/logger';
import { tempFolder } from '../../support/tempFolders';

describe('a repo file swapped for a link out between its check and its open', function () {
  this.timeout(60_000);
  let workspace: string;
  let outside: string;
  let secret: string;

  beforeEach(async () => {
    const root = await tempFolder('upkeep-confined-read-');
    workspace = path.join(root, 'app');
    outside = path.join(root, 'home');
    await fs.mkdir(path.join(workspace, 'config'), { recursive: true });
    await fs.mkdir(outside);
    secret = path.join(outside, 'id_rsa');
    await fs.writeFile(secret, 'OUTSIDE-SECRET\n# Secret heading\n');
    await fs.writeFile(path.join(workspace, 'config', 'app.yml'), 'inside: true\n');
  });

  /** Puts a link to `target` at `file` (a file or a folder) when it is the one just checked. */
  function swapAt(file: string, target: string): (checked: string) => Promise<void> {
    return async (checked) => {
      if (checked !== file) return;
      await fs.rm(file, { force: true, recursive: true });
      await fs.symlink(target, file);
    };
  }

  /** Runs `check` as the runner would, with `afterCheck` between each check and its open. */
  function runWithSwap(
    check: CheckDefinition,
    afterCheck: (file: string) => Promise<void>,
    trusted = false,
  ): Promise<CheckReport> {
    const context: CheckContext & { afterCheck: typeof afterCheck } = {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      signal: new AbortController().signal,
      log: silentLogger,
      trusted,
      shared: new Map(),
      afterCheck,
    };
    return check.run(context);
  }

  it('refuses a config file turned into a link out, naming it', async () => {
    const file = path.join(workspace, 'config', 'app.yml');
    const context = { workspace, trusted: false, afterCheck: swapAt(file, secret) };

    const read = readWorkspaceFile(context, 'config/app.yml');
    await assert.rejects(read, (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'refused'));
      assert.match(error.message, /config\/app\.yml changed after it was checked/);
      assert.match(error.message, /was not read/);
      assert.doesNotMatch(error.message, /OUTSIDE-SECRET/);
      return true;
    });
  });

  it('does not tell whether a file outside exists through a dangling link put late', async () => {
    const file = path.join(workspace, 'config', 'app.yml');
    const missing = path.join(outside, 'missing.yml');
    const context = { workspace, trusted: false, afterCheck: swapAt(file, missing) };
    await assert.rejects(readWorkspaceFile(context, 'config/app.yml'), /changed after it was/);
  });

  it('refuses a folder above the file turned into a link out', async () => {
    await fs.writeFile(path.join(outside, 'app.yml'), 'OUTSIDE-SECRET\n');
    const config = path.join(workspace, 'config');
    const context = {
      workspace,
      trusted: false,
      afterCheck: async () => {
        await fs.rename(config, path.join(workspace, 'config.old'));
        await fs.symlink(outside, config);
      },
    };
    await assert.rejects(readWorkspaceFile(context, 'config/app.yml'), /changed after it was/);
  });

  it('still reads a link inside the workspace, and a trusted one linked out', async () => {
    await fs.symlink('app.yml', path.join(workspace, 'config', 'linked.yml'));
    const untrusted = { workspace, trusted: false };
    assert.equal(await readWorkspaceFile(untrusted, 'config/linked.yml'), 'inside: true\n');
    assert.equal(await readWorkspaceFile(untrusted, 'config/none.yml'), undefined);

    const file = path.join(workspace, 'config', 'app.yml');
    const trusted = { workspace, trusted: true, afterCheck: swapAt(file, secret) };
    assert.match((await readWorkspaceFile(trusted, 'config/app.yml')) ?? '', /OUTSIDE-SECRET/);
  });

  it('does not tell whether a link target swapped out exists', async () => {
    await fs.writeFile(
      path.join(workspace, 'README.md'),
      '# App\n\n[there](docs/there.md) and [gone](docs/gone.md)\n',
    );
    await fs.mkdir(path.join(workspace, 'docs'));
    const there = path.join(workspace, 'docs', 'there.md');
    const gone = path.join(workspace, 'docs', 'gone.md');
    await fs.writeFile(there, '# There\n');
    const swaps = [swapAt(there, path.join(outside, 'missing.md')), swapAt(gone, secret)];
    const context = {
      workspace,
      trusted: false,
      afterCheck: async (file: string) => {
        for (const swap of swaps) await swap(file);
      },
    };

    const findings = await findBrokenLinks(context, ['README.md']);
    const messages = findings.map((finding) => finding.message);
    assert.equal(findings.length, 2, messages.join('\n'));
    assert.doesNotMatch(messages.join('\n'), /does not exist/);
    assert.match(messages[0], /not checked: docs\/there\.md changed after it was checked/);
    assert.match(messages[1], /not checked: docs\/gone\.md changed after it was checked/);
  });

  it('still checks link targets inside the workspace, linked or not', async () => {
    await fs.mkdir(path.join(workspace, 'docs'));
    await fs.writeFile(path.join(workspace, 'docs', 'real.md'), '# Real\n');
    await fs.symlink('real.md', path.join(workspace, 'docs', 'alias.md'));
    await fs.writeFile(
      path.join(workspace, 'README.md'),
      '[a](docs/alias.md#real) [b](docs/alias.md#nope) [c](docs/missing.md) [d](docs)\n',
    );
    const findings = await findBrokenLinks({ workspace, trusted: false }, ['README.md']);
    assert.deepEqual(
      findings.map((finding) => finding.message),
      [
        'broken anchor: #nope not found in docs/alias.md',
        'broken link: docs/missing.md does not exist',
      ],
    );
  });

  it('uses the built-in template when the repo template became a link out', async () => {
    const folder = path.join(workspace, '.upkeep', 'templates');
    await fs.mkdir(folder, { recursive: true });
    const file = path.join(folder, 'bug-report.md');
    await fs.writeFile(file, '# Our bug: {{title}}\n');

    const source = await loadTemplate(workspace, 'bugReport', {
      afterCheck: swapAt(file, secret),
    });
    assert.doesNotMatch(source.text, /OUTSIDE-SECRET/);
    assert.equal(source.file, undefined);
    assert.match(source.warnings.join('\n'), /bug-report\.md changed after it was checked/);

    await fs.rm(file);
    await fs.symlink(path.join('..', '..', 'config', 'app.yml'), file);
    assert.equal((await loadTemplate(workspace, 'bugReport')).text, 'inside: true\n');
  });

  it('stats a file by what was opened: a folder, a file, a missing one', async () => {
    const root = await fs.realpath(workspace);
    assert.ok((await statInside(path.join(workspace, 'config'), root))?.isDirectory());
    assert.ok((await statInside(path.join(workspace, 'config', 'app.yml'), root))?.isFile());
    assert.equal(await statInside(path.join(workspace, 'config', 'none'), root), undefined);

    const linkOut = path.join(workspace, 'config', 'out');
    await fs.symlink(secret, linkOut);
    await assert.rejects(statInside(linkOut, root), /changed after it was checked/);
    await fs.rm(linkOut);
    await fs.symlink(path.join(outside, 'missing'), linkOut);
    await assert.rejects(statInside(linkOut, root), /changed after it was checked/);
  });

  it('lists a folder by what was opened, with /proc or without', async () => {
    const root = await fs.realpath(workspace);
    const config = path.join(workspace, 'config');
    const linkOut = path.join(workspace, 'out');
    await fs.symlink(outside, linkOut);
    for (const procFds of ['/proc/self/fd', path.join(outside, 'no-proc')]) {
      const names = (await readdirInside(config, root, procFds))?.map((entry) => entry.name);
      assert.deepEqual(names, ['app.yml']);
      assert.equal(await readdirInside(path.join(config, 'app.yml'), root, procFds), undefined);
      assert.equal(await readdirInside(path.join(workspace, 'none'), root, procFds), undefined);
      await assert.rejects(readdirInside(linkOut, root, procFds), /changed after it was/);
    }
  });

  it('does not count the folders of a storage/ turned into a link out', async () => {
    const storage = path.join(workspace, 'storage');
    await fs.mkdir(storage);
    await fs.mkdir(path.join(outside, '.ssh'));
    const report = runWithSwap(storageFoldersCheck, swapAt(storage, outside));
    await assert.rejects(report, (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'refused'));
      assert.match(error.message, /storage changed after it was checked/);
      return true;
    });

    await fs.rm(storage);
    await fs.mkdir(path.join(storage, 'uploads'), { recursive: true });
    const inside = await runWithSwap(storageFoldersCheck, async () => {});
    assert.deepEqual(inside.values, { folders: 1 });
    const trusted = await runWithSwap(storageFoldersCheck, swapAt(storage, outside), true);
    assert.deepEqual(trusted.values, { folders: 1 });
  });

  it('does not list the migrations of a db/migrate, or a db/, turned into a link out', async () => {
    const db = path.join(workspace, 'db');
    const migrate = path.join(db, 'migrate');
    await fs.mkdir(migrate, { recursive: true });
    await fs.writeFile(path.join(migrate, '20240101000000_create_users.rb'), '');
    await fs.writeFile(
      path.join(db, 'schema.rb'),
      'ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\nend\n',
    );
    await fs.mkdir(path.join(outside, 'db', 'migrate'), { recursive: true });
    await fs.writeFile(path.join(outside, 'db', 'migrate', '20990101000000_secret.rb'), '');
    const refused = /migrate changed after it was checked/;

    const inside = await runWithSwap(pendingMigrationsCheck, async () => {});
    assert.equal(inside.outcome, 'pass', JSON.stringify(inside));
    const swapFolder = swapAt(migrate, path.join(outside, 'db', 'migrate'));
    await assert.rejects(runWithSwap(pendingMigrationsCheck, swapFolder), refused);

    await fs.rm(migrate);
    await fs.mkdir(migrate);
    const swapAbove = async (checked: string): Promise<void> => {
      if (checked !== migrate) return;
      await fs.rename(db, path.join(workspace, 'db.old'));
      await fs.symlink(path.join(outside, 'db'), db);
    };
    await assert.rejects(runWithSwap(pendingMigrationsCheck, swapAbove), refused);
  });

  it('does not tell whether config/application.rb put late as a link out exists', async () => {
    const application = path.join(workspace, 'config', 'application.rb');
    await fs.writeFile(path.join(outside, 'application.rb'), 'module Secret; end\n');
    const swap = swapAt(application, path.join(outside, 'application.rb'));
    const report = runWithSwap(filterParametersCheck, swap);
    await assert.rejects(report, /config\/application\.rb changed after it was checked/);
  });

  it('does not date the generated docs by a doc/index.html or .yardopts put late', async () => {
    const index = path.join(workspace, 'doc', 'index.html');
    await fs.mkdir(path.dirname(index));
    await fs.writeFile(index, '<html></html>\n');
    const old = new Date(Date.now() - 100 * 86_400_000);
    await fs.utimes(secret, old, old);
    const refused = /changed after it was checked/;
    await assert.rejects(runWithSwap(generatedDocsCheck, swapAt(index, secret)), refused);

    await fs.rm(index);
    const yardopts = path.join(workspace, '.yardopts');
    await assert.rejects(runWithSwap(generatedDocsCheck, swapAt(yardopts, secret)), refused);
  });

  it('does not read the figure or age of a coverage report put late as a link out', async () => {
    const report = path.join(workspace, 'coverage', '.last_run.json');
    await fs.mkdir(path.dirname(report));
    await fs.writeFile(report, '{"result":{"line":90}}\n');
    const theirs = path.join(outside, 'last_run.json');
    await fs.writeFile(theirs, '{"result":{"line":42.5}}\n');

    const inside = await runWithSwap(coverageCheck, async () => {});
    assert.equal(inside.values?.linePercent, 90);
    const swapped = runWithSwap(coverageCheck, swapAt(report, theirs));
    await assert.rejects(swapped, /coverage\/\.last_run\.json changed after it was checked/);
  });

  it('does not apply a settings file put late as a link out', async () => {
    const file = path.join(workspace, '.vscode', 'settings.json');
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{}\n');
    const theirs = path.join(outside, 'settings.json');
    await fs.writeFile(theirs, '{ "upkeep.thresholds.slowRequestMs": 1234 }\n');

    const options = { trusted: false, afterCheck: swapAt(file, theirs) };
    await assert.rejects(loadWorkspaceSettings(workspace, options), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'config'));
      assert.match(error.message, /settings\.json changed after it was checked/);
      return true;
    });
    const trusted = await loadWorkspaceSettings(workspace, { ...options, trusted: true });
    assert.equal(trusted.thresholds.slowRequestMs, 1234);
  });
});
