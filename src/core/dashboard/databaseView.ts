/**
 * Maps the database cards (src/core/db/cards.ts) and the kept size snapshots to the Database and
 * Business view-models. The one place that knows the cards' data shapes: a change there touches
 * only this file. Unknown cards still show, with their scalar data as facts and their first list
 * as a table.
 */
import type { DbCard } from '../db/cards';
import { formatDuration, formatPercent, isIntegerText } from '../util/figures';
import type { BusinessGrowthData, OnboardingData } from '../db/businessCards';
import type { SizeSnapshot } from '../db/snapshots';
import type { UnusedIndexesData } from '../db/tableCards';
import { countedSince } from '../db/tableCards';
import { quoteIdent } from '../db/sqlText';
import { plural } from '../util/plural';
import type {
  BusinessView,
  CardView,
  ChartView,
  DatabaseView,
  SlowQueryView,
  TableView,
} from './protocol';
import { isRecord } from '../util/isRecord';
import { shownZoneName } from '../util/timeZone';

/** Rows a card's table carries to the webview; the webview pages them. */
const MAX_TABLE_ROWS = 10_000;
/**
 * Under the onboarding card's name (`upkeep db`'s too): it counts users at their current step,
 * the funnel chart beside it users who reached a step.
 */
const ONBOARDING_CARD_SUBTITLE = 'Users now at each step';
/** Tables drawn in the growth chart, largest first. */
const GROWTH_TABLES = 5;

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** `totalBytes` → `Total bytes`: card data keys as column labels. */
export function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

/** Card data keys whose label from the key alone would read as a field name ("Pretty"). */
const LABELS: Record<string, string> = {
  pretty: 'Size',
  bytes: 'Bytes',
  note: 'Advice',
  seqScans: 'Sequential scans',
  seqShare: 'Sequential share',
  rowsReadBySeqScans: 'Rows read by sequential scans',
  age: 'Transaction ID age',
  pid: 'PID',
  waitEvent: 'Waiting for',
  minRows: 'Minimum table size (rows)',
  minScans: 'Minimum scans judged',
  freezeMaxAge: 'Autovacuum freeze max age',
  multixactAge: 'Multixact ID age',
  multixactShare: 'Multixact share of limit',
  multixactFreezeMaxAge: 'Autovacuum multixact freeze max age',
  multixactMemberBytes: 'Multixact member space (bytes)',
  multixactMemberShare: 'Multixact member share of limit',
  droppable: 'Indexes to drop',
  neverScanned: 'Indexes never scanned',
  statsSince: 'Statistics since',
  statsFrom: 'Statistics counted from',
  statsDays: 'Days of statistics',
};

/** Labels that depend on the card: what its `name` column holds, what its share is of. */
const CARD_LABELS: Record<string, Record<string, string>> = {
  indexes: { name: 'Index' },
  unusedIndexes: { name: 'Index' },
  leastScannedIndexes: { name: 'Index', constraint: 'Enforces a constraint' },
  tableWrites: {
    name: 'Table',
    count: 'Tables written to',
    hotUpdates: 'HOT updates',
    perDaySince: 'Per day since',
  },
  duplicateIndexes: { name: 'Index' },
  invalidIndexes: { name: 'Index' },
  seqScans: { name: 'Table' },
  growth: {
    name: 'Table',
    bytes: 'Growth 7 days (bytes)',
    pretty: 'Growth 7 days',
    totalBytes: 'Size now (bytes)',
    totalPretty: 'Size now',
    notInBaselineCount: 'Tables not in the 7-day snapshot (growth unknown)',
  },
  // Both cards give reltuples, the estimate ANALYZE and VACUUM keep, under one label.
  vacuum: { name: 'Table', liveRows: 'Rows (estimate)' },
  statistics: { name: 'Table', analyzeThreshold: 'Autovacuum analyze threshold (rows)' },
  wraparound: {
    name: 'Table',
    database: 'Connected database',
    oldestDatabase: 'Oldest database by transaction ID',
    oldestMultixactDatabase: 'Oldest database by multixact ID',
    databaseAge: 'Transaction ID age',
    share: 'Transaction ID share of limit',
  },
  sequences: { name: 'Sequence', share: 'Share of maximum', nearMaximum: 'Past 75 % of maximum' },
  highestKeys: {
    column: 'Key column',
    columnType: 'Type',
    highest: 'Highest value',
    next: 'Sequence gives next',
    typeEnd: 'Column maximum',
    share: 'Share of column maximum',
    behind: 'Sequence behind the keys',
    nextTaken: 'Next insert fails',
    columns: 'Key columns',
    read: 'Key columns read',
    locked: 'Not read: locked by another session',
    unreadable: 'Not read: no SELECT on the column',
    sequencesUnread: 'Sequences this role may not read',
    failed: 'Not read: statement failed',
  },
  narrowForeignKeys: {
    column: 'Foreign key column',
    columnType: 'Type',
    references: 'References',
    referencedValue: 'Referenced key now at',
    maxValue: 'Column maximum',
    share: 'Share of column maximum',
  },
  // Its table is sign-ups per day, not users, under the summary's count of all users.
  businessGrowth: { users: 'Sign-ups', signUpsTimeZone: 'Sign-ups time zone' },
  connections: {
    reserved: 'Reserved for superusers',
    reservedConnections: 'Reserved (reserved_connections)',
    available: "Open to the app's roles",
    share: 'Share in use',
  },
};

