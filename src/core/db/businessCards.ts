/**
 * The guidelines' business metrics, found by introspection: onboarding funnel (users by
 * onboarding_step, completion, time to complete, drop-off), sign-ups per day, 7-day retention
 * and counts of users, businesses and services. Also runs a repo's own metric queries.
 */
import type { CardContext, CardDefinition, CardResult, RepoMetric } from './cards';
import type { LockedRelation } from './relationLocks';
import { READS_CTES, READ_LOCKS_CTE, lockedBy, lockedRelation } from './relationLocks';
import { quoteIdent } from './sqlText';
import { formatDuration, formatPercent } from '../util/figures';
import { plural } from '../util/plural';
import { startOf } from '../util/printable';
import { leadingKeyword, splitStatements } from './sqlText';

/** The guidelines' onboarding has five steps; a higher step seen in the data wins. */
const LAST_STEP = 5;
/** The highest onboarding step read as one; far more than any sign-up flow has. */
const MAX_STEP = 100;
const METRIC_ROWS = 100;

interface Columns {
  schema: string;
  /** The readable columns of each table found. */
  tables: Map<string, Set<string>>;
  /** Tables there whose rows the role may not read (no SELECT on any column). */
  unreadable: string[];
  /**
   * Tables another session holds (or waits to hold) in ACCESS EXCLUSIVE mode, or one of their
   * indexes, which planning a read opens: reading them would wait for the lock.
   */
  locked: Map<string, LockedRelation>;
}

/**
 * How to count what these tables would have: a SQL check of the playbook shows as a card of
 * the Business section (repoMetrics). The playbook has no `metrics:` key, which this once named.
 */
const OWN_METRIC =
  'Define your own metric as a kind: sql check under checks: in .upkeep/playbook.yaml; ' +
  'it shows as a card beside this one.';

async function introspect(context: CardContext): Promise<Columns> {
  // pg_catalog, not information_schema: that lists only the columns the role may read, so a
  // table it may not read looked like no table at all. The locks are read once per table: the
  // WITH keeps pg_locks out of the join with the columns. A lock on any table a read of users
  // reads counts (a partition, an inheritance child, the table behind a view), not only one
  // on users; lock_timeout still stops a read that a lock taken after this look holds up.
  const rows = await context.session.query<{
    schema: string;
    table: string;
    lockedSchema: string | null;
    lockedName: string | null;
    holder: string | null;
    column: string;
    readable: boolean;
  }>(
    'introspection',
    `WITH RECURSIVE roots AS (
       SELECT c.oid, n.nspname AS schema, c.relname AS table
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND c.relname IN ('users', 'businesses', 'services')),
     ${READS_CTES},
     ${READ_LOCKS_CTE}
     SELECT roots.schema, roots.table, read_locks.schema AS "lockedSchema",
            read_locks.name AS "lockedName", read_locks.holder, a.attname AS column,
            has_column_privilege(roots.oid, a.attnum, 'SELECT') AS readable
       FROM roots
       LEFT JOIN read_locks ON read_locks.root = roots.oid
       JOIN pg_attribute a ON a.attrelid = roots.oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY roots.table, a.attnum`,
    undefined,
    context.signal,
  );
  const tables = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const locked = new Map<string, LockedRelation>();
  for (const row of rows) {
    seen.add(row.table);
    if (row.holder !== null && !locked.has(row.table)) {
      const other = row.lockedSchema !== row.schema || row.lockedName !== row.table;
      locked.set(row.table, {
        ...lockedRelation({ schema: row.schema, name: row.table, holder: row.holder }),
        ...(other
          ? { through: { schema: String(row.lockedSchema), name: String(row.lockedName) } }
          : {}),
      });
    }
    if (!row.readable) continue;
    if (!tables.has(row.table)) tables.set(row.table, new Set());
    tables.get(row.table)?.add(row.column);
  }
  const unreadable = [...seen].filter((table) => !tables.has(table));
  return { schema: rows[0]?.schema ?? 'public', tables, unreadable, locked };
}

