/**
 * The shape of a log summary: plain JSON data for the CLI's `--format json` (documented in
 * docs/logs-json.md, stable), the dashboard and the checks. Times are ISO 8601 strings in UTC.
 */

export interface LogWindow {
  from?: Date;
  to?: Date;
  /** `last hour`, `last 24 hours`, `2026-12-01..2026-12-02`, `all`. */
  label: string;
}

export interface SourceReport {
  /** As configured or given (a file or a glob). */
  pattern: string;
  /**
   * The file read, relative to the workspace when inside it (else absolute), `-` for standard
   * input; absent when nothing matched.
   */
  path?: string;
  /** Standard input (the source `-`): `bytes` is what came, there is no `modifiedAt`. */
  stdin?: true;
  bytes: number;
  /** When the file last changed (ISO); absent for a missing source. */
  modifiedAt?: string;
  /** Bytes actually read (less than `bytes` after a seek to the window or a skip). */
  bytesRead: number;
  lines: number;
  gzip: boolean;
  missing?: boolean;
  /** Why it could not be read, and what to do. */
  error?: string;
  /** Read only in part (a `.gz` past its decompressed limit): why, and what to do. */
  warning?: string;
  /** The window was found by seeking; line numbers from this file are then unknown (null). */
  seeked?: boolean;
  /** Skipped because its last change is older than the window. */
  skipped?: boolean;
}

export interface Location {
  /** Workspace-relative when inside the workspace, else absolute. */
  file: string;
  /** 1-based; null when unknown because the read started at a seek offset. */
  line: number | null;
  /** Byte offset of the line in the file (in the decompressed stream for .gz). */
  offset: number;
}

export interface DurationStats {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ActionStats extends DurationStats {
  name: string;
  count: number;
  errors: number;
  totalMs: number;
  /** Share of total time spent rendering views / in the database, 0..1; null when not logged. */
  viewShare: number | null;
  dbShare: number | null;
}

export interface SlowRequest extends Location {
  action: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  durationMs: number;
  at: string | null;
}

export interface ExceptionSummary extends Location {
  className: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  message: string;
  /** First application frame of an example backtrace. */
  frame: string | null;
  /** Request actions it happened in, most frequent first. */
  actions: string[];
}

export interface SuspiciousEntry extends Location {
  ip: string;
  kind: 'sql-injection' | 'xss' | 'path-traversal' | 'scanner-probe';
  /** An example path (with query). */
  path: string;
  count: number;
}

/** 10 or more 401/403/422 for one IP within any 5 minutes, and those around them (bursts.ts). */
export interface BurstEntry {
  ip: string;
  from: string;
  to: string;
  count: number;
  statuses: Record<string, number>;
}

export interface NPlusOneEntry extends Location {
  action: string | null;
  /** The statement shape, literals replaced by `?`. */
  statement: string;
  /** Rails' name for it, e.g. `Comment Load`. */
  name: string;
  /** The `↳` line Rails logged under it: where in the app it runs. */
  source: string | null;
  /** Requests in which it repeated. */
  requests: number;
  maxRepeats: number;
}

/** The requests of an hour (or of a 5-minute slot) and their durations. */
export interface RequestBucket {
  count: number;
  /** With a completion (a status): `errors / completed` is the bucket's error rate. */
  completed: number;
  errors: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LogSummary {
  /** Version of this JSON shape; bumped only for incompatible changes. */
  schema: 1;
  generatedAt: string;
  sources: SourceReport[];
  timeZone: {
    zone: string;
    source: 'configured' | 'machine';
    /** Requests whose time carried an offset (read as written). */
    explicitOffsets: number;
    /** Requests whose time had no offset (read in `zone`). */
    zoneApplied: number;
    note: string;
  };
  window: { from: string | null; to: string | null; label: string };
  span: { first: string | null; last: string | null };
  /**
   * The time of the newest request or error line read, in the window or not: a log whose
   * newest entry is older than the window holds nothing recent, whenever the file was copied.
   */
  lastEntry: string | null;
  requests: {
    total: number;
    completed: number;
    incomplete: number;
    /** Durations per hour: the mean and the percentiles of the requests that hour. */
    perHour: (RequestBucket & { hour: string })[];
    /**
     * A window of 3 hours or less only: its 5-minute slots from the window's start (each
     * whole, the quiet ones too), with the figures of `perHour`.
     */
    perFiveMinutes?: (RequestBucket & { start: string })[];
    /** Requests in hours older than the latest MAX_HOURS (2,208), left out of `perHour`. */
    perHourFolded?: number;
    /** Requests dated more than an hour after the clock, left out of `perHour`. */
    perHourFuture?: number;
  };
  statusClasses: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'unknown', number>;
  statuses: Record<string, number>;
  /** 5xx share of completed requests, 0..1. */
  errorRate: number;
  errors: {
    total: number;
    lastSeen: string | null;
    /** Exception class, or `HTTP 500` for a 5xx without a logged exception, or `ERROR line`. */
    byClass: { className: string; count: number }[];
  };
  duration: DurationStats & { count: number };
  actions: ActionStats[];
  slowRequestMs: number;
  slowRequests: number;
  slowest: SlowRequest[];
  exceptions: ExceptionSummary[];
  routingErrors: { total: number; paths: { method: string; path: string; count: number }[] };
  failedLogins: {
    total: number;
    /** Addresses with a failed login (of at most 20,000 counted); `byIp` lists the top 50. */
    ips: number;
    byIp: { ip: string; count: number }[];
    byHour: { hour: string; count: number }[];
    /** Failed logins in hours older than the latest 2,208, left out of `byHour`. */
    byHourFolded?: number;
    /** Failed logins dated more than an hour after the clock, left out of `byHour`. */
    byHourFuture?: number;
  };
  /** Requests that looked like an attack, each once whatever kinds it matched. */
  suspiciousRequests: { total: number; ips: number; byIp: { ip: string; count: number }[] };
  suspicious: SuspiciousEntry[];
  bursts: BurstEntry[];
  sql: {
    requestsWithSql: number;
    queries: number;
    cached: number;
    meanPerRequest: number;
    maxPerRequest: (Location & { count: number; action: string | null }) | null;
  };
  nPlusOne: NPlusOneEntry[];
  assembly: {
    byRequestId: number;
    byProcess: number;
    singleLine: number;
    orphanLines: number;
    incomplete: number;
    /** Heroku router lines joined to a request the app logged without a request id. */
    routerJoined: number;
    linesRead: number;
    /** Requests read but outside the window. */
    outsideWindow: number;
  };
  warnings: string[];
}
