/**
 * Starts a throwaway server from Debian's PostgreSQL 15 packages (/usr/lib/postgresql/15/bin),
 * for the tests and benchmarks that must also pass on the distribution's server. As root the
 * server runs as the `postgres` user. Everything lives in one temporary folder that `stop()`
 * removes.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { RunningPostgres, StartOptions } from './embeddedPostgres';
import { freePort, settingFlags } from './embeddedPostgres';

export const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';

export interface DebianStartOptions extends StartOptions {
  /** Another installation's bin folder (same layout). */
  binDir?: string;
  /**
   * Makes the server a hot standby of this one (a base backup streaming from it) instead of a
   * new cluster; it logs in as the primary's user with the primary's password.
   */
  standbyOf?: RunningPostgres;
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('There is no postgres user to run Debian PostgreSQL as (running as root).');
  }
  return { uid, gid };
}

export async function startDebianPostgres(
  options: DebianStartOptions = {},
): Promise<RunningPostgres> {
  const bin = options.binDir ?? DEBIAN_BIN;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-pg15-'));
  await fs.chmod(root, 0o755);
  const dataDir = path.join(root, 'data');
  const passwordFile = path.join(root, 'pwfile');
  const port = await freePort();
  const user = 'postgres';
  const password =
    options.standbyOf?.password ?? 'upkeep-' + Math.random().toString(36).slice(2, 10);
  const asRoot = os.userInfo().uid === 0;
  await fs.writeFile(passwordFile, password + '\n', { mode: 0o644 });
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', root]);

  // initdb and postgres refuse to run as root; run them as the postgres user then.
  const ids = asRoot ? postgresUserIds() : undefined;
  const command = (args: string[]): [string, string[]] => [args[0], args.slice(1)];
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };

  const cleanup = async (): Promise<void> => {
    await fs.rm(root, { recursive: true, force: true });
  };

  if (options.standbyOf) {
    await baseBackup(bin, options.standbyOf, dataDir, { cwd: root, ...ids });
    await fs.rm(passwordFile, { force: true });
  }
  const [initCmd, initArgs] = command([
    path.join(bin, 'initdb'),
    '-D',
    dataDir,
    '-U',
    user,
    '--pwfile',
    passwordFile,
    '--auth',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const init = options.standbyOf
    ? undefined
    : spawnSync(initCmd, initArgs, { encoding: 'utf8', cwd: root, ...ids });
  if (init && init.status !== 0) {
    await cleanup();
    throw new Error(`Debian PostgreSQL initdb failed: ${init.stderr || init.stdout}`);
  }
  await fs.rm(passwordFile, { force: true });

  const flags = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dataDir}`,
    '-c',
    'fsync=off',
  ];
  if (options.statStatements !== false) {
    flags.push(
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=all',
    );
  }
  flags.push(...settingFlags(options.settings));
  const [cmd, args] = command([path.join(bin, 'postgres'), ...flags]);
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: root,
    ...ids,
  });
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = (database = 'postgres'): string =>
    `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  // Ready when a login works; give up after 30 s.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await cleanup();
      throw new Error(`Debian PostgreSQL exited at start: ${recent.join('\n')}`);
    }
    const client = new Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        await cleanup();
        throw new Error(
          `Debian PostgreSQL did not accept connections in 30 s: ${recent.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  let stopped = false;
  return {
    port,
    user,
    password,
    url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, nothing waits for clients.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await cleanup();
    },
  };
}

/**
 * Copies `primary` into `dataDir` with pg_basebackup and sets it up as its standby
 * (standby.signal, and a primary_conninfo that carries the password).
 */
async function baseBackup(
  bin: string,
  primary: RunningPostgres,
  dataDir: string,
  spawnOptions: { cwd: string; uid?: number; gid?: number },
): Promise<void> {
  const backup = spawnSync(
    path.join(bin, 'pg_basebackup'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      primary.user,
      '-D',
      dataDir,
      '-X',
      'stream',
      '-R',
      '-c',
      'fast',
      '--no-sync',
    ],
    { encoding: 'utf8', ...spawnOptions, env: { ...process.env, PGPASSWORD: primary.password } },
  );
  if (backup.status !== 0) {
    throw new Error(`pg_basebackup failed: ${backup.stderr || backup.stdout}`);
  }
  const conninfo =
    `host=127.0.0.1 port=${primary.port} user=${primary.user} ` + `password=${primary.password}`;
  await fs.appendFile(
    path.join(dataDir, 'postgresql.auto.conf'),
    `primary_conninfo = '${conninfo}'\n`,
  );
}
