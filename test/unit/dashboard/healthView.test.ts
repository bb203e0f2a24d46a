/**
 * The Health section: checks grouped by the playbook's tiers with their latest result, the ones
 * never run marked so, and results outside the playbook kept under "Other checks".
 */
import { strict as assert } from 'node:assert';
import type { CheckResult } from '../../../src/core/checks/types';
import { healthView } from '../../../src/core/dashboard/healthView';
import type { Playbook } from '../../../src/core/playbook/model';

const playbook: Playbook = {
  tiers: [
    { id: 'daily', title: 'Daily', team: 'Operations', period: 'day' },
    { id: 'weekly', title: 'Weekly', team: 'Development', period: 'week' },
    { id: 'annual', title: 'Annual', team: 'All', period: 'year' },
  ],
  tasks: [
    {
      id: 't1',
      tier: 'daily',
      title: 'Health',
      team: 'Ops',
      items: [],
      checks: ['health.database', 'logs.errorsLastHour'],
    },
    {
      id: 't2',
      tier: 'weekly',
      title: 'Perf',
      team: 'Dev',
      items: [],
      checks: ['health.database'],
    },
    {
      id: 't3',
      tier: 'weekly',
      title: 'Off',
      team: 'Dev',
      items: [],
      checks: ['db.vacuum'],
      disabled: true,
    },
  ],
  customChecks: [],
  thresholds: {},
  severities: [],
};

function result(checkId: string, outcome: CheckResult['outcome']): CheckResult {
  return {
    checkId,
    title: `Title of ${checkId}`,
    outcome,
    summary: `${checkId} ${outcome}`,
    startedAt: '2026-12-04T10:00:00.000Z',
    durationMs: 12,
    findings:
      outcome === 'fail'
        ? [{ message: 'NoMethodError', severity: 'error', file: 'log/production.log', line: 7 }]
        : [],
  };
}

describe('dashboard health view', () => {
  it('groups by tier, marks checks never run, and counts each check once', () => {
    const view = healthView(playbook, [
      result('health.database', 'pass'),
      result('logs.errorsLastHour', 'fail'),
      result('repo.uncommitted', 'warn'),
    ]);
    assert.deepEqual(
      view.tiers.map((tier) => [tier.title, tier.checks.map((c) => `${c.checkId}:${c.outcome}`)]),
      [
        ['Daily', ['health.database:pass', 'logs.errorsLastHour:fail']],
        ['Weekly', ['health.database:pass']],
        ['Other checks', ['repo.uncommitted:warn']],
      ],
    );
    assert.deepEqual(view.counts, { pass: 1, warn: 1, fail: 1, error: 0, skipped: 0, never: 0 });
    assert.deepEqual(view.tiers[0].checks[1].findings, [
      {
        message: 'NoMethodError',
        severity: 'error',
        location: { file: 'log/production.log', line: 7 },
      },
    ]);
  });

  it('shows the playbook before any check ran, and results without a playbook', () => {
    const empty = healthView(playbook, []);
    assert.equal(empty.counts.never, 2);
    assert.equal(empty.tiers[0].checks[0].summary, 'Not run yet');
    const bare = healthView(undefined, [result('health.database', 'pass')]);
    assert.deepEqual(
      bare.tiers.map((tier) => tier.title),
      ['Checks'],
    );
  });

  it("carries a check's details: the why, the fix, the next step", () => {
    const failing = {
      ...result('logs.errorsLastHour', 'fail'),
      details: '5xx by action: BookingsController#show 12 of 102 requests.\nNext: fix it.',
    };
    const passing = { ...result('health.database', 'pass'), details: 'Why: all is well.' };
    const view = healthView(playbook, [passing, failing]);
    const checks = view.tiers[0].checks;
    assert.equal(checks[1].details, failing.details);
    assert.equal('details' in checks[0], false, "a pass's details are left out, as the CLI does");
  });

  it('marks the results the command line saved, and only those', () => {
    const saved = result('logs.errorsLastHour', 'fail');
    const view = healthView(
      playbook,
      [result('health.database', 'pass'), saved],
      () => undefined,
      (kept) => (kept === saved ? 'commandLine' : 'editor'),
    );
    assert.deepEqual(
      view.tiers[0].checks.map((check) => [check.checkId, check.from]),
      [
        ['health.database', undefined],
        ['logs.errorsLastHour', 'commandLine'],
      ],
    );
  });
});
