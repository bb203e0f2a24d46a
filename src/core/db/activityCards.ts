/**
 * Cards about what the server is doing: slowest queries (pg_stat_statements, columns chosen by
 * the installed extension version), long-running and idle-in-transaction sessions, blocked
 * queries and their blockers, connections, cache hit ratio and replication.
 */
import { UpkeepError } from '../util/errors';
import type { CardContext, CardDefinition, CardResult } from './cards';
import { memoized } from './cardMemo';
import { quoteIdent, quoteLiteral } from './sqlText';
import { plural } from '../util/plural';
import { formatBytes, formatMs } from '../util/figures';
import { READ_SETTINGS_RECORDED } from './readSettings';
import type { Probe } from './probe';
import { statStatementsColumns, versionAtLeast } from './probe';
import { OWN_QUERY_RECORDED, QUERY_ID_TAG } from './session';

/**
 * The transaction every read of the session runs in (session.ts), each statement recorded on
 * its own. None can be planned for a query id, and none is a query to explain or speed up:
 * the same text run by the app (its ROLLBACK) is left out with them, whatever its role, as
 * another machine's Upkeep may connect as a role of its own.
 */
const SESSION_WRAPPER = [
  'BEGIN READ ONLY',
  'ROLLBACK',
  'SET LOCAL (statement_timeout|lock_timeout) = (\\d+|\\$\\d+)',
  'SET LOCAL enable_(indexscan|indexonlyscan|bitmapscan) = off',
  READ_SETTINGS_RECORDED,
].join('|');

/**
 * Upkeep's own statements in pg_stat_statements. Of any role, from any process or machine: its
 * queries by their comment and shape (see ownText), and the transaction they run in. Of the
 * role it connects as, also the query ids its sessions planned ($2, see ownQueryIds), and the
 * plans it asked for them, which run nothing. The comment alone would let the app hide a
 * statement behind `/* upkeep:... *\/`.
 */
const OWN_STATEMENT = `(s.query ~ '${OWN_QUERY_RECORDED}'
    OR s.query ~ '^(${SESSION_WRAPPER})$'
    OR ((s.queryid::text = ANY(string_to_array($2, ','))
         OR s.query LIKE '/* upkeep:${QUERY_ID_TAG} */ EXPLAIN (VERBOSE, FORMAT TEXT) %')
        AND s.userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)))`;

function grantFix(probe: Probe): string {
  return `GRANT pg_read_all_stats TO ${quoteIdent(probe.role)};`;
}

function hiddenText(probe: Probe): { reason?: string; fix?: string } {
  if (probe.readAllStats) return {};
  return {
    reason: `Role ${probe.role} sees the query text of its own sessions only.`,
    fix: grantFix(probe),
  };
}

interface SlowQuery {
  queryId: string | null;
  query: string;
  role: string | null;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  /** Share of all recorded execution time in this database, 0..1. */
  share: number;
  /** Time reading blocks, when track_io_timing is on (ms). */
  blockReadMs: number;
}

export interface SlowQueriesData {
  queries: SlowQuery[];
  /** Whether other roles' statements are included (the toggle). */
  allRoles: boolean;
  extensionVersion: string;
  extensionSchema: string;
  /** Column names read, for the curious: `mean_exec_time` or `mean_time`, ... */
  columns: { totalTime: string; meanTime: string; blockReadTime: string };
}

const SLOW_MEAN_MS = 1000;

/** Why pg_stat_statements cannot be read yet, with the exact fix, or undefined when it can. */
function statStatementsBlocker(probe: Probe): { reason: string; fix: string } | undefined {
  const pss = probe.statStatements;
  const preload =
    'add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart PostgreSQL';
  if (!pss.available && !pss.created) {
    return {
      reason: 'The pg_stat_statements extension is not installed on this server.',
      fix:
        `Install the server's contrib package (e.g. postgresql-contrib), ${preload}, ` +
        'then run: CREATE EXTENSION pg_stat_statements;',
    };
  }
  if (!pss.created) {
    return {
      reason:
        `pg_stat_statements is available (${pss.defaultVersion}) ` +
        `but not created in database ${probe.database}.`,
      fix:
        pss.loaded === false
          ? `${preload[0].toUpperCase()}${preload.slice(1)}, ` +
            'then run: CREATE EXTENSION pg_stat_statements;'
          : pss.loaded === null
            ? // Created but not preloaded, it records nothing: the setting must be checked too.
              'CREATE EXTENSION pg_stat_statements; (it records only if ' +
              `shared_preload_libraries lists it, which role ${probe.role} may not read: ` +
              `if it does not, ${preload})`
            : 'CREATE EXTENSION pg_stat_statements;',
    };
  }
  if (pss.loaded === false) {
    return {
      reason: 'pg_stat_statements is created but not loaded, so it records nothing.',
      fix: `${preload[0].toUpperCase()}${preload.slice(1)}.`,
    };
  }
  if (pss.schemaUsable === false) {
    const schema = quoteIdent(pss.schema as string);
    return {
      reason: `pg_stat_statements is in schema ${schema}, which role ${probe.role} may not use.`,
      fix: `GRANT USAGE ON SCHEMA ${schema} TO ${quoteIdent(probe.role)};`,
    };
  }
  if (pss.viewReadable === false || pss.functionDenied !== undefined) {
    const view = `${quoteIdent(pss.schema as string)}.${quoteIdent('pg_stat_statements')}`;
    const role = quoteIdent(probe.role);
    const grants = [
      pss.viewReadable === false ? `GRANT SELECT ON ${view} TO ${role};` : '',
      pss.functionDenied !== undefined
        ? `GRANT EXECUTE ON FUNCTION ${view}(${pss.functionDenied}) TO ${role};`
        : '',
    ];
    return {
      reason: `Role ${probe.role} may not read pg_stat_statements.`,
      fix: grants.filter(Boolean).join(' '),
    };
  }
  return undefined;
}