/** Code words among card data values, as a maintainer reads them. */
const VALUE_WORDS: Record<string, Record<string, string>> = {
  statsFrom: { reset: 'statistics reset', serverStart: 'server start' },
};

/** A card data key as a label a maintainer reads: the known ones by hand, the rest by rule. */
function labelFor(key: string, cardId?: string): string {
  return (cardId ? CARD_LABELS[cardId]?.[key] : undefined) ?? LABELS[key] ?? labelOf(key);
}

/**
 * Columns a narrow panel leaves out, the card being readable without them: a sequence's end is
 * its maximum unless it counts down, and a key's share of its column's maximum is shown.
 */
const OPTIONAL_COLUMNS: Record<string, ReadonlySet<string>> = {
  sequences: new Set(['sequenceEnd']),
  highestKeys: new Set(['sequenceSchema', 'typeEnd']),
};

/**
 * Fields a card's table leaves out: statements (`dropSql`, an index definition), which the card
 * shows as its fixes, and `advice`, the code word its `note` says in words.
 */
const HIDDEN_KEYS = new Set(['advice']);
const STATEMENT = /^\s*(?:CREATE|DROP|ALTER|REINDEX|VACUUM|ANALYZE|GRANT)\b/i;

function isStatementColumn(key: string, rows: Record<string, unknown>[]): boolean {
  if (/Sql$/.test(key)) return true;
  const texts = rows.map((row) => row[key]).filter((value) => typeof value === 'string');
  return texts.length > 0 && texts.every((text) => STATEMENT.test(text));
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A fact's text: numbers with thousands separators, booleans as yes/no. */
function factText(value: Scalar): string {
  if (typeof value === 'number') return integerFormat.format(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function cell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  // A foreign key's columns, the pids blocking a query.
  if (Array.isArray(value) && value.every(isScalar)) return value.map(String).join(', ');
  return JSON.stringify(value);
}

/** A list of plain values reads as one cell ("user_id, business_id"); objects do not. */
function isCellValue(value: unknown): boolean {
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}

/** A column of plain values (an empty list says nothing: a blocked query's blockers may be). */
function isPlainColumn(key: string, rows: Record<string, unknown>[]): boolean {
  const values = rows.map((row) => row[key]);
  return (
    !values.some((value) => Array.isArray(value) && !isCellValue(value)) &&
    values.some((value) => isScalar(value) || (Array.isArray(value) && value.length > 0))
  );
}

/**
 * Whether a column holds numbers only. bigint columns come as digits (a sequence's
 * 9223372036854775807 does not fit a number): numeric all the same, the webview groups and sorts
 * them as integers.
 */
function isNumericColumn(key: string, rows: Record<string, unknown>[]): boolean {
  return rows
    .map((row) => row[key])
    .filter((value) => value !== null && value !== undefined)
    .every((value) => typeof value === 'number' || isIntegerText(value));
}

/** A table column: its label, and how a value shows (a share as a percentage). */
function columnOf(
  key: string,
  cardId: string | undefined,
  rows: Record<string, unknown>[],
): { label: string; numeric: boolean; value: (raw: unknown) => string | number | null } {
  const values = rows
    .map((row) => row[key])
    .filter((value) => value !== null && value !== undefined);
  const numeric = isNumericColumn(key, rows);
  const label = labelFor(key, cardId).replace(/ seconds$/i, '');
  const ratios = values.every((value) => typeof value === 'number' && value >= 0 && value <= 1);
  if (numeric && ratios && RATIO_KEY.test(key)) {
    return {
      label: `${label} (%)`,
      numeric,
      value: (raw) => (typeof raw === 'number' ? Math.round(raw * 1000) / 10 : cell(raw)),
    };
  }
  if (numeric && SECONDS_KEY.test(key)) return { label: `${label} (s)`, numeric, value: cell };
  return { label, numeric, value: cell };
}

/**
 * The first list of objects in a card's data, as a table over its plain columns, without the
 * statements and code words (see HIDDEN_KEYS).
 */
export function tableOf(data: unknown, cardId?: string): TableView | undefined {
  if (!isRecord(data)) return undefined;
  for (const value of Object.values(data)) {
    if (!Array.isArray(value) || value.length === 0 || !isRecord(value[0])) continue;
    const rows = value.filter(isRecord);
    // A repo metric's columns are the query's, named by its author: none is one of Upkeep's
    // own fields (advice, a dropSql, a share), so each shows, under its own name, as read.
    const metric = cardId?.startsWith('metric:') === true;
    // In the query's order: its rows' keys put names of digits ("2024") first, as every
    // object's do.
    const ordered = metric && isNameList(data.columns);
    const keys = (ordered ? (data.columns as string[]) : Object.keys(value[0])).filter((key) =>
      metric
        ? isPlainColumn(key, rows)
        : !HIDDEN_KEYS.has(key) && isPlainColumn(key, rows) && !isStatementColumn(key, rows),
    );
    if (keys.length === 0) continue;
    const columns = keys.map((key) =>
      metric
        ? { label: key, numeric: isNumericColumn(key, rows), value: cell }
        : columnOf(key, cardId, rows),
    );
    return {
      columns: keys.map((key, k) => ({
        key,
        label: columns[k].label,
        numeric: columns[k].numeric,
        ...(cardId && OPTIONAL_COLUMNS[cardId]?.has(key) ? { optional: true } : {}),
      })),
      rows: value
        .slice(0, MAX_TABLE_ROWS)
        .map((row) => keys.map((key, k) => (isRecord(row) ? columns[k].value(row[key]) : null))),
    };
  }
  return undefined;
}

function isNameList(value: unknown): boolean {
  return Array.isArray(value) && value.every((name) => typeof name === 'string');
}

/** Ratios (0..1) read as percentages; these keys hold one, as do all of the cache hit card's. */
const RATIO_KEY = /(?:rate|ratio|share)$/i;
const SECONDS_KEY = /seconds/i;

/**
 * A fact's text by what its key says it measures: a share as %, seconds as a duration. The
 * cache hit ratios keep hundredths as their card's summary does (its alert line is 99 %).
 */
function measuredText(key: string, value: Scalar, ratios: boolean): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (ratios && value >= 0 && value <= 1) return `${(value * 100).toFixed(2)} %`;
    if (RATIO_KEY.test(key) && value >= 0 && value <= 1) return formatPercent(value * 100);
    if (SECONDS_KEY.test(key) && value >= 0) return formatDuration(value);
  }
  return factText(value);
}

