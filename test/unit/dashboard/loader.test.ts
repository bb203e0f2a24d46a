/**
 * The refresh: each section loads on its own, a failing source shows its error while the others
 * arrive, alerts follow what has arrived, and a cancelled refresh goes quiet.
 */
import { strict as assert } from 'node:assert';
import type { DashboardSources, SectionEvent } from '../../../src/core/dashboard/loader';
import { loadDashboard, replayMessages, windowBounds } from '../../../src/core/dashboard/loader';
import type { BusinessView, DatabaseView, LogsView } from '../../../src/core/dashboard/protocol';
import { defaultSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { emptyLogsView } from '../../support/logsView';

const logs: LogsView = emptyLogsView({
  totals: {
    requests: 100,
    errors: 5,
    errorRatePercent: 5,
    avgMs: 10,
    p50Ms: 5,
    p95Ms: 20,
    p99Ms: 30,
    slowRequests: 0,
  },
});
const database: DatabaseView = { target: 't', cards: [], growth: [], slowQueries: [] };
const business: BusinessView = {
  funnel: [],
  completionRatePercent: null,
  timeToCompleteHours: null,
  signupsPerDay: null,
  retentionPercent: null,
  cards: [],
};

function sources(overrides: Partial<DashboardSources> = {}): DashboardSources {
  return {
    thresholds: () => defaultSettings.thresholds,
    health: async () => ({
      tiers: [],
      counts: { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0, never: 0 },
    }),
    logs: async () => logs,
    database: async () => ({ database, business }),
    ...overrides,
  };
}

function describeEvent(event: SectionEvent): string {
  return event.kind === 'data' ? `data:${event.payload.section}` : `${event.kind}:${event.section}`;
}

describe('dashboard loader', () => {
  it('marks every section loading, then delivers each, with alerts from what arrived', async () => {
    const events: SectionEvent[] = [];
    const snapshot = await loadDashboard(
      sources(),
      { kind: '24h' },
      new AbortController().signal,
      (e) => events.push(e),
    );
    const names = events.map(describeEvent);
    assert.deepEqual(names.slice(0, 5), [
      'loading:alerts',
      'loading:health',
      'loading:logs',
      'loading:database',
      'loading:business',
    ]);
    for (const section of ['health', 'logs', 'database', 'business', 'alerts']) {
      assert.ok(names.includes(`data:${section}`), section);
    }
    assert.deepEqual(
      snapshot.sections.alerts?.alerts.map((a) => a.id),
      ['logs.errorRate'],
    );
    assert.deepEqual(snapshot.errors, {});
  });

  it('shows a failing source as that section error while the others load', async () => {
    const events: SectionEvent[] = [];
    const snapshot = await loadDashboard(
      sources({
        database: async () => {
          throw new UpkeepError(
            'unreachable',
            'Could not connect to 127.0.0.1:1.',
            'Start PostgreSQL.',
          );
        },
      }),
      { kind: '1h' },
      new AbortController().signal,
      (e) => events.push(e),
    );
    const errors = events.filter((e) => e.kind === 'error');
    assert.deepEqual(
      errors.map((e) => e.kind === 'error' && [e.section, e.message, e.hint]),
      [
        ['database', 'Could not connect to 127.0.0.1:1.', 'Start PostgreSQL.'],
        // Said once: Business reads the same database and points at the Database section.
        [
          'business',
          'Its figures come from the database, which did not load.',
          'The Database section says why.',
        ],
      ],
    );
    assert.ok(snapshot.sections.logs);
    assert.ok(snapshot.sections.health);
    assert.equal(snapshot.errors.database, 'Could not connect to 127.0.0.1:1. Start PostgreSQL.');

    // Shown again, the dashboard replays the error as it came: the message, then its hint line.
    const replayed = replayMessages(snapshot, 7).filter((m) => m.type === 'sectionError');
    assert.deepEqual(replayed, [
      {
        type: 'sectionError',
        refreshId: 7,
        section: 'database',
        message: 'Could not connect to 127.0.0.1:1.',
        hint: 'Start PostgreSQL.',
      },
      {
        type: 'sectionError',
        refreshId: 7,
        section: 'business',
        message: 'Its figures come from the database, which did not load.',
        hint: 'The Database section says why.',
      },
    ]);
  });

  it('keeps a password out of a section error, which the saved report repeats', async () => {
    const events: SectionEvent[] = [];
    const snapshot = await loadDashboard(
      sources({
        logs: async () => {
          throw new Error('getaddrinfo ENOTFOUND in postgres://app:hunter2@db.internal/app');
        },
      }),
      { kind: '1h' },
      new AbortController().signal,
      (e) => events.push(e),
    );
    const error = events.find((e) => e.kind === 'error');
    assert.ok(error?.kind === 'error');
    assert.equal(error.message, 'getaddrinfo ENOTFOUND in postgres://app:***@db.internal/app');
    assert.doesNotMatch(snapshot.errors.logs ?? '', /hunter2/);
  });

  it('goes quiet once cancelled, and passes the signal to the sources', async () => {
    const controller = new AbortController();
    const events: SectionEvent[] = [];
    let seen: AbortSignal | undefined;
    const pending = loadDashboard(
      sources({
        logs: (_window, signal) =>
          new Promise((_resolve, reject) => {
            seen = signal;
            signal.addEventListener('abort', () =>
              reject(new UpkeepError('cancelled', 'Cancelled.')),
            );
          }),
      }),
      { kind: '7d' },
      controller.signal,
      (e) => events.push(e),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const before = events.length;
    controller.abort();
    await pending;
    assert.equal(seen, controller.signal);
    assert.equal(events.length, before, 'nothing emitted after the abort');
    assert.ok(!events.some((e) => e.kind === 'data' && e.payload.section === 'logs'));
  });

  it('says a section the maintainer cancelled alone was cancelled; the others load', async () => {
    const events: SectionEvent[] = [];
    const snapshot = await loadDashboard(
      sources({
        logs: async () => {
          throw new UpkeepError('cancelled', 'Reading log/production.log was cancelled.');
        },
      }),
      { kind: '24h' },
      new AbortController().signal,
      (e) => events.push(e),
    );
    const logsEvents = events.filter((e) => e.kind !== 'data' && e.section === 'logs');
    assert.deepEqual(logsEvents.map(describeEvent), ['loading:logs', 'cancelled:logs']);
    assert.equal(snapshot.sections.logs, undefined, 'no summary kept for the cancelled read');
    assert.deepEqual(snapshot.cancelled, ['logs']);
    assert.equal(snapshot.errors.logs, 'Reading log/production.log was cancelled.');
    assert.ok(snapshot.sections.database, 'the database section still loaded');
    assert.ok(snapshot.sections.business);
  });

  it('passes database cards on as they arrive, before the full set', async () => {
    const events: SectionEvent[] = [];
    await loadDashboard(
      sources({
        database: async (_signal, progress) => {
          progress?.({ ...database, pending: [{ id: 'vacuum', title: 'Vacuum' }] });
          return { database, business };
        },
      }),
      { kind: '24h' },
      new AbortController().signal,
      (e) => events.push(e),
    );
    const databaseEvents = events.filter(
      (e) => e.kind === 'data' && e.payload.section === 'database',
    );
    assert.equal(databaseEvents.length, 2);
    const [partial, full] = databaseEvents.map((e) =>
      e.kind === 'data' && e.payload.section === 'database' ? e.payload.data : undefined,
    );
    assert.deepEqual(partial?.pending, [{ id: 'vacuum', title: 'Vacuum' }]);
    assert.equal(full?.pending, undefined);
  });

  it('turns a window into the log engine bounds', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    assert.deepEqual(windowBounds({ kind: '1h' }, now), {
      from: new Date('2026-12-04T11:00:00Z'),
      to: now,
      label: 'last hour',
    });
    assert.equal(windowBounds({ kind: '7d' }, now).from.toISOString(), '2026-11-27T12:00:00.000Z');
    const range = windowBounds(
      { kind: 'range', from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
      now,
    );
    assert.equal(range.to.toISOString(), '2026-12-02T00:00:00.000Z');
  });
});
