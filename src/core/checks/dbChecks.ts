/**
 * The database checks (health.database, db.*, business.*) over the database cards.
 *
 * Session scheme: the first database check of a run opens ONE read-only session and keeps its
 * promise in `context.shared` under `db:session` (the probe under `db:probe`); every other
 * database check of the run reuses it. The session is opened without a check's signal, so one
 * check timing out does not close it for the others; each query still gets that check's signal
 * and is cancelled on the server when it fires. Whoever runs the checks closes the session at
 * the end by calling `closeSharedDbSession(shared)` (runChecks' `onFinished`). Other checks that
 * need the monitored database (SQL custom checks) use `sharedDbSession(context)` too.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CardOptions, CardState, DbCard } from '../db/cards';
import { collectCards } from '../db/cards';
import type { SlowQueriesData } from '../db/activityCards';
import type { UnusedIndexesData } from '../db/tableCards';
import { countedSince, qualified } from '../db/tableCards';
import { quoteIdent } from '../db/sqlText';
import type { ResolvedConnection } from '../db/connection';
import { describeSource, resolveConnection } from '../db/connection';
import { checkConnectivity } from '../db/connectivity';
import type { Probe } from '../db/probe';
import { probeServer } from '../db/probe';
import type { DbSession } from '../db/session';
import { isLoginRefused, openSession } from '../db/session';
import { UpkeepError, describeError } from '../util/errors';
import { formatMs } from '../util/figures';
import { plural } from '../util/plural';
import { controlsWrittenOut, startOf } from '../util/printable';
import { homeFolder } from '../util/homeFolder';
import type {
  CheckContext,
  CheckDefinition,
  CheckOutcome,
  CheckReport,
  Finding,
  MeasuredValue,
} from './types';

export const DB_SESSION_KEY = 'db:session';
export const DB_PROBE_KEY = 'db:probe';
/** The run's resolved connection, for the warnings about its source (see sourceWarnings). */
const DB_CONNECTION_KEY = 'db:connection';

/**
 * Upkeep's folder in the user's cache: `$XDG_CACHE_HOME/upkeep` or `~/.cache/upkeep`; none for
 * a user with no home folder (no HOME, and no entry in the system's user list: a container run
 * under an arbitrary uid), for whom Node.js cannot tell where `~` is. A relative XDG_CACHE_HOME
 * is ignored, as the XDG Base Directory spec asks: it would put the cache under the current
 * folder, the app's own when cron runs there.
 */
function cacheFile(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'upkeep', name);
  const home = homeFolder(env);
  return home ? path.join(home, '.cache', 'upkeep', name) : undefined;
}

/** Where the CLI keeps size snapshots, in Upkeep's cache folder (see cacheFile). */
export function defaultSnapshotFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return cacheFile('db-snapshots.json', env);
}

/**
 * Where the CLI and the editor keep the query ids of Upkeep's own statements (ownQueryIds.ts);
 * none kept without a cache folder (see cacheFile).
 */
export function defaultOwnQueryIdsFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return cacheFile('own-query-ids.json', env);
}

/** The card options that keep size snapshots in `snapshotFile`, or say why none can be kept. */
export function snapshotOptions(snapshotFile: string | undefined): Partial<CardOptions> {
  return snapshotFile ? { snapshotFile } : { noCacheFolder: true };
}

/** The monitored database's connection as the database checks resolve it; connects to nothing. */
export function connectionFor(context: CheckContext): Promise<ResolvedConnection> {
  return resolveConnection({
    workspace: context.workspace,
    settings: context.settings,
    env: (context.env ?? process.env) as NodeJS.ProcessEnv,
    trusted: context.trusted,
    password: context.databasePassword,
    passwordServer: context.databasePasswordServer,
    surface: context.surface,
  });
}

/** The run's one read-only session on the monitored database, opened on first use. */
export async function sharedDbSession(context: CheckContext): Promise<DbSession> {
  const existing = context.shared.get(DB_SESSION_KEY) as Promise<DbSession> | undefined;
  if (!existing) return openSharedSession(context);
  const session = await existing.catch(() => undefined);
  // A session the server dropped halfway through the run (a restart, a failover, an
  // administrator's pg_terminate_backend) is opened again, once per drop: the checks after it
  // then report the server as it is now, not "the connection is closed".
  if (!session?.closed) return existing;
  const current = context.shared.get(DB_SESSION_KEY) as Promise<DbSession> | undefined;
  if (current && current !== existing) return current;
  // A server that stopped answering takes a new login and then stalls again: each check of
  // the run waited the statement and connect timeouts anew (four checks, 40 s).
  if (session.stoppedAnswering) throw session.stoppedAnswering;
  context.log.child('db').info('the connection was lost; connecting again');
  session.close().catch(() => undefined);
  context.shared.delete(DB_PROBE_KEY);
  return openSharedSession(context);
}

