/**
 * The log engine's entry point: reads the log sources as one timeline, assembles requests and
 * returns the summary the checks, the dashboard and `upkeep logs` show.
 */
import { addAbortSignal, Readable } from 'node:stream';
import type { Clock } from '../util/clock';
import { fileErrorReason, throwIfAborted } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
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
import { resolveSources } from './sources';
import { newParsers, readSpan, type SpanRead } from './spanReader';
import type { LogSummary, LogWindow, SourceReport } from './summaryTypes';
import { machineTimeZone, validateTimeZone, ZoneClock } from './timestamps';
import { seekToTime } from './window';

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
  /** @internal Tests change files between chunks with this. */
  afterChunk?: () => Promise<void>;
  /** @internal Smaller chunks make those tests precise. */
  chunkBytes?: number;
  /** @internal Tests: false reads on one thread; else smaller ranges, maybe on this thread. */
  parallel?: false | { ranges?: number; inProcess?: boolean; workerOldHeapMb?: number };
}

/** Files smaller than this are read whole: seeking would not save anything. */
const SEEK_MIN_BYTES = 8 * 1024 * 1024;
/** Read this much before a window's start, for lines a little out of order. */
const SEEK_MARGIN_MS = 5 * 60_000;
/** Stop reading a large file this long after the window's end. */
const STOP_MARGIN_MS = 60 * 60_000;