const slowQueries: CardDefinition = {
  id: 'slowQueries',
  title: 'Slowest queries',
  async run(context): Promise<CardResult<SlowQueriesData>> {
    const { session, probe, signal, limit, meanLimit, allRoles, surface } = context;
    const blocker = statStatementsBlocker(probe);
    if (blocker) return { state: 'skipped', summary: blocker.reason, ...blocker, data: null };
    const pss = probe.statStatements;
    const version = pss.version as string;
    const columns = statStatementsColumns(version);
    const view = `${quoteIdent(pss.schema as string)}.pg_stat_statements`;
    const roleFilter = allRoles
      ? ''
      : 'AND s.userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)';

    let rows: SlowQuery[];
    let slowCount = 0;
    try {
      // The top `limit` statements by total time (where the database's time goes) and the top
      // `meanLimit` by mean time (the guidelines' ORDER BY mean_time), and how many of all
      // average over the limit.
      const sql = `WITH s AS (
           SELECT s.* FROM ${view} s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND NOT (${OWN_STATEMENT}) ${roleFilter}),
         ranked AS (
           SELECT s.*,
                  row_number() OVER (ORDER BY s.${columns.totalTime} DESC) AS by_total,
                  row_number() OVER (ORDER BY s.${columns.meanTime} DESC) AS by_mean,
                  sum(s.${columns.totalTime}) OVER () AS all_time,
                  count(*) FILTER (WHERE s.${columns.meanTime} > $3) OVER () AS slow_count
             FROM s)
         SELECT s.queryid::text AS "queryId", left(s.query, 2000) AS query, r.rolname AS role,
                s.calls::float8 AS calls, s.${columns.totalTime}::float8 AS "totalMs",
                s.${columns.meanTime}::float8 AS "meanMs", s.rows::float8 AS rows,
                coalesce(s.${columns.totalTime} / nullif(s.all_time, 0), 0)::float8 AS share,
                s.${columns.blockReadTime}::float8 AS "blockReadMs",
                s.slow_count::float8 AS "slowCount"
           FROM ranked s LEFT JOIN pg_roles r ON r.oid = s.userid
          WHERE s.by_total <= $1 OR s.by_mean <= $4
          ORDER BY s.${columns.totalTime} DESC`;
      const params = (ownIds: string[]): unknown[] => [
        limit,
        ownIds.join(','),
        SLOW_MEAN_MS,
        meanLimit,
      ];
      // Read once per check run: db.slowQueries and db.topQueriesByMean ask alike.
      const found = await memoized(
        context,
        `slowQueries:${limit}:${meanLimit}:${allRoles}`,
        async () => {
          // This very read, run by an earlier process (last night's cron job), is in the view
          // too: planned first, its query id is among the session's own.
          await session.queryWith('slowQueries', sql, {
            params: params([]),
            signal,
            planOnly: true,
          });
          return session.query<SlowQuery & { slowCount: number }>(
            'slowQueries',
            sql,
            params(session.ownQueryIds()),
            signal,
          );
        },
      );
      slowCount = found[0]?.slowCount ?? 0;
      rows = found.map(({ slowCount: _all, ...row }) => row);
    } catch (error) {
      // SQLSTATE 55000: created but the library is not in shared_preload_libraries.
      if (UpkeepError.is(error) && /shared_preload_libraries/.test(error.message)) {
        return {
          state: 'skipped',
          summary: 'pg_stat_statements is created but not loaded',
          reason:
            'pg_stat_statements must be loaded via shared_preload_libraries to record anything.',
          fix:
            'Add pg_stat_statements to shared_preload_libraries in postgresql.conf ' +
            'and restart PostgreSQL.',
          data: null,
        };
      }
      throw error;
    }

    const data: SlowQueriesData = {
      queries: rows,
      allRoles,
      extensionVersion: version,
      extensionSchema: pss.schema as string,
      // The columns read above, not every name the version has (its block write time).
      columns: {
        totalTime: columns.totalTime,
        meanTime: columns.meanTime,
        blockReadTime: columns.blockReadTime,
      },
    };
    const notes: { reason?: string; fix?: string } = allRoles ? hiddenText(probe) : {};
    if (pss.defaultVersion && !versionAtLeast(version, pss.defaultVersion)) {
      notes.reason = [
        notes.reason,
        `pg_stat_statements ${version} is older than the server's ${pss.defaultVersion}.`,
      ]
        .filter(Boolean)
        .join(' ');
      notes.fix = [notes.fix, `ALTER EXTENSION pg_stat_statements UPDATE;`]
        .filter(Boolean)
        .join(' ');
    }
    if (rows.length === 0) {
      return { state: 'ok', summary: 'No statements recorded yet', ...notes, data };
    }
    const top = rows[0];
    const headline =
      `top query takes ${Math.round(top.share * 100)} % of the time ` +
      `(${formatMs(top.meanMs)} mean, ${plural(top.calls, 'call', 'calls')})`;
    if (slowCount === 0) return { state: 'ok', summary: headline, ...notes, data };
    const slowest = rows.reduce((a, b) => (b.meanMs > a.meanMs ? b : a));
    return {
      state: 'warn',
      summary:
        `${plural(slowCount, 'query', 'queries')} average over ${SLOW_MEAN_MS / 1000} s; ` +
        headline,
      reason: notes.reason ?? `The slowest averages ${formatMs(slowest.meanMs)}.`,
      fix:
        notes.fix ??
        (surface === 'cli'
          ? 'Run EXPLAIN on the query in psql, or select it and run "Upkeep: Explain Query" in ' +
            'the editor, to see its plan.'
          : 'Select the query and run "Upkeep: Explain Query" to see its plan.'),
      data,
    };
  },
};

