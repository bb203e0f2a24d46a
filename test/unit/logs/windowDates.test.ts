/**
 * A window's dates are read as written: a day its month does not have (30 February, 31 April)
 * is refused with what would work, not read as a day of the next month.
 */
import { strict as assert } from 'node:assert';
import { parseWindow } from '../../../src/core/logs/window';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';

const clock = fixedClock('2026-12-04T12:00:00Z');

describe('log window dates', () => {
  it('refuses a day its month does not have, on either side', () => {
    for (const window of [
      '2026-02-30..2026-03-05',
      '2026-04-31..',
      '..2026-02-29',
      '2026-06-31T08:00..2026-07-02',
      '2026-11-31T08:00Z..',
    ]) {
      assert.throws(
        () => parseWindow(window, clock),
        (error: unknown) =>
          error instanceof UpkeepError &&
          error.code === 'config' &&
          /^Cannot read "[^"]+" in the window/.test(error.message),
        window,
      );
    }
  });

  it('reads the last days of months and a leap day', () => {
    assert.equal(
      parseWindow('2028-02-29..2028-02-29', clock).to?.getTime(),
      new Date('2028-03-01T00:00:00').getTime() - 1,
    );
    assert.equal(
      parseWindow('2026-04-30T23:00Z..', clock).from?.toISOString(),
      '2026-04-30T23:00:00.000Z',
    );
    assert.equal(
      parseWindow('2026-12-31..', clock).from?.getTime(),
      new Date('2026-12-31T00:00:00').getTime(),
    );
  });
});