/** Card data fields the card's own text already says (its reason), not shown again as facts. */
const SAID_IN_TEXT: Record<string, Set<string>> = {
  businessGrowth: new Set(['retentionNote']),
  tableWrites: new Set(['perDayNote']),
};

/** A card's scalar fields as facts, and a nested size as its `pretty` text; 12 at most. */
function factsOf(data: unknown, cardId?: string): { label: string; value: string }[] {
  if (!isRecord(data)) return [];
  const facts: { label: string; value: string }[] = [];
  const ratios = cardId === 'cacheHitRatio';
  const said = (cardId && SAID_IN_TEXT[cardId]) || new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    if (said.has(key)) continue;
    if (isScalar(value) && value !== null) {
      const label = labelFor(key, cardId).replace(/ seconds\b/i, '');
      const text = measuredText(key, value, ratios && key !== 'blocksRead');
      facts.push({ label, value: VALUE_WORDS[key]?.[text] ?? text });
    } else if (isRecord(value) && typeof value.pretty === 'string') {
      facts.push({ label: labelFor(key, cardId), value: value.pretty });
    }
  }
  return facts.slice(0, 12);
}

/** One card as shown; a few well-known cards get hand-picked facts, the rest generic ones. */
export function cardView(card: DbCard): CardView {
  const view: CardView = {
    id: card.id,
    title: card.title,
    state: card.state,
    summary: card.summary,
    reason: card.reason,
    fix: card.fix,
    fixes: card.fixes,
    facts: [],
  };
  const data = card.data;
  switch (card.id) {
    case 'connectivity': {
      if (isRecord(data)) {
        view.facts = [
          { label: 'Server version', value: String(data.serverVersion ?? '–') },
          {
            label: 'Round trip',
            value: typeof data.roundTripMs === 'number' ? `${factText(data.roundTripMs)} ms` : '–',
          },
          { label: 'Connected as', value: String(data.display ?? '–') },
          { label: 'From', value: String(data.source ?? '–') },
        ];
      }
      return view;
    }
    case 'databaseSize': {
      if (isRecord(data)) {
        view.facts = [
          { label: 'Size', value: String(data.pretty ?? '–') },
          { label: 'Bytes', value: typeof data.bytes === 'number' ? factText(data.bytes) : '–' },
        ];
      }
      return view;
    }
    case 'tables': {
      const tables = isRecord(data) && Array.isArray(data.tables) ? data.tables : [];
      view.table = {
        columns: [
          { key: 'table', label: 'Table' },
          { key: 'size', label: 'Size' },
          { key: 'bytes', label: 'Total bytes', numeric: true },
          { key: 'rows', label: 'Rows (estimate)', numeric: true },
          { key: 'growth', label: 'Growth 7 days (bytes)', numeric: true },
        ],
        rows: tables.filter(isRecord).map((table) => [
          (table.schema === 'public'
            ? String(table.name)
            : `${String(table.schema)}.${String(table.name)}`) +
            // A partitioned table's sizes are its partitions', which are not listed apart.
            (typeof table.partitions === 'number' && table.partitions > 0
              ? ` (partitioned: ${table.partitions} partition${table.partitions === 1 ? '' : 's'})`
              : ''),
          cell(table.pretty),
          cell(table.totalBytes),
          cell(table.estimatedRows),
          cell(table.growth7dBytes),
        ]),
      };
      if (isRecord(data) && typeof data.tableCount === 'number') {
        view.facts = [{ label: 'Tables', value: factText(data.tableCount) }];
      }
      return view;
    }
    case 'unusedIndexes':
      // Its table is the never-scanned indexes its advice is about; the least scanned are a
      // card of their own beside it (leastScannedView).
      view.facts = factsOf(data, card.id);
      view.table = isRecord(data) ? tableOf({ indexes: data.indexes }, card.id) : undefined;
      return view;
    case 'slowQueries':
      // The queries get their own table with an Explain button; the card keeps the headline.
      view.facts = factsOf(data);
      return view;
    default:
      view.facts = factsOf(data, card.id);
      view.table = tableOf(data, card.id);
      return view;
  }
}

