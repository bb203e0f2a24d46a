/**
 * In an untrusted workspace no Gemfile.lock that links out of it is read (README, Safety): a
 * repo can commit it as a link to a file of the user's, and `docs.generated`, which looks for
 * the yard gem in it, told from its outcome whether that file names one.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

describe('docs.generated with a Gemfile.lock linked out of an untrusted workspace', function () {
  this.timeout(60_000);
  let workspace: string;
  let outside: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-lock-link-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-lock-private-'));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
    await fs.writeFile(path.join(outside, 'notes'), 'GEM\n  specs:\n    yard (0.9.36)\n');
    await fs.symlink(path.join(outside, 'notes'), path.join(workspace, 'Gemfile.lock'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('waits for trust instead of reading it', async () => {
    const run = await runCli([
      'check',
      '--untrusted',
      '--workspace',
      workspace,
      '--check',
      'docs.generated',
      '--format',
      'json',
    ]);
    const report = JSON.parse(run.stdout) as {
      results: { checkId: string; outcome: string; summary: string }[];
    };
    const result = report.results.find((entry) => entry.checkId === 'docs.generated');
    assert.equal(result?.outcome, 'skipped', run.stdout);
    assert.match(result?.summary ?? '', /Gemfile\.lock links outside the workspace/);
  });

  it('still reads it in a trusted workspace, as a deploy links config', async () => {
    const run = await runCli([
      'check',
      '--workspace',
      workspace,
      '--check',
      'docs.generated',
      '--format',
      'json',
    ]);
    const report = JSON.parse(run.stdout) as { results: { checkId: string; outcome: string }[] };
    const result = report.results.find((entry) => entry.checkId === 'docs.generated');
    assert.equal(result?.outcome, 'warn', run.stdout);
  });
});
