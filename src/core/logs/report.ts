/**
 * Folds finished requests and stray error lines into the figures of a log summary, with
 * bounded memory: histograms instead of lists of durations, capped tables, a top-N of the
 * slowest requests. A builder's state can be handed over as plain data and merged into
 * another, so parts of a log read on worker threads add up to the summary of one pass.
 */
import { plural } from '../util/plural';
import { endOf, headAndTail, startOf } from '../util/printable';
import { BurstTable, type BurstTableState } from './bursts';
import { Histogram, type HistogramData } from './histogram';
import type { AssemblySink, ExceptionInfo, OrphanError, RequestRecord } from './requestAssembler';
import { routingTarget } from './lineParser';
import {
  paramNameAfterCut,
  pathNameAfterCut,
  redactMessage,
  redactParams,
  redactPath,
} from './redact';
import {
  classifyRequest,
  isFailedLoginAnswer,
  isLoginAction,
  type SuspiciousKind,
} from './security';
import type {
  ActionStats,
  DurationStats,
  ExceptionSummary,
  LogSummary,
  NPlusOneEntry,
  RequestBucket,
  SlowRequest,
  SuspiciousEntry,
} from './summaryTypes';
import { FUTURE_MARGIN_MS, hourOf } from './timestamps';
import { WindowSlots } from './windowSlots';

