/**
 * Database maintenance from the weekly tier: ANALYZE, VACUUM (ANALYZE), VACUUM (FREEZE, ANALYZE)
 * against wraparound, and REINDEX (CONCURRENTLY from PostgreSQL 12). The only code in Upkeep
 * that changes the monitored database, so it runs only with a confirmation issued by
 * `confirmMaintenance` for that exact plan (after the user saw the SQL, the target database and
 * what it locks, and for a production connection or work on the whole database typed the
 * database name).
 */
import type { ResolvedConnection } from './connection';
import { connectClient, passwordOf, sendCancelRequest } from './session';
import type { DbSession } from './session';
import { LOCK_HOLDER, lockedBy, lockedRelation } from './relationLocks';
import { quoteIdent } from './sqlText';
import { UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { redactSecrets, silentLogger } from '../util/logger';
import { formatMs } from '../util/figures';
import { controlsWrittenOut, printable } from '../util/printable';

export type MaintenanceKind = 'analyze' | 'vacuumAnalyze' | 'vacuumFreeze' | 'reindex';

export interface MaintenanceTarget {
  type: 'database' | 'table' | 'index';
  schema?: string;
  name?: string;
}

interface MaintenancePlan {
  kind: MaintenanceKind;
  target: MaintenanceTarget;
  /** The exact statement that will run. */
  sql: string;
  /** Database name and `display` of the connection it runs on. */
  database: string;
  display: string;
  production: boolean;
  concurrently: boolean;
  /**
   * The database name must be typed to confirm: on a production connection, and for work on the
   * whole database (VACUUM or REINDEX of every table), which a stray Enter must not start.
   */
  needsTypedName: boolean;
  /** How long it may take and which locks it takes, for the confirmation. */
  impact: string;
}

/** Issued by confirmMaintenance only; runMaintenance refuses anything else. */
export interface MaintenanceConfirmation {
  readonly plan: MaintenancePlan;
  readonly confirmedAt: string;
}

const issued = new WeakSet<MaintenanceConfirmation>();

/** Always with its schema: a search_path that lists another schema first would pick its table. */
function targetName(target: MaintenanceTarget): string {
  if (!target.name) throw new UpkeepError('config', 'A table or index name is needed.');
  return target.schema
    ? `${quoteIdent(target.schema)}.${quoteIdent(target.name)}`
    : quoteIdent(target.name);
}

/** Builds the statement for an action on a target; nothing runs. */
export function planMaintenance(
  connection: ResolvedConnection,
  kind: MaintenanceKind,
  target: MaintenanceTarget,
  serverVersionNum: number,
): MaintenancePlan {
  const concurrently = kind === 'reindex' && serverVersionNum >= 120000;
  const on = target.type === 'database' ? '' : ` ${targetName(target)}`;
  let sql: string;
  switch (kind) {
    case 'analyze':
      if (target.type === 'index') throw new UpkeepError('config', 'ANALYZE works on tables.');
      sql = `ANALYZE${on};`;
      break;
    case 'vacuumAnalyze':
      if (target.type === 'index') throw new UpkeepError('config', 'VACUUM works on tables.');
      sql = `VACUUM (ANALYZE)${on};`;
      break;
    case 'vacuumFreeze':
      if (target.type === 'index') throw new UpkeepError('config', 'VACUUM works on tables.');
      sql = `VACUUM (FREEZE, ANALYZE)${on};`;
      break;
    case 'reindex': {
      const object = target.type === 'database' ? ` ${quoteIdent(connection.databaseName)}` : on;
      sql = `REINDEX ${target.type.toUpperCase()}${concurrently ? ' CONCURRENTLY' : ''}${object};`;
      break;
    }
  }
  const wholeDatabase = target.type === 'database' && kind !== 'analyze';
  return {
    kind,
    target,
    sql,
    database: connection.databaseName,
    display: connection.display,
    production: connection.production,
    concurrently,
    needsTypedName: connection.production || wholeDatabase,
    impact: impactOf(kind, target, concurrently),
  };
}

/** Duration and locks in the words of the PostgreSQL documentation (explicit locking). */
function impactOf(kind: MaintenanceKind, target: MaintenanceTarget, concurrently: boolean): string {
  const scope =
    target.type === 'database'
      ? 'every table of the database, one after another: ' +
        'it may take a long time (hours on a large database)'
      : target.type === 'table'
        ? 'the whole table: it may take a while on a large one'
        : 'the index';
  switch (kind) {
    case 'analyze':
      return (
        `ANALYZE reads a sample of ${scope}. It takes a SHARE UPDATE EXCLUSIVE lock ` +
        '(reads and writes go on; VACUUM, ANALYZE and schema changes wait).'
      );
    case 'vacuumAnalyze':
      return (
        `VACUUM (ANALYZE) reads ${scope}, with heavy disk I/O. ` +
        'It takes a SHARE UPDATE EXCLUSIVE lock on each table ' +
        '(reads and writes go on; other VACUUMs, ANALYZE and schema changes wait).'
      );
    case 'vacuumFreeze':
      return (
        `VACUUM (FREEZE, ANALYZE) reads ${scope} and freezes every row it can, writing each ` +
        'page not frozen yet: more disk I/O and WAL than a plain VACUUM. It takes a SHARE ' +
        'UPDATE EXCLUSIVE lock on each table ' +
        '(reads and writes go on; other VACUUMs, ANALYZE and schema changes wait).'
      );
    case 'reindex':
      if (target.type === 'index') {
        return concurrently
          ? 'REINDEX CONCURRENTLY rebuilds the index, and needs free disk space for a second ' +
              'copy of it while it runs. It takes a SHARE UPDATE EXCLUSIVE lock on its table ' +
              '(reads and writes go on; VACUUM, ANALYZE and schema changes wait).'
          : 'REINDEX rebuilds the index. It locks its table against writes (SHARE lock) and ' +
              'the index against reads that would use it (ACCESS EXCLUSIVE) while it runs.';
      }
      return concurrently
        ? `REINDEX CONCURRENTLY rebuilds the indexes of ${scope}, ` +
            'and needs free disk space for a second copy of each index while it runs. ' +
            'It takes a SHARE UPDATE EXCLUSIVE lock on each table ' +
            '(reads and writes go on; VACUUM, ANALYZE and schema changes wait).'
        : `REINDEX rebuilds the indexes of ${scope}. ` +
            'It locks each table against writes (SHARE lock) and each index against reads ' +
            'that would use it (ACCESS EXCLUSIVE) while it runs.';
  }
}

/**
 * The question and the detail a confirmation dialog shows for a plan; `source` (where the
 * connection came from) goes right under the database, before the typed-name note.
 */
export function maintenancePrompt(
  plan: MaintenancePlan,
  source?: string,
): { message: string; detail: string } {
  const from = source ? `\nFrom: ${source}` : '';
  const typed = plan.needsTypedName
    ? `\n\nYou will be asked to type the database name (${plan.database}) to run it.`
    : '';
  return {
    message: `Run this on ${plan.database}${plan.production ? ' (PRODUCTION)' : ''}?`,
    detail: `${plan.sql}\n\n${plan.impact}\n\nDatabase: ${plan.display}${from}${typed}`,
  };
}

/**
 * Records that the user confirmed `plan`. When the plan needs it (a production connection, or
 * VACUUM or REINDEX of the whole database) `typedDatabaseName` must equal the database name,
 * else it throws `refused`.
 */
export function confirmMaintenance(
  plan: MaintenancePlan,
  answer: { typedDatabaseName?: string } = {},
): MaintenanceConfirmation {
  if (plan.needsTypedName && answer.typedDatabaseName !== plan.database) {
    const why = plan.production
      ? `${plan.display} is marked production`
      : `${plan.sql} works on the whole database`;
    throw new UpkeepError(
      'refused',
      `Not run: ${why}, and the typed name does not match "${plan.database}".`,
    );
  }
  const confirmation: MaintenanceConfirmation = Object.freeze({
    plan,
    confirmedAt: new Date().toISOString(),
  });
  issued.add(confirmation);
  return confirmation;
}

interface MaintenanceResult {
  sql: string;
  durationMs: number;
  /**
   * Tables a whole-database VACUUM or ANALYZE skipped because the role may not maintain them
   * (shared catalogs, tables of other owners): PostgreSQL only warns about each.
   */
  skippedTables: number;
  /** Invalid indexes (`schema.name`) a REINDEX CONCURRENTLY skipped, with only a WARNING. */
  skippedIndexes: string[];
}

/**
 * Runs a confirmed plan on its own connection, outside a transaction (VACUUM and REINDEX
 * CONCURRENTLY need that), with lock_timeout so it never queues behind the app's locks for long.
 */
export async function runMaintenance(
  connection: ResolvedConnection,
  confirmation: MaintenanceConfirmation,
  options: {
    lockTimeoutMs: number;
    connectTimeoutMs: number;
    statementTimeoutMs?: number;
    log?: Logger;
    signal?: AbortSignal;
  },
): Promise<MaintenanceResult> {
  if (!issued.has(confirmation)) {
    throw new UpkeepError('refused', 'Maintenance runs only after the user confirmed it.');
  }
  const { plan } = confirmation;
  if (plan.display !== connection.display || plan.database !== connection.databaseName) {
    throw new UpkeepError(
      'refused',
      `The confirmation was for ${plan.display}, not ${connection.display}.`,
    );
  }
  const cancelled = (): UpkeepError => new UpkeepError('cancelled', `Cancelled: ${plan.sql}`);
  if (options.signal?.aborted) throw cancelled();

  const log = options.log ?? silentLogger;
  const client = await connectClient(connection, options.connectTimeoutMs, (error) =>
    log.warn(
      'maintenance connection lost: ' +
        controlsWrittenOut(redactSecrets(error.message, passwordOf(connection))),
    ),
  );
  const onAbort = (): void => {
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    sendCancelRequest(connection, processID, secretKey, options.connectTimeoutMs);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // VACUUM and ANALYZE skip a table the role may not maintain with only a WARNING, coded 01000
  // like any other: "permission denied to vacuum ..." (PostgreSQL 17), "only table or database
  // owner can vacuum it" (15). REINDEX CONCURRENTLY skips an invalid index with a WARNING coded
  // 55000 (17) or 0A000 (15): no refusal, but the index is left as it was, which the user must
  // hear of.
  const skipped: string[] = [];
  const skippedIndexes: string[] = [];
  client.on('notice', (notice) => {
    const text = notice.message ?? '';
    if (notice.severity !== 'WARNING') return;
    if (NOT_ALLOWED_WARNING.test(text)) skipped.push(text);
    else if (/^(0A000|55000)$/.test(notice.code ?? '') && /invalid index/i.test(text)) {
      skippedIndexes.push(/"([^"]+)"/.exec(text)?.[1] ?? oneLine(text));
    }
  });
  try {
    // A cancel while connecting had no query to stop: it must not start one now.
    if (options.signal?.aborted) throw cancelled();
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs))}`);
    await client.query(
      `SET statement_timeout = ${Math.max(0, Math.round(options.statementTimeoutMs ?? 0))}`,
    );
    log.info(`running on ${printable(plan.display)}: ${printable(plan.sql)}`);
    const runStarted = Date.now();
    await client.query(`/* upkeep:maintenance */ ${plan.sql}`);
    // A whole database always has tables only a superuser may maintain (shared catalogs).
    if (skipped.length > 0 && plan.target.type !== 'database') {
      throw notAllowed(plan, connection, `PostgreSQL skipped it: ${oneLine(skipped[0])}`);
    }
    for (const warning of skipped) log.warn(`not allowed by PostgreSQL: ${oneLine(warning)}`);
    for (const index of skippedIndexes) log.warn(`skipped invalid index ${printable(index)}`);
    const durationMs = Date.now() - runStarted;
    log.info(`done in ${durationMs} ms: ${printable(plan.sql)}`);
    // One warning per table, but count names: a warning for VACUUM and one for ANALYZE of the
    // same table would count it twice.
    const skippedTables = new Set(skipped.map((text) => /"([^"]+)"/.exec(text)?.[1] ?? text)).size;
    return { sql: plan.sql, durationMs, skippedTables, skippedIndexes };
  } catch (error) {
    if (UpkeepError.is(error)) throw error;
    // On one line: a server's message of several lines would fake lines of the output.
    const text = controlsWrittenOut(
      redactSecrets(error instanceof Error ? error.message : String(error), passwordOf(connection)),
    );
    const code = (error as { code?: string }).code;
    if (code === '57014' && options.signal?.aborted) throw cancelled();
    if (code === '42501') throw notAllowed(plan, connection, text);
    if (code === '25006') {
      throw new UpkeepError(
        'refused',
        `${plan.display} is read-only (a standby, or default_transaction_read_only on): ` +
          `${plan.sql.replace(/;$/, '')} was refused: ${text}. Nothing was done.`,
        'Run it on the primary server, whose changes the standby replays: connect Upkeep to ' +
          'it (upkeep.database.url, or the primary database of config/database.yml).',
      );
    }
    // A shutdown, a restart, pg_terminate_backend, or a crash that took the socket with it.
    if (/^57P0[123]$/.test(code ?? '') || (!code && /connection terminated/i.test(text))) {
      throw new UpkeepError(
        'unreachable',
        `${plan.sql.replace(/;$/, '')} did not finish: the server ended the connection ` +
          `(${text}).`,
        (plan.sql.includes('CONCURRENTLY')
          ? 'A REINDEX CONCURRENTLY stopped part-way leaves an invalid index ending in _ccnew ' +
            '(the Invalid indexes card lists it; drop it). '
          : '') +
          'The server was shut down or restarted, or an administrator ended the session: ' +
          'run it again once the server answers.',
      );
    }
    if (code === '55P03') {
      throw new UpkeepError(
        'timeout',
        `${plan.sql} waited too long for a lock and was stopped: ${text}.`,
        'Try again when the app is quieter.',
      );
    }
    throw new UpkeepError('internal', `${plan.sql} failed: ${text}.`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/**
 * The WARNING of a VACUUM or ANALYZE that skipped a table the role may not maintain; before
 * PostgreSQL 16 "only superuser can", "only superuser or database owner can" (catalogs) and
 * "only table or database owner can".
 */
const NOT_ALLOWED_WARNING = new RegExp(
  '^permission denied to (vacuum|analyze) ' +
    '|only (table or database owner|superuser( or database owner)?) can (vacuum|analyze) it',
  'i',
);

/**
 * The message for a finished run: what ran, how long, and what PostgreSQL skipped with only a
 * warning (tables the role may not maintain, invalid indexes) and what to do about it.
 */
export function maintenanceFinished(result: MaintenanceResult, database: string): string {
  const notes: string[] = [];
  if (result.skippedTables > 0) {
    const one = result.skippedTables === 1;
    notes.push(
      `${result.skippedTables} table${one ? '' : 's'} skipped: this role may not maintain ` +
        `${one ? 'it' : 'them'} (shared catalogs, tables of other owners); the rest were done.`,
    );
  }
  if (result.skippedIndexes.length > 0) {
    const names = result.skippedIndexes.map((name) => printable(name)).join(', ');
    const one = result.skippedIndexes.length === 1;
    notes.push(
      `Skipped invalid index${one ? '' : 'es'} ${names}: drop ${one ? 'it' : 'them'}, or ` +
        'rebuild with REINDEX INDEX (without CONCURRENTLY, which locks its table against writes).',
    );
  }
  return [
    `${result.sql} finished in ${formatMs(result.durationMs)} on ${printable(database)}.`,
    ...notes,
  ].join(' ');
}

/** A server's text on one line, as the output shows it. */
function oneLine(text: string): string {
  return controlsWrittenOut(text.replace(/\s+/g, ' ').trim());
}

/** The role may not maintain the target: it needs the table's owner (or more), not a retry. */
function notAllowed(
  plan: MaintenancePlan,
  connection: ResolvedConnection,
  why: string,
): UpkeepError {
  const role = String(connection.config.user ?? 'this role');
  return new UpkeepError(
    'refused',
    `Role ${role} may not run ${plan.sql.replace(/;$/, '')} on ${plan.database}: ${why}` +
      `${/[.!]$/.test(why) ? '' : '.'} Nothing was done.`,
    'VACUUM, ANALYZE and REINDEX of a table need the owner of the table or a superuser (from ' +
      'PostgreSQL 17 also a role granted MAINTAIN on it, or pg_maintain): run it as such a role, ' +
      'for example with psql.',
  );
}

interface MaintenanceCandidate {
  target: MaintenanceTarget;
  /** Why it is a candidate, e.g. `12 % dead rows` or `invalid`. */
  note: string;
  /** A table's older age of its frozen transaction and multixact IDs. */
  freezeAge?: number;
}

interface TableRow {
  schema: string;
  name: string;
  dead: number;
  live: number;
  analyzed: Date | null;
  freezeAge: number;
}

/**
 * Tables and indexes worth maintaining first, read through the read-only session: the tables
 * with the most dead rows and, for VACUUM FREEZE, those whose IDs are oldest (the ones the
 * wraparound card names), each list cut at `limit`.
 */
export async function maintenanceCandidates(
  session: DbSession,
  signal?: AbortSignal,
  limit = 200,
): Promise<MaintenanceCandidate[]> {
  const tablesBy = (order: string): Promise<TableRow[]> =>
    session.query<TableRow>(
      'maintenanceCandidates',
      `SELECT s.schemaname AS schema, s.relname AS name, s.n_dead_tup::float8 AS dead,
              s.n_live_tup::float8 AS live,
              greatest(s.last_analyze, s.last_autoanalyze) AS analyzed,
              greatest(age(c.relfrozenxid), mxid_age(c.relminmxid))::float8 AS "freezeAge"
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        ORDER BY ${order}, 1, 2 LIMIT $1`,
      [limit],
      signal,
    );
  const byDeadRows = await tablesBy('s.n_dead_tup DESC, s.n_mod_since_analyze DESC');
  const byAge = await tablesBy('"freezeAge" DESC');
  const seen = new Set(byDeadRows.map((row) => `${row.schema}.${row.name}`));
  const tables = [...byDeadRows, ...byAge.filter((row) => !seen.has(`${row.schema}.${row.name}`))];
  // An index another session holds locked (a REINDEX running) is offered last, its size not
  // read: reading it would wait for the lock and fail the whole list.
  const indexes = await session.query<{
    schema: string;
    name: string;
    valid: boolean;
    holder: string | null;
  }>(
    'maintenanceCandidates',
    `SELECT x.schema, x.name, x.valid, x.holder
       FROM (SELECT n.nspname AS schema, c.relname AS name, i.indisvalid AS valid,
                    i.indexrelid, ${LOCK_HOLDER('i.indexrelid')} AS holder
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%') x
      ORDER BY x.valid,
               CASE WHEN x.holder IS NULL THEN pg_relation_size(x.indexrelid) END
                 DESC NULLS LAST
      LIMIT $1`,
    [limit],
    signal,
  );
  return [
    ...tables.map((row) => ({
      target: { type: 'table' as const, schema: row.schema, name: row.name },
      note:
        `${row.dead.toLocaleString('en')} dead rows ` +
        `of ${(row.dead + row.live).toLocaleString('en')}; ` +
        (row.analyzed ? `analyzed ${row.analyzed.toISOString().slice(0, 10)}` : 'never analyzed'),
      freezeAge: row.freezeAge,
    })),
    ...indexes.map((row) => ({
      target: { type: 'index' as const, schema: row.schema, name: row.name },
      note:
        (row.valid ? 'index' : 'INVALID index') +
        (row.holder === null ? '' : `, ${lockedBy(lockedRelation(row))}`),
    })),
  ];
}

/**
 * The candidates a kind of maintenance is offered on, in the order to offer them: indexes and
 * tables for REINDEX, tables otherwise; for VACUUM FREEZE the oldest IDs first, with their age.
 */
export function candidatesFor(
  kind: MaintenanceKind,
  candidates: readonly MaintenanceCandidate[],
): MaintenanceCandidate[] {
  const wanted = kind === 'reindex' ? ['index', 'table'] : ['table'];
  const offered = candidates.filter((c) => wanted.includes(c.target.type));
  if (kind !== 'vacuumFreeze') return offered;
  return offered
    .map((c) => ({ ...c, note: `ID age ${(c.freezeAge ?? 0).toLocaleString('en')}; ${c.note}` }))
    .sort((a, b) => (b.freezeAge ?? 0) - (a.freezeAge ?? 0));
}