interface SessionActivity {
  pid: number;
  role: string | null;
  application: string | null;
  state: string | null;
  query: string | null;
  /** Seconds since the current query started. */
  queryAgeSeconds: number | null;
  /** Seconds since the transaction started. */
  transactionAgeSeconds: number | null;
  waitEvent: string | null;
}

/**
 * A session of another role that this role may not see: without pg_read_all_stats (or
 * membership of that role) pg_stat_activity leaves its state, query, times and backend type
 * empty. Its pid, database, role and application still show.
 */
const HIDDEN_SESSION = 'a.backend_type IS NULL AND a.usesysid IS NOT NULL AND a.datid IS NOT NULL';

/** What a role without pg_read_all_stats misses of the sessions cards, with the GRANT. */
function hiddenSessions(probe: Probe, hidden: number): { reason?: string; fix?: string } {
  if (hidden === 0) return hiddenText(probe);
  return {
    reason:
      `Role ${probe.role} cannot see the state, query or times of ` +
      `${plural(hidden, 'session', 'sessions')} of other roles.`,
    fix: grantFix(probe),
  };
}

/**
 * The statement that stops session `pid`. A session idle in transaction runs no query for
 * pg_cancel_backend to cancel, so its locks stay until pg_terminate_backend ends it.
 */
export function stopSession(pid: number, state: string | null | undefined): string {
  if (state?.startsWith('idle in transaction')) {
    return `SELECT pg_terminate_backend(${pid}); (idle in transaction: a cancel would not free it)`;
  }
  if (state === 'active') return `SELECT pg_cancel_backend(${pid}); (or pg_terminate_backend)`;
  return (
    `SELECT pg_cancel_backend(${pid}); ` +
    `(pg_terminate_backend(${pid}) if it is idle in transaction)`
  );
}

const ACTIVITY_COLUMNS = `a.pid, a.usename AS role, a.application_name AS application, a.state,
  left(a.query, 1000) AS query,
  a.wait_event_type || coalesce(':' || a.wait_event, '') AS "waitEvent",
  extract(epoch FROM now() - a.query_start)::float8 AS "queryAgeSeconds",
  extract(epoch FROM now() - a.xact_start)::float8 AS "transactionAgeSeconds"`;

export interface LongRunningData {
  sessions: SessionActivity[];
  thresholdSeconds: number;
  /** Prepared transactions of this database, oldest first: open with no session behind them. */
  prepared: PreparedTransaction[];
}

/** Sessions of this database the Long-running card counts, all of them. */
interface SessionCounts {
  /** Active or in a transaction. */
  busy: number;
  /** Running a query, or in a transaction, for the threshold or more. */
  long: number;
  /** Of those, idle in transaction. */
  longIdle: number;
}

