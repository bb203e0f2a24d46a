/**
 * Decompresses a gzip file member by member, as gzip itself does: several members in one file
 * (logrotate appends, `cat a.gz b.gz`) read one after another, zero bytes after the last one
 * taken as padding, other bytes after it ignored and counted (node's gunzip failed on them and
 * dropped the output it had not handed over yet: a whole small log), and each member's checksum
 * and length checked after its data was handed over, so a damaged archive keeps its lines.
 * The header and trailer are read here and only the deflate data goes to zlib: that is what
 * tells where a member ends.
 */
import { read } from 'node:fs';
import * as zlib from 'node:zlib';
import { throwIfAborted } from '../util/errors';

/**
 * Where the compressed bytes come from: an open file (its FileHandle, or fdInput), or a stream
 * (StreamInput). Reads go forward, except back to a member's data after its header was looked
 * at, and to its trailer after zlib took the data before it.
 */
export interface GzipInput {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  /** No byte before `position` will be read again: a stream may drop them. */
  forget?(position: number): void;
}

/** The open file `fd` as a GzipInput: the descriptor the summary opened once (see readFile). */
export function fdInput(fd: number): GzipInput {
  return {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => {
        read(fd, buffer, offset, length, position, (error, bytesRead) =>
          error ? reject(error) : resolve({ bytesRead }),
        );
      }),
  };
}

/**
 * Chunks of a stream (standard input) read as a GzipInput: the bytes from the first not yet
 * forgotten on are kept, at most about one read block, so a long pipe costs no memory.
 */
export class StreamInput implements GzipInput {
  private kept: Buffer = Buffer.alloc(0);
  /** The stream's offset of `kept`'s first byte. */
  private base = 0;
  private ended = false;
  /** Every byte the stream gave. */
  bytes = 0;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }> {
    if (position < this.base) throw new Error('a gzip stream was read back past what it kept');
    const parts = [this.kept];
    let end = this.base + this.kept.length;
    while (!this.ended && end < position + length) {
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      parts.push(next.value);
      end += next.value.length;
      this.bytes += next.value.length;
    }
    if (parts.length > 1) this.kept = Buffer.concat(parts);
    const from = position - this.base;
    const bytesRead = Math.max(0, Math.min(length, this.kept.length - from));
    this.kept.copy(buffer, offset, from, from + bytesRead);
    return { bytesRead };
  }

  forget(position: number): void {
    if (position <= this.base) return;
    this.kept = this.kept.subarray(Math.min(position - this.base, this.kept.length));
    this.base = position;
  }
}

/** Whether a file's first bytes are gzip's magic number. */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** What a gzip read found besides its data. */
export interface GzipFacts {
  /** Bytes after the last member that are no gzip member (ignored, as gzip does). */
  trailingBytes: number;
}

/** A gzip file that is not well formed; the message ends a sentence "… of NAME: <message>". */
export class GzipDataError extends Error {}

/** Compressed bytes read from the file at a time. */
const READ_BYTES = 256 * 1024;
/**
 * Compressed bytes handed to zlib at a time: all the output of one piece is in memory at once,
 * and deflate expands at most about 1032:1, so 8 KB give at most about 8 MB.
 */
const PIECE_BYTES = 8 * 1024;
/**
 * A member whose deflate data fits in this many bytes and expands to at most SMALL_OUTPUT is
 * inflated in one call: a stream per member cost a third of a millisecond, and a file of many
 * tiny members (empty ones, a log appended a line at a time) took minutes for 2 MB.
 */
const SMALL_INPUT = 16 * 1024;
const SMALL_OUTPUT = 1024 * 1024;
/** A member header longer than this (a file name or comment field) is not a log's. */
const MAX_HEADER_BYTES = 64 * 1024;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** The file's bytes read a block at a time, so that small members cost no read each. */
class Blocks {
  private block: Buffer = Buffer.alloc(0);
  private blockStart = 0;

  constructor(
    private readonly handle: GzipInput,
    private readonly end: number,
  ) {}

  /** The bytes from `position`: at least `length` of them unless the file ends first. */
  async at(position: number, length: number): Promise<Buffer> {
    const offset = position - this.blockStart;
    const wanted = Math.min(length, this.end - position);
    if (offset < 0 || offset + wanted > this.block.length) {
      const size = Math.min(Math.max(length, READ_BYTES), this.end - position);
      this.block = await readAt(this.handle, position, size);
      this.blockStart = position;
      return this.block;
    }
    return this.block.subarray(offset);
  }
}