/**
 * The run's shared session for the repo's SQL checks, once the server's probe is read: sent as
 * soon as the session opened, a slow query of theirs (a report) came between health.database's
 * two queries and held it up until it timed out, as if the server did not answer. A probe that
 * failed leaves the query to say why.
 */
export async function probedSharedSession(context: CheckContext): Promise<DbSession> {
  const session = await sharedDbSession(context);
  await sharedProbe(context, session).catch(() => undefined);
  return session;
}

/**
 * A run's connect still under way (by its `shared` map): the run's end gives it up, so that a
 * server that took the connection and never answered (the run cancelled, or its checks timed
 * out) does not hold the run until the connect timeout. No check's signal reaches the connect
 * (the file's opening comment says why); a session once open is closed as usual.
 */
const pendingConnects = new WeakMap<Map<string, Promise<unknown>>, AbortController>();

function openSharedSession(context: CheckContext): Promise<DbSession> {
  const connecting = new AbortController();
  pendingConnects.set(context.shared, connecting);
  const resolving = connectionFor(context);
  resolving.catch(() => undefined);
  context.shared.set(DB_CONNECTION_KEY, resolving);
  const session = (async () => {
    const connection = await resolving;
    const password = connection.config.password;
    if (typeof password === 'string') context.secrets?.add(password);
    const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = context.settings.database;
    return openSession(connection, {
      statementTimeoutMs,
      lockTimeoutMs,
      connectTimeoutMs,
      log: context.log.child('db'),
      signal: connecting.signal,
    });
  })();
  const settled = (): void => {
    if (pendingConnects.get(context.shared) === connecting) pendingConnects.delete(context.shared);
  };
  session.then(settled, settled);
  context.shared.set(DB_SESSION_KEY, session);
  return session;
}

/** Closes the run's session, if one was opened; safe to call more than once. */
export async function closeSharedDbSession(shared: Map<string, Promise<unknown>>): Promise<void> {
  const session = shared.get(DB_SESSION_KEY) as Promise<DbSession> | undefined;
  shared.delete(DB_SESSION_KEY);
  shared.delete(DB_PROBE_KEY);
  shared.delete(DB_CONNECTION_KEY);
  pendingConnects.get(shared)?.abort();
  pendingConnects.delete(shared);
  const opened = await session?.catch(() => undefined);
  await opened?.close();
}

function sharedProbe(context: CheckContext, session: DbSession): Promise<Probe> {
  const existing = context.shared.get(DB_PROBE_KEY) as Promise<Probe> | undefined;
  if (existing) return existing;
  // No check's signal: the probe is shared, and one check timing out must not spoil it.
  const probe = probeServer(session);
  probe.catch(() => undefined);
  context.shared.set(DB_PROBE_KEY, probe);
  return probe;
}

/**
 * No database found: in Restricted Mode, when config/database.yml or .env is there (unread until
 * trust), the check waits for trust rather than saying none is configured.
 */
async function notConfigured(context: CheckContext, error: unknown): Promise<CheckReport> {
  const details = describeError(error);
  if (!context.trusted) {
    // A link counts as there, unfollowed: whether what it leads to exists is not the repo's
    // to tell (a dangling .env -> ~/.env.production said so by the outcome).
    const unread = await Promise.all(
      ['config/database.yml', '.env'].map((file) =>
        fs.lstat(path.join(context.workspace, file)).then(
          (stat) => stat.isFile() || stat.isSymbolicLink(),
          () => false,
        ),
      ),
    );
    if (unread.some(Boolean)) {
      const summary =
        'waits for workspace trust (config/database.yml and .env are not read before)';
      return { outcome: 'skipped', summary, details, waitsForTrust: true };
    }
  }
  return { outcome: 'skipped', summary: 'no database configured', details };
}

