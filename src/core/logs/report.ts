/**
 * Folds finished requests and stray error lines into the figures of a log summary, with
 * bounded memory: histograms instead of lists of durations, capped tables, a top-N of the
 * slowest requests.
 */
import { Histogram } from './histogram';
import type { AssemblySink, ExceptionInfo, OrphanError, RequestRecord } from './requestAssembler';
import { classifyRequest, isLoginAction, type SuspiciousKind } from './security';
import type {
  ActionStats,
  BurstEntry,
  DurationStats,
  ExceptionSummary,
  LogSummary,
  NPlusOneEntry,
  SlowRequest,
  SuspiciousEntry,
} from './summaryTypes';
import { hourOf } from './timestamps';

const MAX_ACTIONS = 2000;
const MAX_EXCEPTION_CLASSES = 500;
const MAX_KEYS = 20_000;
const SLOWEST = 20;
const N_PLUS_ONE_REPEATS = 3;
const BURST_MINUTES = 5;
const BURST_MIN = 10;
const BURST_STATUSES = new Set([401, 403, 422]);
const OUTPUT_ROWS = 50;
/** Per-hour tables keep the latest this many hours (about three months); older ones fold. */
export const MAX_HOURS = 24 * 92;

/**
 * Buckets by hour with bounded memory: a log whose lines spread over years (or a hostile one,
 * each line in another hour) keeps only the latest MAX_HOURS hours; older hours are folded
 * into one count, so totals stay right while the table stays small.
 */
class HourBuckets<T> {
  private readonly buckets = new Map<number, T>();
  /** Hours before this one were folded. */
  private foldedBefore = -Infinity;
  /** What the folded hours held, by `weight`. */
  folded = 0;

  constructor(
    private readonly create: () => T,
    private readonly weight: (bucket: T) => number,
  ) {}

  /** The bucket of `hour`, or undefined when that hour is folded (the caller counts it). */
  get(hour: number): T | undefined {
    if (hour < this.foldedBefore) return undefined;
    let bucket = this.buckets.get(hour);
    if (bucket) return bucket;
    bucket = this.create();
    this.buckets.set(hour, bucket);
    // Folding in batches keeps the cost per new hour constant even for shuffled hours.
    if (this.buckets.size > 2 * MAX_HOURS) this.fold();
    return hour < this.foldedBefore ? undefined : bucket;
  }

  private fold(): void {
    const hours = [...this.buckets.keys()].sort((a, b) => b - a);
    for (const hour of hours.slice(MAX_HOURS)) {
      this.folded += this.weight(this.buckets.get(hour)!);
      this.buckets.delete(hour);
    }
    this.foldedBefore = hours[MAX_HOURS - 1];
  }

  rows(): [number, T][] {
    if (this.buckets.size > MAX_HOURS) this.fold();
    return [...this.buckets.entries()].sort((a, b) => a[0] - b[0]);
  }
}

interface ActionAccumulator {
  count: number;
  errors: number;
  histogram: Histogram;
  viewMs: number;
  dbMs: number;
  /** Duration of requests that logged a view / db time, for the shares. */
  viewBase: number;
  dbBase: number;
}

interface ExceptionAccumulator {
  count: number;
  first: number;
  last: number;
  example: ExceptionInfo;
  frame?: string;
  actions: Map<string, number>;
}

/** Turns absolute paths into what the summary shows. */
export type PathLabel = (absolute: string) => string;

