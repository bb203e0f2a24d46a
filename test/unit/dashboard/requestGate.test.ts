/**
 * The host acts on a page's request only for what it showed the page: a compromised dashboard
 * (a log line or query text that got script running) could otherwise have any SQL explained on
 * the monitored database, any URL opened, or a database session opened per message in a loop.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestGate } from '../../../src/core/dashboard/requestGate';
import type { CardView, HostMessage } from '../../../src/core/dashboard/protocol';
import { emptyLogsView } from '../../support/logsView';

function card(id: string, url?: string): CardView {
  return {
    id,
    title: id,
    state: 'warn',
    summary: '',
    facts: [],
    ...(url ? { link: { label: 'docs', url } } : {}),
  };
}

const noop = async (): Promise<void> => undefined;

function database(queries: string[], links: string[]): HostMessage {
  return {
    type: 'sectionData',
    refreshId: 1,
    section: 'database',
    data: {
      target: 'db',
      cards: links.map((url, index) => card(`c${index}`, url)),
      growth: [],
      slowQueries: queries.map((query) => ({ query, calls: 1, totalMs: 1, meanMs: 1, rows: 1 })),
    },
  };
}

const health: HostMessage = {
  type: 'sectionData',
  refreshId: 1,
  section: 'health',
  data: {
    counts: { pass: 0, warn: 1, fail: 0, error: 0, skipped: 0, never: 0 },
    tiers: [
      {
        tierId: 'daily',
        title: 'Daily',
        checks: [
          {
            checkId: 'security.csrf',
            title: 'CSRF',
            outcome: 'warn',
            summary: '',
            findings: [
              { message: 'skips', severity: 'warning', location: { file: 'app/a.rb', line: 3 } },
            ],
          },
        ],
      },
    ],
  },
};

const logs: HostMessage = {
  type: 'sectionData',
  refreshId: 1,
  section: 'logs',
  data: emptyLogsView({
    exceptions: [
      {
        className: 'NoMethodError',
        count: 3,
        lastMessage: "undefined method `name' for nil",
        lastAt: '2026-12-05T08:30:00.000Z',
        actions: ['BookingsController#show'],
        frame: { file: 'app/controllers/bookings_controller.rb', line: 8 },
        location: { file: 'log/production.log', line: 61 },
        bugTitle: "NoMethodError in BookingsController#show: undefined method `name' for nil",
      },
    ],
    slowRequests: [
      {
        at: '',
        action: 'A#b',
        path: '/',
        status: 200,
        durationMs: 5,
        location: { file: 'log/production.log', line: 40 },
      },
    ],
  }),
};

describe('dashboard request gate (security review)', () => {
  const accept = async (gate: RequestGate, message: Parameters<RequestGate['admit']>[0]) => {
    let ran = false;
    const verdict = await gate.admit(message, async () => {
      ran = true;
    });
    return { verdict, ran };
  };

  it('explains only a slow query the dashboard showed', async () => {
    const gate = new RequestGate();
    const shown = 'SELECT * FROM users WHERE id = $1';
    assert.equal((await accept(gate, { type: 'explainQuery', sql: shown })).verdict, 'notOffered');
    gate.record(database([shown], []));
    assert.deepEqual(await accept(gate, { type: 'explainQuery', sql: shown }), {
      verdict: 'accepted',
      ran: true,
    });
    const forged = 'DELETE FROM users';
    assert.deepEqual(await accept(gate, { type: 'explainQuery', sql: forged }), {
      verdict: 'notOffered',
      ran: false,
    });
    // The latest data of a section is what the page shows: older queries are gone.
    gate.record(database(['SELECT 2'], []));
    assert.equal((await accept(gate, { type: 'explainQuery', sql: shown })).verdict, 'notOffered');
  });

  it('opens only a link of a card it showed', async () => {
    const gate = new RequestGate();
    gate.record(database([], ['https://www.postgresql.org/docs/current/routine-vacuuming.html']));
    const shown = {
      type: 'openLink',
      url: 'https://www.postgresql.org/docs/current/routine-vacuuming.html',
    } as const;
    assert.equal((await accept(gate, shown)).verdict, 'accepted');
    const forged = { type: 'openLink', url: 'https://attacker.example/?leak=secrets' } as const;
    assert.equal((await accept(gate, forged)).verdict, 'notOffered');
  });

  it('opens only a file location of a finding or a slow request it showed', async () => {
    const gate = new RequestGate();
    gate.record(health);
    gate.record(logs);
    for (const file of ['app/a.rb', 'log/production.log']) {
      assert.equal(
        (await accept(gate, { type: 'openLocation', file, line: 1 })).verdict,
        'accepted',
      );
    }
    const forged = { type: 'openLocation', file: 'config/master.key' } as const;
    assert.equal((await accept(gate, forged)).verdict, 'notOffered');
  });

  it("opens an exception's frame; a bug report only for an exception it showed", async () => {
    const gate = new RequestGate();
    const shown = {
      type: 'newBugReport',
      title: "NoMethodError in BookingsController#show: undefined method `name' for nil",
    } as const;
    assert.equal((await accept(gate, shown)).verdict, 'notOffered');
    gate.record(logs);
    const frame = { type: 'openLocation', file: 'app/controllers/bookings_controller.rb' } as const;
    assert.equal((await accept(gate, frame)).verdict, 'accepted');
    assert.deepEqual(await accept(gate, shown), { verdict: 'accepted', ran: true });
    // A page that got script running could otherwise file any title, report after report.
    const forged = { type: 'newBugReport', title: 'Wire money to attacker' } as const;
    assert.equal((await accept(gate, forged)).verdict, 'notOffered');
    const both = await Promise.all([gate.admit(shown, () => sleep(20)), gate.admit(shown, noop)]);
    assert.deepEqual(both, ['accepted', 'busy']);
  });

  it('gives a bug report what the page showed of its exception, as lines', () => {
    const gate = new RequestGate();
    const title = "NoMethodError in BookingsController#show: undefined method `name' for nil";
    assert.deepEqual(gate.bugEvidence(title, 'Europe/Berlin'), []);
    gate.record(logs);
    // Last seen in the schedule's zone, named, as the report's other times (it was in UTC).
    assert.deepEqual(gate.bugEvidence(title, 'Europe/Berlin'), [
      "3× NoMethodError: undefined method `name' for nil",
      'Raised in: BookingsController#show',
      'Last seen: 2026-12-05 09:30 +01:00 (Europe/Berlin)',
      'App frame: app/controllers/bookings_controller.rb:8',
      'Log line: log/production.log:61',
    ]);
    assert.ok(
      gate
        .bugEvidence(title, 'America/New_York')
        .includes('Last seen: 2026-12-05 03:30 -05:00 (America/New_York)'),
    );
    assert.deepEqual(gate.bugEvidence('Wire money to attacker', 'Europe/Berlin'), []);
  });

  it('runs one explain and one report at a time; a flood waits for none', async () => {
    const gate = new RequestGate();
    gate.record(database(['SELECT 1'], []));
    let running = 0;
    let most = 0;
    const slow = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(20);
      running--;
    };
    const verdicts = await Promise.all(
      Array.from({ length: 200 }, () =>
        gate.admit({ type: 'explainQuery', sql: 'SELECT 1' }, slow),
      ),
    );
    assert.equal(most, 1);
    assert.equal(verdicts.filter((verdict) => verdict === 'accepted').length, 1);
    assert.equal(verdicts.filter((verdict) => verdict === 'busy').length, 199);
    const reports = await Promise.all([
      gate.admit({ type: 'saveReport' }, slow),
      gate.admit({ type: 'saveReport' }, slow),
    ]);
    assert.deepEqual(reports, ['accepted', 'busy']);
    // Done, it may run again; a failure frees it too.
    await assert.rejects(
      gate.admit({ type: 'saveReport' }, async () => {
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(await gate.admit({ type: 'saveReport' }, slow), 'accepted');
  });

  it('opens a link at most once a second, however often the page asks', async () => {
    // A page in a loop would open a browser tab per message for a trusted domain.
    const gate = new RequestGate({ linkGapMs: 60 });
    const url = 'https://www.postgresql.org/docs/current/sql-analyze.html';
    gate.record(database([], [url]));
    const verdicts = [];
    for (let i = 0; i < 20; i++) verdicts.push(await gate.admit({ type: 'openLink', url }, noop));
    assert.deepEqual(
      verdicts.map((verdict) => verdict === 'accepted'),
      [true, ...Array.from({ length: 19 }, () => false)],
    );
    await sleep(70);
    assert.equal(await gate.admit({ type: 'openLink', url }, noop), 'accepted');
  });

  it('lets the page ask for refreshes and windows (the refresher spaces them)', async () => {
    const gate = new RequestGate();
    assert.equal((await accept(gate, { type: 'refresh' })).verdict, 'accepted');
    assert.equal(
      (await accept(gate, { type: 'setWindow', window: { kind: '7d' } })).verdict,
      'accepted',
    );
  });
});
