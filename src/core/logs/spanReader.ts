/**
 * Reads one span of a log file into a RequestAssembler: every line through the fast lane or the
 * general parser, with the time rules of the summary. Used for a whole file, and for the byte
 * ranges that worker threads read side by side (parallel.ts).
 */
import { FastLane, fastLaneAvailable } from './fastLane';
import { LineParser, type ParsedLine } from './lineParser';
import { FAST_NOT_TAKEN, FAST_STOP, FAST_TAKEN, readLines, type ReadResult } from './lineReader';
import type { RequestAssembler } from './requestAssembler';
import { FUTURE_MARGIN_MS } from './timestamps';

export interface SpanContext {
  parser: LineParser;
  fast: FastLane;
  assembler: RequestAssembler;
  /** Stop at the first line later than this (epoch ms); NaN reads to the end. */
  stopAfter: number;
  /**
   * For a file no probe can judge before it is read (a .gz): past `stopAfter` the lines are
   * skimmed, not read (see ReadOptions.skim), while no line is more than this many ms older
   * than the newest before it. A log of one process after another goes back, and its later
   * part may hold the window too: from there it is read.
   */
  stopInOrderMs?: number;
  /** The clock's reading (epoch ms): a line stamped over an hour past it never stops the read. */
  now: number;
  /** The time of the last line that had one, for lines without. */
  lastTime: number;
  signal?: AbortSignal;
  afterChunk?: () => Promise<void>;
  chunkBytes?: number;
}

export interface SpanRead {
  read: ReadResult;
  /** Lines the parser failed on (it is built not to; this is the net under it). */
  unparsedLines: number;
  /** Reading stopped at a line past `stopAfter`. */
  passedWindow: boolean;
}

export interface Span {
  file: string;
  gzip: boolean;
  start: number;
  end: number;
  /** Number of the first line, 0 when unknown. */
  firstLine: number;
  /** Stop as soon as the assembler has no request of its range open (reading past a range). */
  whileRangeOpen?: boolean;
  /** Stop at the first line later than this (epoch ms), without calling it the window's end. */
  until?: number;
  /** Stop as soon as the range cannot be joined: the file will be read on one thread anyway. */
  whileJoinable?: boolean;
  /** Read these chunks (standard input) instead of the file. */
  stream?: AsyncIterable<Buffer>;
  /** Split on LF whatever the first chunk shows (see ReadOptions.lineFeed). */
  lineFeed?: boolean;
  /** The plain file already open: see ReadOptions.fd. */
  fd?: number;
}

export async function readSpan(context: SpanContext, span: Span): Promise<SpanRead> {
  const { parser, fast, assembler } = context;
  let unparsedLines = 0;
  let passedWindow = false;
  let stopAfter = context.stopAfter;
  const slack = context.stopInOrderMs;
  let newest = -Infinity;
  /** Whether a line of `time` goes back from the newest before it; notes it as the newest. */
  const goesBack = (time: number): boolean => {
    if (slack === undefined || Number.isNaN(time)) return false;
    if (time < newest - slack) return true;
    // A line stamped in the future (see below) says nothing of the order either.
    if (time > newest && !(time > context.now + FUTURE_MARGIN_MS)) newest = time;
    return false;
  };
  const take = (line: ParsedLine, lineNumber: number, offset: number): boolean => {
    let time = line.time;
    if (Number.isNaN(time) && line.requestTime !== undefined) time = line.requestTime;
    if (Number.isNaN(time)) time = context.lastTime;
    else context.lastTime = time;
    if (goesBack(time)) stopAfter = NaN;
    // Not a line stamped in the future: a clock gone wrong or a line forged through a logged
    // value (2099) says nothing of where the log is, and stopping there hid all after it.
    if (time > stopAfter && !(time > context.now + FUTURE_MARGIN_MS)) {
      passedWindow = true;
      // Skimmed past, this line would be lost if the log goes back later and is read on.
      if (slack !== undefined) assembler.add(line, lineNumber, offset, time);
      return false;
    }
    if (span.whileRangeOpen && !assembler.pastRangeOpen) return false;
    if (span.whileJoinable && assembler.unjoinable !== undefined) return false;
    if (time > (span.until ?? NaN)) return false;
    assembler.add(line, lineNumber, offset, time);
    return true;
  };
  const read = await readLines(
    span.file,
    {
      start: span.start,
      end: span.end,
      gzip: span.gzip,
      firstLine: span.firstLine,
      signal: context.signal,
      afterChunk: context.afterChunk,
      chunkBytes: context.chunkBytes,
      stream: span.stream,
      lineFeed: span.lineFeed,
      fd: span.fd,
      skim:
        slack === undefined
          ? undefined
          : (text) => {
              const line = parseSafely(parser, text, 0, 0);
              // A probe continues no split line the read goes on with.
              parser.forgetSplits();
              const time = Number.isNaN(line?.time ?? NaN) ? line?.requestTime : line?.time;
              if (time === undefined || !goesBack(time)) return true;
              stopAfter = NaN;
              return false;
            },
    },
    (text, lineNumber, offset) => {
      const line = parseSafely(parser, text, lineNumber, offset);
      if (!line) {
        unparsedLines++;
        return true;
      }
      // A piece of a line a container runtime split is read with the record that ends it.
      if (parser.piece) return true;
      const start = parser.splitStart;
      return start ? take(line, start.line, start.offset) : take(line, lineNumber, offset);
    },
    fastLaneAvailable
      ? (buffer, from, end, lineNumber, offset) => {
          const line = fast.read(buffer, from, end);
          if (!line) return FAST_NOT_TAKEN;
          parser.passLine();
          return take(line, lineNumber, offset) ? FAST_TAKEN : FAST_STOP;
        }
      : undefined,
  );
  return { read, unparsedLines, passedWindow };
}

/**
 * The parser is built not to throw; this is the net under it, so that one line the parser
 * did not foresee costs that line, not the whole file.
 */
function parseSafely(
  parser: LineParser,
  text: string,
  lineNumber: number,
  offset: number,
): ParsedLine | undefined {
  try {
    return parser.parse(text, lineNumber, offset);
  } catch {
    return undefined;
  }
}

/** A fresh parser pair for one zone and clock reading. */
export function newParsers(
  zone: ConstructorParameters<typeof FastLane>[0],
  now: Date,
): { parser: LineParser; fast: FastLane } {
  return { parser: new LineParser(zone, now), fast: new FastLane(zone) };
}