/**
 * A card skipped because `table` is locked: waiting for the lock until lock_timeout would tell
 * no more than this, later, and for each card again.
 */
function lockedOut(table: string, relation: LockedRelation): CardResult<never> {
  return {
    state: 'skipped',
    summary: `${table} not read: ${lockedBy(relation)}`,
    reason:
      'Reading it would wait for that lock (up to upkeep.database.lockTimeoutMs) and then ' +
      'fail; a migration, LOCK TABLE or REINDEX in an open transaction holds it.',
    fix: 'Run it again once that transaction ends (pg_stat_activity shows its session).',
    data: null,
  };
}

/** A card skipped because the role may not read the tables it needs, with the GRANT. */
function notReadable(context: CardContext, { schema, unreadable }: Columns): CardResult<never> {
  const names = unreadable
    .map((table) =>
      schema === 'public' ? quoteIdent(table) : `${quoteIdent(schema)}.${quoteIdent(table)}`,
    )
    .join(', ');
  return {
    state: 'skipped',
    summary: `Role ${context.probe.role} may not read ${unreadable.join(', ')}`,
    reason: "These figures come from the app's own tables.",
    fix: `GRANT SELECT ON ${names} TO ${quoteIdent(context.probe.role)};`,
    data: null,
  };
}

/**
 * `users.created_at` in a range condition. Planned on the bare column, a bound past the column's
 * histogram (no one signed up lately) makes the planner read the column's end from its index,
 * and that counts as a scan of the index like the app's own: the Unused indexes card would call
 * an index only Upkeep reads used. An expression is not looked up in any index.
 */
const UNINDEXED_CREATED_AT = "(created_at + interval '0 s')";

/**
 * A read of the app's own tables, planned without index scans: Upkeep scanning an index counts
 * in pg_stat_user_indexes like the app using it, and the Unused indexes card (and the check)
 * would then call an index used only by Upkeep "used", depending on whether the business cards
 * ran since the statistics were reset.
 */
function appQuery<T>(
  context: CardContext,
  tag: string,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  return context.session.queryWith<T>(tag, sql, {
    params,
    signal: context.signal,
    noIndexScans: true,
  });
}

export interface OnboardingData {
  total: number;
  steps: { step: number | null; users: number }[];
  lastStep: number;
  /** Share of users at the last step, 0..1. */
  completionRate: number;
  /** Mean seconds from created_at to onboarding_completed_at; null without that column. */
  averageSecondsToComplete: number | null;
  /** Share lost between reaching step n and step n+1 (users at step ≥ n). */
  dropOff: { from: number; to: number; reached: number; continued: number; lost: number }[];
}