/** "12 sessions running or holding a transaction 60 s or more (3 idle in transaction)". */
function longSessionsText(counts: SessionCounts, threshold: number): string {
  return (
    `${plural(counts.long, 'session', 'sessions')} running or holding a transaction ` +
    `${threshold} s or more` +
    (counts.longIdle ? ` (${counts.longIdle} idle in transaction)` : '')
  );
}

const longRunning: CardDefinition = {
  id: 'longRunning',
  title: 'Long-running queries and open transactions',
  async run({
    session,
    probe,
    signal,
    limit,
    longRunningSeconds,
  }): Promise<CardResult<LongRunningData>> {
    // Only this card's own session is left out, by its pid: any query may begin with Upkeep's
    // comment, and another Upkeep session (a VACUUM it runs) is a session like any other.
    // The counts are of every session, not just those listed (the oldest `limit`).
    const long =
      `((a.state = 'active' AND now() - a.query_start >= $2 * interval '1 second') ` +
      `OR now() - a.xact_start >= $2 * interval '1 second')`;
    const read = await session.query<SessionActivity & SessionCounts>(
      'longRunning',
      `SELECT ${ACTIVITY_COLUMNS},
              (count(*) OVER ())::int AS busy,
              (count(*) FILTER (WHERE ${long}) OVER ())::int AS long,
              (count(*) FILTER (WHERE ${long} AND a.state LIKE 'idle in transaction%') OVER ())::int
                AS "longIdle"
         FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
          AND a.datname = current_database()
          AND (a.state = 'active' OR a.state LIKE 'idle in transaction%')
        ORDER BY greatest(now() - a.xact_start, now() - a.query_start) DESC NULLS LAST
        LIMIT $1`,
      [limit, longRunningSeconds],
      signal,
    );
    const counts: SessionCounts = read[0]
      ? { busy: read[0].busy, long: read[0].long, longIdle: read[0].longIdle }
      : { busy: 0, long: 0, longIdle: 0 };
    const rows = read.map(({ busy: _b, long: _l, longIdle: _i, ...row }) => row);
    const [{ hidden }] = await session.query<{ hidden: number }>(
      'longRunning',
      `SELECT count(*)::int AS hidden FROM pg_stat_activity a
        WHERE ${HIDDEN_SESSION} AND a.datname = current_database()`,
      undefined,
      signal,
    );
    // pg_prepared_xacts shows every role's, and only their own database may end them.
    const prepared = await session.query<PreparedTransaction>(
      'longRunning',
      `SELECT ${PREPARED_COLUMNS} FROM pg_prepared_xacts p
        WHERE p.database = current_database()
        ORDER BY p.prepared, p.gid
        LIMIT $1`,
      [limit],
      signal,
    );
    const data = { sessions: rows, thresholdSeconds: longRunningSeconds, prepared };
    const longRows = rows.filter(
      (row) =>
        (row.state === 'active' && (row.queryAgeSeconds ?? 0) >= longRunningSeconds) ||
        (row.transactionAgeSeconds ?? 0) >= longRunningSeconds,
    );
    const oldPrepared = prepared.filter((row) => row.ageSeconds >= longRunningSeconds);
    if (oldPrepared.length > 0) {
      return longPrepared(data, longRows, counts, oldPrepared, probe, hidden);
    }
    if (longRows.length === 0 && hidden > 0) {
      // Their age is hidden too: "none for 60 s" would be a guess.
      return {
        state: 'skipped',
        summary:
          `Cannot tell: ${plural(hidden, 'session', 'sessions')} of other roles hidden from ` +
          `role ${probe.role}` +
          (counts.busy ? `; ${plural(counts.busy, 'session', 'sessions')} of its own busy` : ''),
        ...hiddenSessions(probe, hidden),
        data,
      };
    }
    if (longRows.length === 0) {
      return {
        state: 'ok',
        summary:
          `${plural(counts.busy, 'session', 'sessions')} busy, ` +
          `none for ${longRunningSeconds} s or more`,
        ...hiddenText(probe),
        data,
      };
    }
    const worst = longRows[0];
    return {
      state: 'warn',
      summary: longSessionsText(counts, longRunningSeconds),
      reason:
        `pid ${worst.pid} (${worst.application || worst.role || 'unknown'}): transaction ` +
        `open ${Math.round(worst.transactionAgeSeconds ?? 0)} s, state ${worst.state}.` +
        (hidden ? ` ${hiddenSessions(probe, hidden).reason}` : ''),
      fix:
        `Find out what pid ${worst.pid} waits for; ` +
        `if it must go: ${stopSession(worst.pid, worst.state)}`,
      data,
    };
  },
};

/**
 * A transaction ended by PREPARE TRANSACTION: no session is behind it any more, yet it keeps its
 * locks and its snapshot (VACUUM keeps the rows it might see) until COMMIT PREPARED or ROLLBACK
 * PREPARED, run in its database. pg_blocking_pids() names it pid 0.
 */
