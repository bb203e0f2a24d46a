/**
 * `upkeep logs` on a log of hundreds of megabytes, stopped by Ctrl-C, SIGTERM or SIGHUP while it
 * reads: it stops the read promptly, prints no summary (half a log's figures would read as the
 * window's) and exits 2 like the other commands, saying it was cancelled.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startCli } from '../../support/cli';

const ROOT = path.resolve(__dirname, '../../..');

/** Waits until process `pid` has `file` open: the read has begun. */
async function waitForOpen(pid: number, file: string, describe: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => []);
    const targets = await Promise.all(
      fds.map((fd) => fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')),
    );
    if (targets.includes(file)) return;
    assert.ok(Date.now() < deadline, `the read never began: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('upkeep logs cancelled by a signal', function () {
  this.timeout(180_000);
  let folder: string;
  let log: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-logs-cancel-'));
    log = path.join(folder, 'production.log');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/logs.ts', '--generate', log, '300'],
      { cwd: ROOT },
    );
    // A rotated copy: two files are read on one thread, which takes long enough to interrupt.
    await fs.copyFile(log, `${log}.1`);
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops the read, prints no summary and exits 2`, async () => {
      // SIGTERM with --format json: the JSON says it stopped, with no figures.
      const json = signal === 'SIGTERM' ? ['--format', 'json'] : [];
      const cli = startCli(['logs', `${log}*`, '--window', '7d', '--workspace', folder, ...json]);
      await waitForOpen(cli.child.pid!, log, () => cli.output().stderr);
      const signalled = Date.now();
      cli.child.kill(signal);
      const run = await cli.exited;

      assert.ok(Date.now() - signalled < 5_000, 'the read stopped promptly');
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`cancelled \\(${signal}\\); no summary printed`));
      if (!json.length) {
        assert.equal(run.stdout, '');
        return;
      }
      const stopped = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(stopped), ['schema', 'generatedAt', 'stopped']);
      assert.deepEqual(stopped.stopped, {
        code: 'cancelled',
        message: `cancelled (${signal}); no summary printed.`,
      });
    });
  }
});