const onboarding: CardDefinition = {
  id: 'onboarding',
  title: 'Onboarding funnel',
  async run(context): Promise<CardResult<OnboardingData>> {
    const found = await introspect(context);
    const users = found.tables.get('users');
    if (found.unreadable.includes('users')) {
      return notReadable(context, { ...found, unreadable: ['users'] });
    }
    if (!users?.has('onboarding_step')) {
      return {
        state: 'skipped',
        summary: users
          ? 'users has no onboarding_step column'
          : 'No users table in the current schema',
        reason: 'The onboarding funnel reads users.onboarding_step (1..5), as in the guidelines.',
        fix: OWN_METRIC,
        data: null,
      };
    }
    const usersLock = found.locked.get('users');
    if (usersLock) return lockedOut('users', usersLock);
    // A value past MAX_STEP (2^31 - 1 in one bad row) counts as no step: the funnel has a bar
    // and a drop-off per step up to the last one, and would otherwise never end.
    const steps = await appQuery<{ step: number | null; users: number }>(
      context,
      'onboarding',
      'SELECT CASE WHEN onboarding_step::numeric BETWEEN 0 AND $1 ' +
        'THEN onboarding_step::int END AS step, count(*)::int AS users ' +
        'FROM users GROUP BY 1 ORDER BY 1 NULLS FIRST',
      [MAX_STEP],
    );
    let averageSecondsToComplete: number | null = null;
    if (users.has('onboarding_completed_at') && users.has('created_at')) {
      const [row] = await appQuery<{ seconds: number | null }>(
        context,
        'onboarding',
        `SELECT extract(epoch FROM avg(onboarding_completed_at - created_at))::float8 AS seconds
           FROM users WHERE isfinite(onboarding_completed_at) AND isfinite(created_at)`,
      );
      averageSecondsToComplete = row.seconds;
    }
    const total = steps.reduce((sum, row) => sum + row.users, 0);
    const lastStep = Math.max(LAST_STEP, ...steps.map((row) => row.step ?? 0));
    const atLast = steps
      .filter((row) => (row.step ?? 0) >= lastStep)
      .reduce((sum, row) => sum + row.users, 0);
    const reached = (step: number): number =>
      steps.filter((row) => (row.step ?? 0) >= step).reduce((sum, row) => sum + row.users, 0);
    const dropOff: OnboardingData['dropOff'] = [];
    for (let step = 1; step < lastStep; step++) {
      const from = reached(step);
      const to = reached(step + 1);
      dropOff.push({
        from: step,
        to: step + 1,
        reached: from,
        continued: to,
        lost: from ? (from - to) / from : 0,
      });
    }
    const data: OnboardingData = {
      total,
      steps,
      lastStep,
      completionRate: total ? atLast / total : 0,
      averageSecondsToComplete,
      dropOff,
    };
    const worst = [...dropOff].sort((a, b) => b.lost - a.lost)[0];
    const days =
      averageSecondsToComplete === null
        ? ''
        : `, ${formatDuration(averageSecondsToComplete)} on average to complete`;
    return {
      state: 'ok',
      summary:
        `${formatPercent(data.completionRate * 100)} of ${plural(total, 'user', 'users')} ` +
        `completed onboarding${days}` +
        (worst && worst.lost > 0
          ? `; most lost between steps ${worst.from} and ${worst.to} ` +
            `(${formatPercent(worst.lost * 100)})`
          : ''),
      data,
    };
  },
};

export interface BusinessGrowthData {
  counts: { users?: number; businesses?: number; services?: number };
  /** Sign-ups per day over the last 30 days (days without any are left out). */
  signUpsPerDay: { day: string; users: number }[];
  /** The database's TimeZone, in which the days above were cut. */
  signUpsTimeZone?: string;
  /**
   * The days above that are counted in part: the first from this time 30 days ago, the last
   * (today) up to now. A chart drawing them as whole days shows two drops that are not there.
   */
  signUpsPartialDays?: { first: string; last: string };
  retention7d: {
    /** Users who signed up 8..37 days ago. */
    cohort: number;
    /** Of those, signed in again 7+ days after signing up. */
    retained: number;
    rate: number;
    /** The column compared with created_at, e.g. `current_sign_in_at`. */
    basedOn: string;
  } | null;
  /** Why retention is missing, when it is. */
  retentionNote?: string;
}

const RETENTION_COLUMNS = [
  'current_sign_in_at',
  'last_sign_in_at',
  'last_seen_at',
  'last_active_at',
  'last_login_at',
];

/**
 * 7-day retention from the first sign-in column of users that holds any data, or why there is
 * none: the note says which columns were looked for.
 */
