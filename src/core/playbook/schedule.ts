/**
 * Due and done: the period a tier repeats on (day, ISO week, month, quarter, year) in the user's
 * time zone, and whether a task is done for it, due, overdue (for how long) or snoozed.
 *
 * Hand-written on `Intl.DateTimeFormat` because no time-zone library is installed and the needs
 * are small: wall time of an instant, and the first instant of a local date (DST-safe).
 */
import { plural } from '../util/plural';
import { wallClockFormat } from '../util/timeZone';
import type { PeriodUnit, Tier } from './model';
import type { HistoryEntry, TaskState } from './state';

/** A calendar date without a time or a zone. */
export interface LocalDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export interface Period {
  unit: Exclude<PeriodUnit, 'none'>;
  /** Stable name: `2026-12-04`, `2026-W53`, `2026-12`, `2026-Q4`, `2026`. */
  key: string;
  /** The first instant of the period in the time zone. */
  start: Date;
  /** The first instant of the next period. */
  end: Date;
}

interface WallTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

/** 0001-01-01 and 9999-12-31 (UTC): the years a `YYYY-MM-DD` date and a period key can say. */
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A time read from the state file (which a repo may commit), or undefined when it is none a
 * calendar here can place: not a time, or outside years 1 to 9999 (valid ISO text such as
 * `+275760-09-13T00:00:00Z` made the period arithmetic throw, `-000500-…` read as the year 501).
 */
export function stateInstant(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const instant = new Date(text);
  return isPlaceable(instant) ? instant : undefined;
}

function isPlaceable(instant: Date): boolean {
  const time = instant.getTime();
  return time >= FIRST_INSTANT && time <= LAST_INSTANT;
}

/** What a clock on the wall in `timeZone` shows at `instant`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of wallClockFormat(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  // Intl numbers the year before 1 as "1" (1 BC, its era left unsaid): the wall's year is the
  // UTC one, or the one before or after it across New Year.
  const utcMonth = instant.getUTCMonth() + 1;
  let year = instant.getUTCFullYear();
  if (parts.month === 12 && utcMonth === 1) year -= 1;
  else if (parts.month === 1 && utcMonth === 12) year += 1;
  return {
    year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const { year, month, day } = wallTime(instant, timeZone);
  return { year, month, day };
}

/** The Gregorian calendar repeats every 400 years, which are 146,097 days. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * Date.UTC for every year a state file can hold: Date.UTC reads the years 0 to 99 as 1900 to
 * 1999, so those are counted 400 years later and moved back.
 */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0) {
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second);
  return Date.UTC(year + 400, monthIndex, day, hour, minute, second) - FOUR_CENTURIES_MS;
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallTime(new Date(instant), timeZone);
  const asUtc = utc(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * The first instant whose local date is `date`: local midnight (the first one, when clocks fell
 * back from 01:00 to midnight and it came twice), or the end of a DST gap when midnight does not
 * exist that day (as in zones that spring forward at 00:00).
 */
export function startOfLocalDate(date: LocalDate, timeZone: string): Date {
  const guess = utc(date.year, date.month - 1, date.day);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  // Midnight is local midnight at the offset in force before or after a change near it.
  const candidates = [
    first,
    second,
    guess - offsetAt(guess - 86_400_000, timeZone),
    guess - offsetAt(guess + 86_400_000, timeZone),
  ].sort((a, b) => a - b);
  for (const candidate of candidates) {
    const wall = wallTime(new Date(candidate), timeZone);
    if (compareDates(wall, date) === 0 && wall.hour === 0 && wall.minute === 0) {
      return new Date(candidate);
    }
  }

  // Midnight falls in a gap: search for the first instant that is already on `date`.
  let low = candidates[0] - 3 * 3600_000;
  let high = candidates[candidates.length - 1] + 3 * 3600_000;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (compareDates(localDateOf(new Date(middle), timeZone), date) >= 0) high = middle;
    else low = middle;
  }
  return new Date(high);
}

/** Calendar arithmetic on plain dates (no zone involved). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(utc(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Whole calendar days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(
    (utc(b.year, b.month - 1, b.day) - utc(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

/**
 * Whole days from `a` to `b` as `timeZone` lived them: a date it skipped is not counted (Samoa
 * went from 29 to 31 December 2011, crossing the date line). The distance of the two dates'
 * first instants, in days: a DST change moves it by an hour or two, which the rounding drops.
 */
