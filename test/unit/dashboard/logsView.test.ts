/**
 * The Logs view-model from the log engine's real summary of a real Rails 5.2 production log:
 * the figures equal the summary's, quiet hours are filled in, slow requests keep their line.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { windowBounds } from '../../../src/core/dashboard/loader';
import { logsView } from '../../../src/core/dashboard/logsView';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { tempFolderWith } from '../../support/tempFolders';

const WORKSPACE = path.resolve(__dirname, '../../fixtures/dashboard');
const NOW = new Date('2021-11-27T00:00:00Z');

async function view(workspace = WORKSPACE, source = 'rails52_production_tagged.log', now = NOW) {
  const window = { kind: '24h' as const };
  const summary = await summarizeLogs({
    workspace,
    sources: [source],
    window: windowBounds(window, now),
    timeZone: 'UTC',
    clock: fixedClock(now),
  });
  return { summary, view: logsView(summary, window) };
}

describe('dashboard logs view', () => {
  it('carries the summary totals', async () => {
    const { summary, view: logs } = await view();
    assert.ok(summary.requests.total > 0, 'the fixture has requests in the window');
    assert.equal(logs.totals.requests, summary.requests.total);
    assert.equal(logs.totals.errors, summary.statusClasses['5xx']);
    assert.equal(logs.totals.errorRatePercent, Math.round(summary.errorRate * 100_000) / 1000);
    // What the rate is over, for the dashboard to say it of few requests ("1 of 3 requests").
    assert.equal(logs.totals.completedRequests, summary.requests.completed);
    assert.equal(logs.totals.timedRequests, summary.duration.count);
    // What "slow" is, said under the count.
    assert.equal(logs.totals.slowRequestMs, summary.slowRequestMs);
    assert.equal(logs.totals.p95Ms, summary.duration.p95Ms);
    assert.equal(logs.totals.avgMs, summary.duration.meanMs);
    assert.equal(logs.from, '2021-11-26T00:00:00.000Z');
    assert.equal(logs.to, '2021-11-27T00:00:00.000Z');
  });

  it('draws every hour of the window, quiet ones as zero requests and no error rate', async () => {
    const { summary, view: logs } = await view();
    assert.equal(logs.requestsPerHour.times.length, 24);
    assert.equal(logs.requestsPerHour.times[0], Date.parse('2021-11-26T00:00:00Z') / 1000);
    const [requests, errors] = logs.requestsPerHour.series;
    const sum = (values: (number | null)[]): number =>
      values.reduce<number>((a, b) => a + (b ?? 0), 0);
    assert.equal(sum(requests.values), summary.requests.total);
    assert.equal(
      sum(errors.values),
      summary.requests.perHour.reduce((a, b) => a + b.errors, 0),
    );
    const quiet = requests.values.findIndex((value) => value === 0);
    assert.ok(quiet >= 0);
    assert.equal(logs.errorRate.series[0].values[quiet], null);
    const busy = summary.requests.perHour[0];
    const index = logs.requestsPerHour.times.indexOf(Date.parse(busy.hour) / 1000);
    assert.equal(
      logs.errorRate.series[0].values[index],
      Math.round((busy.errors / busy.completed) * 100_000) / 1000,
    );
    assert.equal(logs.durations.series[0].values[index], busy.meanMs);
  });

  it('says in each chart how its figures are written: durations, shares, counts', async () => {
    // The page told a duration by its unit's name, "ms".
    const { view: logs } = await view();
    assert.equal(logs.durations.figures, 'durationMs');
    assert.equal(logs.errorRate.figures, 'percent');
    assert.equal(logs.requestsPerHour.figures, 'count');
  });

  it('draws the hours the window cuts, its first and its last, as part hours', async () => {
    // The last 24 hours to 12:31:20: the 12:00 bar held 31 minutes and read as a drop.
    const now = new Date('2021-11-26T12:31:20Z');
    const { summary, view: logs } = await view(WORKSPACE, 'rails52_production_tagged.log', now);
    const chart = logs.requestsPerHour;
    assert.deepEqual(
      chart.series.map((series) => [series.label, series.faded ?? false]),
      [
        ['Requests', false],
        ['of which part hours', true],
        ['Errors (5xx)', false],
        ['errors in part hours', true],
      ],
    );
    const [whole, part] = chart.series;
    const last = chart.times.length - 1;
    assert.equal(chart.times[0], Date.parse('2021-11-25T12:00:00Z') / 1000);
    assert.equal(chart.times[last], Date.parse('2021-11-26T12:00:00Z') / 1000);
    for (const at of [0, last]) assert.equal(whole.values[at], null);
    const inLast = summary.requests.perHour.find((row) => row.hour.startsWith('2021-11-26T12'));
    assert.equal(part.values[last], inLast?.count ?? 0);
    assert.ok(part.values.slice(1, last).every((value) => value === null));
    const sum = (values: (number | null)[]): number =>
      values.reduce<number>((a, b) => a + (b ?? 0), 0);
    assert.equal(sum(whole.values) + sum(part.values), summary.requests.total);
    assert.match(chart.note ?? '', /^Lighter bars are part hours: /);

    // A window of whole hours has none.
    const { view: day } = await view();
    assert.deepEqual(
      day.requestsPerHour.series.map((series) => series.label),
      ['Requests', 'Errors (5xx)'],
    );
    assert.equal(day.requestsPerHour.note, undefined);
  });

  it("draws the errors of part hours lighter, as the part hours' requests", async () => {
    // The requests of a part hour were lighter, its 5xx solid red beside them.
    const now = new Date('2021-11-26T12:31:20Z');
    const { summary, view: logs } = await view(WORKSPACE, 'rails52_production_tagged.log', now);
    const chart = logs.requestsPerHour;
    const whole = chart.series.find((series) => series.label === 'Errors (5xx)');
    const part = chart.series.find((series) => series.label === 'errors in part hours');
    assert.ok(whole && part);
    assert.equal(part.faded, true);
    // Right after the whole errors, so it takes their colour.
    assert.equal(chart.series.indexOf(part), chart.series.indexOf(whole) + 1);
    const last = chart.times.length - 1;
    for (const at of [0, last]) assert.equal(whole.values[at], null);
    assert.ok(part.values.slice(1, last).every((value) => value === null));
    const hour = (prefix: string) =>
      summary.requests.perHour.find((row) => row.hour.startsWith(prefix))?.errors ?? 0;
    assert.equal(part.values[0], hour('2021-11-25T12'));
    assert.equal(part.values[last], hour('2021-11-26T12'));
    const sum = (values: (number | null)[]): number =>
      values.reduce<number>((a, b) => a + (b ?? 0), 0);
    assert.equal(sum(whole.values) + sum(part.values), summary.statusClasses['5xx']);
  });

  it('draws the error rate of the part hours apart, each hour with its requests', async () => {
    // A last hour of 2 requests, 1 an error, was the error rate's peak of 50 %, drawn as a
    // whole hour's: it is a part hour, and the rate says how many requests it rests on.
    const now = new Date('2021-11-26T12:31:20Z');
    const { summary, view: logs } = await view(WORKSPACE, 'rails52_production_tagged.log', now);
    const chart = logs.errorRate;
    assert.deepEqual(
      chart.series.map((series) => [series.label, series.faded ?? false]),
      [
        ['Error rate', false],
        ['in part hours', true],
      ],
    );
    assert.match(chart.note ?? '', /^Lighter points are part hours: /);
    const [whole, part] = chart.series;
    const last = chart.times.length - 1;
    for (const at of [0, last]) assert.equal(whole.values[at], null);
    assert.ok(part.values.slice(1, last).every((value) => value === null));
    const inLast = summary.requests.perHour.find((row) => row.hour.startsWith('2021-11-26T12'));
    const rate = inLast?.completed
      ? Math.round((inLast.errors / inLast.completed) * 1e5) / 1e3
      : null;
    assert.equal(part.values[last], rate);
    // What each hour's rate (and duration) rests on: its completed requests, 0 for a quiet one.
    assert.equal(chart.base?.label, 'Requests');
    assert.equal(chart.base?.unit, 'request');
    assert.equal(chart.base?.values.length, chart.times.length);
    assert.equal(chart.base?.values[last], inLast?.completed ?? 0);
    const sum = chart.base?.values.reduce((a, b) => a + b, 0);
    assert.equal(sum, summary.requests.completed);
    assert.deepEqual(logs.durations.base, chart.base);

    // A window of whole hours has no part hours, and keeps its base.
    const { view: day } = await view();
    assert.deepEqual(
      day.errorRate.series.map((series) => series.label),
      ['Error rate'],
    );
    assert.equal(day.errorRate.note, undefined);
    assert.ok(day.errorRate.base?.values.some((count) => count > 0));
  });

  it("draws an hour's p95 and p99 only over requests enough to have one", async () => {
    // Over 19 requests or fewer the 95th is the slowest, over 99 or fewer the 99th: a "p99"
    // peak of 2 requests read as the app's tail latency.
    const lines: string[] = [];
    const requests = (hour: string, count: number): void => {
      for (let n = 0; n < count; n++) {
        const at = `2021-11-26T${hour}:${String(n % 60).padStart(2, '0')}:00.000000 #41`;
        const prefix = `I, [${at}]  INFO -- : [${hour}-${n}]`;
        lines.push(
          `${prefix} Started GET "/" for 192.0.2.1 at 2021-11-26 ${hour}:00:00 +0000`,
          `${prefix} Processing by HomeController#index as HTML`,
          `${prefix} Completed 200 OK in ${10 + n}ms (Views: 1.0ms)`,
        );
      }
    };
    requests('10', 25);
    requests('11', 120);
    requests('12', 3);
    const workspace = await tempFolderWith('upkeep-logsview-', {
      'log/production.log': `${lines.join('\n')}\n`,
    });
    const { view: logs } = await view(workspace, 'log/production.log');
    const chart = logs.durations;
    const hours = ['10', '11', '12'].map((h) =>
      chart.times.indexOf(Date.parse(`2021-11-26T${h}:00:00Z`) / 1000),
    );
    const drawn = (label: string): boolean[] => {
      const values = chart.series.find((series) => series.label === label)?.values ?? [];
      return hours.map((at) => typeof values[at] === 'number');
    };
    assert.deepEqual(drawn('Mean'), [true, true, true]);
    assert.deepEqual(drawn('p50'), [true, true, true]);
    assert.deepEqual(drawn('p95'), [true, true, false]);
    assert.deepEqual(drawn('p99'), [false, true, false]);
    assert.deepEqual(
      hours.map((at) => chart.base?.values[at]),
      [25, 120, 3],
    );
    assert.equal(
      chart.note,
      'p95 shows for hours of 20 requests or more, p99 for 100 or more: over fewer, either ' +
        'is the slowest request, not a percentile.',
    );
  });

  it('draws a window of 3 hours or less in 5-minute slots from its start, each whole', async () => {
    // The last hour to 12:31:20: in hours, a bar of 11:31–12:00 and one of 12:00–12:31.
    const now = new Date('2021-11-26T12:31:20Z');
    const window = { kind: '1h' as const };
    const summary = await summarizeLogs({
      workspace: WORKSPACE,
      sources: ['rails52_production_tagged.log'],
      window: windowBounds(window, now),
      timeZone: 'UTC',
      clock: fixedClock(now),
    });
    const slots = summary.requests.perFiveMinutes ?? [];
    assert.equal(slots.length, 12);
    assert.equal(slots[0].start, '2021-11-26T11:31:20.000Z');
    assert.equal(slots[11].start, '2021-11-26T12:26:20.000Z');
    assert.equal(
      slots.reduce((sum, slot) => sum + slot.count, 0),
      summary.requests.total,
    );
    // perHour stays as it was: the JSON only gained a table.
    assert.deepEqual(
      summary.requests.perHour.map((row) => row.hour),
      ['2021-11-26T12:00:00.000Z'],
    );

    const logs = logsView(summary, window);
    assert.equal(logs.requestsPerHour.title, 'Requests per 5 minutes');
    assert.deepEqual(
      logs.requestsPerHour.times,
      slots.map((slot) => Date.parse(slot.start) / 1000),
    );
    assert.deepEqual(
      logs.requestsPerHour.series[0].values,
      slots.map((slot) => slot.count),
    );
    const busy = slots.findIndex((slot) => slot.count > 0);
    assert.equal(logs.durations.series[0].values[busy], slots[busy].meanMs);
    assert.equal(logs.errorRate.series[0].values[0], null, 'a quiet slot has no error rate');

    // Longer windows keep hours, and the JSON no slots.
    const { summary: day, view: dayView } = await view();
    assert.equal(day.requests.perFiveMinutes, undefined);
    assert.equal(dayView.requestsPerHour.title, 'Requests per hour');
  });

  it('lists actions, exceptions, status mix and slow requests with their log line', async () => {
    const { summary, view: logs } = await view();
    assert.equal(logs.actions.length, summary.actions.length);
    const first = summary.actions[0];
    assert.deepEqual(logs.actions[0], {
      action: first.name,
      count: first.count,
      p50Ms: first.p50Ms,
      p95Ms: first.p95Ms,
      p99Ms: first.p99Ms,
      dbSharePercent: first.dbShare === null ? null : Math.round(first.dbShare * 100_000) / 1000,
      errors: first.errors,
    });
    assert.deepEqual(
      logs.actions.map((action) => action.errors),
      summary.actions.map((action) => action.errors),
    );
    assert.ok(
      logs.actions.some((action) => action.errors > 0),
      'the fixture has 5xx',
    );
    assert.deepEqual(
      logs.exceptions.map((e) => e.className),
      summary.exceptions.map((e) => e.className),
    );
    assert.equal(
      logs.statusMix.reduce((a, b) => a + b.count, 0),
      Object.values(summary.statusClasses).reduce((a, b) => a + b, 0),
    );
    const slow = logs.slowRequests[0];
    assert.deepEqual(slow.location, {
      file: 'rails52_production_tagged.log',
      line: summary.slowest[0].line,
    });
    assert.equal(typeof slow.location?.line, 'number');
    assert.deepEqual(logs.sources, ['rails52_production_tagged.log']);
  });

  it('gives each exception its actions, app frame, log line and a bug report title', async () => {
    const { summary, view: logs } = await view();
    const row = logs.exceptions.find((e) => e.className === 'ActionView::Template::Error');
    const source = summary.exceptions.find((e) => e.className === row?.className);
    assert.ok(row && source, 'the fixture has a template error in the window');
    assert.deepEqual(row.actions, ['foosController#index']);
    assert.deepEqual(row.frame, {
      file: 'config/initializers/active_record_relation_crypto_extensions.rb',
      line: 12,
    });
    assert.deepEqual(row.location, { file: 'rails52_production_tagged.log', line: source.line });
    assert.equal(
      row.bugTitle,
      'ActionView::Template::Error in foosController#index: ' +
        'PG::UndefinedColumn: ERROR: column foos.first_name does not exist',
    );
    // No frame logged: nothing to open; no action: the title names none.
    const bare = logs.exceptions.find((e) => e.className === 'URI::InvalidURIError');
    assert.equal(bare?.frame, undefined);
    const noAction = logs.exceptions.find(
      (e) => e.className === 'ActiveModel::MissingAttributeError',
    );
    assert.equal(
      noAction?.bugTitle,
      "ActiveModel::MissingAttributeError: can't write unknown attribute `consent_privacy`",
    );
  });

  it("keeps a request's control, bidi and half characters out of a bug report title", async () => {
    // The message is the request's to choose (a parameter echoed in an error).
    const message = `bad: \u202egnp.exe\x1b]0;PWNED\x07 ${'😀'.repeat(150)}`;
    const at = '2021-11-26T07:36:47.16';
    const workspace = await tempFolderWith('upkeep-logs-view-', {
      'production.log':
        `F, [${at}7359 #1] FATAL -- : [r1]   \n` +
        `F, [${at}7439 #1] FATAL -- : [r1] ActiveModel::MissingAttributeError (${message}):\n`,
    });
    const title = (await view(workspace, 'production.log')).view.exceptions[0]?.bugTitle ?? '';
    assert.match(title, /^ActiveModel::MissingAttributeError: bad: .gnp\.exe.\]0;PWNED. 😀/);
    assert.doesNotMatch(title, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.doesNotMatch(title, /\p{Cs}/u, 'no half of a surrogate pair');
    assert.ok(title.endsWith('…') && title.length <= 200, title);
  });

  it('counts requests never completed in the status mix: it adds up to Requests', async () => {
    const prefix = (id: string, at: string): string =>
      `I, [2021-11-26T${at}.000000 #41]  INFO -- : [${id}]`;
    const workspace = await tempFolderWith('upkeep-logsview-', {
      'log/production.log': [
        `${prefix('a1', '10:00:00')} Started GET "/" for 192.0.2.1 at 2021-11-26 10:00:00 +0000`,
        `${prefix('a1', '10:00:00')} Processing by HomeController#index as HTML`,
        `${prefix('a1', '10:00:01')} Completed 200 OK in 80ms (Views: 10.0ms)`,
        `${prefix('b2', '10:05:00')} Started GET "/x" for 192.0.2.1 at 2021-11-26 10:05:00 +0000`,
        `${prefix('b2', '10:05:00')} Processing by HomeController#show as HTML`,
        '',
      ].join('\n'),
    });
    const summary = await summarizeLogs({
      workspace,
      sources: ['log/production.log'],
      window: windowBounds({ kind: '24h' }, NOW),
      timeZone: 'UTC',
      clock: fixedClock(NOW),
    });
    assert.equal(summary.requests.incomplete, 1);
    const logs = logsView(summary, { kind: '24h' });
    assert.deepEqual(logs.statusMix, [
      { status: '2xx', count: 1 },
      { status: 'incomplete', count: 1 },
    ]);
    assert.equal(
      logs.statusMix.reduce((a, b) => a + b.count, 0),
      logs.totals.requests,
    );
    // The average is over the one request that logged a duration, of the two.
    assert.deepEqual([logs.totals.timedRequests, logs.totals.requests], [1, 2]);
  });

  it('reports a missing log source as a warning, not a failure', async () => {
    const summary = await summarizeLogs({
      workspace: WORKSPACE,
      sources: ['log/nothing-here.log'],
      clock: fixedClock(NOW),
      timeZone: 'UTC',
    });
    const logs = logsView(summary, { kind: '1h' });
    assert.equal(logs.totals.requests, 0);
    assert.equal(logs.totals.errorRatePercent, null);
    assert.ok(logs.warnings.some((warning) => warning.includes('log/nothing-here.log')));
    // Said once: it read "log/nothing-here.log: log/nothing-here.log does not exist".
    for (const warning of logs.warnings) {
      assert.equal(warning.split('log/nothing-here.log').length, 2, warning);
    }
  });

  it('says a source that could not be read once, though the summary also warns of it', async () => {
    // The summary lists a source's error in its warnings too: here `-`, which the dashboard
    // never feeds.
    const summary = await summarizeLogs({
      workspace: WORKSPACE,
      sources: ['rails52_production_tagged.log', '-'],
      clock: fixedClock(NOW),
      timeZone: 'UTC',
    });
    const error = summary.sources.find((source) => source.pattern === '-')?.error ?? '';
    assert.match(error, /read by upkeep logs only/);
    assert.ok(summary.warnings.includes(error));
    const logs = logsView(summary, { kind: '24h' });
    assert.equal(logs.warnings.filter((warning) => warning.includes(error)).length, 1);
  });

  it('says when the newest entry read is older than the window, and only then', async () => {
    // A log copied from a server, or one the app stopped writing (Rails 7.1 logs to STDOUT):
    // the window read as a quiet day of zeros.
    const week = new Date('2021-12-04T00:00:00Z');
    const summary = await summarizeLogs({
      workspace: WORKSPACE,
      sources: ['rails52_production_tagged.log'],
      window: windowBounds({ kind: '24h' }, week),
      timeZone: 'UTC',
      clock: fixedClock(week),
    });
    const logs = logsView(summary, { kind: '24h' });
    assert.equal(logs.totals.requests, 0);
    assert.equal(
      logs.behind,
      'Nothing in this window: the newest entry read is from 2021-11-26 12:17:01 UTC.',
    );
    assert.equal((await view()).view.behind, undefined, 'a window with requests');
  });

  it('says when the newest entry read is after the window, which read as a quiet one', async () => {
    // A log from a machine whose clock is ahead (or a window chosen before the log starts)
    // read as a calm window of zeros.
    const before = new Date('2021-11-20T00:00:00Z');
    const { view: logs } = await view(WORKSPACE, 'rails52_production_tagged.log', before);
    assert.equal(logs.totals.requests, 0);
    assert.match(
      logs.behind ?? '',
      /^Nothing in this window: the newest entry read is from 2021-11-26 \S+ UTC, after its end\.$/,
    );
  });
});