function slowQueriesOf(cards: DbCard[]): SlowQueryView[] {
  const data = cards.find((card) => card.id === 'slowQueries')?.data;
  if (!isRecord(data) || !Array.isArray(data.queries)) return [];
  return data.queries.filter(isRecord).map((query) => ({
    ...(typeof query.queryId === 'string'
      ? { key: JSON.stringify([query.queryId, query.role ?? null]) }
      : {}),
    query: String(query.query ?? ''),
    calls: Number(query.calls ?? 0),
    totalMs: Number(query.totalMs ?? 0),
    meanMs: Number(query.meanMs ?? 0),
    rows: typeof query.rows === 'number' ? query.rows : null,
  }));
}

/** Database size and the largest tables over time, from the kept snapshots (MB). */
export function growthCharts(snapshots: SizeSnapshot[]): ChartView[] {
  const sorted = [...snapshots]
    .filter((snapshot) => Number.isFinite(Date.parse(snapshot.at)))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (sorted.length < 2) return [];
  const times = sorted.map((snapshot) => Math.floor(Date.parse(snapshot.at) / 1000));
  const mb = (bytes: number | undefined): number | null =>
    bytes === undefined ? null : Math.round((bytes / 1024 / 1024) * 100) / 100;

  const latest = sorted[sorted.length - 1].tables;
  const largest = Object.entries(latest)
    .sort((a, b) => b[1] - a[1])
    .slice(0, GROWTH_TABLES)
    .map(([name]) => name);
  const size: ChartView = {
    title: 'Database size',
    unit: 'MB',
    times,
    series: [{ label: 'Database', values: sorted.map((s) => mb(s.databaseBytes)) }],
  };
  // A database without tables has no Largest tables: empty axes read as a chart of nothing.
  if (largest.length === 0) return [size];
  return [
    size,
    {
      title: 'Largest tables',
      unit: 'MB',
      times,
      series: largest.map((name) => ({
        label: name.replace(/^public\./, ''),
        values: sorted.map((s) => mb(s.tables[name])),
      })),
    },
  ];
}