const MAX_ACTIONS = 2000;
const OTHER_ACTIONS = '(other actions)';
const MAX_EXCEPTION_CLASSES = 500;
/** Actions listed per exception class; once full, that table stops counting. */
const MAX_EXCEPTION_ACTIONS = 20;
const MAX_N_PLUS_ONE = 1000;
const MAX_WARNINGS = 50;
const MAX_KEYS = 20_000;
const SLOWEST = 20;
const N_PLUS_ONE_REPEATS = 3;
const OUTPUT_ROWS = 50;
/** By hundreds: a table, not a template string, so counting a status allocates nothing. */
const STATUS_CLASSES = ['unknown', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** Per-hour tables keep the latest this many hours (about three months); older ones fold. */
export const MAX_HOURS = 24 * 92;

/**
 * Buckets by hour with bounded memory: a log whose lines spread over years (or a hostile one,
 * each line in another hour) keeps only the latest MAX_HOURS hours; older hours are folded
 * into one count, so totals stay right while the table stays small. Hours starting after
 * `futureAfter` (the clock and FUTURE_MARGIN_MS) are counted apart and never make a row.
 */
class HourBuckets<T> {
  private readonly buckets = new Map<number, T>();
  /** Hours before this one were folded. */
  private foldedBefore = -Infinity;
  /** What the folded hours held, by `weight`. */
  folded = 0;
  /** Events in hours starting after `futureAfter`. */
  future = 0;

  constructor(
    private readonly create: () => T,
    private readonly weight: (bucket: T) => number,
    private readonly futureAfter: number,
  ) {}

  /**
   * The bucket of `hour`, or undefined when that hour is folded or future-dated; then the one
   * event the caller was about to add is counted here.
   */
  get(hour: number): T | undefined {
    if (hour > this.futureAfter) {
      this.future++;
      return undefined;
    }
    if (hour < this.foldedBefore) {
      this.folded++;
      return undefined;
    }
    const kept = this.buckets.get(hour);
    if (kept) return kept;
    const bucket = this.create();
    this.buckets.set(hour, bucket);
    // Folding in batches keeps the cost per new hour constant even for shuffled hours.
    if (this.buckets.size > 2 * MAX_HOURS) this.fold();
    if (hour >= this.foldedBefore) return bucket;
    this.folded++;
    return undefined;
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

  snapshot<D>(toData: (bucket: T) => D): HourBucketsState<D> {
    const hours = new Map<number, D>();
    for (const [hour, bucket] of this.buckets) hours.set(hour, toData(bucket));
    return { hours, foldedBefore: this.foldedBefore, folded: this.folded, future: this.future };
  }

  /**
   * Adds another table's hours. Whatever the order the hours came in, `rows()` keeps the
   * latest MAX_HOURS hours seen, each complete (a part folds an hour only when MAX_HOURS later
   * ones exist), and folds the rest; so folding here early, at the later cut-off of the two,
   * changes nothing that `rows()` shows.
   */
  absorb<D>(
    state: HourBucketsState<D>,
    fromData: (data: D) => T,
    add: (into: T, from: T) => void,
  ): void {
    this.folded += state.folded;
    this.future += state.future;
    if (state.foldedBefore > this.foldedBefore) {
      this.foldedBefore = state.foldedBefore;
      for (const [hour, bucket] of this.buckets) {
        if (hour >= this.foldedBefore) continue;
        this.folded += this.weight(bucket);
        this.buckets.delete(hour);
      }
    }

    for (const [hour, data] of state.hours) {
      const incoming = fromData(data);
      if (hour < this.foldedBefore) {
        this.folded += this.weight(incoming);
        continue;
      }
      const bucket = this.buckets.get(hour);
      if (bucket) add(bucket, incoming);
      else this.buckets.set(hour, incoming);
    }
    if (this.buckets.size > 2 * MAX_HOURS) this.fold();
  }
}

interface HourAccumulator {
  count: number;
  completed: number;
  errors: number;
  durationMicros: number;
  durations: Histogram;
}

function newHour(): HourAccumulator {
  return { count: 0, completed: 0, errors: 0, durationMicros: 0, durations: new Histogram() };
}

const ROUTING_ERROR = 'ActionController::RoutingError';

/**
 * Rails answers a request it cannot route with 404 (ActionDispatch::ShowExceptions), yet from
 * Rails 3 on logs only the RoutingError, no `Completed` line. Such a request, with no other
 * exception and no status of its own, counts as a completed 404; any other stays incomplete.
 */
function routedNotFound(record: RequestRecord): RequestRecord {
  if (record.completed || record.status !== undefined || record.exceptions.length === 0) {
    return record;
  }
  if (!record.exceptions.every((exception) => exception.className === ROUTING_ERROR)) {
    return record;
  }
  return { ...record, completed: true, status: 404 };
}

function countIn(bucket: HourAccumulator, record: RequestRecord, serverError: boolean): void {
  bucket.count++;
  if (record.completed) bucket.completed++;
  if (serverError) bucket.errors++;
  if (record.durationMs !== undefined) {
    bucket.durationMicros += Math.round(record.durationMs * 1000);
    bucket.durations.add(record.durationMs);
  }
}

function hourData(bucket: HourAccumulator): HourState {
  return { ...bucket, durations: bucket.durations.toJSON() };
}

function hourOfData(data: HourState): HourAccumulator {
  return { ...data, durations: Histogram.fromJSON(data.durations) };
}

function addHour(into: HourAccumulator, from: HourAccumulator): void {
  into.count += from.count;
  into.completed += from.completed;
  into.errors += from.errors;
  into.durationMicros += from.durationMicros;
  into.durations.merge(from.durations);
}

/** An hour's (or a slot's) row figures, as the summary writes them. */
function bucketFigures(b: HourAccumulator): RequestBucket {
  return {
    count: b.count,
    completed: b.completed,
    errors: b.errors,
    // Over the requests that logged a duration, as the percentiles beside it.
    meanMs: round(b.durations.count ? b.durationMicros / (b.durations.count * 1000) : 0),
    p50Ms: round(b.durations.quantile(0.5)),
    p95Ms: round(b.durations.quantile(0.95)),
    p99Ms: round(b.durations.quantile(0.99)),
  };
}

// Times are summed in whole microseconds, like Histogram's sum: exact in any order of adding.
interface ActionAccumulator {
  count: number;
  errors: number;
  histogram: Histogram;
  viewMicros: number;
  dbMicros: number;
  /** Duration of requests that logged a view / db time, for the shares. */
  viewBaseMicros: number;
  dbBaseMicros: number;
}

/**
 * Rows of the tables below carry where in the log they were taken from, so that the same
 * events give the same rows in whatever order they are reported (one pass closes requests in
 * another order than ranges joined do): `fileIndex` is the index of the file in the order
 * this builder first met the files, `offset` (of Location) the byte offset in it.
 */
export type SlowRow = SlowRequest & { fileIndex: number };
export type SuspiciousRow = SuspiciousEntry & { fileIndex: number };
/** `sourceFile`/`sourceOffset`: the position of the event `source` came from (-1: none). */
export type NPlusOneRow = NPlusOneEntry & {
  fileIndex: number;
  sourceFile: number;
  sourceOffset: number;
};
export type SqlMaxRow = NonNullable<LogSummary['sql']['maxPerRequest']> & { fileIndex: number };

export interface ExceptionState {
  count: number;
  /** The earliest and the latest time among those that had one; NaN when none had. */
  first: number;
  last: number;
  /**
   * The one at `last` (the earliest in the log on a tie); without any time, the latest in the
   * log.
   */
  example: ExceptionInfo;
  /** The frame of the earliest exception in the log that had one, and where that was. */
  frame?: string;
  frameFile: number;
  frameOffset: number;
  actions: Map<string, number>;
  /**
   * For each action, in the order they joined `actions`, the counts of the actions before it
   * at that moment: where this part's counts stood when a table merged in front of it would
   * have filled up.
   */
  joined: number[][];
}

/** An hour table as plain data. */
export interface HourBucketsState<D> {
  hours: Map<number, D>;
  /** Hours before this one were folded (-Infinity: none). */
  foldedBefore: number;
  folded: number;
  future: number;
}

export interface HourState {
  count: number;
  completed: number;
  errors: number;
  durationMicros: number;
  durations: HistogramData;
}

export interface ActionState {
  count: number;
  errors: number;
  histogram: HistogramData;
  viewMicros: number;
  dbMicros: number;
  viewBaseMicros: number;
  dbBaseMicros: number;
}

/**
 * Everything a ReportBuilder has gathered, as plain data (maps, arrays, numbers, strings) that
 * survives `structuredClone` and `postMessage` to another thread; see `ReportBuilder.snapshot`.
 */
export interface ReportState {
  /** Absolute paths of the files met, by `fileIndex`. */
  files: string[];
  total: number;
  completed: number;
  incomplete: number;
  errorsTotal: number;
  errorsLast: number;
  routingTotal: number;
  failedTotal: number;
  suspiciousTotal: number;
  slowCount: number;
  first: number;
  last: number;
  newest: number;
  explicitOffsets: number;
  zoneApplied: number;
  sqlRequests: number;
  sqlQueries: number;
  sqlCached: number;
  sqlMax: SqlMaxRow | null;
  outsideWindow: number;
  untimedOutside: number;
  untimedInside: number;
  overall: HistogramData;
  actions: Map<string, ActionState>;
  perHour: HourBucketsState<HourState>;
  /** Empty unless the window is 3 hours or less (see WindowSlots). */
  perFiveMinutes: HourState[];
  statuses: Map<string, number>;
  statusClasses: LogSummary['statusClasses'];
  exceptions: Map<string, ExceptionState>;
  errorClasses: Map<string, number>;
  routing: Map<string, { method: string; path: string; count: number }>;
  failedByIp: Map<string, number>;
  failedByHour: HourBucketsState<{ count: number }>;
  suspiciousByIp: Map<string, number>;
  suspicious: Map<string, SuspiciousRow>;
  bursts: BurstTableState;
  nPlusOne: Map<string, NPlusOneRow>;
  /** Slowest first; equal durations by position in the log. */
  slowest: SlowRow[];
  warnings: string[];
}

/** Adds `n` to a key's count; past MAX_KEYS keys, only keys already there. */
function countKey(map: Map<string, number>, key: string, n: number): void {
  if (map.size < MAX_KEYS || map.has(key)) map.set(key, (map.get(key) ?? 0) + n);
}

/** Counts by IP as the summary lists them: most first, at most OUTPUT_ROWS. */
function byIpRows(counts: Map<string, number>): { ip: string; count: number }[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .slice(0, OUTPUT_ROWS)
    .map(([ip, count]) => ({ ip, count }));
}

/** Turns absolute paths into what the summary shows. */
export type PathLabel = (absolute: string) => string;

/** Characters of a suspicious request's path, and of its parameters, an example shows. */
const EXAMPLE_CHARS = 500;
/** Where an example leaves out the middle of a long path or parameters. */
const CUT = ' … ';

/**
 * Where a name starts again after the parser's cut of a long path or parameter list: the text
 * between the cut and it may be the rest of a value whose name was cut out, unhidden.
 */
const NEXT_NAME = { path: pathNameAfterCut, params: paramNameAfterCut } as const;

/**
 * At most EXAMPLE_CHARS of a text whose secrets are already hidden (hidden before any cut here,
 * so a cut through a name cannot unhide its value). A longer one keeps its head and its tail
 * around " … ": scanners pad before the attack as often as after it, and the detection reads
 * both. The parser marked its own cut with a NUL (`keptParams`); what follows it up to the next
 * name is left out.
 */
function examplePart(redacted: string, kind: keyof typeof NEXT_NAME): string {
  const room = EXAMPLE_CHARS - CUT.length;
  const parserCut = redacted.indexOf('\0');
  if (parserCut < 0) return headAndTail(redacted, Math.floor(room / 2), Math.ceil(room / 2), CUT);
  const rest = redacted.slice(parserCut + 1);
  const next = NEXT_NAME[kind](rest);
  const tail = next < 0 ? '' : endOf(rest.slice(next), Math.ceil(room / 2));
  return `${startOf(redacted, Math.min(parserCut, room - tail.length))}${CUT}${tail}`;
}

/**
 * A suspicious request as the summary shows it, secrets hidden: its path, followed by its
 * `Parameters:` when the attack of this kind is in them and not in the path (a POST). Both are
 * bounded already: a path keeps 16 KB, a Parameters line 8 KB (see `keptParams`).
 */
function shownTarget(record: RequestRecord, kind: SuspiciousKind): string {
  const path = record.path === undefined ? undefined : examplePart(redactPath(record.path), 'path');
  if (record.params === undefined) return path ?? '';
  const params = examplePart(redactParams(record.params), 'params');
  if (path === undefined) return params;
  if (classifyRequest(record.path, undefined).includes(kind)) return path;
  return `${path} ${params}`;
}

export class ReportBuilder implements AssemblySink {
  private readonly overall = new Histogram();
  private readonly actions = new Map<string, ActionAccumulator>();
  private readonly perHour: HourBuckets<HourAccumulator>;
  private readonly perFiveMinutes: WindowSlots<HourAccumulator>;
  private readonly statuses = new Map<string, number>();
  private readonly statusClasses: LogSummary['statusClasses'] = {
    '1xx': 0,
    '2xx': 0,
    '3xx': 0,
    '4xx': 0,
    '5xx': 0,
    unknown: 0,
  };
  private readonly exceptions = new Map<string, ExceptionState>();
  private readonly errorClasses = new Map<string, number>();
  private readonly routing = new Map<string, { method: string; path: string; count: number }>();
  private readonly failedByIp = new Map<string, number>();
  /** Suspicious requests by IP, each once whatever kinds it matched. */
  private readonly suspiciousByIp = new Map<string, number>();
  private readonly failedByHour: HourBuckets<{ count: number }>;
  private readonly suspicious = new Map<string, SuspiciousRow>();
  private readonly bursts = new BurstTable();
  private readonly nPlusOne = new Map<string, NPlusOneRow>();
  private slowest: SlowRow[] = [];
  /**
   * Files by the order they were first met. Files are read one after another, so this is
   * their order in the log; with the byte offset it places any event (see `comparePositions`).
   */
  private readonly files = new Map<string, number>();
  /** The last file looked up: nearly every call is about the same file as the one before. */
  private lastFile: string | undefined;
  private lastFileIndex = -1;
  private total = 0;
  private completed = 0;
  private incomplete = 0;
  private errorsTotal = 0;
  private errorsLast = NaN;
  private routingTotal = 0;
  private failedTotal = 0;
  private suspiciousTotal = 0;
  private slowCount = 0;
  private first = NaN;
  private last = NaN;
  /** The latest time of any request or error line read, in the window or not. */
  private newest = NaN;
  private explicitOffsets = 0;
  private zoneApplied = 0;
  private sqlRequests = 0;
  private sqlQueries = 0;
  private sqlCached = 0;
  private sqlMax: SqlMaxRow | null = null;
  outsideWindow = 0;
  /** Requests left out of a window because they carry no time at all. */
  untimedOutside = 0;
  /** Requests without a time counted all the same (no window): in no hour and no span. */
  untimedInside = 0;
  private readonly warnings: string[] = [];

  /** `now`: the clock's time, past which (and FUTURE_MARGIN_MS) a line is future-dated. */
  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly slowRequestMs: number,
    private readonly label: PathLabel,
    now = Infinity,
  ) {
    const futureAfter = now + FUTURE_MARGIN_MS;
    this.perHour = new HourBuckets<HourAccumulator>(newHour, (b) => b.count, futureAfter);
    this.perFiveMinutes = new WindowSlots(from, to, newHour);
    this.failedByHour = new HourBuckets<{ count: number }>(
      () => ({ count: 0 }),
      (b) => b.count,
      futureAfter,
    );
  }

  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS && !this.warnings.includes(message)) {
      this.warnings.push(message);
    }
  }

  /** The index of `file` in the order the files were met; a new file gets the next one. */
  private fileIndex(file: string): number {
    if (file === this.lastFile) return this.lastFileIndex;
    let index = this.files.get(file);
    if (index === undefined) {
      index = this.files.size;
      this.files.set(file, index);
    }
    this.lastFile = file;
    this.lastFileIndex = index;
    return index;
  }

  private inWindow(time: number): boolean {
    if (Number.isNaN(time)) return Number.isNaN(this.from) && Number.isNaN(this.to);
    if (!Number.isNaN(this.from) && time < this.from) return false;
    if (!Number.isNaN(this.to) && time > this.to) return false;
    return true;
  }

  request(logged: RequestRecord): void {
    const record = routedNotFound(logged);
    // Every file is indexed when first met, even by a request outside the window, so the
    // indexes follow the order the files are read in.
    const fileIndex = this.fileIndex(record.file);
    this.noteTime(record.time);
    if (!this.inWindow(record.time)) {
      this.outsideWindow++;
      if (Number.isNaN(record.time)) this.untimedOutside++;
      return;
    }
    this.total++;
    const time = record.time;
    if (Number.isNaN(time)) this.untimedInside++;
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
          : STATUS_CLASSES[Math.floor(status / 100)];
      this.statusClasses[cls]++;
    }

    if (!Number.isNaN(time)) {
      const hour = this.perHour.get(hourOf(time));
      if (hour) countIn(hour, record, isServerError);
      const slot = this.perFiveMinutes.active ? this.perFiveMinutes.get(time) : undefined;
      if (slot) countIn(slot, record, isServerError);
    }

    if (record.durationMs !== undefined) this.addDuration(record, record.durationMs, fileIndex);

    // An error: a 5xx, or any request that logged an exception or an ERROR line.
    if (isServerError || record.exceptions.length > 0) {
      this.errorsTotal++;
      if (!Number.isNaN(time) && !(time <= this.errorsLast)) this.errorsLast = time;
      const className = record.exceptions[0]?.className ?? `HTTP ${status}`;
      this.countClass(className);
    }
    for (const exception of record.exceptions) this.addException(exception, record.action);

    this.addSecurity(record, fileIndex);
    this.addSql(record, fileIndex);
  }

  orphanError(error: OrphanError): void {
    this.fileIndex(error.file);
    this.noteTime(error.time);
    if (!this.inWindow(error.time)) return;
    this.errorsTotal++;
    if (!Number.isNaN(error.time) && !(error.time <= this.errorsLast)) {
      this.errorsLast = error.time;
    }
    this.countClass(error.exception?.className ?? 'ERROR line');
    if (error.exception) this.addException(error.exception, undefined);
  }

  private noteTime(time: number): void {
    if (!Number.isNaN(time) && !(time <= this.newest)) this.newest = time;
  }

  failedLoginLine(ip: string | undefined, time: number, file?: string): void {
    if (file !== undefined) this.fileIndex(file);
    if (!this.inWindow(time)) return;
    this.addFailedLogin(ip ?? 'unknown', time);
  }

  private countClass(className: string): void {
    if (this.errorClasses.size < MAX_EXCEPTION_CLASSES || this.errorClasses.has(className)) {
      this.errorClasses.set(className, (this.errorClasses.get(className) ?? 0) + 1);
    }
  }

  private addDuration(record: RequestRecord, duration: number, fileIndex: number): void {
    this.overall.add(duration);
    // Slower than the threshold, as the guidelines' "> 1 second" and the dashboard alert.
    if (duration > this.slowRequestMs) this.slowCount++;

    const name = record.action ?? '(no action)';
    let action = this.actions.get(name);
    if (!action) {
      const key = this.actions.size < MAX_ACTIONS ? name : OTHER_ACTIONS;
      action = this.actions.get(key);
      if (!action) {
        action = {
          count: 0,
          errors: 0,
          histogram: new Histogram(),
          viewMicros: 0,
          dbMicros: 0,
          viewBaseMicros: 0,
          dbBaseMicros: 0,
        };
        this.actions.set(key, action);
      }
    }
    action.count++;
    if ((record.status ?? 0) >= 500) action.errors++;
    action.histogram.add(duration);
    if (record.viewMs !== undefined || record.dbMs !== undefined) {
      const micros = Math.round(duration * 1000);
      if (record.viewMs !== undefined) {
        action.viewMicros += Math.round(record.viewMs * 1000);
        action.viewBaseMicros += micros;
      }
      if (record.dbMs !== undefined) {
        action.dbMicros += Math.round(record.dbMs * 1000);
        action.dbBaseMicros += micros;
      }
    }

    const slowest = this.slowest;
    const least = slowest[slowest.length - 1];
    if (
      slowest.length < SLOWEST ||
      duration > least.durationMs ||
      (duration === least.durationMs &&
        comparePositions(fileIndex, record.offset, least.fileIndex, least.offset) < 0)
    ) {
      slowest.push({
        ...this.location(record.file, record.line, record.offset),
        fileIndex,
        action: record.action ?? null,
        method: record.method ?? null,
        path: record.path ? redactPath(record.path.slice(0, 500)) : null,
        status: record.status ?? null,
        durationMs: duration,
        at: Number.isNaN(record.time) ? null : new Date(record.time).toISOString(),
      });
      slowest.sort(bySlowest);
      if (slowest.length > SLOWEST) slowest.length = SLOWEST;
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
        frameFile: -1,
        frameOffset: 0,
        actions: new Map(),
        joined: [],
      };
      this.exceptions.set(name, entry);
    }
    entry.count++;
    const time = exception.time;
    const fileIndex = this.fileIndex(exception.file);
    if (!Number.isNaN(time)) {
      if (!(time >= entry.first)) entry.first = time;
      if (!(time <= entry.last)) {
        entry.last = time;
        entry.example = exception;
      } else if (time === entry.last && this.isBefore(exception, entry.example)) {
        entry.example = exception;
      }
    } else if (Number.isNaN(entry.last) && this.isBefore(entry.example, exception)) {
      entry.example = exception;
    }
    if (
      exception.frame !== undefined &&
      precedes(fileIndex, exception.offset, entry.frameFile, entry.frameOffset)
    ) {
      entry.frame = exception.frame;
      entry.frameFile = fileIndex;
      entry.frameOffset = exception.offset;
    }
    if (action && entry.actions.size < MAX_EXCEPTION_ACTIONS) {
      const count = entry.actions.get(action);
      if (count === undefined) {
        entry.joined.push([...entry.actions.values()]);
        entry.actions.set(action, 1);
      } else {
        entry.actions.set(action, count + 1);
      }
    }

    if (name === ROUTING_ERROR) {
      this.routingTotal++;
      const target = routingTarget(exception.message);
      const method = target ? target.method : '';
      const path = target
        ? redactPath(target.path)
        : redactMessage(exception.message.slice(0, 200));
      const key = `${method} ${path}`;
      const row = this.routing.get(key);
      if (row) row.count++;
      else if (this.routing.size < MAX_KEYS) this.routing.set(key, { method, path, count: 1 });
    }
  }

  /** Whether exception `a` comes before `b` in the log. */
  private isBefore(a: ExceptionInfo, b: ExceptionInfo): boolean {
    if (a === b) return false;
    return comparePositions(this.fileIndex(a.file), a.offset, this.fileIndex(b.file), b.offset) < 0;
  }

  private addSecurity(record: RequestRecord, fileIndex: number): void {
    const ip = record.ip ?? 'unknown';
    const time = record.time;
    const status = record.status;

    const failed =
      record.failedLoginLine ||
      (isLoginAction(record.action, record.method, record.path) &&
        isFailedLoginAnswer(status, record.redirect, record.format));
    // Without a Started line (Semantic Logger at info) the failed-login line names the client.
    const loginIp = record.ip ?? record.failedLogins?.find((f) => f.ip)?.ip ?? 'unknown';
    if (failed) this.addFailedLogin(loginIp, time);

    const kinds = classifyRequest(record.path, record.params);
    for (const kind of kinds) this.addSuspicious(ip, kind, record, fileIndex);
    if (kinds.length > 0) {
      this.suspiciousTotal++;
      countKey(this.suspiciousByIp, ip, 1);
    }

    // A burst is one address's: requests that logged none (lograge's default fields) are many
    // clients' under one name, and a busy API's expired tokens made a daily burst of them.
    if (status !== undefined && record.ip !== undefined) this.bursts.add(ip, time, status);
  }

  private addFailedLogin(ip: string, time: number): void {
    this.failedTotal++;
    countKey(this.failedByIp, ip, 1);
    if (!Number.isNaN(time)) {
      const bucket = this.failedByHour.get(hourOf(time));
      if (bucket) bucket.count++;
    }
  }

  private addSuspicious(
    ip: string,
    kind: SuspiciousKind,
    record: RequestRecord,
    fileIndex: number,
  ): void {
    const key = `${ip}|${kind}`;
    const entry = this.suspicious.get(key);
    if (entry) {
      entry.count++;
      // The example is the earliest in the log, whichever came first here.
      if (comparePositions(fileIndex, record.offset, entry.fileIndex, entry.offset) < 0) {
        entry.file = this.label(record.file);
        entry.line = record.line > 0 ? record.line : null;
        entry.offset = record.offset;
        entry.fileIndex = fileIndex;
        entry.path = shownTarget(record, kind);
      }
      return;
    }
    if (this.suspicious.size >= MAX_KEYS) return;
    this.suspicious.set(key, {
      ...this.location(record.file, record.line, record.offset),
      fileIndex,
      ip,
      kind,
      path: shownTarget(record, kind),
      count: 1,
    });
  }

  private addSql(record: RequestRecord, fileIndex: number): void {
    if (record.queries === 0 && record.cachedQueries === 0) return;
    this.sqlRequests++;
    this.sqlQueries += record.queries;
    this.sqlCached += record.cachedQueries;
    const count = record.queries + record.cachedQueries;
    const max = this.sqlMax;
    if (
      !max ||
      count > max.count ||
      (count === max.count &&
        comparePositions(fileIndex, record.offset, max.fileIndex, max.offset) < 0)
    ) {
      this.sqlMax = {
        ...this.location(record.file, record.line, record.offset),
        fileIndex,
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
        // Location, name and source come from the earliest in the log, not the first here.
        if (comparePositions(fileIndex, shape.offset, entry.fileIndex, entry.offset) < 0) {
          entry.file = this.label(record.file);
          entry.line = shape.line > 0 ? shape.line : null;
          entry.offset = shape.offset;
          entry.fileIndex = fileIndex;
          entry.name = shape.name;
        }
        if (
          shape.source !== undefined &&
          precedes(fileIndex, shape.offset, entry.sourceFile, entry.sourceOffset)
        ) {
          entry.source = shape.source;
          entry.sourceFile = fileIndex;
          entry.sourceOffset = shape.offset;
        }
        continue;
      }
      if (this.nPlusOne.size >= MAX_N_PLUS_ONE) continue;
      this.nPlusOne.set(key, {
        ...this.location(record.file, shape.line, shape.offset),
        fileIndex,
        action: record.action ?? null,
        statement: shape.shape.slice(0, 500),
        name: shape.name,
        source: shape.source ?? null,
        requests: 1,
        maxRepeats: shape.count,
        sourceFile: shape.source === undefined ? -1 : fileIndex,
        sourceOffset: shape.offset,
      });
    }
  }

  /**
   * A copy of everything gathered, as plain data for another thread (`structuredClone` keeps
   * it whole). The builder can go on after it.
   */
  snapshot(): ReportState {
    const actions = new Map<string, ActionState>();
    for (const [name, a] of this.actions) {
      actions.set(name, { ...a, histogram: a.histogram.toJSON() });
    }
    const exceptions = new Map<string, ExceptionState>();
    for (const [name, e] of this.exceptions) exceptions.set(name, copyException(e));
    return {
      files: [...this.files.keys()],
      total: this.total,
      completed: this.completed,
      incomplete: this.incomplete,
      errorsTotal: this.errorsTotal,
      errorsLast: this.errorsLast,
      routingTotal: this.routingTotal,
      failedTotal: this.failedTotal,
      suspiciousTotal: this.suspiciousTotal,
      slowCount: this.slowCount,
      first: this.first,
      last: this.last,
      newest: this.newest,
      explicitOffsets: this.explicitOffsets,
      zoneApplied: this.zoneApplied,
      sqlRequests: this.sqlRequests,
      sqlQueries: this.sqlQueries,
      sqlCached: this.sqlCached,
      sqlMax: this.sqlMax && { ...this.sqlMax },
      outsideWindow: this.outsideWindow,
      untimedOutside: this.untimedOutside,
      untimedInside: this.untimedInside,
      overall: this.overall.toJSON(),
      actions,
      perHour: this.perHour.snapshot(hourData),
      perFiveMinutes: this.perFiveMinutes.snapshot(hourData),
      statuses: new Map(this.statuses),
      statusClasses: { ...this.statusClasses },
      exceptions,
      errorClasses: new Map(this.errorClasses),
      routing: copyValues(this.routing),
      failedByIp: new Map(this.failedByIp),
      failedByHour: this.failedByHour.snapshot((b) => ({ ...b })),
      suspiciousByIp: new Map(this.suspiciousByIp),
      suspicious: copyValues(this.suspicious),
      bursts: this.bursts.snapshot(),
      nPlusOne: copyValues(this.nPlusOne),
      slowest: this.slowest.map((r) => ({ ...r })),
      warnings: [...this.warnings],
    };
  }

  /**
   * Adds the snapshot of a builder that read the part of the log right after everything this
   * one has read (same constructor arguments). Afterwards `build()` gives what one builder fed
   * both parts in order would give. Several parts: absorb them in log order.
   *
   * Every choice between equal events (ties of durations, times, counts; first examples,
   * frames, sources) goes by position in the log, so most of this merge is order-free; log
   * order still matters for what one pass decides by arrival: the caps below and the 20
   * actions an exception lists.
   *
   * Exact, except where one pass itself drops data, at the caps: more than 2,000 actions,
   * 500 exception classes or 20,000 rows of a table (a part fills its cap alone and drops rows
   * one pass would have counted elsewhere); and for bursts, a 401/403/422 logged 11 minutes or
   * more behind later ones, whose small bucket one pass may already have pruned (a pass prunes
   * as time moves on, and each part's time moves on differently).
   */
  absorb(state: ReportState): void {
    // The other part's file indexes, as indexes here: its files follow the ones met here.
    const files = state.files.map((file) => this.fileIndex(file));
    this.absorbCounters(state);
    this.absorbTimes(state);
    this.overall.merge(Histogram.fromJSON(state.overall));
    this.absorbActions(state.actions);
    this.perHour.absorb(state.perHour, hourOfData, addHour);
    this.perFiveMinutes.absorb(state.perFiveMinutes, hourOfData, addHour);
    for (const [status, count] of state.statuses) {
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + count);
    }
    for (const cls of Object.keys(this.statusClasses) as (keyof LogSummary['statusClasses'])[]) {
      this.statusClasses[cls] += state.statusClasses[cls];
    }

    for (const [name, exception] of state.exceptions) {
      this.absorbException(name, exception, files);
    }
    for (const [name, count] of state.errorClasses) {
      if (this.errorClasses.size < MAX_EXCEPTION_CLASSES || this.errorClasses.has(name)) {
        this.errorClasses.set(name, (this.errorClasses.get(name) ?? 0) + count);
      }
    }
    addRows(
      this.routing,
      state.routing,
      MAX_KEYS,
      (row) => ({ ...row }),
      (into, from) => (into.count += from.count),
    );

    for (const [ip, count] of state.failedByIp) countKey(this.failedByIp, ip, count);
    for (const [ip, count] of state.suspiciousByIp) countKey(this.suspiciousByIp, ip, count);
    this.failedByHour.absorb(
      state.failedByHour,
      (d) => ({ ...d }),
      (into, from) => (into.count += from.count),
    );
    addRows(
      this.suspicious,
      state.suspicious,
      MAX_KEYS,
      (row) => ({ ...row, fileIndex: files[row.fileIndex] }),
      (into, from) => {
        into.count += from.count;
        if (comparePositions(from.fileIndex, from.offset, into.fileIndex, into.offset) < 0) {
          Object.assign(into, { ...from, count: into.count });
        }
      },
    );
    this.bursts.absorb(state.bursts);
    addRows(
      this.nPlusOne,
      state.nPlusOne,
      MAX_N_PLUS_ONE,
      (row) => ({
        ...row,
        fileIndex: files[row.fileIndex],
        sourceFile: row.sourceFile < 0 ? -1 : files[row.sourceFile],
      }),
      (into, from) => {
        into.requests += from.requests;
        into.maxRepeats = Math.max(into.maxRepeats, from.maxRepeats);
        if (comparePositions(from.fileIndex, from.offset, into.fileIndex, into.offset) < 0) {
          into.file = from.file;
          into.line = from.line;
          into.offset = from.offset;
          into.fileIndex = from.fileIndex;
          into.name = from.name;
        }
        if (
          from.sourceFile >= 0 &&
          precedes(from.sourceFile, from.sourceOffset, into.sourceFile, into.sourceOffset)
        ) {
          into.source = from.source;
          into.sourceFile = from.sourceFile;
          into.sourceOffset = from.sourceOffset;
        }
      },
    );

    const max = state.sqlMax && { ...state.sqlMax, fileIndex: files[state.sqlMax.fileIndex] };
    if (
      max &&
      (!this.sqlMax ||
        max.count > this.sqlMax.count ||
        (max.count === this.sqlMax.count &&
          comparePositions(max.fileIndex, max.offset, this.sqlMax.fileIndex, this.sqlMax.offset) <
            0))
    ) {
      this.sqlMax = max;
    }
    // Slowest first, equal durations by position: the same top list in any order of parts.
    if (state.slowest.length > 0) {
      this.slowest = [
        ...this.slowest,
        ...state.slowest.map((r) => ({ ...r, fileIndex: files[r.fileIndex] })),
      ]
        .sort(bySlowest)
        .slice(0, SLOWEST);
    }
    for (const warning of state.warnings) this.warn(warning);
  }

  private absorbCounters(state: ReportState): void {
    this.total += state.total;
    this.completed += state.completed;
    this.incomplete += state.incomplete;
    this.errorsTotal += state.errorsTotal;
    this.routingTotal += state.routingTotal;
    this.failedTotal += state.failedTotal;
    this.suspiciousTotal += state.suspiciousTotal;
    this.slowCount += state.slowCount;
    this.explicitOffsets += state.explicitOffsets;
    this.zoneApplied += state.zoneApplied;
    this.sqlRequests += state.sqlRequests;
    this.sqlQueries += state.sqlQueries;
    this.sqlCached += state.sqlCached;
    this.outsideWindow += state.outsideWindow;
    this.untimedOutside += state.untimedOutside;
    this.untimedInside += state.untimedInside;
  }

  private absorbTimes(state: ReportState): void {
    if (!Number.isNaN(state.first) && !(state.first >= this.first)) this.first = state.first;
    if (!Number.isNaN(state.last) && !(state.last <= this.last)) this.last = state.last;
    this.noteTime(state.newest);

    if (!Number.isNaN(state.errorsLast) && !(state.errorsLast <= this.errorsLast)) {
      this.errorsLast = state.errorsLast;
    }
  }

  private absorbActions(actions: ReportState['actions']): void {
    // The other part's actions in the order it first saw them: the ones new here get a row of
    // their own while there is room, as they would have in one pass.
    for (const [name, data] of actions) {
      let action = this.actions.get(name);
      if (!action) {
        const key = this.actions.size < MAX_ACTIONS ? name : OTHER_ACTIONS;
        action = this.actions.get(key);
        if (!action) {
          this.actions.set(key, { ...data, histogram: Histogram.fromJSON(data.histogram) });
          continue;
        }
      }
      action.count += data.count;
      action.errors += data.errors;
      action.histogram.merge(Histogram.fromJSON(data.histogram));
      action.viewMicros += data.viewMicros;
      action.dbMicros += data.dbMicros;
      action.viewBaseMicros += data.viewBaseMicros;
      action.dbBaseMicros += data.dbBaseMicros;
    }
  }

  private absorbException(name: string, other: ExceptionState, files: number[]): void {
    const entry = this.exceptions.get(name);
    if (!entry) {
      if (this.exceptions.size < MAX_EXCEPTION_CLASSES) {
        const copy = copyException(other);
        if (copy.frameFile >= 0) copy.frameFile = files[copy.frameFile];
        this.exceptions.set(name, copy);
      }
      return;
    }

    entry.count += other.count;
    if (!(other.first >= entry.first) && !Number.isNaN(other.first)) entry.first = other.first;
    // The same rule as one pass: a later time takes over `last` and the example; on a tie
    // the example earlier in the log; without times, the one later in the log.
    if (Number.isNaN(other.last)) {
      if (Number.isNaN(entry.last) && this.isBefore(entry.example, other.example)) {
        entry.example = { ...other.example };
      }
    } else if (!(other.last <= entry.last)) {
      entry.last = other.last;
      entry.example = { ...other.example };
    } else if (other.last === entry.last && this.isBefore(other.example, entry.example)) {
      entry.example = { ...other.example };
    }
    if (other.frameFile >= 0) {
      const frameFile = files[other.frameFile];
      if (precedes(frameFile, other.frameOffset, entry.frameFile, entry.frameOffset)) {
        entry.frame = other.frame;
        entry.frameFile = frameFile;
        entry.frameOffset = other.frameOffset;
      }
    }
    this.absorbExceptionActions(entry, other);
  }

  /**
   * One pass stops counting an exception's actions once MAX_EXCEPTION_ACTIONS of them are
   * listed. The other part's `joined` counts say where its counts stood at the moment the
   * table here fills up: when the action that fills it joined.
   */
  private absorbExceptionActions(entry: ExceptionState, other: ExceptionState): void {
    if (entry.actions.size >= MAX_EXCEPTION_ACTIONS) return;
    const names = [...other.actions.keys()];
    let counts = [...other.actions.values()];
    let end = names.length;
    let fresh = 0;
    for (let j = 0; j < names.length; j++) {
      if (entry.actions.has(names[j])) continue;
      fresh++;
      if (entry.actions.size + fresh === MAX_EXCEPTION_ACTIONS) {
        counts = [...other.joined[j], 1];
        end = j + 1;
        break;
      }
    }

    const before = new Map(entry.actions);
    const position = new Map(names.map((name, j) => [name, j]));
    for (let j = 0; j < end; j++) {
      const had = entry.actions.get(names[j]);
      if (had !== undefined) {
        entry.actions.set(names[j], had + counts[j]);
        continue;
      }
      // What the table here held when this action joined, so a later merge can cut here too.
      const row: number[] = [];
      for (const [name, count] of before) {
        const i = position.get(name);
        row.push(count + (i !== undefined && i < j ? other.joined[j][i] : 0));
      }
      for (let i = 0; i < j; i++) if (!before.has(names[i])) row.push(other.joined[j][i]);
      entry.joined.push(row);
      entry.actions.set(names[j], counts[j]);
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
    const warnings: string[] = [];
    const future = [
      this.perHour.future ? plural(this.perHour.future, 'request') : '',
      this.failedByHour.future ? plural(this.failedByHour.future, 'failed login') : '',
    ].filter(Boolean);
    if (future.length) {
      warnings.push(
        'Lines dated more than an hour after this machine\u2019s clock: ' +
          `${future.join(' and ')}, counted in the totals but not by hour. Check the clock of ` +
          'the server that wrote the log, or look for forged times (lines written into the log ' +
          'through a logged value).',
      );
    }
    if (this.bursts.behind > 0) {
      warnings.push(
        // No count: parts of a log read apart each see their own (see `absorb`).
        '401/403/422 responses came more than 10 minutes ' +
          'behind later lines (logs of the same hours read one after another, or lines far out ' +
          'of order): a burst of failed requests near them may be counted short or split. ' +
          'Read such logs one at a time.',
      );
    }
    const folded = this.perHour.folded + this.failedByHour.folded;
    if (!folded) return warnings;
    return [
      ...warnings,
      `The requests span more than ${MAX_HOURS} hours: per-hour tables keep the latest ` +
        `${MAX_HOURS}; ${plural(this.perHour.folded, 'request')} and ` +
        `${plural(this.failedByHour.folded, 'failed login')} in older hours count in the ` +
        'totals only. Pick a window to see them by hour.',
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
        viewShare: a.viewBaseMicros > 0 ? round(a.viewMicros / a.viewBaseMicros, 4) : null,
        dbShare: a.dbBaseMicros > 0 ? round(a.dbMicros / a.dbBaseMicros, 4) : null,
      }))
      .sort((a, b) => b.totalMs - a.totalMs || b.count - a.count || compareText(a.name, b.name))
      .slice(0, OUTPUT_ROWS);

    const exceptions: ExceptionSummary[] = [...this.exceptions.entries()]
      .map(([className, e]) => ({
        ...this.location(e.example.file, e.example.line, e.example.offset),
        className,
        count: e.count,
        firstSeen: iso(e.first),
        lastSeen: iso(e.last),
        message: redactMessage(e.example.message),
        frame: e.frame ?? null,
        actions: [...e.actions.entries()]
          .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
          .map(([name]) => name),
      }))
      .sort((a, b) => b.count - a.count || compareText(a.className, b.className))
      .slice(0, OUTPUT_ROWS);

    const bursts = this.bursts
      .entries()
      .sort((a, b) => b.count - a.count || compareText(a.ip, b.ip) || compareText(a.from, b.from))
      .slice(0, OUTPUT_ROWS);

    return {
      span: { first: iso(this.first), last: iso(this.last) },
      lastEntry: iso(this.newest),
      requests: {
        total: this.total,
        completed: this.completed,
        incomplete: this.incomplete,
        perHour: this.perHour.rows().map(([hour, b]) => ({
          hour: new Date(hour).toISOString(),
          ...bucketFigures(b),
        })),
        ...(this.perHour.folded ? { perHourFolded: this.perHour.folded } : {}),
        ...(this.perHour.future ? { perHourFuture: this.perHour.future } : {}),
        ...(this.perFiveMinutes.active
          ? {
              perFiveMinutes: this.perFiveMinutes.rows().map(([start, b]) => ({
                start: new Date(start).toISOString(),
                ...bucketFigures(b),
              })),
            }
          : {}),
      },
      statusClasses: { ...this.statusClasses },
      statuses: Object.fromEntries([...this.statuses.entries()].sort()),
      errorRate: this.completed ? round(this.statusClasses['5xx'] / this.completed, 6) : 0,
      errors: {
        total: this.errorsTotal,
        lastSeen: iso(this.errorsLast),
        byClass: [...this.errorClasses.entries()]
          .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
          .slice(0, OUTPUT_ROWS)
          .map(([className, count]) => ({ className, count })),
      },
      duration: { count: this.overall.count, ...stats(this.overall) },
      actions,
      slowRequestMs: this.slowRequestMs,
      slowRequests: this.slowCount,
      slowest: this.slowest.slice(0, 10).map(({ fileIndex: _fileIndex, ...row }) => row),
      exceptions,
      routingErrors: {
        total: this.routingTotal,
        paths: [...this.routing.values()]
          .sort(
            (a, b) =>
              b.count - a.count || compareText(a.method, b.method) || compareText(a.path, b.path),
          )
          .slice(0, OUTPUT_ROWS)
          .map((row) => ({ ...row })),
      },
      failedLogins: {
        total: this.failedTotal,
        ips: this.failedByIp.size,
        byIp: byIpRows(this.failedByIp),
        byHour: this.failedByHour
          .rows()
          .map(([hour, b]) => ({ hour: new Date(hour).toISOString(), count: b.count })),
        ...(this.failedByHour.folded ? { byHourFolded: this.failedByHour.folded } : {}),
        ...(this.failedByHour.future ? { byHourFuture: this.failedByHour.future } : {}),
      },
      suspiciousRequests: {
        total: this.suspiciousTotal,
        ips: this.suspiciousByIp.size,
        byIp: byIpRows(this.suspiciousByIp),
      },
      suspicious: [...this.suspicious.values()]
        .sort((a, b) => b.count - a.count || compareText(a.ip, b.ip) || compareText(a.kind, b.kind))
        .slice(0, OUTPUT_ROWS)
        .map(({ fileIndex: _fileIndex, ...row }) => row),
      bursts,
      sql: {
        requestsWithSql: this.sqlRequests,
        queries: this.sqlQueries,
        cached: this.sqlCached,
        meanPerRequest: this.sqlRequests
          ? round((this.sqlQueries + this.sqlCached) / this.sqlRequests, 2)
          : 0,
        maxPerRequest: this.sqlMax && withoutFileIndex(this.sqlMax),
      },
      nPlusOne: [...this.nPlusOne.values()]
        .sort(
          (a, b) =>
            b.requests * b.maxRepeats - a.requests * a.maxRepeats ||
            compareText(a.action ?? '', b.action ?? '') ||
            compareText(a.statement, b.statement) ||
            comparePositions(a.fileIndex, a.offset, b.fileIndex, b.offset),
        )
        .slice(0, OUTPUT_ROWS)
        .map(
          ({ fileIndex: _fileIndex, sourceFile: _sourceFile, sourceOffset: _offset, ...row }) =>
            row,
        ),
      warnings: [...this.warnings, ...this.foldWarnings()],
      zoneCounts: { explicitOffsets: this.explicitOffsets, zoneApplied: this.zoneApplied },
    };
  }
}

