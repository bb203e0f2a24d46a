/**
 * The log engine's entry point: reads the log sources as one timeline, assembles requests and
 * returns the summary the checks, the dashboard and `upkeep logs` show.
 */
import type { FileHandle } from 'node:fs/promises';
import { addAbortSignal, Readable } from 'node:stream';
import type { Clock } from '../util/clock';
import type { Surface } from '../db/connection';
import { fileErrorReason, throwIfAborted } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { NotRegularFileError, openRegularFile, type RegularFile } from '../util/textFile';
import { plural } from '../util/plural';
import { ReportBuilder } from './report';
import { RequestAssembler } from './requestAssembler';
import {
  PARALLEL_MIN_BYTES,
  readInRanges,
  STDIN_SOURCE,
  workspaceLabel,
  type ParallelOptions,
  type ParallelRead,
} from './parallel';
import { resolveSources, unrotatedName, type ResolvedFile } from './sources';
import { ChangedAfterCheckError, isOpenedInside } from '../util/confinedOpen';
import { newParsers, readSpan, type Span, type SpanRead } from './spanReader';
import type { LogSummary, LogWindow, SourceReport } from './summaryTypes';
import { checkTimeZone, machineTimeZone } from '../util/timeZone';
import { ZoneClock } from './timestamps';
import { inTimeOrder, seekToTime } from './window';
import { GzipDataError, gunzipMembers, isGzip, StreamInput } from './gzipMembers';

export type { LogSummary, LogWindow } from './summaryTypes';
export { STDIN_SOURCE } from './parallel';
export { parseWindow } from './window';

export interface SummarizeOptions {
  workspace: string;
  /** Files or globs, workspace-relative or absolute. */
  sources: string[];
  window?: LogWindow;
  /**
   * Read only files inside the workspace (after resolving links): set in an untrusted
   * workspace, whose settings could name any file on the machine.
   */
  confineToWorkspace?: boolean;
  /** IANA zone for timestamps without an offset; this machine's zone when unset. */
  timeZone?: string;
  /** A request at least this slow counts as slow (default 1000 ms). */
  slowRequestMs?: number;
  clock: Clock;
  /**
   * What the source `-` reads (the CLI's standard input), after the files, to its end. Without
   * it `-` is a source that cannot be read.
   */
  stdin?: AsyncIterable<Buffer>;
  signal?: AbortSignal;
  log?: Logger;
  /** Where the summary's messages are read, so their hints name what works there; default `any`. */
  surface?: Surface;
  /** The sources are files the user named (`upkeep logs FILE`): see ResolveOptions.named. */
  namedSources?: boolean;
  /** @internal Tests change files between chunks with this. */
  afterChunk?: () => Promise<void>;
  /** @internal Tests: runs after a file's first bytes were looked at, before the rest. */
  afterProbe?: () => Promise<void>;
  /** @internal Tests: runs after the sources were resolved (and checked), before any is opened. */
  afterResolve?: () => Promise<void>;
  /** @internal Smaller chunks make those tests precise. */
  chunkBytes?: number;
  /** @internal Tests: false reads on one thread; else smaller ranges, maybe on this thread. */
  parallel?:
    | false
    | {
        ranges?: number;
        inProcess?: boolean;
        workerOldHeapMb?: number;
        afterCuts?: () => Promise<void>;
      };
}

/** Files smaller than this are read whole: seeking would not save anything. */
const SEEK_MIN_BYTES = 8 * 1024 * 1024;
/** Read this much before a window's start, for lines a little out of order. */
const SEEK_MARGIN_MS = 5 * 60_000;
/** Stop reading a large file (skim a .gz) this long after the window's end. */
const STOP_MARGIN_MS = 60 * 60_000;
/** Where a log summary's zone is set, for a name that is no zone: the editor has no flag. */
function zoneHint(surface: Surface = 'any'): string {
  const where =
    surface === 'editor' ? 'upkeep.logs.timeZone' : 'upkeep.logs.timeZone or --time-zone';
  return `Use an IANA name such as Europe/Berlin or UTC in ${where}.`;
}
/** A request at least this slow counts as slow when the caller gives no threshold. */
const DEFAULT_SLOW_REQUEST_MS = 1000;

