/**
 * Groups parsed lines into requests. Lines with a request id go to that id's request; lines
 * without one go to the latest request of their process, in order (Rails 2 completions are
 * matched to the open request whose controller or action appears in the URL). Lines that
 * belong to no request are counted as orphans. State is bounded: old open requests are closed.
 */
import { LEVEL_ERROR, routingTarget, type ParsedLine } from './lineParser';
import { isDataStatement, sqlShape } from './sqlShape';

export interface ExceptionInfo {
  className: string;
  message: string;
  /** First application frame (`app/...:12`), when the backtrace shows one. */
  frame?: string;
  time: number;
  file: string;
  line: number;
  offset: number;
}

export interface SqlShapeCount {
  shape: string;
  name: string;
  count: number;
  source?: string;
  line: number;
  offset: number;
}

export interface RequestRecord {
  byId: boolean;
  file: string;
  line: number;
  offset: number;
  /** Whether it saw a request line (Started, Processing, Completed or a lograge line). */
  isRequest: boolean;
  completed: boolean;
  time: number;
  timeExplicit: boolean;
  method?: string;
  path?: string;
  ip?: string;
  action?: string;
  /** Its format: `Processing by ... as JSON`, or lograge's and Semantic Logger's `format`. */
  format?: string;
  status?: number;
  durationMs?: number;
  viewMs?: number;
  dbMs?: number;
  /**
   * The status of the error page Rails 2 rendered instead of logging `Completed`: the request's
   * status when no `Completed` line comes.
   */
  pageStatus?: number;
  /** The path of the first `Redirected to`. */
  redirect?: string;
  params?: string;
  lines: number;
  exceptions: ExceptionInfo[];
  errorLines: number;
  failedLoginLine: boolean;
  /**
   * The failed-login lines under it (the first few): the address a request without `Started`
   * has, and what a record that never shows a request line counts, as lines without an id do.
   */
  failedLogins?: FailedLoginLine[];
  queries: number;
  cachedQueries: number;
  sql?: Map<string, SqlShapeCount>;
  lastSql?: SqlShapeCount;
  /** A lograge line without a request id: the whole request in one line. */
  oneLine?: boolean;
  /** Begun while reading past the end of a range: the next range reports it (parallel.ts). */
  foreign?: boolean;
  /**
   * Begun near the start of a range by a line with a request id but no `Started`: it may be
   * the end of a request the range before began, which decides when the ranges are joined.
   */
  tentative?: boolean;
  /** The request id a tentative record was begun by, for joining ranges. */
  requestId?: string;
  /** How many requests had completed when this one did (see `lateLine`). */
  doneAt?: number;
  /** A Heroku router line answered it before its own `Completed` (see `joinRouterLine`). */
  routed?: boolean;
}

export interface FailedLoginLine {
  ip?: string;
  time: number;
  line: number;
  offset: number;
}

export interface OrphanError {
  time: number;
  exception?: ExceptionInfo;
  file: string;
  line: number;
  offset: number;
}

export interface AssemblySink {
  request(record: RequestRecord): void;
  orphanError(error: OrphanError): void;
  failedLoginLine(ip: string | undefined, time: number, file: string, line: number): void;
}

export interface AssemblyCounts {
  byRequestId: number;
  byProcess: number;
  singleLine: number;
  orphanLines: number;
  incomplete: number;
  /**
   * Heroku router lines taken for a request the app logged without a request id (see
   * `joinRouterLine`): that request counts once, by the app's lines.
   */
  routerJoined: number;
}

const MAX_ACTIVE = 10_000;
const MAX_DONE = 256;
/** A range with more tentative records than this is not a log of tagged requests. */
const MAX_TENTATIVE = 20_000;
/** `done` drops its oldest quarter when full: the newest this many are always there. */
const SURELY_DONE = Math.floor(MAX_DONE * 0.75);
const MAX_OPEN_PER_PROCESS = 32;
/**
 * A line without a request id this long after its process's last line is no request's: Rails
 * writes a request's lines while it runs (Puma and Rack::Timeout end it long before), so such a
 * line is the server's own (Puma's error), a thread's, or one whose id tag was cut, and joining
 * the request of hours before put an error of the last hour outside it.
 */
const STALE_PROCESS_MS = 10 * 60_000;
/**
 * Processes (pids) followed at once. Real servers run tens of workers; past this, the least
 * recently seen processes are closed (their open requests count as incomplete), so a log with
 * a new pid on every line keeps memory flat.
 */
