/**
 * The one message protocol between the extension host and the dashboard webview, with the
 * view-models both sides render. Both sides import this file; the host validates every message
 * that comes from the webview with `parseWebviewMessage` before acting on it.
 */
import type { CardState } from '../db/cards';
import { isRecord } from '../util/isRecord';

/** The log window the maintainer chose; a range carries ISO 8601 bounds. */
export type LogWindow =
  { kind: '1h' } | { kind: '24h' } | { kind: '7d' } | { kind: 'range'; from: string; to: string };

export type SectionId = 'alerts' | 'health' | 'logs' | 'database' | 'business';

export const SECTION_IDS: readonly SectionId[] = [
  'alerts',
  'health',
  'logs',
  'database',
  'business',
];

// ---------------------------------------------------------------------------------------------
// View-models: plain data, already shaped for display (numbers stay numbers, the webview formats).

export type Severity = 'warn' | 'fail';

export interface AlertView {
  id: string;
  severity: Severity;
  title: string;
  /** The measured value against the threshold, in words. */
  detail: string;
  section: SectionId;
  /**
   * When the check behind a failing check's alert ran (ISO 8601): its figures are of then ("1
   * error in the last hour" read half an hour later), unlike the other alerts, of the page's data.
   */
  ranAt?: string;
}

export interface AlertsView {
  alerts: AlertView[];
}

export type HealthOutcome = 'pass' | 'warn' | 'fail' | 'error' | 'skipped' | 'never';

/**
 * The one order outcomes are counted in: the Health figures, each tier's line, the CLI's table
 * and the run notification all read pass, warn, fail, error, skipped, then not run.
 */
const OUTCOME_ORDER: readonly HealthOutcome[] = [
  'pass',
  'warn',
  'fail',
  'error',
  'skipped',
  'never',
];

/** `1 pass, 1 fail, 1 not run`: the outcomes present, counted, in OUTCOME_ORDER. */
export function describeOutcomes(outcomes: readonly HealthOutcome[]): string {
  return OUTCOME_ORDER.map((outcome) => {
    const count = outcomes.filter((candidate) => candidate === outcome).length;
    return count
      ? `${count.toLocaleString('en')} ${outcome === 'never' ? 'not run' : outcome}`
      : '';
  })
    .filter(Boolean)
    .join(', ');
}

export interface LocationView {
  /** Workspace-relative (or absolute) path; the host checks it lies inside the workspace. */
  file: string;
  /** 1-based. */
  line?: number;
}

export interface HealthCheckView {
  checkId: string;
  title: string;
  outcome: HealthOutcome;
  summary: string;
  /** ISO 8601; absent when the check never ran. */
  startedAt?: string;
  durationMs?: number;
  /** Set when the result was saved by `upkeep check --save` or `upkeep drill --save`. */
  from?: 'commandLine';
  findings: { message: string; severity: string; location?: LocationView }[];
  /** What a check that did not pass says beyond its summary: why, the fix, the next step. */
  details?: string;
}

export interface HealthTierView {
  tierId: string;
  title: string;
  checks: HealthCheckView[];
}

export interface HealthView {
  tiers: HealthTierView[];
  counts: Record<HealthOutcome, number>;
}

/** Times are Unix seconds (what uPlot wants); a null value is a gap. */
export interface ChartView {
  title: string;
  /** What the figures count, as the caption names it ("requests", "ms", "%"). */
  unit: string;
  /**
   * How a figure is written: `durationMs`, milliseconds with their own unit, as the cards write
   * them ("5.9 s"); `percent`, a share with its % ("4 %"); `count`, a number whose series' name
   * says what it counts ("Errors (5xx) 1", not "1 requests"); absent, a number the unit follows
   * ("Database 42.3 MB").
   */
  figures?: 'durationMs' | 'percent' | 'count';
  times: number[];
  /**
   * `faded`: drawn lighter, in the colour of the series before it, of which it is a part (part
   * days of a series): that series' legend and table figures count it too.
   */
  series: { label: string; values: (number | null)[]; faded?: boolean }[];
  /** A line under the chart saying how to read it. */
  note?: string;
  /**
   * What each time's figure rests on (an hour's error rate: its completed requests), shown
   * with the time where a point is read and in the table: 50 % of 2 requests is no outage.
   * `label` heads its column ("Requests"), `unit` counts one ("request").
   */
  base?: { label: string; unit: string; values: number[] };
  /**
   * Set when each time is a calendar day the database cut (date_trunc in its TimeZone): the
   * time is that day's midnight UTC, and it reads as a date only, the zone named.
   */
  dayBuckets?: { timeZone: string };
}