/**
 * An unconfigured database skips with the fix; an unreachable one skips pointing at
 * health.database, which says why on its own line: ten rows repeating "Cannot reach PostgreSQL
 * at ..." made a cron mail of long lines. The cause stays in the details (the table prints it
 * once) and its error code in `values.databaseUnavailable`. One lost after health.database
 * passed in this run is an error instead.
 */
export function unavailable(
  context: CheckContext,
  error: unknown,
): Promise<CheckReport> | CheckReport {
  if (UpkeepError.is(error, 'not-found')) return notConfigured(context, error);
  if (reachedInRun.has(context.shared)) {
    // A skip pointing at health.database, which passed, would let the run pass (a cron job
    // exiting 0) with this check never run.
    return {
      outcome: 'error',
      summary: 'database lost during the run (health.database reached it)',
      details: describeError(error),
      values: { databaseUnavailable: error instanceof UpkeepError ? error.code : 'error' },
    };
  }
  // A database that is configured but not there (or a config that cannot be read) is no
  // reachability problem.
  const what = UpkeepError.is(error, 'config') ? 'not usable' : 'not reachable';
  return {
    outcome: 'skipped',
    summary: `database ${what} (see health.database)`,
    details: describeError(error),
    values: { databaseUnavailable: error instanceof UpkeepError ? error.code : 'error' },
  };
}

const OUTCOME: Record<CardState, CheckOutcome> = {
  ok: 'pass',
  warn: 'warn',
  skipped: 'skipped',
  error: 'error',
};

/**
 * Folds the cards of one check into its report: the worst state wins. `listing` adds lines to
 * the details after the cards' own (the statements a review reads).
 */
export function reportFromCards(
  cards: DbCard[],
  values?: (cards: DbCard[]) => Record<string, MeasuredValue>,
  listing?: (cards: DbCard[]) => string[],
): CheckReport {
  const order: CardState[] = ['error', 'warn', 'ok', 'skipped'];
  const state =
    order.find((candidate) => cards.some((card) => card.state === candidate)) ?? 'skipped';
  const shown = cards.filter((card) => card.state === state || state === 'ok');
  const details = cards
    .flatMap((card) => [
      `${card.title}: ${card.state} — ${card.summary}`,
      card.reason ? `  Why: ${card.reason}` : '',
      // Every statement of the card (an index per foreign key), not only the first.
      ...(card.fixes ?? (card.fix ? [card.fix] : [])).map((fix, k) =>
        k ? `       ${fix}` : `  Fix: ${fix}`,
      ),
    ])
    .concat(listing?.(cards) ?? [])
    .filter(Boolean)
    .join('\n');
  return {
    outcome: OUTCOME[state],
    // Cards that failed alike (a connection lost under them) say it once.
    summary: [...new Set(shown.map((card) => card.summary))].join('; '),
    details,
    values: values?.(cards),
    // A card a setting fixes (an unwritable cache folder) is no database problem: exit 2.
    ...(state === 'error' && shown.every((card) => card.configProblem)
      ? { configProblem: true }
      : {}),
  };
}

interface CardCheckSpec {
  id: string;
  title: string;
  description: string;
  cards: string[];
  values?: (cards: DbCard[]) => Record<string, MeasuredValue>;
  /** Lines the details list after the cards' (see reportFromCards). */
  listing?: (cards: DbCard[]) => string[];
  /** Card options of this check alone (how many queries it lists). */
  options?: Partial<CardOptions>;
}

function dataOf<T>(cards: DbCard[], id: string): T | undefined {
  return (cards.find((card) => card.id === id)?.data ?? undefined) as T | undefined;
}

/**
 * The card reads the checks of one run share, by the run's session (a session opened again
 * after a drop starts afresh): db.slowQueries and db.topQueriesByMean read pg_stat_statements
 * once, db.size and db.growth the table sizes once.
 */
const runReads = new WeakMap<DbSession, Map<string, Promise<unknown>>>();

function sharedReads(session: DbSession): Map<string, Promise<unknown>> {
  let reads = runReads.get(session);
  if (!reads) {
    reads = new Map();
    runReads.set(session, reads);
  }
  return reads;
}

