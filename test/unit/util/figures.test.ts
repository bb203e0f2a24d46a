/**
 * One figure reads the same everywhere: the alert, the check, the card, the dashboard and the
 * saved report format percentages, durations and sizes through the same helpers.
 */
import { strict as assert } from 'node:assert';
import type { BusinessView } from '../../../src/core/dashboard/protocol';
import { buildReport } from '../../../src/core/dashboard/report';
import {
  formatBytes,
  formatDuration,
  formatMs,
  formatPercent,
} from '../../../src/core/util/figures';

const business: BusinessView = {
  funnel: [],
  completionRatePercent: 41.25,
  timeToCompleteHours: 123_030.86 / 3600,
  signupsPerDay: null,
  retentionPercent: 48.6,
  cards: [],
};

describe('figures read the same everywhere', () => {
  it('formats percentages with one decimal, two below 1 %', () => {
    assert.equal(formatPercent(1.2587), '1.3 %');
    assert.equal(formatPercent(48.6), '48.6 %');
    assert.equal(formatPercent(25), '25 %');
    assert.equal(formatPercent(0.05), '0.05 %');
    assert.equal(formatPercent(0), '0 %');
    // 3 errors in 100,000 requests are not none.
    assert.equal(formatPercent(0.003), '< 0.01 %');
    assert.equal(formatPercent(0.005), '0.01 %');
    assert.equal(formatPercent(null), '–');
    assert.equal(formatPercent(Number.NaN), '–');
  });

  it('formats milliseconds as ms below a second, else as seconds with one decimal', () => {
    assert.equal(formatMs(850.4), '850 ms');
    assert.equal(formatMs(1854), '1.9 s');
    assert.equal(formatMs(2000), '2 s');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatMs(null), '–');
    // Below a millisecond (a round trip, a query's mean): "0 ms" read as nothing measured.
    assert.equal(formatMs(0.6), '0.6 ms');
    assert.equal(formatMs(0.96), '1 ms');
    assert.equal(formatMs(0), '0 ms');
    // A lookup run 50,000 times at 0.002 ms each (pg_stat_statements' mean) took time.
    assert.equal(formatMs(0.002), '< 0.1 ms');
    assert.equal(formatMs(0.05), '0.1 ms');
  });

  it('formats durations and sizes as a person reads them', () => {
    assert.equal(formatDuration(123_030.86), '1 d 10 h');
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatBytes(3 * 1024 * 1024 * 1024), '3072 MB');
    assert.equal(formatBytes(512), '512 bytes');
  });

  it('writes the business figures in the report as the card and the dashboard do', () => {
    const markdown = buildReport({
      generatedAt: new Date(Date.UTC(2026, 11, 5)),
      author: 'Ada',
      workspaceName: 'demo',
      window: { kind: '24h' },
      sections: { business },
      errors: {},
      locale: 'en-US',
      timeZone: 'UTC',
    });
    assert.match(markdown, /\| 41\.3 % \| 1 d 10 h \| 48\.6 % \|/);
  });
});