export interface LogTotalsView {
  requests: number;
  errors: number;
  /** 5xx over the requests with a status (completed). */
  errorRatePercent: number | null;
  /**
   * The requests with a status, which the error rate is over (absent in a view saved before
   * it): under 100 the rate is said with its count ("1 of 2 requests").
   */
  completedRequests?: number;
  /**
   * The requests that logged a duration, which the average and percentiles are over (absent
   * in a view saved before it: then taken as `requests`).
   */
  timedRequests?: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Requests slower than the slow-request threshold. */
  slowRequests: number;
  /** That threshold, said under the count (absent in a view saved before it). */
  slowRequestMs?: number;
}

export interface ActionRowView {
  action: string;
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Share of the time spent in the database, percent. */
  dbSharePercent: number | null;
  /** Requests answered 5xx. */
  errors: number;
}

export interface SlowRequestView {
  at: string;
  action: string;
  path: string;
  status: number | null;
  durationMs: number;
  location?: LocationView;
}

export interface ExceptionRowView {
  className: string;
  count: number;
  lastMessage: string;
  lastAt: string;
  /** The requests' actions it was raised in, most frequent first. */
  actions: string[];
  /** The app's first frame of an example backtrace, to open in the editor. */
  frame?: LocationView;
  /** The log line of an example. */
  location?: LocationView;
  /** The title New Bug Report… gets from this row. */
  bugTitle: string;
}

export interface LogsView {
  window: LogWindow;
  /** ISO 8601 bounds actually used. */
  from: string;
  to: string;
  totals: LogTotalsView;
  requestsPerHour: ChartView;
  errorRate: ChartView;
  durations: ChartView;
  statusMix: { status: string; count: number }[];
  actions: ActionRowView[];
  exceptions: ExceptionRowView[];
  failedLogins: { ip: string; count: number }[];
  suspicious: { ip: string; count: number; example: string }[];
  slowRequests: SlowRequestView[];
  /** Files read, and anything that went wrong reading them. */
  sources: string[];
  warnings: string[];
  /**
   * Set when the window holds nothing and the newest entry read is older, or after its end (a
   * clock ahead): when it is from.
   */
  behind?: string;
}

/** A database card's state, as the cards give it (a type only: the page bundles no db code). */
export type { CardState };

export interface TableView {
  /**
   * `optional`: a column the panel leaves out when narrow (beside the sidebar), its values then
   * in the tooltip of the row's first cell.
   */
  columns: { key: string; label: string; numeric?: boolean; optional?: boolean }[];
  rows: (string | number | null)[][];
}

export interface CardView {
  id: string;
  title: string;
  /** What the card counts, under its name, where the name alone could be read two ways. */
  subtitle?: string;
  state: CardState;
  summary: string;
  reason?: string;
  fix?: string;
  /** Every statement, when the fix is one per row (two foreign keys, two indexes). */
  fixes?: string[];
  /** A documentation link; opened by the host after it checks the scheme. */
  link?: { label: string; url: string };
  facts: { label: string; value: string }[];
  table?: TableView;
}

export interface SlowQueryView {
  /**
   * What tells the query apart from another of the same text (another role's, or one cut to the
   * same first 2,000 characters): its query id and role. Absent in a view saved before it.
   */
  key?: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number | null;
}

export interface DatabaseView {
  /** `host:port/database`, never a password. */
  target: string;
  cards: CardView[];
  /** Cards still running while the others already show (each card loads on its own). */
  pending?: { id: string; title: string }[];
  growth: ChartView[];
  slowQueries: SlowQueryView[];
}

export interface BusinessView {
  funnel: { step: string; users: number }[];
  completionRatePercent: number | null;
  /** Average hours from sign-up to finishing onboarding. */
  timeToCompleteHours: number | null;
  signupsPerDay: ChartView | null;
  retentionPercent: number | null;
  cards: CardView[];
}

export interface SectionDataMap {
  alerts: AlertsView;
  health: HealthView;
  logs: LogsView;
  database: DatabaseView;
  business: BusinessView;
}

export type SectionPayload = {
  [K in SectionId]: { section: K; data: SectionDataMap[K] };
}[SectionId];

// ---------------------------------------------------------------------------------------------
// Messages.

/**
 * What the user set in one table of the page: its sort, its page, the rows whose "More" is open
 * (by row key). `id` is the table's own, given by its section, not the caption it shows.
 */
export interface TableViewState {
  id: string;
  sort?: { key: string; descending: boolean };
  page: number;
  open: string[];
}

/**
 * What the webview keeps across reloads (vscode.setState) and hands back on 'ready' (there
 * without `tables`, which only the page reads).
 */
export interface DashboardViewState {
  window: LogWindow;
  scrollY: number;
  /** The tables the user changed, the last changed last; read back bounded and checked. */
  tables?: TableViewState[];
}