export const MAX_PROCESSES = 1024;
const MAX_SQL_SHAPES = 200;
const MAX_EXCEPTIONS_PER_REQUEST = 4;
/** Untagged completed requests kept for Heroku router lines to join; the oldest go first. */
const MAX_UNROUTED = 1024;
/**
 * How far apart the app's `Completed` and the router's line may be beyond the router's
 * `service=` time: Heroku stamps the app's lines as it collects them, the router its own.
 */
const ROUTER_SLACK_MS = 2000;

interface ProcessState {
  key: string;
  /** The line count when this process last logged, to close the least recent first. */
  seen: number;
  open: RequestRecord[];
  last?: RequestRecord;
  /** The orphan exception whose backtrace lines are still coming. */
  orphanException?: ExceptionInfo;
  inErrorBlock: boolean;
  /** Its first line here began a request of its own (see `processStates`). */
  beganFresh: boolean;
  /** The time of its last line (or the time it went on from), NaN before one. */
  lastTime: number;
}

/**
 * How a range left a process: as a fresh one is, with only a finished request that the next
 * request of the process retires ('done'), or with something a later line may continue.
 */
export type ProcessEnd = 'fresh' | 'done' | 'open';

export interface ProcessSummary {
  key: string;
  end: ProcessEnd;
  /** The first line of the process in the range began a request, whatever came before. */
  beganFresh: boolean;
}

export class RequestAssembler {
  readonly counts: AssemblyCounts = {
    byRequestId: 0,
    byProcess: 0,
    singleLine: 0,
    orphanLines: 0,
    incomplete: 0,
    routerJoined: 0,
  };
  private readonly active = new Map<string, RequestRecord>();
  /** The request id of the last line and its record, while that record is in `active`. */
  private cachedId: string | undefined;
  private cachedRecord: RequestRecord | undefined;
  private readonly done = new Map<string, RequestRecord>();
  private readonly processes = new Map<string, ProcessState>();
  /** Reading past the end of a range to finish its requests (see `continuePast`). */
  private continuation = false;
  /** Records with a request id this range began that are still open while it continues. */
  private ownedOpen = 0;
  /** Lines before this offset that begin a request without `Started` make tentative records. */
  private tentativeBefore = -1;
  /** Requests moved to `done` so far, and the latest ones `done` dropped (id → doneAt). */
  private completions = 0;
  private readonly dropped = new Map<string, number>();
  /** Offsets of the lines past the range's end that went to the range's own requests. */
  readonly claims: number[] = [];
  /** Tentative records, closed but not reported: the caller decides (`adopt`). */
  readonly tentative: RequestRecord[] = [];
  /**
   * Why this range cannot be joined to the others exactly (parallel.ts), when it cannot: more
   * processes or open requests than the maps hold (they were closed early), or a request id
   * used again across a cut.
   */
  unjoinable: string | undefined;
  private linesSeen = 0;
  private file = '';
  /** The request the previous line went to, for bare continuation lines. */
  private previous: RequestRecord | undefined;
  private previousHadPrefix = false;
  /**
   * Requests the app completed without a request id, by `status method path`, the times of
   * their `Completed` lines in order: kept only once a Heroku router line came (`joinRouterLine`).
   */
  private unrouted: KeyedQueues<number> | undefined;
  /** Open requests without a request id, by `method path`, from the first router line on. */
  private unanswered: KeyedQueues<RequestRecord> | undefined;

  constructor(private readonly sink: AssemblySink) {}

  /** Lines of a new file do not continue the process state of the last one. */
  startFile(file: string): void {
    this.flushProcesses();
    this.previous = undefined;
    this.previousHadPrefix = false;
    this.file = file;
  }

  add(line: ParsedLine, lineNumber: number, offset: number, time: number): void {
    if (this.continuation) {
      this.addPast(line, lineNumber, offset, time);
      return;
    }
    if (line.kind === 'request') {
      this.addSingleLineRequest(line, lineNumber, offset, time);
      this.previous = undefined;
      return;
    }
    if (line.requestId && !line.job) {
      this.previous = this.addById(line.requestId, line, lineNumber, offset, time);
      this.previousHadPrefix = true;
      return;
    }
    const bare = line.kind === 'other' || line.kind === 'blank' || line.kind === 'frame';
    if (bare && line.pid === undefined && Number.isNaN(line.time) && this.previousHadPrefix) {
      // A bare continuation (a multi-line SQL error, a backtrace) of a prefixed line.
      if (this.previous) this.apply(this.previous, line, lineNumber, offset, time);
      else this.counts.orphanLines++;
      return;
    }
    this.previousHadPrefix = line.pid !== undefined || line.job;
    this.previous = this.addByProcess(line.pid ?? '-', line, lineNumber, offset, time);
  }

  /**
   * Marks the start of a range read on its own (parallel.ts): a line before `before` with a
   * request id and no `Started` begins a tentative record instead of a reported one.
   */
  startRange(before: number): void {
    this.tentativeBefore = before;
  }

