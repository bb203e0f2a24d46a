/**
 * The dates Snooze Task offers, counted from today in the user's time zone: in date order, each
 * date once (on a Friday "In 3 days" is next Monday; on a Sunday next Monday is tomorrow).
 */
import { addDays, daysBetween, isoWeek, type LocalDate } from './schedule';

interface SnoozeChoice {
  label: string;
  date: LocalDate;
}

export function snoozeChoices(today: LocalDate): SnoozeChoice[] {
  const week = isoWeek(today);
  const nextMonth =
    today.month === 12
      ? { year: today.year + 1, month: 1, day: 1 }
      : { year: today.year, month: today.month + 1, day: 1 };
  const candidates = [
    { label: 'Tomorrow', date: addDays(today, 1) },
    { label: 'In 3 days', date: addDays(today, 3) },
    { label: 'Next Monday', date: addDays(week.monday, 7) },
    { label: 'In 2 weeks', date: addDays(today, 14) },
    { label: 'Start of next month', date: nextMonth },
  ];
  // A stable sort: of two labels for one date, the one listed first above stays.
  const sorted = candidates.sort((a, b) => daysBetween(b.date, a.date));
  return sorted.filter(
    (choice, index) => index === 0 || daysBetween(sorted[index - 1]!.date, choice.date) !== 0,
  );
}
