/**
 * The PostgreSQL servers the tests use: one embedded server (17) and one Debian server (15) per
 * test process, each started on first use and stopped when mocha ends. Tests make their own
 * databases on them. A test that needs a server set up otherwise (other settings) starts one of
 * its own with dedicatedServer().
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { Client } from 'pg';
import type { RunningPostgres } from '../../scripts/lib/embeddedPostgres';
import { startEmbeddedPostgres } from '../../scripts/lib/embeddedPostgres';
import { startDebianPostgres } from '../../scripts/lib/debianPostgres';

let embedded: Promise<RunningPostgres> | undefined;
let debian: Promise<RunningPostgres> | undefined;
/** Servers started with dedicatedServer(), stopped with the shared ones. */
const dedicated: Promise<RunningPostgres>[] = [];
let databaseCounter = 0;

export function embeddedServer(): Promise<RunningPostgres> {
  embedded ??= startEmbeddedPostgres();
  return embedded;
}

/** Debian's PostgreSQL 15 from /usr/lib/postgresql/15/bin, pg_stat_statements preloaded. */
export function debianServer(): Promise<RunningPostgres> {
  debian ??= startDebianPostgres();
  return debian;
}

/**
 * A server of the test's own with extra settings (`-c name=value` at start, as postgresql.conf
 * lines): for what only a server set up so can show, such as `reserved_connections` or a low
 * `max_connections`. It is stopped when mocha ends, or earlier by the test.
 */
export function dedicatedServer(
  kind: 'embedded' | 'debian',
  settings: Record<string, string>,
): Promise<RunningPostgres> {
  const server =
    kind === 'embedded' ? startEmbeddedPostgres({ settings }) : startDebianPostgres({ settings });
  dedicated.push(server);
  return server;
}

/** Creates a fresh database on the server and returns its URL. */
export async function createDatabase(server: RunningPostgres, prefix = 'test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${++databaseCounter}`;
  const admin = new Client({ connectionString: server.url() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return server.url(name);
}

/** Runs one statement on `url` in a client of its own and returns the rows. */
export async function admin<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Starts a smart shutdown of `url`'s server (SIGTERM to its postmaster) and returns the session
 * that holds it open: the server waits for that session to end, and meanwhile refuses new ones
 * with "the database system is shutting down" (57P03). End the session, then stop the server.
 */
export async function holdShutdown(url: string): Promise<Client> {
  const holder = new Client({ connectionString: url });
  await holder.connect();
  holder.on('error', () => undefined);
  const [{ pid }] = (await holder.query('SELECT pg_backend_pid() AS pid')).rows as {
    pid: number;
  }[];
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  process.kill(postmaster, 'SIGTERM');
  return holder;
}

/** pg_dump's format flag for each format a test dumps in; plain SQL is its default. */
const DUMP_FORMAT_FLAGS = { custom: ['-Fc'], tar: ['-Ft'], directory: ['-Fd'], plain: [] };

/**
 * Dumps the database of `url` with Debian's pg_dump into `file` (custom format by default; a
 * directory dump makes `file` a folder), the password passed in the environment as a
 * maintainer's cron job would.
 */
export function pgDump(
  url: string,
  file: string,
  format: keyof typeof DUMP_FORMAT_FLAGS = 'custom',
): void {
  const parsed = new URL(url);
  execFileSync(
    '/usr/bin/pg_dump',
    [
      ...DUMP_FORMAT_FLAGS[format],
      ...['-h', parsed.hostname, '-p', parsed.port, '-U', parsed.username, '-f', file],
      parsed.pathname.slice(1),
    ],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(parsed.password) } },
  );
}

export async function stopServers(): Promise<void> {
  const running = [embedded, debian, ...dedicated.splice(0)];
  embedded = undefined;
  debian = undefined;
  for (const server of running) {
    // A server that failed to start has nothing to stop.
    const started = await server?.catch(() => undefined);
    await started?.stop();
  }
}