  /**
   * From here on, lines are past the end of the range: they only finish the requests the
   * range began (their offsets go to `claims`); new requests there belong to the next range.
   * Returns false when no request of the range is open, so there is nothing to read.
   */
  continuePast(): boolean {
    this.continuation = true;
    this.previous = undefined;
    let owned = 0;
    for (const record of this.active.values()) if (!record.foreign) owned++;
    for (const record of this.done.values()) if (!record.foreign) owned++;
    this.ownedOpen = owned;
    return owned > 0;
  }

  /** Whether reading past the range may still change one of its requests. */
  get pastRangeOpen(): boolean {
    return this.ownedOpen > 0;
  }

  /** Adds the counts of a range read by another assembler (parallel.ts). */
  addCounts(counts: AssemblyCounts): void {
    this.counts.byRequestId += counts.byRequestId;
    this.counts.byProcess += counts.byProcess;
    this.counts.singleLine += counts.singleLine;
    this.counts.orphanLines += counts.orphanLines;
    this.counts.incomplete += counts.incomplete;
    this.counts.routerJoined += counts.routerJoined;
  }

  /** Reports a tentative record another range did not claim, as if it had closed here. */
  adopt(record: RequestRecord): void {
    record.tentative = false;
    record.foreign = false;
    this.close(record);
  }

  /**
   * For each process followed in this range: how the range left it, and whether its first line
   * here began a request. A later range starts each process fresh, which is exact when the
   * state before it was fresh, or 'done' and the later range's first line of the process begins
   * a request (that line only retires the finished one, which the earlier range reports).
   */
  processStates(): ProcessSummary[] {
    return [...this.processes.values()].map((state) => {
      const clean = state.open.length === 0 && !state.orphanException && !state.inErrorBlock;
      const end = !clean ? 'open' : !state.last ? 'fresh' : state.last.completed ? 'done' : 'open';
      return { key: state.key, end, beganFresh: state.beganFresh };
    });
  }

  /**
   * The ids of the requests this range began that are still open (while reading past its end):
   * closed incomplete at `finish`, unless a later range holds a tentative record of theirs.
   */
  openIds(): string[] {
    const ids: string[] = [];
    for (const map of [this.active, this.done]) {
      for (const [id, record] of map) if (!record.foreign && !record.completed) ids.push(id);
    }
    return ids;
  }

  /**
   * The ids of the requests this range completed last (kept, or dropped from `done` not long
   * ago): a later range's tentative record of one that this range did not claim is a line that
   * came so late that whether one pass still held its request depends on what came before.
   */
  recentIds(): string[] {
    const ids = [...this.dropped.keys()];
    for (const [id, record] of this.done) if (!record.foreign) ids.push(id);
    return ids;
  }

  /** Closes everything still open; call once at the end. */
  finish(): void {
    this.flushProcesses();
    this.cachedId = this.cachedRecord = undefined;
    for (const record of this.active.values()) this.close(record);
    for (const record of this.done.values()) this.close(record);
    this.active.clear();
    this.done.clear();
  }

  private addPast(line: ParsedLine, lineNumber: number, offset: number, time: number): void {
    // A Started line with the id of a request this range began: one pass would add it to that
    // request, the next range begins a new one. Too rare to join.
    if (line.requestId && !line.job && line.kind === 'started') {
      const open = this.active.get(line.requestId) ?? this.done.get(line.requestId);
      if (open && !open.foreign) this.unjoinable ??= 'a request id used again across a cut';
    }
    if (line.kind === 'request') {
      // A line that is a whole request (Heroku's router line after the app's Completed, lograge
      // beside the Rails lines) with the id of a request this range began goes to it, as in one
      // pass; the next range drops the record it began from the line (`claims`).
      const id = line.requestId && !line.job ? line.requestId : undefined;
      const own = id ? (this.active.get(id) ?? this.done.get(id)) : undefined;
      if (own && !own.foreign) {
        this.addSingleLineRequest(line, lineNumber, offset, time);
        this.claims.push(offset);
      }
      this.previous = undefined;
      return;
    }
    if (line.requestId && !line.job) {
      const record = this.addById(line.requestId, line, lineNumber, offset, time);
      this.previous = record;
      this.previousHadPrefix = true;
      if (!record.foreign) this.claims.push(offset);
      return;
    }
    const bare = line.kind === 'other' || line.kind === 'blank' || line.kind === 'frame';
    if (bare && line.pid === undefined && Number.isNaN(line.time) && this.previousHadPrefix) {
      if (this.previous) {
        this.apply(this.previous, line, lineNumber, offset, time);
        if (!this.previous.foreign) this.claims.push(offset);
      }
      return;
    }
    // Lines without a request id past the end are the next range's, whole.
    this.previousHadPrefix = line.pid !== undefined || line.job;
    this.previous = undefined;
  }

