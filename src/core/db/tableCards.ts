/**
 * Cards about storage and upkeep of tables and indexes: sizes and growth, rows written per
 * table, unused, least-scanned, duplicate and invalid indexes, foreign keys without an index,
 * sequential-scan-heavy tables, vacuum, statistics, transaction-ID and multixact wraparound,
 * sequences near their maximum, keys whose highest value is ahead of their sequence and foreign
 * keys narrower than the key they reference.
 */
import type { CardContext, CardDefinition, CardResult } from './cards';
import { memoized } from './cardMemo';
import type { Surface } from './connection';
import { rollbackPrepared, stopSession } from './activityCards';
import type { Probe } from './probe';
import { qualified, quoteIdent, quoteLiteral } from './sqlText';
import type { LockedRelation } from './relationLocks';
import {
  EXCLUSIVELY_LOCKED,
  LOCK_HOLDER,
  SIZE_RELATIONS,
  lockedBy,
  lockedNote,
  lockedRelation,
} from './relationLocks';
import { UpkeepError, describeError } from '../util/errors';
import { formatBytes, groupDigits } from '../util/figures';
import { plural } from '../util/plural';
import type { SizeSnapshot } from './snapshots';
import {
  baselineSnapshot,
  readSnapshots,
  recordSnapshot,
  snapshotFolderHint,
  writesBaseline,
} from './snapshots';