/**
 * The decompressed data of the gzip file open as `handle`, up to its byte `end` (Infinity: to
 * the end of a stream), in chunks. Throws a GzipDataError for a file that is cut or damaged,
 * after the data before that point.
 */
export async function* gunzipMembers(
  handle: GzipInput,
  end: number,
  facts: GzipFacts,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const blocks = new Blocks(handle, end);
  let position = 0;
  for (let member = 0; position < end; member++) {
    // Members that hold nothing yield nothing: the reader's own check would not come.
    throwIfAborted(signal);
    handle.forget?.(position);
    const head = await blocks.at(position, 10);
    if (!isGzip(head)) {
      if (member === 0) throw new GzipDataError('it is not gzip data');
      facts.trailingBytes = await trailingBytes(handle, position, end);
      return;
    }
    let headerBytes = headerLength(head);
    if (headerBytes > head.length) {
      headerBytes = headerLength(await blocks.at(position, MAX_HEADER_BYTES));
      if (headerBytes > end - position) throw cutShort();
      if (headerBytes > MAX_HEADER_BYTES) {
        throw new GzipDataError('its gzip header is over 64 KB long: it is damaged');
      }
    }
    if (!headerIntact(await blocks.at(position, headerBytes), headerBytes)) {
      throw new GzipDataError('its gzip header is damaged');
    }
    const crc = { value: 0, length: 0 };
    const bodyStart = position + headerBytes;
    const small = inflateSmall(await blocks.at(bodyStart, SMALL_INPUT));
    let bodyBytes: number;
    if (small) {
      if (small.output.length) yield counted(small.output, crc);
      bodyBytes = small.bytes;
    } else {
      bodyBytes = yield* inflateMember(handle, bodyStart, end, crc);
    }
    position = bodyStart + bodyBytes;
    const trailer = await blocks.at(position, 8);
    if (trailer.length < 8) throw cutShort();
    if (trailer.readUInt32LE(0) !== crc.value) {
      throw new GzipDataError('its checksum (CRC-32) does not match: it is damaged');
    }
    if (trailer.readUInt32LE(4) !== crc.length % 2 ** 32) {
      throw new GzipDataError('its stored length does not match: it is damaged');
    }
    position += 8;
  }
}

function cutShort(): GzipDataError {
  return new GzipDataError('it ends before its gzip data does (cut short)');
}

/**
 * The length of the member header at the start of `head`; more than `head` holds when its
 * fields go on past it.
 */
function headerLength(head: Buffer): number {
  if (head.length < 10) throw cutShort();
  if (head[2] !== 8) throw new GzipDataError('it uses a compression method other than deflate');
  const flags = head[3];
  if (flags & 0xe0) throw new GzipDataError('its gzip header is damaged');
  let at = 10;
  if (flags & FEXTRA) {
    if (at + 2 > head.length) return head.length + 1;
    at += 2 + head.readUInt16LE(at);
  }
  for (const field of [FNAME, FCOMMENT]) {
    if (!(flags & field)) continue;
    const zero = at < head.length ? head.indexOf(0, at) : -1;
    if (zero < 0) return Math.max(at, head.length + 1);
    at = zero + 1;
  }
  return flags & FHCRC ? at + 2 : at;
}

/** Whether the header of `length` bytes at the start of `head` is whole (FHCRC, when set). */
function headerIntact(head: Buffer, length: number): boolean {
  if (!(head[3] & FHCRC)) return true;
  return (crc32(head.subarray(0, length - 2)) & 0xffff) === head.readUInt16LE(length - 2);
}

/** Adds `chunk` to the member's checksum and length, and gives it back. */
function counted(chunk: Buffer, crc: { value: number; length: number }): Buffer {
  crc.value = crc32(chunk, crc.value);
  crc.length += chunk.length;
  return chunk;
}

/**
 * The output of deflate data that ends within `body`'s first SMALL_INPUT bytes and expands to
 * at most SMALL_OUTPUT, and how many bytes it took; undefined for any other (a larger member,
 * damaged data), which the stream then reads, and fails on, as it comes.
 */