function daysLived(a: LocalDate, b: LocalDate, timeZone: string): number {
  const start = startOfLocalDate(a, timeZone).getTime();
  return Math.round((startOfLocalDate(b, timeZone).getTime() - start) / 86_400_000);
}

/** 1 = Monday .. 7 = Sunday. */
function isoWeekday(date: LocalDate): number {
  return new Date(utc(date.year, date.month - 1, date.day)).getUTCDay() || 7;
}

/** The ISO 8601 week of a date: the week belongs to the year that holds its Thursday. */
export function isoWeek(date: LocalDate): { year: number; week: number; monday: LocalDate } {
  const monday = addDays(date, 1 - isoWeekday(date));
  const thursday = addDays(monday, 3);
  const week = Math.floor(daysBetween({ year: thursday.year, month: 1, day: 1 }, thursday) / 7) + 1;
  return { year: thursday.year, week, monday };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export function formatLocalDate(date: LocalDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

export function parseLocalDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const check = addDays(date, 0);
  return compareDates(check, date) === 0 ? date : undefined;
}

/** The period of `unit` that contains `instant`, in `timeZone`. */
export function periodAt(
  unit: Exclude<PeriodUnit, 'none'>,
  instant: Date,
  timeZone: string,
): Period {
  const today = localDateOf(instant, timeZone);
  let first: LocalDate;
  let next: LocalDate;
  let key: string;
  switch (unit) {
    case 'day':
      first = today;
      next = addDays(today, 1);
      key = formatLocalDate(today);
      break;
    case 'week': {
      const week = isoWeek(today);
      first = week.monday;
      next = addDays(week.monday, 7);
      key = `${pad(week.year, 4)}-W${pad(week.week)}`;
      break;
    }
    case 'month':
      first = { year: today.year, month: today.month, day: 1 };
      next = addMonths(first, 1);
      key = `${pad(today.year, 4)}-${pad(today.month)}`;
      break;
    case 'quarter': {
      const quarter = Math.floor((today.month - 1) / 3) + 1;
      first = { year: today.year, month: quarter * 3 - 2, day: 1 };
      next = addMonths(first, 3);
      key = `${pad(today.year, 4)}-Q${quarter}`;
      break;
    }
    case 'year':
      first = { year: today.year, month: 1, day: 1 };
      next = { year: today.year + 1, month: 1, day: 1 };
      key = pad(today.year, 4);
      break;
  }
  return {
    unit,
    key,
    start: startOfLocalDate(first, timeZone),
    end: startOfLocalDate(next, timeZone),
  };
}

function addMonths(first: LocalDate, months: number): LocalDate {
  const index = first.year * 12 + (first.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 };
}

function nextPeriod(period: Period, timeZone: string): Period {
  return periodAt(period.unit, period.end, timeZone);
}

type TaskStatusKind = 'done' | 'due' | 'overdue' | 'snoozed' | 'onDemand';

export interface TaskStatus {
  kind: TaskStatusKind;
  /** The current period; absent for on-demand tasks. */
  period?: Period;
  /** Ids of the checklist items ticked in the current period (or the current run). */
  checkedItems: string[];
  /** Done for this period: when and by whom. */
  done?: { at: string; by: string };
  /** Due: calendar days until the end of the period (0 = today). */
  dueInDays?: number;
  /** Overdue: since when (the end of the first missed period) and by how many calendar days. */
  overdueSince?: Date;
  overdueDays?: number;
  /** Overdue: the key of the first period that went by without it (`2026-W48`). */
  missedPeriod?: string;
  /** Snoozed: the local date the task is due again. */
  snoozedUntil?: string;
  /** Snoozed: why, when the maintainer said. */
  snoozeReason?: string;
}

/** Ticks of an on-demand task: its run's, until the run is done (no period, no times). */
function onDemandTicks(state: TaskState | undefined): string[] {
  if (!state || state.periodKey !== 'onDemand') return [];
  return Object.keys(state.ticks);
}

/**
 * The checklist items ticked in `period`: a tick counts for the period its time falls in, in
 * the zone read here, by the rule a completion follows (`completedIn`), whatever period its
 * writer filed the ticks under. A tick whose time is no time keeps the period it was filed
 * under; one stamped days ahead counts for none.
 */
export function ticksIn(state: TaskState | undefined, period: Period, now: Date): string[] {
  if (!state) return [];
  const filedUnder = state.periodKey ?? '';
  return Object.keys(state.ticks).filter((id) =>
    completedIn({ periodKey: filedUnder, at: state.ticks[id].at }, period, now),
  );
}

/** The key ticks and completions are filed under: the period's key, or `onDemand`. */
export function periodKeyFor(tier: Tier, now: Date, timeZone: string): string {
  return tier.period === 'none' ? 'onDemand' : periodAt(tier.period, now, timeZone).key;
}

/**
 * How far ahead of this machine's clock a completion may be stamped and still count: machines
 * sharing a state file disagree by seconds or minutes, a zone set wrong by hours.
 */
const CLOCK_SKEW_MS = 24 * 3600_000;

/**
 * Whether a time from the state file is more than CLOCK_SKEW_MS ahead of `now`: written by a
 * clock that was wrong, it says nothing of when the work was done.
 */
export function stampedAhead(text: string | undefined, now: Date): boolean {
  const at = stateInstant(text);
  return at !== undefined && at.getTime() - now.getTime() > CLOCK_SKEW_MS;
}

/** A completion as the state keeps it: the task's last, or one in its history. */
interface Completion {
  periodKey: string;
  at: string;
  by: string;
}

/**
 * The completion the task stands on: its last one, or when that is stamped ahead (trusted, it
 * kept the task from being overdue until the period after it, months later) the last one in the
 * history that stands, neither stamped ahead nor taken back, as the task would stand had the
 * one stamped ahead not been.
 */
function standingCompletion(
  state: TaskState | undefined,
  unit: Exclude<PeriodUnit, 'none'>,
  now: Date,
  timeZone: string,
): Completion | undefined {
  if (!state?.done || !stampedAhead(state.done.at, now)) return state?.done;
  return lastStanding(
    state.history,
    (entry) => stateInstant(entry.at) !== undefined && !stampedAhead(entry.at, now),
    { unit, timeZone },
  );
}

/**
 * The last completion in `history` that `counts` and no reset took back: a reset after it in
 * its period, the period its time falls in when read in a zone (another zone may file the two
 * under different keys), else the period it was filed under.
 */
export function lastStanding(
  history: readonly HistoryEntry[],
  counts: (entry: HistoryEntry) => boolean,
  reading?: { unit: Exclude<PeriodUnit, 'none'>; timeZone: string },
): Completion | undefined {
  const periodOf = (entry: HistoryEntry): string => {
    const at = reading ? stateInstant(entry.at) : undefined;
    return at && reading ? periodAt(reading.unit, at, reading.timeZone).key : entry.periodKey;
  };
  const takenBack = new Set<string>();
  for (const entry of [...history].reverse()) {
    if (entry.action === 'reset') takenBack.add(periodOf(entry));
    if (entry.action === 'done' && counts(entry) && !takenBack.has(periodOf(entry))) return entry;
  }
  return undefined;
}

/**
 * Whether a completion is one of `period`: its time falls in the period in the zone read here,
 * whatever period its writer filed it under (a machine in another zone files 08:00 on 1 March
 * in Tokyo under March, when it is still February in London). Stamped ahead, it is not; a time
 * that is no time leaves only the period it was filed under.
 */
export function completedIn(
  done: { periodKey: string; at: string } | undefined,
  period: Period,
  now: Date,
): boolean {
  if (!done) return false;
  const at = stateInstant(done.at);
  if (!at) return done.periodKey === period.key;
  return !stampedAhead(done.at, now) && at >= period.start && at < period.end;
}

/** What a completion stamped ahead adds to its "last done" line, in the tree and the CLI. */
export const STAMPED_AHEAD_NOTE = ', a time still to come (a clock was wrong)';

/** Where a task stands at `now`. A task never done counts from when Upkeep first saw it. */
export function taskStatus(
  tier: Tier,
  state: TaskState | undefined,
  now: Date,
  timeZone: string,
): TaskStatus {
  if (tier.period === 'none') {
    return { kind: 'onDemand', checkedItems: onDemandTicks(state) };
  }

  const period = periodAt(tier.period, now, timeZone);
  const checkedItems = ticksIn(state, period, now);
  const today = localDateOf(now, timeZone);
  const last = standingCompletion(state, tier.period, now, timeZone);
  if (completedIn(last, period, now)) {
    return { kind: 'done', period, checkedItems, done: { at: last!.at, by: last!.by } };
  }

  const snoozed = state?.snoozedUntil ? parseLocalDate(state.snoozedUntil) : undefined;
  if (snoozed && compareDates(today, snoozed) < 0) {
    const snoozedStatus: TaskStatus = {
      kind: 'snoozed',
      period,
      checkedItems,
      snoozedUntil: state!.snoozedUntil,
    };
    if (state!.snoozeReason) snoozedStatus.snoozeReason = state!.snoozeReason;
    return snoozedStatus;
  }

  const lastDay = localDateOf(new Date(period.end.getTime() - 1), timeZone);
  const due: TaskStatus = {
    kind: 'due',
    period,
    checkedItems,
    dueInDays: daysLived(today, lastDay, timeZone),
  };
  const doneAt = stateInstant(last?.at);
  const since = stateInstant(state?.since);
  let firstMissed: Period;
  if (doneAt) {
    firstMissed = nextPeriod(periodAt(tier.period, doneAt, timeZone), timeZone);
  } else if (since) {
    firstMissed = periodAt(tier.period, since, timeZone);
  } else {
    return due;
  }
  // A snooze that ran out moves the deadline to the end of the period it ended in.
  if (snoozed) {
    const wokeIn = periodAt(tier.period, startOfLocalDate(snoozed, timeZone), timeZone);
    if (wokeIn.start > firstMissed.start) firstMissed = wokeIn;
  }
  if (firstMissed.end.getTime() > now.getTime()) return due;

  const missedLastDay = localDateOf(new Date(firstMissed.end.getTime() - 1), timeZone);
  return {
    kind: 'overdue',
    period,
    checkedItems,
    overdueSince: firstMissed.end,
    overdueDays: Math.max(daysLived(missedLastDay, today, timeZone), 1),
    missedPeriod: firstMissed.key,
  };
}

/** The tree's one-line description: "due today", "overdue 3 days", "done 09:12 by Ann". */
export function describeTaskStatus(
  status: TaskStatus,
  now: Date,
  timeZone: string,
  itemCount = 0,
): string {
  switch (status.kind) {
    case 'onDemand':
      return status.checkedItems.length && itemCount
        ? `in progress ${status.checkedItems.length}/${itemCount}`
        : 'on demand';
    case 'due': {
      const days = status.dueInDays ?? 0;
      const when = days <= 0 ? 'due today' : days === 1 ? 'due tomorrow' : `due in ${days} days`;
      return status.checkedItems.length && itemCount
        ? `${when} · ${status.checkedItems.length}/${itemCount}`
        : when;
    }
    case 'overdue':
      return `overdue ${plural(status.overdueDays ?? 1, 'day')}`;
    case 'snoozed':
      return `snoozed until ${status.snoozedUntil}${
        status.snoozeReason ? `: ${status.snoozeReason}` : ''
      }`;
    case 'done':
      return (
        `done ${describeInstant(new Date(status.done!.at), now, timeZone)} ` +
        `by ${status.done!.by}`
      );
  }
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon": a local date's weekday. */
export function weekdayOf(date: LocalDate): string {
  return WEEKDAYS[isoWeekday(date) - 1];
}

/**
 * The facts behind a task's state, for its tooltip: since when it is overdue and which period
 * went by without it, and when it was last done and by whom (or that it never was since Upkeep
 * first saw it). Nothing for a task done this period or on demand: its row says it.
 */
export function describeLastDone(
  status: TaskStatus,
  state: TaskState | undefined,
  now: Date,
  timeZone: string,
): string[] {
  if (status.kind === 'done' || status.kind === 'onDemand' || !status.period) return [];
  const lines: string[] = [];
  if (status.kind === 'overdue' && status.overdueSince) {
    const day = localDateOf(status.overdueSince, timeZone);
    lines.push(
      `Overdue since ${formatLocalDate(day)} (${weekdayOf(day)}): ` +
        `${status.period.unit} ${status.missedPeriod} went by without it`,
    );
  }
  const since = stateInstant(state?.since);
  if (state?.done) {
    const at = describeInstant(new Date(state.done.at), now, timeZone);
    const ahead = stampedAhead(state.done.at, now) ? STAMPED_AHEAD_NOTE : '';
    lines.push(`Last done ${at} by ${state.done.by}${ahead}`);
  } else if (since) {
    const first = formatLocalDate(localDateOf(since, timeZone));
    const ahead = stampedAhead(state?.since, now) ? STAMPED_AHEAD_NOTE : '';
    lines.push(`Never done since Upkeep first saw it, ${first}${ahead}`);
  }
  return lines;
}

/**
 * "09:12" today, "Tue 09:12" within a week either way (a task done, a bug report's response
 * deadline), "2026-11-03" further off.
 */
export function describeInstant(instant: Date, now: Date, timeZone: string): string {
  // A time from a hand-edited state file that is not one: said so, rather than a RangeError
  // that leaves the whole tree undrawn.
  if (!isPlaceable(instant)) return 'at an unknown time';
  const wall = wallTime(instant, timeZone);
  const time = `${pad(wall.hour)}:${pad(wall.minute)}`;
  const days = daysBetween(wall, localDateOf(now, timeZone));
  if (days === 0) return time;
  if (Math.abs(days) < 7) {
    return `${weekdayOf(wall)} ${time}`;
  }
  return formatLocalDate(wall);
}

/** "just now", "2 min ago", "3 h ago", "5 days ago": for the last run of a check. */
export function describeAge(instant: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - instant.getTime()) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${plural(Math.round(hours / 24), 'day')} ago`;
}

/**
 * How many days before the end of its period a task is "due soon", by the tier's unit. A task is
 * due for its whole period ("due in 27 days"), but a maintainer reads "due" in a count as "needs
 * doing now": a daily task on its day, a weekly one due within 2 days (from Friday, as ISO weeks
 * end on Sunday), a monthly, quarterly or annual one due within 7 days. Earlier it is
 * "due later": its row still says when, but it is left out of the badge, the status bar and the
 * tier's counts.
 */
const DUE_SOON_DAYS: Readonly<Record<Exclude<PeriodUnit, 'none'>, number>> = {
  day: 0,
  week: 2,
  month: 7,
  quarter: 7,
  year: 7,
};

/**
 * The longest a period of each unit lasts, in days (a 31-day month, a leap year): something
 * a task wants done every period is late once it is older than this.
 */
export const LONGEST_PERIOD_DAYS: Readonly<Record<Exclude<PeriodUnit, 'none'>, number>> = {
  day: 1,
  week: 7,
  month: 31,
  quarter: 92,
  year: 366,
};

/** Due within its tier's lead time (`DUE_SOON_DAYS`): today for a daily task. */
export function isDueSoon(status: TaskStatus): boolean {
  if (status.kind !== 'due' || !status.period) return false;
  return (status.dueInDays ?? 0) <= DUE_SOON_DAYS[status.period.unit];
}

/** Tasks that count in the badge, the status bar and the tier rows: overdue or due soon. */
export function needsAttention(status: TaskStatus): boolean {
  return status.kind === 'overdue' || isDueSoon(status);
}

interface AttentionCounts {
  overdue: number;
  dueSoon: number;
  /** Due this period but not yet within the lead time; not part of any count shown. */
  dueLater: number;
  /** Open bug reports whose response is overdue (badge and status bar; the tiers count tasks). */
  lateResponses?: number;
}

export function countAttention(statuses: readonly TaskStatus[]): AttentionCounts {
  const counts: AttentionCounts = { overdue: 0, dueSoon: 0, dueLater: 0 };
  for (const status of statuses) {
    if (status.kind === 'overdue') counts.overdue++;
    else if (isDueSoon(status)) counts.dueSoon++;
    else if (status.kind === 'due') counts.dueLater++;
  }
  return counts;
}

/**
 * "2 overdue, 3 due soon, 1 bug response overdue"; '' when nothing needs attention. Tiers,
 * badge and status bar.
 */
export function describeAttention(counts: AttentionCounts, separator = ', '): string {
  const late = counts.lateResponses ?? 0;
  return [
    counts.overdue ? `${counts.overdue} overdue` : '',
    counts.dueSoon ? `${counts.dueSoon} due soon` : '',
    late ? `${plural(late, 'bug response')} overdue` : '',
  ]
    .filter(Boolean)
    .join(separator);
}

/** What "due soon" means for a tier of `unit`, for tooltips: "due today", "due within 7 days". */
export function describeDueSoon(unit: Exclude<PeriodUnit, 'none'>): string {
  const days = DUE_SOON_DAYS[unit];
  return days === 0 ? 'due today' : `due within ${plural(days, 'day')}`;
}
