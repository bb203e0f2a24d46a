/**
 * Log sources in an untrusted workspace (security review): a repo's settings must not make
 * Upkeep print a file outside the workspace, and a glob over the whole disk stops when asked.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { settingsFromJson } from '../../../src/core/checks/workspaceSettings';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { tempFolder } from '../../support/tempFolders';

const ROOT = path.join(__dirname, '../../..');
const SECRET = 'PRIVATE-CONTENT-7f3a';
const NOW = new Date().toISOString();

function tempDir(name: string): Promise<string> {
  return tempFolder(`upkeep-untrusted-${name}-`);
}

/** A private file outside the workspace that looks like a log with an error in the last hour. */
async function privateFile(): Promise<string> {
  const other = await tempDir('other');
  const file = path.join(other, 'private.txt');
  const at = NOW.slice(0, 19).replace('T', ' ');
  await fs.writeFile(
    file,
    `Started GET "/${SECRET}" for 127.0.0.1 at ${at} +0000\n` +
      `Processing by SecretController#show as HTML\n` +
      `Completed 500 Internal Server Error in 5ms\n` +
      `RuntimeError (${SECRET}):\n`,
  );
  return file;
}

function summarize(workspace: string, sources: string[], extra: object = {}) {
  return summarizeLogs({
    workspace,
    sources,
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: 'UTC',
    ...extra,
  });
}

describe('log sources in an untrusted workspace (security review)', function () {
  this.timeout(60_000);

  it('refuses a file outside the workspace, by path or through a link', async () => {
    const workspace = await tempDir('ws');
    const outside = await privateFile();
    await fs.mkdir(path.join(workspace, 'log'));
    await fs.symlink(outside, path.join(workspace, 'log', 'production.log'));

    for (const source of [outside, 'log/production.log', 'log/*.log', '../*/private.txt']) {
      const s = await summarize(workspace, [source], { confineToWorkspace: true });
      assert.equal(s.sources.length, 1, source);
      assert.match(s.sources[0].error ?? '', /outside the workspace/, source);
      assert.equal(s.assembly.linesRead, 0, source);
      assert.doesNotMatch(JSON.stringify(s), new RegExp(SECRET), source);
    }

    // A trusted workspace reads it as before.
    const trusted = await summarize(workspace, [outside]);
    assert.equal(trusted.requests.total, 1);
  });

  it('refuses a whole-disk glob before walking it', async () => {
    const workspace = await tempDir('ws');
    const s = await summarize(workspace, ['/usr/**/*.nomatch'], { confineToWorkspace: true });
    assert.match(s.sources[0].error ?? '', /outside the workspace/);
  });

  it('stops walking a glob when aborted', async () => {
    const workspace = await tempDir('ws');
    const controller = new AbortController();
    const pending = summarize(workspace, ['/usr/**/*.nomatch'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: Error) => /cancel/i.test(error.message));

    const before = new AbortController();
    before.abort();
    await assert.rejects(
      summarize(workspace, ['log/**/*.log'], { signal: before.signal }),
      (error: Error) => /cancel/i.test(error.message),
    );
  });

  it('ignores upkeep.logs.sources from the repo when untrusted', () => {
    const json = { 'upkeep.logs.sources': ['/tmp/other/private.txt'] };
    assert.deepEqual(settingsFromJson(json, { trusted: false }).logs.sources, [
      'log/production.log',
    ]);
    assert.deepEqual(settingsFromJson(json, { trusted: true }).logs.sources, [
      '/tmp/other/private.txt',
    ]);
  });

  it('upkeep check --untrusted does not print a file outside the workspace', async () => {
    const workspace = await tempDir('ws');
    const outside = await privateFile();
    await fs.mkdir(path.join(workspace, '.vscode'));
    await fs.writeFile(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'upkeep.logs.sources': [outside] }),
    );
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'src/cli.ts'),
        'check',
        '--untrusted',
        '--check',
        'logs.errorsLastHour',
        '--format',
        'json',
        '--workspace',
        workspace,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
    );
    assert.ok(child.stdout.length > 0, child.stderr);
    assert.doesNotMatch(child.stdout + child.stderr, new RegExp(SECRET));
  });
});