export class ReportBuilder implements AssemblySink {
  private readonly overall = new Histogram();
  private readonly actions = new Map<string, ActionAccumulator>();
  private readonly perHour = new HourBuckets(
    () => ({ count: 0, errors: 0, durationMs: 0, durations: new Histogram() }),
    (b) => b.count,
  );
  private readonly statuses = new Map<string, number>();
  private readonly statusClasses: LogSummary['statusClasses'] = {
    '1xx': 0,
    '2xx': 0,
    '3xx': 0,
    '4xx': 0,
    '5xx': 0,
    unknown: 0,
  };
  private readonly exceptions = new Map<string, ExceptionAccumulator>();
  private readonly errorClasses = new Map<string, number>();
  private readonly routing = new Map<string, { method: string; path: string; count: number }>();
  private readonly failedByIp = new Map<string, number>();
  private readonly failedByHour = new HourBuckets(
    () => ({ count: 0 }),
    (b) => b.count,
  );
  private readonly suspicious = new Map<string, SuspiciousEntry>();
  private readonly bursts = new Map<
    string,
    // Counts per status as fields: an object keyed "401" would get a 4 KB elements array.
    {
      ip: string;
      from: number;
      to: number;
      count: number;
      s401: number;
      s403: number;
      s422: number;
    }
  >();
  private readonly nPlusOne = new Map<string, NPlusOneEntry>();
  private slowest: SlowRequest[] = [];
  private total = 0;
  private completed = 0;
  private incomplete = 0;
  private errorsTotal = 0;
  private errorsLast = NaN;
  private routingTotal = 0;
  private failedTotal = 0;
  private slowCount = 0;
  private first = NaN;
  private last = NaN;
  private explicitOffsets = 0;
  private zoneApplied = 0;
  private sqlRequests = 0;
  private sqlQueries = 0;
  private sqlCached = 0;
  private sqlMax: LogSummary['sql']['maxPerRequest'] = null;
  outsideWindow = 0;
  /** Requests left out of a window because they carry no time at all. */
  untimedOutside = 0;
  private lastPrunedBucket = -Infinity;
  /** Set by the reader when line numbers of the current file are unknown. */
  private readonly warnings: string[] = [];

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly slowRequestMs: number,
    private readonly label: PathLabel,
  ) {}

  warn(message: string): void {
    if (this.warnings.length < 50 && !this.warnings.includes(message)) this.warnings.push(message);
  }

  private inWindow(time: number): boolean {
    if (Number.isNaN(time)) return Number.isNaN(this.from) && Number.isNaN(this.to);
    if (!Number.isNaN(this.from) && time < this.from) return false;
    if (!Number.isNaN(this.to) && time > this.to) return false;
    return true;
  }

  request(record: RequestRecord): void {
    if (!this.inWindow(record.time)) {
      this.outsideWindow++;
      if (Number.isNaN(record.time)) this.untimedOutside++;
      return;
    }
    this.total++;
    const time = record.time;
    if (!Number.isNaN(time)) {
      if (!(time >= this.first)) this.first = time;
      if (!(time <= this.last)) this.last = time;
      if (record.timeExplicit) this.explicitOffsets++;
      else this.zoneApplied++;
    }

    const status = record.status;
    const isServerError = status !== undefined && status >= 500;
    if (record.completed) this.completed++;
    else this.incomplete++;
    if (record.completed) {
      const key = status === undefined ? 'unknown' : String(status);
      this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
      const cls =
        status === undefined || status < 100 || status > 599
          ? 'unknown'
          : (`${Math.floor(status / 100)}xx` as keyof LogSummary['statusClasses']);
      this.statusClasses[cls]++;
    }

    if (!Number.isNaN(time)) {
      const bucket = this.perHour.get(hourOf(time));
      if (bucket) {
        bucket.count++;
        if (isServerError) bucket.errors++;
        bucket.durationMs += record.durationMs ?? 0;
        if (record.durationMs !== undefined) bucket.durations.add(record.durationMs);
      } else {
        this.perHour.folded++;
      }
    }

    if (record.durationMs !== undefined) this.addDuration(record, record.durationMs);

    // An error: a 5xx, or any request that logged an exception or an ERROR line.
    if (isServerError || record.exceptions.length > 0) {
      this.errorsTotal++;
      if (!(time <= this.errorsLast)) this.errorsLast = time;
      const className = record.exceptions[0]?.className ?? `HTTP ${status}`;
      this.countClass(className);
    }
    for (const exception of record.exceptions) this.addException(exception, record.action);

    this.addSecurity(record);
    this.addSql(record);
  }

  orphanError(error: OrphanError): void {
    if (!this.inWindow(error.time)) return;
    this.errorsTotal++;
    if (!(error.time <= this.errorsLast)) this.errorsLast = error.time;
    this.countClass(error.exception?.className ?? 'ERROR line');
    if (error.exception) this.addException(error.exception, undefined);
  }

  failedLoginLine(ip: string | undefined, time: number): void {
    if (!this.inWindow(time)) return;
    this.addFailedLogin(ip ?? 'unknown', time);
  }

  private countClass(className: string): void {
    if (this.errorClasses.size < MAX_EXCEPTION_CLASSES || this.errorClasses.has(className)) {
      this.errorClasses.set(className, (this.errorClasses.get(className) ?? 0) + 1);
    }
  }

  private addDuration(record: RequestRecord, duration: number): void {
    this.overall.add(duration);
    if (duration >= this.slowRequestMs) this.slowCount++;

    const name = record.action ?? '(no action)';
    let action = this.actions.get(name);
    if (!action) {
      const key = this.actions.size < MAX_ACTIONS ? name : '(other actions)';
      action = this.actions.get(key);
      if (!action) {
        action = {
          count: 0,
          errors: 0,
          histogram: new Histogram(),
          viewMs: 0,
          dbMs: 0,
          viewBase: 0,
          dbBase: 0,
        };
        this.actions.set(key, action);
      }
    }
    action.count++;
    if ((record.status ?? 0) >= 500) action.errors++;
    action.histogram.add(duration);
    if (record.viewMs !== undefined) {
      action.viewMs += record.viewMs;
      action.viewBase += duration;
    }
    if (record.dbMs !== undefined) {
      action.dbMs += record.dbMs;
      action.dbBase += duration;
    }

    if (
      this.slowest.length < SLOWEST ||
      duration > this.slowest[this.slowest.length - 1].durationMs
    ) {
      this.slowest.push({
        ...this.location(record.file, record.line, record.offset),
        action: record.action ?? null,
        method: record.method ?? null,
        path: record.path ? record.path.slice(0, 500) : null,
        status: record.status ?? null,
        durationMs: duration,
        at: Number.isNaN(record.time) ? null : new Date(record.time).toISOString(),
      });
      this.slowest.sort((a, b) => b.durationMs - a.durationMs);
      if (this.slowest.length > SLOWEST) this.slowest.length = SLOWEST;
    }
  }

  private addException(exception: ExceptionInfo, action: string | undefined): void {
    const name = exception.className;
    let entry = this.exceptions.get(name);
    if (!entry) {
      if (this.exceptions.size >= MAX_EXCEPTION_CLASSES) return;
      entry = {
        count: 0,
        first: exception.time,
        last: exception.time,
        example: exception,
        actions: new Map(),
      };
      this.exceptions.set(name, entry);
    }
    entry.count++;
    if (exception.time < entry.first) entry.first = exception.time;
    if (!(exception.time <= entry.last)) {
      entry.last = exception.time;
      entry.example = exception;
    }
    entry.frame ??= exception.frame;
    if (action && entry.actions.size < 20) {
      entry.actions.set(action, (entry.actions.get(action) ?? 0) + 1);
    }

    if (name === 'ActionController::RoutingError') {
      this.routingTotal++;
      const m = /^No route matches \[([A-Z]{1,16})\] "([^"]{0,2000})/.exec(exception.message);
      const method = m ? m[1] : '';
      const path = m ? m[2] : exception.message.slice(0, 200);
      const key = `${method} ${path}`;
      const row = this.routing.get(key);
      if (row) row.count++;
      else if (this.routing.size < MAX_KEYS) this.routing.set(key, { method, path, count: 1 });
    }
  }

  private addSecurity(record: RequestRecord): void {
    const ip = record.ip ?? 'unknown';
    const time = record.time;
    const status = record.status;

    const loginAction = isLoginAction(record.action, record.method, record.path);
    const failed =
      record.failedLoginLine ||
      (loginAction && (status === 401 || status === 422 || status === 200 || status === 403));
    if (failed) this.addFailedLogin(ip, time);

    for (const kind of classifyRequest(record.path, record.params)) {
      this.addSuspicious(ip, kind, record);
    }

    if (status !== undefined && BURST_STATUSES.has(status) && !Number.isNaN(time)) {
      const bucket = Math.floor(time / (BURST_MINUTES * 60_000));
      if (bucket > this.lastPrunedBucket + 1) {
        this.pruneBursts(bucket);
        this.lastPrunedBucket = bucket;
      }
      const key = `${ip}|${bucket}`;
      let burst = this.bursts.get(key);
      if (!burst) {
        if (this.bursts.size >= MAX_KEYS) this.pruneBursts(bucket);
        burst = { ip, from: time, to: time, count: 0, s401: 0, s403: 0, s422: 0 };
        this.bursts.set(key, burst);
      }
      burst.count++;
      burst.from = Math.min(burst.from, time);
      burst.to = Math.max(burst.to, time);
      if (status === 401) burst.s401++;
      else if (status === 403) burst.s403++;
      else burst.s422++;
    }
  }

  /** Forgets small old buckets: logs run forward, so they will not reach the threshold. */
  private pruneBursts(currentBucket: number): void {
    for (const [key, burst] of this.bursts) {
      const bucket = Math.floor(burst.from / (BURST_MINUTES * 60_000));
      if (burst.count < BURST_MIN && bucket < currentBucket - 1) this.bursts.delete(key);
    }
    if (this.bursts.size >= MAX_KEYS) {
      for (const [key, burst] of this.bursts) if (burst.count < BURST_MIN) this.bursts.delete(key);
    }
  }

  private addFailedLogin(ip: string, time: number): void {
    this.failedTotal++;
    if (this.failedByIp.size < MAX_KEYS || this.failedByIp.has(ip)) {
      this.failedByIp.set(ip, (this.failedByIp.get(ip) ?? 0) + 1);
    }
    if (!Number.isNaN(time)) {
      const bucket = this.failedByHour.get(hourOf(time));
      if (bucket) bucket.count++;
      else this.failedByHour.folded++;
    }
  }

  private addSuspicious(ip: string, kind: SuspiciousKind, record: RequestRecord): void {
    const key = `${ip}|${kind}`;
    const entry = this.suspicious.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.suspicious.size >= MAX_KEYS) return;
    this.suspicious.set(key, {
      ...this.location(record.file, record.line, record.offset),
      ip,
      kind,
      path: (record.path ?? record.params ?? '').slice(0, 500),
      count: 1,
    });
  }

  private addSql(record: RequestRecord): void {
    if (record.queries === 0 && record.cachedQueries === 0) return;
    this.sqlRequests++;
    this.sqlQueries += record.queries;
    this.sqlCached += record.cachedQueries;
    const count = record.queries + record.cachedQueries;
    if (!this.sqlMax || count > this.sqlMax.count) {
      this.sqlMax = {
        ...this.location(record.file, record.line, record.offset),
        count,
        action: record.action ?? null,
      };
    }
    if (!record.sql) return;
    for (const shape of record.sql.values()) {
      if (shape.count < N_PLUS_ONE_REPEATS) continue;
      const key = `${record.action ?? ''}|${shape.shape}`;
      const entry = this.nPlusOne.get(key);
      if (entry) {
        entry.requests++;
        entry.maxRepeats = Math.max(entry.maxRepeats, shape.count);
        entry.source ??= shape.source ?? null;
        continue;
      }
      if (this.nPlusOne.size >= 1000) continue;
      this.nPlusOne.set(key, {
        ...this.location(record.file, shape.line, shape.offset),
        action: record.action ?? null,
        statement: shape.shape.slice(0, 500),
        name: shape.name,
        source: shape.source ?? null,
        requests: 1,
        maxRepeats: shape.count,
      });
    }
  }

  private location(
    file: string,
    line: number,
    offset: number,
  ): { file: string; line: number | null; offset: number } {
    return { file: this.label(file), line: line > 0 ? line : null, offset };
  }

  private foldWarnings(): string[] {
    const folded = this.perHour.folded + this.failedByHour.folded;
    if (!folded) return [];
    return [
      `The requests span more than ${MAX_HOURS} hours: per-hour tables keep the latest ` +
        `${MAX_HOURS}; ${this.perHour.folded} request(s) and ${this.failedByHour.folded} ` +
        'failed login(s) in older hours count in the totals only (perHourFolded, ' +
        'byHourFolded). Pick a window to see them by hour.',
    ];
  }

  build(): Omit<
    LogSummary,
    'schema' | 'generatedAt' | 'sources' | 'timeZone' | 'window' | 'assembly'
  > & {
    zoneCounts: { explicitOffsets: number; zoneApplied: number };
  } {
    const iso = (t: number): string | null => (Number.isNaN(t) ? null : new Date(t).toISOString());
    const stats = (h: Histogram): DurationStats => ({
      meanMs: round(h.mean),
      p50Ms: round(h.quantile(0.5)),
      p95Ms: round(h.quantile(0.95)),
      p99Ms: round(h.quantile(0.99)),
      maxMs: round(h.max),
    });

    const actions: ActionStats[] = [...this.actions.entries()]
      .map(([name, a]) => ({
        name,
        count: a.count,
        errors: a.errors,
        totalMs: round(a.histogram.sum),
        ...stats(a.histogram),
        viewShare: a.viewBase > 0 ? round(a.viewMs / a.viewBase, 4) : null,
        dbShare: a.dbBase > 0 ? round(a.dbMs / a.dbBase, 4) : null,
      }))
      .sort((a, b) => b.totalMs - a.totalMs || b.count - a.count || a.name.localeCompare(b.name))
      .slice(0, OUTPUT_ROWS);

    const exceptions: ExceptionSummary[] = [...this.exceptions.entries()]
      .map(([className, e]) => ({
        ...this.location(e.example.file, e.example.line, e.example.offset),
        className,
        count: e.count,
        firstSeen: iso(e.first),
        lastSeen: iso(e.last),
        message: e.example.message,
        frame: e.frame ?? null,
        actions: [...e.actions.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
      }))
      .sort((a, b) => b.count - a.count || a.className.localeCompare(b.className))
      .slice(0, OUTPUT_ROWS);

    const bursts: BurstEntry[] = [...this.bursts.values()]
      .filter((b) => b.count >= BURST_MIN)
      .sort((a, b) => b.count - a.count)
      .slice(0, OUTPUT_ROWS)
      .map((b) => ({
        ip: b.ip,
        from: iso(b.from)!,
        to: iso(b.to)!,
        count: b.count,
        statuses: Object.fromEntries(
          (
            [
              ['401', b.s401],
              ['403', b.s403],
              ['422', b.s422],
            ] as const
          ).filter(([, count]) => count > 0),
        ),
      }));

    return {
      span: { first: iso(this.first), last: iso(this.last) },
      requests: {
        total: this.total,
        completed: this.completed,
        incomplete: this.incomplete,
        perHour: this.perHour.rows().map(([hour, b]) => ({
          hour: new Date(hour).toISOString(),
          count: b.count,
          errors: b.errors,
          meanMs: round(b.count ? b.durationMs / b.count : 0),
          p50Ms: round(b.durations.quantile(0.5)),
          p95Ms: round(b.durations.quantile(0.95)),
          p99Ms: round(b.durations.quantile(0.99)),
        })),
        ...(this.perHour.folded ? { perHourFolded: this.perHour.folded } : {}),
      },
      statusClasses: { ...this.statusClasses },
      statuses: Object.fromEntries([...this.statuses.entries()].sort()),
      errorRate: this.completed ? round(this.statusClasses['5xx'] / this.completed, 6) : 0,
      errors: {
        total: this.errorsTotal,
        lastSeen: iso(this.errorsLast),
        byClass: [...this.errorClasses.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, OUTPUT_ROWS)
          .map(([className, count]) => ({ className, count })),
      },
      duration: { count: this.overall.count, ...stats(this.overall) },
      actions,
      slowRequestMs: this.slowRequestMs,
      slowRequests: this.slowCount,
      slowest: this.slowest.slice(0, 10),
      exceptions,
      routingErrors: {
        total: this.routingTotal,
        paths: [...this.routing.values()].sort((a, b) => b.count - a.count).slice(0, OUTPUT_ROWS),
      },
      failedLogins: {
        total: this.failedTotal,
        byIp: [...this.failedByIp.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, OUTPUT_ROWS)
          .map(([ip, count]) => ({ ip, count })),
        byHour: this.failedByHour
          .rows()
          .map(([hour, b]) => ({ hour: new Date(hour).toISOString(), count: b.count })),
        ...(this.failedByHour.folded ? { byHourFolded: this.failedByHour.folded } : {}),
      },
      suspicious: [...this.suspicious.values()]
        .sort((a, b) => b.count - a.count || a.ip.localeCompare(b.ip))
        .slice(0, OUTPUT_ROWS),
      bursts,
      sql: {
        requestsWithSql: this.sqlRequests,
        queries: this.sqlQueries,
        cached: this.sqlCached,
        meanPerRequest: this.sqlRequests
          ? round((this.sqlQueries + this.sqlCached) / this.sqlRequests, 2)
          : 0,
        maxPerRequest: this.sqlMax,
      },
      nPlusOne: [...this.nPlusOne.values()]
        .sort((a, b) => b.requests * b.maxRepeats - a.requests * a.maxRepeats)
        .slice(0, OUTPUT_ROWS),
      warnings: [...this.warnings, ...this.foldWarnings()],
      zoneCounts: { explicitOffsets: this.explicitOffsets, zoneApplied: this.zoneApplied },
    };
  }
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