export interface PreparedTransaction {
  gid: string;
  owner: string;
  database: string;
  /** Seconds since PREPARE TRANSACTION. */
  ageSeconds: number;
}

const PREPARED_COLUMNS = `p.gid, p.owner::text AS owner, p.database::text AS database,
  extract(epoch FROM now() - p.prepared)::float8 AS "ageSeconds"`;

/** The statement that ends a prepared transaction and frees its locks, and where to run it. */
export function rollbackPrepared(prepared: PreparedTransaction, probe: Probe): string {
  const where =
    prepared.database === probe.database ? '' : ` (in database ${quoteIdent(prepared.database)})`;
  return `ROLLBACK PREPARED ${quoteLiteral(prepared.gid)};${where}`;
}

/** "prepared transaction 'x' (prepared 90 s ago by app)". */
function preparedText(prepared: PreparedTransaction): string {
  return (
    `prepared transaction ${quoteLiteral(prepared.gid)} ` +
    `(prepared ${Math.round(prepared.ageSeconds)} s ago by ${prepared.owner})`
  );
}

const PREPARED_HOLDS =
  'A prepared transaction has no session to cancel or terminate: its locks stay until ' +
  'COMMIT PREPARED or ROLLBACK PREPARED, run as its owner or a superuser in its database.';

/**
 * The Long-running card when prepared transactions are open past the threshold: the oldest
 * open transaction, a session's or a prepared one, gets the fix; the other is named too.
 */
function longPrepared(
  data: LongRunningData,
  long: SessionActivity[],
  counts: SessionCounts,
  prepared: PreparedTransaction[],
  probe: Probe,
  hidden: number,
): CardResult<LongRunningData> {
  const threshold = data.thresholdSeconds;
  const oldest = prepared[0];
  const worst = long[0];
  const sessionsPart = long.length ? `${longSessionsText(counts, threshold)}; ` : '';
  const preparedFirst = !worst || oldest.ageSeconds >= (worst.transactionAgeSeconds ?? 0);
  const sessionReason = worst
    ? `pid ${worst.pid} (${worst.application || worst.role || 'unknown'}): transaction ` +
      `open ${Math.round(worst.transactionAgeSeconds ?? 0)} s, state ${worst.state}. `
    : '';
  const rollback = rollbackPrepared(oldest, probe);
  return {
    state: 'warn',
    summary:
      sessionsPart +
      `${plural(prepared.length, 'prepared transaction', 'prepared transactions')} ` +
      `open ${threshold} s or more`,
    reason:
      `${preparedText(oldest)[0].toUpperCase()}${preparedText(oldest).slice(1)} keeps its locks ` +
      'and holds back VACUUM. ' +
      `${PREPARED_HOLDS} ${sessionReason}` +
      (preparedFirst ? '' : `If nothing will commit the prepared transaction: ${rollback}`) +
      (hidden ? ` ${hiddenSessions(probe, hidden).reason}` : ''),
    fix: preparedFirst
      ? `If nothing will commit it: ${rollback}`
      : `Find out what pid ${worst.pid} waits for; ` +
        `if it must go: ${stopSession(worst.pid, worst.state)}`,
    data,
  };
}

export interface BlockedQuery extends SessionActivity {
  /** pg_blocking_pids(): 0 stands for a prepared transaction (see preparedBlockers). */
  blockedBy: number[];
  blockers: SessionActivity[];
  /** The prepared transactions holding the lock it waits for. */
  preparedBlockers: PreparedTransaction[];
}

