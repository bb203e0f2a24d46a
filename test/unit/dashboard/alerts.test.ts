/**
 * Alerts: the guidelines' thresholds against the figures, failing checks and warning cards.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { computeAlerts } from '../../../src/core/dashboard/alerts';
import { buildReport } from '../../../src/core/dashboard/report';
import type { HealthView, LogsView } from '../../../src/core/dashboard/protocol';
import { defaultSettings } from '../../../src/core/settings';
import { emptyLogsView } from '../../support/logsView';

const thresholds = defaultSettings.thresholds;

function logs(totals: Partial<LogsView['totals']>, slow: number[] = []): LogsView {
  return emptyLogsView({
    totals: {
      requests: 1000,
      errors: 0,
      errorRatePercent: 0,
      avgMs: 100,
      p50Ms: 50,
      p95Ms: 200,
      p99Ms: 400,
      slowRequests: slow.filter((ms) => ms >= 1000).length,
      ...totals,
    },
    slowRequests: slow.map((durationMs) => ({
      at: '',
      action: 'A#b',
      path: '/',
      status: 200,
      durationMs,
    })),
  });
}

describe('dashboard alerts', () => {
  it('writes its figures as the rest of the line does, whatever the locale', () => {
    // In a German runtime the threshold read "alert above 1,5 %" next to a measured "2.5 %".
    const module = path.resolve(__dirname, '../../../src/core/dashboard/alerts.ts');
    const script =
      `const { computeAlerts } = require(${JSON.stringify(module)});\n` +
      `const thresholds = ${JSON.stringify({ ...thresholds, errorRateAlertPercent: 1.5 })};\n` +
      `const logs = ${JSON.stringify(logs({ errorRatePercent: 2.5, requests: 1234 }))};\n` +
      'console.log(computeAlerts({ thresholds, logs })[0].detail);';
    const detail = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' },
      encoding: 'utf8',
    });
    assert.equal(
      detail.trim(),
      '2.5 % of completed requests in the last 24 hours answered 5xx (alert above 1.5 %)',
    );
  });

  it('is quiet when every figure is within the guidelines', () => {
    assert.deepEqual(computeAlerts({ thresholds, logs: logs({ errorRatePercent: 0.05 }) }), []);
  });

  it('warns above 0.1 % errors and fails above 1 %', () => {
    const warn = computeAlerts({ thresholds, logs: logs({ errorRatePercent: 0.5 }) });
    assert.deepEqual(
      warn.map((a) => [a.id, a.severity]),
      [['logs.errorRate', 'warn']],
    );
    const fail = computeAlerts({ thresholds, logs: logs({ errorRatePercent: 2.5 }) });
    assert.deepEqual(
      fail.map((a) => [a.id, a.severity]),
      [['logs.errorRate', 'fail']],
    );
    assert.equal(fail[0].title, 'Error rate');
    assert.equal(
      fail[0].detail,
      '2.5 % of completed requests in the last 24 hours answered 5xx (alert above 1 %)',
    );
    assert.equal(
      warn[0].detail,
      '0.5 % of completed requests in the last 24 hours answered 5xx (guideline: below 0.1 %)',
    );
  });

  it("warns at the guidelines' goals, which a figure must stay under: 0.1 % and 2 s", () => {
    // "Error Rate: < 0.1%", "Response Time: Average < 2 seconds"; the alerts (> 1 %, > 2 s)
    // are not reached there.
    const alerts = computeAlerts({
      thresholds,
      logs: logs({ errorRatePercent: 0.1, avgMs: 2000 }),
    });
    assert.deepEqual(
      alerts.map((a) => [a.id, a.severity, a.detail]),
      [
        [
          'logs.errorRate',
          'warn',
          '0.1 % of completed requests in the last 24 hours answered 5xx (guideline: below 0.1 %)',
        ],
        [
          'logs.avgResponseTime',
          'warn',
          '2 s over 1,000 requests in the last 24 hours (guideline: below 2 s)',
        ],
      ],
    );
  });

  it('names the action that answered most 5xx, to follow the error rate to', () => {
    const view = logs({ errorRatePercent: 2.5 });
    const action = { count: 102, p50Ms: 1, p95Ms: 1, p99Ms: 1, dbSharePercent: null };
    view.actions = [
      { ...action, action: 'HomeController#index', errors: 0 },
      { ...action, action: 'BookingsController#create', errors: 3 },
      { ...action, action: 'BookingsController#show', errors: 12 },
    ];
    const [alert] = computeAlerts({ thresholds, logs: view });
    assert.equal(
      alert.detail,
      '2.5 % of completed requests in the last 24 hours answered 5xx (alert above 1 %); ' +
        'most in BookingsController#show, 12 of its 102 requests',
    );
  });

  it('names no one action "most" when several answered as many 5xx', () => {
    // Seen on a small log: three actions with one 5xx each read "most in" the first of them.
    const view = logs({ errorRatePercent: 42.9 });
    const action = { count: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1, dbSharePercent: null };
    view.actions = [
      { ...action, action: 'ErrorsController#internal_server_error', errors: 1 },
      { ...action, action: 'HomeController#index', errors: 0 },
      { ...action, action: 'FoosController#index', errors: 1 },
      { ...action, action: 'CentersController#index', errors: 1 },
    ];
    const [alert] = computeAlerts({ thresholds, logs: view });
    assert.equal(
      alert.detail,
      '42.9 % of completed requests in the last 24 hours answered 5xx (alert above 1 %); ' +
        '1 each in ErrorsController#internal_server_error and 2 other actions',
    );
  });

  it('writes the rate as the check, the dashboard and the saved report do', () => {
    const [alert] = computeAlerts({ thresholds, logs: logs({ errorRatePercent: 1.2587 }) });
    assert.match(alert.detail, /^1\.3 % of completed requests/);
    const markdown = buildReport({
      generatedAt: new Date(Date.UTC(2026, 11, 5)),
      author: 'Ada',
      workspaceName: 'demo',
      window: { kind: '24h' },
      sections: { logs: logs({ errorRatePercent: 1.2587 }) },
      errors: {},
    });
    assert.match(markdown, /\| 1\.3 % \|/);
  });

  it('fails on an average over 2 s and warns on requests slower than 1 s', () => {
    const alerts = computeAlerts({ thresholds, logs: logs({ avgMs: 2500 }, [900, 1500, 4000]) });
    assert.deepEqual(
      alerts.map((a) => [a.id, a.severity]),
      [
        ['logs.avgResponseTime', 'fail'],
        ['logs.slowRequests', 'warn'],
      ],
    );
    assert.deepEqual(
      alerts.map((a) => `${a.title}: ${a.detail}`),
      [
        'Average response time: 2.5 s over 1,000 requests in the last 24 hours (alert above 2 s)',
        'Slow requests: 2 requests over 1 s in the last 24 hours, slowest 4 s',
      ],
    );
  });

  it('says the average is over the timed requests when some logged no duration', () => {
    // 3 of 956 requests were routing errors or cut off: the mean is over the 953 others, as
    // the check says, beside the Requests figure of 956.
    const [alert] = computeAlerts({
      thresholds,
      logs: logs({ requests: 956, timedRequests: 953, avgMs: 2500 }),
    });
    assert.equal(
      alert.detail,
      '2.5 s over 953 timed requests (of 956) in the last 24 hours (alert above 2 s)',
    );
  });

  it('names the window its figures are for, as a failing check names its own', () => {
    // At "Last hour", "1 request over 1 s" stood beside the check's "… in the last 24 hours".
    const hour = { ...logs({ errorRatePercent: 2.5 }, [1500]), window: { kind: '1h' as const } };
    assert.deepEqual(
      computeAlerts({ thresholds, logs: hour }).map((a) => a.detail),
      [
        '2.5 % of completed requests in the last hour answered 5xx (alert above 1 %)',
        '1 request over 1 s in the last hour, slowest 1.5 s',
      ],
    );
    const range = {
      ...logs({}, [1500]),
      window: { kind: 'range' as const, from: '2026-12-01', to: '2026-12-02' },
    };
    assert.equal(
      computeAlerts({ thresholds, logs: range })[0].detail,
      '1 request over 1 s in the chosen range, slowest 1.5 s',
    );
  });

  it('says "1 request" for one', () => {
    const alerts = computeAlerts({ thresholds, logs: logs({}, [1854]) });
    assert.equal(alerts[0].detail, '1 request over 1 s in the last 24 hours, slowest 1.9 s');
  });

  it('follows changed thresholds', () => {
    const strict = { ...thresholds, avgResponseTimeMs: 50 };
    assert.equal(
      computeAlerts({ thresholds: strict, logs: logs({}) })[0].id,
      'logs.avgResponseTime',
    );
  });

  it('ignores an empty log window', () => {
    assert.deepEqual(computeAlerts({ thresholds, logs: logs({ requests: 0, avgMs: 9999 }) }), []);
  });

  it('lists failing checks once and warning cards, failures first', () => {
    const check = (checkId: string, outcome: 'pass' | 'fail' | 'error') => ({
      checkId,
      title: checkId,
      outcome,
      summary: `${checkId} said so`,
      findings: [],
    });
    const health: HealthView = {
      counts: { pass: 1, warn: 0, fail: 1, error: 1, skipped: 0, never: 0 },
      tiers: [
        { tierId: 'daily', title: 'Daily', checks: [check('a', 'pass'), check('b', 'fail')] },
        { tierId: 'weekly', title: 'Weekly', checks: [check('b', 'fail'), check('c', 'error')] },
      ],
    };
    const alerts = computeAlerts({
      thresholds,
      health,
      database: {
        target: 'x',
        growth: [],
        slowQueries: [],
        cards: [
          { id: 'vacuum', title: 'Vacuum', state: 'warn', summary: 'dead tuples', facts: [] },
          { id: 'size', title: 'Size', state: 'ok', summary: '1 MB', facts: [] },
        ],
      },
    });
    assert.deepEqual(
      alerts.map((a) => [a.id, a.severity]),
      [
        ['check:b', 'fail'],
        ['check:c', 'fail'],
        ['db:vacuum', 'warn'],
      ],
    );
  });

  it("carries when a failing check ran: its figures are of then, not of the page's data", () => {
    const check = {
      checkId: 'logs.errorsLastHour',
      title: 'Errors in the last hour',
      outcome: 'fail' as const,
      summary: '1 error in the last hour',
      startedAt: '2026-12-05T12:40:00.000Z',
      findings: [],
    };
    const health: HealthView = {
      counts: { pass: 0, warn: 0, fail: 1, error: 0, skipped: 0, never: 0 },
      tiers: [{ tierId: 'daily', title: 'Daily', checks: [check] }],
    };
    const alerts = computeAlerts({ thresholds, health, logs: logs({ errorRatePercent: 2.5 }) });
    assert.deepEqual(
      alerts.map((a) => [a.id, a.ranAt]),
      [
        ['logs.errorRate', undefined],
        ['check:logs.errorsLastHour', '2026-12-05T12:40:00.000Z'],
      ],
    );
  });
  it('shows a failing check once when a threshold alert already measures the same figure', () => {
    const health: HealthView = {
      counts: { pass: 0, warn: 0, fail: 1, error: 0, skipped: 0, never: 0 },
      tiers: [
        {
          tierId: 'daily',
          title: 'Daily',
          checks: [
            {
              checkId: 'logs.errorRate',
              title: 'Error rate',
              outcome: 'fail',
              summary: '2.5 % failed',
              findings: [],
            },
          ],
        },
      ],
    };
    const alerts = computeAlerts({ thresholds, logs: logs({ errorRatePercent: 2.5 }), health });
    assert.deepEqual(
      alerts.map((a) => [a.id, a.severity]),
      [['logs.errorRate', 'fail']],
    );
  });

  it('words every alert as "what: figure (rule)", never "X failed — …"', () => {
    const health: HealthView = {
      counts: { pass: 0, warn: 0, fail: 1, error: 1, skipped: 0, never: 0 },
      tiers: [
        {
          tierId: 'daily',
          title: 'Daily',
          checks: [
            {
              checkId: 'logs.errorsLastHour',
              title: 'Errors in the last hour',
              outcome: 'fail',
              summary: '1 error in the last hour (RuntimeError: 1)',
              findings: [],
            },
            {
              checkId: 'health.url',
              title: 'Application URL',
              outcome: 'error',
              summary: 'connect ECONNREFUSED 127.0.0.1:9',
              findings: [],
            },
          ],
        },
      ],
    };
    const alerts = computeAlerts({
      thresholds,
      health,
      logs: logs({ errorRatePercent: 2.5 }),
      database: {
        target: 'x',
        growth: [],
        slowQueries: [],
        cards: [
          {
            id: 'unusedIndexes',
            title: 'Unused indexes',
            state: 'warn',
            summary: '1 index never scanned',
            facts: [],
          },
        ],
      },
    });
    assert.deepEqual(
      alerts.map((a) => `${a.title}: ${a.detail}`),
      [
        'Error rate: 2.5 % of completed requests in the last 24 hours answered 5xx ' +
          '(alert above 1 %)',
        'Errors in the last hour: 1 error in the last hour (RuntimeError: 1; the check failed)',
        'Application URL: connect ECONNREFUSED 127.0.0.1:9 (the check could not run)',
        'Unused indexes: 1 index never scanned',
      ],
    );
    for (const alert of alerts) {
      assert.doesNotMatch(alert.title, /failed|could not run|above|slower/, alert.title);
    }
  });
});