export async function summarizeLogs(options: SummarizeOptions): Promise<LogSummary> {
  const log = options.log ?? silentLogger;
  const started = Date.now();
  const run = new SummaryRun(options, log);
  const wantsStdin = options.sources.includes(STDIN_SOURCE);
  const patterns = options.sources.filter((source) => source !== STDIN_SOURCE);
  const { files, missing, warnings } = await resolveSources(options.workspace, patterns, {
    confineToWorkspace: options.confineToWorkspace,
    signal: options.signal,
    surface: options.surface,
    named: options.namedSources,
  });
  await options.afterResolve?.();
  for (const warning of warnings) run.report.warn(warning);
  for (const m of missing) {
    run.sources.push({
      pattern: m.pattern,
      bytes: 0,
      bytesRead: 0,
      lines: 0,
      gzip: false,
      ...(m.missing ? { missing: true } : {}),
      error: m.message,
    });
  }
  for (const file of files) {
    throwIfAborted(options.signal);
    // Ranges begin and end with nothing open, so only a file read alone: with rotated logs,
    // one file may finish the requests another began.
    await run.readFile(file, files.length === 1);
  }
  if (wantsStdin) await run.readStdin();
  const summary = run.finish();
  const read = [
    ...(files.length || !wantsStdin ? [plural(files.length, 'file')] : []),
    ...(wantsStdin ? ['standard input'] : []),
  ].join(' and ');
  log.info(
    `read ${read}, ${summary.assembly.linesRead} lines, ` +
      `${summary.requests.total} requests (${summary.window.label}) in ${Date.now() - started} ms`,
  );
  return summary;
}

/** One summary in the making: the parsers, the report, and what the sources read gave. */
class SummaryRun {
  readonly report: ReportBuilder;
  readonly sources: SourceReport[] = [];
  private readonly assembler: RequestAssembler;
  private readonly zoneName: string;
  private readonly zone: ZoneClock;
  private readonly parsers: ReturnType<typeof newParsers>;
  private readonly window: LogWindow;
  private readonly from: number;
  private readonly to: number;
  private readonly slowRequestMs: number;
  private readonly label: (absolute: string) => string;
  private linesRead = 0;
  /** The file read last, whose split lines the next may end (see continuesRotation). */
  private lastFile: string | undefined;
  private invalidUtf8Lines = 0;
  private unparsedLines = 0;
  /** A large file's read stopped at a line past the window's end (see STOP_MARGIN_MS). */
  private passedWindow = false;

  constructor(
    private readonly options: SummarizeOptions,
    private readonly log: Logger,
  ) {
    this.zoneName = options.timeZone
      ? checkTimeZone(options.timeZone, zoneHint(options.surface))
      : machineTimeZone();
    this.zone = new ZoneClock(this.zoneName);
    this.parsers = newParsers(this.zone, options.clock.now());
    this.window = options.window ?? { label: 'all' };
    this.from = this.window.from ? this.window.from.getTime() : NaN;
    this.to = this.window.to ? this.window.to.getTime() : NaN;
    this.slowRequestMs = options.slowRequestMs ?? DEFAULT_SLOW_REQUEST_MS;
    this.label = workspaceLabel(options.workspace);
    this.report = new ReportBuilder(
      this.from,
      this.to,
      this.slowRequestMs,
      this.label,
      options.clock.now().getTime(),
    );
    this.assembler = new RequestAssembler(this.report);
  }

  /**
   * A span read on this thread, with the time rules and hooks of this summary; a .gz is
   * skimmed after the window while its lines go forward (see SpanContext.stopInOrderMs).
   */
  private readHere(stopAfter: number, span: Span): Promise<SpanRead> {
    const { signal, afterChunk, chunkBytes } = this.options;
    return readSpan(
      {
        ...this.parsers,
        assembler: this.assembler,
        stopAfter,
        stopInOrderMs: span.gzip ? SEEK_MARGIN_MS : undefined,
        now: this.options.clock.now().getTime(),
        lastTime: NaN,
        signal,
        afterChunk,
        chunkBytes,
      },
      span,
    );
  }