const blocked: CardDefinition = {
  id: 'blocked',
  title: 'Blocked queries',
  async run({
    session,
    probe,
    signal,
    limit,
  }): Promise<CardResult<{ blocked: BlockedQuery[]; count: number; waitingLocks: number }>> {
    // A lock held by a prepared transaction shows in pg_locks with no pid; its own transaction
    // ID lock, under the same virtual transaction, names it in pg_prepared_xacts.
    const read = await session.query<BlockedQuery & { count: number }>(
      'blocked',
      `WITH locks AS MATERIALIZED (SELECT * FROM pg_locks),
            held_by_prepared AS (
              SELECT DISTINCT w.pid, x.transactionid
                FROM locks w
                JOIN locks h ON h.pid IS NULL AND h.granted
                 AND (h.locktype, h.database, h.relation, h.page, h.tuple, h.virtualxid,
                      h.transactionid, h.classid, h.objid, h.objsubid)
                     IS NOT DISTINCT FROM
                     (w.locktype, w.database, w.relation, w.page, w.tuple, w.virtualxid,
                      w.transactionid, w.classid, w.objid, w.objsubid)
                JOIN locks x ON x.pid IS NULL AND x.locktype = 'transactionid'
                 AND x.virtualtransaction = h.virtualtransaction
               WHERE NOT w.granted)
       SELECT ${ACTIVITY_COLUMNS}, pg_blocking_pids(a.pid) AS "blockedBy",
              coalesce((SELECT json_agg(json_build_object(
                  'pid', b.pid, 'role', b.usename, 'application', b.application_name,
                  'state', b.state,
                  'query', left(b.query, 1000), 'waitEvent', b.wait_event_type,
                  'queryAgeSeconds', extract(epoch FROM now() - b.query_start)::float8,
                  'transactionAgeSeconds', extract(epoch FROM now() - b.xact_start)::float8))
                 FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))),
                '[]'::json) AS blockers,
              coalesce((SELECT json_agg(row_to_json(prepared) ORDER BY prepared."ageSeconds" DESC)
                          FROM (SELECT ${PREPARED_COLUMNS}
                                  FROM pg_prepared_xacts p
                                  JOIN held_by_prepared hp ON hp.transactionid = p.transaction
                                 WHERE hp.pid = a.pid) AS prepared),
                '[]'::json) AS "preparedBlockers",
              (count(*) OVER ())::int AS count
         FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid()
          AND a.pid IN (SELECT l.pid FROM locks l WHERE NOT l.granted)
          AND cardinality(pg_blocking_pids(a.pid)) > 0
        ORDER BY a.query_start NULLS LAST, a.pid
        LIMIT $1`,
      [limit],
      signal,
    );
    const [locks] = await session.query<{ waiting: number }>(
      'blocked',
      'SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted',
      undefined,
      signal,
    );
    // Every blocked query counts, not just those listed: a pile-up behind a migration's lock
    // is as long as it is.
    const count = read[0]?.count ?? 0;
    const rows = read.map(({ count: _count, ...row }) => row);
    const data = { blocked: rows, count, waitingLocks: locks.waiting };
    if (rows.length === 0) {
      return { state: 'ok', summary: 'No query is waiting for a lock', ...hiddenText(probe), data };
    }
    const first = rows[0];
    // pid 0 is a prepared transaction, which no pg_cancel_backend reaches.
    const pids = first.blockedBy.filter((pid) => pid !== 0);
    const prepared = first.preparedBlockers[0];
    const blocker = first.blockers.find((row) => row.pid === pids[0]);
    // A role without pg_read_all_stats sees pg_locks, but not the state or times of others.
    const waited = first.queryAgeSeconds === null ? '' : ` ${Math.round(first.queryAgeSeconds)} s`;
    const held =
      blocker?.state === null || blocker?.state === undefined
        ? ''
        : ` (${blocker.state}, ` +
          `transaction open ${Math.round(blocker.transactionAgeSeconds ?? 0)} s)`;
    const waitedFor = [
      pids.length ? `pid ${pids.join(', ')}${held}` : '',
      ...first.preparedBlockers.map(preparedText),
    ].filter(Boolean);
    const hidden = [first, ...first.blockers].filter((row) => row.state === null).length;
    return {
      state: 'warn',
      summary:
        `${plural(count, 'query', 'queries')} blocked by others' locks` +
        (count > rows.length ? `; the first ${rows.length} listed` : ''),
      reason:
        `pid ${first.pid} (${first.application || first.role || 'unknown'}) waits${waited} ` +
        `for ${waitedFor.join(' and ') || 'another session'}.` +
        (prepared ? ` ${PREPARED_HOLDS}` : '') +
        (hidden ? ` ${hiddenSessions(probe, hidden).reason}` : ''),
      fix:
        pids.length || !prepared
          ? `If the blocker is stuck: ${stopSession(pids[0] ?? first.blockedBy[0], blocker?.state)}`
          : `If nothing will commit it: ${rollbackPrepared(prepared, probe)}`,
      data,
    };
  },
};

export interface ConnectionsData {
  total: number;
  maxConnections: number;
  /** superuser_reserved_connections. */
  reserved: number;
  /**
   * reserved_connections (PostgreSQL 16+): slots kept for roles with pg_use_reserved_connections;
   * null before 16.
   */
  reservedConnections: number | null;
  /** What ordinary roles (the app's) may open: max - reserved - reservedConnections. */
  available: number;
  /** total / available, 0..1 (more once superusers use their slots). */
  share: number;
  byState: { state: string; count: number }[];
  byApplication: { application: string; role: string | null; count: number }[];
}

/** "3 reserved for superusers, 5 for pg_use_reserved_connections". */
function reservedNote(settings: { reserved: number; reservedConnections: number | null }): string {
  const forRoles = settings.reservedConnections
    ? `, ${settings.reservedConnections} for pg_use_reserved_connections`
    : '';
  return `${settings.reserved} reserved for superusers${forRoles}`;
}