async function readRetention(
  context: CardContext,
  userColumns: Set<string>,
): Promise<Pick<BusinessGrowthData, 'retention7d' | 'retentionNote'>> {
  const columns = RETENTION_COLUMNS.filter((name) => userColumns.has(name));
  if (columns.length === 0) {
    return {
      retention7d: null,
      retentionNote:
        `users has none of ${RETENTION_COLUMNS.join(', ')}, ` +
        'so 7-day retention cannot be measured.',
    };
  }

  // A column that exists but was never filled (no sign-in tracking) says nothing about
  // retention: 0 % from it would be a false alarm.
  const filled = await appQuery<{ name: string }>(
    context,
    'businessGrowth',
    `SELECT name FROM (VALUES ${columns
      .map(
        (name, i) =>
          `(${i}, '${name}', ` +
          `EXISTS (SELECT 1 FROM users WHERE ${quoteIdent(name)} IS NOT NULL))`,
      )
      .join(', ')}) AS c(ord, name, filled)
      WHERE filled ORDER BY ord`,
  );
  const column = filled[0]?.name;
  if (!column) {
    return {
      retention7d: null,
      retentionNote:
        `No sign-in data: ${columns.map((name) => `users.${name}`).join(' and ')} ` +
        `${columns.length === 1 ? 'is' : 'are'} NULL for every user, ` +
        'so 7-day retention cannot be measured.',
    };
  }

  const [row] = await appQuery<{ cohort: number; retained: number }>(
    context,
    'businessGrowth',
    `SELECT count(*)::int AS cohort,
            count(*) FILTER (WHERE ${quoteIdent(column)} >= created_at + interval '7 days')
              ::int AS retained
       FROM users
      WHERE ${UNINDEXED_CREATED_AT} < $1::timestamptz - interval '8 days'
        AND ${UNINDEXED_CREATED_AT} >= $1::timestamptz - interval '37 days'`,
    [context.clock.now().toISOString()],
  );
  return {
    retention7d: { ...row, rate: row.cohort ? row.retained / row.cohort : 0, basedOn: column },
  };
}

const businessGrowth: CardDefinition = {
  id: 'businessGrowth',
  title: 'Users, businesses and services',
  async run(context): Promise<CardResult<BusinessGrowthData>> {
    const found = await introspect(context);
    const { tables } = found;
    const present = ['users', 'businesses', 'services'].filter((table) => tables.has(table));
    if (present.length === 0 && found.unreadable.length > 0) return notReadable(context, found);
    if (present.length === 0) {
      return {
        state: 'skipped',
        summary: 'No users, businesses or services table in the current schema',
        reason: 'Business counts read those tables when they exist.',
        fix: OWN_METRIC,
        data: null,
      };
    }
    // Counted without a locked businesses or services table, which the summary names; the
    // other figures are all of users.
    const lockedOnes = present.filter((table) => found.locked.has(table));
    const countable = present.filter((table) => !found.locked.has(table));
    const first = lockedOnes.includes('users') ? 'users' : lockedOnes[0];
    if (first && (first === 'users' || countable.length === 0)) {
      return lockedOut(first, found.locked.get(first) as LockedRelation);
    }
    const [countRow] = await appQuery<Record<string, number>>(
      context,
      'businessGrowth',
      `SELECT ${countable
        .map(
          (table) => `(SELECT count(*) FROM ${quoteIdent(table)})::float8 AS ${quoteIdent(table)}`,
        )
        .join(', ')}`,
    );
    const data: BusinessGrowthData = { counts: countRow, signUpsPerDay: [], retention7d: null };
    const users = tables.get('users');
    if (users?.has('created_at')) {
      const days = await appQuery<{ day: string; users: number }>(
        context,
        'businessGrowth',
        `SELECT to_char(date_trunc('day', created_at), 'YYYY-MM-DD') AS day, count(*)::int AS users
           FROM users WHERE ${UNINDEXED_CREATED_AT} >= $1::timestamptz - interval '30 days'
          GROUP BY 1 ORDER BY 1`,
        [context.clock.now().toISOString()],
      );
      data.signUpsPerDay = days;
      // to_char cuts the days in the same TimeZone as the date_trunc above.
      const [zone] = await context.session.query<{ zone: string; first: string; last: string }>(
        'businessGrowth',
        `SELECT current_setting('TimeZone') AS zone,
                to_char($1::timestamptz - interval '30 days', 'YYYY-MM-DD') AS first,
                to_char($1::timestamptz, 'YYYY-MM-DD') AS last`,
        [context.clock.now().toISOString()],
        context.signal,
      );
      data.signUpsTimeZone = zone?.zone;
      if (zone) data.signUpsPartialDays = { first: zone.first, last: zone.last };
      Object.assign(data, await readRetention(context, users));
    }
    const parts = countable.map(
      (table) => `${(countRow[table] ?? 0).toLocaleString('en')} ${table}`,
    );
    const notRead = lockedOnes
      .map((table) => `${table} not read (${lockedBy(found.locked.get(table) as LockedRelation)})`)
      .join(', ');
    const recent = data.signUpsPerDay.reduce((sum, day) => sum + day.users, 0);
    const retention = data.retention7d?.cohort
      ? `, 7-day retention ${formatPercent(data.retention7d.rate * 100)} ` +
        `(${data.retention7d.basedOn})`
      : data.retentionNote?.startsWith('No sign-in data')
        ? ', no sign-in data for retention'
        : '';
    return {
      state: 'ok',
      summary:
        `${parts.join(', ')}; ${plural(recent, 'sign-up', 'sign-ups')} ` +
        `in 30 days${retention}${notRead ? `; ${notRead}` : ''}`,
      reason:
        [
          data.retentionNote,
          found.unreadable.length ? notReadable(context, found).summary + '.' : '',
        ]
          .filter(Boolean)
          .join(' ') || undefined,
      fix: found.unreadable.length ? notReadable(context, found).fix : undefined,
      data,
    };
  },
};