  /** One file: only its part in the window when it is large, on worker threads when it can. */
  async readFile(file: ResolvedFile, alone: boolean): Promise<void> {
    const { options, report, from, to } = this;
    const source: SourceReport = {
      pattern: file.pattern,
      path: file.path,
      bytes: file.size,
      modifiedAt: new Date(file.mtimeMs).toISOString(),
      bytesRead: 0,
      lines: 0,
      gzip: file.gzip,
    };
    this.sources.push(source);
    // A file last changed before the window began holds nothing in it.
    if (!Number.isNaN(from) && file.mtimeMs < from - SEEK_MARGIN_MS) {
      source.skipped = true;
      return;
    }
    const name = this.label(file.path);
    let opened: RegularFile | undefined;
    try {
      // Opened once for every step: the look at its first bytes, the order probes, the seek,
      // the ranges and the one-thread read. A FIFO, a device or a link put at its name since
      // (logrotate, a hostile repo) is refused here or changes nothing after.
      opened = await openRegularFile(file.path);
      const { handle } = opened;
      // Checked inside the workspace by name, opened by name since: a link put in between is
      // refused before a byte of what it leads to is read.
      if (file.confinedTo && !(await isOpenedInside(opened, file, file.confinedTo))) {
        const next = `Summarise the logs again; if this repeats, look at what replaces ${name}.`;
        throw new ChangedAfterCheckError(name, 'log files', next);
      }
      const known = await binaryLogHint(handle, file.path, name, options.surface);
      // gzip by its bytes, not its name: a .gz may be plain text, a rotated log gzip unnamed.
      const probe = known ? undefined : await probeFile(handle, file.size, options.signal);
      const gzip = probe?.gzip ?? file.gzip;
      source.gzip = gzip;
      const binary =
        known ??
        notTextReason(
          probe?.head ?? Buffer.alloc(0),
          name,
          'Name the log file itself, or leave this file out of upkeep.logs.sources.',
        );
      if (binary) {
        source.error = binary;
        report.warn(binary);
        return;
      }
      await options.afterProbe?.();
      // A large file is read only around the window, when its times go forward; a .gz, which
      // no probe can judge unread, is skimmed after the window while its lines go forward.
      const { parser } = this.parsers;
      const large = file.size >= SEEK_MIN_BYTES;
      const windowed = !Number.isNaN(from) || !Number.isNaN(to);
      const ordered =
        !large ||
        !windowed ||
        gzip ||
        (await inTimeOrder(handle, file.size, SEEK_MARGIN_MS, parser));
      if (!ordered) {
        this.log.info(`read ${name} whole: its times go back (one log after another?)`);
      }
      let start = 0;
      if (!Number.isNaN(from) && !gzip && large && ordered) {
        start = await seekToTime(handle, file.size, from - SEEK_MARGIN_MS, parser);
        source.seeked = start > 0;
      }
      const stopAfter =
        !Number.isNaN(to) && ((large && ordered) || gzip) ? to + STOP_MARGIN_MS : NaN;
      // A line a container runtime split open at the end of the last file goes on here only
      // when this is the same log after its rotation; another container's first line is its own.
      if (!continuesRotation(this.lastFile, file.path)) this.parsers.parser.forgetSplits();
      this.lastFile = file.path;
      this.assembler.startFile(file.path);
      const firstLine = start === 0 ? 1 : 0;
      const fd = handle.fd;
      const inRanges =
        options.parallel !== false && alone && !gzip && !options.afterChunk
          ? await readInRangesSafely(
              {
                file: file.path,
                fd,
                start,
                end: file.size,
                firstLine,
                zone: this.zone,
                now: options.clock.now(),
                from,
                to,
                slowRequestMs: this.slowRequestMs,
                stopAfter,
                workspace: options.workspace,
                signal: options.signal,
                chunkBytes: options.chunkBytes,
                log: this.log,
                ...options.parallel,
              },
              report,
              this.assembler,
              this.log,
            )
          : undefined;
      if (inRanges) {
        source.bytesRead = inRanges.bytesRead;
        source.lines = inRanges.lines;
        this.invalidUtf8Lines += inRanges.invalidUtf8Lines;
        this.linesRead += inRanges.lines;
        this.unparsedLines += inRanges.unparsedLines;
        if (inRanges.passedWindow) this.passedWindow = true;
        if (inRanges.cutLines) report.warn(cutLinesWarning(name, inRanges.cutLines));
        return;
      }
      const span = await this.readHere(stopAfter, {
        file: file.path,
        fd,
        gzip,
        start,
        end: file.size,
        firstLine,
      });
      this.noteRead(source, span, name);
      if (span.passedWindow) this.passedWindow = true;
    } catch (error) {
      throwIfAborted(options.signal);
      source.error = readError(name, error);
      report.warn(source.error);
    } finally {
      await opened?.handle.close();
    }
  }

