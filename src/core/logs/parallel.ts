/**
 * Summarizes one large log file on several worker threads: the file is cut into byte ranges at
 * line starts, each range is read on its own (parser, assembler, report), and the reports are
 * joined in order. Requests that straddle a cut are finished by the range that began them,
 * which reads on past its end for their last lines ("claims"); the next range holds the records
 * it began from such lines as tentative, and the join drops those another range claimed.
 *
 * For the logs it accepts, Logger::Formatter lines (cuts are made before such a line) whose
 * requests carry request ids, the join equals one pass (test/unit/logs/parallel*.test.ts).
 * Where it could not, the caller reads the file on one thread instead: a process state a range
 * cannot know (a request without id open across a cut, an error block, a thousand processes),
 * a request id used again across a cut, more open requests than the assembler follows, a
 * request going on past CLAIM_MS, a line that comes 192 to 256 completions after its request
 * (whether one pass still holds that request depends on what came before the range).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { throwIfAborted } from '../util/errors';
import { openRegularFile } from '../util/textFile';
import type { Logger } from '../util/logger';
import { ReportBuilder, type ReportState } from './report';
import {
  RequestAssembler,
  type AssemblyCounts,
  type ProcessEnd,
  type ProcessSummary,
  type RequestRecord,
} from './requestAssembler';
import { isContainerRecord } from './containerRecords';
import { LineParser } from './lineParser';
import { CHUNK_BYTES, readAt } from './lineReader';
import { newParsers, readSpan } from './spanReader';
import { ZoneClock } from './timestamps';

/** Files (or the part after a seek) smaller than this are read on one thread. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** No range is smaller than this: a worker costs a few tens of milliseconds to start. */
const MIN_RANGE_BYTES = 16 * 1024 * 1024;
const MAX_WORKERS = 8;
/**
 * How long after its last line a range reads on for the last lines of its requests: Rails
 * writes a request's lines within its duration (Puma and Rack::Timeout stop requests long
 * before this) and the error page right after. A request still open by then (a process that
 * died mid-request) is closed incomplete, as at the end of the file.
 */
const CLAIM_MS = 10 * 60_000;
/** And at most this far, whatever the times say. */
const CLAIM_BYTES = 64 * 1024 * 1024;
/**
 * Heap limits of a range worker. A range keeps a few MB alive (its report is bounded), but V8
 * lets an isolate's heap grow far past that before collecting: two workers with default limits
 * took 190 MB on a 2 GB log, against 125 MB with these and no loss of speed (bench/logs.ts). A
 * hostile log that needs more stops the worker, and the file is read on one thread instead.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };
/** How far from a planned cut to look for a line to cut before. */
const CUT_SEARCH_BYTES = 256 * 1024;
/**
 * How far before a planned cut the records of a container runtime's file are read for the
 * lines it split and had not ended there: the other stream's records may come between pieces.
 */
const SPLIT_LOOKBACK_BYTES = 1024 * 1024;

export interface RangeTask {
  file: string;
  /**
   * The file, opened once on the main thread (descriptors are the process's): a range that
   * opened the path again could read the new file logrotate put there after the cuts.
   */
  fd: number;
  start: number;
  end: number;
  /** The end of the file (or of the read): how far the range may read on for its requests. */
  limit: number;
  /** Lines before this offset that begin a request without `Started` are tentative; -1: none. */
  tentativeBefore: number;
  /** 1: number lines from 1 within the range (the caller shifts them); 0: unknown. */
  firstLine: number;
  zone: string;
  now: number;
  from: number;
  to: number;
  slowRequestMs: number;
  stopAfter: number;
  workspace: string;
  chunkBytes?: number;
}

export interface RangeOutcome {
  report: ReportState;
  counts: AssemblyCounts;
  tentative: RequestRecord[];
  claims: number[];
  /** Requests the range began and closed incomplete at its end (see `openIds`). */
  openIds: string[];
  /** Requests the range completed last (see `recentIds`). */
  recentIds: string[];
  /** Each process the range followed, and whether it ended as a fresh one would be. */
  processes: ProcessSummary[];
  /** The range cannot be joined exactly; read the file on one thread. */
  unjoinable?: string;
  lines: number;
  bytesRead: number;
  invalidUtf8Lines: number;
  cutLines: number;
  unparsedLines: number;
  error?: string;
  shrank: boolean;
  passedWindow: boolean;
}