const USER_SCHEMAS =
  `n.nspname NOT IN ('pg_catalog', 'information_schema') ` +
  `AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

export { qualified };

/**
 * Where maintenance runs, with its confirmation: after a single fix, or in the reason. The CLI
 * has no such command: there it is psql, or the editor's.
 */
function runIt(surface: Surface): string {
  return surface === 'cli'
    ? '(run it with psql, or with "Upkeep: Run Database Maintenance" in the editor)'
    : '(run it with "Upkeep: Run Database Maintenance")';
}

function runThem(surface: Surface): string {
  return surface === 'cli'
    ? 'Run the statements with psql, or with "Upkeep: Run Database Maintenance" in the ' +
        'editor, which asks first.'
    : 'Run the statements with "Upkeep: Run Database Maintenance", which asks first.';
}

/** A card's `fixes`: every statement when there are two or more (one is `fix` alone). */
function several(statements: Array<string | null>): string[] | undefined {
  const all = statements.filter((sql): sql is string => sql !== null);
  return all.length > 1 ? all : undefined;
}

/**
 * The card for a replica, in place of one that reads the primary's upkeep from the statistics:
 * a standby's pg_stat_user_tables and pg_stat_user_indexes count only its own reads and know
 * nothing of the primary's dead rows, vacuums, analyzes or index scans (all 0 or empty there).
 */
function skippedOnReplica(probe: Probe, what: string): CardResult<null> | undefined {
  if (!probe.replica) return undefined;
  return {
    state: 'skipped',
    summary: `On a replica, which does not see ${what}`,
    reason:
      "A standby's statistics views count only its own reads, so the primary's dead rows, " +
      'vacuum and analyze times and index scans are not there, and maintenance runs on the ' +
      'primary.',
    fix: 'Run it against the primary (the primary entry of config/database.yml).',
    data: null,
  };
}

/** A row of a list read with `count(*) OVER ()`: how many there are beyond the limit. */
interface Counted {
  count: number;
}

/** "; the first 10 listed" when a card lists fewer than it counted, or nothing. */
function firstListed(listed: number, count: number): string {
  return count > listed ? `; the first ${listed} listed` : '';
}

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

interface DatabaseSizeData {
  bytes: number;
  pretty: string;
}

const databaseSize: CardDefinition = {
  id: 'databaseSize',
  title: 'Database size',
  async run({ session, signal }): Promise<CardResult<DatabaseSizeData>> {
    const [row] = await session.query<{ bytes: number; pretty: string }>(
      'databaseSize',
      'SELECT pg_database_size(current_database())::float8 AS bytes, ' +
        'pg_size_pretty(pg_database_size(current_database())) AS pretty',
      undefined,
      signal,
    );
    return {
      state: 'ok',
      summary: `${row.pretty} (${session.connection.databaseName})`,
      data: row,
    };
  },
};

interface TableSize {
  schema: string;
  name: string;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  pretty: string;
  estimatedRows: number;
  /**
   * Partitions of a partitioned table (at every level); its sizes and rows are theirs, and
   * they are not listed apart. 0 for any other table.
   */
  partitions: number;
  /** Bytes gained since the snapshot about 7 days old; undefined without one. */
  growth7dBytes?: number;
}

export interface TablesData {
  tables: TableSize[];
  tableCount: number;
  /**
   * Tables another session holds locked (ACCESS EXCLUSIVE), or one of their indexes or their
   * TOAST table: their size was not read.
   */
  locked?: LockedRelation[];
  /** ISO time of the snapshot growth is measured against. */
  growthSince?: string;
}

/**
 * The largest tables (at most 200), read once per run and shared by the tables and growth
 * cards.
 */
async function tableSizes(context: CardContext, limit: number): Promise<SizesRead> {
  const read = Math.max(limit, SNAPSHOT_TABLES);
  const { rows, count, locked } = await memoized(context, `tableSizes:${read}`, () =>
    readTableSizes(context, read),
  );
  // Copies: the tables card adds growth to its rows.
  return { rows: rows.slice(0, limit).map((row) => ({ ...row })), count, locked };
}

interface SizesRead {
  rows: TableSize[];
  count: number;
  locked: LockedRelation[];
}

const SNAPSHOT_TABLES = 200;

/**
 * SQL: the rows of relation `c` as both table cards give them, PostgreSQL's reltuples, which the
 * last VACUUM or ANALYZE set and autovacuum's thresholds scale with. The collector's live-row
 * count drifts: inserts a session made before its own ANALYZE are added again once they reach
 * the collector (3 rows read as 6). reltuples is -1 until the first VACUUM or ANALYZE: the
 * collector's count then. A partitioned table's own estimate would count its partitions' rows
 * again: 0.
 */
const ROW_ESTIMATE = (c: string): string =>
  `CASE WHEN ${c}.relkind = 'p' THEN 0
        WHEN ${c}.reltuples >= 0 THEN ${c}.reltuples
        ELSE coalesce(pg_stat_get_live_tuples(${c}.oid), 0) END`;

/**
 * SQL: each table of the app's schemas that is not a partition (`root`), with itself and, for a
 * partitioned table, every partition under it at any level (`relid`), found through pg_inherits,
 * which locks nothing. A partitioned table has no storage of its own: its size is its
 * partitions', which are not listed apart, so nothing is counted twice. Plain inheritance
 * children are tables of their own and stay apart.
 */
const TABLE_TREES = `
  WITH RECURSIVE tree AS (
    SELECT c.oid AS root, c.oid AS relid
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND ${USER_SCHEMAS}
    UNION ALL
    SELECT tree.root, i.inhrelid
      FROM tree JOIN pg_inherits i ON i.inhparent = tree.relid
      JOIN pg_class p ON p.oid = i.inhrelid AND p.relispartition),
  held AS (
    SELECT tree.root, ${LOCK_HOLDER(SIZE_RELATIONS('tree.relid'))} AS holder FROM tree),
  roots AS (
    SELECT root, bool_or(holder IS NOT NULL) AS locked, max(holder) AS holder,
           (count(*) - 1)::int AS partitions
      FROM held GROUP BY root)`;

async function readTableSizes(context: CardContext, limit: number): Promise<SizesRead> {
  // A partitioned table counts as locked when any of its partitions is: its size is theirs. So
  // does a table one of whose indexes is (a REINDEX, a DROP INDEX): its size counts theirs.
  const locked = await context.session.query<LockedRelation & { holder: string | null }>(
    'tables',
    `${TABLE_TREES}
     SELECT n.nspname AS schema, c.relname AS name, r.holder
       FROM roots r JOIN pg_class c ON c.oid = r.root
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE r.locked
      ORDER BY 1, 2`,
    undefined,
    context.signal,
  );
  // The CASE keeps the size functions, which would wait for the lock, off a locked tree.
  const rows = await context.session.query<TableSize & { count: number }>(
    'tables',
    `${TABLE_TREES},
     sizes AS (
       SELECT t.root,
              sum(CASE WHEN NOT r.locked THEN pg_total_relation_size(t.relid) END) AS total,
              sum(CASE WHEN NOT r.locked THEN pg_relation_size(t.relid) END) AS heap,
              sum(CASE WHEN NOT r.locked THEN pg_indexes_size(t.relid) END) AS indexes,
              sum(${ROW_ESTIMATE('p')}) AS estimate
         FROM tree t JOIN roots r ON r.root = t.root AND NOT r.locked
         JOIN pg_class p ON p.oid = t.relid
        GROUP BY t.root)
     SELECT n.nspname AS schema, c.relname AS name,
            s.total::float8 AS "totalBytes", s.heap::float8 AS "tableBytes",
            s.indexes::float8 AS "indexBytes", pg_size_pretty(s.total) AS pretty,
            s.estimate::float8 AS "estimatedRows", r.partitions,
            (count(*) OVER ())::int AS count
       FROM sizes s JOIN roots r ON r.root = s.root
       JOIN pg_class c ON c.oid = s.root
       JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY 3 DESC, 1, 2
      LIMIT $1`,
    [limit],
    context.signal,
  );
  const count = (rows[0]?.count ?? 0) + locked.length;
  return {
    rows: rows.map(({ count: _count, ...row }) => row),
    count,
    locked: locked.map(lockedRelation),
  };
}

const tables: CardDefinition = {
  id: 'tables',
  title: 'Largest tables',
  async run(context): Promise<CardResult<TablesData>> {
    const { rows, count, locked } = await tableSizes(context, context.limit);
    let snapshots: SizeSnapshot[] = [];
    if (context.snapshotFile) {
      snapshots = await readSnapshots(
        context.snapshotFile,
        context.session.connection.display,
      ).catch(() => []);
    }
    const baseline = baselineSnapshot(snapshots, context.clock.now(), 7);
    for (const row of rows) {
      const before = baseline?.tables[`${row.schema}.${row.name}`];
      if (before !== undefined) row.growth7dBytes = row.totalBytes - before;
    }
    const top = rows[0];
    return {
      state: 'ok',
      summary:
        (top
          ? `${plural(count, 'table', 'tables')}; largest ` +
            `${qualified(top.schema, top.name)} (${top.pretty})`
          : locked.length
            ? plural(count, 'table', 'tables')
            : 'No tables yet') + lockedNote(locked, 'table', 'size not read'),
      data: { tables: rows, tableCount: count, locked, growthSince: baseline?.at },
    };
  },
};

interface IndexSize {
  schema: string;
  table: string;
  name: string;
  bytes: number;
  pretty: string;
  scans: number;
}

export interface IndexesData {
  indexes: IndexSize[];
  /** Indexes another session holds locked (ACCESS EXCLUSIVE): their size was not read. */
  locked?: LockedRelation[];
}

const indexes: CardDefinition = {
  id: 'indexes',
  title: 'Largest indexes',
  async run({ session, signal, limit }): Promise<CardResult<IndexesData>> {
    // The largest `limit` of the indexes not locked, and every locked one, whose size the CASE
    // keeps from being read (it would wait for the lock).
    const read = await session.query<IndexSize & { holder: string | null }>(
      'indexes',
      `SELECT x.schema, x.table, x.name, x.bytes, x.pretty, x.scans, x.holder
         FROM (SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS name,
                      sized.bytes::float8 AS bytes, pg_size_pretty(sized.bytes) AS pretty,
                      s.idx_scan::float8 AS scans, held.holder,
                      row_number() OVER (ORDER BY sized.bytes DESC NULLS LAST, s.schemaname,
                                                  s.indexrelname) AS rank
                 FROM pg_stat_user_indexes s ${UNLESS_LOCKED_BYTES('s.indexrelid')}) x
        WHERE x.holder IS NOT NULL OR x.rank <= $1
        ORDER BY x.rank`,
      [limit],
      signal,
    );
    const rows = read
      .filter((row) => row.holder === null)
      .map(({ holder: _holder, ...row }) => row);
    const locked = read.filter((row) => row.holder !== null).map(lockedRelation);
    const note = lockedNote(locked, 'index', 'size not read');
    return {
      state: 'ok',
      summary:
        (rows[0]
          ? `largest ${quoteIdent(rows[0].name)} (${rows[0].pretty})`
          : locked.length
            ? 'No index size read'
            : 'No indexes yet') + note,
      data: { indexes: rows, locked },
    };
  },
};

interface GrowthData {
  databaseBytes: number;
  snapshots: number;
  /** Oldest snapshot kept, ISO. */
  firstSnapshot?: string;
  growth7d?: { since: string; bytes: number; pretty: string };
  growth30d?: { since: string; bytes: number; pretty: string };
  /** Tables that grew most over about 7 days. */
  fastestTables: { schema: string; name: string; bytes: number; pretty: string }[];
  /**
   * Tables among the 200 largest now that the 7-day baseline does not hold, though it may have
   * left them out (it keeps its 200 largest): their growth is unknown, their size is now's.
   * Largest first, at most `limit`; `notInBaselineCount` counts them all.
   */
  notInBaseline: { schema: string; name: string; totalBytes: number; totalPretty: string }[];
  notInBaselineCount: number;
  /** A snapshot file that could not be read, moved aside. */
  movedAside?: string;
}

const growth: CardDefinition = {
  id: 'growth',
  title: 'Growth',
  async run(context): Promise<CardResult<GrowthData>> {
    if (!context.snapshotFile && context.noCacheFolder) {
      // As for a cache folder it cannot write: a setting to give, so the run exits 2.
      throw new UpkeepError(
        'config',
        'Cannot keep size snapshots: this user has no home folder (HOME is not set and the ' +
          "system's user list has no entry for it, or HOME is a relative path, which names no " +
          'folder).',
        snapshotFolderHint(context.surface),
      );
    }
    if (!context.snapshotFile) {
      return {
        state: 'skipped',
        summary: 'No snapshot file given, so growth cannot be tracked',
        reason: 'Growth compares size snapshots Upkeep keeps on this machine; this run keeps none.',
        data: null,
      };
    }
    const [size] = await context.session.query<{ bytes: number }>(
      'growth',
      'SELECT pg_database_size(current_database())::float8 AS bytes',
      undefined,
      context.signal,
    );
    const { rows, locked } = await tableSizes(context, SNAPSHOT_TABLES);
    const now = context.clock.now();
    const snapshot: SizeSnapshot = {
      at: now.toISOString(),
      databaseBytes: size.bytes,
      tables: Object.fromEntries(rows.map((row) => [`${row.schema}.${row.name}`, row.totalBytes])),
      // The rows written per table, so the table writes card can say how many per day.
      ...(await snapshotWrites(context)),
    };
    // A snapshot without a locked table would count all of it as growth next time: none kept.
    const { snapshots, movedAside } = locked.length
      ? {
          snapshots: await readSnapshots(
            context.snapshotFile,
            context.session.connection.display,
          ).catch(() => []),
          movedAside: undefined,
        }
      : await recordSnapshot(
          context.snapshotFile,
          context.session.connection.display,
          snapshot,
          context.log,
          context.surface,
        );
    const notKept = lockedNote(locked, 'table', 'no snapshot kept this run');
    const since = (days: number): GrowthData['growth7d'] => {
      const base = baselineSnapshot(snapshots, now, days);
      if (!base) return undefined;
      const bytes = size.bytes - base.databaseBytes;
      return { since: base.at, bytes, pretty: formatBytes(bytes) };
    };
    const week = baselineSnapshot(snapshots, now, 7);
    // A snapshot keeps its 200 largest tables. One that kept fewer kept every table, so a
    // table it lacks is new and all of it is growth; one that kept 200 may have left a table
    // out for being smaller than those, and counting all of it as growth overstated it.
    const complete = week !== undefined && Object.keys(week.tables).length < SNAPSHOT_TABLES;
    const unknown = week
      ? rows.filter((row) => !complete && week.tables[`${row.schema}.${row.name}`] === undefined)
      : [];
    const notInBaseline = unknown.slice(0, context.limit).map((row) => ({
      schema: row.schema,
      name: row.name,
      totalBytes: row.totalBytes,
      totalPretty: row.pretty,
    }));
    const fastestTables = week
      ? rows
          .filter((row) => !unknown.includes(row))
          .map((row) => ({
            schema: row.schema,
            name: row.name,
            bytes: row.totalBytes - (week.tables[`${row.schema}.${row.name}`] ?? 0),
          }))
          .filter((row) => row.bytes > 0)
          .sort((a, b) => b.bytes - a.bytes)
          .slice(0, context.limit)
          .map((row) => ({ ...row, pretty: formatBytes(row.bytes) }))
      : [];
    const data: GrowthData = {
      databaseBytes: size.bytes,
      snapshots: snapshots.length,
      firstSnapshot: snapshots[0]?.at,
      growth7d: since(7),
      growth30d: since(30),
      fastestTables,
      notInBaseline,
      notInBaselineCount: unknown.length,
      movedAside,
    };
    if (!data.growth7d) {
      return {
        state: 'ok',
        summary: locked.length
          ? `No snapshot to compare with yet${notKept}`
          : 'First snapshot kept; growth shows once one is at least half a day old ' +
            `(${snapshots.length} kept)`,
        reason: movedAside
          ? `The snapshot file could not be read and was moved to ${movedAside}.`
          : undefined,
        data,
      };
    }
    const listed = firstListed(notInBaseline.length, unknown.length);
    const unknownNote = unknown.length
      ? `; ${plural(unknown.length, 'table', 'tables')} not among the ${SNAPSHOT_TABLES} ` +
        `largest of that snapshot (growth unknown${listed})`
      : '';
    return {
      state: 'ok',
      summary:
        `${data.growth7d.bytes >= 0 ? '+' : ''}${data.growth7d.pretty} ` +
        `since ${data.growth7d.since.slice(0, 10)}${unknownNote}${notKept}`,
      data,
    };
  },
};

interface TableWrites {
  schema: string;
  name: string;
  /** Partitions of a partitioned table (see TableSize): its counts are theirs. 0 otherwise. */
  partitions: number;
  inserts: number;
  updates: number;
  /** Updates that wrote no new index entries (heap-only tuples). */
  hotUpdates: number;
  deletes: number;
  /**
   * Rows per day since the snapshot `perDaySince` names; null for a table that snapshot does
   * not hold or whose counters went down since (reset, or the table made anew). Absent when
   * there is no snapshot to compare with.
   */
  insertsPerDay?: number | null;
  updatesPerDay?: number | null;
  deletesPerDay?: number | null;
}

export interface TableWritesData extends StatsSpan {
  /** The busiest tables (rows inserted, updated and deleted together), the first `limit`. */
  tables: TableWrites[];
  /** Every table with a row written since `statsSince`, listed or not. */
  count: number;
  /** ISO time of the snapshot the per-day figures are measured from. */
  perDaySince?: string;
  /** Why there are no per-day figures although snapshots were kept, in words. */
  perDayNote?: string;
}

/** A table's counts as the growth snapshot keeps them: inserted, updated, deleted. */
type WriteCounts = [number, number, number];

interface WritesRead {
  rows: TableWrites[];
  count: number;
}

/**
 * The busiest tables by rows written, read once per run and shared by the table writes card and
 * the growth card's snapshot (the 200 busiest).
 */
async function tableWrites(context: CardContext, limit: number): Promise<WritesRead> {
  let shared = context.memo.get('tableWrites') as Promise<WritesRead> | undefined;
  if (!shared) {
    shared = readTableWrites(context, Math.max(limit, SNAPSHOT_TABLES));
    context.memo.set('tableWrites', shared);
  }
  const { rows, count } = await shared;
  return { rows: rows.slice(0, limit).map((row) => ({ ...row })), count };
}

/**
 * pg_stat_user_tables' n_tup_ins, n_tup_upd, n_tup_hot_upd and n_tup_del, read through the
 * functions that view is made of; a partitioned table's are the sums of its partitions'. The
 * statistics read no table and take no lock.
 */
async function readTableWrites(context: CardContext, limit: number): Promise<WritesRead> {
  const rows = await context.session.query<TableWrites & Counted>(
    'tableWrites',
    `${TABLE_TREES},
     writes AS (
       SELECT t.root, (count(*) - 1)::int AS partitions,
              sum(pg_stat_get_tuples_inserted(t.relid)) AS inserts,
              sum(pg_stat_get_tuples_updated(t.relid)) AS updates,
              sum(pg_stat_get_tuples_hot_updated(t.relid)) AS hot,
              sum(pg_stat_get_tuples_deleted(t.relid)) AS deletes
         FROM tree t GROUP BY t.root)
     SELECT n.nspname AS schema, c.relname AS name, w.partitions,
            w.inserts::float8 AS inserts, w.updates::float8 AS updates,
            w.hot::float8 AS "hotUpdates", w.deletes::float8 AS deletes,
            (count(*) OVER ())::int AS count
       FROM writes w JOIN pg_class c ON c.oid = w.root
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE w.inserts + w.updates + w.deletes > 0
      ORDER BY w.inserts + w.updates + w.deletes DESC, 1, 2
      LIMIT $1`,
    [limit],
    context.signal,
  );
  return { rows: rows.map(({ count: _count, ...row }) => row), count: rows[0]?.count ?? 0 };
}

/** The counts the growth snapshot keeps: the 200 busiest tables; none on a replica. */
async function snapshotWrites(
  context: CardContext,
): Promise<Pick<SizeSnapshot, 'writes' | 'writesSince'>> {
  if (context.probe.replica) return {};
  const { rows } = await tableWrites(context, SNAPSHOT_TABLES);
  const span = await statsSpan(context, 'growth');
  return {
    writes: Object.fromEntries(
      rows.map((row): [string, WriteCounts] => [
        `${row.schema}.${row.name}`,
        [row.inserts, row.updates, row.deletes],
      ]),
    ),
    writesSince: span.statsSince,
  };
}

const writesTotal = (row: TableWrites): number => row.inserts + row.updates + row.deletes;

/**
 * Adds the rows written per day since `base` to each table, or says why it cannot: counters
 * reset since that snapshot count from a later start.
 */
function addPerDay(
  rows: TableWrites[],
  base: SizeSnapshot,
  span: StatsSpan,
  now: Date,
): Pick<TableWritesData, 'perDaySince' | 'perDayNote'> {
  if ((base.writesSince ?? null) !== span.statsSince) {
    return {
      perDayNote:
        `the statistics were reset after the snapshot of ${base.at.slice(0, 10)}, ` +
        'so no per-day figures until a snapshot after the reset is half a day old',
    };
  }
  const days = (now.getTime() - Date.parse(base.at)) / 86_400_000;
  const perDay = (value: number, before: number): number =>
    Math.round(((value - before) / days) * 10) / 10;
  for (const row of rows) {
    const before = base.writes?.[`${row.schema}.${row.name}`];
    const current = [row.inserts, row.updates, row.deletes];
    const comparable = before !== undefined && current.every((value, k) => value >= before[k]);
    row.insertsPerDay = comparable ? perDay(row.inserts, before[0]) : null;
    row.updatesPerDay = comparable ? perDay(row.updates, before[1]) : null;
    row.deletesPerDay = comparable ? perDay(row.deletes, before[2]) : null;
  }
  return { perDaySince: base.at };
}

/**
 * Rows inserted, updated and deleted per table since the statistics were reset, the busiest
 * first (the guidelines' "Review table growth"), and per day since a snapshot of the counts
 * kept by the growth card.
 */
const tableWritesCard: CardDefinition = {
  id: 'tableWrites',
  title: 'Rows written per table',
  async run(context): Promise<CardResult<TableWritesData | null>> {
    // A standby counts none of the primary's writes.
    const replica = skippedOnReplica(context.probe, "the primary's row writes");
    if (replica) return replica;
    const { rows, count } = await tableWrites(context, context.limit);
    const span = await statsSpan(context, 'tableWrites');
    const snapshots = context.snapshotFile
      ? await readSnapshots(context.snapshotFile, context.session.connection.display).catch(
          () => [],
        )
      : [];
    const now = context.clock.now();
    const base = writesBaseline(snapshots, now);
    const data: TableWritesData = {
      tables: rows,
      count,
      ...span,
      ...(base ? addPerDay(rows, base, span, now) : {}),
    };
    const since = countedSince(span);
    const reason = data.perDayNote && `No rows per day: ${data.perDayNote}.`;
    const top = rows[0];
    if (!top) return { state: 'ok', summary: `No rows written ${since}`, reason, data };
    return {
      state: 'ok',
      summary:
        `${plural(count, 'table', 'tables')} written to ${since}; busiest ` +
        `${qualified(top.schema, top.name)}: ${groupDigits(String(writesTotal(top)))} rows ` +
        `(${groupDigits(String(top.inserts))} inserted, ${groupDigits(String(top.updates))} ` +
        `updated, ${groupDigits(String(top.deletes))} deleted)`,
      reason,
      data,
    };
  },
};

interface UnusedIndex {
  schema: string;
  table: string;
  name: string;
  bytes: number;
  pretty: string;
  /**
   * Set on an index of a partitioned table: never scanned on any partition, its size theirs.
   * Only the table's index can be dropped (a partition's is part of it), never CONCURRENTLY.
   */
  partitioned?: true;
  /**
   * `drop` when dropping it is safe as far as the schema tells; `covered` when the Duplicate
   * indexes card already says to drop it; `keep` when it is the last index left supporting a
   * foreign key once the droppable ones are gone.
   */
  advice: 'drop' | 'covered' | 'keep';
  /** One line saying why, e.g. "covered by X, see Duplicate indexes". */
  note: string;
  /**
   * The statement a maintainer would run after checking no replica or rare job needs it; null
   * unless the advice is `drop`.
   */
  dropSql: string | null;
}

export interface UnusedIndexesData {
  /** Every index never scanned, with the advice for each. */
  indexes: UnusedIndex[];
  /** How many of them can be dropped (advice `drop`): the number the summary and check report. */
  droppable: number;
  /** Every index never scanned (the list holds the first `limit` of them, largest first). */
  neverScanned: number;
  /**
   * Since when the scan counters count: the database's last statistics reset, or the server's
   * start when they were never reset (counters start with the server).
   */
  statsSince: string | null;
  /** Which of the two `statsSince` is: `reset` or `serverStart`. */
  statsFrom: 'reset' | 'serverStart';
  /**
   * Whole days from `statsSince` to the run's clock. Under 7, no index is judged: each one the
   * card would drop is listed as `keep`, not yet judged, and `droppable` is 0.
   */
  statsDays: number;
  /**
   * The `limit` indexes scanned least since `statsSince`, fewest scans first, unique ones too
   * (the guidelines' weekly list): to review, not advice; only `indexes` says what to drop.
   */
  leastScanned: LeastScannedIndex[];
  /**
   * Indexes never scanned that another session holds locked (ACCESS EXCLUSIVE): their size was
   * not read and they are not judged. An index of `leastScanned` locked so has no size.
   */
  locked?: LockedRelation[];
}

interface LeastScannedIndex {
  schema: string;
  table: string;
  name: string;
  /** Index scans since `statsSince`; a partitioned table's index, its partitions' together. */
  scans: number;
  /** null while another session holds it locked (`lockedBy` says so): reading it would wait. */
  bytes: number | null;
  pretty: string | null;
  /** `locked by another session: REINDEX …` when one holds it locked (ACCESS EXCLUSIVE). */
  lockedBy?: string;
  /** A primary key, unique or exclusion index: it enforces a rule, whatever its scans. */
  constraint: boolean;
  /** A partitioned table's index, standing for its partitions' (see UnusedIndex). */
  partitioned: boolean;
}

/** The indexes scanned least, fewest first; sizes read for those listed only. */
async function readLeastScanned(context: CardContext, limit: number): Promise<LeastScannedIndex[]> {
  const rows = await context.session.query<LeastScannedIndex & { holder: string | null }>(
    'unusedIndexes',
    `SELECT l.schema, l.table, l.name, l.scans::float8 AS scans, sized.bytes::float8 AS bytes,
            pg_size_pretty(sized.bytes) AS pretty,
            (i.indisunique OR i.indisprimary OR i.indisexclusion) AS "constraint", l.partitioned,
            held.holder
       FROM (SELECT * FROM (${SCANNED_INDEXES}) AS s
              ORDER BY s.scans, s.schema, s.table, s.name LIMIT $1) AS l
       JOIN pg_index i ON i.indexrelid = l.id
      ${UNLESS_LOCKED_BYTES('l.id')}
      ORDER BY l.scans, l.schema, l.table, l.name`,
    [limit],
    context.signal,
  );
  return rows.map(withLockedBy);
}

/**
 * A row read with LOCK_HOLDER as `holder`, which stays listed while another session holds it
 * (or its table) locked: without `holder`, and with `lockedBy` when one does.
 */
function withLockedBy<T extends { schema: string; table: string; name: string }>({
  holder,
  ...row
}: T & { holder: string | null }): Omit<T, 'holder'> & { lockedBy?: string } {
  return holder === null ? row : { ...row, lockedBy: lockedBy(lockedRelation({ ...row, holder })) };
}

/**
 * `; definition not read: "by_email" on users (locked by another session: ALTER …)` for the
 * listed indexes `withLockedBy` marked, or nothing when none is.
 */
function unreadNote(
  indexes: { schema: string; table: string; name: string; lockedBy?: string }[],
  what: string,
): string {
  const unread = indexes
    .filter((index) => index.lockedBy)
    .map(
      (index) =>
        `${quoteIdent(index.name)} on ${qualified(index.schema, index.table)} (${index.lockedBy})`,
    );
  return unread.length ? `; ${what}: ${unread.join(', ')}` : '';
}

/**
 * Under this many days of counters, "never scanned" is too short a span to drop on: a weekly
 * job's index shows no scan until the job runs.
 */
const SHORT_STATS_DAYS = 7;

/** The note of an index never scanned in too short a span to judge. */
const NOT_JUDGED = 'not yet judged: the counters cover under a week';

/**
 * Since when the statistics counters of the database count (index scans, rows written), and for
 * how many days.
 */
export interface StatsSpan {
  /**
   * The database's last statistics reset, or the server's start when they were never reset
   * (counters start with the server).
   */
  statsSince: string | null;
  /** Which of the two `statsSince` is: `reset` or `serverStart`. */
  statsFrom: 'reset' | 'serverStart';
  /** Whole days from `statsSince` to the run's clock. */
  statsDays: number;
}

/** "since 2026-12-01 (4 days), when statistics were reset". */
export function countedSince(span: StatsSpan): string {
  const date = span.statsSince?.slice(0, 10) ?? 'the start';
  const when = span.statsFrom === 'reset' ? 'statistics were reset' : 'the server started';
  return `since ${date} (${plural(span.statsDays, 'day', 'days')}), when ${when}`;
}

/** "no scans since 2026-12-01 (4 days)", warning when the span is too short to judge. */
export function noScansSince(data: StatsSpan): string {
  const text = `no scans ${countedSince(data)}`;
  return data.statsDays < SHORT_STATS_DAYS
    ? `${text}: too short to judge; the counters need a week or more`
    : text;
}

/**
 * The span of the database's statistics counters. A database never reset has no stats_reset
 * (PostgreSQL 15): its counters start with the server, after a crash too, which discards them.
 * The days run to the context's clock.
 */
async function statsSpan(context: CardContext, cardId: string): Promise<StatsSpan> {
  const [span] = await context.session.query<{ reset: Date | null; started: Date }>(
    cardId,
    `SELECT d.stats_reset AS reset, pg_postmaster_start_time() AS started
       FROM pg_stat_database d WHERE d.datname = current_database()`,
    undefined,
    context.signal,
  );
  const countedFrom = span?.reset ?? span?.started ?? null;
  return {
    statsSince: iso(countedFrom),
    statsFrom: span?.reset ? 'reset' : 'serverStart',
    statsDays: statsDaysUntil(countedFrom, context.clock.now()),
  };
}

/**
 * Whole days the scan counters cover, from their start to the run's clock rather than the
 * server's now, so a test can judge a new server's counters a month on. A clock behind the
 * server's counts no days.
 */
function statsDaysUntil(since: Date | null, now: Date): number {
  if (!since) return 0;
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / 86_400_000));
}

/**
 * SQL: index `i` leads with exactly the columns of foreign key `c`, in any order, so it serves
 * the lookups a delete or update of a referenced row makes.
 */
const LEADS_WITH_FOREIGN_KEY =
  "(string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey AND " +
  "(string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey";

/** A foreign key with the indexes whose leading columns are exactly its columns. */
interface ForeignKeySupport {
  schema: string;
  table: string;
  constraint: string;
  columns: string[];
  supporting: string[];
}

/**
 * Foreign keys on the given tables and the indexes that support each (see
 * foreignKeysWithoutIndex).
 */
async function foreignKeySupport(
  { session, signal }: CardContext,
  tables: string[],
): Promise<ForeignKeySupport[]> {
  return session.query<ForeignKeySupport>(
    'unusedIndexes',
    `SELECT n.nspname AS schema, t.relname AS table, c.conname AS constraint,
            array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                   ORDER BY k.ord) AS columns,
            array(SELECT ci.relname::text FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
                   WHERE i.indrelid = c.conrelid AND i.indpred IS NULL AND i.indisvalid
                     AND ${LEADS_WITH_FOREIGN_KEY}
                   ORDER BY ci.relname) AS supporting
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND (n.nspname || '.' || t.relname) = ANY($1::text[])
      ORDER BY 1, 2, 3`,
    [tables],
    signal,
  );
}

/**
 * Decides, largest first, which unused indexes can go: not one the Duplicate indexes card
 * already drops (that card owns the advice), and not one whose drop would leave a foreign key
 * without any supporting index once the duplicates and the indexes dropped before it are gone.
 * Following this card and the Duplicate indexes card together never unindexes a foreign key.
 * Unless the counters are long enough to judge (`judged`), none can go: each that would is kept,
 * not yet judged, and counts as staying for the foreign keys.
 */
function adviseUnusedIndexes(
  unused: Omit<UnusedIndex, 'advice' | 'note' | 'dropSql'>[],
  duplicates: Pick<DuplicateIndex, 'schema' | 'name' | 'coveredBy'>[],
  foreignKeys: ForeignKeySupport[],
  judged: boolean,
): { indexes: UnusedIndex[]; notJudged: number } {
  const key = (schema: string, name: string): string => `${schema}.${name}`;
  const duplicateOf = new Map(duplicates.map((d) => [key(d.schema, d.name), d.coveredBy]));
  const dropped = new Set(duplicateOf.keys());
  let notJudged = 0;
  const indexes = unused.map((row): UnusedIndex => {
    const coveredBy = duplicateOf.get(key(row.schema, row.name));
    if (coveredBy !== undefined) {
      return {
        ...row,
        advice: 'covered',
        note: `covered by ${quoteIdent(coveredBy)}, see Duplicate indexes`,
        dropSql: null,
      };
    }
    const orphaned = foreignKeys.filter(
      (fk) =>
        fk.schema === row.schema &&
        fk.supporting.includes(row.name) &&
        !fk.supporting.some((other) => other !== row.name && !dropped.has(key(fk.schema, other))),
    );
    if (orphaned.length > 0) {
      const names = orphaned.map((fk) => `${fk.table}.${fk.columns.join(', ')}`).join('; ');
      return {
        ...row,
        advice: 'keep',
        note: `keep: it is the last index supporting the foreign key ${names}`,
        dropSql: null,
      };
    }
    const never = row.partitioned ? 'never scanned on any partition' : 'never scanned';
    if (!judged) {
      notJudged++;
      return { ...row, advice: 'keep', note: `${never}, ${NOT_JUDGED}`, dropSql: null };
    }
    dropped.add(key(row.schema, row.name));
    return { ...row, advice: 'drop', note: never, dropSql: dropIndexSql(row) };
  });
  return { indexes, notJudged };
}

/**
 * The statement that drops an index: CONCURRENTLY, except for a partitioned table's index,
 * which PostgreSQL drops only with ACCESS EXCLUSIVE locks on the table and its partitions.
 */
function dropIndexSql(index: { schema: string; name: string; partitioned?: boolean }): string {
  const name = qualified(index.schema, index.name);
  return index.partitioned
    ? `DROP INDEX ${name}; (a partitioned index: it locks the table and every partition)`
    : `DROP INDEX CONCURRENTLY ${name};`;
}

/**
 * SQL: the indexes to judge by their scans, as (schema, table, name, id, scans, partitioned):
 * each plain index, and each partitioned table's index with the scans of the partitions'
 * indexes attached to it (pg_inherits, up to the topmost one), which are not listed apart. No
 * size: pg_relation_size is volatile, so a size here would be read for every index, not only
 * those a card keeps (TREE_BYTES reads it for those, a partitioned one's as its partitions').
 */
const SCANNED_INDEXES = `
  WITH RECURSIVE attached AS (
    SELECT i.inhrelid AS leaf, i.inhparent AS root
      FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent AND p.relkind = 'I'
    UNION ALL
    SELECT a.leaf, i.inhparent FROM attached a JOIN pg_inherits i ON i.inhrelid = a.root),
  topmost AS (
    SELECT a.leaf, a.root FROM attached a
     WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = a.root))
  SELECT s.schemaname AS schema, s.relname AS "table", s.indexrelname AS name,
         s.indexrelid AS id, s.idx_scan AS scans, false AS partitioned
    FROM pg_stat_user_indexes s
   WHERE s.indexrelid NOT IN (SELECT leaf FROM topmost)
  UNION ALL
  SELECT n.nspname, t.relname, ci.relname, x.root, sum(s.idx_scan), true
    FROM topmost x JOIN pg_stat_user_indexes s ON s.indexrelid = x.leaf
    JOIN pg_class ci ON ci.oid = x.root
    JOIN pg_index pi ON pi.indexrelid = x.root
    JOIN pg_class t ON t.oid = pi.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   GROUP BY n.nspname, t.relname, ci.relname, x.root`;

/** How many droppable indexes the Unused indexes card's reason names; the fixes have them all. */
const UNUSED_NAMED = 5;

const unusedIndexes: CardDefinition = {
  id: 'unusedIndexes',
  title: 'Unused indexes',
  async run(context): Promise<CardResult<UnusedIndexesData | null>> {
    const { session, signal, limit } = context;
    // Never scanned on a standby says nothing of the primary: no DROP INDEX from that.
    const replica = skippedOnReplica(context.probe, "the primary's index scans");
    if (replica) return replica;
    // The largest `limit` never scanned, and every locked one never scanned, left out of the
    // advice: its size is not read, as it would wait for the lock.
    const read = await session.query<
      Omit<UnusedIndex, 'advice' | 'note' | 'dropSql' | 'partitioned'> & {
        partitioned: boolean;
        holder: string | null;
      } & Counted
    >(
      'unusedIndexes',
      `SELECT x.schema, x.table, x.name, x.bytes, x.pretty, x.partitioned, x.holder, x.count
         FROM (SELECT s.schema, s.table, s.name, sized.bytes::float8 AS bytes,
                      pg_size_pretty(sized.bytes) AS pretty, s.partitioned, held.holder,
                      (count(*) OVER ())::int AS count,
                      row_number() OVER (ORDER BY sized.bytes DESC NULLS LAST, s.schema, s.name)
                        AS rank
                 FROM (${SCANNED_INDEXES}) AS s JOIN pg_index i ON i.indexrelid = s.id
                 ${UNLESS_LOCKED_BYTES('s.id')}
                WHERE s.scans = 0 AND NOT i.indisunique AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.id)) x
        WHERE x.holder IS NOT NULL OR x.rank <= $1
        ORDER BY x.rank`,
      [limit],
      signal,
    );
    const neverScanned = read[0]?.count ?? 0;
    const rows = read
      .filter((row) => row.holder === null)
      .map(({ partitioned, count: _count, holder: _holder, ...row }) =>
        partitioned ? { ...row, partitioned: true as const } : row,
      );
    const locked = read.filter((row) => row.holder !== null).map(lockedRelation);
    const leftOut = lockedNote(locked, 'index', 'never scanned, size not read');
    const stats = {
      ...(await statsSpan(context, 'unusedIndexes')),
      leastScanned: await readLeastScanned(context, limit),
      locked,
    };
    if (rows.length === 0) {
      return {
        state: 'ok',
        summary: (locked.length ? 'No other index unused' : 'Every index has been used') + leftOut,
        data: { indexes: [], droppable: 0, neverScanned, ...stats },
      };
    }

    // Every covered index, not just the Duplicate indexes card's first `limit`: each one is
    // advice to drop, so each one counts as gone.
    const { indexes: duplicates } = await readDuplicateIndexes(context, DUPLICATES_FOR_ADVICE);
    const tables = [...new Set(rows.map((row) => `${row.schema}.${row.table}`))];
    const { indexes: list, notJudged } = adviseUnusedIndexes(
      rows,
      duplicates,
      await foreignKeySupport(context, tables),
      stats.statsDays >= SHORT_STATS_DAYS,
    );
    const droppable = list.filter((row) => row.advice === 'drop');
    const data = { indexes: list, droppable: droppable.length, neverScanned, ...stats };
    // The advice is the listed indexes' own: the others are only counted.
    const inAll =
      neverScanned > list.length + locked.length
        ? `; ${neverScanned} never scanned in all${firstListed(list.length, neverScanned)}`
        : '';
    const since = noScansSince(stats);
    const sinceText = `; ${since}`;
    const sinceNote = `(${since})`;
    const covered = list.filter((row) => row.advice === 'covered').length;
    const kept = list.filter((row) => row.advice === 'keep').length - notJudged;
    const others = [
      covered ? `${covered} already on Duplicate indexes` : '',
      kept ? `${kept} kept for a foreign key` : '',
      notJudged ? `${notJudged} not yet judged` : '',
    ].filter(Boolean);
    // Said as never scanned too, so "1 index never scanned (…)" does not read as 1 of 3.
    const also = droppable.length ? 'also ' : '';
    const rest = others.length ? ` (${also}never scanned: ${others.join(', ')})` : '';
    if (droppable.length === 0) {
      // The check passes on this card: its details say why it holds back.
      const holdsBack = notJudged
        ? 'No DROP INDEX before the scan counters cover a week or more: an index that a ' +
          'weekly or monthly job needs shows no scan until that job runs. '
        : '';
      return {
        state: 'ok',
        summary: `No index to drop${rest}${inAll}${sinceText}${leftOut}`,
        reason: holdsBack + list.map((row) => `${quoteIdent(row.name)}: ${row.note}`).join('; '),
        data,
      };
    }
    // The summary names the largest, the reason each (up to a few): a fix of DROP INDEX for an
    // index the text never named read as a surprise.
    const named = droppable
      .slice(0, UNUSED_NAMED)
      .map((row) => `${quoteIdent(row.name)} on ${row.table} (${row.pretty})`);
    const andMore = (count: number): string => (count > 0 ? ` and ${count} more` : '');
    return {
      state: 'warn',
      summary:
        `${plural(droppable.length, 'index', 'indexes')} never scanned: ` +
        `${quoteIdent(droppable[0].name)}${andMore(droppable.length - 1)}${rest}${inAll}` +
        sinceText +
        leftOut,
      reason:
        `Never scanned: ${named.join(', ')}${andMore(droppable.length - named.length)}. ` +
        'An index never scanned costs writes and space; ' +
        'check replicas and rare jobs before dropping it.' +
        list
          .filter((row) => row.advice !== 'drop')
          .map((row) => ` ${quoteIdent(row.name)}: ${row.note}.`)
          .join(''),
      // Each statement says how long the counters cover, as a maintainer copies it alone.
      fix: `${droppable[0].dropSql} ${sinceNote}`,
      fixes: several(droppable.map((row) => `${row.dropSql} ${sinceNote}`)),
      data,
    };
  },
};

/** Duplicate indexes read for the unused-index advice; far more than any real schema has. */
const DUPLICATES_FOR_ADVICE = 1000;

export interface DuplicateIndex {
  schema: string;
  table: string;
  /** The index whose columns another index already leads with. */
  name: string;
  coveredBy: string;
  /** Key columns, "service_id". */
  columns: string;
  /** The covering index's key columns, "service_id, starts_at". */
  coveringColumns: string;
  bytes: number;
  pretty: string;
  /** Set on a partitioned table's index (see UnusedIndex). */
  partitioned?: true;
  dropSql: string;
}

/** An index's key columns as "service_id, starts_at" (its definition is the fix's business). */
const KEY_COLUMNS = (index: string): string =>
  `array_to_string(array(SELECT pg_get_indexdef(${index}.indexrelid, k, true)
                           FROM generate_series(1, ${index}.indnkeyatts) AS k ORDER BY k), ', ')`;

/** Indexes covered by another (largest first), shared by the duplicate and unused cards. */
async function readDuplicateIndexes(
  context: CardContext,
  limit: number,
): Promise<{ indexes: DuplicateIndex[]; locked: LockedRelation[] }> {
  // An index is covered when another one on the same table, with the same access method,
  // starts with the same columns in the same operator classes and collations (and, if it is
  // unique, has exactly them).
  // A partition's index attached to its table's index is judged with that one: only the
  // partitioned table's index can be dropped, its size the sum of its partitions'. One whose
  // table or index another session holds locked is left out (its size and columns unread).
  const read = await context.session.query<
    Omit<DuplicateIndex, 'dropSql' | 'partitioned'> & {
      partitioned: boolean;
      holder: string | null;
    }
  >(
    'duplicateIndexes',
    `SELECT x.schema, x.table, x.name, x."coveredBy", x.columns, x."coveringColumns", x.bytes,
            x.pretty, x.partitioned, x.holder
       FROM (
       SELECT n.nspname AS schema, t.relname AS table, ca.relname AS name,
              cb.relname AS "coveredBy",
              CASE WHEN held.holder IS NULL THEN ${KEY_COLUMNS('a')} END AS columns,
              CASE WHEN held.holder IS NULL THEN ${KEY_COLUMNS('b')} END AS "coveringColumns",
              sized.bytes::float8 AS bytes, pg_size_pretty(sized.bytes) AS pretty,
              ca.relkind = 'I' AS partitioned, held.holder,
              row_number() OVER (ORDER BY sized.bytes DESC NULLS LAST, n.nspname, ca.relname)
                AS rank
         FROM pg_index a
         JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
         JOIN pg_class ca ON ca.oid = a.indexrelid
         JOIN pg_class cb ON cb.oid = b.indexrelid
         JOIN pg_class t ON t.oid = a.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         ${UNLESS_LOCKED_BYTES('a.indexrelid', 't.oid')}
        WHERE ${USER_SCHEMAS}
          AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = a.indexrelid)
          AND ca.relam = cb.relam AND b.indisvalid AND NOT a.indisprimary
          AND a.indpred IS NULL AND b.indpred IS NULL AND a.indexprs IS NULL AND b.indexprs IS NULL
          AND (b.indkey::text || ' ') LIKE (a.indkey::text || ' %')
          AND (b.indclass::text || ' ') LIKE (a.indclass::text || ' %')
          AND (b.indcollation::text || ' ') LIKE (a.indcollation::text || ' %')
          AND (NOT a.indisunique OR (b.indisunique AND a.indkey::text = b.indkey::text))
          AND (a.indkey::text <> b.indkey::text OR b.indisprimary
               OR (b.indisunique AND NOT a.indisunique)
               OR (a.indisunique = b.indisunique AND a.indexrelid > b.indexrelid))) x
      WHERE x.holder IS NOT NULL OR x.rank <= $1
      ORDER BY x.rank`,
    [limit],
    context.signal,
  );
  const indexes = oncePerIndex(read.filter((row) => row.holder === null)).map(
    ({ partitioned, holder: _holder, ...row }) => ({
      ...row,
      ...(partitioned ? { partitioned: true as const } : {}),
      dropSql: dropIndexSql({ ...row, partitioned }),
    }),
  );
  // An index covered by two others is one row each: named once.
  const seen = new Set<string>();
  const locked = read
    .filter((row) => row.holder !== null && !seen.has(`${row.schema}.${row.name}`))
    .map((row) => (seen.add(`${row.schema}.${row.name}`), lockedRelation(row)));
  return { indexes, locked };
}

/**
 * One row per index, in the order read: an index covered by two others (two copies of a primary
 * key) is one row each, and was counted twice, with its DROP INDEX twice, the second one failing.
 * The cover kept is one that stays, not itself listed to drop, so that the reason holds once
 * the fixes have run.
 */
function oncePerIndex<T extends { schema: string; name: string; coveredBy: string }>(
  rows: T[],
): T[] {
  const key = (schema: string, name: string): string => `${schema}\u0000${name}`;
  const listed = new Set(rows.map((row) => key(row.schema, row.name)));
  const chosen = new Map<string, T>();
  for (const row of rows) {
    const at = key(row.schema, row.name);
    const before = chosen.get(at);
    if (
      !before ||
      (listed.has(key(before.schema, before.coveredBy)) &&
        !listed.has(key(row.schema, row.coveredBy)))
    ) {
      chosen.set(at, row);
    }
  }
  return [...chosen.values()];
}

/**
 * SQL: index `oid` and, for a partitioned table's index (which has no storage), the partitions'
 * indexes attached to it at any level, found through pg_inherits, which locks nothing.
 */
const INDEX_TREE = (oid: string): string =>
  `WITH RECURSIVE tree AS (SELECT ${oid} AS oid
                            UNION ALL
                            SELECT h.inhrelid FROM pg_inherits h
                              JOIN tree ON h.inhparent = tree.oid)
   SELECT tree.oid FROM tree`;

/** SQL: the bytes of index `oid`, a partitioned one's its partitions' (see INDEX_TREE). */
const TREE_BYTES = (oid: string): string =>
  `(SELECT sum(pg_relation_size(x.oid)) FROM (${INDEX_TREE(oid)}) AS x)`;

/**
 * SQL, in a FROM list after the index `oid` is known: `held.holder`, the query of the session
 * that holds it (or a partition's index attached to it, or `table` when given) locked (see
 * LOCK_HOLDER), and `sized.bytes`, its size, read only when none does (reading it would wait
 * for the lock), else NULL.
 */
const UNLESS_LOCKED_BYTES = (oid: string, table?: string): string => {
  const relations =
    `SELECT x.oid FROM (${INDEX_TREE(oid)}) AS x` + (table ? ` UNION ALL SELECT ${table}` : '');
  return `CROSS JOIN LATERAL (SELECT ${LOCK_HOLDER(relations)} AS holder) held
   CROSS JOIN LATERAL (SELECT CASE WHEN held.holder IS NULL THEN ${TREE_BYTES(oid)} END
                         AS bytes) sized`;
};

const duplicateIndexes: CardDefinition = {
  id: 'duplicateIndexes',
  title: 'Duplicate indexes',
  async run(
    context,
  ): Promise<CardResult<{ indexes: DuplicateIndex[]; locked?: LockedRelation[] }>> {
    const { indexes: list, locked } = await readDuplicateIndexes(context, context.limit);
    const leftOut = lockedNote(locked, 'index', 'not judged');
    if (list.length === 0) {
      return {
        state: 'ok',
        summary: 'No index is covered by another' + leftOut,
        data: { indexes: [], locked },
      };
    }
    return {
      state: 'warn',
      summary: `${plural(list.length, 'index', 'indexes')} covered by another index${leftOut}`,
      reason: `${quoteIdent(list[0].name)} is covered by ${quoteIdent(list[0].coveredBy)}.`,
      fix: list[0].dropSql,
      fixes: several(list.map((row) => row.dropSql)),
      data: { indexes: list, locked },
    };
  },
};

export interface InvalidIndex {
  schema: string;
  table: string;
  name: string;
  /** null while another session holds its table locked (`lockedBy` says so): it would wait. */
  definition: string | null;
  /** `locked by another session: ALTER TABLE …` when one holds its table (ACCESS EXCLUSIVE). */
  lockedBy?: string;
  reindexSql: string;
}

const invalidIndexes: CardDefinition = {
  id: 'invalidIndexes',
  title: 'Invalid indexes',
  async run({ session, signal, probe, surface }): Promise<CardResult<{ indexes: InvalidIndex[] }>> {
    const read = await session.query<Omit<InvalidIndex, 'reindexSql'> & { holder: string | null }>(
      'invalidIndexes',
      `SELECT n.nspname AS schema, t.relname AS table, c.relname AS name,
              CASE WHEN held.holder IS NULL THEN pg_get_indexdef(i.indexrelid) END AS definition,
              held.holder
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN LATERAL (SELECT ${LOCK_HOLDER('t.oid')} AS holder) held
        WHERE NOT i.indisvalid AND ${USER_SCHEMAS}
        ORDER BY 1, 3`,
      undefined,
      signal,
    );
    const rows = read.map(withLockedBy);
    const concurrently = probe.serverVersionNum >= 120000 ? ' CONCURRENTLY' : '';
    const list = rows.map((row) => ({
      ...row,
      reindexSql: `REINDEX INDEX${concurrently} ${qualified(row.schema, row.name)};`,
    }));
    if (list.length === 0) {
      return { state: 'ok', summary: 'No invalid index', data: { indexes: [] } };
    }
    return {
      state: 'warn',
      summary:
        `${plural(list.length, 'invalid index', 'invalid indexes')} ` +
        '(a failed CREATE INDEX CONCURRENTLY?)' +
        unreadNote(list, 'definition not read'),
      reason:
        'An invalid index is maintained on every write but never used by queries.' +
        (list.length > 1 ? ` ${runThem(surface)}` : ''),
      fix: `${list[0].reindexSql} ${runIt(surface)}`,
      fixes: several(list.map((row) => row.reindexSql)),
      data: { indexes: list },
    };
  },
};

export interface ForeignKeyWithoutIndex {
  schema: string;
  table: string;
  constraint: string;
  columns: string[];
  references: string;
  /** Set on a partitioned table's key: its partitions' copies of it are not listed apart. */
  partitioned?: true;
  /** Invalid indexes on its columns (a failed CREATE INDEX CONCURRENTLY): they count as none. */
  invalidIndexes: string[];
  createSql: string;
}

const foreignKeysWithoutIndex: CardDefinition = {
  id: 'foreignKeysWithoutIndex',
  title: 'Foreign keys without an index',
  async run({
    session,
    signal,
    limit,
  }): Promise<CardResult<{ foreignKeys: ForeignKeyWithoutIndex[]; count: number }>> {
    // A partition's copy of its table's key (conparentid) is left out: the table's index,
    // created once, is created on every partition.
    const rows = await session.query<
      Omit<ForeignKeyWithoutIndex, 'createSql' | 'partitioned'> & Counted & { partitioned: boolean }
    >(
      'foreignKeysWithoutIndex',
      `SELECT n.nspname AS schema, t.relname AS table, c.conname AS constraint,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                     ORDER BY k.ord) AS columns,
              c.confrelid::regclass::text AS references,
              array(SELECT ci.relname::text FROM pg_index i
                      JOIN pg_class ci ON ci.oid = i.indexrelid
                     WHERE i.indrelid = c.conrelid AND NOT i.indisvalid
                       AND ${LEADS_WITH_FOREIGN_KEY}
                     ORDER BY ci.relname) AS "invalidIndexes",
              t.relkind = 'p' AS partitioned,
              (count(*) OVER ())::int AS count
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND c.conparentid = 0 AND ${USER_SCHEMAS}
          AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = c.conrelid AND i.indpred IS NULL AND i.indisvalid
                   AND ${LEADS_WITH_FOREIGN_KEY})
        ORDER BY 1, 2, 3
        LIMIT $1`,
      [limit],
      signal,
    );
    const count = rows[0]?.count ?? 0;
    const list = rows.map(({ count: _count, partitioned, ...row }) => {
      const columns = `(${row.columns.map(quoteIdent).join(', ')})`;
      const table = qualified(row.schema, row.table);
      // PostgreSQL builds a partitioned table's index only without CONCURRENTLY.
      return partitioned
        ? {
            ...row,
            partitioned: true as const,
            createSql:
              `CREATE INDEX ON ${table} ${columns}; (a partitioned table: it locks the table ` +
              'and every partition while it builds; without blocking: CREATE INDEX ON ONLY, ' +
              'then CONCURRENTLY on each partition and ALTER INDEX … ATTACH PARTITION)',
          }
        : { ...row, createSql: `CREATE INDEX CONCURRENTLY ON ${table} ${columns};` };
    });
    if (list.length === 0) {
      return {
        state: 'ok',
        summary: 'Every foreign key has an index',
        data: { foreignKeys: [], count },
      };
    }
    // Named as its fix names it, as Unused indexes names its index: the count alone left the
    // alert, the tree and the CLI's table without the table to look at.
    const [first] = list;
    const keyColumns = first.columns.map(quoteIdent).join(', ');
    const named = `${qualified(first.schema, first.table)} (${keyColumns})`;
    return {
      state: 'warn',
      summary:
        `${plural(count, 'foreign key', 'foreign keys')} without an index: ${named}` +
        `${count > 1 ? ` and ${count - 1} more` : ''}${firstListed(list.length, count)}`,
      reason:
        'Deleting or updating a referenced row scans the whole referencing table without one.' +
        (list.some((row) => row.invalidIndexes.length > 0)
          ? ' An invalid index on the columns (a failed CREATE INDEX CONCURRENTLY) is never ' +
            'used: see Invalid indexes.'
          : ''),
      fix: list[0].createSql,
      fixes: several(list.map((row) => row.createSql)),
      data: { foreignKeys: list, count },
    };
  },
};

export interface SeqScanTable {
  schema: string;
  name: string;
  seqScans: number;
  indexScans: number;
  /** Share of scans that were sequential, 0..1. */
  seqShare: number;
  liveRows: number;
  rowsReadBySeqScans: number;
}

const MIN_ROWS_FOR_SEQ_SCAN_WARNING = 10_000;
/**
 * Scans (sequential and index) a table needs before its share of sequential ones is judged. A
 * share of a handful of scans means nothing, and Upkeep's own reads move it: Highest key values
 * reads each sequence-fed key from the end of its index, an index scan, so a table at "67 % of
 * 3 scans were sequential" lost its warning after three refreshes of the dashboard. That card
 * now reads a key again only after its table was written to (HIGHEST_READ), and past this many
 * scans one read moves the share by a point at most. The card says the minimum, as it says the
 * minimum size.
 */
const MIN_SCANS_FOR_SEQ_SCAN_WARNING = 100;

const seqScans: CardDefinition = {
  id: 'seqScans',
  title: 'Tables read by sequential scans',
  async run({
    session,
    signal,
    limit,
    probe,
    surface,
  }): Promise<CardResult<{ tables: SeqScanTable[]; minRows: number; minScans: number }>> {
    // A standby's scans are its own reads, worth knowing, but it counts no live rows (0): the
    // primary's estimate, which reaches it with the catalog, stands in.
    const live = probe.replica ? 'greatest(c.reltuples, 0)' : 's.n_live_tup';
    const rows = await session.query<SeqScanTable>(
      'seqScans',
      `SELECT s.schemaname AS schema, s.relname AS name, s.seq_scan::float8 AS "seqScans",
              coalesce(s.idx_scan, 0)::float8 AS "indexScans",
              (s.seq_scan::float8 / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0))::float8
                AS "seqShare",
              ${live}::float8 AS "liveRows", s.seq_tup_read::float8 AS "rowsReadBySeqScans"
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE ${live} >= $2 AND s.seq_scan > coalesce(s.idx_scan, 0)
          AND s.seq_scan + coalesce(s.idx_scan, 0) >= $3
        ORDER BY s.seq_tup_read DESC
        LIMIT $1`,
      [limit, MIN_ROWS_FOR_SEQ_SCAN_WARNING, MIN_SCANS_FOR_SEQ_SCAN_WARNING],
      signal,
    );
    const data = {
      tables: rows,
      minRows: MIN_ROWS_FOR_SEQ_SCAN_WARNING,
      minScans: MIN_SCANS_FOR_SEQ_SCAN_WARNING,
    };
    const judged =
      `${MIN_ROWS_FOR_SEQ_SCAN_WARNING.toLocaleString('en')}+ rows and ` +
      `${MIN_SCANS_FOR_SEQ_SCAN_WARNING}+ scans`;
    if (rows.length === 0) {
      return {
        state: 'ok',
        summary: `No table of ${judged} is read mostly by sequential scans`,
        data,
      };
    }
    return {
      state: 'warn',
      summary:
        `${plural(rows.length, 'table', 'tables')} of ${judged} ` +
        'read mostly by sequential scans',
      reason:
        `${quoteIdent(rows[0].name)}: ${Math.round(rows[0].seqShare * 100)} % of ` +
        `${plural(rows[0].seqScans + rows[0].indexScans, 'scan', 'scans')} were sequential.`,
      fix:
        surface === 'cli'
          ? 'Find the queries with "Slowest queries" and check their plans with EXPLAIN ' +
            '(in the editor, "Upkeep: Explain Query"); an index on their WHERE columns may help.'
          : 'Find the queries with "Slowest queries" and check them with "Upkeep: Explain ' +
            'Query"; an index on their WHERE columns may help.',
      data,
    };
  },
};

interface VacuumTable {
  schema: string;
  name: string;
  deadRows: number;
  liveRows: number;
  /** dead / (live + dead), 0..1. */
  deadShare: number;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  /** False when the table has autovacuum_enabled = false: only a manual VACUUM cleans it. */
  autovacuumEnabled: boolean;
}

export interface VacuumData {
  /** The tables with the most dead rows. */
  tables: VacuumTable[];
  /** Whether autovacuum runs on this server: autovacuum and track_counts both on. */
  autovacuum: boolean;
  /** Every table of the app's schemas with autovacuum_enabled = false, most dead rows first. */
  autovacuumDisabled: { schema: string; name: string; deadRows: number }[];
  /**
   * The oldest transaction VACUUM must keep rows for in this database (null when none, or this
   * role may not see it): no row deleted after it began can be removed until it ends.
   */
  oldestSnapshot: SnapshotHolder | null;
}

export interface SnapshotHolder {
  /** A session of this database, a prepared transaction, a replication slot or a standby. */
  kind: 'session' | 'prepared' | 'slot' | 'replica';
  /** The pid, the gid, the slot's name or the standby's application name. */
  name: string;
  /** Age of its transaction ID or snapshot (its xmin), in transactions. */
  transactions: number;
  /** Seconds its transaction has been open; null for a slot or a standby. */
  ageSeconds: number | null;
  /** A session's state; `active` or `inactive` for a slot; a standby's. */
  state: string | null;
  /** The session's application, the prepared transaction's owner. */
  by: string | null;
}

/**
 * SQL: who holds this database's xmin horizon, oldest first: sessions of this database (their
 * snapshot or transaction ID), prepared transactions of it, replication slots and standbys with
 * hot_standby_feedback (theirs hold every database). A role without pg_read_all_stats sees no
 * snapshot of other roles' sessions.
 */
const SNAPSHOT_HOLDERS = `
  SELECT kind, name, transactions, "ageSeconds", state, by FROM (
    SELECT 'session' AS kind, a.pid::text AS name,
           greatest(age(a.backend_xmin), age(a.backend_xid))::float8 AS transactions,
           coalesce(age(a.backend_xid), 0)::float8 AS own,
           extract(epoch FROM now() - a.xact_start)::float8 AS "ageSeconds", a.state,
           coalesce(nullif(a.application_name, ''), a.usename::text) AS by
      FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
       AND (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL)
       -- A plain VACUUM's snapshot, autovacuum's too, is one PostgreSQL leaves out of the
       -- horizon; VACUUM FULL's is not.
       AND a.backend_type IS DISTINCT FROM 'autovacuum worker'
       AND NOT (a.state = 'active'
                AND coalesce(a.query, '') ~* '^\\s*(/\\*.*?\\*/\\s*)*vacuum\\M'
                AND coalesce(a.query, '') !~* '\\mfull\\M')
    UNION ALL
    SELECT 'prepared', p.gid, age(p.transaction)::float8, age(p.transaction)::float8,
           extract(epoch FROM now() - p.prepared)::float8, NULL, p.owner::text
      FROM pg_prepared_xacts p WHERE p.database = current_database()
    UNION ALL
    SELECT 'slot', s.slot_name::text, age(s.xmin)::float8, 0, NULL,
           CASE WHEN s.active THEN 'active' ELSE 'inactive' END, NULL
      FROM pg_replication_slots s WHERE s.xmin IS NOT NULL
    UNION ALL
    SELECT 'replica', coalesce(nullif(r.application_name, ''), r.client_addr::text, r.pid::text),
           age(r.backend_xmin)::float8, 0, NULL, r.state, NULL
      FROM pg_stat_replication r WHERE r.backend_xmin IS NOT NULL) AS holders
  -- Sessions whose snapshots only saw the oldest transaction running tie with it: the one
  -- whose own transaction ID it is (the root, the others often wait for it) comes first.
  ORDER BY transactions DESC, own DESC, "ageSeconds" DESC NULLS LAST, kind, name
  LIMIT 1`;

/** What holds the horizon, in words, and the statement that ends it (null for a standby). */
function snapshotHolderText(
  holder: SnapshotHolder,
  probe: Probe,
): { text: string; fix: string | null } {
  const age = (seconds: number | null): string =>
    seconds === null ? '' : `, open ${Math.round(seconds)} s`;
  switch (holder.kind) {
    case 'session':
      return {
        // pg_stat_activity shows another role's snapshot, not its state or times, to a role
        // without pg_read_all_stats.
        text:
          `pid ${holder.name} (${holder.by ?? 'unknown'}, ` +
          (holder.state === null
            ? `its state and age hidden from role ${probe.role})`
            : `${holder.state}${age(holder.ageSeconds)})`),
        fix: stopSession(Number(holder.name), holder.state),
      };
    case 'prepared':
      return {
        text:
          `prepared transaction ${quoteLiteral(holder.name)} ` +
          `(by ${holder.by ?? 'unknown'}${age(holder.ageSeconds)})`,
        fix: rollbackPrepared(
          {
            gid: holder.name,
            owner: holder.by ?? '',
            database: probe.database,
            ageSeconds: holder.ageSeconds ?? 0,
          },
          probe,
        ),
      };
    case 'slot':
      return {
        text:
          `replication slot ${holder.name} ` +
          `(${holder.state ?? 'state unknown'}, its standby's hot_standby_feedback)`,
        fix:
          holder.state === 'inactive'
            ? `SELECT pg_drop_replication_slot(${quoteLiteral(holder.name)});`
            : null,
      };
    case 'replica':
      return {
        text: `standby ${holder.name} (hot_standby_feedback: its own long queries)`,
        fix: null,
      };
  }
}