export type HostMessage =
  | {
      type: 'init';
      window: LogWindow;
      autoRefreshSeconds: number;
      /** The Rails app's folder the data comes from; named in the header with several. */
      workspaceName: string;
      /** The window's workspace folders: with two or more the page offers another. */
      folderCount?: number;
      trusted: boolean;
      /**
       * The IANA zone the page shows times in, as the tree and bug reports do:
       * `upkeep.schedule.timeZone`, else the editor machine's (absent: the browser's).
       */
      timeZone?: string;
    }
  | { type: 'refreshStarted'; refreshId: number; window: LogWindow }
  | { type: 'sectionLoading'; refreshId: number; section: SectionId }
  | ({ type: 'sectionData'; refreshId: number } & SectionPayload)
  | { type: 'sectionError'; refreshId: number; section: SectionId; message: string; hint?: string }
  /** The maintainer cancelled this section's read; what it showed before is cleared. */
  | { type: 'sectionCancelled'; refreshId: number; section: SectionId; message: string }
  | { type: 'refreshDone'; refreshId: number; at: string }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type WebviewMessage =
  | { type: 'ready'; state?: DashboardViewState }
  | { type: 'refresh' }
  | { type: 'setWindow'; window: LogWindow }
  | { type: 'openLocation'; file: string; line?: number }
  | { type: 'explainQuery'; sql: string }
  | { type: 'openLink'; url: string }
  | { type: 'saveReport' }
  /** New Bug Report… with the title of an exception row the page shows. */
  | { type: 'newBugReport'; title: string }
  /** Asks which of the window's folders the dashboard (and all of Upkeep) works on. */
  | { type: 'chooseFolder' }
  /** Configure Database Connection…, from the Database section's error. */
  | { type: 'configureDatabase' };

/** Upper bounds on what the webview may send; anything larger is refused, not truncated. */
export const LIMITS = {
  path: 4096,
  sql: 1_000_000,
  url: 8192,
  line: 100_000_000,
  /** A bug report's title: MAX_TITLE_LENGTH of the templates. */
  title: 200,
} as const;

/** Milliseconds a range may span at most (a year), so one message cannot ask for a huge scan. */
const MAX_RANGE_MS = 366 * 24 * 3600 * 1000;

/** A string of 1 to `max` characters, as a message or a saved state may hold one. */
export function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

/** A valid window or undefined; a range needs two parseable instants, from < to, within a year. */
export function parseLogWindow(value: unknown): LogWindow | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === '1h' || value.kind === '24h' || value.kind === '7d') {
    return { kind: value.kind };
  }
  if (value.kind !== 'range') return undefined;
  if (!boundedString(value.from, 64) || !boundedString(value.to, 64)) return undefined;
  const from = Date.parse(value.from);
  const to = Date.parse(value.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return undefined;
  if (to - from > MAX_RANGE_MS) return undefined;
  return { kind: 'range', from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * The host's gate: returns a clean copy of a well-formed webview message, or undefined for
 * anything else (wrong type, extra-long strings, bad numbers). Unknown extra keys are dropped.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'ready': {
      if (value.state === undefined) return { type: 'ready' };
      const state = value.state;
      if (!isRecord(state)) return { type: 'ready' };
      const window = parseLogWindow(state.window);
      const scrollY =
        typeof state.scrollY === 'number' && Number.isFinite(state.scrollY) && state.scrollY >= 0
          ? state.scrollY
          : 0;
      return window ? { type: 'ready', state: { window, scrollY } } : { type: 'ready' };
    }
    case 'refresh':
    case 'saveReport':
    case 'chooseFolder':
    case 'configureDatabase':
      return { type: value.type };
    case 'setWindow': {
      const window = parseLogWindow(value.window);
      return window ? { type: 'setWindow', window } : undefined;
    }
    case 'openLocation': {
      if (!boundedString(value.file, LIMITS.path) || value.file.includes('\0')) return undefined;
      if (value.line === undefined) return { type: 'openLocation', file: value.file };
      const line = value.line;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > LIMITS.line) {
        return undefined;
      }
      return { type: 'openLocation', file: value.file, line };
    }
    case 'explainQuery':
      return boundedString(value.sql, LIMITS.sql)
        ? { type: 'explainQuery', sql: value.sql }
        : undefined;
    case 'openLink':
      return boundedString(value.url, LIMITS.url)
        ? { type: 'openLink', url: value.url }
        : undefined;
    case 'newBugReport':
      return boundedString(value.title, LIMITS.title)
        ? { type: 'newBugReport', title: value.title }
        : undefined;
    default:
      return undefined;
  }
}

/** The webview's gate for host messages: a cheap shape check, since the host is trusted code. */
export function isHostMessage(value: unknown): value is HostMessage {
  return (
    isRecord(value) &&
    typeof value.type === 'string' &&
    [
      'init',
      'refreshStarted',
      'sectionLoading',
      'sectionData',
      'sectionError',
      'sectionCancelled',
      'refreshDone',
      'notice',
    ].includes(value.type)
  );
}

/** The webview's title for each window, also used by the report. */
export function describeWindow(window: LogWindow): string {
  switch (window.kind) {
    case '1h':
      return 'last hour';
    case '24h':
      return 'last 24 hours';
    case '7d':
      return 'last 7 days';
    case 'range':
      return `${window.from} to ${window.to}`;
  }
}