/**
 * The Unused indexes card's least-scanned list (the guidelines' weekly query) as a card beside
 * it: a list to review, with no state of its own and no advice (the unused card gives that).
 */
function leastScannedView(card: DbCard): CardView | undefined {
  const data = card.data as UnusedIndexesData | null;
  if (card.id !== 'unusedIndexes' || !data?.leastScanned?.length) return undefined;
  // An index another session holds locked is listed by its scans, its size not read.
  const unread = data.leastScanned
    .filter((index) => index.lockedBy)
    .map((index) => `${quoteIdent(index.name)} (${index.lockedBy})`);
  return {
    id: 'leastScannedIndexes',
    title: 'Least-scanned indexes',
    state: 'ok',
    summary:
      `The ${plural(data.leastScanned.length, 'index', 'indexes')} scanned least ` +
      `${countedSince(data)}; Unused indexes says which may be dropped` +
      (unread.length ? `; size not read: ${unread.join(', ')}` : ''),
    facts: [],
    table: tableOf({ leastScanned: data.leastScanned }, 'leastScannedIndexes'),
  };
}

/** Cards that belong to the Business section rather than the Database section. */
function isBusinessCard(card: DbCard): boolean {
  return card.id === 'onboarding' || card.id === 'businessGrowth' || card.id.startsWith('metric:');
}

export function databaseView(
  cards: DbCard[],
  target: string,
  snapshots: SizeSnapshot[] = [],
): DatabaseView {
  return {
    target,
    cards: cards
      .filter((card) => !isBusinessCard(card))
      .flatMap((card) => [cardView(card), leastScannedView(card) ?? []].flat()),
    growth: growthCharts(snapshots),
    slowQueries: slowQueriesOf(cards),
  };
}

const dayFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

const DAY_MS = 86_400_000;
/** Days drawn at most: the window is 30 days and a day more; a longer span is left as it is. */
const MAX_FILLED_DAYS = 400;

/**
 * Every day of the window, a day without sign-ups as 0 (the query returns only days that have
 * some, so a week of none was not on the axis at all): from the window's first day to today,
 * or, for a card saved without them, from the first day with sign-ups to the last.
 */
