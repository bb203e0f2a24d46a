/**
 * The dashboard webview in a real headless Chromium, inside the panel's own CSP: it renders each
 * section, keeps hostile data as text, pages big tables, isolates a failing section, and follows
 * the theme. Screenshots go to test-results/.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type {
  ChartView,
  DashboardViewState,
  HostMessage,
  LogsView,
  SectionPayload,
  WebviewMessage,
} from '../../../src/core/dashboard/protocol';
import { businessView, cardView } from '../../../src/core/dashboard/databaseView';
import type { BusinessGrowthData } from '../../../src/core/db/businessCards';
import { chartFigure, chartLegend } from '../../support/chartLegend';
import { cspViolations, DashboardHarness, type DashboardPage } from './harness';
import {
  DATABASE_DOWN,
  HOSTILE_MARKUP,
  manyActions,
  ONE_MEGABYTE,
  RTL,
  refreshMessages,
  sampleSections,
  UNTRUSTED_INIT,
} from './sampleData';

const RESULTS = path.resolve(__dirname, '../../../test-results');

async function feed(dashboard: DashboardPage, payloads: SectionPayload[]): Promise<void> {
  for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
}

/** Whether the Logs section's first warning comes before its figures, in sight first. */
function warningAboveFigures(page: DashboardPage['page']): Promise<boolean> {
  return page.evaluate(() => {
    const warning = document.querySelector('[data-section="logs"] .warning');
    const figures = document.querySelector('[data-figure="log-requests"]');
    return !!warning && !!figures && !!(warning.compareDocumentPosition(figures) & 4);
  });
}

async function assertClean(dashboard: DashboardPage): Promise<void> {
  assert.deepEqual(dashboard.problems.errors, [], 'console errors');
  assert.deepEqual(dashboard.problems.dialogs, [], 'dialogs');
  assert.deepEqual(await cspViolations(dashboard.page), [], 'CSP violations');
}

/** WCAG contrast ratio of two computed `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string): number => {
    const [r, g, b] = (css.match(/\d+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/**
 * Pixels of a chart's plot (its top `share` of it) in a colour, not a grey: a series drawn there,
 * grid lines and axes aside.
 */
function colouredPixels(chart: Locator, share = 1): Promise<number> {
  return chart.locator('.chart-canvas').evaluate((host: HTMLElement, part: number) => {
    const canvas = host.querySelector('canvas')!;
    const over = host.querySelector<HTMLElement>('.u-over')!;
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const left = Math.round(over.offsetLeft * scale);
    const top = Math.round(over.offsetTop * scale);
    const width = Math.round(over.offsetWidth * scale);
    const height = Math.round(over.offsetHeight * scale * part);
    const { data } = canvas.getContext('2d')!.getImageData(left, top, width, height);
    let count = 0;
    for (let at = 0; at < data.length; at += 4) {
      const [r, g, b, a] = data.slice(at, at + 4);
      if (a > 0 && !(r === g && g === b)) count++;
    }
    return count;
  }, share);
}

/** The sample dashboard with its Logs view changed by `edit`. */
function withLogs(edit: (logs: LogsView) => void): SectionPayload[] {
  const payloads = sampleSections();
  const logs = payloads.find((payload) => payload.section === 'logs');
  assert.ok(logs?.section === 'logs');
  edit(logs.data);
  return payloads;
}

/** A day's window in hours from Dec 4, 12:00 UTC, its last a part hour: 25 indexes, times. */
const DAY_HOURS = Array.from({ length: 25 }, (_, at) => at);
const dayHourTimes = DAY_HOURS.map((at) => Date.parse('2026-12-04T12:00:00Z') / 1000 + at * 3600);

/** The sample dashboard with a Sign-ups per day chart of these UTC days and series. */
function withSignups(days: string[], series: ChartView['series'], note?: string): SectionPayload[] {
  const payloads = sampleSections();
  const business = payloads.find((payload) => payload.section === 'business');
  assert.ok(business?.section === 'business');
  business.data.signupsPerDay = {
    title: 'Sign-ups per day',
    unit: 'users',
    times: days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000),
    series,
    ...(note ? { note } : {}),
    dayBuckets: { timeZone: 'Etc/UTC' },
  };
  return payloads;
}

/** The sample dashboard with every state a badge can show, a check that could not run too. */
function withEveryState(): SectionPayload[] {
  const payloads = sampleSections();
  const health = payloads.find((payload) => payload.section === 'health');
  assert.ok(health?.section === 'health');
  health.data.tiers[1].checks.push({
    checkId: 'db.vacuum',
    title: 'Vacuum',
    outcome: 'error',
    summary: 'permission denied for pg_stat_user_tables',
    findings: [],
  });
  return payloads;
}

/**
 * State words are text: each one on the page, of every kind, has at least 4.5:1 against the
 * background it sits on (WCAG AA), be it the editor's, a card's or an alert's.
 */
async function assertStateContrast(page: Page, theme: string): Promise<void> {
  const badges = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.state')).map((badge) => {
      let background = 'rgba(0, 0, 0, 0)';
      for (let at: Element | null = badge; at; at = at.parentElement) {
        const colour = getComputedStyle(at).backgroundColor;
        if (colour !== 'transparent' && !/rgba\(.*, 0\)$/.test(colour)) {
          background = colour;
          break;
        }
      }
      return {
        kind: /state-(\w+)/.exec(badge.className)?.[1] ?? badge.className,
        colour: getComputedStyle(badge).color,
        background,
      };
    }),
  );
  assert.deepEqual(
    [...new Set(badges.map((badge) => badge.kind))].sort(),
    ['error', 'fail', 'never', 'ok', 'pass', 'skipped', 'warn'],
    'every kind of state is on the page',
  );
  for (const badge of badges) {
    const ratio = contrast(badge.colour, badge.background);
    assert.ok(
      ratio >= 4.5,
      `${badge.kind} text ${badge.colour} on ${badge.background} at ${ratio.toFixed(1)}:1 ` +
        `in the ${theme} theme`,
    );
  }
}

