/**
 * Streams the lines of a log file, plain or gzipped, with their byte offsets and numbers.
 * Reads only up to the size the file had when reading began, so a growing file gives a
 * consistent snapshot; keeps the head and tail of very long lines so memory stays bounded.
 * Opens only a regular file: a pipe or device put in a listed file's place is refused, not
 * waited on.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { read } from 'node:fs';
import { throwIfAborted } from '../util/errors';
import { openRegularFile } from '../util/textFile';
import { fdInput, gunzipMembers } from './gzipMembers';

/** Longest line kept whole; longer lines keep their first and last bytes. */
export const LINE_HEAD_BYTES = 256 * 1024;
export const LINE_TAIL_BYTES = 16 * 1024;
export const CHUNK_BYTES = 1024 * 1024;

/**
 * A `.gz` is read up to this many decompressed bytes per compressed byte. Rails logs compress
 * about 10:1 (the bench log: 9:1); 100:1 leaves room for very repetitive logs while a
 * compression bomb (1000:1 and more for runs of one byte) stops early.
 */
export const GZIP_MAX_RATIO = 100;
/** Small archives may always expand this far, whatever their ratio. */
export const GZIP_MIN_LIMIT = 16 * 1024 * 1024;
/** No archive is read past this many decompressed bytes. */
export const GZIP_MAX_LIMIT = 1024 * 1024 * 1024;

/**
 * A `.gz` also yields at most this many lines per compressed byte (at least GZIP_MIN_LINES):
 * a Rails log line costs about 16 compressed bytes, while a bomb of newlines packs a thousand
 * lines into one, and lines, not bytes, are what cost time.
 */
export const GZIP_MAX_LINES_PER_BYTE = 4;
export const GZIP_MIN_LINES = 1_000_000;

/** How many lines of a `.gz` of `compressedBytes` are read at most. */
export function gzipLineLimit(compressedBytes: number): number {
  return Math.max(GZIP_MIN_LINES, compressedBytes * GZIP_MAX_LINES_PER_BYTE);
}

/** How many decompressed bytes of a `.gz` of `compressedBytes` are read at most. */
export function gzipLimit(compressedBytes: number): number {
  return Math.min(GZIP_MAX_LIMIT, Math.max(GZIP_MIN_LIMIT, compressedBytes * GZIP_MAX_RATIO));
}

/** Receives each line; returning false stops the read (the window is over). */
export type LineHandler = (text: string, lineNumber: number, offset: number) => boolean | void;

/** What a fast handler did with a line. */
export const FAST_NOT_TAKEN = 0;
export const FAST_TAKEN = 1;
export const FAST_STOP = 2;

/**
 * Sees an ASCII line without escape characters as bytes, `buffer[start, end)` without its line
 * end, before it becomes a string; FAST_NOT_TAKEN sends the line on to the LineHandler.
 */
export type FastHandler = (
  buffer: Buffer,
  start: number,
  end: number,
  lineNumber: number,
  offset: number,
) => number;

export interface ReadOptions {
  /** Byte offset to start at (plain files only); the caller aligns it to a line start. */
  start?: number;
  /** Stop at this offset: the file's size when reading began. */
  end: number;
  gzip: boolean;
  /** Number of the first line, or 0 when unknown (after a seek). */
  firstLine: number;
  signal?: AbortSignal;
  /** Called after every chunk; tests use it to change the file while it is read. */
  afterChunk?: () => Promise<void>;
  chunkBytes?: number;
  /** For a `.gz`: stop after this many decompressed bytes (default `gzipLimit` of `end`). */
  maxDecompressedBytes?: number;
  /**
   * Read these chunks (standard input) instead of the file, to their end: `end`, `start` and
   * `gzip` do not apply.
   */
  stream?: AsyncIterable<Buffer>;
  /**
   * Split on LF whatever the first chunk shows: a range of a file read in ranges (parallel.ts),
   * which may begin in a run of lines ended by CR alone that one pass reads after LF lines.
   */
  lineFeed?: boolean;
  /**
   * The file already open (its descriptor), plain or gzip, read instead of opening `file`
   * again; the caller closes it. A summary opens each file once (see readFile), so that
   * logrotate moving it away meanwhile changes nothing: every step, every range and the
   * one-thread read see the same file.
   */
  fd?: number;
  /**
   * For a `.gz` or a stream: once the handler stopped the read, go on decompressing and show
   * this a line every SKIM_BYTES, the rest skipped unread. While it returns true the read
   * stays stopped; false reads on from the last line it was shown before (a log whose times
   * went back after the window: see readSpan).
   */
  skim?: (text: string) => boolean;
}