  private addSingleLineRequest(
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): void {
    const id = line.requestId;
    if (id && !this.active.has(id)) this.lateLine(id, this.done.get(id));
    const existing = id ? (this.active.get(id) ?? this.done.get(id)) : undefined;
    if (!existing && line.pid === 'router' && this.joinRouterLine(line)) return;
    const record = existing ?? this.newRecord(Boolean(id), lineNumber, offset, time, line);
    if (!existing && !id) record.oneLine = true;
    // A request line before this one (Started) gave the request its time.
    const timed = existing?.isRequest === true && !Number.isNaN(existing.time);
    record.lines++;
    record.isRequest = true;
    // The same request seen again by id (Heroku's router line, lograge beside the Rails
    // lines): what this line leaves out stays as the lines before gave it, and a request the
    // app's `Completed` already timed keeps its status and times (the router's `service=` is
    // taken from outside the app, as a second `Completed` would not count either).
    const completed = record.completed;
    record.completed = true;
    record.method = line.method ?? record.method;
    record.path = line.path ?? record.path;
    record.ip = line.ip ?? record.ip;
    record.action = line.action ?? record.action;
    record.format = line.format ?? record.format;
    record.params = line.params ?? record.params;
    if (!completed || record.status === undefined) record.status = line.status;
    if (!completed) {
      record.durationMs = line.durationMs ?? record.durationMs;
      record.viewMs = line.viewMs ?? record.viewMs;
      record.dbMs = line.dbMs ?? record.dbMs;
    }
    if (!Number.isNaN(line.time) && !timed) {
      record.time = line.time;
      record.timeExplicit = line.timeExplicit;
    }
    if (line.exceptionClass) {
      record.exceptions.push(this.exception(line, lineNumber, offset, time));
    }
    if (id && !completed && this.active.delete(id)) {
      // The router answered while the app was still at it (Heroku's H12 after 30 s): the app's
      // lines to come, its own Completed too, are this request's, as after a Completed.
      if (id === this.cachedId) this.cachedId = this.cachedRecord = undefined;
      record.doneAt = ++this.completions;
      this.done.set(id, record);
      if (this.done.size > MAX_DONE) this.evictOldest(this.done);
    } else if (id) {
      if (id === this.cachedId) this.cachedId = this.cachedRecord = undefined;
      this.active.delete(id);
      this.done.delete(id);
      this.close(record);
    } else {
      this.close(record);
    }
  }

  private addById(
    id: string,
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): RequestRecord {
    // Most lines continue the request of the line before: skip the map for them.
    let record = id === this.cachedId ? this.cachedRecord : this.active.get(id);
    let active = record !== undefined;
    if (!record) {
      const finished = this.done.get(id);
      if (line.kind !== 'started') this.lateLine(id, finished);
      if (finished && line.kind !== 'started') {
        record = finished;
      } else {
        active = true;
        if (finished) {
          this.done.delete(id);
          this.close(finished);
        }
        record = this.newRecord(true, lineNumber, offset, time, line);
        this.active.set(id, record);
        if (this.active.size > MAX_ACTIVE) this.evictOldest(this.active);
      }
    }
    this.cachedId = active ? id : undefined;
    this.cachedRecord = active ? record : undefined;
    this.apply(record, line, lineNumber, offset, time);
    if (line.kind === 'completed' && active) {
      // Keep it a while: Rails logs the exception and the error page after `Completed`.
      this.cachedId = undefined;
      this.cachedRecord = undefined;
      this.active.delete(id);
      record.doneAt = ++this.completions;
      this.done.set(id, record);
      if (this.done.size > MAX_DONE) this.evictOldest(this.done);
    }
    return record;
  }

