/**
 * Period and due arithmetic with a pinned clock: month ends, leap days, ISO week 53, daylight
 * saving changes, zones with odd offsets, and the due/overdue/done/snoozed state of a task.
 */
import { strict as assert } from 'node:assert';
import {
  countAttention,
  describeAge,
  describeAttention,
  describeInstant,
  describeLastDone,
  describeTaskStatus,
  isoWeek,
  needsAttention,
  parseLocalDate,
  periodAt,
  startOfLocalDate,
  taskStatus,
  wallTime,
} from '../../../src/core/playbook/schedule';
import type { Period } from '../../../src/core/playbook/schedule';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import type { Tier, TierId } from '../../../src/core/playbook/model';
import { fixedClock } from '../../../src/core/util/clock';
import type { TaskState } from '../../../src/core/playbook/state';

const HOUR = 3600_000;

function span(period: Period): [string, string, string] {
  return [period.key, period.start.toISOString(), period.end.toISOString()];
}

const playbook = defaultPlaybook();
function tierOf(tierId: TierId): Tier {
  return playbook.tiers.find((candidate) => candidate.id === tierId)!;
}

function state(fields: Partial<TaskState>): TaskState {
  return { since: '2026-01-01T00:00:00Z', ticks: {}, history: [], ...fields };
}

