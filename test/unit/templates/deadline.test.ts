/**
 * Response due times of bug reports: elapsed hours from the moment of filing, written in the
 * reader's zone with its offset, across midnight, month ends, DST changes and odd offsets.
 */
import { strict as assert } from 'node:assert';
import { UpkeepError } from '../../../src/core/util/errors';
import { fixedClock } from '../../../src/core/util/clock';
import { SEVERITIES, parseSeverity, responseDue } from '../../../src/core/templates/severity';
import { checkTimeZone } from '../../../src/core/util/timeZone';
import {
  formatZonedDate,
  formatZonedTime,
  parseZonedTime,
} from '../../../src/core/templates/zonedTime';

const due = (at: string, severity: 'critical' | 'high' | 'medium' | 'low', zone: string): string =>
  formatZonedTime(responseDue(fixedClock(at).now(), severity), zone);

describe('response due times', () => {
  it('follows the guidelines: 1 hour, 4 hours, 24 hours, 1 week', () => {
    assert.deepEqual(
      SEVERITIES.map((s) => [s.label, s.responseMs / 3_600_000]),
      [
        ['Critical', 1],
        ['High', 4],
        ['Medium', 24],
        ['Low', 168],
      ],
    );
    assert.equal(parseSeverity(' HIGH ')?.id, 'high');
    assert.equal(parseSeverity('urgent'), undefined);
  });

  it('crosses midnight and month and year ends in the reader zone', () => {
    assert.equal(due('2026-12-31T22:30:00Z', 'critical', 'UTC'), '2026-12-31 23:30 +00:00 (UTC)');
    assert.equal(due('2026-12-31T22:30:00Z', 'high', 'UTC'), '2027-01-01 02:30 +00:00 (UTC)');
    assert.equal(
      due('2026-02-28T20:00:00Z', 'medium', 'America/New_York'),
      '2026-03-01 15:00 -05:00 (America/New_York)',
    );
    assert.equal(
      due('2026-12-28T09:00:00Z', 'low', 'Asia/Tokyo'),
      '2027-01-04 18:00 +09:00 (Asia/Tokyo)',
    );
  });

  it('counts real hours across a daylight-saving change', () => {
    // Berlin springs forward on 2026-03-29 at 02:00: 24 hours after noon is 13:00 on the clock.
    assert.equal(
      due('2026-03-28T11:00:00Z', 'medium', 'Europe/Berlin'),
      '2026-03-29 13:00 +02:00 (Europe/Berlin)',
    );
    // New York falls back on 2026-11-01: 4 hours after 23:30 EDT reads 02:30 EST.
    assert.equal(
      due('2026-11-01T03:30:00Z', 'high', 'America/New_York'),
      '2026-11-01 02:30 -05:00 (America/New_York)',
    );
    // A week spanning the change ends one wall-clock hour earlier.
    assert.equal(
      due('2026-10-20T10:00:00Z', 'low', 'Europe/London'),
      '2026-10-27 10:00 +00:00 (Europe/London)',
    );
  });

  it('writes half- and quarter-hour offsets', () => {
    assert.equal(
      due('2026-12-04T20:00:00Z', 'critical', 'Asia/Kolkata'),
      '2026-12-05 02:30 +05:30 (Asia/Kolkata)',
    );
    assert.equal(
      due('2026-12-04T20:00:00Z', 'critical', 'Asia/Kathmandu'),
      '2026-12-05 02:45 +05:45 (Asia/Kathmandu)',
    );
  });

  it('dates a report by the calendar day of the reader, not of UTC', () => {
    const instant = new Date('2026-12-04T23:30:00Z');
    assert.equal(formatZonedDate(instant, 'UTC'), '2026-12-04');
    assert.equal(formatZonedDate(instant, 'Europe/Berlin'), '2026-12-05');
    assert.equal(formatZonedDate(instant, 'America/Los_Angeles'), '2026-12-04');
    assert.equal(
      formatZonedDate(new Date('2026-12-04T11:00:00Z'), 'Pacific/Kiritimati'),
      '2026-12-05',
    );
  });

  it('reads back what it writes, to the minute, in any zone', () => {
    const instant = new Date('2026-03-29T00:59:00Z');
    for (const zone of [
      'UTC',
      'Europe/Berlin',
      'America/St_Johns',
      'Asia/Kathmandu',
      'Pacific/Chatham',
    ]) {
      const text = formatZonedTime(instant, zone);
      assert.equal(
        parseZonedTime(`Response due: ${text}`)?.toISOString(),
        instant.toISOString(),
        text,
      );
    }
    assert.equal(parseZonedTime('2026-12-04T10:00:00Z')?.toISOString(), '2026-12-04T10:00:00.000Z');
    assert.equal(parseZonedTime('soon'), undefined);
    assert.equal(parseZonedTime('2026-13-45 99:99 +00:00'), undefined);
  });

  it('refuses an unknown zone with a configuration error', () => {
    assert.throws(
      () => checkTimeZone('Mars/Olympus_Mons'),
      (e) => UpkeepError.is(e, 'config'),
    );
    assert.throws(
      () => formatZonedTime(new Date(), 'Nowhere'),
      (e) => UpkeepError.is(e, 'config'),
    );
  });
});