  /** Standard input as the source `-`, after the files: no size, so no seek and no ranges. */
  async readStdin(): Promise<void> {
    const { options, report } = this;
    const source: SourceReport = {
      pattern: STDIN_SOURCE,
      path: STDIN_SOURCE,
      stdin: true,
      bytes: 0,
      bytesRead: 0,
      lines: 0,
      gzip: false,
    };
    this.sources.push(source);
    if (!options.stdin) {
      source.error = 'Standard input (-) is read by upkeep logs only; name a log file instead.';
      report.warn(source.error);
      return;
    }
    // An abort ends a wait for input at once (the CLI's Ctrl-C, SIGTERM).
    if (options.signal && options.stdin instanceof Readable) {
      addAbortSignal(options.signal, options.stdin);
    }
    let chunks = options.stdin[Symbol.asyncIterator]();
    // The first block, to tell gzip and bytes that are no text from a log.
    const headOf = (stream: AsyncIterator<Buffer>): Promise<Head> =>
      firstBytes(stream, TEXT_PROBE_BYTES).catch((error: unknown) => {
        throwIfAborted(options.signal);
        throw error;
      });
    let head = await headOf(chunks);
    // gzip is read member by member as a .gz file is; its first decompressed bytes are judged.
    const facts = { trailingBytes: 0 };
    let compressed: StreamInput | undefined;
    if (!head.first.done && isGzip(head.first.value)) {
      source.gzip = true;
      compressed = new StreamInput(resumed(head, chunks)[Symbol.asyncIterator]());
      chunks = gunzipMembers(compressed, Infinity, facts, options.signal);
      head = await headOf(chunks);
    }
    const { first } = head;
    const binary = first.done
      ? undefined
      : notTextReason(first.value, 'Standard input', 'Pipe the log itself into upkeep logs -.');
    if (binary) {
      source.error = binary;
      report.warn(binary);
      return;
    }
    this.parsers.parser.forgetSplits();
    this.assembler.startFile(STDIN_SOURCE);
    const span = await this.readHere(NaN, {
      file: STDIN_SOURCE,
      gzip: false,
      start: 0,
      end: Infinity,
      firstLine: 1,
      stream: resumed(head, chunks),
    });
    if (facts.trailingBytes) span.read.trailingBytes = facts.trailingBytes;
    this.noteRead(source, span, 'standard input');
    source.bytes = compressed?.bytes ?? source.bytesRead;
    if (source.bytes === 0 && !source.error) {
      // Nothing to summarize is no quiet log: a cron line must see the command before | failed.
      source.error = 'Standard input was empty: did the command before | fail?';
      report.warn(source.error);
    }
  }

  /** Adds what one read of a source (`name` in messages) gave, and says what went wrong. */
  private noteRead(source: SourceReport, span: SpanRead, name: string): void {
    const { report } = this;
    const result = span.read;
    this.unparsedLines += span.unparsedLines;
    source.bytesRead = result.bytesRead;
    source.lines = result.lines;
    this.invalidUtf8Lines += result.invalidUtf8Lines;
    this.linesRead += result.lines;
    if (result.cutLines) report.warn(cutLinesWarning(name, result.cutLines));
    if (result.crOnly) {
      report.warn(`${name} ends its lines with CR alone (old Mac style); read it so.`);
    }
    if (result.error) {
      source.error =
        `Could not read all of ${name}: ${result.error}; ` +
        `the summary covers the ${plural(result.lines, 'line')} before that point.`;
      report.warn(source.error);
    }
    if (result.limited) {
      const mb = Math.max(1, Math.round(result.bytesRead / (1024 * 1024)));
      source.warning =
        `${name}: stopped after ${mb} MB decompressed: looks like a compression ` +
        `bomb or an unusually large rotated log; the summary covers the ` +
        `${plural(result.lines, 'line')} read.` +
        ' To read it all, decompress it and pass the plain file.';
      report.warn(source.warning);
    }
    if (result.trailingBytes) {
      const one = result.trailingBytes === 1;
      source.warning =
        `${name}: the ${plural(result.trailingBytes, 'byte')} after its last gzip member ` +
        `${one ? 'is' : 'are'} not gzip data and ${one ? 'was' : 'were'} ignored, as gzip does.`;
      report.warn(source.warning);
    }
    if (result.shrank) {
      report.warn(
        `${name} became shorter while it was read (truncated or replaced); ` +
          `the summary covers the ${result.bytesRead} bytes read.`,
      );
    }
  }