/** The source name of standard input, in `sources` and in the summary's locations. */
export const STDIN_SOURCE = '-';

/** Turns absolute paths into what the summary shows: workspace-relative inside it. */
export function workspaceLabel(workspace: string): (absolute: string) => string {
  return (absolute) => {
    if (absolute === STDIN_SOURCE) return absolute;
    const relative = path.relative(workspace, absolute);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative)
      ? relative
      : absolute;
  };
}

/** Reads one range; runs in a worker thread (logWorker.ts) or, for tests, in this one. */
export async function runRange(task: RangeTask, signal?: AbortSignal): Promise<RangeOutcome> {
  const zone = new ZoneClock(task.zone);
  const { parser, fast } = newParsers(zone, new Date(task.now));
  const report = new ReportBuilder(
    task.from,
    task.to,
    task.slowRequestMs,
    workspaceLabel(task.workspace),
    task.now,
  );
  const assembler = new RequestAssembler(report);
  assembler.startFile(task.file);
  assembler.startRange(task.tentativeBefore);
  const context = {
    parser,
    fast,
    assembler,
    stopAfter: task.stopAfter,
    now: task.now,
    lastTime: NaN,
    signal,
    chunkBytes: task.chunkBytes,
  };
  const span = await readSpan(context, {
    file: task.file,
    fd: task.fd,
    gzip: false,
    start: task.start,
    end: task.end,
    firstLine: task.firstLine,
    whileJoinable: true,
    // planCuts cuts no file one pass splits on CR alone: the ranges split on LF, as it does.
    lineFeed: true,
  });
  const read = span.read;
  const processes = assembler.processStates();
  if (
    !span.passedWindow &&
    !assembler.unjoinable &&
    !read.error &&
    !read.shrank &&
    task.limit > task.end &&
    assembler.continuePast()
  ) {
    await readSpan(context, {
      file: task.file,
      fd: task.fd,
      gzip: false,
      start: task.end,
      end: Math.min(task.limit, task.end + CLAIM_BYTES),
      firstLine: task.firstLine ? task.firstLine + read.lines : 0,
      whileRangeOpen: true,
      whileJoinable: true,
      lineFeed: true,
      until: context.lastTime + CLAIM_MS,
    });
  }
  const openIds = assembler.openIds();
  const recentIds = assembler.recentIds();
  assembler.finish();
  const unjoinable = assembler.unjoinable;
  return {
    report: report.snapshot(),
    counts: { ...assembler.counts },
    tentative: unjoinable ? [] : assembler.tentative,
    claims: assembler.claims,
    openIds,
    recentIds,
    processes,
    unjoinable,
    lines: read.lines,
    bytesRead: read.bytesRead,
    invalidUtf8Lines: read.invalidUtf8Lines,
    cutLines: read.cutLines,
    unparsedLines: span.unparsedLines,
    error: read.error,
    shrank: read.shrank,
    passedWindow: span.passedWindow,
  };
}

/** How many ranges to read a span of `bytes` in: 1 means on this thread. */
function rangeCount(bytes: number): number {
  const threads = Math.min(MAX_WORKERS, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(threads, Math.floor(bytes / MIN_RANGE_BYTES)));
}

/**
 * Offsets to cut `[start, end)` at into `count` ranges, each before a line the parser reads
 * with a time and a process (a Logger::Formatter line), so that the line before a cut never
 * continues into the range after it. Fewer cuts where no such line is near, and none when one
 * pass would split the file on CR alone: it decides by its first chunk (no LF, some CR), while
 * ranges, which begin after an LF, would each decide by their own.
 */