function everyDay(
  days: { at: number; users: number }[],
  partial: BusinessGrowthData['signUpsPartialDays'],
): { at: number; users: number }[] {
  const bound = (day: string | undefined): number => Date.parse(`${day}T00:00:00Z`);
  const known = days.map((day) => day.at);
  const from = Math.min(...known, partial ? bound(partial.first) : Infinity);
  const to = Math.max(...known, partial ? bound(partial.last) : -Infinity);
  if (!Number.isFinite(from) || !Number.isFinite(to) || (to - from) / DAY_MS > MAX_FILLED_DAYS) {
    return days;
  }
  const users = new Map(days.map((day) => [day.at, day.users]));
  const count = Math.round((to - from) / DAY_MS) + 1;
  return Array.from({ length: count }, (_, index) => {
    const at = from + index * DAY_MS;
    return { at, users: users.get(at) ?? 0 };
  });
}

/**
 * Sign-ups of whole days, and apart from them, lighter, the two days counted in part (from
 * this time 30 days ago, today so far), which would read as drops beside whole days. The part
 * days are a part of the sign-ups: the legend's total counts them, as the card's figure does.
 */
function signUpSeries(
  days: { at: number; users: number }[],
  partial: BusinessGrowthData['signUpsPartialDays'],
): Pick<ChartView, 'series' | 'note'> {
  if (!partial) return { series: [{ label: 'Sign-ups', values: days.map((day) => day.users) }] };
  const partAt = new Set([partial.first, partial.last].map((day) => Date.parse(`${day}T00:00Z`)));
  const first = dayFormat.format(Date.parse(`${partial.first}T00:00Z`));
  const last = dayFormat.format(Date.parse(`${partial.last}T00:00Z`));
  return {
    series: [
      {
        label: 'Sign-ups',
        values: days.map((day) => (partAt.has(day.at) ? null : day.users)),
      },
      {
        label: 'of which part days',
        values: days.map((day) => (partAt.has(day.at) ? day.users : null)),
        faded: true,
      },
    ],
    note:
      `Lighter bars are part days: ${first} from this time 30 days ago, ` +
      `${last} (today) so far.`,
  };
}

/**
 * The Business section from the onboarding and business-growth cards (and repo metrics, shown
 * as cards). The funnel counts the users who reached each step, so it only narrows.
 */
export function businessView(cards: DbCard[]): BusinessView {
  const business = cards.filter(isBusinessCard);
  const view: BusinessView = {
    funnel: [],
    completionRatePercent: null,
    timeToCompleteHours: null,
    signupsPerDay: null,
    retentionPercent: null,
    cards: business.map((card) =>
      card.id === 'onboarding'
        ? { ...cardView(card), subtitle: ONBOARDING_CARD_SUBTITLE }
        : cardView(card),
    ),
  };

  const onboarding = business.find((card) => card.id === 'onboarding')?.data as
    OnboardingData | null | undefined;
  if (onboarding) {
    const steps = onboarding.steps
      .filter((entry): entry is { step: number; users: number } => entry.step !== null)
      .sort((a, b) => a.step - b.step);
    view.funnel = steps.map((entry) => ({
      step: `Step ${entry.step}`,
      users: steps.filter((other) => other.step >= entry.step).reduce((sum, o) => sum + o.users, 0),
    }));
    view.completionRatePercent = onboarding.completionRate * 100;
    view.timeToCompleteHours =
      onboarding.averageSecondsToComplete === null
        ? null
        : onboarding.averageSecondsToComplete / 3600;
  }

  const growth = business.find((card) => card.id === 'businessGrowth')?.data as
    BusinessGrowthData | null | undefined;
  if (growth) {
    const days = growth.signUpsPerDay
      .map((day) => ({ at: Date.parse(`${day.day}T00:00:00Z`), users: day.users }))
      .filter((day) => Number.isFinite(day.at))
      .sort((a, b) => a.at - b.at);
    const axis = everyDay(days, growth.signUpsPartialDays);
    view.signupsPerDay = {
      title: 'Sign-ups per day',
      unit: 'users',
      figures: 'count',
      times: axis.map((day) => day.at / 1000),
      ...signUpSeries(axis, growth.signUpsPartialDays),
      dayBuckets: {
        timeZone: growth.signUpsTimeZone
          ? shownZoneName(growth.signUpsTimeZone)
          : 'the database time zone',
      },
    };
    if (growth.retention7d?.cohort) {
      view.retentionPercent = growth.retention7d.rate * 100;
    }
  }
  return view;
}
