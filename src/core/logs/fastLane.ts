/**
 * Reads the lines of the usual Rails production log (a Logger::Formatter prefix and request-id
 * tags) straight from the file's bytes, without making a string of the whole line. It knows the
 * few shapes that make up almost every line of such a log; for anything else it answers
 * `undefined` and the caller hands the line to LineParser, which reads every shape. For the
 * lines it takes it must give exactly what LineParser gives (a test holds the two side by side).
 *
 * Hand-written on bytes because decoding every line to a string and running the general parser
 * cost most of a full summary's time (bench/logs.ts).
 */
import {
  LEVEL_BY_LETTER,
  LEVEL_UNKNOWN,
  MAX_PARAMS,
  MAX_URL,
  milliseconds,
  resetLine,
  type ParsedLine,
} from './lineParser';
import type { ZoneClock } from './timestamps';
import { dayExists, offsetMinutes, utcTime } from './timestamps';

/** Longest body looked at; longer lines go to LineParser, which cuts them the same way. */
const MAX_BODY = 16 * 1024;

const STARTED = bytes('Started ');
const PROCESSING_BY = bytes('Processing by ');
const PARAMETERS = bytes('Parameters: ');
const COMPLETED = bytes('Completed ');
const COMPLETED_IN = bytes('Completed in ');
const RENDER = bytes('Render');
const RENDERING = bytes('Rendering ');
const REDIRECTED = bytes('Redirected to ');
const FOR = bytes('" for ');
const AT = bytes(' at ');
const IN = bytes(' in ');
const VIEWS = bytes('Views: ');
const ACTIVE_RECORD = bytes('ActiveRecord: ');
const ACTIVE_JOB = bytes('ActiveJob');

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function startsWith(b: Uint8Array, at: number, end: number, needle: Uint8Array): boolean {
  if (at + needle.length > end) return false;
  for (let k = 0; k < needle.length; k++) if (b[at + k] !== needle[k]) return false;
  return true;
}

function indexOf(b: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0];
  for (let i = from; i + needle.length <= end; i++) {
    if (b[i] === first && startsWith(b, i, end, needle)) return i;
  }
  return -1;
}

