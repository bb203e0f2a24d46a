/**
 * `upkeep check --save` when another run holds `results.json.lock` past the wait (a run that
 * hangs while writing, or a live process whose pid a killed run's lock names): the report is
 * printed, the run exits 2, and stderr says what holds the file and what to do. It said to make
 * the folder writable, which it was.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

describe('upkeep check --save while another run holds the results lock', function () {
  this.timeout(60_000);

  it('exits 2 and names the lock, not the folder permissions', async () => {
    const workspace = await tempFolderWith('upkeep-save-locked-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    const results = path.join(workspace, '.upkeep/results.json');
    // This test's own process is alive on this machine: its lock is not stale.
    await fs.mkdir(path.dirname(results));
    await fs.writeFile(
      `${results}.lock`,
      JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }),
    );

    const run = await runCli([
      ...['check', '--workspace', workspace, '--check', 'host.diskSpace'],
      ...['--format', 'json', '--save'],
    ]);

    assert.equal(run.code, 2, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { exitCode: number }).exitCode, 2);
    assert.match(run.stderr, /the results were not saved in .*results\.json/);
    assert.match(run.stderr, /has held .*results\.json\.lock/);
    assert.match(run.stderr, /delete the \.lock file/);
    assert.doesNotMatch(run.stderr, /writable/, run.stderr);
    await assert.rejects(fs.stat(results), 'no results file written past the lock');
  });
});
