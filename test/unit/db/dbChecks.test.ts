/**
 * The database checks: every id the brief names exists, and cards fold into one report with the
 * worst state winning and every reason and fix in the details; in Restricted Mode a database
 * config/database.yml names reads as waiting for trust, not as none configured.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dbChecks, defaultSnapshotFile, reportFromCards } from '../../../src/core/checks/dbChecks';
import type { DbCard } from '../../../src/core/db/cards';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

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
        'db.topQueriesByMean',
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
        'db.tableGrowth',
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

  it('says once what several cards failed with alike (a connection lost under them)', () => {
    const closed = { summary: 'Could not run: The connection to app@db:5432/app is closed.' };
    const report = reportFromCards([card('a', 'error', closed), card('b', 'error', closed)]);
    assert.equal(report.summary, closed.summary);
    assert.match(report.details ?? '', /^a: error .*\nb: error /);
  });

  it('keeps snapshots under the user cache folder', () => {
    assert.equal(
      defaultSnapshotFile({ XDG_CACHE_HOME: '/home/me/.cache' }),
      '/home/me/.cache/upkeep/db-snapshots.json',
    );
    // Relative ones name no folder (XDG Base Directory spec): never one under the current folder.
    assert.equal(
      defaultSnapshotFile({ XDG_CACHE_HOME: 'cache', HOME: '/home/me' }),
      '/home/me/.cache/upkeep/db-snapshots.json',
    );
    assert.equal(defaultSnapshotFile({ XDG_CACHE_HOME: '.cache', HOME: 'me' }), undefined);
  });
});

describe('database checks in Restricted Mode', () => {
  it('say the database waits for trust when only repo files name it', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-dbchecks-'));
    try {
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(
        path.join(workspace, 'config/database.yml'),
        'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  database: app\n',
      );
      const context = {
        workspace,
        settings: resolveSettings(),
        clock: systemClock,
        signal: new AbortController().signal,
        log: silentLogger,
        trusted: false,
        shared: new Map<string, Promise<unknown>>(),
        env: {},
      };
      for (const id of ['health.database', 'db.vacuum']) {
        const report = await dbChecks.find((check) => check.id === id)!.run(context);
        assert.equal(report.outcome, 'skipped', id);
        assert.equal(
          report.summary,
          'waits for workspace trust (config/database.yml and .env are not read before)',
          id,
        );
        assert.equal(report.waitsForTrust, true, id);
      }

      // Trusted with nothing anywhere: none configured, as before.
      await fs.rm(path.join(workspace, 'config'), { recursive: true });
      const trusted = { ...context, trusted: true, shared: new Map<string, Promise<unknown>>() };
      const report = await dbChecks.find((check) => check.id === 'health.database')!.run(trusted);
      assert.equal(report.summary, 'no database configured');
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