export async function summarizeLogs(options: SummarizeOptions): Promise<LogSummary> {
  const log = options.log ?? silentLogger;
  const started = Date.now();
  const zoneName = options.timeZone ? validateTimeZone(options.timeZone) : machineTimeZone();
  const zone = new ZoneClock(zoneName);
  const { parser, fast } = newParsers(zone, options.clock.now());
  const readHooks = {
    signal: options.signal,
    afterChunk: options.afterChunk,
    chunkBytes: options.chunkBytes,
  };
  const window = options.window ?? { label: 'all' };
  const from = window.from ? window.from.getTime() : NaN;
  const to = window.to ? window.to.getTime() : NaN;
  const slowRequestMs = options.slowRequestMs ?? 1000;

  const label = workspaceLabel(options.workspace);
  const report = new ReportBuilder(from, to, slowRequestMs, label);
  const assembler = new RequestAssembler(report);

  const wantsStdin = options.sources.includes(STDIN_SOURCE);
  const patterns = options.sources.filter((source) => source !== STDIN_SOURCE);
  const { files, missing, warnings } = await resolveSources(options.workspace, patterns, {
    confineToWorkspace: options.confineToWorkspace,
    signal: options.signal,
  });
  for (const warning of warnings) report.warn(warning);
  const sources: SourceReport[] = missing.map((m) => ({
    pattern: m.pattern,
    bytes: 0,
    bytesRead: 0,
    lines: 0,
    gzip: false,
    ...(m.missing ? { missing: true } : {}),
    error: m.message,
  }));
  let linesRead = 0;
  let invalidUtf8Lines = 0;
  let unparsedLines = 0;

  /** Adds what one read of a source (`name` in messages) gave, and says what went wrong. */
  const noteRead = (source: SourceReport, span: SpanRead, name: string): void => {
    const result = span.read;
    unparsedLines += span.unparsedLines;
    source.bytesRead = result.bytesRead;
    source.lines = result.lines;
    invalidUtf8Lines += result.invalidUtf8Lines;
    linesRead += result.lines;
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
    if (result.shrank) {
      report.warn(
        `${name} became shorter while it was read (truncated or replaced); ` +
          `the summary covers the ${result.bytesRead} bytes read.`,
      );
    }
  };

  /** Standard input as the source `-`, after the files: no size, so no seek and no ranges. */
  const readStdin = async (): Promise<void> => {
    const source: SourceReport = {
      pattern: STDIN_SOURCE,
      path: STDIN_SOURCE,
      stdin: true,
      bytes: 0,
      bytesRead: 0,
      lines: 0,
      gzip: false,
    };
    sources.push(source);
    if (!options.stdin) {
      source.error = 'Standard input (-) is read by upkeep logs only; name a log file instead.';
      report.warn(source.error);
      return;
    }
    // An abort ends a wait for input at once (the CLI's Ctrl-C, SIGTERM).
    if (options.signal && options.stdin instanceof Readable) {
      addAbortSignal(options.signal, options.stdin);
    }
    const chunks = options.stdin[Symbol.asyncIterator]();
    const first = await chunks.next().catch((error: unknown) => {
      throwIfAborted(options.signal);
      throw error;
    });
    if (!first.done && first.value[0] === 0x1f && first.value[1] === 0x8b) {
      // Lines of compressed bytes would be noise, summarized as "no Rails request lines".
      source.error =
        'Standard input is gzip-compressed; decompress it on the way ' +
        '(zcat FILE.gz | upkeep logs -) or name the .gz file.';
      report.warn(source.error);
      return;
    }
    assembler.startFile(STDIN_SOURCE);
    const span = await readSpan(
      { parser, fast, assembler, stopAfter: NaN, lastTime: NaN, ...readHooks },
      {
        file: STDIN_SOURCE,
        gzip: false,
        start: 0,
        end: Infinity,
        firstLine: 1,
        stream: resumed(first, chunks),
      },
    );
    noteRead(source, span, 'standard input');
    source.bytes = source.bytesRead;
  };

  for (const file of files) {
    throwIfAborted(options.signal);
    const source: SourceReport = {
      pattern: file.pattern,
      path: file.path,
      bytes: file.size,
      modifiedAt: new Date(file.mtimeMs).toISOString(),
      bytesRead: 0,
      lines: 0,
      gzip: file.gzip,
    };
    sources.push(source);

    // A file last changed before the window began holds nothing in it.
    if (!Number.isNaN(from) && file.mtimeMs < from - SEEK_MARGIN_MS) {
      source.skipped = true;
      continue;
    }

    try {
      let start = 0;
      if (!Number.isNaN(from) && !file.gzip && file.size >= SEEK_MIN_BYTES) {
        start = await seekToTime(file.path, file.size, from - SEEK_MARGIN_MS, parser);
        source.seeked = start > 0;
      }
      const stopAfter =
        !Number.isNaN(to) && file.size >= SEEK_MIN_BYTES ? to + STOP_MARGIN_MS : NaN;

      assembler.startFile(file.path);
      const firstLine = start === 0 ? 1 : 0;
      const inRanges =
        // Ranges begin and end with nothing open, so only a file read alone: with rotated
        // logs, one file may finish the requests another began.
        options.parallel !== false && files.length === 1 && !file.gzip && !options.afterChunk
          ? await readInRangesSafely(
              {
                file: file.path,
                start,
                end: file.size,
                firstLine,
                zone,
                now: options.clock.now(),
                from,
                to,
                slowRequestMs,
                stopAfter,
                workspace: options.workspace,
                signal: options.signal,
                chunkBytes: options.chunkBytes,
                log,
                ...options.parallel,
              },
              report,
              assembler,
              log,
            )
          : undefined;
      if (inRanges) {
        source.bytesRead = inRanges.bytesRead;
        source.lines = inRanges.lines;
        invalidUtf8Lines += inRanges.invalidUtf8Lines;
        linesRead += inRanges.lines;
        unparsedLines += inRanges.unparsedLines;
        if (inRanges.cutLines) report.warn(cutLinesWarning(label(file.path), inRanges.cutLines));
        continue;
      }
      const span = await readSpan(
        { parser, fast, assembler, stopAfter, lastTime: NaN, ...readHooks },
        { file: file.path, gzip: file.gzip, start, end: file.size, firstLine },
      );
      noteRead(source, span, label(file.path));
    } catch (error) {
      throwIfAborted(options.signal);
      const reason = fileErrorReason(error);
      source.error =
        reason === 'permission denied'
          ? `Could not read ${label(file.path)}: permission denied; run Upkeep as a user who ` +
            "may read it (often the app's user or its group)."
          : `Could not read ${label(file.path)}: ${reason}`;
      report.warn(source.error);
    }
  }
  if (wantsStdin) await readStdin();
  assembler.finish();

  if (invalidUtf8Lines) {
    report.warn(
      `${plural(invalidUtf8Lines, 'line')} held bytes that are not UTF-8; ` +
        'they were read with � in their place.',
    );
  }
  if (unparsedLines) {
    const were = unparsedLines === 1 ? 'was' : 'were';
    report.warn(`${plural(unparsedLines, 'line')} could not be parsed and ${were} skipped.`);
  }
  const counts = assembler.counts;
  if (linesRead > 0 && counts.byRequestId + counts.byProcess + counts.singleLine === 0) {
    report.warn(
      'No Rails request lines were found: is this a Rails log? ' +
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
  if (options.sources.length === 0) {
    report.warn('No log sources are configured (upkeep.logs.sources).');
  }

  const built = report.build();
  const { zoneCounts, ...figures } = built;
  const zoneSource = options.timeZone ? 'configured' : 'machine';
  const summary: LogSummary = {
    schema: 1,
    generatedAt: options.clock.now().toISOString(),
    sources: sources.map((s) => (s.path ? { ...s, path: label(s.path) } : s)),
    timeZone: {
      zone: zoneName,
      source: zoneSource,
      explicitOffsets: zoneCounts.explicitOffsets,
      zoneApplied: zoneCounts.zoneApplied,
      note: zoneNote(zoneName, zoneSource, zoneCounts.explicitOffsets, zoneCounts.zoneApplied),
    },
    window: {
      from: window.from ? window.from.toISOString() : null,
      to: window.to ? window.to.toISOString() : null,
      label: window.label,
    },
    ...figures,
    assembly: {
      ...assembler.counts,
      linesRead,
      outsideWindow: report.outsideWindow,
    },
  };

  log.info(
    `read ${plural(files.length, 'file')}, ${linesRead} lines, ` +
      `${summary.requests.total} requests (${window.label}) in ${Date.now() - started} ms`,
  );
  return summary;
}

/** The rest of a stream whose first chunk was taken: that chunk, then the others. */
async function* resumed(
  first: IteratorResult<Buffer>,
  rest: AsyncIterator<Buffer>,
): AsyncIterable<Buffer> {
  for (let next = first; !next.done; next = await rest.next()) yield next.value;
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
): string {
  const where = source === 'configured' ? 'the configured zone' : "this machine's zone";
  if (applied === 0 && explicit === 0) {
    return `No timestamps read; times without an offset would be read in ${zone} (${where}).`;
  }
  if (applied === 0) return `Every request time carried its own offset and was read as written.`;
  const head = explicit
    ? `${plural(explicit, 'request time')} carried an offset and ` +
      `${explicit === 1 ? 'was' : 'were'} read as written; `
    : '';
  const were = applied === 1 ? 'was' : 'were';
  return `${head}${applied} had none and ${were} read in ${zone} (${where}).`;
}