  /** Closes what is still open, says what the reader worked around, and builds the summary. */
  finish(): LogSummary {
    const { options, report, assembler, window } = this;
    assembler.finish();
    this.warnAboutReading();
    const { zoneCounts, ...figures } = report.build();
    const zoneSource = options.timeZone ? 'configured' : 'machine';
    return {
      schema: 1,
      generatedAt: options.clock.now().toISOString(),
      sources: this.sources.map((s) => (s.path ? { ...s, path: this.label(s.path) } : s)),
      timeZone: {
        zone: this.zoneName,
        source: zoneSource,
        explicitOffsets: zoneCounts.explicitOffsets,
        zoneApplied: zoneCounts.zoneApplied,
        note: zoneNote(
          this.zoneName,
          zoneSource,
          zoneCounts.explicitOffsets,
          zoneCounts.zoneApplied,
          window.from !== undefined,
        ),
      },
      window: {
        from: window.from ? window.from.toISOString() : null,
        to: window.to ? window.to.toISOString() : null,
        label: window.label,
      },
      ...figures,
      assembly: {
        ...assembler.counts,
        linesRead: this.linesRead,
        outsideWindow: report.outsideWindow,
      },
    };
  }

  private warnAboutReading(): void {
    const { report } = this;
    if (this.invalidUtf8Lines) {
      report.warn(
        `${plural(this.invalidUtf8Lines, 'line')} held bytes that are not UTF-8; ` +
          'they were read with � in their place.',
      );
    }
    if (this.unparsedLines) {
      const were = this.unparsedLines === 1 ? 'was' : 'were';
      report.warn(`${plural(this.unparsedLines, 'line')} could not be parsed and ${were} skipped.`);
    }
    const counts = this.assembler.counts;
    if (this.linesRead > 0 && counts.byRequestId + counts.byProcess + counts.singleLine === 0) {
      // A log that begins after the window (yesterday's window on a log rotated at midnight)
      // is read to its first line only: that says nothing of what kind of log it is.
      report.warn(
        this.passedWindow
          ? "No Rails request lines were found up to the window's end; reading stopped an " +
              'hour past it.'
          : 'No Rails request lines were found: is this a Rails log? ' +
              '(Looked for Started/Processing/Completed and lograge lines.)',
      );
    }
    if (report.untimedOutside > 0) {
      const one = report.untimedOutside === 1;
      report.warn(
        `${plural(report.untimedOutside, 'request')} ${one ? 'carries' : 'carry'} no timestamp ` +
          `and ${one ? 'was' : 'were'} left out of the window; ` +
          "add a timestamp to the log format (for example lograge's time field).",
      );
    }
    if (report.untimedInside > 0) {
      const one = report.untimedInside === 1;
      report.warn(
        `${plural(report.untimedInside, 'request')} ${one ? 'carries' : 'carry'} no timestamp: ` +
          `${one ? 'it counts' : 'they count'} in the totals but in no hour and no window; ` +
          "add a timestamp to the log format (for example lograge's time field).",
      );
    }
    if (this.options.sources.length === 0) {
      report.warn('No log sources are configured (upkeep.logs.sources).');
    }
  }
}

/** The first bytes of a stream (see firstBytes), and the gzip error that cut them short. */
interface Head {
  first: IteratorResult<Buffer>;
  failure?: GzipDataError;
}

/**
 * The first chunk of a stream, joined with the next ones until it holds `bytes` bytes or the
 * stream ends: a slow pipe may hand over gzip's two magic bytes one at a time. Gzip damaged
 * within them keeps what came before, and its error for the read to say (see resumed).
 */