async function planCuts(
  fd: number,
  start: number,
  end: number,
  count: number,
  firstChunkBytes: number,
  parser: LineParser,
): Promise<number[]> {
  const cuts = [start];
  const first = Buffer.alloc(firstChunkBytes);
  const chunk = first.subarray(0, await readAt(fd, first, firstChunkBytes, start));
  if (chunk.indexOf(10) < 0 && chunk.indexOf(13) >= 0) return cuts;

  const buffer = Buffer.alloc(CUT_SEARCH_BYTES);
  for (let k = 1; k < count; k++) {
    const target = start + Math.floor(((end - start) * k) / count);
    if (target <= cuts[cuts.length - 1]) continue;
    const bytesRead = await readAt(fd, buffer, buffer.length, target);
    let at = buffer.indexOf(10) + 1;
    parser.forgetSplits();
    const firstEnd = at > 0 ? buffer.indexOf(10, at) : -1;
    const first = firstEnd > 0 ? buffer.toString('utf8', at, Math.min(firstEnd, at + 64)) : '';
    if (isContainerRecord(first)) {
      const last = cuts[cuts.length - 1];
      const from = Math.max(last, target - SPLIT_LOOKBACK_BYTES);
      await readSplitsBefore(fd, parser, from, target + at, from === last, target);
    }
    // The first line that may begin a range; better one that begins a request (or belongs to
    // one by id), so that no request of a process runs across the cut (see processStates).
    let fallback = -1;
    let chosen = -1;
    while (at > 0 && at < bytesRead) {
      const newline = buffer.indexOf(10, at);
      if (newline < 0 || newline >= bytesRead) break;
      const line = parser.parse(buffer.toString('utf8', at, newline), 0, at);
      // A line a container runtime split begins at its first piece; no range may begin
      // while a line of the other stream is split open.
      const split = parser.splitStart;
      const begin = split ? split.offset : at;
      const whole = begin >= 0 && !parser.piece && !parser.insideSplit && (!split || split.alone);
      if (whole && line.pid !== undefined && !Number.isNaN(line.time) && line.kind !== 'request') {
        if (fallback < 0) fallback = begin;
        const begins =
          (line.requestId !== undefined && !line.job) ||
          line.kind === 'started' ||
          (line.kind === 'completed' && line.method !== undefined);
        if (begins) {
          chosen = begin;
          break;
        }
      }
      at = newline + 1;
    }
    const pick = chosen >= 0 ? chosen : fallback;
    if (pick >= 0 && target + pick < end) cuts.push(target + pick);
  }
  return cuts;
}

/**
 * Parses the lines of `[from, to)` (`from` a line start when `lineStart`), for the pieces of the
 * lines a container runtime split and had not ended at `to`: a range must not begin before
 * their last piece, though the first record after `to` is a whole line of the other stream.
 * Offsets are given from `base`, so that a line begun here is told apart by its negative one.
 */
async function readSplitsBefore(
  fd: number,
  parser: LineParser,
  from: number,
  to: number,
  lineStart: boolean,
  base: number,
): Promise<void> {
  const before = Buffer.alloc(to - from);
  const bytesRead = await readAt(fd, before, before.length, from);
  let at = lineStart ? 0 : before.indexOf(10) + 1;
  if (at === 0 && !lineStart) return;
  while (at < bytesRead) {
    const newline = before.indexOf(10, at);
    if (newline < 0 || newline >= bytesRead) break;
    parser.parse(before.toString('utf8', at, newline), 0, from + at - base);
    at = newline + 1;
  }
}

export interface ParallelOptions {
  file: string;
  /** The file already open (see RangeTask.fd); else it is opened here and closed after. */
  fd?: number;
  start: number;
  end: number;
  /** 1 when lines are numbered from the start of the file, 0 when unknown (after a seek). */
  firstLine: number;
  zone: ZoneClock;
  now: Date;
  from: number;
  to: number;
  slowRequestMs: number;
  stopAfter: number;
  workspace: string;
  signal?: AbortSignal;
  log?: Logger;
  /** @internal Tests: this many ranges whatever the size, maybe read on this thread in turn. */
  ranges?: number;
  /** @internal Tests: a worker heap too small to finish, to see the one-thread fallback. */
  workerOldHeapMb?: number;
  inProcess?: boolean;
  chunkBytes?: number;
  /** @internal Tests: runs after the cuts are planned, before any range is read. */
  afterCuts?: () => Promise<void>;
}

export interface ParallelRead {
  lines: number;
  bytesRead: number;
  invalidUtf8Lines: number;
  cutLines: number;
  unparsedLines: number;
  ranges: number;
  /** A range stopped at a line past the window's end. */
  passedWindow: boolean;
}

/**
 * Reads the file in ranges and joins them into `report` and `assembler`; undefined when the
 * file is not worth it or not joinable exactly (nothing was added then: read it serially).
 */