/** Dead rows past which a table warns, with DEAD_SHARE of its rows dead. */
const DEAD_ROWS = 1000;
const DEAD_SHARE = 0.2;

/** SQL: the storage options of relation `c` turn autovacuum off (`autovacuum_enabled = off`). */
const AUTOVACUUM_DISABLED = (c: string): string =>
  `EXISTS (SELECT 1 FROM pg_options_to_table(${c}.reloptions) o
            WHERE o.option_name = 'autovacuum_enabled' AND NOT o.option_value::boolean)`;

/** "autovacuum does not run on this server (track_counts = off)" and what turns it on. */
function serverAutovacuumOff(settings: { autovacuum: boolean; trackCounts: boolean }): {
  text: string;
  fix: string;
} {
  const off = [
    settings.autovacuum ? '' : 'autovacuum',
    settings.trackCounts ? '' : 'track_counts',
  ].filter(Boolean);
  return {
    text:
      'autovacuum does not run on this server ' +
      `(${off.map((name) => `${name} = off`).join(', ')})`,
    fix:
      `${off.map((name) => `ALTER SYSTEM SET ${name} = on;`).join(' ')} SELECT pg_reload_conf(); ` +
      "(or the provider's parameter group)",
  };
}

const vacuum: CardDefinition = {
  id: 'vacuum',
  title: 'Dead rows and vacuum',
  async run({
    session,
    signal,
    limit,
    probe,
    longRunningSeconds,
    surface,
  }): Promise<CardResult<VacuumData | null>> {
    const replica = skippedOnReplica(probe, "the primary's dead rows and vacuums");
    if (replica) return replica;
    const rows = await session.query<VacuumTable>(
      'vacuum',
      `SELECT s.schemaname AS schema, s.relname AS name, s.n_dead_tup::float8 AS "deadRows",
              (${ROW_ESTIMATE('c')})::float8 AS "liveRows",
              coalesce(
                s.n_dead_tup::float8 / nullif((${ROW_ESTIMATE('c')}) + s.n_dead_tup, 0), 0
              )::float8 AS "deadShare",
              s.last_vacuum AS "lastVacuum", s.last_autovacuum AS "lastAutovacuum",
              s.last_analyze AS "lastAnalyze", s.last_autoanalyze AS "lastAutoanalyze",
              NOT ${AUTOVACUUM_DISABLED('c')} AS "autovacuumEnabled"
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        ORDER BY s.n_dead_tup DESC, 1, 2
        LIMIT $1`,
      [limit],
      signal,
    );
    const disabled = await session.query<VacuumData['autovacuumDisabled'][number]>(
      'vacuum',
      `SELECT n.nspname AS schema, c.relname AS name,
              coalesce(pg_stat_get_dead_tuples(c.oid), 0)::float8 AS "deadRows"
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm') AND ${USER_SCHEMAS} AND ${AUTOVACUUM_DISABLED('c')}
        ORDER BY 3 DESC, 1, 2`,
      undefined,
      signal,
    );
    const [settings] = await session.query<{ autovacuum: boolean; trackCounts: boolean }>(
      'vacuum',
      `SELECT current_setting('autovacuum')::boolean AS autovacuum,
              current_setting('track_counts')::boolean AS "trackCounts"`,
      undefined,
      signal,
    );
    const [holder] = await session.query<SnapshotHolder>(
      'vacuum',
      SNAPSHOT_HOLDERS,
      undefined,
      signal,
    );
    const data: VacuumData = {
      tables: rows.map((row) => ({
        ...row,
        lastVacuum: iso(row.lastVacuum),
        lastAutovacuum: iso(row.lastAutovacuum),
        lastAnalyze: iso(row.lastAnalyze),
        lastAutoanalyze: iso(row.lastAutoanalyze),
      })),
      autovacuum: settings.autovacuum && settings.trackCounts,
      autovacuumDisabled: disabled,
      oldestSnapshot: holder ?? null,
    };
    return evaluateVacuum(data, settings, probe, longRunningSeconds, surface);
  },
};

