/**
 * Dates as a person in a given time zone reads them, with the offset spelled out so the text in a
 * report means one instant wherever it is read, and the parser for that same text.
 */
import { wallTime } from '../playbook/schedule';
import { checkTimeZone } from '../util/timeZone';

interface ZonedParts {
  date: string;
  time: string;
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zonedParts(instant: Date, timeZone: string): ZonedParts {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: checkTimeZone(timeZone),
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    formatter.formatToParts(instant).find((p) => p.type === type)?.value ?? '';
  // `longOffset` reads "GMT+05:30", and plain "GMT" for a zero offset on some ICU versions.
  const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
    offset,
  };
}

/** `2026-12-04`: the calendar day in `timeZone` (a bug filed at 00:30 in Berlin is filed today). */
export function formatZonedDate(instant: Date, timeZone: string): string {
  return zonedParts(instant, timeZone).date;
}

/** `2026-03-29 13:00 +02:00 (Europe/Berlin)`: readable, and `parseZonedTime` reads it back. */
export function formatZonedTime(instant: Date, timeZone: string): string {
  const { date, time, offset } = zonedParts(instant, timeZone);
  return `${date} ${time} ${offset} (${timeZone})`;
}

const ZONED = /(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})/;
const WALL_CLOCK = /(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)/;

/**
 * The instant in text written by `formatZonedTime` (or ISO 8601 with an offset); else, when
 * `timeZone` is given, a date and time without an offset (`2026-12-05 15:00`, as the
 * `upkeep-bug` snippet writes the editor's clock) read on that zone's clocks; else undefined.
 */
export function parseZonedTime(text: string, timeZone?: string): Date | undefined {
  const match = ZONED.exec(text);
  if (!match) return timeZone === undefined ? undefined : wallClockInstant(text, timeZone);
  const [, date, time, rawOffset] = match;
  const offset = rawOffset === 'Z' ? 'Z' : rawOffset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const instant = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** A wall-clock date and time in `timeZone` (a time a clock change skipped reads an hour on). */
function wallClockInstant(text: string, timeZone: string): Date | undefined {
  const match = WALL_CLOCK.exec(text);
  if (!match) return undefined;
  const [, date, time] = match;
  const asUtc = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  const offsetAt = (instant: number): number => {
    const wall = wallTime(new Date(instant), timeZone);
    const shown = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
    return shown - Math.floor(instant / 60_000) * 60_000;
  };
  try {
    return new Date(asUtc - offsetAt(asUtc - offsetAt(asUtc)));
  } catch {
    // A zone this system does not know: the time cannot be placed.
    return undefined;
  }
}