function copyException(e: ExceptionState): ExceptionState {
  return {
    ...e,
    example: { ...e.example },
    actions: new Map(e.actions),
    joined: e.joined.map((row) => [...row]),
  };
}

function withoutFileIndex<T extends { fileIndex: number }>({
  fileIndex: _fileIndex,
  ...row
}: T): Omit<T, 'fileIndex'> {
  return row;
}

function copyValues<T extends object>(map: Map<string, T>): Map<string, T> {
  const copy = new Map<string, T>();
  for (const [key, value] of map) copy.set(key, { ...value });
  return copy;
}

/**
 * Adds another part's rows: existing keys merge with a copy of the other row, new ones (as
 * copies) follow in the order that part first saw them while the table has room.
 */
function addRows<T extends object>(
  into: Map<string, T>,
  from: Map<string, T>,
  max: number,
  copy: (row: T) => T,
  merge: (row: T, other: T) => void,
): void {
  for (const [key, other] of from) {
    const row = into.get(key);
    if (row) merge(row, copy(other));
    else if (into.size < max) into.set(key, copy(other));
  }
}

/**
 * Orders two positions in the log: (index of the file, byte offset). Every choice between
 * equal events goes by this, so the order events are reported in never shows.
 */
function comparePositions(fileA: number, offsetA: number, fileB: number, offsetB: number): number {
  return fileA - fileB || offsetA - offsetB;
}

/**
 * Whether a value seen at (file, offset) replaces one kept from (keptFile, keptOffset): the
 * earliest in the log wins, and a kept file of -1 means nothing is kept yet.
 */
function precedes(file: number, offset: number, keptFile: number, keptOffset: number): boolean {
  return keptFile < 0 || comparePositions(file, offset, keptFile, keptOffset) < 0;
}

/** Text order that never calls two different strings equal (localeCompare may: ignorables). */
function compareText(a: string, b: string): number {
  return a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function bySlowest(a: SlowRow, b: SlowRow): number {
  return (
    b.durationMs - a.durationMs || comparePositions(a.fileIndex, a.offset, b.fileIndex, b.offset)
  );
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
