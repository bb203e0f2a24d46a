/**
 * `upkeep status` says a last completion's period as the tree counts it: the period its time
 * falls in, in the zone read here, not the key a machine in another zone filed it under.
 */
import * as assert from 'node:assert/strict';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import type { PlaybookState } from '../../../src/core/playbook/state';
import { buildStatusReport, formatStatusText } from '../../../src/core/playbook/statusReport';

const TASK = 'monthly.securityUpdates';

/** The report of the monthly tier at `now` in London, of a state with one completion. */
function report(done: { periodKey: string; at: string }, now: string) {
  const entry = { ...done, by: 'Kenji' };
  const state: PlaybookState = {
    version: 1,
    tasks: {
      [TASK]: {
        since: '2026-01-01T00:00:00Z',
        ticks: {},
        done: entry,
        history: [{ action: 'done', ...entry, items: [], checks: [] }],
      },
    },
  };
  const playbook = defaultPlaybook();
  const built = buildStatusReport({
    playbook,
    state,
    stateSource: {
      known: true,
      location: 'repository',
      file: '/tmp/state.json',
      missing: false,
      problem: null,
    },
    now: new Date(now),
    timeZone: { name: 'Europe/London', source: 'setting' },
    workspace: '/tmp',
    tiers: ['monthly'],
    overdueOnly: false,
    failOn: 'never',
    playbookErrors: false,
  });
  const task = built.tiers[0].tasks.find((row) => row.id === TASK);
  assert.ok(task);
  return { task, text: formatStatusText(built, playbook) };
}

describe('upkeep status: the period of the last completion', () => {
  it('is the period the completion counts for here, not the one it was filed under', () => {
    // 08:30 on 1 March in Tokyo, filed under March there: 23:30 on 28 February in London.
    const tokyo = { periodKey: '2026-03', at: '2026-02-28T23:30:00Z' };
    const { task, text } = report(tokyo, '2026-03-10T12:00:00Z');
    assert.equal(task.state === 'done', false);
    assert.equal(task.lastDone?.period, '2026-02');
    assert.match(text, /last done 2026-02-28 23:30 by Kenji \(2026-02\)/);
  });

  it('keeps the filed period for a time still to come or no time at all', () => {
    // Counted for no period (a clock was wrong): April here, but said as filed, May.
    const ahead = { periodKey: '2026-05', at: '2026-04-30T20:00:00Z' };
    assert.equal(report(ahead, '2026-03-10T12:00:00Z').task.lastDone?.period, '2026-05');
    const broken = { periodKey: '2026-01', at: 'yesterday' };
    assert.equal(report(broken, '2026-03-10T12:00:00Z').task.lastDone?.period, '2026-01');
  });
});
