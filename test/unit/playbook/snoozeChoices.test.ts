import { strict as assert } from 'node:assert';
import { snoozeChoices } from '../../../src/core/playbook/snoozeChoices';
import { formatLocalDate, parseLocalDate } from '../../../src/core/playbook/schedule';

function choices(today: string): string[] {
  return snoozeChoices(parseLocalDate(today)!).map(
    (choice) => `${choice.label} ${formatLocalDate(choice.date)}`,
  );
}

describe('snooze choices', () => {
  it('lists the dates in order: next Monday before "in 3 days" on a Saturday', () => {
    assert.deepEqual(choices('2026-12-05'), [
      'Tomorrow 2026-12-06',
      'Next Monday 2026-12-07',
      'In 3 days 2026-12-08',
      'In 2 weeks 2026-12-19',
      'Start of next month 2027-01-01',
    ]);
  });

  it('offers a date once: on a Friday "in 3 days" is next Monday', () => {
    assert.deepEqual(choices('2026-12-04'), [
      'Tomorrow 2026-12-05',
      'In 3 days 2026-12-07',
      'In 2 weeks 2026-12-18',
      'Start of next month 2027-01-01',
    ]);
  });

  it('offers a date once: on a Sunday next Monday is tomorrow', () => {
    assert.deepEqual(
      choices('2026-12-06').map((line) => line.replace(/ \d{4}-\d{2}-\d{2}$/, '')),
      ['Tomorrow', 'In 3 days', 'In 2 weeks', 'Start of next month'],
    );
  });

  it('puts the start of next month where it falls at the end of a month', () => {
    assert.deepEqual(choices('2026-11-24'), [
      'Tomorrow 2026-11-25',
      'In 3 days 2026-11-27',
      'Next Monday 2026-11-30',
      'Start of next month 2026-12-01',
      'In 2 weeks 2026-12-08',
    ]);
    assert.deepEqual(choices('2026-12-31').slice(0, 1), ['Tomorrow 2027-01-01']);
    assert.equal(choices('2026-12-31').length, 4);
  });
});