function inflateSmall(body: Buffer): { output: Buffer; bytes: number } | undefined {
  // An empty member's deflate data (gzip of nothing) is these two bytes: no zlib call at all.
  if (body.length >= 2 && body[0] === 0x03 && body[1] === 0x00) {
    return { output: Buffer.alloc(0), bytes: 2 };
  }
  try {
    const { buffer, engine } = zlib.inflateRawSync(body.subarray(0, SMALL_INPUT), {
      info: true,
      maxOutputLength: SMALL_OUTPUT,
    }) as unknown as { buffer: Buffer; engine: zlib.InflateRaw };
    return { output: buffer, bytes: engine.bytesWritten };
  } catch {
    return undefined;
  }
}

/**
 * Inflates the deflate data that begins at `start`, yielding its output and adding it to `crc`;
 * returns how many compressed bytes it took.
 */
async function* inflateMember(
  handle: GzipInput,
  start: number,
  end: number,
  crc: { value: number; length: number },
): AsyncGenerator<Buffer, number> {
  const inflate = zlib.createInflateRaw();
  const output: Buffer[] = [];
  let failure: Error | undefined;
  // Flowing: each piece's output arrives before its write completes, and before any error.
  inflate.on('data', (chunk: Buffer) => output.push(chunk));
  inflate.on('error', (error) => (failure = error));
  let written = 0;
  const take = function* (): Generator<Buffer> {
    for (const chunk of output.splice(0)) yield counted(chunk, crc);
  };
  try {
    for (let position = start; position < end;) {
      const block = await readAt(handle, position, Math.min(READ_BYTES, end - position));
      if (block.length === 0) break;
      position += block.length;
      for (let at = 0; at < block.length; at += PIECE_BYTES) {
        const piece = block.subarray(at, at + PIECE_BYTES);
        await write(inflate, piece);
        written += piece.length;
        yield* take();
        if (failure) throw damaged(failure);
        // The deflate data ended inside what was written: zlib took no more of it.
        if (inflate.bytesWritten < written) return inflate.bytesWritten;
        handle.forget?.(start + inflate.bytesWritten);
      }
    }
    // The file ended: a member whose deflate data ended with it is whole, else it was cut.
    await settled(inflate, (done) => inflate.end(done));
    yield* take();
    if (failure) throw isCut(failure) ? cutShort() : damaged(failure);
    return inflate.bytesWritten;
  } finally {
    inflate.destroy();
  }
}

function isCut(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR';
}

function damaged(error: Error): GzipDataError {
  return new GzipDataError(`its gzip data is damaged (${error.message})`);
}

/** Writes `piece` to zlib and waits until it was taken; an error is left to its listener. */
function write(inflate: zlib.InflateRaw, piece: Buffer): Promise<void> {
  return settled(inflate, (done) => inflate.write(piece, done));
}

/**
 * Waits until `act`'s callback is called or zlib failed (its pending callback is never called
 * then), and has what zlib still holds handed to the `data` listener, so that all the output
 * before an error is there.
 */
async function settled(inflate: zlib.InflateRaw, act: (done: () => void) => void): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = (): void => {
      inflate.off('error', done);
      inflate.off('close', done);
      resolve();
    };
    inflate.once('error', done);
    inflate.once('close', done);
    act(done);
  });
  // In flowing mode read() emits what is buffered as data events.
  while (!inflate.destroyed && inflate.read() !== null);
}

async function readAt(handle: GzipInput, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position);
    if (bytesRead === 0) break;
    filled += bytesRead;
    position += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * How many bytes from `position` to `end` (of a stream: to its end) are no gzip member: none
 * when they are all zero bytes, padding as gzip takes it.
 */
async function trailingBytes(handle: GzipInput, position: number, end: number): Promise<number> {
  let zeros = true;
  let at = position;
  while (at < end) {
    const block = await readAt(handle, at, Math.min(READ_BYTES, end - at));
    if (block.length === 0) break;
    if (zeros && block.some((byte) => byte !== 0)) {
      zeros = false;
      if (Number.isFinite(end)) return end - position;
    }
    at += block.length;
    handle.forget?.(at);
  }
  return zeros ? 0 : at - position;
}

type Crc32 = (data: Buffer, value?: number) => number;

/** zlib's own crc32 where node has it (20.15 and later), else the same sum computed here. */
const crc32: Crc32 = (zlib as { crc32?: Crc32 }).crc32 ?? crc32Here;

let table: Int32Array | undefined;

/** CRC-32 as gzip computes it (the IEEE polynomial, reflected), for an editor's older node. */
export function crc32Here(data: Buffer, value = 0): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