  private addByProcess(
    key: string,
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): RequestRecord | undefined {
    let state = this.processes.get(key);
    if (!state) {
      if (this.processes.size >= MAX_PROCESSES) this.evictProcesses();
      // A Started line, or a Completed line that names its method (a whole request): either
      // retires the last request of the process and carries nothing over from before it.
      const beganFresh =
        line.kind === 'started' || (line.kind === 'completed' && line.method !== undefined);
      state = { key, seen: 0, open: [], inErrorBlock: false, beganFresh, lastTime: NaN };
      this.processes.set(key, state);
    }
    state.seen = ++this.linesSeen;
    // Judged on the line's own time: one it goes on from (a line without) says nothing.
    const stale = line.time - state.lastTime > STALE_PROCESS_MS;
    if (!Number.isNaN(time)) state.lastTime = time;
    if (stale && state.last && line.kind !== 'started' && line.kind !== 'completed') {
      this.retireLast(state);
    }

    switch (line.kind) {
      case 'started': {
        const record = this.newRecord(false, lineNumber, offset, time, line);
        this.retireLast(state);
        state.open.push(record);
        if (state.open.length > MAX_OPEN_PER_PROCESS) {
          const oldest = state.open.shift();
          if (oldest) this.close(oldest);
        }
        state.last = record;
        // An error logged before this request (a boot error, a job's) is reported, not lost.
        this.flushOrphanException(state);
        state.inErrorBlock = false;
        this.apply(record, line, lineNumber, offset, time);
        if (this.unanswered) this.noteUnanswered(record);
        return record;
      }
      case 'processing': {
        const waiting = [...state.open].reverse().find((r) => !r.action);
        if (waiting) {
          this.apply(waiting, line, lineNumber, offset, time);
          return waiting;
        }
        if (state.last) {
          // The error page Rails renders after an exception: same request.
          this.apply(state.last, line, lineNumber, offset, time);
          return state.last;
        }
        const record = this.newRecord(false, lineNumber, offset, time, line);
        state.open.push(record);
        state.last = record;
        this.apply(record, line, lineNumber, offset, time);
        return record;
      }
      case 'completed': {
        const record = this.pickForCompletion(state, line);
        if (record) {
          state.open.splice(state.open.indexOf(record), 1);
          this.apply(record, line, lineNumber, offset, time);
          if (this.unrouted) this.noteUnrouted(record, time);
          if (record !== state.last) this.close(record);
          return record;
        }
        // A Completed line that names its method is a whole request (rails_semantic_logger, whose
        // Started is a debug line): never a repeat of the last one.
        const whole = line.method !== undefined;
        if (state.last?.completed && !whole) {
          this.apply(state.last, line, lineNumber, offset, time);
          return state.last;
        }
        const alone = this.newRecord(false, lineNumber, offset, time, line);
        alone.oneLine = whole;
        this.retireLast(state);
        state.last = alone;
        this.apply(alone, line, lineNumber, offset, time);
        if (this.unrouted) this.noteUnrouted(alone, time);
        return alone;
      }
    }

    if (state.last) {
      this.apply(state.last, line, lineNumber, offset, time);
      return state.last;
    }
    this.orphan(state, line, lineNumber, offset, time);
    return undefined;
  }

  /**
   * Heroku's router logs a line for every request, with a request id the app's lines carry
   * only when its log_tags has `:request_id`. Without the tag, a router line is the same
   * request as one the app logged `Started` … `Completed` for (no id): it is taken for the
   * earliest such request not yet taken with the same status, method and path whose
   * `Completed` came within the router's `service=` time before its line (ROUTER_SLACK_MS
   * either side), and adds nothing: the request counts once, with the app's own status and
   * times, as a tagged one does, and the client of its `Started` (Rails reads it from the
   * X-Forwarded-For the router passes on). A router error (an H12) before the app's
   * `Completed` ends the app's open request of that method and path instead. A router line
   * with neither (an H10 the app never saw, or an app logging at level warn) is a request of
   * its own. The requests are kept from the first router line on: logs without one pay nothing.
   */
  private joinRouterLine(line: ParsedLine): boolean {
    if (!this.unrouted || !this.unanswered) {
      this.unrouted = new KeyedQueues();
      this.unanswered = new KeyedQueues();
      // Requests begun or completed before the first router line, still held by their process
      // (by their Started's time, as near to the router's line as their Completed's).
      for (const state of this.processes.values()) {
        for (const record of state.open) this.noteUnanswered(record);
        if (state.last?.completed) this.noteUnrouted(state.last, state.last.time);
      }
    }
    const service = line.durationMs;
    if (service === undefined) return false;
    const at = line.time;
    const from = at - service - ROUTER_SLACK_MS;
    const to = at + ROUTER_SLACK_MS;
    // Too early for this line, so for any later one (the log runs forward): dropped.
    const within = (time: number): boolean | 'drop' =>
      Number.isNaN(at) || Number.isNaN(time) || (time >= from ? time <= to : 'drop');
    const done = this.unrouted.take(`${line.status} ${line.method} ${line.path}`, within);
    if (done === undefined) {
      // The router gave up first (an H12 after 30 s, its status 499 or 5xx): the app's request
      // still open, begun within the router's time, ends as the client saw it, as a tagged one.
      if ((line.status ?? 0) < 499) return false;
      const open = this.unanswered.take(`${line.method} ${line.path}`, (record) =>
        record.completed ? 'drop' : within(record.time),
      );
      if (!open) return false;
      open.completed = open.routed = true;
      open.status = line.status;
      open.durationMs = service;
      open.ip ??= line.ip;
    }
    this.counts.routerJoined++;
    // A range cannot tell whether a router line at its start joins a request before its cut.
    if (this.tentativeBefore >= 0) {
      this.unjoinable ??= 'Heroku router lines beside untagged requests';
    }
    return true;
  }