export const businessCards: CardDefinition[] = [onboarding, businessGrowth];

interface MetricData {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** A summary is one line of `upkeep db` and of a card: a longer cell is cut there. */
const MAX_SUMMARY = 200;

/**
 * How many rows a metric read, in words. A wrapped query reads one row past those shown to
 * know there are more, and said "101 rows" of a thousand.
 */
function rowCount(read: number, wrapped: boolean): string {
  if (read <= METRIC_ROWS) return plural(read, 'row');
  const count = wrapped ? `more than ${METRIC_ROWS} rows` : plural(read, 'row');
  return `${count}, the first ${METRIC_ROWS} shown`;
}

/** A metric's one cell as its card's summary: its start, when a megabyte of text was read. */
function summaryOf(value: string): string {
  return value.length <= MAX_SUMMARY ? value : `${startOf(value, MAX_SUMMARY - 1)}…`;
}

/** A repo-defined metric as a card: one read-only statement, at most 100 rows shown. */
export function metricCard(metric: RepoMetric): CardDefinition {
  return {
    id: `metric:${metric.id}`,
    title: metric.title,
    async run(context): Promise<CardResult<MetricData>> {
      const statements = splitStatements(metric.sql);
      if (statements.length !== 1) {
        return {
          state: 'error',
          summary: `The metric's SQL must be exactly one statement (it has ${statements.length})`,
          fix: `Fix metric "${metric.id}" in .upkeep/playbook.yaml.`,
          data: null,
        };
      }
      const tag = `metric.${metric.id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 50)}`;
      // A query that reads can be wrapped, so a huge result never crosses the wire.
      const wrapped = ['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(leadingKeyword(statements[0]));
      const sql = wrapped
        ? `SELECT * FROM (${statements[0]}\n) AS metric LIMIT ${METRIC_ROWS + 1}`
        : statements[0];
      // As arrays: `SELECT u.id, o.id` read as objects kept only the second id.
      const read = await context.session.queryArrays(tag, sql, {
        signal: context.signal,
        oneStatement: true,
      });
      const { rows } = read;
      // No row, no columns, as the JSON of an empty result always had it.
      const columns = rows[0] ? distinctNames(read.columns) : [];
      const shown = rows
        .slice(0, METRIC_ROWS)
        .map((row) => Object.fromEntries(columns.map((key, k) => [key, jsonValue(row[k])])));
      const single =
        rows.length === 1 && columns.length === 1
          ? summaryOf(String(shown[0][columns[0]]))
          : undefined;
      return {
        state: 'ok',
        summary: single ?? rowCount(rows.length, wrapped),
        data: { columns, rows: shown, truncated: rows.length > METRIC_ROWS },
      };
    },
  };
}

/**
 * The columns' names, a repeated one numbered by its place among its namesakes (`id`,
 * `id (2)`), past any name the query gave itself, so each column keeps a key of its own.
 */
function distinctNames(names: string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name} (${n})`)) n += 1;
    const distinct = `${name} (${n})`;
    taken.add(distinct);
    return distinct;
  });
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return value;
}
