/**
 * Dates as a person in a given time zone reads them, with the offset spelled out so the text in a
 * report means one instant wherever it is read, and the parser for that same text.
 */
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

/**
 * The instant in text written by `formatZonedTime` (or ISO 8601 with an offset); else undefined.
 */
export function parseZonedTime(text: string): Date | undefined {
  const match = ZONED.exec(text);
  if (!match) return undefined;
  const [, date, time, rawOffset] = match;
  const offset = rawOffset === 'Z' ? 'Z' : rawOffset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const instant = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