describe('schedule: periods', () => {
  it('finds the day in the user zone, not in UTC', () => {
    const instant = new Date('2026-12-04T23:30:00Z');
    assert.deepEqual(span(periodAt('day', instant, 'UTC')), [
      '2026-12-04',
      '2026-12-04T00:00:00.000Z',
      '2026-12-05T00:00:00.000Z',
    ]);
    assert.deepEqual(span(periodAt('day', instant, 'Asia/Tokyo')), [
      '2026-12-05',
      '2026-12-04T15:00:00.000Z',
      '2026-12-05T15:00:00.000Z',
    ]);
    assert.deepEqual(span(periodAt('day', instant, 'America/Los_Angeles')), [
      '2026-12-04',
      '2026-12-04T08:00:00.000Z',
      '2026-12-05T08:00:00.000Z',
    ]);
  });

  it('handles quarter-hour and half-hour offsets', () => {
    const instant = new Date('2026-06-30T18:20:00Z');
    assert.equal(periodAt('day', instant, 'Asia/Kathmandu').key, '2026-07-01');
    assert.equal(
      periodAt('day', instant, 'Asia/Kathmandu').start.toISOString(),
      '2026-06-30T18:15:00.000Z',
    );
    assert.equal(periodAt('month', instant, 'Asia/Kathmandu').key, '2026-07');
    assert.equal(periodAt('quarter', instant, 'Asia/Kathmandu').key, '2026-Q3');
    assert.equal(periodAt('quarter', instant, 'America/St_Johns').key, '2026-Q2');
    assert.equal(
      periodAt('day', new Date('2026-01-01T09:00:00Z'), 'Pacific/Kiritimati').key,
      '2026-01-01',
    );
    assert.equal(
      periodAt('year', new Date('2025-12-31T10:00:00Z'), 'Pacific/Kiritimati').key,
      '2026',
    );
  });

  it('has a 23-hour day when clocks spring forward and a 25-hour day when they fall back', () => {
    const spring = periodAt('day', new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    assert.deepEqual(span(spring), [
      '2026-03-29',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    assert.equal(spring.end.getTime() - spring.start.getTime(), 23 * HOUR);

    const fall = periodAt('day', new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    assert.equal(fall.end.getTime() - fall.start.getTime(), 25 * HOUR);

    const usSpring = periodAt('day', new Date('2026-03-08T12:00:00Z'), 'America/New_York');
    assert.equal(usSpring.end.getTime() - usSpring.start.getTime(), 23 * HOUR);
    assert.equal(usSpring.start.toISOString(), '2026-03-08T05:00:00.000Z');
  });

  it('starts the day after the gap when midnight itself does not exist', () => {
    // Brazil sprang forward at 00:00 on 2018-11-04: the day began at 01:00 local (-02).
    const start = startOfLocalDate({ year: 2018, month: 11, day: 4 }, 'America/Sao_Paulo');
    assert.equal(start.toISOString(), '2018-11-04T03:00:00.000Z');
    assert.deepEqual(
      [
        wallTime(start, 'America/Sao_Paulo').hour,
        wallTime(new Date(start.getTime() - 1000), 'America/Sao_Paulo').day,
      ],
      [1, 3],
    );
    const day = periodAt('day', new Date('2018-11-04T12:00:00Z'), 'America/Sao_Paulo');
    assert.equal(day.end.getTime() - day.start.getTime(), 23 * HOUR);
  });

  it('starts a day at its first midnight when clocks fall back from 01:00 to midnight', () => {
    // Jordan turned its clocks from 01:00 back to 00:00 on 29 October 2021: the day began at
    // the first midnight (21:00 UTC) and lasted 25 hours. It began at the second, so work done
    // in the first hour counted for the 28th.
    const amman = 'Asia/Amman';
    const day = periodAt('day', new Date('2021-10-29T09:00:00Z'), amman);
    assert.deepEqual(span(day), [
      '2021-10-29',
      '2021-10-28T21:00:00.000Z',
      '2021-10-29T22:00:00.000Z',
    ]);
    assert.equal(periodAt('day', new Date('2021-10-28T21:30:00Z'), amman).key, '2021-10-29');
    const done = state({
      done: { periodKey: '2021-10-29', at: '2021-10-28T21:30:00Z', by: 'Rania' },
    });
    const status = taskStatus(tierOf('daily'), done, new Date('2021-10-29T09:00:00Z'), amman);
    assert.equal(status.kind, 'done');
    // Gaza did the same on 1 October 2004: October began at the first midnight.
    const october = periodAt('month', new Date('2004-10-15T12:00:00Z'), 'Asia/Gaza');
    assert.equal(october.start.toISOString(), '2004-09-30T21:00:00.000Z');
  });

  it('crosses month ends and leap days', () => {
    assert.deepEqual(span(periodAt('month', new Date('2026-01-31T23:59:59Z'), 'UTC')), [
      '2026-01',
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    assert.deepEqual(span(periodAt('month', new Date('2028-02-29T12:00:00Z'), 'UTC')), [
      '2028-02',
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    assert.equal(periodAt('day', new Date('2028-02-29T12:00:00Z'), 'UTC').key, '2028-02-29');
    assert.equal(
      periodAt('day', new Date('2028-02-29T23:30:00Z'), 'Europe/Berlin').key,
      '2028-03-01',
    );
    assert.equal(parseLocalDate('2027-02-29'), undefined);
    assert.deepEqual(parseLocalDate('2028-02-29'), { year: 2028, month: 2, day: 29 });
    assert.deepEqual(span(periodAt('quarter', new Date('2026-12-31T12:00:00Z'), 'UTC')), [
      '2026-Q4',
      '2026-10-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    assert.equal(periodAt('year', new Date('2026-12-31T23:30:00Z'), 'Europe/Berlin').key, '2027');
  });

  it('numbers ISO weeks, including week 53 and weeks that start in the old year', () => {
    assert.deepEqual(isoWeek({ year: 2026, month: 12, day: 31 }), {
      year: 2026,
      week: 53,
      monday: { year: 2026, month: 12, day: 28 },
    });
    assert.equal(isoWeek({ year: 2027, month: 1, day: 3 }).week, 53);
    assert.deepEqual(
      [
        isoWeek({ year: 2027, month: 1, day: 4 }).year,
        isoWeek({ year: 2027, month: 1, day: 4 }).week,
      ],
      [2027, 1],
    );
    assert.deepEqual(
      [
        isoWeek({ year: 2024, month: 12, day: 30 }).year,
        isoWeek({ year: 2024, month: 12, day: 30 }).week,
      ],
      [2025, 1],
    );
    assert.equal(isoWeek({ year: 2020, month: 12, day: 31 }).week, 53);
    assert.equal(isoWeek({ year: 2025, month: 12, day: 31 }).week, 1);

    assert.deepEqual(span(periodAt('week', new Date('2027-01-01T12:00:00Z'), 'UTC')), [
      '2026-W53',
      '2026-12-28T00:00:00.000Z',
      '2027-01-04T00:00:00.000Z',
    ]);
    const berlinWeek = periodAt('week', new Date('2026-03-25T12:00:00Z'), 'Europe/Berlin');
    assert.equal(berlinWeek.end.getTime() - berlinWeek.start.getTime(), 7 * 24 * HOUR - HOUR);
  });
});

describe('schedule: task status', () => {
  const zone = 'Europe/Berlin';

  it('is due today for a daily task tracked today, and overdue the day after', () => {
    const tier = tierOf('daily');
    const tracked = state({ since: '2026-12-04T08:00:00Z' });
    const today = taskStatus(tier, tracked, fixedClock('2026-12-04T10:00:00Z').now(), zone);
    assert.equal(today.kind, 'due');
    assert.equal(describeTaskStatus(today, new Date('2026-12-04T10:00:00Z'), zone), 'due today');

    const later = new Date('2026-12-07T10:00:00Z');
    const overdue = taskStatus(tier, tracked, later, zone);
    assert.equal(overdue.kind, 'overdue');
    assert.equal(overdue.overdueSince?.toISOString(), '2026-12-04T23:00:00.000Z');
    assert.equal(describeTaskStatus(overdue, later, zone), 'overdue 3 days');
  });

  it('is done for the period once marked, with time and who', () => {
    const tier = tierOf('daily');
    const now = new Date('2026-12-04T10:00:00Z');
    const done = state({
      done: { periodKey: '2026-12-04', at: '2026-12-04T08:12:00Z', by: 'Ann' },
    });
    const status = taskStatus(tier, done, now, zone);
    assert.equal(status.kind, 'done');
    assert.equal(describeTaskStatus(status, now, zone), 'done 09:12 by Ann');
    const tomorrow = taskStatus(tier, done, new Date('2026-12-05T10:00:00Z'), zone);
    assert.equal(tomorrow.kind, 'due', 'the next day is a new period');
  });

  it('counts a weekly task done last week as due, and one done two weeks ago as overdue', () => {
    const tier = tierOf('weekly');
    const now = new Date('2026-12-03T10:00:00Z'); // Thursday of 2026-W49
    const lastWeek = state({
      done: { periodKey: '2026-W48', at: '2026-11-24T10:00:00Z', by: 'Bo' },
    });
    const due = taskStatus(tier, lastWeek, now, zone);
    assert.deepEqual([due.kind, due.dueInDays, due.period?.key], ['due', 3, '2026-W49']);
    assert.equal(describeTaskStatus(due, now, zone), 'due in 3 days');

    const twoWeeks = state({
      done: { periodKey: '2026-W47', at: '2026-11-17T10:00:00Z', by: 'Bo' },
    });
    const overdue = taskStatus(tier, twoWeeks, now, zone);
    assert.deepEqual([overdue.kind, overdue.overdueDays], ['overdue', 4]);
  });

  it('goes overdue at the end of a month with 31 days, and a leap February', () => {
    const tier = tierOf('monthly');
    const january = state({ since: '2028-01-15T10:00:00Z' });
    assert.equal(taskStatus(tier, january, new Date('2028-01-31T22:59:00Z'), zone).kind, 'due');
    const february = taskStatus(tier, january, new Date('2028-02-29T12:00:00Z'), zone);
    assert.deepEqual([february.kind, february.overdueDays], ['overdue', 29]);
  });

  it('is due again by the end of February after a monthly task done on 31 January', () => {
    // As the README says: once a calendar month, not 30 days on (2 March) nor skipped to March.
    const tier = tierOf('monthly');
    const task = state({ done: { periodKey: '2026-01', at: '2026-01-31T20:00:00Z', by: 'Ann' } });
    const february = taskStatus(tier, task, new Date('2026-02-28T20:00:00Z'), zone);
    assert.deepEqual(
      [february.kind, february.period?.key, february.dueInDays],
      ['due', '2026-02', 0],
    );
    const march = taskStatus(tier, task, new Date('2026-03-01T09:00:00Z'), zone);
    assert.deepEqual(
      [march.kind, march.missedPeriod, march.overdueDays],
      ['overdue', '2026-02', 1],
    );
  });

  it('stays quiet while snoozed and is due again on the snooze date', () => {
    const tier = tierOf('daily');
    const snoozed = state({ since: '2026-11-01T00:00:00Z', snoozedUntil: '2026-12-10' });
    const before = taskStatus(tier, snoozed, new Date('2026-12-09T22:59:00Z'), zone);
    assert.equal(before.kind, 'snoozed');
    assert.equal(describeTaskStatus(before, new Date(), zone), 'snoozed until 2026-12-10');
    const on = taskStatus(tier, snoozed, new Date('2026-12-10T09:00:00Z'), zone);
    assert.equal(on.kind, 'due', 'the snooze date itself counts as a fresh due day');
    const after = taskStatus(tier, snoozed, new Date('2026-12-12T09:00:00Z'), zone);
    assert.deepEqual([after.kind, after.overdueDays], ['overdue', 2]);
  });

  it('says why a task is snoozed', () => {
    const tier = tierOf('weekly');
    const snoozed = state({
      since: '2026-11-01T00:00:00Z',
      snoozedUntil: '2026-12-14',
      snoozeReason: 'waiting for the vendor',
    });
    const status = taskStatus(tier, snoozed, new Date('2026-12-07T09:00:00Z'), zone);
    assert.equal(status.kind, 'snoozed');
    assert.equal(status.snoozeReason, 'waiting for the vendor');
    assert.equal(
      describeTaskStatus(status, new Date(), zone),
      'snoozed until 2026-12-14: waiting for the vendor',
    );
  });

  it('says when an overdue task was last done, by whom, and since when it is late', () => {
    const tier = tierOf('weekly');
    const done = { periodKey: '2026-W47', at: '2026-11-20T10:00:00Z', by: 'Previous On-call' };
    const task = state({ since: '2026-10-01T09:00:00Z', done });
    const now = new Date('2026-12-07T08:00:00Z');
    const status = taskStatus(tier, task, now, zone);
    assert.equal(status.kind, 'overdue');
    assert.deepEqual(describeLastDone(status, task, now, zone), [
      'Overdue since 2026-11-30 (Mon): week 2026-W48 went by without it',
      'Last done 2026-11-20 by Previous On-call',
    ]);
    // Due this period: when it was last done; never done: that it never was.
    const due = taskStatus(tier, task, new Date('2026-11-25T08:00:00Z'), zone);
    assert.deepEqual(describeLastDone(due, task, new Date('2026-11-25T08:00:00Z'), zone), [
      'Last done Fri 11:00 by Previous On-call',
    ]);
    const fresh = state({ since: '2026-12-01T09:00:00Z' });
    const never = taskStatus(tier, fresh, now, zone);
    assert.deepEqual(describeLastDone(never, fresh, now, zone), [
      'Overdue since 2026-12-07 (Mon): week 2026-W49 went by without it',
      'Never done since Upkeep first saw it, 2026-12-01',
    ]);
    // First seen by a machine whose clock ran ahead: said, not read as a date to come.
    const early = state({ since: '2027-06-01T09:00:00Z' });
    assert.deepEqual(describeLastDone(taskStatus(tier, early, now, zone), early, now, zone), [
      'Never done since Upkeep first saw it, 2027-06-01, a time still to come (a clock was wrong)',
    ]);
    // A hand-edited time that is not one: the tooltip still draws.
    const edited = state({ since: 'soon', done: { ...done, at: 'last Friday' } });
    assert.deepEqual(describeLastDone(status, edited, now, zone).slice(1), [
      'Last done at an unknown time by Previous On-call',
    ]);
  });

  it('takes a completion stamped days ahead of now as one at an unknown time', () => {
    // A state file shared in the repo, written by a machine whose clock ran months ahead: the
    // completion's time kept the task from going overdue until the week after that time.
    const tier = tierOf('weekly');
    const ahead = { periodKey: '2027-W10', at: '2027-03-08T12:00:00Z', by: 'Skewed Laptop' };
    const task = state({ since: '2026-11-02T09:00:00Z', done: ahead });
    const now = fixedClock('2026-12-05T12:00:00Z').now(); // Saturday of 2026-W49
    const status = taskStatus(tier, task, now, zone);
    assert.deepEqual(
      [status.kind, status.missedPeriod, status.overdueSince?.toISOString()],
      ['overdue', '2026-W45', '2026-11-08T23:00:00.000Z'],
    );
    assert.deepEqual(describeLastDone(status, task, now, zone), [
      'Overdue since 2026-11-09 (Mon): week 2026-W45 went by without it',
      'Last done 2027-03-08 by Skewed Laptop, a time still to come (a clock was wrong)',
    ]);

    // Minutes ahead (Sunday 23:55 here, Monday 00:05 on a teammate's machine): trusted.
    const sunday = fixedClock('2026-12-06T22:55:00Z').now();
    const skew = { periodKey: '2026-W50', at: '2026-12-06T23:05:00Z', by: 'Teammate' };
    const close = taskStatus(
      tier,
      state({ since: '2026-11-02T09:00:00Z', done: skew }),
      sunday,
      zone,
    );
    assert.deepEqual([close.kind, close.period?.key], ['due', '2026-W49']);
  });

  it('takes no completion stamped days ahead for done, also when filed under this period', () => {
    // The skewed clock's own month is this one: its period key matched, and the row read
    // "done 2026-12-25 by Skewed Laptop" on the 5th.
    const tier = tierOf('monthly');
    const ahead = { periodKey: '2026-12', at: '2026-12-25T09:00:00Z', by: 'Skewed Laptop' };
    const task = state({ since: '2026-12-01T09:00:00Z', done: ahead });
    const now = fixedClock('2026-12-05T12:00:00Z').now();
    const status = taskStatus(tier, task, now, zone);
    assert.deepEqual([status.kind, status.dueInDays], ['due', 26]);
    assert.deepEqual(describeLastDone(status, task, now, zone), [
      'Last done 2026-12-25 by Skewed Laptop, a time still to come (a clock was wrong)',
    ]);
  });

  it('counts from the completion before one stamped ahead, as if that had not been', () => {
    // Done every week, then once by a laptop whose clock ran a year ahead: the task read overdue
    // since the week after Upkeep first saw it, months before the last real completion.
    const tier = tierOf('weekly');
    const done = (periodKey: string, at: string, by = 'Ann') => ({
      action: 'done' as const,
      ...{ periodKey, at, by, items: [], checks: [] },
    });
    const ahead = done('2027-W49', '2027-12-01T10:00:00Z', 'Skewed Laptop');
    const task = state({
      since: '2026-01-05T09:00:00Z',
      done: { periodKey: ahead.periodKey, at: ahead.at, by: ahead.by },
      history: [
        done('2026-W46', '2026-11-12T10:00:00Z'),
        done('2026-W47', '2026-11-19T10:00:00Z'),
        // Taken back with Reset: not a completion to count from.
        done('2026-W48', '2026-11-25T10:00:00Z'),
        { ...done('2026-W48', '2026-11-26T10:00:00Z'), action: 'reset' as const },
        ahead,
      ],
    });
    const now = fixedClock('2026-12-08T12:00:00Z').now(); // Tuesday of 2026-W50
    const status = taskStatus(tier, task, now, zone);
    assert.deepEqual(
      [status.kind, status.missedPeriod, status.overdueDays],
      ['overdue', '2026-W48', 9],
    );

    // Done this week before the laptop's turn: done, with that completion's time.
    task.history.splice(-1, 0, done('2026-W50', '2026-12-07T10:00:00Z', 'Bo'));
    const again = taskStatus(tier, task, now, zone);
    assert.deepEqual(
      [again.kind, describeTaskStatus(again, now, zone)],
      ['done', 'done Mon 11:00 by Bo'],
    );
  });

  it('counts no completion another zone filed that a reset here took back', () => {
    // Kei marks it done at 08:00 on 1 March in Tokyo (filed under March); Ann resets it at
    // 23:30 on 28 February in London (filed under February); a laptop a year ahead marks it
    // done. Past that, the task stood on Kei's completion, which Ann had taken back.
    const tier = tierOf('monthly');
    const entry = (action: 'done' | 'reset', periodKey: string, at: string, by: string) => ({
      ...{ action, periodKey, at, by, items: [], checks: [] },
    });
    const ahead = entry('done', '2027-02', '2027-02-10T10:00:00Z', 'Skewed Laptop');
    const task = state({
      since: '2026-01-10T00:00:00Z',
      done: { periodKey: ahead.periodKey, at: ahead.at, by: ahead.by },
      history: [
        entry('done', '2026-01', '2026-01-20T10:00:00Z', 'Ann'),
        entry('done', '2026-03', '2026-02-28T23:00:00Z', 'Kei'),
        entry('reset', '2026-02', '2026-02-28T23:30:00Z', 'Ann'),
        ahead,
      ],
    });
    const now = new Date('2026-02-28T23:45:00Z');
    const read = (reader: string): unknown[] => {
      const status = taskStatus(tier, task, now, reader);
      return [status.kind, status.period?.key, status.missedPeriod];
    };
    // It stands on January's: due in London's February, overdue in Tokyo's March.
    assert.deepEqual(read('Europe/London'), ['due', '2026-02', undefined]);
    assert.deepEqual(read('Asia/Tokyo'), ['overdue', '2026-03', '2026-02']);
  });

  it('places a completion in the reading zone, not under the period its writer filed it', () => {
    // Marked done at 08:00 on 1 March in Tokyo, filed under 2026-03: it is 28 February in
    // London and New York. There it read "due today" beside "last done today", and in March
    // "done" for a month it was not done in.
    const tier = tierOf('monthly');
    const tokyo = { periodKey: '2026-03', at: '2026-02-28T23:00:00Z', by: 'Tokyo' };
    const task = state({ since: '2026-01-10T00:00:00Z', done: tokyo });
    const february = new Date('2026-02-28T23:30:00Z');
    const march = new Date('2026-03-05T12:00:00Z');
    const read = (now: Date, reader: string): string[] => {
      const status = taskStatus(tier, task, now, reader);
      return [status.kind, status.period!.key];
    };
    assert.deepEqual(read(february, 'Asia/Tokyo'), ['done', '2026-03']);
    assert.deepEqual(read(march, 'Asia/Tokyo'), ['done', '2026-03']);
    for (const reader of ['Europe/London', 'America/New_York']) {
      assert.deepEqual(read(february, reader), ['done', '2026-02'], reader);
      assert.deepEqual(read(march, reader), ['due', '2026-03'], reader);
    }
  });

  it('places ticked items in the reading zone, as it places the completion', () => {
    // Done with every item ticked at 08:00 on 1 March in Tokyo, filed under 2026-03: London
    // read the task done for February with no item ticked, and in March "due" with all five.
    const tier = tierOf('monthly');
    const at = '2026-02-28T23:00:00Z';
    const items = ['latest', 'files', 'drill'];
    const task = state({
      since: '2026-01-10T00:00:00Z',
      periodKey: '2026-03',
      ticks: Object.fromEntries(items.map((item) => [item, { at, by: 'Kei' }])),
      done: { periodKey: '2026-03', at, by: 'Kei' },
    });
    const read = (now: string, reader: string): [string, string[]] => {
      const status = taskStatus(tier, task, new Date(now), reader);
      return [status.kind, status.checkedItems];
    };
    assert.deepEqual(read('2026-02-28T23:30:00Z', 'Europe/London'), ['done', items]);
    assert.deepEqual(read('2026-03-05T12:00:00Z', 'Europe/London'), ['due', []]);
    assert.deepEqual(read('2026-02-28T23:30:00Z', 'Asia/Tokyo'), ['done', items]);
    assert.deepEqual(read('2026-03-05T12:00:00Z', 'Asia/Tokyo'), ['done', items]);

    // Ticked at 23:30 on 4 December in London, filed under that day: 5 December in Tokyo.
    const daily = state({
      periodKey: '2026-12-04',
      ticks: { errors: { at: '2026-12-04T23:30:00Z', by: 'Ann' } },
    });
    const tokyo = taskStatus(
      tierOf('daily'),
      daily,
      new Date('2026-12-04T23:40:00Z'),
      'Asia/Tokyo',
    );
    assert.deepEqual([tokyo.period?.key, tokyo.checkedItems], ['2026-12-05', ['errors']]);
  });

  it('keeps a tick whose time is no time, or days ahead, to the period it was filed under', () => {
    const tier = tierOf('daily');
    const now = new Date('2026-12-04T12:00:00Z');
    const edited = state({
      periodKey: '2026-12-04',
      ticks: {
        errors: { at: 'this morning', by: 'Ann' },
        slow: { at: '2026-12-04T10:00:00Z', by: 'Ann' },
      },
    });
    assert.deepEqual(taskStatus(tier, edited, now, zone).checkedItems, ['errors', 'slow']);
    assert.deepEqual(
      taskStatus(tier, { ...edited, periodKey: '2026-12-03' }, now, zone).checkedItems,
      ['slow'],
    );
    // A tick from a clock a week ahead is no tick of today, as a completion from it is no
    // completion; the period key it was filed under matches today's.
    const monthly = state({
      periodKey: '2026-12',
      ticks: { latest: { at: '2026-12-20T10:00:00Z', by: 'Skewed Laptop' } },
    });
    assert.deepEqual(taskStatus(tierOf('monthly'), monthly, now, zone).checkedItems, []);
  });

  it('counts the days a zone lived, not one it skipped (Samoa, 30 December 2011)', () => {
    // Apia went from UTC-10 to UTC+14 at the end of 29 December 2011: the 30th never was.
    const apia = 'Pacific/Apia';
    const day29 = periodAt('day', new Date('2011-12-29T12:00:00Z'), apia);
    assert.deepEqual(span(day29), [
      '2011-12-29',
      '2011-12-29T10:00:00.000Z',
      '2011-12-30T10:00:00.000Z',
    ]);
    assert.equal(periodAt('day', day29.end, apia).key, '2011-12-31');

    // Done on the 28th: the 29th went by without it, and on the 31st it is one day late.
    const daily = state({
      done: { periodKey: '2011-12-28', at: '2011-12-28T22:00:00Z', by: 'Sione' },
    });
    const now = new Date('2011-12-30T22:00:00Z'); // 12:00 on 31 December in Apia
    const late = taskStatus(tierOf('daily'), daily, now, apia);
    assert.deepEqual(
      [late.kind, late.missedPeriod, late.overdueDays, describeTaskStatus(late, now, apia)],
      ['overdue', '2011-12-29', 1, 'overdue 1 day'],
    );
    const later = taskStatus(tierOf('daily'), daily, new Date('2012-01-01T22:00:00Z'), apia);
    assert.equal(later.overdueDays, 3);

    // On Thursday the 29th, a weekly task is due by Sunday 1 January: in 2 days, not 3.
    const weekly = state({ since: '2011-12-27T00:00:00Z' });
    const thursday = taskStatus(tierOf('weekly'), weekly, new Date('2011-12-29T12:00:00Z'), apia);
    assert.deepEqual([thursday.kind, thursday.dueInDays], ['due', 2]);
  });

  it('keeps ticks only for their own period', () => {
    const tier = tierOf('daily');
    const ticked = state({
      periodKey: '2026-12-03',
      ticks: { errors: { at: '2026-12-03T10:00:00Z', by: 'A' } },
    });
    assert.deepEqual(
      taskStatus(tier, ticked, new Date('2026-12-03T12:00:00Z'), zone).checkedItems,
      ['errors'],
    );
    assert.deepEqual(
      taskStatus(tier, ticked, new Date('2026-12-04T12:00:00Z'), zone).checkedItems,
      [],
    );
  });

  it('counts as due soon only within the tier lead time; the row still says when', () => {
    // Friday 2026-12-04, a fresh clone: every periodic task was first seen today.
    const now = new Date('2026-12-04T10:00:00Z');
    const tracked = state({ since: '2026-12-04T09:00:00Z' });
    const statusOf = (tierId: TierId) => taskStatus(tierOf(tierId), tracked, now, zone);
    const daily = statusOf('daily');
    const weekly = statusOf('weekly');
    const monthly = statusOf('monthly');
    const annual = statusOf('annual');
    assert.deepEqual(
      [daily, weekly, monthly, annual].map((status) => [status.kind, needsAttention(status)]),
      [
        ['due', true],
        ['due', true],
        ['due', false],
        ['due', false],
      ],
    );
    assert.equal(describeTaskStatus(weekly, now, zone), 'due in 2 days');
    assert.equal(describeTaskStatus(monthly, now, zone), 'due in 27 days');

    // A weekly task on Thursday (3 days left) is not due soon yet; a monthly one a week before
    // the month ends is.
    const thursday = new Date('2026-12-03T10:00:00Z');
    assert.equal(needsAttention(taskStatus(tierOf('weekly'), tracked, thursday, zone)), false);
    const lastWeek = taskStatus(tierOf('monthly'), tracked, new Date('2026-12-24T10:00:00Z'), zone);
    assert.deepEqual([lastWeek.dueInDays, needsAttention(lastWeek)], [7, true]);
    const quarter = taskStatus(
      tierOf('quarterly'),
      tracked,
      new Date('2026-12-23T10:00:00Z'),
      zone,
    );
    assert.deepEqual([quarter.dueInDays, needsAttention(quarter)], [8, false]);
  });

  it('counts overdue and due soon, and says nothing of tasks due later', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const fresh = state({ since: '2026-12-04T09:00:00Z' });
    const old = state({ since: '2026-10-01T09:00:00Z' });
    const statuses = [
      taskStatus(tierOf('daily'), fresh, now, zone),
      taskStatus(tierOf('daily'), old, now, zone),
      taskStatus(tierOf('weekly'), fresh, now, zone),
      taskStatus(tierOf('monthly'), fresh, now, zone),
      taskStatus(tierOf('onDemand'), fresh, now, zone),
    ];
    const counts = countAttention(statuses);
    assert.deepEqual(counts, { overdue: 1, dueSoon: 2, dueLater: 1 });
    assert.equal(describeAttention(counts), '1 overdue, 2 due soon');
    assert.equal(describeAttention({ overdue: 0, dueSoon: 0, dueLater: 3 }), '');
    // The badge and the status bar count late bug responses with the tasks.
    assert.equal(
      describeAttention({ ...counts, lateResponses: 2 }, ' · '),
      '1 overdue · 2 due soon · 2 bug responses overdue',
    );
    assert.equal(
      describeAttention({ overdue: 0, dueSoon: 0, dueLater: 0, lateResponses: 1 }),
      '1 bug response overdue',
    );
  });

  it('never makes on-demand work due', () => {
    const tier = tierOf('onDemand');
    const status = taskStatus(tier, state({ since: '2020-01-01T00:00:00Z' }), new Date(), zone);
    assert.equal(status.kind, 'onDemand');
    assert.equal(describeTaskStatus(status, new Date(), zone, 5), 'on demand');
  });

  it('says how long ago a check ran', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    assert.equal(describeAge(new Date('2026-12-04T09:59:40Z'), now), 'just now');
    assert.equal(describeAge(new Date('2026-12-04T09:58:00Z'), now), '2 min ago');
    assert.equal(describeAge(new Date('2026-12-04T07:00:00Z'), now), '3 h ago');
    assert.equal(describeAge(new Date('2026-11-29T10:00:00Z'), now), '5 days ago');
  });

  it('keeps the time of an instant within a week, past or to come (a bug report deadline)', () => {
    const now = new Date('2026-12-04T23:30:00Z');
    const at = (iso: string): string => describeInstant(new Date(iso), now, 'UTC');
    assert.equal(at('2026-12-04T09:12:00Z'), '09:12');
    assert.equal(at('2026-12-01T09:12:00Z'), 'Tue 09:12');
    assert.equal(at('2026-11-03T09:12:00Z'), '2026-11-03');
    // A High bug reported at 23:30 is due at 03:30 tomorrow: the hour is what matters.
    assert.equal(at('2026-12-05T03:30:00Z'), 'Sat 03:30');
    assert.equal(at('2026-12-10T03:30:00Z'), 'Thu 03:30');
    assert.equal(at('2026-12-11T03:30:00Z'), '2026-12-11');
    // A hand-edited state file's "done at" that is no time: the row still draws.
    assert.equal(at('yesterday'), 'at an unknown time');
    const tier = tierOf('daily');
    const edited = state({ done: { periodKey: '2026-12-04', at: 'yesterday', by: 'Ann' } });
    const status = taskStatus(tier, edited, now, 'UTC');
    assert.equal(describeTaskStatus(status, now, 'UTC'), 'done at an unknown time by Ann');
  });

  it('places a time of the years 1 to 99 in its own year, not 1900 years later', () => {
    // Date.UTC reads the years 0 to 99 as 1900 to 1999: a state file's "since" in the year 50
    // said "Overdue since 1950-06-30 (Fri): month 50-06 went by without it".
    const month = periodAt('month', new Date('0050-06-15T12:00:00Z'), 'UTC');
    assert.deepEqual(span(month), [
      '0050-06',
      '0050-06-01T00:00:00.000Z',
      '0050-07-01T00:00:00.000Z',
    ]);
    const week = periodAt('week', new Date('0001-01-03T12:00:00Z'), 'UTC');
    assert.deepEqual(span(week), [
      '0001-W01',
      '0001-01-01T00:00:00.000Z',
      '0001-01-08T00:00:00.000Z',
    ]);
    const tier = tierOf('monthly');
    const now = new Date('2026-12-04T10:00:00Z');
    const old = state({ since: '0050-06-15T00:00:00Z' });
    const status = taskStatus(tier, old, now, 'UTC');
    assert.equal(status.overdueSince?.toISOString(), '0050-07-01T00:00:00.000Z');
    assert.deepEqual(describeLastDone(status, old, now, 'UTC'), [
      'Overdue since 0050-07-01 (Fri): month 0050-06 went by without it',
      'Never done since Upkeep first saw it, 0050-06-15',
    ]);
  });

  it("places the first hours of year 1 behind UTC on the year before's last day", () => {
    // Intl names the year before 1 (1 BC) "1", with no era unless asked: 0001-01-01T03:00Z in
    // New York, 0000-12-31 22:00 there, was placed on 0001-12-31, a year later.
    const zone = 'America/New_York';
    const day = periodAt('day', new Date('0001-01-01T03:00:00Z'), zone);
    assert.deepEqual(span(day), [
      '0000-12-31',
      '0000-12-31T04:56:02.000Z',
      '0001-01-01T04:56:02.000Z',
    ]);
    const tier = tierOf('daily');
    const now = new Date('2026-12-04T10:00:00Z');
    const at = '0001-01-01T03:00:00Z';
    const old = state({ since: at, done: { periodKey: '0000-12-31', at, by: 'Ann' } });
    const status = taskStatus(tier, old, now, zone);
    assert.equal(status.overdueSince?.toISOString(), '0001-01-02T04:56:02.000Z');
  });

  it('takes a time at the edge of what a Date holds, or before year 1, as no time', () => {
    // Valid ISO text a hostile or broken state file can hold: the tree threw a RangeError on
    // the first, and showed 500 BC as the year 501.
    const now = new Date('2026-12-04T10:00:00Z');
    const edge = '+275760-09-13T00:00:00.000Z';
    const ancient = '-000500-06-01T00:00:00Z';
    assert.equal(describeInstant(new Date(ancient), now, 'UTC'), 'at an unknown time');
    assert.equal(describeInstant(new Date(edge), now, 'UTC'), 'at an unknown time');
    const tier = tierOf('weekly');
    for (const at of [edge, ancient]) {
      const done = { periodKey: '2026-W40', at, by: 'Ann' };
      for (const edited of [state({ since: at }), state({ since: at, done })]) {
        const status = taskStatus(tier, edited, now, 'UTC');
        assert.equal(status.kind, 'due', at);
        const facts = describeLastDone(status, edited, now, 'UTC');
        assert.ok(!facts.some((fact) => /0501|275760/.test(fact)), facts.join('; '));
      }
    }
  });
});