const connections: CardDefinition = {
  id: 'connections',
  title: 'Connections',
  async run({ session, probe, signal }): Promise<CardResult<ConnectionsData>> {
    const rows = await session.query<{
      state: string | null;
      application: string;
      role: string | null;
      count: number;
      hidden: number;
    }>(
      'connections',
      `SELECT a.state, coalesce(nullif(a.application_name, ''), '(none)') AS application,
              a.usename AS role, count(*)::int AS count,
              count(*) FILTER (WHERE ${HIDDEN_SESSION})::int AS hidden
         FROM pg_stat_activity a
        WHERE a.backend_type = 'client backend' OR (${HIDDEN_SESSION})
        GROUP BY 1, 2, 3 ORDER BY 4 DESC`,
      undefined,
      signal,
    );
    // reserved_connections (16+) is unknown before: current_setting(..., true) is null there.
    const [settings] = await session.query<{
      max: number;
      reserved: number;
      reservedConnections: number | null;
    }>(
      'connections',
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS reserved,
              current_setting('reserved_connections', true)::int AS "reservedConnections"`,
      undefined,
      signal,
    );
    const total = rows.reduce((sum, row) => sum + row.count, 0);
    const byStateMap = new Map<string, number>();
    for (const row of rows) {
      byStateMap.set(
        row.state ?? 'unknown',
        (byStateMap.get(row.state ?? 'unknown') ?? 0) + row.count,
      );
    }
    const kept = settings.reserved + (settings.reservedConnections ?? 0);
    const usable = Math.max(1, settings.max - kept);
    const data: ConnectionsData = {
      total,
      maxConnections: settings.max,
      reserved: settings.reserved,
      reservedConnections: settings.reservedConnections,
      available: usable,
      share: total / usable,
      byState: [...byStateMap]
        .map(([state, count]) => ({ state, count }))
        .sort((a, b) => b.count - a.count),
      byApplication: rows.map(({ application, role, count }) => ({ application, role, count })),
    };
    const summary =
      `${total} of ${usable} connections in use (${Math.round(data.share * 100)} %)` +
      (settings.reservedConnections ? `; ${reservedNote(settings)}` : '');
    const hidden = rows.reduce((sum, row) => sum + row.hidden, 0);
    if (data.share < 0.8) {
      return { state: 'ok', summary, ...(hidden ? hiddenSessions(probe, hidden) : {}), data };
    }
    return {
      state: 'warn',
      summary,
      reason:
        `Near the ${usable} connections the app's roles may open, new sessions are refused` +
        (kept ? ` (max_connections ${settings.max}, ${reservedNote(settings)})` : '') +
        '; a pooler (PgBouncer) or smaller app pools help.',
      fix: `Lower the app's pool size (config/database.yml pool:) or add a connection pooler.`,
      data,
    };
  },
};

interface CacheHitData {
  /** 0..1, null before any block was read. */
  tables: number | null;
  indexes: number | null;
  blocksRead: number;
}

const cacheHitRatio: CardDefinition = {
  id: 'cacheHitRatio',
  title: 'Cache hit ratio',
  async run({ session, signal }): Promise<CardResult<CacheHitData>> {
    const [row] = await session.query<CacheHitData>(
      'cacheHitRatio',
      `SELECT (SELECT sum(heap_blks_hit)::float8
                      / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0)
                 FROM pg_statio_user_tables) AS tables,
              (SELECT sum(idx_blks_hit)::float8 / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0)
                 FROM pg_statio_user_indexes) AS indexes,
              (SELECT coalesce(sum(heap_blks_read), 0)::float8 FROM pg_statio_user_tables)
                AS "blocksRead"`,
      undefined,
      signal,
    );
    const percent = (value: number | null): string =>
      value === null ? 'n/a' : `${(value * 100).toFixed(2)} %`;
    const summary = `tables ${percent(row.tables)}, indexes ${percent(row.indexes)}`;
    const low = [row.tables, row.indexes].some((value) => value !== null && value < 0.99);
    if (!low || row.blocksRead < 1000) return { state: 'ok', summary, data: row };
    return {
      state: 'warn',
      summary,
      reason:
        'Below 99 % many reads go to disk: ' +
        'the working set is larger than shared_buffers and the OS cache.',
      fix: 'Raise shared_buffers (about 25 % of RAM) or give the server more memory.',
      data: row,
    };
  },
};

export interface ReplicationData {
  role: 'replica' | 'primary';
  /** On a replica: seconds since the last replayed transaction (grows when the primary is idle). */
  lagSeconds: number | null;
  /** On a primary: attached replicas. */
  replicas: {
    application: string;
    clientAddress: string | null;
    state: string;
    replayLagSeconds: number | null;
  }[];
  /** On a primary: its replication slots, inactive ones first. */
  slots: ReplicationSlot[];
}

interface ReplicationSlot {
  name: string;
  type: string;
  /** The database of a logical slot; null for a physical one. */
  database: string | null;
  active: boolean;
  /** WAL the slot keeps on the primary (bytes); null before it reserved any. */
  retainedBytes: number | null;
  /** `reserved`, `extended`, `unreserved` or `lost` (PostgreSQL 13+); null before. */
  walStatus: string | null;
}