  private noteUnrouted(record: RequestRecord, time: number): void {
    if (record.byId || !record.completed || record.routed || record.method === undefined) return;
    this.unrouted?.push(`${record.status} ${record.method} ${record.path}`, time);
  }

  private noteUnanswered(record: RequestRecord): void {
    if (record.byId || record.method === undefined) return;
    this.unanswered?.push(`${record.method} ${record.path}`, record);
  }

  private pickForCompletion(state: ProcessState, line: ParsedLine): RequestRecord | undefined {
    // Without a URL to match, the latest open request is the one completing: that is always
    // right for a single-threaded server, and no worse than any guess for interleaved threads.
    const latest = state.open[state.open.length - 1];
    if (state.open.length <= 1 || !line.url) return latest;
    const segments = urlSegments(line.url);
    let best = latest;
    let bestScore = -1;
    for (const record of state.open) {
      const score = actionScore(record.action, segments);
      if (score >= bestScore) {
        best = record;
        bestScore = score;
      }
    }
    return best;
  }

  private retireLast(state: ProcessState): void {
    const last = state.last;
    if (!last) return;
    state.last = undefined;
    if (last.completed) {
      this.close(last);
    } else if (last.pageStatus !== undefined) {
      // Rails 2 after an exception: the error page ended it, the next request began.
      const at = state.open.indexOf(last);
      if (at >= 0) state.open.splice(at, 1);
      this.close(last);
    }
  }

  /** Processes followed now; at most MAX_PROCESSES. */
  get openProcesses(): number {
    return this.processes.size;
  }

  private flushProcesses(): void {
    for (const state of this.processes.values()) this.closeProcess(state);
    this.processes.clear();
  }

  private closeProcess(state: ProcessState): void {
    for (const record of state.open) this.close(record);
    if (state.last && !state.open.includes(state.last)) this.close(state.last);
    this.flushOrphanException(state);
  }

  /** Closes the least recently seen quarter, so eviction costs little per new process. */
  private evictProcesses(): void {
    this.unjoinable ??= 'more processes than are followed at once';
    const states = [...this.processes.values()].sort((a, b) => a.seen - b.seen);
    for (const state of states.slice(0, Math.ceil(states.length / 4))) {
      this.processes.delete(state.key);
      this.closeProcess(state);
    }
  }

  private orphan(
    state: ProcessState,
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): void {
    this.counts.orphanLines++;
    if (line.kind === 'failedLogin') {
      this.sink.failedLoginLine(line.ip, time, this.file, lineNumber);
    }
    if (line.kind === 'frame' && state.orphanException && !state.orphanException.frame) {
      state.orphanException.frame = line.source;
      return;
    }
    const isError = line.level >= LEVEL_ERROR || line.kind === 'exception';
    if (!isError) {
      if (line.kind !== 'frame' && line.kind !== 'blank') state.inErrorBlock = false;
      return;
    }
    if (line.kind === 'exception') {
      this.flushOrphanException(state);
      state.orphanException = this.exception(line, lineNumber, offset, time);
      state.inErrorBlock = true;
      return;
    }
    if (!state.inErrorBlock && line.kind !== 'blank' && line.kind !== 'frame') {
      this.sink.orphanError({ time, file: this.file, line: lineNumber, offset });
    }
    state.inErrorBlock = true;
  }

  private flushOrphanException(state: ProcessState): void {
    const exception = state.orphanException;
    if (!exception) return;
    state.orphanException = undefined;
    this.sink.orphanError({
      time: exception.time,
      exception,
      file: exception.file,
      line: exception.line,
      offset: exception.offset,
    });
  }

  private newRecord(
    byId: boolean,
    lineNumber: number,
    offset: number,
    time: number,
    line: ParsedLine,
  ): RequestRecord {
    return {
      byId,
      file: this.file,
      line: lineNumber,
      offset,
      isRequest: false,
      completed: false,
      time: line.requestTime ?? time,
      timeExplicit:
        line.requestTime !== undefined ? Boolean(line.requestTimeExplicit) : line.timeExplicit,
      lines: 0,
      exceptions: [],
      errorLines: 0,
      failedLoginLine: false,
      queries: 0,
      cachedQueries: 0,
      foreign: this.continuation,
      tentative:
        !this.continuation && byId && line.kind !== 'started' && offset < this.tentativeBefore,
      requestId: byId ? line.requestId : undefined,
      doneAt: 0,
    };
  }

