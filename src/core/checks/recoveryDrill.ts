/**
 * The backup recovery drill the annual tier asks for: restore a dump into a scratch database on
 * the drill target, compare table and row counts with the dump, record how long the recovery
 * took, and drop the scratch database. It only runs when the caller says the user confirmed.
 */
import * as path from 'node:path';
import { Client, DatabaseError } from 'pg';
import type { Clock } from '../util/clock';
import { systemClock } from '../util/clock';
import { quoteIdent } from '../db/sqlText';
import { UpkeepError, describeError, throwIfAborted } from '../util/errors';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { listDump, pgRestoreMissing } from './backupChecks';
import { plural } from '../util/plural';
import {
  connectTarget,
  endpointOf,
  readIdentity,
  sameServer,
  scratchDatabaseName,
  targetEndpoint,
} from './drillPlan';
import { openDump, type OpenedDump } from './dumpInput';
import { findExecutable, runTool } from './toolProcess';
import type { CheckResult } from './types';

export interface RecoveryDrillOptions {
  dumpFile: string;
  /** A server URL; the scratch database is created next to the database it names. */
  targetUrl: string;
  /** The user saw the target and the dump and said yes. Without it the drill refuses. */
  confirmed: boolean;
  /** Password for the target when its URL has none (PGPASSWORD otherwise). */
  password?: string;
  /** The monitored database's URL; a target on the same server is refused unless allowed. */
  monitoredUrl?: string;
  /**
   * The monitored cluster's system identifier (DrillPlan): a target with the same one is that
   * server by another name or address, or a physical replica of it, and is refused too.
   */
  monitoredSystemId?: string;
  allowMonitoredServer?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  /**
   * The app folder, which a relative certificate path of the target URL is read from, as the
   * monitored connection's are (the process's folder when none is given).
   */
  workspace?: string;
  /** How long one statement on the target may go without an answer (DRILL_QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  /** The scratch database the confirmation named (DrillPlan); otherwise one named now. */
  scratchDatabase?: string;
}

/**
 * The longest a statement of the drill (CREATE DATABASE, a row count, DROP DATABASE) may take:
 * a count of a table of a hundred million rows takes a few minutes, while a target that stopped
 * answering would hold a cron job forever.
 */
export const DRILL_QUERY_TIMEOUT_MS = 30 * 60_000;

/**
 * How long a cancelled drill waits for the answer to its CREATE DATABASE: the server creates the
 * database whether or not the connection is still there, and only the answer tells that it is
 * there to be dropped.
 */
const CANCEL_GRACE_MS = 5_000;

/** The longest a cancelled drill waits to drop its scratch database before naming it instead. */
const CANCELLED_DROP_MS = 30_000;

export interface DrillTable {
  table: string;
  dumpRows: number;
  restoredRows: number | null;
}

export interface DrillRecord {
  ok: boolean;
  dumpFile: string;
  /** `host:port` of the target, never its credentials. */
  target: string;
  scratchDatabase: string;
  drilledAt: string;
  /** When the dump was written (its modification time): how old the backup restored was. */
  dumpWrittenAt?: string;
  /** pg_restore's wall time: the recovery time the annual test asks for. */
  recoveryMs: number;
  totalMs: number;
  tables: DrillTable[];
  mismatches: string[];
  /** Set when the drill itself broke (restore error, unreachable target). */
  error?: string;
  /**
   * Scratch databases of earlier drills still on the target (a drill killed with SIGKILL, a
   * machine that went down): reported, never dropped, since a drill running at the same time
   * owns one too. Absent when there are none.
   */
  leftoverScratchDatabases?: string[];
}

/** A scratch database's name as scratchDatabaseName makes it, and no other. */
const SCRATCH_NAME = /^upkeep_drill_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\d{2}_\d+$/;

/**
 * What to tell about a scratch database an earlier drill left: its name, when that drill ran
 * (from the name) and the statement that drops it.
 */
export function leftoverNote(name: string, target: string): string {
  const at = SCRATCH_NAME.exec(name);
  const when = at ? ` (${at[1]}-${at[2]}-${at[3]} ${at[4]}:${at[5]} UTC)` : '';
  return `${name}${when} on ${target}: drop it with DROP DATABASE IF EXISTS ${name};`;
}