function cardCheck(spec: CardCheckSpec, cardOptions: Partial<CardOptions>): CheckDefinition {
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    needsDatabase: true,
    async run(context) {
      let session: DbSession;
      let probe: Probe;
      try {
        session = await sharedDbSession(context);
        probe = await sharedProbe(context, session);
      } catch (error) {
        return unavailable(context, error);
      }
      const cards = await collectCards(session, {
        ...cardOptions,
        ...spec.options,
        probe,
        memo: sharedReads(session),
        // Each check is read on its own (the tree, the Problems panel): each says it all.
        lostConnection: 'each',
        only: spec.cards,
        clock: context.clock,
        signal: context.signal,
        log: context.log,
        surface: context.surface,
      });
      return reportFromCards(cards, spec.values, spec.listing);
    },
  };
}

/**
 * Runs (by their `shared` map) in which health.database passed: a database check that cannot
 * reach the database after that lost it during the run (a restart, a failover), see unavailable.
 */
const reachedInRun = new WeakSet<Map<string, Promise<unknown>>>();

/**
 * What the connection's source holds that Upkeep read as Rails does but that is most likely a
 * mistake (a key config/database.yml repeats), as warnings at their file and line: the editor
 * shows them in the Problems panel, the CLI under FINDINGS.
 */
async function sourceWarnings(context: CheckContext): Promise<Finding[]> {
  const resolving = context.shared.get(DB_CONNECTION_KEY) as
    Promise<ResolvedConnection> | undefined;
  const connection = await resolving?.catch(() => undefined);
  return (connection?.warnings ?? []).map((warning) => ({
    message: warning.message,
    severity: 'warning',
    file: warning.file,
    line: warning.line,
  }));
}

const databaseHealth: CheckDefinition = {
  id: 'health.database',
  title: 'Database connectivity',
  description:
    'Connects as configured, runs SELECT 1 in a read-only ' +
    'transaction, reports version and round trip.',
  async run(context) {
    let session: DbSession;
    try {
      session = await sharedDbSession(context);
    } catch (error) {
      if (UpkeepError.is(error, 'not-found')) return notConfigured(context, error);
      return withFindings(connectionFailed(error), await sourceWarnings(context));
    }
    try {
      const result = await checkConnectivity(session, context.signal);
      const source = session.connection.source;
      const where =
        source.kind === 'database.yml'
          ? [source.file, source.environment, source.name].filter(Boolean).join(', ')
          : describeSource(source);
      reachedInRun.add(context.shared);
      const findings = await sourceWarnings(context);
      return {
        ...(findings.length ? { findings } : {}),
        outcome: 'pass',
        summary:
          `PostgreSQL ${result.serverVersion}, ` +
          `${formatMs(result.roundTripMs)} round trip (${where})`,
        details: `Connected to ${session.connection.display}.`,
        values: {
          serverVersion: result.serverVersion,
          serverVersionNum: result.serverVersionNum,
          roundTripMs: result.roundTripMs,
          database: result.database,
        },
      };
    } catch (error) {
      if (UpkeepError.is(error, 'cancelled')) throw error;
      // Connected, then the query broke or timed out: its message does not say where.
      const report = connectionFailed(error);
      const { display, source } = session.connection;
      const where = `PostgreSQL at ${display}`;
      const from = `(from ${describeSource(source)})`;
      // A server gone silent is named already ("PostgreSQL at ... stopped answering").
      if (report.summary.startsWith(`${where} `)) {
        return { ...report, summary: `${where} ${from}${report.summary.slice(where.length)}` };
      }
      const text = report.summary.replace(/^[A-Z](?=[a-z])/, (first) => first.toLowerCase());
      return { ...report, summary: `${where} ${from}: ${text}` };
    }
  },
};

/**
 * health.database's failure: a configuration gap (no password), a login the server refused (a
 * wrong or rotated password, an unknown role) or a config/database.yml that cannot be read
 * (`parse`) lets the CLI exit 2, as `upkeep db` does: a setting to fix, and nothing of the
 * database was checked. A server that does not answer is a finding (exit 1).
 */
function connectionFailed(error: unknown): CheckReport {
  const config = (['config', 'auth', 'parse'] as const).some((code) => UpkeepError.is(error, code));
  return {
    outcome: 'fail',
    summary: error instanceof Error ? error.message : String(error),
    details: describeError(error),
    // The server wants a password it did not get: the editor offers Set Password….
    ...(isLoginRefused(error) ? { values: { loginRefused: true } } : {}),
    ...(config ? { configProblem: true } : {}),
  };
}

function withFindings(report: CheckReport, findings: Finding[]): CheckReport {
  return findings.length ? { ...report, findings } : report;
}