describe('dashboard webview (Chromium)', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    await harness.start();
  });
  after(async () => harness.stop());

  it('says ready first, with its saved window, and posts nothing else on its own', async () => {
    const state: DashboardViewState = { window: { kind: '7d' }, scrollY: 0 };
    const dashboard = await harness.open({ state });
    const posted = await dashboard.posted();
    assert.deepEqual(posted, [{ type: 'ready', state }]);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('shows a loading state per section until data arrives, then every section', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    for (const id of ['alerts', 'health', 'logs', 'database', 'business']) {
      assert.equal(await page.getAttribute(`[data-section="${id}"]`, 'data-state'), 'loading');
    }
    await feed(dashboard, sampleSections());
    for (const id of ['alerts', 'health', 'logs', 'database', 'business']) {
      assert.equal(await page.getAttribute(`[data-section="${id}"]`, 'data-state'), 'ready', id);
    }
    assert.equal(await page.textContent('[data-figure="log-requests"] dd'), '1,234');
    assert.equal(await page.textContent('[data-figure="health-skipped"] dd'), '1');
    // One check reads "1 check", not "1 checks".
    assert.match(
      (await page.textContent('details[data-tier="weekly"] summary')) ?? '',
      /— 1 check: 1 skipped$/,
    );
    assert.match(
      (await page.textContent('details[data-tier="daily"] summary')) ?? '',
      /— 3 checks: /,
    );
    // Instants in card tables show in the one date format (the locale's, with the time),
    // numbers with thousands separators.
    const vacuum = page.locator('[data-card="db.vacuum"] tbody tr').first();
    const expected = await page.evaluate(() =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
        Date.parse('2026-12-04T16:49:24.935Z'),
      ),
    );
    assert.equal(await vacuum.locator('td').nth(1).textContent(), expected);
    assert.equal(await vacuum.locator('td').first().textContent(), '8,040');
    assert.ok(
      await page.locator('figcaption', { hasText: 'Users who reached each step' }).count(),
      'the funnel chart says what it counts',
    );
    // One colour for every step: a funnel of five colours read step 2 as an error, in red.
    const stepColours = await page
      .locator('[data-section="business"] .bars .bar')
      .evaluateAll((bars) => bars.map((bar) => getComputedStyle(bar).backgroundColor));
    assert.equal(stepColours.length, 5);
    assert.equal(new Set(stepColours).size, 1, stepColours.join(', '));
    // An alert reads as one sentence: what, the figure, the rule.
    assert.equal(
      (await page.textContent('[data-section="alerts"] [data-alert="logs.errorRate"]'))?.trim(),
      'FAIL Error rate: 2.4 % of completed requests answered 5xx (alert above 1 %)',
    );
    assert.equal(await page.locator('[data-card="db.cacheHitRatio"] .state').textContent(), 'WARN');
    // A fix per row shows every statement, one a line, not only the first.
    assert.deepEqual(
      await page.locator('[data-card="db.missingIndexes"] .fixes li').allTextContents(),
      [
        'CREATE INDEX CONCURRENTLY ON bookings (user_id);',
        'CREATE INDEX CONCURRENTLY ON services (business_id);',
      ],
    );
    // Charts carry a text equivalent and a data table for screen readers.
    const label = await page.getAttribute('figure[aria-label^="Requests per hour"]', 'aria-label');
    assert.match(label ?? '', /Requests total [\d,]+, mean .* max/);
    assert.ok(
      await page.locator('.visually-hidden caption', { hasText: 'Requests per hour' }).count(),
    );
    assert.ok((await page.locator('canvas').count()) >= 3, 'uPlot canvases drawn');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('counts outcomes in one order in every tier, as the figures above them do', async () => {
    const dashboard = await harness.open();
    const payloads = withEveryState();
    const health = payloads.find((payload) => payload.section === 'health');
    assert.ok(health?.section === 'health');
    // The same outcomes in another order of checks: the counts read the same.
    health.data.tiers.push({ ...health.data.tiers[0], tierId: 'monthly', title: 'Monthly' });
    health.data.tiers[2].checks = [...health.data.tiers[2].checks].reverse();
    await feed(dashboard, payloads);
    const summary = async (tier: string): Promise<string> =>
      (await dashboard.page.textContent(`details[data-tier="${tier}"] summary`)) ?? '';
    assert.match(await summary('daily'), /— 3 checks: 1 pass, 1 fail, 1 not run$/);
    assert.match(await summary('monthly'), /— 3 checks: 1 pass, 1 fail, 1 not run$/);
    assert.match(await summary('weekly'), /— 2 checks: 1 error, 1 skipped$/);
  });

  it('reads a bar of one as one: "1 request", "1 user"', async () => {
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const logs = payloads.find((payload) => payload.section === 'logs');
    const business = payloads.find((payload) => payload.section === 'business');
    assert.ok(logs?.section === 'logs' && business?.section === 'business');
    logs.data.statusMix = [
      { status: '2xx', count: 31 },
      { status: '5xx', count: 1 },
    ];
    business.data.funnel[business.data.funnel.length - 1].users = 1;
    await feed(dashboard, payloads);
    const values = (section: string): Promise<string[]> =>
      dashboard.page.locator(`[data-section="${section}"] .bar-value`).allTextContents();
    assert.deepEqual(await values('logs'), ['31 requests', '1 request']);
    assert.equal((await values('business')).at(-1), '1 user');
    // Every bar's track is as long, whatever the width of its figure: bars compare by length.
    for (const section of ['logs', 'business']) {
      const tracks = await dashboard.page
        .locator(`[data-section="${section}"] .bar-track`)
        .evaluateAll((found) => found.map((track) => track.getBoundingClientRect().width));
      assert.equal(new Set(tracks).size, 1, `${section}: ${tracks.join(', ')}`);
    }
    await dashboard.page.context().close();
  });

  it('shows a day bucket as its date, in the zone it was cut in, west of UTC too', async () => {
    const dashboard = await harness.open({ timezoneId: 'America/Los_Angeles' });
    const days = ['2026-11-05', '2026-11-06'];
    await feed(dashboard, withSignups(days, [{ label: 'Sign-ups', values: [4, 7] }]));
    const chart = dashboard.page.locator('[data-section="business"] figure[role="group"]');
    const shown = await chart.locator('.visually-hidden tbody th').allTextContents();
    assert.deepEqual(shown, ['Thu, Nov 5, 2026', 'Fri, Nov 6, 2026']);
    assert.match((await chart.locator('caption').textContent()) ?? '', /days in Etc\/UTC/);
    assert.match((await chart.getAttribute('aria-label')) ?? '', /Thu, Nov 5, 2026 to Fri, Nov 6/);
  });

  it("shows every time in the host's zone, named, not the browser's", async () => {
    // The browser west of UTC, the schedule's zone east of it: "Updated" and the charts read
    // the browser's clock while the tree and bug reports read the schedule's.
    const dashboard = await harness.open({ timezoneId: 'America/Los_Angeles' });
    const page = dashboard.page;
    const payloads = sampleSections();
    const messages = refreshMessages(1, payloads).map((message) =>
      message.type === 'init' ? { ...message, timeZone: 'Asia/Tokyo' } : message,
    );
    for (const message of messages) await dashboard.send(message);
    const done = messages.find((message) => message.type === 'refreshDone');
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(done?.type === 'refreshDone' && logs?.section === 'logs');
    const inTokyo = (iso: string): Promise<string> =>
      page.evaluate(
        (at) =>
          new Intl.DateTimeFormat(undefined, {
            dateStyle: 'medium',
            timeStyle: 'short',
            timeZone: 'Asia/Tokyo',
          }).format(Date.parse(at)),
        iso,
      );

    assert.equal(
      await page.textContent('.status'),
      `Updated ${await inTokyo(done.at)} (Asia/Tokyo)`,
    );
    assert.equal(
      await page.textContent('[data-section="logs"] p.meta'),
      `last 24 hours: ${await inTokyo(logs.data.from)} – ${await inTokyo(logs.data.to)} ` +
        '(times in Asia/Tokyo)',
    );
    // Tables name the zone in the column of times; charts in their caption and points.
    const slow = page.locator('[data-section="logs"] table', {
      has: page.locator('caption', { hasText: 'Slowest requests' }),
    });
    assert.equal(await slow.locator('thead th').first().textContent(), 'Time (Asia/Tokyo)');
    const at = logs.data.slowRequests[0].at;
    assert.equal(
      await slow.locator('tbody tr').first().locator('th, td').first().textContent(),
      await inTokyo(at),
    );
    const exceptions = await page
      .locator('[data-section="logs"] table', {
        has: page.locator('caption', { hasText: 'Exceptions' }),
      })
      .locator('thead th')
      .allTextContents();
    assert.ok(exceptions.includes('Last seen (Asia/Tokyo)'), exceptions.join(' | '));
    // Health's Last run shows an age ("5 min ago"): its header names no zone, its tooltip does.
    const health = page.locator('[data-section="health"] table').first();
    const healthHeaders = await health.locator('thead th').allTextContents();
    assert.ok(healthHeaders.includes('Last run'), healthHeaders.join(' | '));
    assert.match(
      (await health.locator('tbody time').first().getAttribute('title')) ?? '',
      /\(Asia\/Tokyo\)/,
    );
    const chart = chartFigure(page, 'Requests per hour');
    assert.match((await chart.locator('figcaption').textContent()) ?? '', /times in Asia\/Tokyo/);
    const first = new Date(logs.data.requestsPerHour.times[0] * 1000).toISOString();
    assert.equal(
      await chart.locator('.visually-hidden tbody th').first().textContent(),
      await inTokyo(first),
    );

    // A range is entered in that zone too: 09:00 to 18:00 in Tokyo, not in Los Angeles.
    const range = async (from: string, to: string): Promise<WebviewMessage | undefined> => {
      await page.evaluate(
        ([start, end]) => {
          const select = document.getElementById('window-select') as HTMLElement & {
            value: string;
          };
          select.value = 'range';
          select.dispatchEvent(new Event('change'));
          const fields = ['range-from', 'range-to'].map(
            (id) => document.getElementById(id) as HTMLElement & { value: string },
          );
          fields[0].value = start;
          fields[1].value = end;
        },
        [from, to],
      );
      await page.locator('#range-apply').click();
      return (await dashboard.posted()).at(-1);
    };
    assert.deepEqual(await range('2026-12-04T09:00', '2026-12-04T18:00'), {
      type: 'setWindow',
      window: { kind: 'range', from: '2026-12-04T00:00:00.000Z', to: '2026-12-04T09:00:00.000Z' },
    });
    assert.equal(
      await page.evaluate(
        () => (document.getElementById('range-from') as { label?: string }).label,
      ),
      'Range start (Asia/Tokyo)',
    );
    // Across a clock change: Berlin's 03:30 on the morning it went from 02:00 to 03:00.
    await dashboard.send({ ...messages[0], timeZone: 'Europe/Berlin' } as HostMessage);
    const spring = await range('2026-03-29T01:30', '2026-03-29T03:30');
    assert.ok(spring?.type === 'setWindow' && spring.window.kind === 'range');
    assert.deepEqual(
      [spring.window.from, spring.window.to],
      ['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    );
    await assertClean(dashboard);
    await page.context().close();
  });

  it('draws the first and the last bar whole, as wide as the others', async () => {
    const dashboard = await harness.open();
    const days = ['2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08'];
    await feed(dashboard, withSignups(days, [{ label: 'Sign-ups', values: [5, 5, 5, 5] }]));
    const chart = chartFigure(dashboard.page, 'Sign-ups per day');
    await dashboard.page.waitForSelector('[data-section="business"] canvas');
    // The widths of the runs of columns that hold a bar's colour, left to right.
    const widths = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data, width, height } = canvas
        .getContext('2d')!
        .getImageData(0, 0, canvas.width, canvas.height);
      const runs: number[] = [];
      let run = 0;
      for (let x = 0; x < width; x++) {
        let bar = false;
        for (let y = 0; y < height && !bar; y++) {
          const [r, g, b, a] = data.slice((y * width + x) * 4, (y * width + x) * 4 + 4);
          bar = a === 255 && b > r + 60 && b > g + 20;
        }
        if (bar) run++;
        else if (run) {
          runs.push(run);
          run = 0;
        }
      }
      if (run) runs.push(run);
      return runs;
    });
    assert.equal(widths.length, 4, widths.join(', '));
    for (const width of widths) assert.ok(Math.abs(width - widths[1]) <= 2, widths.join(', '));
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('spans a day around the only day of sign-ups, not years after it', async () => {
    // uPlot gives a lone time 86,400,000 s (1,000 days): a first day of sign-ups read as a thin
    // bar at the left of an axis running to 2029.
    const dashboard = await harness.open();
    await feed(dashboard, withSignups(['2026-12-05'], [{ label: 'Sign-ups', values: [5000] }]));
    const canvas = chartFigure(dashboard.page, 'Sign-ups per day').locator('.chart-canvas');
    await canvas.locator('canvas').waitFor();
    const [min, max] = ((await canvas.getAttribute('data-x-range')) ?? '').split('..').map(Number);
    const day = Date.parse('2026-12-05T00:00:00Z') / 1000;
    assert.ok(min < day && day < max, `${min}..${max} holds ${day}`);
    assert.ok(max - min <= 2 * 86400, `${(max - min) / 86400} days wide`);
    // A day's bar is read by its date: no tick of that axis gives a time of day.
    assert.equal(await canvas.getAttribute('data-x-ticks'), 'Dec 5');
    await feed(
      dashboard,
      withSignups(['2026-12-04', '2026-12-05'], [{ label: 'Sign-ups', values: [3, 4] }]),
    );
    await dashboard.page.waitForFunction(
      () => !!document.querySelector('.chart-canvas[data-x-ticks*="Dec 4"]'),
    );
    assert.equal(await canvas.getAttribute('data-x-ticks'), 'Dec 4|Dec 5');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('keeps the colour of a series that follows a part (part hours before Errors)', async () => {
    // A faded series took a colour slot: Errors (5xx) turned from red to the third colour.
    const dashboard = await harness.open();
    const colours = async (series: ChartView['series']): Promise<string[]> => {
      const payloads = sampleSections();
      const logs = payloads.find((payload) => payload.section === 'logs');
      assert.ok(logs?.section === 'logs');
      logs.data.requestsPerHour.series = series;
      await feed(dashboard, payloads);
      return chartFigure(dashboard.page, 'Requests per hour')
        .locator('.u-legend tr.u-series .u-marker')
        .evaluateAll((markers) => markers.map((marker) => getComputedStyle(marker).borderColor));
    };
    const count = (value: number | null): (number | null)[] => [value, 5, 6, 7];
    const whole = await colours([
      { label: 'Requests', values: count(4) },
      { label: 'Errors (5xx)', values: [0, 1, 0, 0] },
    ]);
    const parted = await colours([
      { label: 'Requests', values: count(null) },
      { label: 'of which part hours', values: [4, null, null, null], faded: true },
      { label: 'Errors (5xx)', values: [0, 1, 0, 0] },
    ]);
    assert.deepEqual(parted, [whole[0], whole[1], whole[1], whole[2]], parted.join(' | '));
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('draws every day of the window, days without sign-ups as 0 on the axis', async () => {
    // Sign-ups on 2 days of 31: the axis ran over those 2 days alone, a gap of none unseen.
    const dashboard = await harness.open();
    const growth: BusinessGrowthData = {
      counts: { users: 13 },
      signUpsPerDay: [
        { day: '2026-11-10', users: 9 },
        { day: '2026-11-30', users: 4 },
      ],
      signUpsTimeZone: 'Etc/UTC',
      signUpsPartialDays: { first: '2026-11-05', last: '2026-12-05' },
      retention7d: null,
    };
    const card = { id: 'businessGrowth', title: 'Users', state: 'ok' as const, summary: '' };
    const payloads = sampleSections();
    const business = payloads.find((payload) => payload.section === 'business');
    assert.ok(business?.section === 'business');
    business.data.signupsPerDay = businessView([
      { ...card, data: growth, durationMs: 1 },
    ]).signupsPerDay;
    await feed(dashboard, payloads);
    const chart = chartFigure(dashboard.page, 'Sign-ups per day');
    const canvas = chart.locator('.chart-canvas');
    await canvas.locator('canvas').waitFor();
    const [min, max] = ((await canvas.getAttribute('data-x-range')) ?? '').split('..').map(Number);
    const first = Date.parse('2026-11-05T00:00:00Z') / 1000;
    const last = Date.parse('2026-12-05T00:00:00Z') / 1000;
    assert.ok(min <= first && last <= max, `${min}..${max} holds Nov 5 to Dec 5`);
    const days = await chart.locator('.visually-hidden tbody th').allTextContents();
    assert.equal(days.length, 31, days.join(' | '));
    assert.equal(days[1], 'Fri, Nov 6, 2026');
    const figures = await chart
      .locator('.visually-hidden tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.querySelector('td')?.textContent));
    assert.deepEqual([figures[1], figures[5], figures[25]], ['0', '9', '4'], figures.join(' | '));
    assert.deepEqual(await chartLegend(dashboard.page, 'Sign-ups per day'), [
      'Total: ',
      'Sign-ups: 13',
      'of which part days: 0',
    ]);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('draws an hour between quiet hours as a point: a lone value is not left out', async () => {
    // A window of 7 requests, each in an hour of its own: Duration over time and Error rate
    // drew next to nothing, as if there were no durations, while the table had 7 of them.
    const dashboard = await harness.open();
    const lone = (at: number): number | null => ([3, 10, 17].includes(at) ? 12 + at : null);
    const payloads = withLogs((logs) => {
      logs.durations = {
        title: 'Duration over time',
        unit: 'ms',
        figures: 'durationMs',
        times: dayHourTimes,
        series: [{ label: 'Mean', values: DAY_HOURS.map(lone) }],
      };
    });
    await feed(dashboard, payloads);
    const chart = chartFigure(dashboard.page, 'Duration over time');
    await chart.locator('canvas').waitFor();
    const coloured = await colouredPixels(chart);
    // Three points of about 5 px across each.
    assert.ok(coloured > 30, `${coloured} coloured pixels in the plot`);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('names no peak hour when no whole hour has a rate (all requests in a part hour)', async () => {
    // 5 requests, all in the window's last hour: the legend read "Peak: Jun 4, 7:00 AM
    // (0 requests)", the first hour's, as if it were the peak.
    const dashboard = await harness.open();
    const last = (at: number): boolean => at === DAY_HOURS.length - 1;
    const payloads = withLogs((logs) => {
      logs.errorRate = {
        title: 'Error rate',
        unit: '%',
        figures: 'percent',
        times: dayHourTimes,
        series: [
          { label: 'Error rate', values: DAY_HOURS.map(() => null) },
          {
            label: 'in part hours',
            values: DAY_HOURS.map((at) => (last(at) ? 0 : null)),
            faded: true,
          },
        ],
        base: {
          label: 'Requests',
          unit: 'request',
          values: DAY_HOURS.map((at) => (last(at) ? 5 : 0)),
        },
      };
    });
    await feed(dashboard, payloads);
    const legend = await chartLegend(dashboard.page, 'Error rate');
    assert.deepEqual(legend, ['Peak: ', 'Error rate: –', 'in part hours: 0 %']);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it("draws an error rate's part hours as lighter points, apart from its peak", async () => {
    // A last hour of 2 requests, 1 an error, peaked at 50 % as if it were an outage.
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs');
    const hour = Date.parse('2026-12-05T08:00:00Z') / 1000;
    const note = 'Lighter points are part hours: the window starts or ends inside them.';
    // Seven days of hours: uPlot draws no point of a line that dense, and a lone part hour
    // between gaps was not drawn at all.
    const hours = Array.from({ length: 169 }, (_, at) => at);
    const last = hours.length - 1;
    const edge = (at: number): boolean => at === 0 || at === last;
    logs.data.errorRate = {
      title: 'Error rate',
      unit: '%',
      figures: 'percent',
      times: hours.map((at) => hour + at * 3600),
      series: [
        { label: 'Error rate', values: hours.map((at) => (edge(at) ? null : 1 + (at % 2))) },
        {
          label: 'in part hours',
          values: hours.map((at) => (at === 0 ? 10 : at === last ? 50 : null)),
          faded: true,
        },
      ],
      note,
      base: {
        label: 'Requests',
        unit: 'request',
        values: hours.map((at) => (at === 0 ? 10 : at === last ? 2 : 200)),
      },
    };
    await feed(dashboard, payloads);
    const chart = chartFigure(dashboard.page, 'Error rate');
    await chart.locator('canvas').waitFor();
    assert.equal(await chart.locator('.chart-note').textContent(), note);
    // The peak is of the whole hours, said with its hour and requests; the part hours' own
    // beside it.
    const peak = await chartLegend(dashboard.page, 'Error rate');
    assert.match(peak[0], /^Peak: .+ \(200 requests\)$/);
    assert.deepEqual(peak.slice(1), ['Error rate: 2 %', 'in part hours: 50 %']);
    assert.match(
      (await chart.getAttribute('aria-label')) ?? '',
      /: Error rate mean [\d.]+ %, max 2 %/,
    );
    // A point reads with the requests it rests on, by keyboard and in the table.
    await chart.focus();
    await dashboard.page.keyboard.press('End');
    const read = await chartLegend(dashboard.page, 'Error rate');
    assert.match(read[0], /^Time: .+ \(2 requests\)$/);
    assert.deepEqual(read.slice(1), ['Error rate: 50 %', 'in part hours: 50 %']);
    await dashboard.page.keyboard.press('Escape');
    assert.deepEqual(await chart.locator('.visually-hidden thead th').allTextContents(), [
      'Time',
      'Requests',
      'Error rate',
      'in part hours',
    ]);
    const lastRow = await chart.locator('.visually-hidden tbody tr').last().locator('td');
    assert.deepEqual(await lastRow.allTextContents(), ['2', '50', '50']);
    // The last part hour shows on the canvas: at 50 %, high above the whole hours' 1 to 2 %,
    // a lighter point in the top quarter of the plot, where nothing else is drawn.
    const light = await colouredPixels(chart, 1 / 4);
    assert.ok(light > 10, `${light} coloured pixels in the top quarter`);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('draws part days lighter, in the colour of the whole days, with a note', async () => {
    const dashboard = await harness.open();
    const note =
      'Lighter bars are part days: Nov 5 from this time 30 days ago, Nov 7 (today) so far.';
    const series = [
      { label: 'Sign-ups', values: [null, 9, null] },
      { label: 'of which part days', values: [2, null, 3], faded: true },
    ];
    await feed(dashboard, withSignups(['2026-11-05', '2026-11-06', '2026-11-07'], series, note));
    const chart = chartFigure(dashboard.page, 'Sign-ups per day');
    assert.equal(await chart.locator('.chart-note').textContent(), note);
    await dashboard.page.waitForSelector('[data-section="business"] canvas');
    // The part days are sign-ups too: the total is the card's "14 sign-ups in 30 days", with
    // the part days' share beside it (it read "Sign-ups 9", "Part days 5"), and so are a part
    // day's figures in the table a screen reader reads.
    assert.deepEqual(await chartLegend(dashboard.page, 'Sign-ups per day'), [
      'Total: ',
      'Sign-ups: 14',
      'of which part days: 5',
    ]);
    assert.match((await chart.getAttribute('aria-label')) ?? '', /: Sign-ups total 14, /);
    assert.deepEqual(await chart.locator('.visually-hidden tbody td').allTextContents(), [
      '2',
      '2',
      '9',
      '–',
      '3',
      '3',
    ]);
    // The bars' colours: the whole day solid, the part days lighter, in one hue.
    const fills = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const counts = new Map<string, number>();
      for (let at = 0; at < data.length; at += 4) {
        const [r, g, b, a] = data.slice(at, at + 4);
        if (a === 0 || (r === g && g === b)) continue;
        const key = `${a === 255 ? 'solid' : 'light'} ${r >> 3},${g >> 3},${b >> 3}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts].filter(([, count]) => count > 100).map(([key]) => key);
    });
    const solid = fills.filter((key) => key.startsWith('solid'));
    const light = fills.filter((key) => key.startsWith('light'));
    assert.equal(solid.length, 1, fills.join('; '));
    assert.equal(light.length, 1, fills.join('; '));
    assert.equal(solid[0].slice(6), light[0].slice(6), 'one hue');
    // The legend's swatches look like their bars: Part days' is lighter too.
    const swatches = await chart
      .locator('.u-legend tr.u-series .u-marker')
      .evaluateAll((markers) => markers.map((marker) => getComputedStyle(marker).opacity));
    assert.deepEqual(swatches.slice(-2), ['1', '0.45']);
    // Bars stand on zero: the y axis of counts starts there.
    assert.match(
      (await chart.locator('.chart-canvas').getAttribute('data-y-range')) ?? '',
      /^0\.\./,
    );
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('keeps hostile data as text: no element, no script, no navigation', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const hostile = sampleSections((base) => `${HOSTILE_MARKUP}${base}${RTL}`);
    // A 1 MB log line and a 1 MB query text, and a script URL as a card link.
    const logs = hostile.find((payload) => payload.section === 'logs');
    const database = hostile.find((payload) => payload.section === 'database');
    assert.ok(logs?.section === 'logs' && database?.section === 'database');
    logs.data.exceptions[0].lastMessage = ONE_MEGABYTE;
    database.data.slowQueries[0].query = `${HOSTILE_MARKUP}${ONE_MEGABYTE}`;
    database.data.cards[1].link = { label: 'Docs', url: 'javascript:window.__pwned=3' };
    await feed(dashboard, hostile);
    await dashboard.send({
      type: 'sectionError',
      refreshId: 1,
      section: 'business',
      message: HOSTILE_MARKUP,
      hint: RTL,
    });

    assert.equal(await page.locator('img').count(), 0, 'no <img> was created');
    assert.equal(await page.locator('main script').count(), 0, 'no <script> was created');
    const text = (await page.textContent('main')) ?? '';
    assert.ok(text.includes('<img src=x onerror='), 'markup shows as text');
    // Right-to-left letters read as their script does; the override is written out, so that no
    // path or name shows its characters in another order than they are.
    assert.ok(text.includes(RTL.replace('\u202E', '\\u202e')), 'the override is written out');
    const drawn = /[\u202a-\u202e\u2066-\u2069]/.exec(text);
    const near = text.slice(Math.max(0, (drawn?.index ?? 0) - 60), (drawn?.index ?? 0) + 20);
    assert.equal(drawn, null, `a bidirectional control is drawn: ${JSON.stringify(near)}`);
    assert.ok(text.length < 200_000, 'a 1 MB string is clipped for display');

    const before = page.url();
    await page.locator('[data-card="db.cacheHitRatio"] button.link').click();
    assert.equal(page.url(), before, 'the page did not navigate');
    const posted = await dashboard.posted();
    assert.deepEqual(posted.at(-1), { type: 'openLink', url: 'javascript:window.__pwned=3' });

    // The Explain button hands the full query (not the clipped display) to the host.
    await page.locator('[data-section="database"] vscode-button', { hasText: 'Explain' }).click();
    const explain = (await dashboard.posted()).at(-1);
    assert.equal(explain?.type, 'explainQuery');
    assert.equal(
      explain?.type === 'explainQuery' && explain.sql.length,
      HOSTILE_MARKUP.length + ONE_MEGABYTE.length,
    );

    assert.equal(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
      undefined,
    );
    await assertClean(dashboard);
    await page.context().close();
  });

  it('pages and sorts a 10,000-row table', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections();
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs');
    logs.data.actions = manyActions(10_000);
    await feed(dashboard, payloads);
    const table = page.locator('table.data', {
      has: page.locator('caption', { hasText: 'Slowest actions' }),
    });
    const block = page.locator('.table-block', { has: table });
    assert.equal(await table.locator('tbody tr').count(), 50);
    assert.equal(await block.locator('.pager-status').textContent(), 'Rows 1–50 of 10000');
    // Sorted by p95 descending at first: the top row has the largest p95 (after Requests,
    // Errors (5xx) and p50).
    assert.equal(
      await table.locator('tbody tr').first().locator('td').nth(3).textContent(),
      '10 s',
    );
    await block.getByRole('button', { name: 'Next page' }).click();
    assert.equal(await block.locator('.pager-status').textContent(), 'Rows 51–100 of 10000');
    await table.getByRole('button', { name: 'Requests' }).click();
    assert.equal(await table.locator('th[aria-sort="descending"]').textContent(), 'Requests');
    assert.equal(await table.locator('tbody tr th').first().textContent(), 'Controller9999#action');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('leaves a blank column narrow and counts a one-page table for screen readers', async () => {
    // At 1024 px the all-"–" Growth column took a third of Largest tables, names wrapped after
    // their "_" ("schema_" / "migrations"), and "Rows 1–8 of 8" sat under the table.
    const dashboard = await harness.open({ width: 1024 });
    const page = dashboard.page;
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    const names = ['bookings', 'users', 'services', 'businesses', 'schema_migrations'];
    const tables = [...names, 'ar_internal_metadata', 'onboarding_steps', 'sessions'].map(
      (name, index) => ({
        schema: 'public',
        name,
        pretty: `${(8 - index) * 100} kB`,
        totalBytes: (8 - index) * 102_400,
        estimatedRows: index * 1_000,
        growth7dBytes: null,
      }),
    );
    database.data.cards = database.data.cards.filter((card) => card.id !== 'tables');
    database.data.cards.push(
      cardView({
        id: 'tables',
        title: 'Largest tables',
        state: 'ok',
        summary: '8 tables',
        data: { tableCount: 8, tables },
        durationMs: 3,
      }),
    );
    await feed(dashboard, payloads);
    const card = page.locator('[data-card="tables"]');
    const table = card.locator('table.data');
    await table.waitFor();

    const width = async (locator: Locator): Promise<number> =>
      (await locator.boundingBox())?.width ?? 0;
    const growth = await width(table.getByRole('columnheader', { name: /Growth 7 days/ }));
    const name = await width(table.getByRole('columnheader', { name: 'Table' }));
    assert.ok(growth < (await width(table)) / 10, `Growth 7 days is ${growth} px wide`);
    assert.ok(name > growth * 2, `Table ${name} px, Growth ${growth} px`);
    const height = async (label: string): Promise<number> =>
      (await table.getByRole('rowheader', { name: label, exact: true }).boundingBox())?.height ?? 0;
    const [long, short] = [await height('schema_migrations'), await height('bookings')];
    assert.ok(long < short + 5, `schema_migrations on one line: ${long} px, not ${short} px`);

    const status = card.locator('.pager-status');
    assert.equal(await status.textContent(), '8 rows');
    assert.ok(((await status.boundingBox())?.height ?? 0) <= 1, 'not in sight');
    assert.equal(await card.getByRole('button', { name: 'Next page' }).count(), 0);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('groups, right-aligns and sorts by value the integers a bigint column holds', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    database.data.cards.push({
      id: 'db.sequences',
      title: 'Sequences',
      state: 'warn',
      summary: 'users_id_seq is at 100 % (9,223,372,036,854,775,807 of 9,223,372,036,854,775,807)',
      facts: [],
      table: {
        columns: [
          { key: 'name', label: 'Sequence', numeric: false },
          { key: 'lastValue', label: 'Last value', numeric: true },
        ],
        rows: [
          ['orders_id_seq', '42'],
          ['users_id_seq', '9223372036854775807'],
          ['items_id_seq', '9223372036854775806'],
          ['notes_id_seq', '1000'],
        ],
      },
    });
    await feed(dashboard, payloads);
    const table = page.locator('[data-card="db.sequences"] table.data');
    const values = (): Promise<string[]> => table.locator('tbody td').allTextContents();
    assert.deepEqual(await values(), [
      '42',
      '9,223,372,036,854,775,807',
      '9,223,372,036,854,775,806',
      '1,000',
    ]);
    const align = await table
      .locator('tbody td')
      .first()
      .evaluate((cell) => getComputedStyle(cell).textAlign);
    assert.equal(align, 'right');
    await table.getByRole('button', { name: 'Last value' }).click();
    assert.deepEqual(await values(), [
      '9,223,372,036,854,775,807',
      '9,223,372,036,854,775,806',
      '1,000',
      '42',
    ]);
    await assertClean(dashboard);
    await page.context().close();
  });

  it("shows a card's subtitle under its name, as part of its accessible name", async () => {
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const business = payloads.find((payload) => payload.section === 'business');
    assert.ok(business?.section === 'business');
    business.data.cards.push({
      id: 'onboarding',
      title: 'Onboarding funnel',
      subtitle: 'Users now at each step',
      state: 'ok',
      summary: '3,000 users; 30 % completed onboarding',
      facts: [],
    });
    await feed(dashboard, payloads);
    const article = dashboard.page.locator('[data-card="onboarding"]');
    assert.equal(await article.locator('h3').textContent(), 'Onboarding funnel');
    assert.equal(await article.locator('.subtitle').textContent(), 'Users now at each step');
    assert.equal(
      await article.getAttribute('aria-label'),
      'Onboarding funnel: users now at each step',
    );
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it("shows a repo metric's columns named like Upkeep's fields (advice, ...Sql)", async () => {
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const business = payloads.find((payload) => payload.section === 'business');
    assert.ok(business?.section === 'business');
    const columns = ['region', 'advice', 'leadSql'];
    const rows = [{ region: 'north', advice: 'call back', leadSql: 'SELECT 1' }];
    business.data.cards.push(
      ...businessView([
        {
          id: 'metric:leads',
          title: 'Leads to follow up',
          state: 'ok',
          summary: '1 row',
          data: { columns, rows, truncated: false },
          durationMs: 1,
        },
      ]).cards,
    );
    await feed(dashboard, payloads);
    const table = dashboard.page.locator('[data-card="metric:leads"] table');
    assert.deepEqual(
      (await table.locator('thead th').allTextContents()).map((text) => text.trim()),
      columns,
    );
    assert.deepEqual(
      (await table.locator('tbody tr').first().locator('td, th').allTextContents()).map((text) =>
        text.trim(),
      ),
      ['north', 'call back', 'SELECT 1'],
    );
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('keeps the y axis of a chart of zeros near them: 0 to 1, not 0 to 100', async () => {
    const dashboard = await harness.open();
    const payloads = sampleSections();
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs');
    logs.data.errorRate.series[0].values = logs.data.errorRate.times.map(() => 0);
    await feed(dashboard, payloads);
    const range = (title: string): Promise<string | null> =>
      chartFigure(dashboard.page, title).locator('.chart-canvas').getAttribute('data-y-range');
    await dashboard.page.waitForSelector('.chart-canvas[data-y-range]');
    assert.equal(await range('Error rate'), '0..1');
    // Figures above zero keep the axis uPlot picks for them.
    assert.match((await range('Duration percentiles')) ?? '', /^0\.\.[1-9]\d*$/);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('shows a failing section with its error while the others render', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections().filter((payload) => payload.section !== 'database');
    await feed(dashboard, payloads);
    await dashboard.send(DATABASE_DOWN);
    assert.equal(await page.getAttribute('[data-section="database"]', 'data-state'), 'error');
    assert.match(
      (await page.textContent('[data-section="database"] [role="alert"]')) ?? '',
      /Could not connect/,
    );
    assert.equal(await page.getAttribute('[data-section="logs"]', 'data-state'), 'ready');
    assert.equal(await page.textContent('[data-figure="log-requests"] dd'), '1,234');
    // A stale refresh's late answer is ignored.
    await dashboard.send({ type: 'refreshStarted', refreshId: 2, window: { kind: '24h' } });
    await dashboard.send({ type: 'sectionError', refreshId: 1, section: 'logs', message: 'late' });
    assert.equal(await page.getAttribute('[data-section="logs"]', 'data-state'), 'ready');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('asks the host to open a slow request at its log line and to change the window', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    await page.getByRole('button', { name: 'log/production.log:77' }).click();
    assert.deepEqual((await dashboard.posted()).at(-1), {
      type: 'openLocation',
      file: 'log/production.log',
      line: 77,
    });
    await page.evaluate(() => {
      const select = document.getElementById('window-select') as unknown as {
        value: string;
      } & HTMLElement;
      select.value = '1h';
      select.dispatchEvent(new Event('change'));
    });
    assert.deepEqual((await dashboard.posted()).at(-1), {
      type: 'setWindow',
      window: { kind: '1h' },
    });
    const state = await page.evaluate(
      () => (window as unknown as { __state: DashboardViewState }).__state,
    );
    assert.deepEqual(state.window, { kind: '1h' });
    await assertClean(dashboard);
    await page.context().close();
  });

  it("shows a check's details under its summary, one click away", async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    const row = page
      .getByRole('table', { name: 'Daily checks' })
      .getByRole('row', { name: /Errors in the last hour/ });
    const details = row.locator('details');
    assert.equal(await details.count(), 1);
    assert.equal(await details.evaluate((element) => (element as HTMLDetailsElement).open), false);
    await details.locator('summary', { hasText: 'Details' }).click();
    assert.equal(
      await row.locator('pre').innerText(),
      'Last at 2026-12-04 11:58:02 UTC.\nNext: read the request.',
    );
    const passing = page
      .getByRole('table', { name: 'Daily checks' })
      .getByRole('row', { name: /Database connectivity/ });
    assert.equal(await passing.locator('details').count(), 0, 'no details, no disclosure');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('leads from an exception to its code, its log line and a new bug report', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    // The action that answered 5xx, beside its requests.
    const action = page
      .getByRole('table', { name: 'Slowest actions' })
      .getByRole('row', { name: /BookingsController#create/ });
    assert.match(await action.innerText(), /^BookingsController#create\t120\t30\t/);
    const row = page
      .getByRole('table', { name: 'Exceptions by class' })
      .getByRole('row', { name: /NoMethodError/ });
    assert.match(await row.innerText(), /BookingsController#show/);
    await row.getByRole('button', { name: 'app/controllers/bookings_controller.rb:8' }).click();
    assert.deepEqual((await dashboard.posted()).at(-1), {
      type: 'openLocation',
      file: 'app/controllers/bookings_controller.rb',
      line: 8,
    });
    await row.getByRole('button', { name: 'log/production.log:6161' }).click();
    assert.deepEqual((await dashboard.posted()).at(-1), {
      type: 'openLocation',
      file: 'log/production.log',
      line: 6161,
    });
    // In the exception's own cell: in sight however narrow the panel, not past a scroll.
    const report = row.locator('th, td').first().getByRole('button', { name: 'New Bug Report…' });
    await report.click();
    assert.deepEqual((await dashboard.posted()).at(-1), {
      type: 'newBugReport',
      title: "NoMethodError in BookingsController#show: undefined method `name' for nil",
    });
    await assertClean(dashboard);
    await page.context().close();
  });

  it('re-reads chart colours when the theme changes, and renders light and dark', async () => {
    const dashboard = await harness.open({ theme: 'dark' });
    const page = dashboard.page;
    await feed(dashboard, withEveryState());
    const barColor = (): Promise<string> =>
      page
        .locator('.bars .bar')
        .first()
        .evaluate((bar) => getComputedStyle(bar).backgroundColor);
    assert.equal(await barColor(), 'rgb(137, 209, 133)', "2xx in the dark theme's green");
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-dark.png'), fullPage: true });
    await assertStateContrast(page, 'dark');
    await dashboard.setTheme('light');
    await page.waitForFunction(() => {
      const bar = document.querySelector('.bars .bar');
      return bar && getComputedStyle(bar).backgroundColor === 'rgb(56, 138, 52)';
    });
    await assertStateContrast(page, 'light');
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-light.png'), fullPage: true });
    await assertClean(dashboard);
    await page.context().close();
  });

  it('keeps words whole in a narrow panel, and its tables within the panel', async () => {
    const dashboard = await harness.open({ width: 360 });
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-narrow.png'), fullPage: true });

    // No line break falls between two letters or digits of a table cell, a header, a state
    // badge or a figure ("Outco me", "8, 04 0"). Breaks after punctuation, as in a path
    // "/reports?" + "year=2026", are the browser's normal wrap points and stay allowed.
    const split = await page.evaluate(() => {
      const found: string[] = [];
      const wordChar = /[\p{L}\p{N}]/u;
      const cells = document.querySelectorAll(
        'table.data th, table.data td, .state, .figure dd, .card h3',
      );
      for (const cell of Array.from(cells).slice(0, 400)) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? '';
          for (let index = 1; index < Math.min(text.length, 300); index++) {
            if (!wordChar.test(text[index - 1]) || !wordChar.test(text[index])) continue;
            // (No named helper: tsx would wrap it in __name, which the page does not have.)
            const [before, after] = [index - 1, index].map((at) => {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 1);
              const rect = Array.from(range.getClientRects()).find((box) => box.width > 0);
              return rect && Math.round(rect.top);
            });
            if (before !== undefined && after !== undefined && before !== after) {
              found.push(text.slice(Math.max(0, index - 12), index + 12));
            }
          }
        }
      }
      return found;
    });
    assert.deepEqual(split, [], 'words split across lines');

    // Numbers and states stay on one line: a numeric cell is as tall as one line. Headers wrap
    // between their words (checked above), or ten of them would not fit beside the sidebar.
    const heights = await page.evaluate(() =>
      ['table.data td.numeric', 'table.data .state'].map((selector) => {
        const elements = Array.from(document.querySelectorAll(selector));
        const multiLine = elements.filter((element) => {
          // The lines its text sits on (text only: a button's own box starts higher).
          const lines = new Set<number>();
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of Array.from(range.getClientRects())) {
              if (rect.width > 0) lines.add(Math.round(rect.top));
            }
          }
          return lines.size > 1;
        }).length;
        return { selector, count: elements.length, multiLine };
      }),
    );
    for (const { selector, count, multiLine } of heights) {
      assert.ok(count > 0, `${selector} present`);
      assert.equal(multiLine, 0, `${selector}: ${multiLine} of ${count} on more than one line`);
    }

    // Neither the page nor a table scrolls sideways: what a table has no room for is under
    // each row's More (a table scrolled in its own box hid its columns from the keyboard).
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: Array.from(document.querySelectorAll('.table-scroll')).some(
        (box) => box.scrollWidth > box.clientWidth,
      ),
    }));
    // What sticks out of the page, outside a table's own scroll box.
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter(
          (element) =>
            !element.closest('.table-scroll') &&
            element.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
        )
        .slice(0, 8)
        .map(
          (element) =>
            `${element.tagName}.${element.className} ` +
            `${Math.round(element.getBoundingClientRect().width)}`,
        ),
    );
    assert.ok(
      overflow.page <= 1,
      `page scrolls sideways by ${overflow.page}px: ${wide.join(', ')}`,
    );
    assert.equal(overflow.tables, false, 'a table scrolls in its own box');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('fits its tables beside the sidebar of a 1280 px window, full text in titles', async () => {
    // The panel of a 1280 px window with the sidebar open is about 880 px wide.
    const dashboard = await harness.open({ width: 880 });
    const page = dashboard.page;
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    // The Dead rows and vacuum card as the database gives it: ten columns, dates, a long name.
    const at = '2026-12-04T16:49:24.935Z';
    const vacuumRow = {
      schema: 'public',
      name: 'index_bookings_on_business_id_and_starts_at_and_cancelled_at',
      deadRows: 1200,
      liveRows: 3,
      deadShare: 0.4,
      lastVacuum: at,
      lastAutovacuum: at,
      lastAnalyze: at,
      lastAutoanalyze: at,
      autovacuumEnabled: true,
    };
    database.data.cards.push(
      cardView({
        id: 'vacuum',
        title: 'Dead rows and vacuum',
        state: 'warn',
        summary: '1 table with 20 % dead rows or more',
        data: { tables: [vacuumRow, vacuumRow], autovacuum: true, autovacuumDisabled: [] },
        durationMs: 3,
      }),
    );
    // Highest key values: twelve columns, two of them 26 digits wide.
    const key = {
      schema: 'public',
      table: 'services',
      column: 'id',
      columnType: 'bigint',
      sequenceSchema: 'public',
      sequence: 'services_id_seq',
      highest: '6120',
      next: '6121',
      typeEnd: '9223372036854775807',
      share: 0,
      behind: false,
      nextTaken: null,
    };
    database.data.cards.push(
      cardView({
        id: 'highestKeys',
        title: 'Highest key values',
        state: 'ok',
        summary: '1 key column read',
        data: { keys: [key], columns: 1, read: 1, locked: 0, unreadable: 0, failed: 0 },
        durationMs: 3,
      }),
    );
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs' && logs.data.exceptions[0]);
    const message = `undefined method 'name' for nil ${'and more '.repeat(60)}`;
    logs.data.exceptions[0].lastMessage = message;
    await feed(dashboard, payloads);
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-880.png'), fullPage: true });

    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-scroll'))
        .filter((box) => box.scrollWidth > box.clientWidth + 1)
        .map((box) => `${box.querySelector('caption')?.textContent}: ${box.scrollWidth}`),
    );
    assert.deepEqual(wide, [], 'tables that scroll sideways');
    // A column left out at this width is in the row's first cell's title.
    const keys = page.locator('[data-card="highestKeys"] table.data');
    assert.equal(
      await keys.getByRole('columnheader', { name: 'Column maximum', exact: true }).isVisible(),
      false,
    );
    const first = keys.locator('tbody tr th').first();
    assert.match(
      (await first.getAttribute('title')) ?? '',
      /Column maximum: 9,223,372,036,854,775,807/,
    );
    await page.setViewportSize({ width: 1400, height: 900 });
    assert.equal(
      await keys.getByRole('columnheader', { name: 'Column maximum', exact: true }).isVisible(),
      true,
    );
    // A message cut short in its cell is whole in the cell's title.
    const cell = page.getByRole('table', { name: 'Exceptions by class' }).getByTitle(message);
    assert.equal(await cell.count(), 1);
    await assertClean(dashboard);
    await page.context().close();
  });

  it(
    'is readable in high contrast: ' + 'borders from the theme, nothing coloured by fixed values',
    async () => {
      const dashboard = await harness.open({ theme: 'highContrast' });
      const page = dashboard.page;
      await feed(dashboard, withEveryState());
      const border = await page
        .locator('[data-card="db.size"]')
        .evaluate((card) => getComputedStyle(card).borderTopColor);
      assert.equal(border, 'rgb(111, 195, 223)', 'cards take the contrast border');
      const text = await page.locator('body').evaluate((body) => getComputedStyle(body).color);
      assert.equal(text, 'rgb(255, 255, 255)');
      await assertStateContrast(page, 'high contrast');
      await page.screenshot({
        path: path.join(RESULTS, 'dashboard-high-contrast.png'),
        fullPage: true,
      });
      await assertClean(dashboard);
      await page.context().close();
    },
  );

  it('shows figures in chart legends before any hover, the hovered point on hover', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections();
    await feed(dashboard, payloads);
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs');
    const requests = logs.data.requestsPerHour.series[0].values as number[];
    const total = requests.reduce((a, b) => a + b, 0);
    const chart = (title: string): Locator => chartFigure(page, title);
    const legend = (title: string): Promise<string[]> => chartLegend(page, title);
    await chart('Requests per hour').locator('.u-legend').waitFor();

    // Counts add up over the window, rates and durations show their worst hour, a size its
    // latest value.
    assert.deepEqual(await legend('Requests per hour'), [
      'Total: ',
      `Requests: ${total.toLocaleString('en-US')}`,
    ]);
    assert.deepEqual(await legend('Error rate'), ['Peak: ', 'Error rate: 3 %']);
    // Durations read as the figures above the charts write them: "2.2 s", not "2,200".
    assert.deepEqual(await legend('Duration percentiles'), [
      'Peak: ',
      'p50: 105 ms',
      'p95: 900 ms',
      'p99: 2.2 s',
    ]);
    const size = await legend('Database size');
    assert.match(size[0], /^Latest: \S/);
    assert.equal(size[1], 'Database size: 42.3');
    assert.deepEqual(
      (await page.locator('.u-legend .u-value').allTextContents()).filter((v) => v === '--'),
      [],
      'no legend value reads "--"',
    );

    // A screen reader gets the same figures: the legend is text outside the hidden canvas,
    // and the chart's name says them too.
    const hidden = await chart('Requests per hour')
      .locator('.u-legend')
      .evaluate((table) => !!table.closest('[aria-hidden="true"]'));
    assert.equal(hidden, false, 'the legend is not aria-hidden');
    assert.match(
      (await chart('Requests per hour').getAttribute('aria-label')) ?? '',
      new RegExp(`Requests total ${total.toLocaleString('en-US')}, mean`),
    );

    // On hover the legend shows that hour; off the chart the totals come back.
    const plot = chart('Requests per hour').locator('.u-over');
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    const hovered = await legend('Requests per hour');
    assert.match(hovered[0], /^Time: \S/);
    assert.equal(hovered[1], `Requests: ${requests[requests.length - 1]}`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 150);
    assert.equal((await legend('Requests per hour'))[0], 'Total: ');

    // The keyboard reads point by point too: End, the arrow keys, and Escape to the totals.
    await chart('Requests per hour').focus();
    await page.keyboard.press('End');
    assert.equal((await legend('Requests per hour'))[1], `Requests: ${requests.at(-1)}`);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await legend('Requests per hour'))[1], `Requests: ${requests.at(-2)}`);
    // A screen reader hears the point: the legend changing is not announced by itself.
    const spoken = chart('Requests per hour').locator('[aria-live="polite"]');
    assert.match(
      (await spoken.textContent()) ?? '',
      new RegExp(`^\\S.*: Requests ${requests.at(-2)}(, .*)?$`),
    );
    await page.keyboard.press('Home');
    const first = await legend('Requests per hour');
    assert.match(first[0], /^Time: \S/);
    assert.equal(first[1], `Requests: ${requests[0]}`);
    await page.keyboard.press('Escape');
    assert.equal((await legend('Requests per hour'))[0], 'Total: ');
    assert.equal(await spoken.textContent(), '');
    // A hovered duration is written the same way, and said once with its unit.
    await chart('Duration percentiles').focus();
    await page.keyboard.press('Home');
    assert.deepEqual((await legend('Duration percentiles')).slice(1), [
      'p50: 90 ms',
      'p95: 700 ms',
      'p99: 1.8 s',
    ]);
    assert.match(
      (await chart('Duration percentiles').locator('[aria-live="polite"]').textContent()) ?? '',
      /: p50 90 ms, p95 700 ms, p99 1\.8 s$/,
    );
    await assertClean(dashboard);
    await page.context().close();
  });

  it('works from the keyboard: sort, page, and a custom range', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections();
    const logs = payloads.find((payload) => payload.section === 'logs');
    assert.ok(logs?.section === 'logs');
    logs.data.actions = Array.from({ length: 120 }, (_, index) => ({
      action: `Controller${String(index).padStart(3, '0')}#action`,
      count: index,
      p50Ms: 1,
      p95Ms: index,
      p99Ms: null,
      dbSharePercent: null,
      errors: 0,
    }));
    await feed(dashboard, payloads);
    const table = page.locator('table.data', {
      has: page.locator('caption', { hasText: 'Slowest actions' }),
    });
    await table.getByRole('button', { name: 'Action' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await table.locator('th[aria-sort="ascending"]').textContent(), 'Action');
    // The arrow is for the eye: aria-sort says the order, and the button's name stays the
    // column's ("Action", not "Action black up-pointing triangle").
    assert.equal(
      await table.locator('th[aria-sort="ascending"]').ariaSnapshot(),
      '- columnheader "Action":\n  - button "Action"',
    );
    assert.equal(await table.locator('tbody tr th').first().textContent(), 'Controller000#action');
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Requests',
      'Tab moves to the next column header',
    );

    await page.evaluate(() => {
      const select = document.getElementById('window-select') as HTMLElement & { value: string };
      select.value = 'range';
      select.dispatchEvent(new Event('change'));
      const from = document.getElementById('range-from') as HTMLElement & { value: string };
      const to = document.getElementById('range-to') as HTMLElement & { value: string };
      from.value = '2026-12-01T08:00';
      to.value = '2026-12-02T08:00';
    });
    assert.equal(await page.isVisible('#range-apply'), true);
    await page.locator('#range-apply').focus();
    await page.keyboard.press('Enter');
    const last = (await dashboard.posted()).at(-1);
    assert.equal(last?.type, 'setWindow');
    const window = last?.type === 'setWindow' ? last.window : undefined;
    assert.equal(window?.kind, 'range');
    const expected = await page.evaluate(() => ({
      from: new Date('2026-12-01T08:00').toISOString(),
      to: new Date('2026-12-02T08:00').toISOString(),
    }));
    assert.deepEqual(window, { kind: 'range', ...expected });

    // An impossible range is refused in the page, with a message.
    await page.evaluate(() => {
      const to = document.getElementById('range-to') as HTMLElement & { value: string };
      to.value = '2026-11-01T08:00';
    });
    const count = (await dashboard.posted()).length;
    await page.locator('#range-apply').click();
    assert.equal((await dashboard.posted()).length, count);
    assert.match((await page.textContent('.status')) ?? '', /start before the end/);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('says above the Logs figures why no log was read, not only in a list below', async () => {
    // A Rails 7.1 app logs to STDOUT: the section read as a quiet window of zeros, the reason
    // folded away under "Log sources (0)" at its end.
    const dashboard = await harness.open();
    const page = dashboard.page;
    const reason = 'log/production.log does not exist (in /app). Rails 7.1 and later log to STDOUT';
    const payloads = sampleSections().map((payload) =>
      payload.section === 'logs'
        ? ({
            ...payload,
            data: { ...payload.data, sources: [], warnings: [reason] },
          } as SectionPayload)
        : payload,
    );
    await feed(dashboard, payloads);
    const notice = page.locator('[data-section="logs"] .warning', { hasText: reason }).first();
    assert.equal(await notice.isVisible(), true, 'the reason is in sight');
    assert.equal(await warningAboveFigures(page), true, 'the reason comes before the figures');
    await assertClean(dashboard);
    await page.context().close();
  });

  it('says what a percentile or an error rate of few requests rests on, beside it', async () => {
    // A window of 3 requests showed a p99 (the slowest of them) and an error rate of 33 % as
    // if they were of thousands.
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = withLogs((logs) => {
      const many = logs.actions[1];
      logs.totals = {
        ...logs.totals,
        requests: 3,
        errors: 1,
        errorRatePercent: 33.333,
        completedRequests: 3,
        timedRequests: 3,
        slowRequestMs: 1000,
      };
      logs.actions = [{ ...many, action: 'HealthController#show', count: 3 }, many];
    });
    await feed(dashboard, payloads);
    const note = (id: string): Promise<string[]> =>
      page.locator(`[data-figure="${id}"] dd.figure-note`).allTextContents();
    assert.deepEqual(await note('log-p99'), ['over 3 requests: the slowest one']);
    assert.deepEqual(await note('log-p95'), ['over 3 requests: the slowest one']);
    assert.deepEqual(await note('log-p50'), []);
    // What slow is: a setting, said under the count.
    assert.deepEqual(await note('log-slow'), ['over 1 s']);
    assert.deepEqual(await note('log-error-rate'), ['1 of 3 requests']);
    assert.equal(await page.locator('[data-figure="log-p99"] dd').first().isVisible(), true);
    assert.equal(await page.locator('[data-figure="log-p99"] dd.figure-note').isVisible(), true);
    // In the actions table, the action of 3 requests says so; the one of 600 only its p99.
    const table = page.locator('table', {
      has: page.locator('caption', { hasText: 'Slowest actions' }),
    });
    const cells = async (action: string): Promise<string[]> =>
      table.locator('tbody tr', { hasText: action }).locator('td').allTextContents();
    const few = await cells('HealthController#show');
    assert.ok(few.includes('120 ms (slowest of 3)'), few.join(' | '));
    assert.ok(few.includes('300 ms (slowest of 3)'), few.join(' | '));
    const usual = await cells('UsersController#show');
    assert.ok(usual.includes('120 ms') && usual.includes('300 ms'), usual.join(' | '));
    assert.match(
      (await page.locator('[data-note="actions"]').textContent()) ?? '',
      /p95 over fewer than 20 requests, or its p99 over fewer than 100, is its slowest request/,
    );
    await page.locator('[data-section="logs"] .figures').screenshot({
      path: path.join(RESULTS, 'logs-few-requests.png'),
    });
    await assertClean(dashboard);
    await page.context().close();

    // Over requests enough, no word: the sample's 1,234 requests and actions of 120 and 600.
    const usualDashboard = await harness.open();
    await feed(usualDashboard, sampleSections());
    assert.equal(await usualDashboard.page.locator('dd.figure-note').count(), 0);
    assert.equal(await usualDashboard.page.locator('[data-note="actions"]').count(), 0);
    await assertClean(usualDashboard);
    await usualDashboard.page.context().close();
  });

  it('says a window of 5xx answers logged no exception, not a calm "No exception"', async () => {
    // A lograge log or a router timeout logs no exception: 3 errors sat above "No exception in
    // this window."
    const dashboard = await harness.open();
    const empty = dashboard.page
      .locator('[data-section="logs"] .empty')
      .filter({ hasText: 'exception' });
    await feed(
      dashboard,
      withLogs((logs) => {
        logs.exceptions = [];
        logs.totals = { ...logs.totals, errors: 3 };
      }),
    );
    assert.equal(
      await empty.textContent(),
      'No exception logged in this window, yet 3 requests answered 5xx.',
    );
    await feed(
      dashboard,
      withLogs((logs) => {
        logs.exceptions = [];
        logs.totals = { ...logs.totals, errors: 0 };
      }),
    );
    assert.equal(await empty.textContent(), 'No exception in this window.');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('says above the Logs figures when the newest entry is older than the window', async () => {
    // An old copy of a server's log, or one the app stopped writing: zeros, no word why.
    const dashboard = await harness.open();
    const page = dashboard.page;
    const behind = 'Nothing in this window: the newest entry read is from 2021-11-26 12:17:01 UTC.';
    const payloads = sampleSections().map((payload) =>
      payload.section === 'logs'
        ? ({ ...payload, data: { ...payload.data, behind } } as SectionPayload)
        : payload,
    );
    await feed(dashboard, payloads);
    const notice = page.locator('[data-section="logs"] .warning', { hasText: behind }).first();
    assert.equal(await notice.isVisible(), true, 'the note is in sight');
    assert.equal(await warningAboveFigures(page), true, 'the note comes before the figures');
    await assertClean(dashboard);
    await page.context().close();
  });

  it("says when a failing check's alert was measured: its figures are of then", async () => {
    // "1 error in the last hour", read half an hour after the run, spoke of another hour.
    const dashboard = await harness.open();
    const page = dashboard.page;
    const ranAt = new Date(Date.now() - 30 * 60_000).toISOString();
    const payloads = sampleSections().map((payload) =>
      payload.section === 'alerts'
        ? ({
            section: 'alerts',
            data: {
              alerts: [
                {
                  id: 'check:logs.errorsLastHour',
                  severity: 'fail',
                  title: 'Errors in the last hour',
                  detail: '1 error in the last hour (the check failed)',
                  section: 'health',
                  ranAt,
                },
              ],
            },
          } as SectionPayload)
        : payload,
    );
    await feed(dashboard, payloads);
    const alert = page.locator('[data-alert="check:logs.errorsLastHour"]');
    assert.equal(
      ((await alert.textContent()) ?? '').trim(),
      'FAIL Errors in the last hour: 1 error in the last hour (the check failed) ' +
        '— ran 30 min ago',
    );
    await assertClean(dashboard);
    await page.context().close();
  });

  it('hides the range fields again when a preset window is chosen after Range…', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    const choose = (kind: string): Promise<void> =>
      page.evaluate((value) => {
        const select = document.getElementById('window-select') as HTMLElement & { value: string };
        select.value = value;
        select.dispatchEvent(new Event('change'));
      }, kind);
    await choose('range');
    assert.equal(await page.isVisible('#range-apply'), true);
    await choose('24h');
    const last = (await dashboard.posted()).at(-1);
    assert.deepEqual(last?.type === 'setWindow' && last.window, { kind: '24h' });
    // Apply range beside "Last 24 hours" would apply the range and leave the select saying 24h.
    assert.equal(await page.isVisible('#range-apply'), false);
    assert.equal(await page.isVisible('#range-from'), false);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('keeps a size or a duration in a table cell on one line in a narrow panel', async () => {
    // Largest tables read "1984" over "kB" in a 1,024 px window: the Size column, narrowed by
    // the others, broke between the number and its unit.
    const dashboard = await harness.open({ width: 600 });
    const sections = sampleSections().map((payload) =>
      payload.section !== 'database'
        ? payload
        : {
            ...payload,
            data: {
              ...payload.data,
              cards: [
                {
                  id: 'tables',
                  title: 'Largest tables',
                  state: 'ok' as const,
                  summary: '1 table',
                  facts: [],
                  table: {
                    columns: [
                      { key: 'table', label: 'Table' },
                      { key: 'size', label: 'Size' },
                      { key: 'bytes', label: 'Total bytes', numeric: true },
                      { key: 'rows', label: 'Rows (estimate)', numeric: true },
                      { key: 'growth', label: 'Growth 7 days (bytes)', numeric: true },
                      { key: 'mean', label: 'Mean' },
                    ],
                    rows: [
                      ['schema_migrations_archive', '1984 kB', 2031616, 20000, null, '119 ms'],
                    ],
                  },
                },
              ],
            },
          },
    );
    await feed(dashboard, sections);
    const cells = dashboard.page.locator('[data-section="database"] tbody td');
    await cells.first().waitFor();
    const lines = await cells.evaluateAll((found) =>
      found
        .filter((cell) => /^(1984 kB|119 ms)$/.test(cell.textContent ?? ''))
        .map((cell) => {
          // Its text's line boxes, one per line it takes.
          const range = document.createRange();
          range.selectNodeContents(cell.lastChild?.firstChild ?? cell);
          const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
          return `${cell.textContent}: ${tops.size}`;
        }),
    );
    assert.equal(lines.length, 2, lines.join(' | '));
    assert.deepEqual(
      lines.filter((line) => !line.endsWith(': 1')),
      [],
      `on more than one line: ${lines.join(' | ')}`,
    );
  });

  it("keeps a check's age on one line in a narrow panel", async () => {
    // "22 s ago" broke after "22 s" once the Last run header named no zone and the column
    // narrowed to the width of "Last" (seen in the demo's 1,000 px panel, with long summaries).
    const dashboard = await harness.open({ width: 700 });
    await feed(dashboard, sampleSections());
    const ages = dashboard.page.locator('[data-section="health"] tbody time');
    await ages.first().waitFor();
    const lines = await ages.evaluateAll((found) =>
      found.map((age) => `${age.textContent}: ${age.getClientRects().length}`),
    );
    assert.deepEqual(
      lines.filter((line) => !line.endsWith(': 1')),
      [],
      `ages on more than one line: ${lines.join(' | ')}`,
    );
  });

  it('keeps a long fact of a card inside the card, whole on hover', async () => {
    // "Connected as postgres@127.0.0.1:36337/thembooking_development" ran past the card's edge
    // and was cut there, in a 1,000 px panel, with no way to read the rest.
    const dashboard = await harness.open({ width: 1000 });
    const page = dashboard.page;
    const long = 'postgres@127.0.0.1:36337/thembooking_development_with_a_long_name';
    const payloads = sampleSections().map((payload) => {
      if (payload.section !== 'database') return payload;
      const cards = payload.data.cards.map((card) =>
        card.id === 'db.cacheHitRatio'
          ? { ...card, facts: [...card.facts, { label: 'Connected as', value: long }] }
          : card,
      );
      return { ...payload, data: { ...payload.data, cards } } as SectionPayload;
    });
    await feed(dashboard, payloads);
    const fact = page.locator('[data-card="db.cacheHitRatio"] .figure', {
      hasText: 'Connected as',
    });
    await fact.waitFor();
    // Either the value fits, or it ends in an ellipsis inside the card; never cut at its edge.
    const fit = await fact.locator('dd').evaluate((value) => {
      const card = value.closest('.card')!.getBoundingClientRect();
      const style = getComputedStyle(value);
      return {
        inside: value.getBoundingClientRect().right <= card.right,
        fits: value.scrollWidth <= value.clientWidth,
        ellipsis: style.textOverflow === 'ellipsis' && style.overflow === 'hidden',
      };
    });
    assert.ok(fit.inside && (fit.fits || fit.ellipsis), JSON.stringify(fit));
    assert.equal(await fact.locator('dd').getAttribute('title'), long);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('keeps the custom range and its Apply button in sight at editor widths', async () => {
    // In a 1440 px window with the side bar open the panel is about 1,000 px wide; Apply range
    // was cut off there and the page scrolled sideways.
    for (const width of [1000, 700, 360]) {
      const dashboard = await harness.open({ width });
      const page = dashboard.page;
      await feed(dashboard, sampleSections());
      await page.evaluate(() => {
        const select = document.getElementById('window-select') as HTMLElement & { value: string };
        select.value = 'range';
        select.dispatchEvent(new Event('change'));
      });
      await page.locator('#range-apply').waitFor();
      const outside = await page.evaluate(() =>
        ['window-select', 'range-from', 'range-to', 'range-apply', 'refresh', 'save-report']
          .map((id) => ({ id, box: document.getElementById(id)!.getBoundingClientRect() }))
          .filter(({ box }) => box.left < 0 || box.right > document.documentElement.clientWidth)
          .map(({ id, box }) => `${id} ${Math.round(box.left)}–${Math.round(box.right)}`),
      );
      await page.screenshot({ path: path.join(RESULTS, `dashboard-range-${width}.png`) });
      assert.deepEqual(outside, [], `at ${width} px`);
      const sideways = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(sideways <= 1, `page scrolls sideways by ${sideways}px at ${width} px`);
      await assertClean(dashboard);
      await page.context().close();
    }
  });

  it('reaches every control by Tab, each with a name and a visible focus', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    await feed(dashboard, sampleSections());
    await page.locator('.u-legend').first().waitFor();

    // What a mouse can use on the page: buttons, disclosures, fields, and chart legend entries
    // that uPlot makes clickable. Each gets a number to recognise it by.
    const controls = await page.evaluate(() => {
      const selector =
        'button, summary, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"]), ' +
        'vscode-button, vscode-single-select, vscode-textfield, ' +
        // uPlot makes each series name but the first row's (the time) clickable.
        '.u-legend tr.u-series:not(:first-child) th';
      // Shown (a closed tier's table is not), enabled, and not for screen readers only.
      const found = Array.from(document.querySelectorAll<HTMLElement>(selector)).filter(
        (element) =>
          element.checkVisibility() &&
          !(element as HTMLButtonElement).disabled &&
          !element.closest('.visually-hidden') &&
          getComputedStyle(element).pointerEvents !== 'none',
      );
      found.forEach((element, index) => (element.dataset.control = String(index)));
      return found.map((element) => element.textContent?.trim().slice(0, 40) ?? '');
    });
    assert.ok(controls.length > 40, `${controls.length} controls`);

    const reached = new Map<string, { name: string; ring: boolean }>();
    for (let press = 0; press < controls.length + 10; press++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element?.dataset.control) return undefined;
        // The theme's focus colour, as the browser resolves it.
        const probe = document.createElement('span');
        probe.style.color = 'var(--vscode-focusBorder)';
        document.body.append(probe);
        const focus = getComputedStyle(probe).color;
        probe.remove();
        // A ring on the control or inside it (the toolkit's elements draw theirs inside).
        const parts = [element, ...Array.from(element.shadowRoot?.querySelectorAll('*') ?? [])];
        const ring = parts.some((part) => {
          const style = getComputedStyle(part);
          const outline =
            style.outlineStyle !== 'none' &&
            parseFloat(style.outlineWidth) > 0 &&
            style.outlineColor === focus;
          return outline || style.borderTopColor === focus;
        });
        const labelledBy = element.getAttribute('aria-labelledby');
        const name = (
          element.getAttribute('aria-label') ??
          (labelledBy ? document.getElementById(labelledBy)?.textContent : null) ??
          element.textContent ??
          ''
        ).trim();
        return { id: element.dataset.control, name, ring };
      });
      if (stop) reached.set(stop.id, stop);
    }
    const missed = controls.filter((_, index) => !reached.has(String(index)));
    assert.deepEqual(missed, [], 'controls Tab never reaches');
    const unnamed = [...reached.values()].filter((stop) => !stop.name);
    assert.deepEqual(unnamed, [], 'controls without a name');
    const ringless = [...reached.values()].filter((stop) => !stop.ring).map((stop) => stop.name);
    assert.deepEqual(ringless, [], 'controls without a visible focus');

    // Explain buttons say which query they explain.
    const explain = page.locator('vscode-button', { hasText: 'Explain' }).first();
    assert.match((await explain.getAttribute('aria-label')) ?? '', /^Explain SELECT \* FROM/);

    // A chart's series shows and hides from the keyboard, and says whether it is shown.
    // Named by the series alone, without uPlot's colon ("p99 :").
    const p99 = chartFigure(page, 'Duration').getByRole('button', { name: 'p99', exact: true });
    assert.equal(await p99.count(), 1);
    await p99.focus();
    assert.equal(await p99.getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await p99.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press(' ');
    assert.equal(await p99.getAttribute('aria-pressed'), 'true');
    // A chart of one series has nothing to toggle: hiding it would only blank the chart.
    assert.equal(await chartFigure(page, 'Error rate').getByRole('button').count(), 0);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('says so in Restricted Mode and when it refreshes on its own', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    assert.equal(await page.isVisible('.restricted'), false);
    await dashboard.send(UNTRUSTED_INIT);
    await dashboard.send({ type: 'refreshStarted', refreshId: 3, window: { kind: '24h' } });
    await dashboard.send({ type: 'refreshDone', refreshId: 3, at: new Date().toISOString() });
    assert.equal(await page.isVisible('.restricted'), true);
    assert.match((await page.textContent('.status')) ?? '', /refreshes every 60 s$/);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('shows database cards as they arrive, the rest as loading', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    const first = { ...database.data, cards: database.data.cards.slice(0, 1) };
    await dashboard.send({ type: 'refreshStarted', refreshId: 1, window: { kind: '24h' } });
    await dashboard.send({
      type: 'sectionData',
      refreshId: 1,
      section: 'database',
      data: { ...first, pending: [{ id: 'vacuum', title: 'Dead rows and vacuum' }] },
    });
    assert.equal(await page.getAttribute('[data-section="database"]', 'data-state'), 'partial');
    assert.equal(await page.locator('[data-card="db.size"] .state').textContent(), 'OK');
    // A placeholder is not a card yet: selectors for the card wait for the real one.
    assert.equal(await page.locator('[data-card="vacuum"]').count(), 0);
    const waiting = page.locator('[data-pending-card="vacuum"]');
    assert.equal(await waiting.getAttribute('aria-busy'), 'true');
    assert.match((await waiting.textContent()) ?? '', /Dead rows and vacuum\s*Loading…/);
    await dashboard.send({ type: 'sectionData', refreshId: 1, ...database });
    assert.equal(await page.getAttribute('[data-section="database"]', 'data-state'), 'ready');
    assert.equal(await page.locator('[data-pending-card="vacuum"]').count(), 0);
    await assertClean(dashboard);
    await page.context().close();
  });
});