/**
 * A name as the drill shows it: a plain lowercase name as it is, any other quoted as SQL (a
 * line break as `U&"...\000A..."`), so a name can fake no line and no dot of the output.
 */
const shownIdent = (name: string): string =>
  /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);

/** One SQL identifier at the start of `text`: `"quoted ""name"""` or a bare word. */
const IDENTIFIER = /^(?:"((?:[^"]|"")*)"|([^\s."(]+))/;

/**
 * `COPY "my schema"."Odd ""Name""" (a, b) FROM stdin;` → the SQL-quoted table and the name
 * shown. pg_restore's --list prints names unquoted (ambiguous with spaces); COPY quotes them.
 */
export function parseCopyTarget(line: string): { sql: string; name: string } | undefined {
  if (!line.startsWith('COPY ') || !line.endsWith('FROM stdin;')) return undefined;
  const parts: string[] = [];
  let rest = line.slice(5);
  for (;;) {
    const match = IDENTIFIER.exec(rest);
    if (!match) return undefined;
    parts.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]);
    rest = rest.slice(match[0].length);
    if (!rest.startsWith('.')) break;
    rest = rest.slice(1);
  }
  if (parts.length !== 2) return undefined;
  return { sql: parts.map(quoteIdent).join('.'), name: parts.map(shownIdent).join('.') };
}

/** Far more than a COPY line of 1,600 quoted 63-byte column names. */
const MAX_COPY_HEADER = 1024 * 1024;

/** Whether `text` ends inside a quoted identifier (`""` inside one is an escaped quote). */
function quoteOpen(text: string): boolean {
  let quotes = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) quotes++;
  return quotes % 2 === 1;
}

interface DumpTable {
  sql: string;
  name: string;
  rows: number;
}

/**
 * Counts the rows the dump holds per table by streaming `pg_restore --data-only -f -` and
 * counting the lines of each COPY block; the data never touches the disk or the log.
 */
async function countDumpRows(
  pgRestore: string,
  dumpFile: string,
  dump: OpenedDump,
  signal: AbortSignal,
  env: Record<string, string | undefined>,
): Promise<DumpTable[]> {
  const tables: DumpTable[] = [];
  let current: DumpTable | undefined;
  let pending = '';
  // A quoted name may hold a line break: a COPY line with a quote still open goes on below.
  let header = '';
  const onLine = (line: string): void => {
    if (current) {
      if (line === '\\.') current = undefined;
      else current.rows++;
      return;
    }
    const text = header ? `${header}\n${line}` : line;
    header = '';
    if (text.startsWith('COPY ') && quoteOpen(text) && text.length < MAX_COPY_HEADER) {
      header = text;
      return;
    }
    const target = parseCopyTarget(text);
    if (target) {
      current = { ...target, rows: 0 };
      tables.push(current);
    }
  };
  const output = await runTool({
    command: pgRestore,
    args: ['--data-only', '-f', '-', dump.argument],
    cwd: path.dirname(dumpFile),
    signal,
    env,
    passFd: dump.passFd,
    onStdout: (chunk) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
  });
  if (pending) onLine(pending);
  if (output.exitCode !== 0) {
    throw new UpkeepError(
      'parse',
      `pg_restore cannot read the data: ` +
        dump.named(output.stderr.trim().split('\n')[0], path.basename(dumpFile)),
    );
  }
  return tables;
}

/**
 * Runs the drill. Throws `refused` before touching anything when a precondition is not met, and
 * `cancelled` when `options.signal` aborts, once what it created is dropped (its hint names a
 * scratch database that may be left).
 */
