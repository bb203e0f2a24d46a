/**
 * The PostgreSQL servers the tests use: one embedded server (17) per test process, started on
 * first use and stopped when mocha ends. Tests make their own databases on it.
 */
import { Client } from 'pg';
import type { RunningPostgres } from '../../scripts/lib/embeddedPostgres';
import { startEmbeddedPostgres } from '../../scripts/lib/embeddedPostgres';

let embedded: Promise<RunningPostgres> | undefined;
let databaseCounter = 0;

export function embeddedServer(): Promise<RunningPostgres> {
  embedded ??= startEmbeddedPostgres();
  return embedded;
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

export async function stopServers(): Promise<void> {
  const running = embedded;
  embedded = undefined;
  if (running) await (await running).stop();
}