/**
 * The Dead rows and vacuum card from what it read: warns for tables with 20 %+ dead rows, for a
 * server where autovacuum does not run, and for tables with autovacuum disabled that gather dead
 * rows; "autovacuum keeps up" only where it runs.
 */
function evaluateVacuum(
  data: VacuumData,
  settings: { autovacuum: boolean; trackCounts: boolean },
  probe: Probe,
  longRunningSeconds: number,
  surface: Surface,
): CardResult<VacuumData> {
  const bloated = data.tables.filter(
    (row) => row.deadRows >= DEAD_ROWS && row.deadShare >= DEAD_SHARE,
  );
  const serverOff = data.autovacuum ? undefined : serverAutovacuumOff(settings);
  const names = (list: { schema: string; name: string }[]): string =>
    list.map((table) => qualified(table.schema, table.name)).join(', ');
  const reset = (table: { schema: string; name: string }): string =>
    `ALTER TABLE ${qualified(table.schema, table.name)} RESET (autovacuum_enabled);`;
  const disabledNote = data.autovacuumDisabled.length
    ? `autovacuum disabled on ${plural(data.autovacuumDisabled.length, 'table', 'tables')} ` +
      `(${names(data.autovacuumDisabled.slice(0, 5))}` +
      `${data.autovacuumDisabled.length > 5 ? ', …' : ''})`
    : '';
  const neglected = data.autovacuumDisabled.filter((table) => table.deadRows >= DEAD_ROWS);

  if (bloated.length === 0 && !serverOff && neglected.length === 0) {
    const dead = data.tables.reduce((sum, row) => sum + row.deadRows, 0);
    return {
      state: 'ok',
      summary:
        `${dead.toLocaleString('en')} dead rows in the top tables; ` +
        (disabledNote || 'autovacuum keeps up'),
      data,
    };
  }

  const summaries: string[] = [];
  const reasons: string[] = [];
  const statements: string[] = [];
  if (serverOff) {
    summaries.push(serverOff.text);
    reasons.push(
      'Without autovacuum only the VACUUMs run by hand (and anti-wraparound ones) remove dead ' +
        'rows, and no table is analyzed.',
    );
    statements.push(serverOff.fix);
  }
  const worst = bloated[0];
  if (worst) {
    summaries.push(`${plural(bloated.length, 'table', 'tables')} with 20 %+ dead rows`);
    reasons.push(
      `${quoteIdent(worst.name)} has ${plural(worst.deadRows, 'dead row', 'dead rows')} ` +
        `(${Math.round(worst.deadShare * 100)} %).`,
    );
  }
  const vacuumFirst = worst ?? neglected[0];
  if (vacuumFirst) {
    statements.push(`VACUUM (ANALYZE) ${qualified(vacuumFirst.schema, vacuumFirst.name)};`);
  }
  // A snapshot held since before the rows died keeps them: a VACUUM would remove none of them.
  const holder = data.oldestSnapshot;
  // A session's age is hidden from a role without pg_read_all_stats (null, as a slot's):
  // named all the same, its snapshot being the oldest.
  const holding =
    holder !== null &&
    (worst !== undefined || neglected.length > 0) &&
    (holder.ageSeconds === null || holder.ageSeconds >= longRunningSeconds);
  if (holding) {
    const { text, fix } = snapshotHolderText(holder, probe);
    reasons.push(
      'Neither VACUUM nor autovacuum removes rows deleted after the oldest snapshot in this ' +
        `database was taken (${plural(holder.transactions, 'transaction', 'transactions')} ` +
        `ago, by ${text}) until it ends: if a VACUUM leaves the dead rows, end it.`,
    );
    if (fix) statements.push(fix);
  }
  if (neglected.length) {
    summaries.push(disabledNote);
    reasons.push(
      'With autovacuum_enabled = false only a VACUUM run by hand removes the dead rows of ' +
        `${names(neglected.slice(0, 5))}${neglected.length > 5 ? ', …' : ''}.`,
    );
    statements.push(...neglected.map(reset));
  }
  const [first, ...rest] = statements;
  return {
    state: 'warn',
    summary: summaries.join('; '),
    reason: reasons.join(' '),
    fix: rest.length || !first.startsWith('VACUUM') ? first : `${first} ${runIt(surface)}`,
    fixes: several(statements),
    data,
  };
}