export async function runRecoveryDrill(options: RecoveryDrillOptions): Promise<DrillRecord> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const env = options.env ?? process.env;

  if (!options.confirmed) {
    throw new UpkeepError('refused', 'The recovery drill needs a confirmation first.');
  }
  const target = await targetEndpoint(options.targetUrl, {
    workspace: options.workspace ?? process.cwd(),
    env,
  });
  if (options.monitoredUrl && !options.allowMonitoredServer) {
    if (sameServer(target, endpointOf(options.monitoredUrl))) {
      throw new UpkeepError(
        'refused',
        `The drill target ${target.host}:${target.port} is the monitored database's server.`,
        'Set upkeep.backups.drillTargetUrl to another server, or allow this server explicitly.',
      );
    }
  }
  const pgRestore = await findExecutable('pg_restore', env);
  if (!pgRestore) throw pgRestoreMissing(env);

  const started = performance.now();
  const drilledAt = clock.now();
  const scratchDatabase = options.scratchDatabase ?? scratchDatabaseName(drilledAt);
  const record: DrillRecord = {
    ok: false,
    dumpFile: options.dumpFile,
    target: `${target.host}:${target.port}`,
    scratchDatabase,
    drilledAt: drilledAt.toISOString(),
    recoveryMs: 0,
    totalMs: 0,
    tables: [],
    mismatches: [],
  };
  const password = target.password ?? options.password ?? env.PGPASSWORD;
  const connect = (database: string): Promise<Client> =>
    connectTarget(target, password, database, signal);

  /**
   * A query on the target that Ctrl-C and a timeout can interrupt: pg ignores an AbortSignal,
   * and a target that stopped answering would hold the drill forever. Ending the client while
   * its query runs drops the connection, which rejects the query. `graceMs` lets a cancelled
   * query's answer come first; `cancellable: false` leaves it to its time limit alone.
   */
  const timeoutMs = options.queryTimeoutMs ?? DRILL_QUERY_TIMEOUT_MS;
  const interruptible = async <T>(
    client: Client,
    query: () => Promise<T>,
    { cancellable = true, graceMs = 0, limitMs = timeoutMs } = {},
  ): Promise<T> => {
    if (cancellable) throwIfAborted(signal);
    let timedOut = false;
    const stop = (): void => void client.end().catch(() => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limitMs);
    let grace: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (graceMs > 0) grace = setTimeout(stop, graceMs);
      else stop();
    };
    if (cancellable) signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await query();
    } catch (error) {
      if (!timedOut) throw error;
      throw new UpkeepError(
        'timeout',
        `The drill target ${record.target} did not answer ` +
          `within ${Math.round(limitMs / 1000)} s.`,
        'Check that the server is up and reachable, then run the drill again.',
      );
    } finally {
      clearTimeout(timer);
      clearTimeout(grace);
      signal.removeEventListener('abort', onAbort);
    }
  };

  /** How long pg_restore ran, also when a cancel stopped it; undefined before it started. */
  let restoreMs: number | undefined;
  let restoreEnded = false;

  /** Restores the dump into the scratch database and counts its rows, table by table. */
  const restoreAndCount = async (dump: OpenedDump, dumpTables: DumpTable[]): Promise<void> => {
    // The password goes through the environment, never the command line (ps shows argv).
    const restoreStarted = performance.now();
    const restore = await runTool({
      command: pgRestore,
      args: [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        '-h',
        target.host,
        '-p',
        String(target.port),
        ...(target.user ? ['-U', target.user] : []),
        '-d',
        scratchDatabase,
        dump.argument,
      ],
      cwd: path.dirname(options.dumpFile),
      signal,
      log,
      passFd: dump.passFd,
      // The TLS files the checks use, named absolutely: pg_restore runs in the dump's folder.
      env: { ...env, ...target.tls.libpqEnv, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
    }).finally(() => (restoreMs = Math.round(performance.now() - restoreStarted)));
    restoreEnded = true;
    record.recoveryMs = restoreMs ?? 0;
    if (restore.exitCode !== 0) {
      const said = restore.stderr.trim().split('\n').slice(-3).join(' ');
      record.error = `pg_restore failed: ${dump.named(said, path.basename(options.dumpFile))}`;
      return;
    }

    const scratch = await connect(scratchDatabase);
    try {
      for (const table of dumpTables) {
        let restored: number | null = null;
        try {
          const result = await interruptible(scratch, () =>
            scratch.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.sql}`),
          );
          restored = Number(result.rows[0].n);
        } catch (error) {
          // Cancelled, or the target stopped answering: its connection is gone, stop here.
          if (signal.aborted || UpkeepError.is(error, 'timeout')) throw error;
          record.mismatches.push(`${table.name}: cannot count (${describeError(error)})`);
        }
        record.tables.push({ table: table.name, dumpRows: table.rows, restoredRows: restored });
        if (restored !== null && restored !== table.rows) {
          record.mismatches.push(
            `${table.name}: ${plural(table.rows, 'row')} in the dump, ${restored} restored`,
          );
        }
      }
    } finally {
      await scratch.end().catch(() => undefined);
    }
    record.ok = record.mismatches.length === 0;
  };

  /**
   * Drops the scratch database, also after a cancel (within CANCELLED_DROP_MS then). Returns
   * what to tell the user when it may be left on the target, undefined once it is gone.
   */
  const dropScratch = async (
    admin: Client,
    state: 'maybe' | 'created',
  ): Promise<string | undefined> => {
    const limitMs = signal.aborted ? Math.min(timeoutMs, CANCELLED_DROP_MS) : timeoutMs;
    const drop = (sql: string): Promise<unknown> =>
      interruptible(admin, () => admin.query(sql), { cancellable: false, limitMs });
    const quoted = quoteIdent(scratchDatabase);
    try {
      await drop(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`).catch((error: unknown) => {
        // PostgreSQL before 13 has no FORCE; a target that stopped answering gets no retry.
        if (UpkeepError.is(error, 'timeout')) throw error;
        return drop(`DROP DATABASE IF EXISTS ${quoted}`);
      });
      return undefined;
    } catch (error) {
      // A CREATE DATABASE whose answer did not come took its connection with it.
      const why =
        state === 'maybe'
          ? 'its CREATE DATABASE had no answer when the drill stopped'
          : describeError(error).replace(/\.$/, '');
      return (
        `The scratch database ${scratchDatabase} may be left on ${record.target} (${why}): ` +
        `drop it with DROP DATABASE IF EXISTS ${shownIdent(scratchDatabase)};`
      );
    }
  };

  log.info(
    `recovery drill: ${path.basename(options.dumpFile)} ` +
      `into ${scratchDatabase} on ${record.target}`,
  );
  // Opened once for the whole drill (see openDump): the list, the counts and the restore read
  // one dump, and pg_restore never opens its path, where a FIFO may have taken its place.
  const dump = await openDump(options.dumpFile);
  record.dumpWrittenAt = dump.stat.mtime.toISOString();
  let dumpTables: DumpTable[];
  let admin: Client;
  try {
    await listDump(options.dumpFile, signal, env, dump);
    dumpTables = await countDumpRows(pgRestore, options.dumpFile, dump, signal, env);
    admin = await connect(target.database);
  } catch (error) {
    await dump.close();
    throw error;
  }
  // Whether the scratch database is there: 'maybe' from the moment CREATE DATABASE is sent.
  let scratch: 'none' | 'maybe' | 'created' = 'none';
  let failure: unknown;
  try {
    if (options.monitoredSystemId && !options.allowMonitoredServer) {
      const { id } = await interruptible(admin, () => readIdentity(admin));
      throwIfAborted(signal);
      if (id === options.monitoredSystemId) {
        throw new UpkeepError(
          'refused',
          `The drill target ${record.target} is the monitored database's server: the same ` +
            `cluster (system identifier ${id}) by another name or address, or a replica of it.`,
          'Set upkeep.backups.drillTargetUrl to another server, or allow this server explicitly.',
        );
      }
    }
    const leftovers = await interruptible(admin, () =>
      admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep\\_drill\\_%' ORDER BY 1",
      ),
    );
    const earlier = leftovers.rows
      .map((row) => row.datname)
      .filter((name) => SCRATCH_NAME.test(name) && name !== scratchDatabase);
    if (earlier.length) record.leftoverScratchDatabases = earlier;
    // Once sent, CREATE DATABASE completes on the server even when the connection drops: a
    // cancel waits a moment for its answer, so that the database it made is dropped below.
    scratch = 'maybe';
    await interruptible(
      admin,
      () => admin.query(`CREATE DATABASE ${quoteIdent(scratchDatabase)}`),
      { graceMs: CANCEL_GRACE_MS },
    ).catch((error: unknown) => {
      // Refused by the server (no privilege, the name taken): nothing was made, and a database
      // of that name is not the drill's to drop.
      if (error instanceof DatabaseError) scratch = 'none';
      throw createRefused(error, record.target, target.user) ?? error;
    });
    scratch = 'created';
    throwIfAborted(signal);
    await restoreAndCount(dump, dumpTables);
  } catch (error) {
    failure = error;
  }
  await dump.close();

  const left = scratch === 'none' ? undefined : await dropScratch(admin, scratch);
  await admin.end().catch(() => undefined);
  if (failure !== undefined) record.error = describeError(failure);
  if (left) record.error = record.error ? `${record.error.replace(/\.?$/, '.')} ${left}` : left;
  record.totalMs = Math.round(performance.now() - started);
  log.info(
    `recovery drill: ${signal.aborted ? 'cancelled' : record.ok ? 'ok' : 'failed'}, ` +
      `${restoreText(restoreMs, restoreEnded, signal.aborted)}, ` +
      `${plural(record.tables.length, 'table')}` +
      (record.error ? ` — ${record.error}` : ''),
  );
  // A cancelled drill has no verdict to record; what it may have left is said.
  if (signal.aborted) throw new UpkeepError('cancelled', 'Cancelled.', left);
  if (UpkeepError.is(failure, 'refused')) throw failure;
  return record;
}