/**
 * The primary's slots. A slot nobody reads keeps every WAL segment since its position, so the
 * disk fills until the server stops; that happens with no replica attached at all.
 */
async function replicationSlots(
  session: CardContext['session'],
  signal: AbortSignal | undefined,
): Promise<ReplicationSlot[]> {
  return session.query<ReplicationSlot>(
    'replication',
    `SELECT s.slot_name::text AS name, s.slot_type AS type, s.database::text AS database,
            s.active, pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::float8
              AS "retainedBytes",
            to_jsonb(s) ->> 'wal_status' AS "walStatus"
       FROM pg_replication_slots s
      ORDER BY s.active, 5 DESC NULLS LAST, 1`,
    undefined,
    signal,
  );
}

/** The card for inactive slots, which outweigh anything the replicas say. */
function inactiveSlots(data: ReplicationData): CardResult<ReplicationData> | undefined {
  const idle = data.slots.filter((slot) => !slot.active);
  if (idle.length === 0) return undefined;
  // The slots keep the same segments: the oldest position decides, not their sum.
  const kept = Math.max(0, ...idle.map((slot) => slot.retainedBytes ?? 0));
  const first = idle[0];
  const drops = idle.map((slot) => `SELECT pg_drop_replication_slot(${quoteLiteral(slot.name)});`);
  return {
    state: 'warn',
    summary:
      `${plural(idle.length, 'inactive replication slot', 'inactive replication slots')} ` +
      `keeping ${formatBytes(kept)} of WAL` +
      (data.replicas.length ? `; ${plural(data.replicas.length, 'replica')} attached` : ''),
    reason:
      `Nothing reads ${first.type} slot ${first.name}, so the primary keeps all WAL since its ` +
      'position until the disk fills' +
      (idle.some((slot) => slot.type === 'logical')
        ? ', and a logical slot keeps VACUUM from removing dead catalog rows'
        : '') +
      '. Drop it if its replica or consumer is gone for good.',
    fix: drops[0],
    fixes: drops.length > 1 ? drops : undefined,
    data,
  };
}

const replication: CardDefinition = {
  id: 'replication',
  title: 'Replication',
  async run({ session, probe, signal }): Promise<CardResult<ReplicationData>> {
    if (probe.replica) {
      const [row] = await session.query<{ lag: number | null }>(
        'replication',
        'SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS lag',
        undefined,
        signal,
      );
      const data: ReplicationData = {
        role: 'replica',
        lagSeconds: row.lag,
        replicas: [],
        slots: [],
      };
      const summary =
        row.lag === null
          ? 'Replica; nothing replayed yet'
          : `Replica, ${Math.round(row.lag)} s behind the primary`;
      if (row.lag === null || row.lag < 60) return { state: 'ok', summary, data };
      return {
        state: 'warn',
        summary,
        reason:
          'A replica more than a minute behind serves stale reads (or the primary has been idle).',
        fix: "Check the replica's disk and network, and long queries on it (hot_standby_feedback).",
        data,
      };
    }
    const rows = await session.query<ReplicationData['replicas'][number]>(
      'replication',
      `SELECT application_name AS application, client_addr::text AS "clientAddress", state,
              extract(epoch FROM replay_lag)::float8 AS "replayLagSeconds"
         FROM pg_stat_replication ORDER BY 1`,
      undefined,
      signal,
    );
    const data: ReplicationData = {
      role: 'primary',
      lagSeconds: null,
      replicas: rows,
      slots: await replicationSlots(session, signal),
    };
    const slotsCard = inactiveSlots(data);
    if (slotsCard) return slotsCard;
    if (rows.length === 0 && data.slots.length > 0) {
      return {
        state: 'ok',
        summary: `No replica attached; ${plural(data.slots.length, 'replication slot')} in use`,
        data,
      };
    }
    if (rows.length === 0) {
      return {
        state: 'skipped',
        summary: 'Not a replica, and no replica is attached',
        reason: 'There is no replication to watch.',
        data,
      };
    }
    const behind = rows.filter((row) => (row.replayLagSeconds ?? 0) >= 60);
    const summary =
      `${plural(rows.length, 'replica')} attached` +
      `${behind.length ? `, ${behind.length} a minute or more behind` : ''}`;
    return behind.length
      ? {
          state: 'warn',
          summary,
          reason:
            `${behind[0].application} is ` +
            `${Math.round(behind[0].replayLagSeconds ?? 0)} s behind.`,
          data,
        }
      : { state: 'ok', summary, data };
  },
};

export const activityCards: CardDefinition[] = [
  slowQueries,
  longRunning,
  blocked,
  connections,
  cacheHitRatio,
  replication,
];
