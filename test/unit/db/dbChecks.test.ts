/**
 * The database checks: every id the brief names exists, and cards fold into one report with the
 * worst state winning and every reason and fix in the details.
 */
import * as assert from 'node:assert/strict';
import { dbChecks, defaultSnapshotFile, reportFromCards } from '../../../src/core/checks/dbChecks';
import type { DbCard } from '../../../src/core/db/cards';

const card = (id: string, state: DbCard['state'], extra: Partial<DbCard> = {}): DbCard => ({
  id,
  title: id,
  state,
  summary: `${id} is ${state}`,
  data: null,
  durationMs: 1,
  ...extra,
});

describe('database checks', () => {
  it('implements every database and business check id', () => {
    assert.deepEqual(
      dbChecks.map((check) => check.id),
      [
        'health.database',
        'db.slowQueries',
        'db.unusedIndexes',
        'db.missingIndexes',
        'db.vacuum',
        'db.statistics',
        'db.indexHealth',
        'db.connections',
        'db.locks',
        'db.cacheHitRatio',
        'db.wraparound',
        'db.sequences',
        'db.size',
        'db.growth',
        'db.replication',
        'business.onboarding',
        'business.growth',
      ],
    );
  });

  it('lets the worst card decide and keeps every reason and fix', () => {
    const report = reportFromCards([
      card('a', 'ok'),
      card('b', 'warn', { reason: 'too many', fix: 'CREATE INDEX CONCURRENTLY ON "t" ("c");' }),
    ]);
    assert.equal(report.outcome, 'warn');
    assert.equal(report.summary, 'b is warn');
    assert.match(report.details ?? '', /Fix: CREATE INDEX CONCURRENTLY ON "t" \("c"\);/);
    assert.equal(reportFromCards([card('a', 'ok'), card('b', 'skipped')]).outcome, 'pass');
    assert.equal(reportFromCards([card('a', 'skipped')]).outcome, 'skipped');
    assert.equal(reportFromCards([card('a', 'warn'), card('b', 'error')]).outcome, 'error');
  });

  it('keeps snapshots under the user cache folder', () => {
    assert.equal(
      defaultSnapshotFile({ XDG_CACHE_HOME: '/home/me/.cache' }),
      '/home/me/.cache/upkeep/db-snapshots.json',
    );
  });
});
