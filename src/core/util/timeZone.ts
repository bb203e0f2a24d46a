/**
 * Time zones by IANA name, for the playbook's days, the templates' dates and the log engine's
 * offset-less timestamps: the machine's zone, a check of a configured name, and the wall clock
 * of a zone.
 */
import { UpkeepError } from './errors';
import { printableLine } from './printable';

let machineZone: string | undefined;

/**
 * This machine's IANA zone: what "today" and an offset-less time mean to its user. Read once:
 * the tree asks for the schedule's zone for every row it draws, and each read made a formatter.
 */
export function machineTimeZone(): string {
  machineZone ??= usableZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? fixedOffsetZone();
  return machineZone;
}

/** `zone` when Intl can format in it: an empty `TZ` resolves to `Etc/Unknown`, which it cannot. */
function usableZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    wallClockFormat(zone);
    return zone;
  } catch {
    return undefined;
  }
}

/**
 * The zone of a `TZ` that names none (empty, or a POSIX rule such as `EST5`), which cron tables
 * and containers set: the clock still runs at an offset from UTC (none for an empty TZ), and
 * `Etc/GMT+5` names this moment's (its sign inverted, as in POSIX). UTC for an offset that is
 * no whole hour, which no `Etc/` zone has.
 */
function fixedOffsetZone(): string {
  const minutesBehind = new Date().getTimezoneOffset();
  if (minutesBehind === 0 || minutesBehind % 60 !== 0) return 'UTC';
  const hours = minutesBehind / 60;
  return usableZone(`Etc/GMT${hours > 0 ? '+' : '-'}${Math.abs(hours)}`) ?? 'UTC';
}

/**
 * `zone` when Intl knows it; else a configuration error whose hint says where the name came
 * from, to fix it there. A known zone's formatter is made once (see wallClockFormat).
 */
export function checkTimeZone(
  zone: string,
  hint = 'Use an IANA name such as Europe/Berlin, America/New_York or UTC.',
): string {
  try {
    wallClockFormat(zone);
    return zone;
  } catch {
    // Named in one line: the name comes from a settings file or a flag, of any length.
    const named = printableLine(zone, 80);
    throw new UpkeepError('config', `"${named}" is not a time zone this system knows.`, hint);
  }
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * The numeric parts of a wall clock in `zone` (`formatToParts` gives year, month, day, hour 0–23,
 * minute, second), one formatter per zone: Intl's are slow to make.
 */
export function wallClockFormat(zone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClocks.set(zone, format);
  }
  return format;
}

/**
 * A zone's name as a caption shows it: `UTC` for UTC's other names (PostgreSQL's default
 * `Etc/UTC`, `GMT`, `Zulu`), as the dashboard names UTC beside its other times; else as given.
 */
export function shownZoneName(zone: string): string {
  try {
    return wallClockFormat(zone).resolvedOptions().timeZone === 'UTC' ? 'UTC' : zone;
  } catch {
    return zone;
  }
}