export async function readInRanges(
  options: ParallelOptions,
  report: ReportBuilder,
  assembler: RequestAssembler,
): Promise<ParallelRead | undefined> {
  const bytes = options.end - options.start;
  const count = options.ranges ?? rangeCount(bytes);
  if (count < 2) return undefined;
  const script = options.inProcess ? undefined : workerScript();
  if (!options.inProcess && !script) return undefined;
  const opened = options.fd === undefined ? await openRegularFile(options.file) : undefined;
  let outcomes: RangeOutcome[] | undefined;
  try {
    outcomes = await readAllRanges(options, opened?.handle.fd ?? options.fd!, count, script);
  } finally {
    // Only now: every range has read it (a worker stopped early has exited).
    await opened?.handle.close();
  }
  if (!outcomes) return undefined;

  // Ranges after the one that passed the window's end are not read in a serial run either.
  const stop = outcomes.findIndex((o) => o.passedWindow);
  const used = stop < 0 ? outcomes : outcomes.slice(0, stop + 1);
  const refused = unjoinable(used);
  if (refused) {
    options.log?.info(`read ${options.file} on one thread, not in ranges: ${refused}`);
    return undefined;
  }

  const total: ParallelRead = {
    lines: 0,
    bytesRead: 0,
    invalidUtf8Lines: 0,
    cutLines: 0,
    unparsedLines: 0,
    ranges: used.length,
    passedWindow: stop >= 0,
  };
  // Every line a range finished past its end: a later range may hold it as a tentative start.
  const claimed = new Set<number>();
  for (const outcome of used) {
    // Lines were numbered from 1 in each range: shift them to the file's numbering.
    const shift = options.firstLine ? total.lines : 0;
    if (shift) {
      shiftLines([outcome.report, outcome.tentative], shift);
    }
    report.absorb(outcome.report);
    assembler.addCounts(outcome.counts);
    for (const record of outcome.tentative) {
      if (!claimed.has(record.offset)) assembler.adopt(record);
    }
    for (const offset of outcome.claims) claimed.add(offset);
    total.lines += outcome.lines;
    total.bytesRead += outcome.bytesRead;
    total.invalidUtf8Lines += outcome.invalidUtf8Lines;
    total.cutLines += outcome.cutLines;
    total.unparsedLines += outcome.unparsedLines;
  }
  return total;
}

/**
 * Plans the cuts of the open file `fd` and reads each range (on worker threads unless no
 * `script`); undefined when there is one range only. Settles only once no range reads `fd`.
 */
async function readAllRanges(
  options: ParallelOptions,
  fd: number,
  count: number,
  script: WorkerScript | undefined,
): Promise<RangeOutcome[] | undefined> {
  const cuts = await planCuts(
    fd,
    options.start,
    options.end,
    count,
    options.chunkBytes ?? CHUNK_BYTES,
    new LineParser(options.zone, options.now),
  );
  if (cuts.length < 2) return undefined;
  await options.afterCuts?.();
  const tasks: RangeTask[] = cuts.map((start, k) => ({
    file: options.file,
    fd,
    start,
    end: k + 1 < cuts.length ? cuts[k + 1] : options.end,
    limit: options.end,
    tentativeBefore: k === 0 ? -1 : start + CLAIM_BYTES,
    firstLine: options.firstLine,
    zone: options.zone.zone,
    now: options.now.getTime(),
    from: options.from,
    to: options.to,
    slowRequestMs: options.slowRequestMs,
    stopAfter: options.stopAfter,
    workspace: options.workspace,
    chunkBytes: options.chunkBytes,
  }));

  let outcomes: RangeOutcome[];
  if (script) {
    // One failed worker stops the others: the caller then reads the file on this thread.
    const local = new AbortController();
    const forward = (): void => local.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forward, { once: true });
    try {
      const heap = options.workerOldHeapMb
        ? { ...WORKER_HEAP, maxOldGenerationSizeMb: options.workerOldHeapMb }
        : WORKER_HEAP;
      const running = tasks.map((task) => inWorker(script, task, heap, local.signal));
      try {
        outcomes = await Promise.all(running);
      } catch (error) {
        // The file closes after this: no worker may go on reading it.
        local.abort();
        await Promise.allSettled(running);
        throw error;
      }
    } finally {
      options.signal?.removeEventListener('abort', forward);
    }
  } else {
    outcomes = [];
    for (const task of tasks) outcomes.push(await runRange(task, options.signal));
  }
  throwIfAborted(options.signal);
  return outcomes;
}