/** Reads into `buffer` from `position` of the open file `fd`; positional, so thread-safe. */
export function readAt(
  fd: number,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    );
  });
}

export interface ReadResult {
  bytesRead: number;
  lines: number;
  /** Lines longer than LINE_HEAD_BYTES + LINE_TAIL_BYTES, kept as head and tail. */
  cutLines: number;
  /** Lines with bytes that are not UTF-8 (read with U+FFFD in their place). */
  invalidUtf8Lines: number;
  /** The file ends its lines with CR alone. */
  crOnly: boolean;
  /** Why reading stopped early (a cut .gz, an I/O error); what was read before still counts. */
  error?: string;
  /** The file ended before the size it had at the start: truncated or replaced meanwhile. */
  shrank: boolean;
  stopped: boolean;
  /** A `.gz` reached its decompressed limit; what was read before still counts. */
  limited: boolean;
  /** A `.gz` ends in this many bytes that are no gzip member, ignored as gzip does. */
  trailingBytes?: number;
}

const CUT_MARK = Buffer.from(' … ');

/** Whether the byte is the second to fourth of a UTF-8 character. */
function continues(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * The end of a long line's head, `at` or up to 3 bytes before it, so that the cut does not fall
 * inside a UTF-8 character: half a character read as a byte that is not UTF-8.
 */
function headEnd(line: Buffer, at: number): number {
  let end = at;
  while (end > at - 3 && end > 0 && continues(line[end])) end--;
  return end;
}

/** The start of a long line's tail, `at` or up to 3 bytes after it, as headEnd does. */
function tailStart(line: Buffer, at: number, end = line.length): number {
  let start = at;
  while (start < at + 3 && start < end && continues(line[start])) start++;
  return start;
}

/** Splits byte chunks into lines; handwritten because readline keeps whole lines in memory. */
class LineSplitter {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private head: Buffer | undefined;
  private cut = false;
  private lineStart: number;
  lineNumber: number;
  lines = 0;
  cutLines = 0;
  invalidUtf8Lines = 0;
  stopped = false;
  /**
   * The line end byte: LF, or CR for a file that uses CR alone; 0 until a chunk decides it.
   * A chunk whose one CR is its last byte does not: the LF of a CRLF may begin the next one.
   */
  private separator = 0;
  /** The chunk (and its offset) that left the line end undecided, read with the next one. */
  private undecided: { chunk: Buffer; offset: number } | undefined;
  crOnly = false;
  /** False when the current chunk is not valid UTF-8 (or splits a character): check each line. */
  private chunkValid = true;

  constructor(
    private readonly handler: LineHandler,
    startOffset: number,
    firstLine: number,
    private readonly fast: FastHandler | undefined,
    lineFeed = false,
  ) {
    if (lineFeed) this.separator = 10;
    this.lineStart = startOffset;
    this.lineNumber = firstLine;
  }

  push(input: Buffer, inputOffset: number): void {
    let chunk = input;
    let chunkOffset = inputOffset;
    if (this.separator === 0) {
      if (this.undecided) {
        chunk = Buffer.concat([this.undecided.chunk, input]);
        chunkOffset = this.undecided.offset;
        this.undecided = undefined;
      }
      // Old Mac line ends (CR only): a file with CR and no LF in its first chunk is split on CR.
      const cr = chunk.indexOf(10) < 0 ? chunk.indexOf(13) : -1;
      if (cr >= 0 && cr === chunk.length - 1) {
        this.undecided = { chunk: Buffer.from(chunk), offset: chunkOffset };
        return;
      }
      this.separator = cr >= 0 ? 13 : 10;
      this.crOnly = this.separator === 13;
    }
    // One native check per chunk instead of a search for U+FFFD in every line; ASCII is UTF-8.
    const ascii = isAscii(chunk);
    this.chunkValid = ascii || isUtf8(chunk);
    let from = 0;
    // The fast handler sees lines LineParser would read as they are: ASCII (so bytes are
    // characters and valid UTF-8) and free of escape sequences (which the parser removes).
    const fast = this.separator === 10 ? this.fast : undefined;

    let escape = fast !== undefined ? chunk.indexOf(27) : -1;
    while (!this.stopped) {
      if (chunk[from] === 0 && this.partsBytes === 0 && !this.head) {
        // A hole before a line (copytruncate while a process kept its offset, a crash): its
        // NULs are no part of the line, which was read as theirs and lost.
        while (from < chunk.length && chunk[from] === 0) from++;
        this.lineStart = chunkOffset + from;
      }
      const newline = chunk.indexOf(this.separator, from);
      if (newline < 0) {
        if (from < chunk.length) this.keep(chunk.subarray(from));
        return;
      }
      if (this.partsBytes === 0 && !this.head) {
        if (escape >= 0 && escape < from) escape = chunk.indexOf(27, from);
        if (
          fast !== undefined &&
          (escape < 0 || escape > newline) &&
          (ascii || isAscii(chunk.subarray(from, newline))) &&
          this.emitFast(fast, chunk, from, newline)
        ) {
          from = newline + 1;
          this.lineStart = chunkOffset + from;
          continue;
        }
        this.emit(chunk, from, newline);
      } else {
        this.keep(chunk.subarray(from, newline));
        this.emitKept();
      }
      from = newline + 1;
      this.lineStart = chunkOffset + from;
    }
  }

  /** Reads on after a stop, from the line that begins at `offset`, numbered `lineNumber`. */
  resume(offset: number, lineNumber: number): void {
    this.parts = [];
    this.partsBytes = 0;
    this.head = undefined;
    this.cut = false;
    this.stopped = false;
    this.lineStart = offset;
    this.lineNumber = lineNumber;
  }

  /** Where the next line begins: after a stop, just past the line that stopped the read. */
  get nextLineStart(): number {
    return this.lineStart;
  }

  end(): void {
    if (this.undecided) {
      // One line that ends in CR: the CR goes with the line end, whichever it is.
      const { chunk, offset } = this.undecided;
      this.undecided = undefined;
      this.separator = 10;
      this.push(chunk, offset);
    }
    if (!this.stopped && (this.partsBytes > 0 || this.head)) this.emitKept();
  }

  private keep(piece: Buffer): void {
    // Copy: the reader reuses its buffer.
    this.parts.push(Buffer.from(piece));
    this.partsBytes += piece.length;
    if (!this.head && this.partsBytes > LINE_HEAD_BYTES + LINE_TAIL_BYTES) {
      const all = Buffer.concat(this.parts);
      this.head = all.subarray(0, headEnd(all, LINE_HEAD_BYTES));
      this.parts = [all.subarray(all.length - LINE_TAIL_BYTES)];
      this.partsBytes = LINE_TAIL_BYTES;
      this.cut = true;
    } else if (this.head && this.partsBytes > 4 * LINE_TAIL_BYTES) {
      const all = Buffer.concat(this.parts);
      this.parts = [all.subarray(all.length - LINE_TAIL_BYTES)];
      this.partsBytes = LINE_TAIL_BYTES;
    }
  }

  private emitKept(): void {
    let buffer = Buffer.concat(this.parts);
    if (this.head) {
      const tail = buffer.subarray(tailStart(buffer, Math.max(0, buffer.length - LINE_TAIL_BYTES)));
      buffer = Buffer.concat([this.head, CUT_MARK, tail]);
    }
    if (this.cut) this.cutLines++;
    this.parts = [];
    this.partsBytes = 0;
    this.head = undefined;
    this.cut = false;
    this.chunkValid = this.chunkValid && isUtf8(buffer);
    this.emitText(buffer, 0, buffer.length);
  }

  /** Offers the line to the fast handler; false when it left the line to the text handler. */
  private emitFast(fast: FastHandler, buffer: Buffer, start: number, newline: number): boolean {
    const end = newline > start && buffer[newline - 1] === 13 ? newline - 1 : newline;
    const taken = fast(buffer, start, end, this.lineNumber, this.lineStart);
    if (taken === FAST_NOT_TAKEN) return false;
    this.lines++;
    if (this.lineNumber) this.lineNumber++;
    if (taken === FAST_STOP) this.stopped = true;
    return true;
  }

  private emit(buffer: Buffer, start: number, endExclusive: number): void {
    if (endExclusive - start > LINE_HEAD_BYTES + LINE_TAIL_BYTES) {
      // A long line inside one chunk is cut as one across chunks is, so that what is read does
      // not depend on where chunks (or the ranges of parallel.ts) begin.
      const cut = Buffer.concat([
        buffer.subarray(start, headEnd(buffer, start + LINE_HEAD_BYTES)),
        CUT_MARK,
        buffer.subarray(
          tailStart(buffer, endExclusive - LINE_TAIL_BYTES, endExclusive),
          endExclusive,
        ),
      ]);
      this.cutLines++;
      this.chunkValid = this.chunkValid && isUtf8(cut);
      this.emitText(cut, 0, cut.length);
      return;
    }
    this.emitText(buffer, start, endExclusive);
  }

  private emitText(buffer: Buffer, start: number, endExclusive: number): void {
    let end = endExclusive;
    if (end > start && buffer[end - 1] === 13) end--;
    const text = buffer.toString('utf8', start, end);
    // Judged by the line's own bytes: a U+FFFD written in the log is not an invalid byte.
    if (!this.chunkValid && !isUtf8(buffer.subarray(start, end))) this.invalidUtf8Lines++;
    this.lines++;
    const number = this.lineNumber;
    if (this.lineNumber) this.lineNumber++;
    if (this.handler(text, number, this.lineStart) === false) this.stopped = true;
  }
}

/** Bytes of a stream skimmed between two lines shown to ReadOptions.skim. */
const SKIM_BYTES = 64 * 1024;
/** A skimmed line longer than this is not waited for: the read goes on instead. */
const SKIM_MAX_BYTES = 4 * 1024 * 1024;

/** Where a skimmed stream is read on from: its bytes from that line on, and its number. */
interface ReadOn {
  bytes: Buffer;
  offset: number;
  lineNumber: number;
}

/**
 * The lines of a stream after its read stopped, skipped but for one every SKIM_BYTES shown to
 * `inOrder`; keeps the bytes from the last line shown on, to read on from there.
 */
class Skimmer {
  private kept: Buffer[] = [];
  private keptBytes = 0;

  constructor(
    private readonly inOrder: (text: string) => boolean,
    private keptStart: number,
    private lineNumber: number,
  ) {}

  /** Takes the next bytes; where to read on from once a line shown went back. */
  push(bytes: Buffer): ReadOn | undefined {
    this.kept.push(bytes);
    this.keptBytes += bytes.length;
    while (this.keptBytes > SKIM_BYTES) {
      const all = this.joined();
      const start = all.indexOf(10, SKIM_BYTES - 1) + 1;
      const end = start > 0 ? all.indexOf(10, start) : -1;
      if (end < 0) return this.keptBytes > SKIM_MAX_BYTES ? this.readOn() : undefined;
      if (!this.inOrder(lineText(all, start, end))) return this.readOn();
      if (this.lineNumber) this.lineNumber += newlines(all, start);
      this.keptStart += start;
      this.kept = [all.subarray(start)];
      this.keptBytes -= start;
    }
    return undefined;
  }

  /** At the stream's end: its last whole line is shown too, for a log that went back late. */
  end(): ReadOn | undefined {
    const all = this.joined();
    const end = all.lastIndexOf(10);
    const start = end > 0 ? all.lastIndexOf(10, end - 1) + 1 : -1;
    if (start <= 0 || this.inOrder(lineText(all, start, end))) return undefined;
    return this.readOn();
  }

  private joined(): Buffer {
    if (this.kept.length > 1) this.kept = [Buffer.concat(this.kept)];
    return this.kept[0] ?? Buffer.alloc(0);
  }

  private readOn(): ReadOn {
    return { bytes: this.joined(), offset: this.keptStart, lineNumber: this.lineNumber };
  }
}

function lineText(buffer: Buffer, start: number, end: number): string {
  return buffer.toString('utf8', start, end > start && buffer[end - 1] === 13 ? end - 1 : end);
}

/** How many lines end in `buffer` before `end`: none are numbered when none were (0). */
function newlines(buffer: Buffer, end: number): number {
  let count = 0;
  for (let at = buffer.indexOf(10); at >= 0 && at < end; at = buffer.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * Splits a stream's chunks (a decompressed `.gz`, standard input) into lines, up to `limit`
 * bytes and `lineLimit` lines; after a stop, skims them when `options.skim` is set. A stream
 * that fails keeps what was read and says where it stopped.
 */
async function readChunks(
  stream: AsyncIterable<Buffer>,
  splitter: LineSplitter,
  result: ReadResult,
  options: ReadOptions,
  limit: number,
  lineLimit: number,
): Promise<void> {
  let offset = 0;
  let skimmer: Skimmer | undefined;
  /** Splits `bytes` at `at`, or skims them after a stop until a line shown went back. */
  const take = (bytes: Buffer, at: number): void => {
    let part: { bytes: Buffer; offset: number } = { bytes, offset: at };
    for (;;) {
      if (skimmer) {
        const readOn = skimmer.push(part.bytes);
        if (!readOn) return;
        skimmer = undefined;
        splitter.resume(readOn.offset, readOn.lineNumber);
        part = readOn;
      }
      splitter.push(part.bytes, part.offset);
      if (!splitter.stopped || !options.skim) return;
      const start = splitter.nextLineStart;
      skimmer = new Skimmer(options.skim, start, splitter.lineNumber);
      part = { bytes: part.bytes.subarray(Math.max(0, start - part.offset)), offset: start };
    }
  };
  try {
    for await (const chunk of stream) {
      throwIfAborted(options.signal);
      // A compression bomb, or a rotated log far larger than its archive suggests.
      const room = limit - offset;
      if (chunk.length > room) result.limited = true;
      const piece = result.limited ? chunk.subarray(0, room) : chunk;
      take(piece, offset);
      offset += piece.length;
      result.bytesRead = offset;
      if (splitter.lines >= lineLimit) result.limited = true;
      if ((splitter.stopped && !skimmer) || result.limited) break;
      if (options.afterChunk) await options.afterChunk();
    }
    const last = result.limited ? undefined : skimmer?.end();
    if (last) {
      splitter.resume(last.offset, last.lineNumber);
      splitter.push(last.bytes, last.offset);
    }
  } catch (error) {
    throwIfAborted(options.signal);
    // A cut or damaged archive: keep what was read, say where it stopped.
    result.error = error instanceof Error ? error.message : String(error);
  }
}

export async function readLines(
  file: string,
  options: ReadOptions,
  handler: LineHandler,
  fast?: FastHandler,
): Promise<ReadResult> {
  const start = options.start ?? 0;
  const splitter = new LineSplitter(handler, start, options.firstLine, fast, options.lineFeed);
  const result: ReadResult = {
    bytesRead: 0,
    lines: 0,
    cutLines: 0,
    invalidUtf8Lines: 0,
    crOnly: false,
    shrank: false,
    stopped: false,
    limited: false,
  };

  if (options.stream) {
    await readChunks(options.stream, splitter, result, options, Infinity, Infinity);
  } else if (options.gzip) {
    const handle = options.fd === undefined ? (await openRegularFile(file)).handle : undefined;
    const input = handle ?? fdInput(options.fd!);
    const facts = { trailingBytes: 0 };
    try {
      await readChunks(
        gunzipMembers(input, options.end, facts, options.signal),
        splitter,
        result,
        options,
        options.maxDecompressedBytes ?? gzipLimit(options.end),
        gzipLineLimit(options.end),
      );
    } finally {
      await handle?.close();
    }
    if (facts.trailingBytes) result.trailingBytes = facts.trailingBytes;
  } else {
    const handle = options.fd === undefined ? (await openRegularFile(file)).handle : undefined;
    const fd = options.fd ?? handle!.fd;
    // Two buffers: the next chunk is read while this one is split, so the disk and the
    // parser work at the same time.
    const size = options.chunkBytes ?? CHUNK_BYTES;
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    const readNext = (index: number, position: number): Promise<number> | undefined =>
      position < options.end
        ? readAt(fd, buffers[index], Math.min(size, options.end - position), position)
        : undefined;
    let pending: Promise<number> | undefined;
    try {
      let position = start;
      let index = 0;
      pending = readNext(index, position);
      while (pending && !splitter.stopped) {
        throwIfAborted(options.signal);
        const bytesRead = await pending;
        pending = undefined;
        if (bytesRead === 0) {
          result.shrank = true;
          break;
        }
        const buffer = buffers[index];
        const next = position + bytesRead;
        // A test that changes the file between chunks must see the next read after it.
        if (!options.afterChunk) pending = readNext(1 - index, next);
        splitter.push(buffer.subarray(0, bytesRead), position);
        position = next;
        result.bytesRead = position - start;
        if (options.afterChunk) {
          await options.afterChunk();
          pending = readNext(1 - index, next);
        }
        index = 1 - index;
      }
    } finally {
      // A read still in flight must finish before the file closes.
      if (pending) await pending.catch(() => 0);
      await handle?.close();
    }
  }

  // A cut archive's last partial line is not a line of the log, nor is the one at the limit.
  if (!result.error && !result.limited) splitter.end();
  result.crOnly = splitter.crOnly;
  result.lines = splitter.lines;
  result.cutLines = splitter.cutLines;
  result.invalidUtf8Lines = splitter.invalidUtf8Lines;
  result.stopped = splitter.stopped;
  return result;
}