interface StaleStatisticsTable {
  schema: string;
  name: string;
  /** A partitioned table's are its partitions'. */
  liveRows: number;
  modifiedSinceAnalyze: number;
  lastAnalyzed: string | null;
  /** A partitioned table: autovacuum analyzes its partitions, never the table itself. */
  partitioned: boolean;
}

const statistics: CardDefinition = {
  id: 'statistics',
  title: 'Planner statistics',
  async run({
    session,
    signal,
    limit,
    probe,
    surface,
  }): Promise<
    CardResult<{ tables: StaleStatisticsTable[]; count: number; analyzeThreshold: number } | null>
  > {
    // The statistics themselves reach a standby, but not when or how much was analyzed.
    const replica = skippedOnReplica(probe, "the primary's analyzes");
    if (replica) return replica;
    // Never analyzed with more rows than autovacuum's analyze threshold, or more than a tenth
    // changed and last analyzed 30+ days ago. Autovacuum analyzes a table once more rows changed
    // than the threshold (autovacuum_analyze_threshold, 50 by default, or the table's own),
    // plus a share of its rows, none for a table never analyzed: a table of fewer rows than that,
    // such as a new app's schema_migrations or ar_internal_metadata, is never analyzed and
    // needs no statistics, the planner reading a page or two of it whatever it guesses.
    // A partitioned table counts no rows of its own and autovacuum never analyzes it (only its
    // partitions): its rows are its partitions', found through pg_inherits, which locks nothing.
    const rows = await session.query<StaleStatisticsTable & Counted>(
      'statistics',
      `SELECT schema, name, "liveRows", "modifiedSinceAnalyze", "lastAnalyzed", partitioned,
              (count(*) OVER ())::int AS count
         FROM (SELECT s.schemaname AS schema, s.relname AS name,
                      (CASE WHEN c.relkind = 'p'
                         THEN (SELECT coalesce(sum(l.n_live_tup), 0)
                                 FROM (WITH RECURSIVE tree AS (
                                         SELECT i.inhrelid FROM pg_inherits i
                                          WHERE i.inhparent = s.relid
                                         UNION ALL
                                         SELECT i.inhrelid FROM pg_inherits i
                                           JOIN tree ON i.inhparent = tree.inhrelid)
                                       SELECT inhrelid FROM tree) AS tree
                                 JOIN pg_stat_user_tables l ON l.relid = tree.inhrelid)
                         ELSE s.n_live_tup END)::float8 AS "liveRows",
                      s.n_mod_since_analyze::float8 AS "modifiedSinceAnalyze",
                      greatest(s.last_analyze, s.last_autoanalyze) AS "lastAnalyzed",
                      c.relkind = 'p' AS partitioned,
                      coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(c.reloptions) o
                                 WHERE o LIKE 'autovacuum\\_analyze\\_threshold=%'),
                               current_setting('autovacuum_analyze_threshold')::float8)
                        AS "analyzeThreshold"
                 FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid) AS t
        WHERE ("lastAnalyzed" IS NULL
               AND greatest("liveRows", "modifiedSinceAnalyze") > "analyzeThreshold")
           OR ("lastAnalyzed" < now() - interval '30 days' AND NOT partitioned
               AND "modifiedSinceAnalyze" > 0.1 * greatest("liveRows", 1))
        ORDER BY partitioned DESC, "modifiedSinceAnalyze" DESC, 1, 2
        LIMIT $1`,
      [limit],
      signal,
    );
    const count = rows[0]?.count ?? 0;
    const list = rows.map(({ count: _count, ...row }) => ({
      ...row,
      lastAnalyzed: iso(row.lastAnalyzed),
    }));
    // The server's threshold (a table may set its own), which the card's data says.
    const [{ analyzeThreshold }] = await session.query<{ analyzeThreshold: number }>(
      'statistics',
      `SELECT current_setting('autovacuum_analyze_threshold')::float8 AS "analyzeThreshold"`,
      undefined,
      signal,
    );
    if (list.length === 0) {
      return {
        state: 'ok',
        summary: 'Statistics are fresh on every table',
        data: { tables: [], count, analyzeThreshold },
      };
    }
    return {
      state: 'warn',
      summary:
        `${plural(count, 'table', 'tables')} with missing or stale statistics` +
        firstListed(list.length, count),
      reason:
        'The planner guesses row counts from these statistics; stale ones lead to slow plans.' +
        (list.some((row) => row.partitioned)
          ? ' Autovacuum never analyzes a partitioned table itself, only its partitions: ' +
            'ANALYZE it by hand, and again after large changes.'
          : '') +
        (list.length > 1 ? ` ${runThem(surface)}` : ''),
      fix: `ANALYZE ${qualified(list[0].schema, list[0].name)}; ${runIt(surface)}`,
      fixes: several(list.map((row) => `ANALYZE ${qualified(row.schema, row.name)};`)),
      data: { tables: list, count, analyzeThreshold },
    };
  },
};

export interface WraparoundTable {
  schema: string;
  name: string;
  /** Age of the table's oldest unfrozen transaction ID (relfrozenxid). */
  age: number;
  /** Age of the table's oldest multixact ID (relminmxid). */
  multixactAge: number;
}

export interface WraparoundData {
  /** The connected database, whose tables `tables` lists. */
  database: string;
  /**
   * Age of the oldest unfrozen transaction ID of any database on the server (age(datfrozenxid)
   * in pg_database): the server stops taking writes when its oldest database reaches the
   * limit, whichever it is, and an old database no one connects to any more (a prepared
   * transaction forgotten in it) is the classic case.
   */
  databaseAge: number;
  /** The database `databaseAge` is of (the connected one on a tie). */
  oldestDatabase: string;
  /** Share of the 2^31 limit used, 0..1. */
  share: number;
  freezeMaxAge: number;
  /** Age of the oldest multixact ID of any database on the server (mxid_age(datminmxid)). */
  multixactAge: number;
  /** The database `multixactAge` is of (the connected one on a tie). */
  oldestMultixactDatabase: string;
  /** Share of the 2^31 multixact limit used, 0..1. */
  multixactShare: number;
  multixactFreezeMaxAge: number;
  /**
   * Bytes in pg_multixact/members, the space the members of every multixact share (2^32 of
   * them, about 20 GB on disk): null when this role may not list that folder (see
   * MEMBERS_READ), absent when not asked.
   */
  multixactMemberBytes?: number | null;
  /** Share of the 2^32 member limit those bytes hold, 0..1; null or absent as the bytes. */
  multixactMemberShare?: number | null;
  /** The 5 oldest tables by transaction ID age, then the 5 oldest by multixact age not listed. */
  tables: WraparoundTable[];
}

/** Transaction IDs and multixact IDs both wrap around at 2^31. */
const WRAPAROUND_LIMIT = 2 ** 31;
/**
 * Share of the limit past which the card warns, for both kinds of ID. Autovacuum freezes on its
 * own well before: at autovacuum_freeze_max_age (default 200 million, 9 % of the limit) and at
 * autovacuum_multixact_freeze_max_age (default 400 million, 19 %), or earlier when multixact
 * member space fills. Half the limit means that freezing has not kept up for a long while.
 */
export const WRAPAROUND_WARN_SHARE = 0.5;
/** Tables listed per kind of ID. */
const WRAPAROUND_TABLES = 5;
/** Multixact members wrap around at 2^32 (a 32-bit offset, apart from the multixact IDs). */
const MEMBER_LIMIT = 2 ** 32;
/** PostgreSQL 19 made the member offset 64 bits wide: its members no longer wrap around. */
const WIDE_MEMBER_OFFSETS = 190000;

/**
 * SQL: the size of pg_multixact/members and the members a page of it holds. Before PostgreSQL 19
 * no view or function counts the members in use (pg_control_checkpoint() gives the next offset,
 * not the oldest one kept; pg_stat_slru counts page writes, not pages kept), so the figure is the
 * folder's size: the pages from the oldest multixact kept to the newest, 4 members per 20
 * bytes, whole 32-page segments removed as vacuum freezes. pg_ls_dir and pg_stat_file are only
 * for superusers and roles granted EXECUTE on them; missing_ok keeps a segment removed meanwhile
 * from failing the read.
 */
const MEMBERS_READ = `
  SELECT coalesce(sum((pg_stat_file('pg_multixact/members/' || f, true)).size), 0)::float8
           AS bytes,
         (current_setting('block_size')::int / 20 * 4)::float8 AS "perPage",
         current_setting('block_size')::float8 AS "pageBytes"
    FROM pg_ls_dir('pg_multixact/members', true, false) AS f
   WHERE f ~ '^[0-9A-F]+$'`;

/** SQL: whether this role may call what MEMBERS_READ calls. */
const MEMBERS_READABLE =
  "SELECT has_function_privilege('pg_ls_dir(text, boolean, boolean)', 'EXECUTE') " +
  "AND has_function_privilege('pg_stat_file(text, boolean)', 'EXECUTE') AS readable";