/** Why the ranges cannot be joined into exactly what one pass gives; undefined when they can. */
function unjoinable(outcomes: RangeOutcome[]): string | undefined {
  const lastState = new Map<string, ProcessEnd>();
  for (const outcome of outcomes) {
    if (outcome.unjoinable) return outcome.unjoinable;
    if (outcome.error) return outcome.error;
    if (outcome.shrank) return 'the file became shorter while it was read';
    // A range began each process fresh: right when the one before left it so, or left only a
    // finished request that the first line here retires (see processStates).
    for (const { key: pid, beganFresh } of outcome.processes) {
      const before = lastState.get(pid);
      if (before === 'open' || (before === 'done' && !beganFresh)) {
        const who = pid === '-' ? 'lines without a process id' : `process ${pid}`;
        return (
          `a request or error without a request id (${who}) ran across a cut; such lines are ` +
          'grouped by process and order, which a range cannot pick up halfway'
        );
      }
    }
    for (const { key, end } of outcome.processes) lastState.set(key, end);
  }
  // A request a range closed incomplete while a later range holds more of its lines: one pass
  // would have finished it (its lines came more than CLAIM_MS later). A request a range
  // completed and let go before a later range's line of it (one the range did not read on to
  // and claim): one pass may still have held it, depending on what came before the range.
  const closed = new Set<string>();
  const recent = new Set<string>();
  const claimed = new Set<number>();
  for (const outcome of outcomes) {
    for (const record of outcome.tentative) {
      const id = record.requestId;
      if (id !== undefined && closed.has(id)) {
        return 'a request went on past the time a range reads on for';
      }
      if (id !== undefined && recent.has(id) && !claimed.has(record.offset)) {
        return 'a line came long after its request completed, near a cut';
      }
    }
    for (const id of outcome.openIds) closed.add(id);
    for (const id of outcome.recentIds) recent.add(id);
    for (const offset of outcome.claims) claimed.add(offset);
  }
  return undefined;
}

/**
 * Adds `shift` to every line number (objects with a numeric line and offset) in `value`, once
 * per object however often it is referenced (a record's last SQL shape is also in its map).
 */
function shiftLines(value: unknown, shift: number, seen = new Set<object>(), depth = 0): void {
  if (!value || typeof value !== 'object' || depth > 12 || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const item of value.values()) shiftLines(item, shift, seen, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) shiftLines(item, shift, seen, depth + 1);
    return;
  }
  const record = value as { line?: unknown; offset?: unknown };
  if (typeof record.line === 'number' && typeof record.offset === 'number' && record.line > 0) {
    record.line += shift;
  }
  for (const item of Object.values(value)) {
    if (item && typeof item === 'object') shiftLines(item, shift, seen, depth + 1);
  }
}

/** How to start a range worker: the bundled script next to this code, or the source. */
interface WorkerScript {
  code: string;
  eval: boolean;
}

function workerScript(): WorkerScript | undefined {
  const bundled = path.join(__dirname, 'logWorker.js');
  if (existsSync(bundled)) return { code: bundled, eval: false };
  // Run from source (the tests): a worker does not inherit tsx's loader for a .ts entry
  // (privatenumber/tsx#354), so it registers tsx itself first.
  const source = path.join(__dirname, 'logWorker.ts');
  if (!existsSync(source)) return undefined;
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
  return {
    code: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`,
    eval: true,
  };
}

function inWorker(
  script: WorkerScript,
  task: RangeTask,
  heap: typeof WORKER_HEAP,
  signal?: AbortSignal,
): Promise<RangeOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script.code, {
      workerData: task,
      eval: script.eval,
      resourceLimits: heap,
    });
    let settled = false;
    const onAbort = (): void => {
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (error: Error | undefined, outcome?: RangeOutcome): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(outcome!);
    };
    worker.once('message', (message: { outcome?: RangeOutcome; error?: string }) => {
      if (message.outcome) settle(undefined, message.outcome);
      else settle(new Error(message.error ?? 'the log worker failed'));
    });
    worker.once('error', (error) => settle(error));
    worker.once('exit', (code) => {
      settle(signal?.aborted ? signal.reason : new Error(`the log worker stopped (${code})`));
    });
  });
}