async function firstBytes(chunks: AsyncIterator<Buffer>, bytes: number): Promise<Head> {
  const parts: Buffer[] = [];
  let length = 0;
  let failure: GzipDataError | undefined;
  try {
    while (length < bytes) {
      const next = await chunks.next();
      if (next.done) break;
      parts.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    if (!(error instanceof GzipDataError)) throw error;
    failure = error;
  }
  if (parts.length === 0 && !failure) return { first: { done: true, value: undefined } };
  const value = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return { first: { done: false, value }, failure };
}

/** The rest of a stream whose first bytes were taken: those, then the others (or the error). */
async function* resumed(
  { first, failure }: Head,
  rest: AsyncIterator<Buffer>,
): AsyncIterable<Buffer> {
  if (first.done) return;
  if (first.value.length) yield first.value;
  if (failure) throw failure;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function cutLinesWarning(file: string, lines: number): string {
  return (
    `${file}: ${plural(lines, 'line')} longer than 272 KB ` +
    `${lines === 1 ? 'was read by its' : 'were read by their'} first 256 KB and last 16 KB.`
  );
}

/**
 * Reads a large file on worker threads when it can (parallel.ts); undefined means read it on
 * this thread. A worker that fails costs time, never the summary.
 */
async function readInRangesSafely(
  options: ParallelOptions,
  report: ReportBuilder,
  assembler: RequestAssembler,
  log: Logger,
): Promise<ParallelRead | undefined> {
  if (!options.ranges && options.end - options.start < PARALLEL_MIN_BYTES) {
    return undefined;
  }
  try {
    const read = await readInRanges(options, report, assembler);
    if (read) log.info(`read ${options.file} in ${read.ranges} ranges on worker threads`);
    return read;
  } catch (error) {
    throwIfAborted(options.signal);
    log.warn(
      `reading ${options.file} on worker threads failed (${String(error)}); reading it on one`,
    );
    return undefined;
  }
}

function zoneNote(
  zone: string,
  source: 'configured' | 'machine',
  explicit: number,
  applied: number,
  windowed: boolean,
): string {
  const where = source === 'configured' ? 'the configured zone' : "this machine's zone";
  if (applied === 0 && explicit === 0) {
    // The counts are of the window's requests: the entries before it had their times read.
    const read = windowed ? 'No request time in this window' : 'No timestamps read';
    return `${read}; times without an offset would be read in ${zone} (${where}).`;
  }
  if (applied === 0) return `Every request time carried its own offset and was read as written.`;
  const were = applied === 1 ? 'was' : 'were';
  const tail = `${were} read in ${zone} (${where}).`;
  // "1 had none" opens the note when no time had one: it names the times then.
  if (explicit === 0) return `${plural(applied, 'request time')} had no offset and ${tail}`;
  return (
    `${plural(explicit, 'request time')} carried an offset and ` +
    `${explicit === 1 ? 'was' : 'were'} read as written; ${applied} had none and ${tail}`
  );
}

/**
 * Whether `next` is the log `previous` was rotated from (`<id>-json.log.1`, then
 * `<id>-json.log`, or a dateext `-20261204` before it): the runtime or logrotate may rotate
 * between the pieces of a line.
 */
function continuesRotation(previous: string | undefined, next: string): boolean {
  return previous !== undefined && unrotatedName(previous) === unrotatedName(next);
}

/** Why a listed log file could not be read, and what to do about it. */
function readError(name: string, error: unknown): string {
  if (error instanceof ChangedAfterCheckError) return error.message;
  // The sources were regular files when listed: a pipe or device put in one's place since is
  // refused when opened, never waited on.
  if (error instanceof NotRegularFileError) {
    return (
      `Could not read ${name}: it is not a regular file any more (a pipe, device or folder ` +
      'took its place); Upkeep reads log files only.'
    );
  }
  const reason = fileErrorReason(error);
  return reason === 'permission denied'
    ? `Could not read ${name}: permission denied; run Upkeep as a user who ` +
        "may read it (often the app's user or its group)."
    : `Could not read ${name}: ${reason}`;
}

/** How much of a file is looked at before it is read as a log (see notTextReason). */
const TEXT_PROBE_BYTES = 4096;

/** At most this much of a gzip file is read for its first decompressed bytes. */
const PROBE_GZIP_BYTES = 1024 * 1024;

/** What a file that is no text log often is, by its first bytes, to name it in the warning. */
const KNOWN_BINARY: [RegExp, string][] = [
  [/^PGDMP/, 'a pg_dump custom-format dump'],
  [/^\x89PNG\r\n\x1a\n/, 'a PNG image'],
  [/^\x7fELF/, 'a program (ELF)'],
  [/^PK\x03\x04/, 'a zip archive'],
  [/^SQLite format 3\0/, 'an SQLite database'],
  // Inside a .gz: compressed twice.
  [/^\x1f\x8b/, 'gzip-compressed data (compressed twice?)'],
];

/**
 * The first TEXT_PROBE_BYTES of the open file `handle` as a log's text, for notTextReason, and
 * whether it is gzip (then they are its first decompressed bytes): read as lines, a file that
 * is no text log (a dump, an image, a program named by mistake or matched by a glob) gave an
 * empty log and no word. A damaged archive gives what came before the damage: its read says
 * the rest.
 */
async function probeFile(
  handle: FileHandle,
  size: number,
  signal: AbortSignal | undefined,
): Promise<{ gzip: boolean; head: Buffer }> {
  const start = Buffer.alloc(TEXT_PROBE_BYTES);
  const { bytesRead } = await handle.read(start, 0, TEXT_PROBE_BYTES, 0);
  const head = start.subarray(0, bytesRead);
  if (!isGzip(head)) return { gzip: false, head };
  const parts: Buffer[] = [];
  let length = 0;
  try {
    // Members that hold nothing before the text would have the probe read the whole file.
    const end = Math.min(size, PROBE_GZIP_BYTES);
    for await (const chunk of gunzipMembers(handle, end, { trailingBytes: 0 }, signal)) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= TEXT_PROBE_BYTES) break;
    }
  } catch (error) {
    if (!(error instanceof GzipDataError)) throw error;
  }
  return { gzip: true, head: Buffer.concat(parts).subarray(0, TEXT_PROBE_BYTES) };
}

