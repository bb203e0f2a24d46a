/**
 * A repo file checked inside an untrusted workspace by name and then opened is judged by the
 * file opened: a link out put at its name (or at a folder above it) between the check and the
 * open is refused with an error naming it, nothing of it read. The config and docs checks'
 * reader, the docs link check's look at a link target, and the repo's templates. A link inside
 * the workspace is still read, and a trusted workspace still reads one linked out of it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findBrokenLinks } from '../../../src/core/checks/docsChecks';
import { readWorkspaceFile } from '../../../src/core/checks/files';
import { loadTemplate } from '../../../src/core/templates/scaffold';
import { statInside } from '../../../src/core/util/confinedOpen';
import { UpkeepError } from '../../../src/core/util/errors';
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

  /** Puts a link to `target` at `file` when `file` is the one the check just passed. */
  function swapAt(file: string, target: string): (checked: string) => Promise<void> {
    return async (checked) => {
      if (checked !== file) return;
      await fs.rm(file, { force: true });
      await fs.symlink(target, file);
    };
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
});