/** Why the member space was not read, on an ok card whose summary says so. */
const MEMBERS_UNREAD =
  'Multixact members (2^32 of them, about 20 GB, shared by the whole server) are measured by ' +
  'the size of pg_multixact/members, which before PostgreSQL 19 only superusers and roles ' +
  'granted EXECUTE on pg_ls_dir(text, boolean, boolean) and pg_stat_file(text, boolean) may ' +
  'read; pg_monitor is not enough. Run the check as such a role to see it; those grants let a ' +
  'role list and stat any file of the data directory.';

/**
 * `VACUUM (FREEZE, ANALYZE) t;` for the listed tables oldest by multixact age, whatever their
 * age: freezing them is what lets PostgreSQL cut the oldest members away.
 */
function oldestByMultixact(tables: WraparoundTable[]): string[] {
  const oldest = [...tables]
    .sort((a, b) => b.multixactAge - a.multixactAge)
    .slice(0, WRAPAROUND_TABLES);
  if (oldest.length === 0) return ['VACUUM (FREEZE, ANALYZE);'];
  return oldest.map((table) => `VACUUM (FREEZE, ANALYZE) ${qualified(table.schema, table.name)};`);
}

/** What the wraparound card says of the member space: its figure, or that it was not read. */
function memberSummary(data: WraparoundData): string {
  if (data.multixactMemberBytes === undefined) return '';
  if (data.multixactMemberBytes === null || typeof data.multixactMemberShare !== 'number') {
    return '; multixact member space not read (this role may not list pg_multixact)';
  }
  return (
    `; multixact members take ${formatBytes(data.multixactMemberBytes)} ` +
    `(${(data.multixactMemberShare * 100).toFixed(1)} % of the limit)`
  );
}

/** `VACUUM (FREEZE, ANALYZE) t;` per table past the threshold, or of the whole database. */
function freezeStatements(tables: WraparoundTable[], age: (table: WraparoundTable) => number) {
  const old = tables
    .filter((table) => age(table) / WRAPAROUND_LIMIT >= WRAPAROUND_WARN_SHARE)
    .sort((a, b) => age(b) - age(a));
  // The oldest may be a system catalog, which only a VACUUM of the whole database freezes.
  if (old.length === 0) return ['VACUUM (FREEZE, ANALYZE);'];
  return old.map((table) => `VACUUM (FREEZE, ANALYZE) ${qualified(table.schema, table.name)};`);
}

/**
 * The Transaction ID wraparound card from its figures: warns when either the transaction ID
 * age or the multixact ID age passes half of the 2^31 limit, with a VACUUM (FREEZE) of each
 * table past it, to run through "Upkeep: Run Database Maintenance" and its confirmation.
 */
export function evaluateWraparound(
  data: WraparoundData,
  surface: Surface = 'any',
): CardResult<WraparoundData> {
  const percent = (share: number): string => `${(share * 100).toFixed(1)} % of the limit`;
  // Named when it is not the database connected to, whose tables the card lists.
  const where = (name: string): string =>
    name === data.database ? '' : ` in database ${quoteIdent(name)}`;
  const summary =
    `oldest transaction ID is ${plural(data.databaseAge, 'transaction')} old ` +
    `(${percent(data.share)})${where(data.oldestDatabase)}; oldest multixact ID is ` +
    `${plural(data.multixactAge, 'multixact')} old (${percent(data.multixactShare)})` +
    `${where(data.oldestMultixactDatabase)}` +
    memberSummary(data);
  const xids = data.share >= WRAPAROUND_WARN_SHARE;
  const multixacts = data.multixactShare >= WRAPAROUND_WARN_SHARE;
  const members = (data.multixactMemberShare ?? 0) >= WRAPAROUND_WARN_SHARE;
  if (!xids && !multixacts && !members) {
    const unread = data.multixactMemberBytes === null ? MEMBERS_UNREAD : undefined;
    return { state: 'ok', summary, reason: unread, data };
  }

  const reasons: string[] = [];
  const statements: string[] = [];
  const elsewhere = new Set<string>();
  /** This database's statements, or the other database's VACUUM with where to run it. */
  const freeze = (oldest: string, age: (table: WraparoundTable) => number): string[] => {
    if (oldest === data.database) return freezeStatements(data.tables, age);
    elsewhere.add(oldest);
    const mine = data.tables.some(
      (table) => age(table) / WRAPAROUND_LIMIT >= WRAPAROUND_WARN_SHARE,
    );
    return [
      `VACUUM (FREEZE, ANALYZE); (connected to database ${quoteIdent(oldest)})`,
      ...(mine ? freezeStatements(data.tables, age) : []),
    ];
  };
  if (xids) {
    reasons.push(
      'Past the transaction ID limit PostgreSQL stops accepting writes; ' +
        'autovacuum is not freezing fast enough.',
    );
    statements.push(...freeze(data.oldestDatabase, (table) => table.age));
  }
  if (multixacts) {
    reasons.push(
      'Multixact IDs (row locks several transactions share, such as foreign-key checks) ' +
        `are ${plural(data.multixactAge, 'multixact')} old, past ` +
        `autovacuum_multixact_freeze_max_age (${data.multixactFreezeMaxAge.toLocaleString('en')})` +
        ' by far: past the limit PostgreSQL stops accepting writes. A long-open transaction, ' +
        'a prepared transaction or a stale replication slot can hold freezing back.',
    );
    statements.push(...freeze(data.oldestMultixactDatabase, (table) => table.multixactAge));
  }
  if (members) {
    reasons.push(
      `Multixact members fill ${((data.multixactMemberShare ?? 0) * 100).toFixed(1)} % of ` +
        'their 2^32 space: past half of it autovacuum freezes every table aggressively, ' +
        'oldest multixact first, whatever autovacuum_multixact_freeze_max_age says, and near ' +
        'the end PostgreSQL stops accepting commands that make multixacts (row locks FOR ' +
        'SHARE, foreign-key checks). Many-member multixacts (many sessions locking the same ' +
        "rows) use the space much faster than the IDs. The space is the whole server's: the " +
        'oldest multixact may be in another database (pg_database.datminmxid).',
    );
    statements.push(...oldestByMultixact(data.tables));
  }
  if (elsewhere.size > 0) {
    const names = [...elsewhere].map(quoteIdent).join(' and ');
    reasons.push(
      `The oldest IDs are in database ${names}, not this one: the limit is the whole ` +
        "server's, and only a VACUUM connected to that database freezes them. Something there " +
        'may hold freezing back: a prepared transaction left behind (pg_prepared_xacts lists ' +
        "every database's, and only a session connected to its database can ROLLBACK " +
        'PREPARED it), a long-open transaction or a stale replication slot.',
    );
  }
  const fixes = [...new Set(statements)];
  // The statement for another database cannot run through this connection's maintenance.
  const runnable = elsewhere.size === 0;
  return {
    state: 'warn',
    summary,
    reason: reasons.join(' ') + (fixes.length > 1 && runnable ? ` ${runThem(surface)}` : ''),
    fix: fixes.length > 1 || !runnable ? fixes[0] : `${fixes[0]} ${runIt(surface)}`,
    fixes: several(fixes),
    data,
  };
}

const wraparound: CardDefinition = {
  id: 'wraparound',
  title: 'Transaction ID wraparound',
  async run({ session, signal, probe, surface }): Promise<CardResult<WraparoundData>> {
    // Every database of the server, template0 and those no one connects to included: the
    // limit is the server's. On a tie the connected database is named, as the tables are its.
    const [db] = await session.query<{
      database: string;
      age: number;
      oldest: string;
      freeze: number;
      multixactAge: number;
      oldestMultixact: string;
      multixactFreeze: number;
    }>(
      'wraparound',
      `SELECT current_database() AS database, x.datname AS oldest, x.age::float8 AS age,
              current_setting('autovacuum_freeze_max_age')::float8 AS freeze,
              m.datname AS "oldestMultixact", m.age::float8 AS "multixactAge",
              current_setting('autovacuum_multixact_freeze_max_age')::float8
                AS "multixactFreeze"
         FROM (SELECT datname, age(datfrozenxid) AS age FROM pg_database
                ORDER BY 2 DESC, datname = current_database() DESC, 1 LIMIT 1) AS x,
              (SELECT datname, mxid_age(datminmxid) AS age FROM pg_database
                ORDER BY 2 DESC, datname = current_database() DESC, 1 LIMIT 1) AS m`,
      undefined,
      signal,
    );
    // The oldest tables by either age: those by transaction ID first, then the others.
    const tables = await session.query<WraparoundTable>(
      'wraparound',
      `SELECT schema, name, age, "multixactAge"
         FROM (SELECT n.nspname AS schema, c.relname AS name,
                      age(c.relfrozenxid)::float8 AS age,
                      mxid_age(c.relminmxid)::float8 AS "multixactAge",
                      row_number() OVER (ORDER BY age(c.relfrozenxid) DESC, n.nspname, c.relname)
                        AS by_xid,
                      row_number() OVER (ORDER BY mxid_age(c.relminmxid) DESC, n.nspname,
                                                  c.relname) AS by_multixact
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> '0'::xid
                  AND c.relminmxid <> '0'::xid AND ${USER_SCHEMAS}) AS aged
        WHERE by_xid <= $1 OR by_multixact <= $1
        ORDER BY by_xid > $1, CASE WHEN by_xid <= $1 THEN by_xid ELSE by_multixact END`,
      [WRAPAROUND_TABLES],
      signal,
    );
    const wide = probe.serverVersionNum >= WIDE_MEMBER_OFFSETS;
    const members = wide ? undefined : await memberSpace(session, signal);
    return evaluateWraparound(
      {
        database: db.database,
        databaseAge: db.age,
        oldestDatabase: db.oldest,
        share: db.age / WRAPAROUND_LIMIT,
        freezeMaxAge: db.freeze,
        multixactAge: db.multixactAge,
        oldestMultixactDatabase: db.oldestMultixact,
        multixactShare: db.multixactAge / WRAPAROUND_LIMIT,
        multixactFreezeMaxAge: db.multixactFreeze,
        ...(wide
          ? {}
          : {
              multixactMemberBytes: members?.bytes ?? null,
              multixactMemberShare: members?.share ?? null,
            }),
        tables,
      },
      surface,
    );
  },
};

/** The size of pg_multixact/members and its share of the limit; undefined when not readable. */
async function memberSpace(
  session: CardContext['session'],
  signal: AbortSignal | undefined,
): Promise<{ bytes: number; share: number } | undefined> {
  const [access] = await session.query<{ readable: boolean }>(
    'wraparound',
    MEMBERS_READABLE,
    undefined,
    signal,
  );
  if (!access.readable) return undefined;
  const [row] = await session.query<{ bytes: number; perPage: number; pageBytes: number }>(
    'wraparound',
    MEMBERS_READ,
    undefined,
    signal,
  );
  // Pages are written whole and segments removed whole: this counts at most one segment (32
  // pages) more than in use, and none of the pages the server has not written out yet.
  const pages = Math.ceil(row.bytes / row.pageBytes);
  return { bytes: row.bytes, share: (pages * row.perPage) / MEMBER_LIMIT };
}

export interface SequenceUse {
  schema: string;
  name: string;
  /**
   * `table.column` the sequence feeds: the column that owns it, else the narrowest one whose
   * DEFAULT calls nextval() on it (a hand-written sequence without OWNED BY).
   */
  column: string | null;
  columnType: string | null;
  /** The column that owns the sequence, as separate names (a name may hold a dot). */
  owner: { schema: string; table: string; column: string } | null;
  /** The column it feeds (`column`) as separate names: the owner, or the column by DEFAULT. */
  fed: { schema: string; table: string; column: string } | null;
  /** Exact decimal text: a bigint does not fit a JavaScript number. */
  lastValue: string;
  /**
   * The end it runs into, exact decimal text: the smaller of the sequence's and the column
   * type's maximum, or for a sequence counting down the larger of the two minimums.
   */
  maxValue: string;
  /**
   * The sequence's own end, exact decimal text: its MAXVALUE, or its MINVALUE when it counts
   * down (a serial's sequence is AS integer, so it ends at 2147483647 like its column).
   */
  sequenceEnd: string;
  /** lastValue / maxValue, 0..1, computed by the server in numeric. */
  share: number;
  /** The step: negative for a sequence counting down. */
  increment: number;
}

/**
 * SQL: the column sequence `oid` feeds (`relid`, `attnum`, `owned`): the column owning it
 * (serial, identity, OWNED BY), else the narrowest column whose DEFAULT calls nextval() on it.
 */
const FED_COLUMN = (oid: string): string =>
  `SELECT fed.relid, fed.attnum, fed.owned
     FROM (SELECT d.refobjid AS relid, d.refobjsubid AS attnum, true AS owned
             FROM pg_depend d
            WHERE d.objid = ${oid} AND d.classid = 'pg_class'::regclass
              AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           UNION ALL
           SELECT ad.adrelid, ad.adnum, false
             FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
            WHERE d.refobjid = ${oid} AND d.refclassid = 'pg_class'::regclass
              AND d.classid = 'pg_attrdef'::regclass) AS fed
     JOIN pg_attribute fa ON fa.attrelid = fed.relid AND fa.attnum = fed.attnum
    ORDER BY fed.owned DESC,
             CASE fa.atttypid WHEN 'int2'::regtype THEN 2 WHEN 'int4'::regtype THEN 4 ELSE 8 END,
             fed.relid, fed.attnum
    LIMIT 1`;

/** Sequences of the app's schemas whose value the role may not read, and the GRANT for them. */
async function unreadableSequences(
  session: CardContext['session'],
  signal: AbortSignal | undefined,
): Promise<{ count: number; fix: (role: string) => string }> {
  const [row] = await session.query<{ count: number; schemas: string[] }>(
    'sequences',
    `SELECT count(*)::int AS count,
            coalesce(array_agg(DISTINCT n.nspname::text ORDER BY n.nspname::text), '{}') AS schemas
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND ${USER_SCHEMAS}
        -- The CASE keeps the function off other relations, which it refuses.
        AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(c.oid, 'SELECT, USAGE') END`,
    undefined,
    signal,
  );
  return {
    count: row.count,
    fix: (role) =>
      `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${row.schemas.map(quoteIdent).join(', ')} ` +
      `TO ${quoteIdent(role)};`,
  };
}

/** Share of its end past which a sequence warns. */
const SEQUENCE_WARN_SHARE = 0.75;

