/**
 * A results file or a cache folder where the file system makes no folder, as under /proc: the
 * command says so and exits, where Node's recursive mkdir spun at full CPU and the command
 * never ended (a cron job left running, a CI job held to its timeout).
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { CliRun } from '../../support/cli';
import { startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

/** The run, or undefined when it was still going after `seconds` (then it is killed). */
async function runWithin(args: string[], env: NodeJS.ProcessEnv, seconds: number) {
  const started = startCli(args, env);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), seconds * 1000);
  });
  const run: CliRun | undefined = await Promise.race([started.exited, late]);
  clearTimeout(timer);
  if (!run) started.child.kill('SIGKILL');
  return run;
}

describe('a folder the file system will not make', function () {
  this.timeout(60_000);
  let workspace: string;
  // /proc answers ENOENT for any new name in it, as an autofs root does.
  const missing = `/proc/upkeep-test-${process.pid}`;

  before(async function () {
    if (!existsSync('/proc/self')) this.skip();
    workspace = await tempFolderWith('upkeep-nofolder-', { Gemfile: "source 'x'\n" });
  });

  it('upkeep check --save FILE there: the report, why nothing was saved, exit 2', async () => {
    const file = `${missing}/results.json`;
    const run = await runWithin(
      ['check', '--workspace', workspace, '--check', 'host.diskSpace', '--save', file],
      {},
      20,
    );
    assert.ok(run, 'still running after 20 s');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /host\.diskSpace/);
    assert.ok(run.stderr.includes(`the results were not saved in ${file}`), run.stderr);
    assert.match(run.stderr, /ENOENT/);
  });

  it('a lock there (FileLock, as --save and the caches take) fails at once', async () => {
    const { FileLock } = await import('../../../src/core/util/fileLock');
    const started = Date.now();
    await assert.rejects(
      new FileLock(`${missing}/state.json.lock`).withLock(async () => 'never'),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    assert.ok(Date.now() - started < 5_000, `it took ${Date.now() - started} ms`);
  });
});
