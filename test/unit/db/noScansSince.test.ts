/**
 * How the Unused indexes card says the span its scan counters cover: a week or more is said
 * plainly, less is too short to judge (the real servers of the integration tests are always
 * younger than a day, so the long span is held here).
 */
import * as assert from 'node:assert/strict';
import { noScansSince } from '../../../src/core/db/tableCards';

describe('Unused indexes: the span of the scan counters', () => {
  it('says the date, the days and which it is, and warns under 7 days', () => {
    const since = '2026-10-01T08:00:00.000Z';
    assert.equal(
      noScansSince({ statsSince: since, statsFrom: 'reset', statsDays: 65 }),
      'no scans since 2026-10-01 (65 days), when statistics were reset',
    );
    assert.equal(
      noScansSince({ statsSince: since, statsFrom: 'serverStart', statsDays: 7 }),
      'no scans since 2026-10-01 (7 days), when the server started',
    );
    assert.equal(
      noScansSince({ statsSince: since, statsFrom: 'serverStart', statsDays: 1 }),
      'no scans since 2026-10-01 (1 day), when the server started: too short to judge; ' +
        'the counters need a week or more',
    );
  });
});