const sequences: CardDefinition = {
  id: 'sequences',
  title: 'Sequences and integer keys',
  async run({
    session,
    signal,
    limit,
    probe,
  }): Promise<CardResult<{ sequences: SequenceUse[]; nearMaximum: number }>> {
    // last_value is null for sequences never used or that this role may not read. Values stay
    // text and the share is numeric division on the server, so no bigint is rounded. The end a
    // sequence runs into is its maximum, or its minimum when it counts down.
    // nearMaximum counts those past SEQUENCE_WARN_SHARE among all, not only the listed.
    const rows = await session.query<SequenceUse & { nearMaximum: number }>(
      'sequences',
      `SELECT schema, name, "column", "columnType", owner, fed, last_value::text AS "lastValue",
              max_value::text AS "maxValue", sequence_end::text AS "sequenceEnd",
              increment_by::float8 AS increment,
              coalesce(last_value::numeric / nullif(max_value, 0)::numeric, 0)::float8 AS share,
              (count(*) FILTER (WHERE coalesce(last_value::numeric / nullif(max_value, 0)::numeric,
                                               0)::float8 >= $2) OVER ())::int AS "nearMaximum"
         FROM (SELECT s.schemaname AS schema, s.sequencename AS name,
                      CASE WHEN a.attname IS NOT NULL THEN t.relname || '.' || a.attname END
                        AS "column",
                      CASE WHEN a.attname IS NOT NULL AND f.owned
                        THEN json_build_object('schema', tn.nspname, 'table', t.relname,
                                               'column', a.attname) END AS owner,
                      CASE WHEN a.attname IS NOT NULL
                        THEN json_build_object('schema', tn.nspname, 'table', t.relname,
                                               'column', a.attname) END AS fed,
                      format_type(a.atttypid, a.atttypmod) AS "columnType", s.last_value,
                      s.increment_by,
                      CASE WHEN s.increment_by > 0 THEN s.max_value ELSE s.min_value END
                        AS sequence_end,
                      CASE WHEN s.increment_by > 0
                        THEN least(s.max_value, CASE format_type(a.atttypid, a.atttypmod)
                                   WHEN 'smallint' THEN 32767 WHEN 'integer' THEN 2147483647
                                   ELSE s.max_value END)
                        ELSE greatest(s.min_value, CASE format_type(a.atttypid, a.atttypmod)
                                      WHEN 'smallint' THEN -32768
                                      WHEN 'integer' THEN -2147483648
                                      ELSE s.min_value END) END AS max_value
                 FROM pg_sequences s
                 JOIN pg_namespace n ON n.nspname = s.schemaname
                 JOIN pg_class c ON c.relname = s.sequencename AND c.relnamespace = n.oid
                 LEFT JOIN LATERAL (${FED_COLUMN('c.oid')}) AS f ON true
                 LEFT JOIN pg_class t ON t.oid = f.relid
                 LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
                 LEFT JOIN pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum
                WHERE s.last_value IS NOT NULL AND ${USER_SCHEMAS}) AS used
        ORDER BY share DESC, 1, 2
        LIMIT $1`,
      [limit, SEQUENCE_WARN_SHARE],
      signal,
    );
    const nearMaximum = rows[0]?.nearMaximum ?? 0;
    const list: SequenceUse[] = rows.map(({ nearMaximum: _near, ...row }) => row);
    const near = list.filter((s) => s.share >= SEQUENCE_WARN_SHARE);
    const hidden = await unreadableSequences(session, signal);
    if (near.length === 0 && hidden.count > 0) {
      // pg_sequences shows no value to a role without SELECT or USAGE: not "none in use".
      return {
        state: list.length === 0 ? 'skipped' : 'warn',
        summary:
          `${plural(hidden.count, 'sequence', 'sequences')} this role may not read` +
          (list[0] ? `; the fullest of the others at ${(list[0].share * 100).toFixed(2)} %` : ''),
        reason:
          `Role ${probe.role} cannot see how far ${hidden.count === 1 ? 'it has' : 'they have'} ` +
          'counted, so a key near its maximum would not show.',
        fix: hidden.fix(probe.role),
        data: { sequences: list, nearMaximum },
      };
    }
    if (near.length === 0) {
      return {
        state: 'ok',
        summary: list[0]
          ? `fullest sequence at ${(list[0].share * 100).toFixed(2)} % of its maximum ` +
            `(${groupDigits(list[0].lastValue)} of ${groupDigits(list[0].maxValue)})`
          : 'No sequence in use',
        data: { sequences: list, nearMaximum },
      };
    }
    const worst = near[0];
    return {
      state: 'warn',
      summary:
        `${plural(nearMaximum, 'sequence', 'sequences')} past 75 % of ` +
        `${nearMaximum === 1 ? 'its' : 'their'} maximum${firstListed(near.length, nearMaximum)}`,
      reason:
        `${worst.name}${worst.column ? ` (${worst.column}, ${worst.columnType})` : ''} ` +
        `is at ${(worst.share * 100).toFixed(1)} % ` +
        `(${groupDigits(worst.lastValue)} of ${groupDigits(worst.maxValue)}).` +
        (hidden.count
          ? ` Role ${probe.role} may not read ${plural(hidden.count, 'other sequence', 'others')}` +
            ` (${hidden.fix(probe.role)}).`
          : ''),
      fix: sequenceFix(worst),
      data: { sequences: list, nearMaximum },
    };
  },
};

/** The end of each integer type a sequence may feed, by direction. */
const TYPE_ENDS: Record<string, { up: bigint; down: bigint }> = {
  smallint: { up: 32767n, down: -32768n },
  integer: { up: 2147483647n, down: -2147483648n },
  bigint: { up: 9223372036854775807n, down: -9223372036854775808n },
};

/**
 * The statements that lift a sequence's limit. An integer column the sequence runs into is
 * widened (a migration: it rewrites the table), and the sequence too unless it already ends
 * where bigint does: a serial's sequence is AS integer and a wider column leaves it so.
 */
function sequenceFix(
  sequence: Pick<
    SequenceUse,
    'schema' | 'name' | 'increment' | 'fed' | 'columnType' | 'sequenceEnd'
  >,
): string {
  const up = sequence.increment > 0;
  // AS bigint alone keeps a limit the sequence was given (MAXVALUE 100 stays 100).
  const widenSequence =
    `ALTER SEQUENCE ${qualified(sequence.schema, sequence.name)} AS bigint ` +
    `${up ? 'NO MAXVALUE' : 'NO MINVALUE'};`;
  const column = sequence.fed;
  const columnEnds = sequence.columnType ? TYPE_ENDS[sequence.columnType] : undefined;
  const ownEnd = BigInt(sequence.sequenceEnd);
  const columnStopsFirst =
    columnEnds !== undefined &&
    sequence.columnType !== 'bigint' &&
    (up ? columnEnds.up <= ownEnd : columnEnds.down >= ownEnd);
  if (!column || !columnStopsFirst) return widenSequence;

  const widenColumn =
    `ALTER TABLE ${qualified(column.schema, column.table)} ` +
    `ALTER COLUMN ${quoteIdent(column.column)} TYPE bigint;`;
  const bigintEnd = up ? TYPE_ENDS.bigint.up : TYPE_ENDS.bigint.down;
  const statements = ownEnd === bigintEnd ? widenColumn : `${widenColumn} ${widenSequence}`;
  return `Plan a migration: ${statements} (rewrites the table)`;
}

/**
 * SQL: the sequence that feeds column `attnum` of relation `relid`: the one the column owns
 * (serial, identity, OWNED BY), else one its DEFAULT calls nextval() on. See FED_COLUMN.
 */
const FEEDING_SEQUENCE = (relid: string, attnum: string): string =>
  `SELECT seq.oid
     FROM (SELECT d.objid AS oid, true AS owned
             FROM pg_depend d
            WHERE d.refobjid = ${relid} AND d.refobjsubid = ${attnum}
              AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.deptype IN ('a', 'i')
           UNION ALL
           SELECT d.refobjid, false
             FROM pg_attrdef ad JOIN pg_depend d ON d.objid = ad.oid
            WHERE ad.adrelid = ${relid} AND ad.adnum = ${attnum}
              AND d.classid = 'pg_attrdef'::regclass
              AND d.refclassid = 'pg_class'::regclass) AS seq
     JOIN pg_class s ON s.oid = seq.oid AND s.relkind = 'S'
    ORDER BY seq.owned DESC
    LIMIT 1`;

export interface NarrowForeignKey {
  schema: string;
  table: string;
  /** The referencing column narrower than the key it references. */
  column: string;
  columnType: string;
  constraint: string;
  /** The referenced key: `table.column` for reading, and each name apart. */
  references: string;
  referenced: { schema: string; table: string; column: string; type: string };
  /**
   * How far the referenced key has counted: the last value of the sequence that feeds it, exact
   * decimal text; null when none feeds it, it was never used or this role may not read it.
   */
  referencedValue: string | null;
  /** The largest value `column` can hold (2147483647 for integer), decimal text. */
  maxValue: string;
  /** referencedValue / maxValue, 0..1 (more once past it); null without referencedValue. */
  share: number | null;
  /** The migration's statement: the column widened to the referenced key's type. */
  alterSql: string;
}

export interface NarrowForeignKeysData {
  /** Fullest first, then by name; every such key of the app's schemas. */
  foreignKeys: NarrowForeignKey[];
}

/**
 * Foreign-key columns narrower than the key they reference: an integer `user_id` of a table
 * older than Rails 5.1 (or a hand-written migration) referencing a bigint `users.id`. Inserts
 * fail with "integer out of range" once the referenced ids pass 2^31-1, however far the key's
 * own sequence is from its maximum (the Sequences card's concern).
 */
const narrowForeignKeys: CardDefinition = {
  id: 'narrowForeignKeys',
  title: 'Foreign keys narrower than their key',
  async run({ session, signal }): Promise<CardResult<NarrowForeignKeysData>> {
    // One row per column pair of the key (a composite key may have one narrow column). A
    // partition's copy of its parent's key (conparentid) is left out: the parent's ALTER
    // TABLE changes every partition.
    const rows = await session.query<Omit<NarrowForeignKey, 'alterSql'>>(
      'narrowForeignKeys',
      `SELECT schema, "table", "column", "columnType", "constraint", "references", referenced,
              "referencedValue"::text AS "referencedValue", "maxValue"::text AS "maxValue",
              ("referencedValue"::numeric / "maxValue")::float8 AS share
         FROM (SELECT n.nspname AS schema, t.relname AS "table", a.attname AS "column",
                      format_type(a.atttypid, a.atttypmod) AS "columnType",
                      c.conname AS constraint,
                      c.confrelid::regclass::text || '.' || ra.attname AS references,
                      json_build_object('schema', rn.nspname, 'table', r.relname,
                                        'column', ra.attname,
                                        'type', format_type(ra.atttypid, ra.atttypmod))
                        AS referenced,
                      CASE a.atttypid WHEN 'int2'::regtype THEN 32767 ELSE 2147483647 END
                        AS "maxValue",
                      (SELECT CASE WHEN has_sequence_privilege(seq.oid, 'SELECT, USAGE')
                                THEN pg_sequence_last_value(seq.oid) END
                         FROM (${FEEDING_SEQUENCE('r.oid', 'ra.attnum')}) AS seq)
                        AS "referencedValue"
                 FROM pg_constraint c
                 CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(attnum, refnum)
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                 JOIN pg_class r ON r.oid = c.confrelid
                 JOIN pg_namespace rn ON rn.oid = r.relnamespace
                 JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum
                WHERE c.contype = 'f' AND c.conparentid = 0 AND ${USER_SCHEMAS}
                  AND (a.atttypid, ra.atttypid) IN (('int4'::regtype, 'int8'::regtype),
                                                    ('int2'::regtype, 'int8'::regtype),
                                                    ('int2'::regtype, 'int4'::regtype))) AS narrow
        ORDER BY share DESC NULLS LAST, 1, 2, 3, 5`,
      undefined,
      signal,
    );
    const list: NarrowForeignKey[] = rows.map((row) => ({
      ...row,
      alterSql:
        `ALTER TABLE ${qualified(row.schema, row.table)} ALTER COLUMN ${quoteIdent(row.column)} ` +
        `TYPE ${row.referenced.type};`,
    }));
    return evaluateNarrowForeignKeys({ foreignKeys: list });
  },
};

/** The Foreign keys narrower than their key card from its rows: any such key warns. */
export function evaluateNarrowForeignKeys(
  data: NarrowForeignKeysData,
): CardResult<NarrowForeignKeysData> {
  const list = data.foreignKeys;
  if (list.length === 0) {
    return {
      state: 'ok',
      summary: 'Every foreign key is as wide as the key it references',
      data,
    };
  }
  const first = list[0];
  const where = `${qualified(first.schema, first.table)}.${quoteIdent(first.column)}`;
  const reached =
    first.referencedValue === null || first.share === null
      ? `references ${first.references} (${first.referenced.type})`
      : `references ${first.references}, now at ${groupDigits(first.referencedValue)} ` +
        `(${(first.share * 100).toFixed(1)} % of ${groupDigits(first.maxValue)})`;
  const past = list.filter((row) => (row.share ?? 0) >= 1).length;
  return {
    state: 'warn',
    summary:
      `${plural(list.length, 'foreign key', 'foreign keys')} narrower than the key ` +
      `${list.length === 1 ? 'it references' : 'they reference'}; ${where} ` +
      `(${first.columnType}) ${reached}`,
    reason:
      `Once the referenced ids pass ${groupDigits(first.maxValue)}, inserts and updates that ` +
      `set ${where} fail with "${first.columnType} out of range"` +
      (past ? `; ${past === 1 ? 'one key is' : `${past} keys are`} past it already` : '') +
      '. Widening a column rewrites its table under an ACCESS EXCLUSIVE lock: plan it as a ' +
      'migration (change_column ... :bigint), sooner while the table is small.',
    fix: first.alterSql,
    fixes: several(list.map((row) => row.alterSql)),
    data,
  };
}

/** Key columns whose highest value is read per run, narrowest type and largest table first. */
export const KEY_COLUMNS_READ = 500;
/** Key columns read per statement: each is a few index pages, with its table's locks. */
const KEY_COLUMNS_PER_STATEMENT = 50;
/** Share of its type's end past which a key's highest value warns, as for sequences. */
const KEY_WARN_SHARE = 0.75;

export interface KeyValue {
  schema: string;
  table: string;
  column: string;
  columnType: string;
  /** The sequence feeding the column (owned, identity, or named in its DEFAULT). */
  sequenceSchema: string;
  sequence: string;
  /**
   * The column's highest value (its lowest when the sequence counts down), read from the end
   * of its unique index, exact decimal text; null for an empty table.
   */
  highest: string | null;
  /** What nextval() gives next, decimal text; null when this role may not read the sequence. */
  next: string | null;
  /** The end of the column's type (2147483647 for integer), decimal text. */
  typeEnd: string;
  /** highest / typeEnd, 0..1; 0 for an empty table or a value on the other side of zero. */
  share: number;
  /** nextval() hands out a value at or before `highest`: inserts will hit taken ids. */
  behind: boolean;
  /** `next` is taken already, so the next insert that takes the default fails; null unasked. */
  nextTaken: boolean | null;
  /** The statement that fixes it (setval, or the migration when past KEY_WARN_SHARE). */
  fixSql: string | null;
}

export interface HighestKeysData {
  /** Keys ahead of their sequence or near their type's end first, then the fullest others. */
  keys: KeyValue[];
  /** Integer key columns of the app's schemas fed by a sequence, with a unique index on them. */
  columns: number;
  /** How many of them were read (at most KEY_COLUMNS_READ). */
  read: number;
  /** Left unread: another session holds the table, an index or the sequence locked. */
  locked: number;
  /** Left unread: this role may not SELECT the column. */
  unreadable: number;
  /** The tables of those columns, quoted and qualified as a GRANT names them. */
  unreadableTables?: string[];
  /** Read, but whether they are behind is unknown: this role may not SELECT their sequence. */
  sequencesUnread: number;
  /** Left unread: their statement failed (a statement or lock timeout); `failure` says why. */
  failed: number;
  failure?: string;
}

interface KeyCandidate extends Pick<
  KeyValue,
  'schema' | 'table' | 'column' | 'columnType' | 'sequenceSchema' | 'sequence'
> {
  increment: string;
  sequenceEnd: string;
  sequenceReadable: boolean;
  readable: boolean;
  locked: boolean;
  columns: number;
  /**
   * What changes when the column's highest value may have (see HIGHEST_READ): the table's
   * storage (TRUNCATE, a rewrite) and its counts of rows inserted, updated and deleted. null
   * for a partitioned table, whose own counts stay 0.
   */
  writes: string | null;
}

/**
 * SQL: integer columns of the app's tables fed by a sequence and leading a valid unique btree
 * index (a primary key), so their highest value is the index's last entry: O(log n), never a
 * scan of the table. A partition is read through its parent. `locked`: another session holds
 * the table, one of its indexes or the sequence in ACCESS EXCLUSIVE mode (a migration, a
 * REINDEX), which the read would queue behind until lock_timeout.
 */
const KEY_CANDIDATES = `
  WITH locked AS (${EXCLUSIVELY_LOCKED})
  SELECT n.nspname AS schema, t.relname AS "table", a.attname AS "column",
         format_type(a.atttypid, a.atttypmod) AS "columnType",
         sn.nspname AS "sequenceSchema", s.relname AS sequence,
         q.seqincrement::text AS increment,
         (CASE WHEN q.seqincrement > 0 THEN q.seqmax ELSE q.seqmin END)::text AS "sequenceEnd",
         has_sequence_privilege(s.oid, 'SELECT') AS "sequenceReadable",
         has_column_privilege(t.oid, a.attnum, 'SELECT') AS readable,
         (t.oid IN (SELECT relation FROM locked) OR s.oid IN (SELECT relation FROM locked)
          OR EXISTS (SELECT 1 FROM pg_index li
                      WHERE li.indrelid = t.oid
                        AND li.indexrelid IN (SELECT relation FROM locked))) AS locked,
         (count(*) OVER ())::int AS columns,
         CASE WHEN t.relkind = 'r'
           THEN concat_ws(':', t.relfilenode, pg_stat_get_tuples_inserted(t.oid),
                          pg_stat_get_tuples_updated(t.oid), pg_stat_get_tuples_deleted(t.oid))
         END AS writes
    FROM pg_class t
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    CROSS JOIN LATERAL (${FEEDING_SEQUENCE('t.oid', 'a.attnum')}) AS f
    JOIN pg_class s ON s.oid = f.oid
    JOIN pg_namespace sn ON sn.oid = s.relnamespace
    JOIN pg_sequence q ON q.seqrelid = s.oid
   WHERE t.relkind IN ('r', 'p') AND NOT t.relispartition AND ${USER_SCHEMAS}
     AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
     AND EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                   JOIN pg_am am ON am.oid = ic.relam
                  WHERE i.indrelid = t.oid AND i.indisunique AND i.indisvalid
                    AND i.indpred IS NULL AND i.indkey[0] = a.attnum AND am.amname = 'btree')
   ORDER BY CASE a.atttypid WHEN 'int2'::regtype THEN 2 WHEN 'int4'::regtype THEN 4 ELSE 8 END,
            t.reltuples DESC, 1, 2, 3
   LIMIT $1`;

