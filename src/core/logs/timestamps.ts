/**
 * Turns the timestamps Rails writes into instants: an explicit offset is taken as written,
 * a timestamp without one is read in the configured IANA zone (or this machine's zone).
 */
import { wallClockFormat } from '../util/timeZone';

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/** 400 Gregorian years in ms: after them the calendar repeats, leap days and all. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * Date.UTC that keeps the year: Date.UTC reads years 0 to 99 as 1900 to 1999, so those are
 * counted four centuries on and moved back. Month is 0-based, as in Date.UTC.
 */
export function utcTime(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return y >= 0 && y < 100
    ? Date.UTC(y + 400, mo, d, h, mi, s) - FOUR_CENTURIES_MS
    : Date.UTC(y, mo, d, h, mi, s);
}

const YEAR_100 = utcTime(100, 0, 1);

/**
 * Whether month `mo` (1-based) of year `y` has a day `d`. A log time on a day its month lacks
 * (2026-02-31, forged or broken) is read as no time: Date.UTC would roll it into the next
 * month. Cheap for days up to 28, which are most of them.
 */
export function dayExists(y: number, mo: number, d: number): boolean {
  if (d <= 28) return d >= 1;
  if (mo === 2) return d === 29 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31);
}

/**
 * How far past the clock a log time may be and still be taken as written: a line later than
 * that is future-dated (a clock set wrong, or forged through a logged value). Such a line does
 * not end the read of a window (one dated 2099 hid every request after it), and its hour gets
 * no row in the per-hour tables (one line per hour for years ahead pushed every real hour out).
 */
export const FUTURE_MARGIN_MS = 60 * 60_000;

/**
 * Reads wall-clock times in one zone. The offset is looked up once per hour of wall time (per
 * minute in an hour whose offset changes midway) and cached, because Intl is far too slow to ask
 * for every line of a large log.
 */
export class ZoneClock {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly hourCache = new Map<number, number>();
  /** The offsets of the minutes of hours whose offset changes midway, by wall-clock minute. */
  private readonly minuteCache = new Map<number, number>();

  constructor(readonly zone: string) {
    this.formatter = wallClockFormat(zone);
  }

  /** Epoch ms of a wall-clock time in this zone. Month is 1-based. */
  wallToEpoch(
    y: number,
    mo: number,
    d: number,
    h: number,
    mi: number,
    s: number,
    ms: number,
  ): number {
    const hourKey = utcTime(y, mo - 1, d, h);
    let hourStart = this.hourCache.get(hourKey);
    if (hourStart === undefined) {
      if (this.hourCache.size > 20000) this.hourCache.clear();
      const offset = this.offsetOfWall(hourKey);
      hourStart = hourKey - offset;
      // An offset that changes within the hour (Lord Howe Island's clocks move 30 minutes, at
      // 02:00): NaN, and each minute of the hour is looked up on its own.
      const end = hourStart + 3_599_999;
      if (this.offsetAt(hourStart) !== offset || this.offsetAt(end) !== offset) hourStart = NaN;
      this.hourCache.set(hourKey, hourStart);
    }
    if (Number.isNaN(hourStart)) {
      const minute = hourKey + mi * 60_000;
      let offset = this.minuteCache.get(minute);
      if (offset === undefined) {
        if (this.minuteCache.size > 20000) this.minuteCache.clear();
        offset = this.offsetOfWall(minute);
        this.minuteCache.set(minute, offset);
      }
      return minute - offset + s * 1000 + ms;
    }
    return hourStart + mi * 60_000 + s * 1000 + ms;
  }

  /** The zone's offset at a wall-clock time (written as if it were UTC). */
  private offsetOfWall(wall: number): number {
    const firstGuess = wall - this.offsetAt(wall);
    // A second look settles times next to a daylight-saving change.
    return this.offsetAt(firstGuess);
  }

  /** The zone's offset from UTC (ms) at an instant. */
  private offsetAt(epoch: number): number {
    // Intl drops the era of a year before 1 and the century of a year below 100 reads as 19xx:
    // four centuries on, the calendar and a zone's early mean time are the same.
    const shift = epoch < YEAR_100 ? FOUR_CENTURIES_MS : 0;
    const parts = this.formatter.formatToParts(new Date(epoch + shift));
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return wall - shift - Math.floor(epoch / 1000) * 1000;
  }
}

export interface ParsedTime {
  epoch: number;
  explicit: boolean;
}

function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    value = value * 10 + c;
  }
  return value;
}

/**
 * The minute of the last timestamp parsed, one slot per date-time separator (`T` in Logger
 * prefixes, a space in `Started ... at`): most lines repeat the previous line's minute.
 */
interface MinuteCache {
  prefix: string;
  utc: number;
  zoned: number;
  zone: ZoneClock | undefined;
}

const minuteCaches: MinuteCache[] = [
  { prefix: '', utc: 0, zoned: 0, zone: undefined },
  { prefix: '', utc: 0, zoned: 0, zone: undefined },
];

/**
 * Parses `2021-11-26T00:04:44.292577`, `2021-11-26 00:04:44 +0000`, `2025-06-05T07:12:47.532Z`
 * and the like, starting at `start`. Hand-written instead of a regular expression because it
 * runs on every line.
 */