  private apply(
    record: RequestRecord,
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): void {
    record.lines++;
    if (line.level >= LEVEL_ERROR) record.errorLines++;
    switch (line.kind) {
      case 'started':
        record.isRequest = true;
        record.method ??= line.method;
        record.path ??= line.path;
        record.ip ??= line.ip;
        record.action ??= line.action;
        if (line.requestTime !== undefined && !record.timeExplicit) {
          record.time = line.requestTime;
          record.timeExplicit = Boolean(line.requestTimeExplicit);
        }
        if (Number.isNaN(record.time)) record.time = time;
        return;
      case 'processing':
        record.isRequest = true;
        record.action ??= line.action;
        record.format ??= line.format;
        return;
      case 'completed':
        record.isRequest = true;
        if (record.completed) return;
        record.completed = true;
        // A JSON Completed line (rails_semantic_logger) also says what Started would have.
        record.method ??= line.method;
        record.path ??= line.path;
        record.ip ??= line.ip;
        record.action ??= line.action;
        record.format ??= line.format;
        record.params ??= line.params;
        record.status = line.status;
        record.durationMs = line.durationMs;
        record.viewMs = line.viewMs;
        record.dbMs = line.dbMs;
        if (line.url && !record.path) record.path = urlPath(line.url);
        if (Number.isNaN(record.time)) record.time = time;
        return;
      case 'parameters':
        record.params ??= line.params;
        return;
      case 'sql':
        this.addSql(record, line, lineNumber, offset);
        return;
      case 'sqlSource':
        if (record.lastSql && !record.lastSql.source) record.lastSql.source = line.source;
        return;
      case 'exception':
        if (record.exceptions.length < MAX_EXCEPTIONS_PER_REQUEST) {
          record.exceptions.push(this.exception(line, lineNumber, offset, time));
        }
        // Rails 2 logs no path for a request it could not route: the error names it.
        if (record.path === undefined && line.exceptionClass === 'ActionController::RoutingError') {
          record.path = routingTarget(line.exceptionMessage ?? '')?.path;
        }
        return;
      case 'frame': {
        const last = record.exceptions[record.exceptions.length - 1];
        if (last && !last.frame) last.frame = line.source;
        return;
      }
      case 'failedLogin':
        record.failedLoginLine = true;
        record.failedLogins ??= [];
        if (record.failedLogins.length < MAX_EXCEPTIONS_PER_REQUEST) {
          record.failedLogins.push({ ip: line.ip, time, line: lineNumber, offset });
        }
        return;
      case 'errorPage':
        record.isRequest = true;
        record.pageStatus ??= line.status;
        return;
      case 'redirect':
        if (line.url) record.redirect ??= urlPath(line.url);
        return;
    }
  }

  private addSql(
    record: RequestRecord,
    line: ParsedLine,
    lineNumber: number,
    offset: number,
  ): void {
    if (line.cached) {
      record.cachedQueries++;
      record.lastSql = undefined;
      return;
    }
    record.queries++;
    const statement = line.sql ?? '';
    if (!isDataStatement(statement)) {
      record.lastSql = undefined;
      return;
    }
    record.sql ??= new Map();
    const shape = sqlShape(statement);
    let entry = record.sql.get(shape);
    if (!entry) {
      if (record.sql.size >= MAX_SQL_SHAPES) return;
      entry = { shape, name: line.sqlName ?? '', count: 0, line: lineNumber, offset };
      record.sql.set(shape, entry);
    }
    entry.count++;
    record.lastSql = entry;
  }

  private exception(
    line: ParsedLine,
    lineNumber: number,
    offset: number,
    time: number,
  ): ExceptionInfo {
    return {
      className: line.exceptionClass ?? 'Error',
      message: line.exceptionMessage ?? '',
      // A JSON exception carries its first application frame (lineParser).
      ...(line.source !== undefined ? { frame: line.source } : {}),
      time,
      file: this.file,
      line: lineNumber,
      offset,
    };
  }

  private evictOldest(map: Map<string, RequestRecord>): void {
    this.cachedId = this.cachedRecord = undefined;
    if (map === this.active) this.unjoinable ??= 'more open requests than are followed at once';
    const target = Math.floor(map.size * 0.75);
    for (const [id, record] of map) {
      if (map.size <= target) break;
      map.delete(id);
      if (map === this.done && this.tentativeBefore >= 0 && !record.foreign) {
        this.dropped.set(id, record.doneAt ?? 0);
      }
      this.close(record);
    }
    if (this.dropped.size > 2 * MAX_DONE) {
      for (const id of this.dropped.keys()) {
        if (this.dropped.size <= MAX_DONE) break;
        this.dropped.delete(id);
      }
    }
  }