/**
 * A NUL run this long is a hole, not binary data: a file system after a crash leaves blocks of
 * them in a log (and a `copytruncate` one at its start), with the lines around them intact.
 */
const HOLE_BYTES = 16;
/** Share of the first block in stray control bytes past which a file is binary, not a log. */
const BINARY_SHARE = 0.05;

/**
 * Why the first bytes of `name` are no text log (see probeFile), then `advice`: a known
 * binary format by its first bytes, or stray NUL and control bytes in more than 5 % of them.
 * A log corrupted here and there (a crash's NUL block, a stray byte) is still read: the line
 * parser takes such lines, and one stray NUL refused the whole log.
 */
function notTextReason(head: Buffer, name: string, advice: string): string | undefined {
  const block = head.subarray(0, TEXT_PROBE_BYTES);
  let start = 0;
  while (start < block.length && block[start] === 0) start++;
  const rest = block.subarray(start);
  const kind = KNOWN_BINARY.find(([magic]) => magic.test(rest.toString('latin1')))?.[1];
  let stray = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === 0) {
      let end = i;
      while (end < rest.length && rest[end] === 0) end++;
      if (end - i < HOLE_BYTES) stray += end - i;
      i = end - 1;
    } else if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 127) {
      stray++;
    }
  }
  if (!kind && stray <= BINARY_SHARE * rest.length) return undefined;
  return (
    `${name} does not look like a text log: ` +
    (kind
      ? `it starts as ${kind}`
      : `${Math.round((100 * stray) / rest.length)} % of its first ` +
        `${TEXT_PROBE_BYTES / 1024} KB are NUL or control bytes`) +
    `, so it was not read. ${advice}`
  );
}

/**
 * Why a file (open as `handle`, named `file`) a maintainer may point at where the logs of an
 * app on STDOUT end up cannot be read as lines, and what to run instead: a systemd journal
 * file, or the file of Docker's local logging driver. Undefined for any other file (only those
 * names are looked at). The CLI reads the tool's output on standard input; the editor reads
 * files only, so there it is written out.
 */
async function binaryLogHint(
  handle: FileHandle,
  file: string,
  name: string,
  surface: Surface = 'any',
): Promise<string | undefined> {
  // Docker prints the app's STDERR on its own: `2>&1` after the file, before the pipe.
  const into = (command: string, text: string, stderr = ''): string =>
    surface === 'editor'
      ? `${command} > ${text}${stderr}, and add ${text} to upkeep.logs.sources`
      : `${command}${stderr} | upkeep logs -`;
  if (/\.journal~?$/.test(file)) {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    if (head.toString('latin1') !== 'LPKSHHRH') return undefined;
    return (
      `${name} is a systemd journal file, which is binary: read it through journalctl, ` +
      `for example ${into(`journalctl --file ${file} -o short-iso`, 'log/journal.log')}`
    );
  }
  if (/[\\/]local-logs[\\/]container\.log(?:\.\d+)?(?:\.gz)?$/.test(file)) {
    return (
      `${name} is kept by Docker's local logging driver, which is binary: read it through ` +
      `docker logs, for example ${into('docker logs -t CONTAINER', 'log/docker.log', ' 2>&1')}`
    );
  }
  return undefined;
}