/** The slowest statement's mean time, the slow-query checks' measured value. */
function slowestMean(cards: DbCard[]): Record<string, MeasuredValue> {
  const data = dataOf<SlowQueriesData>(cards, 'slowQueries');
  return { slowestMeanMs: data?.queries.reduce((max, q) => Math.max(max, q.meanMs), 0) ?? null };
}

/** How long a statement's text a check's details show (the card's data has 2,000 characters). */
const LISTED_QUERY_CHARS = 200;

/**
 * The `count` statements slowest on average, one line each, as the guidelines' ORDER BY
 * mean_time LIMIT `count` lists them; none when the card did not read any.
 */
function byMeanTime(count: number): (cards: DbCard[]) => string[] {
  return (cards) => {
    const queries = dataOf<SlowQueriesData>(cards, 'slowQueries')?.queries ?? [];
    if (queries.length === 0) return [];
    const slowest = [...queries].sort((a, b) => b.meanMs - a.meanMs).slice(0, count);
    return [
      `By mean time (the ${count} slowest on average):`,
      ...slowest.map((query, k) => {
        const text = controlsWrittenOut(query.query.replace(/\s+/g, ' ').trim());
        const clipped =
          text.length > LISTED_QUERY_CHARS ? `${startOf(text, LISTED_QUERY_CHARS - 1)}…` : text;
        return (
          `  ${k + 1}. ${formatMs(query.meanMs)} mean, ${plural(query.calls, 'call', 'calls')}, ` +
          `${formatMs(query.totalMs)} in all: ${clipped}`
        );
      }),
    ];
  };
}

/**
 * The indexes scanned least, one line each, as the guidelines' weekly ORDER BY idx_scan LIMIT 10
 * lists them: to review, after the card's advice, which alone says what to drop.
 */
function leastScanned(cards: DbCard[]): string[] {
  const data = dataOf<UnusedIndexesData>(cards, 'unusedIndexes');
  if (!data?.leastScanned.length) return [];
  return [
    `Least scanned, ${countedSince(data)}:`,
    ...data.leastScanned.map((index, k) =>
      [
        `  ${k + 1}. ${quoteIdent(index.name)} on ${qualified(index.schema, index.table)}: ` +
          `${plural(index.scans, 'scan', 'scans')}, ` +
          // A locked index's size is not read: the lock is named instead.
          (index.lockedBy ? `size not read (${index.lockedBy})` : (index.pretty ?? '')),
        index.constraint ? 'enforces a constraint' : '',
        index.partitioned ? 'partitioned' : '',
      ]
        .filter(Boolean)
        .join(', '),
    ),
  ];
}

/** The monthly review's count: the guidelines' "ORDER BY mean_time DESC LIMIT 20". */
const MONTHLY_BY_MEAN = 20;
/** The weekly review's: "Identify slow queries … LIMIT 10", the cards' default limit. */
const WEEKLY_BY_MEAN = 10;