/** The key's end nextval() moves toward: max() counting up, min() counting down. */
function keyEnd(key: KeyCandidate): 'max' | 'min' {
  return key.increment.startsWith('-') ? 'min' : 'max';
}

/**
 * One statement reading, per key, its highest value from its index and where its sequence
 * stands (last_value and is_called, which pg_sequences leaves out before the first nextval and
 * after a RESTART).
 */
function keyReadSql(keys: KeyCandidate[], known: ReadonlySet<KeyCandidate>): string {
  return keys
    .map((key, k) => {
      // A value read before and still good (HIGHEST_READ) is not read from the index again.
      const value = known.has(key)
        ? 'NULL::text'
        : `(SELECT ${keyEnd(key)}(${quoteIdent(key.column)}) ` +
          `FROM ${qualified(key.schema, key.table)})::text`;
      // Named in every branch: a UNION takes its column names from whichever comes first.
      if (!key.sequenceReadable) {
        return (
          `SELECT ${k} AS k, ${value} AS highest, NULL::text AS last_value, ` +
          'NULL::boolean AS is_called'
        );
      }
      return (
        `SELECT ${k} AS k, ${value} AS highest, s.last_value::text AS last_value, ` +
        's.is_called AS is_called ' +
        `FROM ${qualified(key.sequenceSchema, key.sequence)} AS s`
      );
    })
    .join('\nUNION ALL ');
}

interface KeyRead {
  k: number;
  highest: string | null;
  last_value: string | null;
  is_called: boolean | null;
}

/** What nextval() gives next, or null when unknown or the sequence is used up. */
function nextValue(key: KeyCandidate, read: KeyRead): string | null {
  if (read.last_value === null || read.is_called === null) return null;
  if (!read.is_called) return read.last_value;
  const next = BigInt(read.last_value) + BigInt(key.increment);
  const end = BigInt(key.sequenceEnd);
  const past = key.increment.startsWith('-') ? next < end : next > end;
  return past ? null : next.toString();
}

function keyValue(key: KeyCandidate, read: KeyRead): KeyValue {
  const down = keyEnd(key) === 'min';
  const ends = TYPE_ENDS[key.columnType] ?? TYPE_ENDS.bigint;
  const typeEnd = down ? ends.down : ends.up;
  const highest = read.highest;
  const next = nextValue(key, read);
  const value = highest === null ? 0n : BigInt(highest);
  const share = (down ? value < 0n : value > 0n) ? Number(value) / Number(typeEnd) : 0;
  const behind =
    highest !== null && next !== null && (down ? BigInt(next) >= value : BigInt(next) <= value);
  return {
    schema: key.schema,
    table: key.table,
    column: key.column,
    columnType: key.columnType,
    sequenceSchema: key.sequenceSchema,
    sequence: key.sequence,
    highest,
    next,
    typeEnd: typeEnd.toString(),
    share,
    behind,
    nextTaken: null,
    fixSql: keyFix(key, share, behind),
  };
}

/**
 * A key past KEY_WARN_SHARE of its type is widened (explicit ids will run into the type's end
 * whatever the sequence does); a key only ahead of its sequence gets the setval that moves the
 * sequence past it, a write Upkeep leaves to the maintainer.
 */
function keyFix(key: KeyCandidate, share: number, behind: boolean): string | null {
  const table = qualified(key.schema, key.table);
  // bigint is the widest integer type: no migration widens it, and its sequence is bigint.
  if (share >= KEY_WARN_SHARE && key.columnType !== 'bigint') {
    return sequenceFix({
      schema: key.sequenceSchema,
      name: key.sequence,
      increment: key.increment.startsWith('-') ? -1 : 1,
      fed: { schema: key.schema, table: key.table, column: key.column },
      columnType: key.columnType,
      sequenceEnd: key.sequenceEnd,
    });
  }
  if (!behind) return null;
  // setval reads the name as regclass, which knows "…" but not U&"…": the names are
  // double-quoted plainly, and the literal around them escapes what cannot be shown.
  const plain = (name: string): string => `"${name.split('"').join('""')}"`;
  const sequence = quoteLiteral(
    key.sequenceSchema === 'public'
      ? plain(key.sequence)
      : `${plain(key.sequenceSchema)}.${plain(key.sequence)}`,
  );
  return (
    `SELECT setval(${sequence}, ` +
    `(SELECT ${keyEnd(key)}(${quoteIdent(key.column)}) FROM ${table}));`
  );
}

/** Whether each key's next value is taken, by one index lookup each, in one statement. */
async function markTakenNext(context: CardContext, keys: KeyValue[]): Promise<void> {
  const asked = keys.filter((key) => key.behind && key.next !== null);
  for (let start = 0; start < asked.length; start += KEY_COLUMNS_PER_STATEMENT) {
    const part = asked.slice(start, start + KEY_COLUMNS_PER_STATEMENT);
    const rows = await context.session.query<{ k: number; taken: boolean }>(
      'highestKeys',
      part
        .map(
          (key, k) =>
            `SELECT ${k} AS k, EXISTS (SELECT 1 FROM ${qualified(key.schema, key.table)} ` +
            `WHERE ${quoteIdent(key.column)} = $${k + 1}::bigint) AS taken`,
        )
        .join('\nUNION ALL '),
      part.map((key) => key.next),
      context.signal,
    );
    for (const row of rows) part[row.k].nextTaken = row.taken;
  }
}

/**
 * Each key's highest value as last read from its index, by server, in this process: a run
 * reads it again only once the table was written to since (its storage or its counts of rows
 * inserted, updated or deleted changed) or the value is a day old. Every read of the index
 * counts as an index scan of the table in pg_stat_user_tables, and a dashboard refreshing
 * every few minutes added hundreds a day to each quiet table, which is what Tables read by
 * sequential scans judges (it also needs 100 scans before judging a table). The sequence is
 * read on every run, so a sequence reset shows at once; a write shows once the server has
 * counted it (seconds after it commits, a minute at most). A standby counts no writes of the
 * primary, and a partitioned table none of its own: those are read every run.
 */
const HIGHEST_READ = new Map<string, { writes: string; highest: string | null; at: number }>();
const HIGHEST_READ_MAX_AGE_MS = 86_400_000;
const HIGHEST_READ_MAX = 5000;

function highestReadKey(server: string, key: KeyCandidate): string {
  return JSON.stringify([server, key.schema, key.table, key.column, key.columnType]);
}

/**
 * Integer keys whose taken values the sequence does not know of: rows loaded with their ids (a
 * data-only restore, a copy from another database, fixtures) or a sequence reset leave
 * nextval() behind the highest id, and the inserts fail with a duplicate key once it gets
 * there; explicit ids near the type's end fail with "out of range" however low the sequence
 * is. The Sequences card sees neither, as it reads only the sequence.
 */
const highestKeys: CardDefinition = {
  id: 'highestKeys',
  title: 'Highest key values',
  async run(context): Promise<CardResult<HighestKeysData>> {
    const { session, signal, limit, probe } = context;
    const candidates = await session.query<KeyCandidate>(
      'highestKeys',
      KEY_CANDIDATES,
      [KEY_COLUMNS_READ],
      signal,
    );
    const columns = candidates[0]?.columns ?? 0;
    const locked = candidates.filter((key) => key.locked).length;
    const hidden = candidates.filter((key) => !key.locked && !key.readable);
    const unreadable = hidden.length;
    const unreadableTables = [
      ...new Set(hidden.map((key) => qualified(key.schema, key.table))),
    ].sort();
    const toRead = candidates.filter((key) => !key.locked && key.readable);
    const server = session.connection.display;
    const now = context.clock.now().getTime();
    const known = new Map<KeyCandidate, string | null>();
    for (const key of toRead) {
      const read = HIGHEST_READ.get(highestReadKey(server, key));
      if (
        !probe.replica &&
        read !== undefined &&
        key.writes !== null &&
        read.writes === key.writes &&
        now - read.at < HIGHEST_READ_MAX_AGE_MS
      ) {
        known.set(key, read.highest);
      }
    }
    const knownKeys = new Set(known.keys());

    const values: KeyValue[] = [];
    let sequencesUnread = 0;
    let failed = 0;
    let firstError: unknown;
    for (let start = 0; start < toRead.length; start += KEY_COLUMNS_PER_STATEMENT) {
      const part = toRead.slice(start, start + KEY_COLUMNS_PER_STATEMENT);
      try {
        const rows = await session.query<KeyRead>(
          'highestKeys',
          keyReadSql(part, knownKeys),
          undefined,
          signal,
        );
        for (const row of rows) {
          const key = part[row.k];
          if (known.has(key)) {
            row.highest = known.get(key) ?? null;
          } else if (key.writes !== null && !probe.replica) {
            const cacheKey = highestReadKey(server, key);
            HIGHEST_READ.delete(cacheKey);
            HIGHEST_READ.set(cacheKey, { writes: key.writes, highest: row.highest, at: now });
            if (HIGHEST_READ.size > HIGHEST_READ_MAX) {
              HIGHEST_READ.delete(HIGHEST_READ.keys().next().value as string);
            }
          }
          values.push(keyValue(key, row));
          if (!key.sequenceReadable) sequencesUnread++;
        }
      } catch (error) {
        // A lock taken since the list was read, or a statement timeout: those keys are left
        // unread and said so; the others still count.
        if (UpkeepError.is(error, 'cancelled')) throw error;
        failed += part.length;
        firstError ??= error;
      }
    }
    if (values.length === 0 && failed > 0) throw firstError;
    await markTakenNext(context, values);

    const flagged = (key: KeyValue): boolean => key.behind || key.share >= KEY_WARN_SHARE;
    const sorted = [...values].sort(
      (a, b) => Number(flagged(b)) - Number(flagged(a)) || b.share - a.share,
    );
    const findings = sorted.filter(flagged);
    const data: HighestKeysData = {
      keys: sorted.slice(0, Math.max(limit, findings.length)),
      columns,
      read: values.length,
      locked,
      unreadable,
      ...(unreadable ? { unreadableTables } : {}),
      sequencesUnread,
      failed,
      ...(failed ? { failure: describeError(firstError) } : {}),
    };
    return evaluateHighestKeys(data, probe.role);
  },
};

/** `"schema"."table"."column"`, `public` left out. */
function keyName(key: { schema: string; table: string; column: string }): string {
  return `${qualified(key.schema, key.table)}.${quoteIdent(key.column)}`;
}

/** "12 of 12 key columns read", with what was left out and why. */
function keysReadNote(data: HighestKeysData): string {
  const notes = [`${data.read} of ${plural(data.columns, 'key column', 'key columns')} read`];
  if (data.columns > KEY_COLUMNS_READ) {
    notes[0] += ` (at most ${KEY_COLUMNS_READ}, the narrowest types and largest tables first)`;
  }
  if (data.locked) notes.push(`${data.locked} locked by another session`);
  if (data.unreadable) notes.push(`${data.unreadable} this role may not read`);
  if (data.sequencesUnread) {
    notes.push(
      `${plural(data.sequencesUnread, 'sequence', 'sequences')} this role may not read ` +
        '(not compared)',
    );
  }
  if (data.failed) notes.push(`${data.failed} not read: ${data.failure ?? 'the read failed'}`);
  return notes.join('; ');
}

const percentOf = (share: number): string => `${(share * 100).toFixed(1)} %`;

/**
 * A double-quoted Ruby string of `text` for a line to paste into a Rails console: JSON's escapes
 * are Ruby's too, and each `#` is escaped, since `#{…}`, `#@…` and `#$…` run there.
 */
const rubyString = (text: string): string => JSON.stringify(text).replace(/#/g, '\\#');

/** How many inserts at most until nextval() reaches a taken id. */
function insertsToCollision(key: KeyValue): bigint {
  if (key.highest === null || key.next === null) return 0n;
  const gap = BigInt(key.highest) - BigInt(key.next);
  return (gap < 0n ? -gap : gap) + 1n;
}

/**
 * The Highest key values card from what it read: a key ahead of its sequence or past 75 % of
 * its type warns, with the setval or the migration for each.
 */
export function evaluateHighestKeys(
  data: HighestKeysData,
  role: string,
): CardResult<HighestKeysData> {
  if (data.columns === 0) {
    return { state: 'ok', summary: 'No integer key fed by a sequence', data };
  }
  const readNote = keysReadNote(data);
  if (data.read === 0 && data.failed === 0 && data.locked === 0) {
    return {
      state: 'skipped',
      summary: readNote,
      reason:
        `Role ${role} may not SELECT the key columns, so a key ahead of its sequence would ` +
        'not show. A role with SELECT on the tables (pg_read_all_data from PostgreSQL 14) ' +
        'reads each key from the end of its index.',
      ...(data.unreadableTables?.length
        ? { fix: `GRANT SELECT ON ${data.unreadableTables.join(', ')} TO ${quoteIdent(role)};` }
        : {}),
      data,
    };
  }
  const behind = data.keys.filter((key) => key.behind);
  const near = data.keys.filter((key) => key.share >= KEY_WARN_SHARE);
  if (behind.length === 0 && near.length === 0) {
    const top = data.keys.find((key) => key.highest !== null);
    return {
      state: 'ok',
      summary:
        (top?.highest
          ? `highest key ${keyName(top)} at ${percentOf(top.share)} of its type's maximum ` +
            `(${groupDigits(top.highest)}); `
          : '') + readNote,
      data,
    };
  }

  const summaries: string[] = [];
  const reasons: string[] = [];
  const first = behind[0];
  if (first) {
    summaries.push(
      `${plural(behind.length, 'key', 'keys')} ahead of ` +
        `${behind.length === 1 ? 'its' : 'their'} sequence: ${keyName(first)} holds ` +
        `${groupDigits(first.highest ?? '')}, ${quoteIdent(first.sequence)} gives ` +
        `${groupDigits(first.next ?? '')} next` +
        (first.nextTaken ? ' (taken: the next insert fails)' : ''),
    );
    reasons.push(
      `nextval() on ${quoteIdent(first.sequence)} hands out ids that rows of ` +
        `${qualified(first.schema, first.table)} already hold: inserts that take the default ` +
        'fail with "duplicate key value violates unique constraint" ' +
        (first.nextTaken
          ? 'from the very next one'
          : `once it reaches a taken id, within ${groupDigits(
              insertsToCollision(first).toString(),
            )} inserts at most`) +
        '. Rows loaded with their ids (a data-only restore, a copy from another database, ' +
        'fixtures) or a sequence reset (ALTER SEQUENCE … RESTART) leave a sequence behind. ' +
        'setval moves it past the highest id (in Rails, ' +
        `ActiveRecord::Base.connection.reset_pk_sequence!(${rubyString(first.table)})); ` +
        'Upkeep never runs it.',
    );
  }
  const fullest = near[0];
  if (fullest) {
    summaries.push(
      `${plural(near.length, 'integer key', 'integer keys')} past 75 % of ` +
        `${near.length === 1 ? 'its' : 'their'} type: ${keyName(fullest)} holds ` +
        `${groupDigits(fullest.highest ?? '')} of ${groupDigits(fullest.typeEnd)}`,
    );
    reasons.push(
      `Ids set explicitly have taken ${keyName(fullest)} (${fullest.columnType}) to ` +
        `${percentOf(fullest.share)} of its maximum` +
        (fullest.next === null ? '' : `, its sequence being at ${groupDigits(fullest.next)}`) +
        `: an insert past ${groupDigits(fullest.typeEnd)} fails with ` +
        `"${fullest.columnType} out of range", and moving the sequence past the highest id ` +
        'would only bring its end nearer. ' +
        (fullest.columnType === 'bigint'
          ? 'bigint is the widest integer type, so no migration widens it: find what sets ids ' +
            'this high (an import, ids made elsewhere) before they reach its end.'
          : 'Widening the column rewrites its table: plan it as a migration.'),
    );
  }
  const incomplete = data.read < data.columns || data.sequencesUnread > 0;
  const findings = data.keys.filter((key) => key.fixSql !== null);
  return {
    state: 'warn',
    summary: summaries.join('; ') + (incomplete ? `; ${readNote}` : ''),
    reason: reasons.join(' '),
    fix: findings[0]?.fixSql ?? undefined,
    fixes: several(findings.map((key) => key.fixSql)),
    data,
  };
}

export const tableCards: CardDefinition[] = [
  databaseSize,
  tables,
  indexes,
  growth,
  tableWritesCard,
  unusedIndexes,
  duplicateIndexes,
  invalidIndexes,
  foreignKeysWithoutIndex,
  seqScans,
  vacuum,
  statistics,
  wraparound,
  sequences,
  highestKeys,
  narrowForeignKeys,
];
