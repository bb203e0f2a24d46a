/**
 * Cron runs that save to the same results file at once (the daily and the weekly tier at the
 * same minute) each keep their results: every run re-reads the file under its lock.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

const CHECKS = [
  'security.filterParameters',
  'repo.versions',
  'docs.brokenLinks',
  'docs.generated',
  'host.diskSpace',
  'host.storageFolders',
];

describe('upkeep check --save from several runs at once', function () {
  this.timeout(120_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-save-'));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('keeps the results of every run', async () => {
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all(
        CHECKS.map((check) =>
          runCli(['check', '--workspace', workspace, '--check', check, '--save'], {
            HOME: workspace,
          }),
        ),
      );
      for (const run of runs) assert.ok(run.code === 0 || run.code === 1, run.stderr);
    }
    const kept = JSON.parse(
      await fs.readFile(path.join(workspace, '.upkeep', 'results.json'), 'utf8'),
    ) as { results: Record<string, unknown[]> };
    assert.deepEqual(Object.keys(kept.results).sort(), [...CHECKS].sort());
    for (const check of CHECKS) assert.equal(kept.results[check].length, 2, check);
    const left = await fs.readdir(path.join(workspace, '.upkeep'));
    assert.deepEqual(left, ['results.json'], 'no lock or temporary file left behind');
  });
});