const CARD_CHECKS: CardCheckSpec[] = [
  {
    id: 'db.slowQueries',
    title: 'Slow queries',
    description:
      'pg_stat_statements: mean and total time, calls, share of time; the 10 slowest on ' +
      'average listed.',
    cards: ['slowQueries'],
    // As many by mean time as db.topQueriesByMean, so the two share one read; 10 are listed.
    options: { meanLimit: MONTHLY_BY_MEAN },
    values: slowestMean,
    listing: byMeanTime(WEEKLY_BY_MEAN),
  },
  {
    id: 'db.topQueriesByMean',
    title: 'Top 20 queries by mean time',
    description:
      'pg_stat_statements: the 20 statements slowest on average listed, as the monthly ' +
      'performance tuning reads them; the 10 with the most total time too.',
    cards: ['slowQueries'],
    options: { meanLimit: MONTHLY_BY_MEAN },
    values: slowestMean,
    listing: byMeanTime(MONTHLY_BY_MEAN),
  },
  {
    id: 'db.unusedIndexes',
    title: 'Unused indexes',
    description: 'Indexes never scanned, judged on a week or more of scan statistics.',
    cards: ['unusedIndexes'],
    // The card's own count (droppable indexes), so the check, the card and the report agree.
    values: (cards) => ({
      unused: dataOf<UnusedIndexesData>(cards, 'unusedIndexes')?.droppable ?? null,
    }),
    listing: leastScanned,
  },
  {
    id: 'db.missingIndexes',
    title: 'Missing indexes',
    description: 'Foreign keys without an index; large tables read mostly by sequential scans.',
    cards: ['foreignKeysWithoutIndex', 'seqScans'],
  },
  {
    id: 'db.vacuum',
    title: 'Vacuum',
    description: 'Dead rows, last (auto)vacuum and analyze.',
    cards: ['vacuum'],
  },
  {
    id: 'db.statistics',
    title: 'Planner statistics',
    description: 'Tables never or long not analyzed.',
    cards: ['statistics'],
  },
  {
    id: 'db.indexHealth',
    title: 'Index health',
    description: 'Invalid and duplicate indexes (reindex or drop candidates).',
    cards: ['invalidIndexes', 'duplicateIndexes'],
  },
  {
    id: 'db.connections',
    title: 'Connections',
    description:
      'Connections against max_connections; long-running and idle-in-transaction sessions.',
    cards: ['connections', 'longRunning'],
    values: (cards) => ({
      connections: dataOf<{ total: number }>(cards, 'connections')?.total ?? null,
    }),
  },
  {
    id: 'db.locks',
    title: 'Locks',
    description: 'Queries blocked by others and who blocks them.',
    cards: ['blocked'],
  },
  {
    id: 'db.cacheHitRatio',
    title: 'Cache hit ratio',
    description: 'Share of table and index reads served from memory.',
    cards: ['cacheHitRatio'],
    values: (cards) => ({
      tables: dataOf<{ tables: number | null }>(cards, 'cacheHitRatio')?.tables ?? null,
    }),
  },
  {
    id: 'db.wraparound',
    title: 'Transaction ID wraparound',
    description:
      'Age of the oldest unfrozen transaction ID and of the oldest multixact ID of any ' +
      'database on the server; multixact ' +
      'member space (pg_multixact/members, read by superusers or with EXECUTE on pg_ls_dir ' +
      'and pg_stat_file).',
    cards: ['wraparound'],
  },
  {
    id: 'db.sequences',
    title: 'Sequences and integer keys',
    description:
      'Sequences and integer keys near their maximum; keys whose highest value is ahead of ' +
      'their sequence; foreign keys narrower than their key.',
    cards: ['sequences', 'highestKeys', 'narrowForeignKeys'],
  },
  {
    id: 'db.size',
    title: 'Database size',
    description: 'Size of the database and its largest tables.',
    cards: ['databaseSize', 'tables'],
    values: (cards) => ({ bytes: dataOf<{ bytes: number }>(cards, 'databaseSize')?.bytes ?? null }),
  },
  {
    id: 'db.growth',
    title: 'Database growth',
    description: 'Growth over 7 and 30 days from size snapshots kept on this machine.',
    cards: ['growth'],
  },
  {
    id: 'db.tableGrowth',
    title: 'Table growth',
    description:
      'Rows inserted, updated and deleted per table since the statistics were reset, the ' +
      'busiest first; per day since a size snapshot half a day old or more.',
    cards: ['tableWrites'],
  },
  {
    id: 'db.replication',
    title: 'Replication',
    description: 'Replica lag, attached replicas.',
    cards: ['replication'],
  },
  {
    id: 'business.onboarding',
    title: 'Onboarding funnel',
    description: 'Users by onboarding_step, completion rate, time to complete, drop-off.',
    cards: ['onboarding'],
    values: (cards) => ({
      completionRate:
        dataOf<{ completionRate: number }>(cards, 'onboarding')?.completionRate ?? null,
    }),
  },
  {
    id: 'business.growth',
    title: 'Business growth',
    description: 'Counts of users, businesses and services; sign-ups per day; 7-day retention.',
    cards: ['businessGrowth'],
  },
];

/** The database checks with size snapshots kept in `snapshotFile` (the editor's storage). */
export function createDbChecks(options: { snapshotFile?: string } = {}): CheckDefinition[] {
  const snapshots = snapshotOptions(options.snapshotFile ?? defaultSnapshotFile());
  return [databaseHealth, ...CARD_CHECKS.map((spec) => cardCheck(spec, snapshots))];
}

/** The database checks, snapshots under ~/.cache/upkeep (see createDbChecks for the editor). */
export const dbChecks: CheckDefinition[] = createDbChecks();