/**
 * A CREATE DATABASE the target's setup refuses, as a drill that did not run (`refused`, never
 * recorded): a failed drill on record would say the backup failed to restore, which no restore
 * tried. Undefined for any other error.
 */
function createRefused(
  error: unknown,
  server: string,
  user: string | undefined,
): UpkeepError | undefined {
  if (!(error instanceof DatabaseError)) return undefined;
  const said = describeError(error).replace(/\.$/, '');
  const elsewhere = 'point --target or upkeep.backups.drillTargetUrl at a server where it may';
  if (error.code === '25006') {
    return new UpkeepError(
      'refused',
      `The drill target ${server} is read-only: it refused CREATE DATABASE (${said}).`,
      'A standby, or default_transaction_read_only on for the database or role of the target ' +
        `URL, lets no database be made: ${elsewhere} (a primary, a scratch server).`,
    );
  }
  if (error.code === '42501') {
    const role = user ?? 'the target role';
    return new UpkeepError(
      'refused',
      `Role ${role} may not create databases on ${server} (${said}).`,
      `${user ? `ALTER ROLE ${quoteIdent(user)} CREATEDB;` : 'Give the role CREATEDB'} as a ` +
        `superuser on the drill target, or ${elsewhere}.`,
    );
  }
  return undefined;
}

