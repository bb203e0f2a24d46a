/**
 * Time windows ("1h", "24h", "7d", "FROM..TO") and finding a window's start in a large file by
 * binary search on its timestamps, so that "last hour" costs the same on 200 MB as on 2 GB.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Clock } from '../util/clock';
import { UpkeepError } from '../util/errors';
import type { LineParser } from './lineParser';
import type { LogWindow } from './summaryTypes';
import { utcTime } from './timestamps';

const UNITS: Record<string, { ms: number; one: string; many: string }> = {
  m: { ms: 60_000, one: 'minute', many: 'minutes' },
  h: { ms: 3_600_000, one: 'hour', many: 'hours' },
  d: { ms: 86_400_000, one: 'day', many: 'days' },
  w: { ms: 7 * 86_400_000, one: 'week', many: 'weeks' },
};

const WINDOW_HINT =
  'Use a duration like 1h, 24h, 7d or 30m, a range FROM..TO of ISO dates such as ' +
  '2026-12-01..2026-12-02 or 2026-12-01T08:00..2026-12-01T12:00 (either side may be empty), ' +
  'or all for the whole log (the default).';

/** Reads a window; times without an offset are in this machine's zone. */
export function parseWindow(text: string, clock: Clock): LogWindow {
  const value = text.trim();
  if (value === '' || value === 'all') return { label: 'all' };

  const duration = /^(\d{1,6}) ?(m|min|h|d|w)$/i.exec(value);
  if (duration) {
    const count = Number(duration[1]);
    const unit = UNITS[duration[2].toLowerCase().charAt(0)];
    if (count === 0) throw new UpkeepError('config', `The window "${text}" is empty.`, WINDOW_HINT);
    const to = clock.now();
    const from = new Date(to.getTime() - count * unit.ms);
    const label = count === 1 ? `last ${unit.one}` : `last ${count} ${unit.many}`;
    return { from, to, label };
  }

  const dots = value.indexOf('..');
  if (dots >= 0) {
    const fromText = value.slice(0, dots).trim();
    const toText = value.slice(dots + 2).trim();
    const from = fromText ? parseInstant(fromText, text) : undefined;
    const to = toText ? parseInstant(toText, text, true) : undefined;
    if (!from && !to) return { label: 'all' };
    if (from && to && from.getTime() > to.getTime()) {
      throw new UpkeepError('config', `The window "${text}" ends before it starts.`, WINDOW_HINT);
    }
    return { from, to, label: `${fromText || '…'}..${toText || '…'}` };
  }
  throw new UpkeepError('config', `Cannot read the window "${text}".`, WINDOW_HINT);
}

function parseInstant(value: string, whole: string, endOfDay = false): Date {
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(value);
  // A bare date is a whole local day: FROM its midnight, TO the end of it.
  const date = dateOnly ? new Date(`${value}T00:00:00`) : new Date(value);
  if (Number.isNaN(date.getTime()) || !realDay(value)) {
    throw new UpkeepError(
      'config',
      `Cannot read "${value}" in the window "${whole}".`,
      WINDOW_HINT,
    );
  }
  if (dateOnly && endOfDay) return new Date(date.getTime() + 86_400_000 - 1);
  return date;
}

/**
 * Whether `value` begins with a date its month has: Date reads 2026-02-30 as 2 March, which made
 * a window of days nobody asked for.
 */
function realDay(value: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return day >= 1 && new Date(utcTime(year, month - 1, day)).getUTCDate() === day;
}

const PROBE_BYTES = 64 * 1024;
/** Search stops when the range is this small; the rest is read line by line. */
const SEARCH_RESOLUTION = 256 * 1024;

/**
 * The offset of a line start at or before the first line stamped at or after `target` in the
 * open file `handle` (the one the summary reads: see readFile), assuming it is (roughly) in
 * time order. A probe that finds no timestamp, or one older
 * than a probe before it found, counts as "too late", so the search errs toward reading more,
 * never less. The line is one with a time: lines without (a request's lines after `Started` in
 * a log without timestamps) take the time of the line before them, which one pass reads.
 */
export async function seekToTime(
  handle: FileHandle,
  size: number,
  target: number,
  parser: LineParser,
): Promise<number> {
  const buffer = Buffer.alloc(PROBE_BYTES);
  let lo = 0;
  let hi = size;
  // The time found at `lo`, the file's start first. A probe that finds an older one is out of
  // order (a clock set back, or lines forged through a logged value, dated 1970) and moves
  // nothing on: the search reads more instead of skipping the part of the window before it.
  let loTime = (await firstTimeAt(handle, buffer, 0, parser))?.time ?? -Infinity;
  let loLine = 0;
  while (hi - lo > SEARCH_RESOLUTION) {
    const mid = Math.floor((lo + hi) / 2);
    const found = await firstTimeAt(handle, buffer, mid, parser);
    if (found === undefined || found.time >= target || found.time < loTime) {
      hi = mid;
    } else {
      lo = mid;
      loTime = found.time;
      loLine = mid + found.at;
    }
  }
  return loLine;
}

/** How many probes spread over a file tell whether it is in time order. */
const ORDER_PROBES = 32;

/**
 * Where the order probes read, in the order of the file: the start, then the fractional parts of
 * k times the golden ratio, which spread over the file without a step of their own. At even
 * steps, a log of 16m + 1 equal parts (17 pods' logs one after another) put probe k at k/16 of
 * part k's times, which went forward.
 */
function orderProbes(size: number): number[] {
  const golden = (Math.sqrt(5) - 1) / 2;
  const positions = [0];
  for (let k = 1; k < ORDER_PROBES; k++) positions.push(Math.floor(size * ((k * golden) % 1)));
  return positions.sort((a, b) => a - b);
}

/**
 * Whether the lines of the open file `handle` go forward in time, as far as probes spread over
 * it tell: none finds a time more than `slackMs` older than one before it. A log of one process
 * after another (`kubectl logs -l app=web --prefix` prints each pod's log in turn, or logs
 * joined with cat) goes back at each: a seek finds the window in one part, and a read that
 * stops after the window leaves out the parts after it.
 */
export async function inTimeOrder(
  handle: FileHandle,
  size: number,
  slackMs: number,
  parser: LineParser,
): Promise<boolean> {
  const buffer = Buffer.alloc(PROBE_BYTES);
  let newest = -Infinity;
  for (const position of orderProbes(size)) {
    const found = await firstTimeAt(handle, buffer, position, parser);
    if (!found) continue;
    if (found.time < newest - slackMs) return false;
    newest = Math.max(newest, found.time);
  }
  return true;
}

/** The time of the first whole line with one after `position`, and where that line begins. */
async function firstTimeAt(
  handle: FileHandle,
  buffer: Buffer,
  position: number,
  parser: LineParser,
): Promise<{ time: number; at: number } | undefined> {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  const chunk = buffer.subarray(0, bytesRead);
  let start = chunk.indexOf(10) + 1;
  try {
    while (start > 0 && start < chunk.length) {
      const end = chunk.indexOf(10, start);
      if (end < 0) return undefined;
      const parsed = parser.parse(chunk.toString('utf8', start, end));
      const time = Number.isNaN(parsed.time) ? parsed.requestTime : parsed.time;
      if (time !== undefined && !Number.isNaN(time)) return { time, at: start };
      start = end + 1;
    }
    return undefined;
  } finally {
    // Pieces of a split line held by a probe continue nothing the reader reads next.
    parser.forgetSplits();
  }
}