function lastIndexOf(b: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0];
  for (let i = end - needle.length; i >= from; i--) {
    if (b[i] === first && startsWith(b, i, end, needle)) return i;
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Two digits at `at`, or -1. */
function two(b: Uint8Array, at: number): number {
  const x = b[at] - 48;
  const y = b[at + 1] - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** True when LineParser would replace a byte of this range (a control character). */
function hasControl(b: Uint8Array, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = b[i];
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/** Whitespace as a regular expression's `\s` sees it within an ASCII line. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** One cached minute per date-time separator, as parseIsoLike keeps them. */
class MinuteCache {
  key = -1;
  utc = 0;
  zoned = 0;
}

export class FastLane {
  private readonly line: ParsedLine = resetLine(undefined, '');
  private readonly minutes = [new MinuteCache(), new MinuteCache()];
  private lastPid = '';
  private lastTag = '';
  private readonly lastTagBytes = new Uint8Array(128);
  private lastTagLength = 0;
  /** Set by `isoAt`: whether the time it read carried an offset. */
  private explicit = false;

  constructor(private readonly zone: ZoneClock) {}

  /**
   * The line in `b[start, end)` (ASCII, no escape character, no line end), or undefined when
   * it is not one of the shapes read here. The result is reused by the next call.
   */
  read(b: Uint8Array, start: number, end: number): ParsedLine | undefined {
    // `I, [2026-12-04T10:00:00.123456 #123]  INFO -- : `
    if (end - start < 36 || b[start + 1] !== 44 || b[start + 2] !== 32 || b[start + 3] !== 91) {
      return undefined;
    }
    const time = this.isoAt(b, start + 4, end, 84 /* T */);
    if (Number.isNaN(time) || this.explicit) return undefined;
    let i = this.isoEnd;
    if (b[i] !== 32 || b[i + 1] !== 35 /* # */) return undefined;
    const pidStart = i + 2;
    i = pidStart;
    while (isDigit(b[i])) i++;
    if (i === pidStart || b[i] !== 93 /* ] */ || i - start > 64) return undefined;
    const pidEnd = i;
    i++;
    while (b[i] === 32) i++;
    const levelStart = i;
    while (b[i] >= 65 && b[i] <= 90) i++;
    if (i - levelStart > 7 || b[i] !== 32 || b[i + 1] !== 45 || b[i + 2] !== 45) return undefined;
    if (b[i + 3] !== 32 || b[i + 4] !== 58 /* : */) return undefined;
    i += 5;
    if (b[i] === 32) i++;

    const line = resetLine(this.line, '');
    line.time = time;
    line.level = LEVEL_BY_LETTER[b[start]] ?? LEVEL_UNKNOWN;
    line.pid = this.pid(b, pidStart, pidEnd);

    // Tags: the first id-like one is the request id; most lines repeat the previous one.
    for (let n = 0; n < 8 && b[i] === 91 /* [ */; n++) {
      const known = this.lastTagLength;
      if (known > 0 && b[i + known + 1] === 93 && b[i + known + 2] === 32 && i + known + 2 < end) {
        if (this.sameTag(b, i + 1)) {
          if (line.requestId === undefined) line.requestId = this.lastTag;
          i += known + 3;
          continue;
        }
      }
      let close = i + 1;
      while (close < end && b[close] !== 93 && close - i <= 200) close++;
      if (close >= end || close - i > 200) return undefined;
      if (close + 1 >= end || b[close + 1] !== 32) return undefined;
      if (
        n === 0 &&
        close - i - 1 === ACTIVE_JOB.length &&
        startsWith(b, i + 1, close, ACTIVE_JOB)
      ) {
        return undefined;
      }
      if (line.requestId === undefined) line.requestId = this.tag(b, i + 1, close);
      i = close + 2;
    }

    // The body: leading spaces, then one of the known messages.
    while (b[i] === 32 || b[i] === 9) i++;
    if (i >= end) {
      line.kind = 'blank';
      return line;
    }
    if (end - i > MAX_BODY) return undefined;
    switch (b[i]) {
      case 83 /* S */:
        return startsWith(b, i, end, STARTED) && this.started(b, i, end, line) ? line : undefined;
      case 80 /* P */:
        if (startsWith(b, i, end, PROCESSING_BY)) {
          return this.processing(b, i + PROCESSING_BY.length, end, line) ? line : undefined;
        }
        if (startsWith(b, i, end, PARAMETERS)) {
          // Longer ones are cut to a head and a tail, LineParser's.
          if (end - i - 12 > MAX_PARAMS || hasControl(b, i + 12, end)) return undefined;
          line.kind = 'parameters';
          line.params = latin1(b, i + 12, end);
          return line;
        }
        return undefined;
      case 67 /* C */:
        if (!startsWith(b, i, end, COMPLETED) || startsWith(b, i, end, COMPLETED_IN)) {
          return undefined;
        }
        return this.completed(b, i, end, line) ? line : undefined;
      case 82 /* R */:
        // `Rendering ... (500 Internal Server Error)`: Rails 2's error page, the parser's.
        if (startsWith(b, i, end, RENDERING) && b[end - 1] === 41 /* ) */) return undefined;
        if (startsWith(b, i, end, REDIRECTED)) {
          const from = i + REDIRECTED.length;
          const to = Math.min(end, from + MAX_URL);
          if (hasControl(b, from, to)) return undefined;
          line.kind = 'redirect';
          line.url = latin1(b, from, to);
          return line;
        }
        return startsWith(b, i, end, RENDER) ? line : undefined;
    }
    return undefined;
  }

  /** The pid string, the previous one when it repeats: no allocation, a cached hash. */
  private pid(b: Uint8Array, from: number, to: number): string {
    const last = this.lastPid;
    if (to - from === last.length) {
      let same = true;
      for (let k = 0; k < last.length; k++) {
        if (b[from + k] !== last.charCodeAt(k)) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    this.lastPid = latin1(b, from, to);
    return this.lastPid;
  }

  private sameTag(b: Uint8Array, from: number): boolean {
    const kept = this.lastTagBytes;
    for (let k = this.lastTagLength - 1; k >= 0; k--) if (b[from + k] !== kept[k]) return false;
    return true;
  }

  /** The request id of a tag, or undefined when the tag is not id-like (LineParser's rule). */
  private tag(b: Uint8Array, from: number, to: number): string | undefined {
    const length = to - from;
    if (length === this.lastTagLength && length > 0 && this.sameTag(b, from)) return this.lastTag;
    if (length < 8 || length > 128) return undefined;
    let digitsSeen = false;
    let hexOnly = true;
    for (let k = from; k < to; k++) {
      const c = b[k];
      const digit = c >= 48 && c <= 57;
      const hex = digit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
      const word = hex || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 45;
      if (!word) return undefined;
      if (digit) digitsSeen = true;
      if (!hex && c !== 45) hexOnly = false;
    }
    if (!digitsSeen || length < (hexOnly ? 16 : 20)) return undefined;
    this.lastTag = latin1(b, from, to);
    for (let k = 0; k < length; k++) this.lastTagBytes[k] = b[from + k];
    this.lastTagLength = length;
    return this.lastTag;
  }

  /** `Started GET "/path" for 1.2.3.4 at 2026-12-04 10:00:00 +0000`, as LineParser reads it. */
  private started(b: Uint8Array, s: number, end: number, line: ParsedLine): boolean {
    // The method: `quote` is where ` "` begins, 9 to 24 characters into the body.
    let quote = s + 8;
    while (quote < end && !(b[quote] === 32 && b[quote + 1] === 34)) quote++;
    if (quote - s < 9 || quote - s > 24 || quote >= end) return false;
    const forAt = lastIndexOf(b, FOR, s, end);
    if (forAt <= quote) return false;
    const atAt = indexOf(b, AT, forAt + 6, end);
    if (atAt < 0 || atAt - forAt > 110) return false;
    for (let k = forAt + 6; k < atAt; k++) if (b[k] === 32) return false;
    const requestTime = this.isoAt(b, atAt + 4, end, 32 /* space */);
    if (Number.isNaN(requestTime)) return false;
    if (hasControl(b, s + 8, atAt)) return false;
    line.kind = 'started';
    line.method = latin1(b, s + 8, quote);
    line.path = latin1(b, quote + 2, forAt);
    line.ip = latin1(b, forAt + 6, atAt);
    line.requestTime = requestTime;
    line.requestTimeExplicit = this.explicit;
    return true;
  }

  /** `Processing by Controller#action as FORMAT`: /^Processing by (\S{1,300}) as (\S{1,60})/. */
  private processing(b: Uint8Array, s: number, end: number, line: ParsedLine): boolean {
    let i = s;
    while (i < end && !isSpace(b[i])) i++;
    if (i === s || i - s > 300) return false;
    if (b[i] !== 32 || b[i + 1] !== 97 || b[i + 2] !== 115 || b[i + 3] !== 32) return false;
    if (i + 4 >= end || isSpace(b[i + 4])) return false;
    let f = i + 4;
    // LineParser reads a control byte as U+FFFD, part of the format: such a line is its own.
    while (f < end && f - i - 4 < 60 && b[f] !== 32 && b[f] !== 9) f++;
    if (hasControl(b, s, i) || hasControl(b, i + 4, f)) return false;
    line.kind = 'processing';
    line.action = latin1(b, s, i);
    line.format = latin1(b, i + 4, f);
    return true;
  }

  /** `Completed 200 OK in 58ms (Views: 44.6ms | ActiveRecord: 0.0ms ...)`, as LineParser. */
  private completed(b: Uint8Array, s: number, end: number, line: ParsedLine): boolean {
    const status = numberAt(b, s + 10, end);
    if (numberEnd !== s + 13 || b[s + 13] !== 32) return false;
    const inAt = indexOf(b, IN, s + 13, end);
    if (inAt < 0 || inAt - s > 100) return false;
    const duration = numberAt(b, inAt + 4, end);
    if (Number.isNaN(duration) || b[numberEnd] !== 109 || b[numberEnd + 1] !== 115) return false;
    line.kind = 'completed';
    line.status = status;
    line.durationMs = milliseconds(duration);
    const open = numberEnd + 2;
    if (b[open] !== 32 || b[open + 1] !== 40 /* ( */) return true;
    const views = indexOf(b, VIEWS, open, end);
    if (views > 0) line.viewMs = milliseconds(numberAt(b, views + 7, end));
    const db = indexOf(b, ACTIVE_RECORD, open, end);
    if (db > 0) line.dbMs = milliseconds(numberAt(b, db + 14, end));
    return true;
  }

  private isoEnd = 0;

  /**
   * parseIsoLike on bytes, for the canonical `YYYY-MM-DD?HH:MM:SS[.fff]` with separator `sep`:
   * NaN for anything else (the caller then leaves the line to LineParser). Sets `explicit` and
   * `isoEnd` (the first byte after the seconds' fraction).
   */
  private isoAt(b: Uint8Array, at: number, end: number, sep: number): number {
    if (end - at < 19 || b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 10] !== sep) return NaN;
    if (b[at + 13] !== 58 || b[at + 16] !== 58) return NaN;
    const y1 = two(b, at);
    const y2 = two(b, at + 2);
    const mo = two(b, at + 5);
    const d = two(b, at + 8);
    const h = two(b, at + 11);
    const mi = two(b, at + 14);
    const s = two(b, at + 17);
    if ((y1 | y2 | mo | d | h | mi | s) < 0) return NaN;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
    const y = y1 * 100 + y2;
    // 2026-02-31: left to LineParser, which reads it as no time (Date.UTC rolls it on).
    if (d > 28 && !dayExists(y, mo, d)) return NaN;
    const cache = this.minutes[sep === 84 ? 0 : 1];
    // Minutes since year 0 as the key: unique for valid fields. No `| 0`: year 9999's minutes
    // pass 2^32, and a wrapped key gave a minute 7,169 years on the cached one's time.
    const key = (((y * 13 + mo) * 32 + d) * 24 + h) * 60 + mi;
    if (cache.key !== key) {
      cache.key = key;
      cache.utc = utcTime(y, mo - 1, d, h, mi);
      cache.zoned = this.zone.wallToEpoch(y, mo, d, h, mi, 0, 0);
    }
    let i = at + 19;
    let ms = 0;
    if (b[i] === 46 || b[i] === 44) {
      i++;
      let scale = 100;
      while (i < end && isDigit(b[i])) {
        ms += (b[i] - 48) * scale;
        scale /= 10;
        i++;
      }
    }
    this.isoEnd = i;
    let j = i;
    if (b[j] === 32) j++;
    // parseOffset: `Z`, `UTC`, `+01`, `+0100`, `+01:00`.
    const c = j < end ? b[j] : -1;
    let offset = NaN;
    if (c === 90 || (c === 85 && b[j + 1] === 84 && b[j + 2] === 67 && j + 2 < end)) {
      offset = 0;
    } else if (c === 43 || c === 45) {
      const hh = j + 2 < end ? two(b, j + 1) : -1;
      if (hh >= 0) {
        let k = j + 3;
        if (b[k] === 58 && k < end) k++;
        const mm = k + 1 < end ? two(b, k) : -1;
        const minutes = offsetMinutes(hh, mm < 0 ? 0 : mm);
        if (!Number.isNaN(minutes)) offset = (c === 45 ? -1 : 1) * minutes * 60_000;
      }
    }
    if (!Number.isNaN(offset)) {
      this.explicit = true;
      return cache.utc + s * 1000 + ms - offset;
    }
    this.explicit = false;
    return cache.zoned + s * 1000 + ms;
  }
}

/**
 * A decimal number at `at` (digits and one dot), or NaN; `numberEnd` is where it stopped. The
 * byte twin of lineParser's `numberAt`: the same arithmetic, so the same rounding (the fast lane
 * test holds them equal); one shared version would cost either side a conversion per call.
 */
let numberEnd = 0;
function numberAt(b: Uint8Array, at: number, end: number): number {
  let i = at;
  let value = 0;
  let scale = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      if (scale) {
        value += (c - 48) / scale;
        scale *= 10;
      } else {
        value = value * 10 + (c - 48);
      }
    } else if (c === 46 && !scale) {
      scale = 10;
    } else {
      break;
    }
  }
  numberEnd = i;
  return i === at ? NaN : Math.round(value * 1000) / 1000;
}

/**
 * Buffer's own `latin1Slice`, which `toString('latin1', from, to)` calls after checking its
 * arguments: a third of the cost for the short fields read here on every line. Every Node
 * version has it; the reader only uses the fast lane when it is there (`fastLaneAvailable`).
 */
interface Bytes extends Uint8Array {
  latin1Slice(from: number, to: number): string;
}

export const fastLaneAvailable =
  typeof (Buffer.prototype as Partial<Bytes>).latin1Slice === 'function';

function latin1(b: Uint8Array, from: number, to: number): string {
  return (b as Bytes).latin1Slice(from, to);
}