  /**
   * A line for a completed request. One pass keeps the newest 192 to 256 completed requests,
   * depending on what came before; a range that did not begin the file cannot tell which, so
   * a line in between makes it unjoinable: it may join its request here and not in one pass,
   * or the other way round. (Past its end too: a range reads on with its own maps.)
   */
  private lateLine(id: string, finished: RequestRecord | undefined): void {
    if (this.tentativeBefore < 0 || finished?.foreign) return;
    const doneAt = finished ? finished.doneAt : this.dropped.get(id);
    if (doneAt === undefined) return;
    const age = this.completions - doneAt;
    if (finished ? age >= SURELY_DONE : age < MAX_DONE) {
      this.unjoinable ??= 'a line came long after its request completed, near a cut';
    }
  }

  private close(record: RequestRecord): void {
    // Begun past the range's end: the next range reports it.
    if (record.foreign) return;
    if (this.continuation && record.byId) this.ownedOpen--;
    if (record.tentative) {
      this.tentative.push(record);
      if (this.tentative.length > MAX_TENTATIVE) {
        this.unjoinable ??= 'too many lines with request ids and no Started';
      }
      return;
    }
    if (!record.isRequest) {
      // Lines under an id that never showed a request line: a job, a cut excerpt, or a log
      // at level warn (RAILS_LOG_LEVEL=warn) that keeps only the app's warnings.
      this.counts.orphanLines += record.lines;
      for (const login of record.failedLogins ?? []) {
        this.sink.failedLoginLine(login.ip, login.time, record.file, login.line);
      }
      const [first] = record.exceptions;
      if (first) {
        for (const exception of record.exceptions) {
          this.sink.orphanError({
            time: exception.time,
            exception,
            file: exception.file,
            line: exception.line,
            offset: exception.offset,
          });
        }
      } else if (record.errorLines > 0) {
        this.sink.orphanError({
          time: record.time,
          file: record.file,
          line: record.line,
          offset: record.offset,
        });
      }
      return;
    }
    if (!record.completed && record.pageStatus !== undefined) {
      record.completed = true;
      record.status = record.pageStatus;
    }
    if (!record.completed) this.counts.incomplete++;
    if (record.oneLine) this.counts.singleLine++;
    else if (record.byId) this.counts.byRequestId++;
    else this.counts.byProcess++;
    this.sink.request(record);
  }
}

function urlPath(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const slash = url.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : url.slice(slash);
}

function urlSegments(url: string): Set<string> {
  const path = urlPath(url).split('?')[0];
  return new Set(
    path
      .split('/')
      .filter(Boolean)
      .map((s) => s.toLowerCase()),
  );
}

/** How well a Rails 2 `Controller#action` fits a URL's path segments. */
function actionScore(action: string | undefined, segments: Set<string>): number {
  if (!action) return 0;
  const [controller, name] = action.split('#');
  const base = controller
    .replace(/Controller$/, '')
    .split('::')
    .pop()!
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  let score = 0;
  if (segments.has(base)) score += 2;
  if (name && segments.has(name.toLowerCase())) score += 1;
  return score;
}

/**
 * Queues by key, at most MAX_UNROUTED entries in all: past that, the keys met first go with
 * their entries (a router line comes within seconds of its request).
 */
class KeyedQueues<T> {
  private readonly queues = new Map<string, T[]>();
  private size = 0;

  push(key: string, value: T): void {
    if (this.size >= MAX_UNROUTED) {
      for (const [old, queue] of this.queues) {
        if (this.size < MAX_UNROUTED * 0.75) break;
        this.queues.delete(old);
        this.size -= queue.length;
      }
    }
    const queue = this.queues.get(key);
    if (queue) queue.push(value);
    else this.queues.set(key, [value]);
    this.size++;
  }

  /**
   * Takes the first entry of `key` that `fits` (true), dropping the ones before it that it
   * says to drop; stops at the first it says false to.
   */
  take(key: string, fits: (value: T) => boolean | 'drop'): T | undefined {
    const queue = this.queues.get(key);
    if (!queue) return undefined;
    let index = 0;
    let verdict: boolean | 'drop' = 'drop';
    while (index < queue.length && (verdict = fits(queue[index])) === 'drop') index++;
    const found = index < queue.length && verdict === true ? queue[index] : undefined;
    const used = index + (found === undefined ? 0 : 1);
    if (used === queue.length) this.queues.delete(key);
    else queue.splice(0, used);
    this.size -= used;
    return found;
  }
}