export function parseIsoLike(text: string, zone: ZoneClock, start = 0): ParsedTime | undefined {
  if (text.length < start + 19) return undefined;
  const s = digits(text, start + 17, 2);
  if (Number.isNaN(s) || s > 60 || text.charCodeAt(start + 16) !== 58 /* : */) return undefined;

  let utcMinute: number;
  let zonedMinute: number;
  const minuteCache = minuteCaches[text.charCodeAt(start + 10) === 84 /* T */ ? 0 : 1];
  if (minuteCache.zone === zone && text.startsWith(minuteCache.prefix, start)) {
    utcMinute = minuteCache.utc;
    zonedMinute = minuteCache.zoned;
  } else {
    const y = digits(text, start, 4);
    const mo = digits(text, start + 5, 2);
    const d = digits(text, start + 8, 2);
    const h = digits(text, start + 11, 2);
    const mi = digits(text, start + 14, 2);
    if (
      Number.isNaN(y + mo + d + h + mi) ||
      text[start + 4] !== '-' ||
      text[start + 13] !== ':' ||
      mo < 1 ||
      mo > 12 ||
      !dayExists(y, mo, d) ||
      h > 23 ||
      mi > 59
    ) {
      return undefined;
    }
    utcMinute = utcTime(y, mo - 1, d, h, mi);
    zonedMinute = zone.wallToEpoch(y, mo, d, h, mi, 0, 0);
    minuteCache.prefix = text.slice(start, start + 16);
    minuteCache.utc = utcMinute;
    minuteCache.zoned = zonedMinute;
    minuteCache.zone = zone;
  }

  let i = start + 19;
  let ms = 0;
  if (text[i] === '.' || text[i] === ',') {
    i++;
    let scale = 100;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      ms += (text.charCodeAt(i) - 48) * scale;
      scale /= 10;
      i++;
    }
  }
  if (text[i] === ' ') i++;
  const offset = parseOffset(text, i);
  if (offset !== undefined) return { epoch: utcMinute + s * 1000 + ms - offset, explicit: true };
  return { epoch: zonedMinute + s * 1000 + ms, explicit: false };
}

/** `Z`, `UTC`, `+0100`, `+01:00`, `-05` at position i; ms east of UTC. */
function parseOffset(text: string, i: number): number | undefined {
  const c = text[i];
  if (c === 'Z' || text.startsWith('UTC', i)) return 0;
  if (c !== '+' && c !== '-') return undefined;
  const hh = digits(text, i + 1, 2);
  if (Number.isNaN(hh)) return undefined;
  let j = i + 3;
  if (text[j] === ':') j++;
  const mm = digits(text, j, 2);
  const minutes = offsetMinutes(hh, Number.isNaN(mm) ? 0 : mm);
  return Number.isNaN(minutes) ? undefined : (c === '-' ? -1 : 1) * minutes * 60_000;
}

/**
 * The minutes of an offset of `hh` hours and `mm` minutes, or NaN when no clock has it: past
 * 14:00 (Kiribati's +14 is the widest) or with 60 minutes or more. A time with such an offset
 * (`+99:99`, forged or broken) is read as one with none, as a malformed offset is, by both the
 * fast lane and the line parser.
 */
export function offsetMinutes(hh: number, mm: number): number {
  const minutes = hh * 60 + mm;
  return mm < 60 && minutes <= 14 * 60 ? minutes : NaN;
}

/** Syslog's `Dec  4 10:00:00`, which has neither year nor zone; the year is the clock's. */
export function parseSyslogTime(
  month: string,
  day: string,
  time: string,
  zone: ZoneClock,
  now: Date,
): ParsedTime | undefined {
  const mo = MONTHS[month];
  if (!mo) return undefined;
  const h = digits(time, 0, 2);
  const mi = digits(time, 3, 2);
  const s = digits(time, 6, 2);
  // journalctl's short-precise adds microseconds: `10:00:00.123456`.
  const ms = time[8] === '.' ? Math.floor(Number(`0${time.slice(8)}`) * 1000) : 0;
  const d = Number(day);
  if (d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  let year = now.getUTCFullYear();
  let epoch = zone.wallToEpoch(year, mo, d, h, mi, s, ms);
  // A December line read in January belongs to last year.
  if (epoch > now.getTime() + 86_400_000) {
    year--;
    epoch = zone.wallToEpoch(year, mo, d, h, mi, s, ms);
  }
  // Feb 29 is a day of the year it is read in only in a leap year.
  if (!dayExists(year, mo, d)) return undefined;
  return Number.isNaN(epoch) ? undefined : { epoch, explicit: false };
}

/** `Thu Nov 25 10:00:00 +0100 2010`; `UTC` in place of the offset for a UTC time. */
const RUBY18_TIME = new RegExp(
  String.raw`^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) ` +
    String.raw`(?:([+-])(\d\d)(\d\d)|UTC) (\d{4})$`,
);

/**
 * Ruby 1.8's `Time#to_s`, which Rails 3.0 and 3.1 wrote in `Started ... at TIME` on that Ruby
 * (Ruby 1.9 and later write `2010-11-25 10:00:00 +0100`). It always carries its offset.
 */
export function parseRubyTime(text: string): ParsedTime | undefined {
  const m = RUBY18_TIME.exec(text);
  const mo = m ? MONTHS[m[1]] : undefined;
  if (!m || !mo) return undefined;
  const d = Number(m[2]);
  const h = Number(m[3]);
  const mi = Number(m[4]);
  const s = Number(m[5]);
  const y = Number(m[9]);
  if (!dayExists(y, mo, d) || h > 23 || mi > 59 || s > 60) return undefined;
  const minutes = m[6] ? offsetMinutes(Number(m[7]), Number(m[8])) : 0;
  if (Number.isNaN(minutes)) return undefined;
  const offset = (m[6] === '-' ? -1 : 1) * minutes;
  const epoch = utcTime(y, mo - 1, d, h, mi, s) - offset * 60_000;
  return { epoch, explicit: true };
}

/** The start of the UTC hour of an instant. */
export function hourOf(epoch: number): number {
  return Math.floor(epoch / 3_600_000) * 3_600_000;
}
