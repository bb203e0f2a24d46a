/**
 * Stopping the embedded PostgreSQL of the demo and the tests after a Ctrl-C: the signal reaches
 * the server too, and stop() must still return and leave nothing in the temporary folder.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../../../scripts/lib/embeddedPostgres';
import { admin } from './servers';

const ROOT = path.resolve(__dirname, '../../..');

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined)) !== undefined;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`still waiting after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Rejects when `promise` takes longer than `ms`: the old stop() never returned. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('embedded PostgreSQL stop after a Ctrl-C', function () {
  this.timeout(90_000);

  it('returns and removes its folder when the server already shut down', async () => {
    const server = await startEmbeddedPostgres({ statStatements: false });
    const [{ data_directory: dataDir }] = await admin<{ data_directory: string }>(
      server.url(),
      'SHOW data_directory',
    );
    const root = path.dirname(dataDir);
    const pid = Number(
      (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );

    // What Ctrl-C does to the server, which shares the terminal's process group.
    process.kill(pid, 'SIGINT');
    await until(() => !running(pid), 30_000);

    await within(server.stop(), 10_000, 'stop()');
    assert.equal(await exists(root), false, `${root} is left behind`);
  });

  it('lets a program that takes the signals over finish its cleanup before it exits', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-stop-'));
    const marker = path.join(folder, 'cleaned-up');
    const script = path.join(folder, 'program.ts');
    // Like the demo: a slower cleanup (code-server) runs before the server is stopped.
    await fs.writeFile(
      script,
      [
        `import { promises as fs } from 'node:fs';`,
        `import { leaveSignalsToCaller, startEmbeddedPostgres } from ` +
          `${JSON.stringify(path.join(ROOT, 'scripts/lib/embeddedPostgres'))};`,
        `import { admin } from ${JSON.stringify(path.join(ROOT, 'test/support/postgres'))};`,
        `void (async () => {`,
        `  const server = await startEmbeddedPostgres({ statStatements: false });`,
        `  leaveSignalsToCaller();`,
        `  process.on('SIGINT', () => void (async () => {`,
        `    await new Promise((resolve) => setTimeout(resolve, 1500));`,
        `    await server.stop();`,
        `    await fs.writeFile(${JSON.stringify(marker)}, 'done');`,
        `    process.exit(0);`,
        `  })());`,
        `  const [row] = await admin(server.url(), 'SHOW data_directory');`,
        `  console.log('ready ' + String(row.data_directory));`,
        `})();`,
      ].join('\n'),
    );
    // Its own process group, as a terminal's foreground job: the SIGINT reaches the server too.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await until(() => output.includes('\n'), 60_000);
      const root = path.dirname(/ready (.+)/.exec(output)?.[1] ?? '');
      assert.match(root, /upkeep-pg-/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

      process.kill(-child.pid!, 'SIGINT');
      const code = await within(exited, 20_000, 'the program');

      assert.equal(code, 0);
      assert.equal(await exists(marker), true, 'the program exited before its cleanup ended');
      assert.equal(await exists(root), false, `${root} is left behind`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, 'SIGKILL');
      }
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