/**
 * The restore's part of the drill's last log line: its time when pg_restore ended, how long it
 * ran when a cancel (or an error) stopped it, or that the drill stopped before it.
 */
function restoreText(ms: number | undefined, ended: boolean, cancelled: boolean): string {
  if (ms === undefined) return 'no restore';
  if (ended) return `restore ${ms} ms`;
  return `restore ${cancelled ? 'cancelled' : 'stopped'} after ${ms} ms`;
}

/**
 * The drill as a result of `backups.recoveryDrill`, for the result log (see recoveryDrillCheck).
 */
export function drillResult(record: DrillRecord, durationMs = record.totalMs): CheckResult {
  const seconds = Math.round(record.recoveryMs / 100) / 10;
  const rows = record.tables.reduce((sum, t) => sum + t.dumpRows, 0);
  const summary = record.ok
    ? `restored ${plural(record.tables.length, 'table')} (${plural(rows, 'row')}) ` +
      `in ${seconds} s; counts match`
    : (record.error ?? `counts differ: ${record.mismatches.slice(0, 3).join('; ')}`);
  const leftovers = record.leftoverScratchDatabases ?? [];
  const left = leftovers.length
    ? `; ${plural(leftovers.length, 'scratch database')} ` +
      `${leftovers.length === 1 ? 'of an earlier drill' : 'of earlier drills'} left on ` +
      `${record.target}: ${leftovers.join(', ')}`
    : '';
  return {
    checkId: 'backups.recoveryDrill',
    title: 'Backup recovery drill',
    outcome: record.ok ? 'pass' : 'fail',
    summary: summary + left,
    details: record.tables
      .map((t) => `${t.table}: dump ${t.dumpRows}, restored ${t.restoredRows ?? '?'}`)
      .join('\n'),
    values: {
      drill: true,
      drillOk: record.ok,
      drilledAt: record.drilledAt,
      recoveryMs: record.recoveryMs,
      tables: record.tables.length,
      rows,
      dumpFile: path.basename(record.dumpFile),
      target: record.target,
    },
    startedAt: record.drilledAt,
    durationMs,
  };
}
