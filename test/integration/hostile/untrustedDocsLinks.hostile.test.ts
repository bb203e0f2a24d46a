/**
 * The documentation checks read a repo's links through the same guard as the config checks: in
 * an untrusted workspace no link out of it is followed (a doc linked to a file of the user's told
 * from its findings which headings that file has, a dangling one whether it exists), and in any
 * workspace a link to a FIFO, a device or a huge file is a finding, never a hang.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { brokenLinksCheck, generatedDocsCheck } from '../../../src/core/checks/docsChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';
import { makeFifo, releaseFifo, settledWithin } from '../../support/fifo';
import { tempFolder } from '../../support/tempFolders';

const README = [
  '# App',
  '',
  '[out](docs/out.md#private-heading)',
  '[folder](docs/ext/notes.md#private-heading)',
  '[dangling](docs/gone.md)',
  '[up](../private/secret.md#private-heading)',
  '[fifo](docs/pipe.md#setup)',
  '[zero](docs/zero.md#setup)',
  '[huge](docs/huge.md#setup)',
  '',
].join('\n');

describe('documentation checks on links out of the workspace and to special files', function () {
  this.timeout(60_000);
  let workspace: string;
  let outside: string;

  before(async () => {
    const parent = await tempFolder('upkeep-docs-link-');
    workspace = path.join(parent, 'app');
    outside = path.join(parent, 'private');
    await fs.mkdir(path.join(workspace, 'docs'), { recursive: true });
    await fs.mkdir(path.join(workspace, 'doc'), { recursive: true });
    await fs.mkdir(outside, { recursive: true });
    // The user's own files: none has the heading the links ask for.
    await fs.writeFile(path.join(outside, 'secret.md'), '# Something else\n');
    await fs.writeFile(path.join(outside, 'notes.md'), '# Something else\n');
    await fs.writeFile(path.join(outside, 'index.html'), '<html></html>\n');
    await fs.writeFile(path.join(workspace, 'README.md'), README);
    await fs.symlink(path.join(outside, 'secret.md'), path.join(workspace, 'docs/out.md'));
    await fs.symlink(outside, path.join(workspace, 'docs/ext'));
    await fs.symlink(path.join(outside, 'missing.md'), path.join(workspace, 'docs/gone.md'));
    await fs.symlink('/dev/zero', path.join(workspace, 'docs/zero.md'));
    makeFifo(path.join(workspace, 'docs/pipe.md'));
    // Sparse: 17 MB, over the 16 MB a doc may have, without writing them.
    const huge = await fs.open(path.join(workspace, 'docs/huge.md'), 'w');
    await huge.truncate(17 * 1024 * 1024);
    await huge.close();
    // YARD's output and options, linked to the user's files.
    await fs.symlink(path.join(outside, 'index.html'), path.join(workspace, 'doc/index.html'));
  });

  after(async () => {
    await releaseFifo(path.join(workspace, 'docs/pipe.md'));
  });

  const run = async (definition: CheckDefinition, trusted: boolean): Promise<CheckResult> => {
    const work = runChecks([definition], {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted,
    });
    const settled = await settledWithin(work, 10_000);
    assert.notEqual(settled, 'hung', `${definition.id} hung`);
    return (settled as CheckResult[])[0];
  };

  const messages = (result: CheckResult): string[] =>
    (result.findings ?? []).map((finding) => `${finding.line}: ${finding.message}`);

  it('follows no link out of an untrusted workspace, and says which wait for trust', async () => {
    const result = await run(brokenLinksCheck, false);
    const found = messages(result);
    for (const [line, target] of [
      [3, 'docs/out.md#private-heading'],
      [4, 'docs/ext/notes.md#private-heading'],
      [5, 'docs/gone.md'],
      [6, '../private/secret.md#private-heading'],
      // /dev/zero lies outside the workspace too.
      [8, 'docs/zero.md#setup'],
    ]) {
      assert.ok(
        found.includes(
          `${line}: not checked: ${target} leads outside the workspace; waits for workspace trust`,
        ),
        found.join('\n'),
      );
    }
    assert.ok(!found.some((message) => /private-heading not found|does not exist/.test(message)));
    assert.equal(result.waitsForTrust, true);
    assert.match(result.summary, /; 5 links out of the workspace wait for workspace trust$/);
  });

  for (const trusted of [false, true]) {
    it(`names a FIFO, a device and a huge file it links to (trusted: ${trusted})`, async () => {
      const found = messages(await run(brokenLinksCheck, trusted));
      const expected = [
        /^7: cannot check #setup: docs\/pipe\.md is not a regular file$/,
        /^9: cannot check #setup: docs\/huge\.md is larger than 16 MB$/,
        // Untrusted, the device is a link out of the workspace, not followed (above).
        ...(trusted ? [/^8: cannot check #setup: docs\/zero\.md is not a regular file$/] : []),
      ];
      for (const pattern of expected) {
        assert.ok(
          found.some((message) => pattern.test(message)),
          `${pattern}\n${found.join('\n')}`,
        );
      }
    });
  }

  it('still follows the links of a trusted workspace, as a deploy links docs', async () => {
    const found = messages(await run(brokenLinksCheck, true));
    assert.ok(
      found.includes('3: broken anchor: #private-heading not found in docs/out.md'),
      found.join('\n'),
    );
    assert.ok(found.includes('5: broken link: docs/gone.md does not exist'), found.join('\n'));
    assert.ok(!found.some((message) => /waits for workspace trust/.test(message)));
  });

  it('dates no generated docs linked out of an untrusted workspace', async () => {
    const result = await run(generatedDocsCheck, false);
    assert.equal(result.outcome, 'skipped', JSON.stringify(result));
    assert.equal(result.waitsForTrust, true);
    assert.match(result.summary, /doc\/index\.html links outside the workspace; waits for/);

    const trusted = await run(generatedDocsCheck, true);
    assert.equal(trusted.outcome, 'pass', JSON.stringify(trusted));
  });

  it('says so through upkeep check --untrusted', async () => {
    const out = await runCli([
      'check',
      '--workspace',
      workspace,
      '--untrusted',
      '--format',
      'json',
      '--check',
      'docs.brokenLinks',
    ]);
    const report = JSON.parse(out.stdout) as { results: CheckResult[] };
    const result = report.results[0];
    assert.equal(result.waitsForTrust, true, out.stdout);
    const found = messages(result);
    assert.ok(
      found.includes(
        '3: not checked: docs/out.md#private-heading leads outside the workspace; ' +
          'waits for workspace trust',
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => /^7: cannot check #setup: .*is not a regular file$/.test(m)),
      found.join('\n'),
    );
  });
});
