/**
 * The dashboard's charts (and a card's table) in a real headless Chromium with edge data: bars
 * of two series in one hour, the figures a chart's data says how to write, hostile or extreme
 * names and values.
 */
import { strict as assert } from 'node:assert';
import type { Locator } from 'playwright-core';
import type { ChartView, SectionPayload } from '../../../src/core/dashboard/protocol';
import { chartFigure, chartLegend } from '../../support/chartLegend';
import { cspViolations, DashboardHarness, type DashboardPage } from './harness';
import { refreshMessages, sampleWith } from './sampleData';
import { THEMES, type ThemeName } from './themes';

async function feed(dashboard: DashboardPage, payloads: SectionPayload[]): Promise<void> {
  for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
}

async function assertClean(dashboard: DashboardPage): Promise<void> {
  assert.deepEqual(dashboard.problems.errors, [], 'console errors');
  assert.deepEqual(dashboard.problems.dialogs, [], 'dialogs');
  assert.deepEqual(await cspViolations(dashboard.page), [], 'CSP violations');
}

/** Four hours from Dec 4, 8:00 UTC: the times of the charts these tests draw. */
const HOURS = [0, 1, 2, 3].map((at) => Date.parse('2026-12-04T08:00:00Z') / 1000 + at * 3600);

/** The sample dashboard with one of its Logs charts replaced. */
function withLogsChart(
  key: 'requestsPerHour' | 'errorRate' | 'durations',
  view: ChartView,
): SectionPayload[] {
  return sampleWith('logs', (logs) => {
    logs[key] = view;
  });
}

/** The sample dashboard with a Requests per hour chart of these counts over `HOURS`. */
function withRequests(requests: number[], errors: number[]): SectionPayload[] {
  return withLogsChart('requestsPerHour', {
    title: 'Requests per hour',
    unit: 'requests',
    figures: 'count',
    times: HOURS,
    series: [
      { label: 'Requests', values: requests },
      { label: 'Errors (5xx)', values: errors },
    ],
  });
}

/** The sample dashboard with these growth charts. */
function withGrowth(growth: ChartView[]): SectionPayload[] {
  return sampleWith('database', (database) => {
    database.growth = growth;
  });
}

/**
 * Pixels of a chart's plot within a few steps of a `#rrggbb` colour; with `band`, only in that
 * part of the plot's height ([0.9, 1] is its lowest tenth).
 */
function pixelsOf(chart: Locator, hex: string, band: [number, number] = [0, 1]): Promise<number> {
  return chart.locator('.chart-canvas').evaluate(
    (host: HTMLElement, [colour, [from, to]]: [string, [number, number]]) => {
      const want = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
      const canvas = host.querySelector('canvas')!;
      const over = host.querySelector<HTMLElement>('.u-over')!;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const height = over.offsetHeight * scale;
      const { data } = canvas
        .getContext('2d')!
        .getImageData(
          Math.round(over.offsetLeft * scale),
          Math.round(over.offsetTop * scale + height * from),
          Math.round(over.offsetWidth * scale),
          Math.max(1, Math.round(height * (to - from))),
        );
      let count = 0;
      for (let at = 0; at < data.length; at += 4) {
        const near = want.every((value, channel) => Math.abs(data[at + channel] - value) <= 6);
        if (data[at + 3] > 200 && near) count++;
      }
      return count;
    },
    [hex, band] as [string, [number, number]],
  );
}

/** The height of a chart's plot in canvas pixels. */
function plotHeight(chart: Locator): Promise<number> {
  return chart.locator('.chart-canvas').evaluate((host: HTMLElement) => {
    const canvas = host.querySelector('canvas')!;
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    return host.querySelector<HTMLElement>('.u-over')!.offsetHeight * scale;
  });
}

describe('dashboard charts with edge data (Chromium)', function () {
  this.timeout(120000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  for (const theme of ['dark', 'highContrastLight'] as ThemeName[]) {
    it(`shows an hour whose one request failed as a request and an error (${theme})`, async () => {
      // The errors' bar was drawn over the requests' one: of 1 request, 1 error, only red showed.
      const dashboard = await harness.open({ theme });
      const page = dashboard.page;
      await feed(dashboard, withRequests([0, 1, 0, 0], [0, 1, 0, 0]));
      const chart = chartFigure(page, 'Requests per hour');
      await chart.locator('canvas').waitFor();
      const vars = THEMES[theme].vars;
      const blue = await pixelsOf(chart, vars['--vscode-charts-blue']);
      const red = await pixelsOf(chart, vars['--vscode-charts-red']);
      assert.ok(blue > 200, `${blue} pixels of the requests' colour`);
      assert.ok(red > 200, `${red} pixels of the errors' colour`);
      // As tall as each other: both read 1 on the axis.
      assert.ok(Math.abs(blue - red) < Math.max(blue, red) / 4, `${blue} vs ${red} pixels`);

      // The hour's figures, hovered, read by keyboard and said.
      await chart.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      assert.deepEqual((await chartLegend(page, 'Requests per hour')).slice(1), [
        'Requests: 1',
        'Errors (5xx): 1',
      ]);
      assert.match(
        (await chart.locator('[aria-live="polite"]').textContent()) ?? '',
        /: Requests 1, Errors \(5xx\) 1$/,
      );
      // Each series' name says what it counts: "1 requests" after the errors read wrong.
      assert.match(
        (await chart.getAttribute('aria-label')) ?? '',
        /: Requests total 1, mean 0\.3, max 1; Errors \(5xx\) total 1, mean 0\.3, max 1$/,
      );
      await assertClean(dashboard);
      await page.context().close();
    });
  }

  it('draws a dense week of hours as one bar per hour, its errors over its requests', async () => {
    // Side by side, each bar was 1 px wide in a column of 2: above the errors the week read as
    // thin stripes (84 of 322 px coloured); in a 320 px panel the two ran into the next hour's.
    const dashboard = await harness.open({ width: 1280 });
    const start = Date.parse('2026-11-28T00:00:00Z') / 1000;
    const week = Array.from({ length: 168 }, (_value, at) => start + at * 3600);
    await feed(
      dashboard,
      withLogsChart('requestsPerHour', {
        title: 'Requests per hour',
        unit: 'requests',
        figures: 'count',
        times: week,
        series: [
          { label: 'Requests', values: week.map(() => 100) },
          { label: 'Errors (5xx)', values: week.map(() => 40) },
        ],
      }),
    );
    const chart = chartFigure(dashboard.page, 'Requests per hour');
    await chart.locator('canvas').waitFor();
    const width = (await chart.locator('.u-over').boundingBox())?.width ?? 0;
    const column = width / week.length;
    assert.ok(column > 1.5 && column < 8, `a dense chart: ${column} px an hour`);

    const { vars } = THEMES.dark;
    const band = async (hex: string, rows: [number, number]): Promise<number> => {
      const pixels = await pixelsOf(chart, hex, rows);
      return pixels / Math.max(1, Math.round((await plotHeight(chart)) * (rows[1] - rows[0])));
    };
    // Above the errors, the requests' bars fill most of each hour's column.
    const blue = await band(vars['--vscode-charts-blue'], [0.3, 0.35]);
    assert.ok(blue > width * 0.6, `${blue} of ${width} px of requests across the plot`);
    // Near the axis, the errors' bars stand in the same columns, over the requests'.
    const red = await band(vars['--vscode-charts-red'], [0.9, 0.95]);
    const under = await band(vars['--vscode-charts-blue'], [0.9, 0.95]);
    assert.ok(red > width * 0.6, `${red} of ${width} px of errors across the plot`);
    assert.ok(under < red / 10, `${under} px of requests beside ${red} of errors`);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('marks no points on bars: an hour of no errors shows no red', async () => {
    // Points were drawn on each bar's time, between two bars side by side, and a ring of the
    // errors' red sat on every hour of none.
    const dashboard = await harness.open();
    await feed(dashboard, withRequests([0, 1, 3, 0], [0, 0, 0, 0]));
    const chart = chartFigure(dashboard.page, 'Requests per hour');
    await chart.locator('canvas').waitFor();
    assert.equal(await pixelsOf(chart, THEMES.dark.vars['--vscode-charts-red']), 0);
    await chart.focus();
    await dashboard.page.keyboard.press('End');
    assert.equal(await chart.locator('.u-cursor-pt').count(), 0, 'points on the hovered hour');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it("writes a chart's figures as its data says, not by its unit's name", async () => {
    // A chart was written as durations when its unit read "ms", whatever its figures were.
    const dashboard = await harness.open();
    const page = dashboard.page;
    const durations = (figures?: ChartView['figures']): ChartView => ({
      title: 'Duration over time',
      unit: 'ms',
      ...(figures ? { figures } : {}),
      times: HOURS,
      series: [{ label: 'Mean', values: [12, 5889.7, 40, 3] }],
    });
    const hovered = async (): Promise<[string, string]> => {
      const chart = chartFigure(page, 'Duration over time');
      await chart.locator('.u-legend').waitFor();
      await chart.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      const legend = await chartLegend(page, 'Duration over time');
      const spoken = (await chart.locator('[aria-live="polite"]').textContent()) ?? '';
      return [legend[1], spoken.replace(/^.*: /, '')];
    };
    await feed(dashboard, withLogsChart('durations', durations('durationMs')));
    assert.deepEqual(await hovered(), ['Mean: 5.9 s', 'Mean 5.9 s']);
    await feed(dashboard, withLogsChart('durations', durations()));
    assert.deepEqual(await hovered(), ['Mean: 5,889.7', 'Mean 5,889.7 ms']);
    await assertClean(dashboard);
    await page.context().close();
  });

  it('runs the error rate axis to 100 %, not past it, when an hour had only errors', async () => {
    // One request, one error: the axis ran from 0 to 200 %, a rate that cannot be.
    const dashboard = await harness.open();
    const rate = (values: (number | null)[]): ChartView => ({
      title: 'Error rate',
      unit: '%',
      figures: 'percent',
      times: HOURS,
      series: [{ label: 'Error rate', values }],
      base: { label: 'Requests', unit: 'request', values: values.map((v) => (v === null ? 0 : 1)) },
    });
    const yRange = async (values: (number | null)[]): Promise<number[]> => {
      await feed(dashboard, withLogsChart('errorRate', rate(values)));
      const canvas = chartFigure(dashboard.page, 'Error rate').locator('.chart-canvas');
      await canvas.locator('canvas').waitFor();
      const range = (await canvas.getAttribute('data-y-range')) ?? '';
      return range.split('..').map(Number);
    };
    assert.deepEqual(await yRange([null, 100, null, null]), [0, 100]);
    assert.deepEqual(await yRange([null, 100, 50, null]), [0, 100]);
    // A rate well under 100 % keeps its own scale.
    const [low, high] = await yRange([null, 2, 1, null]);
    assert.ok(low === 0 && high > 2 && high < 5, `${low}..${high}`);
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  for (const width of [320, 1280]) {
    it(`fits a 5,000-letter name with an override in a legend (${width} px)`, async () => {
      // A table named so (PostgreSQL quotes any name) ran the page 40,000 px wide, its legend
      // read right to left from the override on.
      const dashboard = await harness.open({ width });
      const page = dashboard.page;
      const name = `\u202Egpj.exe${'Long'.repeat(1250)}`;
      const payloads = withGrowth([
        {
          title: 'Largest tables',
          unit: 'MB',
          times: HOURS,
          series: [
            { label: name, values: [1, 2, 3, 4] },
            { label: 'users', values: [1, 1, 1, 1] },
          ],
        },
      ]);
      await feed(dashboard, payloads);
      const chart = chartFigure(page, 'Largest tables');
      await chart.locator('.u-legend').waitFor();
      const label = chart.locator('.u-legend tr.u-series .u-label').nth(1);
      const shown = '\\u202egpj.exe' + 'Long'.repeat(1250);
      const text = (await label.textContent()) ?? '';
      assert.ok(text === shown, `the legend reads ${text.slice(0, 20)}…`);
      const title = (await label.getAttribute('title')) ?? '';
      assert.ok(title === shown, `its title reads ${title.slice(0, 20)}…`);
      const summary = (await chart.getAttribute('aria-label')) ?? '';
      assert.ok(summary.includes(shown) && !summary.includes('\u202E'), summary.slice(0, 40));
      const wide = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        view: document.documentElement.clientWidth,
      }));
      assert.ok(wide.page <= wide.view, `the page is ${wide.page} px wide in ${wide.view}`);
      const box = await label.boundingBox();
      assert.ok(
        box && box.x + box.width <= wide.view,
        `the name ends at ${box?.x} + ${box?.width}`,
      );
      await assertClean(dashboard);
      await page.context().close();
    });
  }

  it('keeps a 5,000-character table name in its cell, off the size beside it', async () => {
    // One word longer than a cell ran over the next one: the size was written under the name.
    const dashboard = await harness.open();
    const payloads = sampleWith('database', (database) => {
      const sizes = database.cards.find((card) => card.id === 'db.size');
      assert.ok(sizes?.table);
      sizes.table.rows = [
        [`Very${'Long'.repeat(1250)}`, '18446744073709551615'],
        ['users', 9000000],
      ];
    });
    await feed(dashboard, payloads);
    const row = dashboard.page.locator('[data-card="db.size"] table.data tbody tr').first();
    const [name, size] = await row.locator('th, td').evaluateAll((cells) =>
      cells.map((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const text = range.getBoundingClientRect();
        return {
          left: text.left,
          right: text.right,
          cellRight: cell.getBoundingClientRect().right,
        };
      }),
    );
    assert.ok(name.right <= name.cellRight + 1, `the name's text ends at ${name.right}`);
    assert.ok(
      name.right <= size.left,
      `the name ends at ${name.right}, the size starts at ${size.left}`,
    );
    assert.equal(await row.locator('td').last().textContent(), '18,446,744,073,709,551,615');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it("shows a bar's whole name in its tooltip where the list cuts it", async () => {
    // A funnel step named at length read "Signed …", with no way to see the rest.
    const dashboard = await harness.open({ width: 320 });
    const step = `\u202E1 Signed up through the partner programme ${'x'.repeat(300)}`;
    const payloads = sampleWith('business', (business) => {
      business.funnel[0].step = step;
    });
    await feed(dashboard, payloads);
    const label = chartFigure(dashboard.page, 'Users who reached each step')
      .locator('.bar-label')
      .first();
    const cut = await label.evaluate((span) => span.scrollWidth > span.clientWidth);
    assert.ok(cut, 'the name is cut at 320 px');
    const shown = `\\u202e1 Signed up through the partner programme ${'x'.repeat(300)}`;
    assert.ok((await label.getAttribute('title')) === shown, 'the whole name is its tooltip');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  for (const mb of [20_000_000, 1_100_585_369_600]) {
    it(`writes the size axis of a database of ${mb.toLocaleString('en-US')} MB whole`, async () => {
      // The axis was 56 px wide whatever its labels: "20,000,000" read "0,000,000".
      const dashboard = await harness.open();
      const payloads = withGrowth([
        {
          title: 'Database size',
          unit: 'MB',
          times: HOURS,
          series: [{ label: 'Database', values: [mb, mb * 1.01, mb * 1.02, mb * 1.03] }],
        },
      ]);
      await feed(dashboard, payloads);
      const canvas = chartFigure(dashboard.page, 'Database size').locator('canvas');
      await canvas.waitFor();
      // Ink in the canvas's first 2 px: a label that starts left of the canvas, cut.
      const cut = await canvas.evaluate((element: HTMLCanvasElement) => {
        const scale = element.width / element.getBoundingClientRect().width;
        const { data } = element
          .getContext('2d')!
          .getImageData(0, 0, Math.round(2 * scale), element.height);
        let ink = 0;
        for (let at = 3; at < data.length; at += 4) if (data[at] > 0) ink++;
        return ink;
      });
      assert.equal(cut, 0, `${cut} pixels of a label at the canvas's left edge`);
      await assertClean(dashboard);
      await dashboard.page.context().close();
    });
  }

  it('writes out bidi controls in tooltips as in the text they go with', async () => {
    // A cut cell's and a fact's tooltip held the override itself: the tooltip read backwards.
    const dashboard = await harness.open();
    const name = `\u202Egpj.exe${'x'.repeat(400)}`;
    const payloads = sampleWith('database', (database) => {
      const sizes = database.cards.find((card) => card.id === 'db.size');
      assert.ok(sizes?.table);
      sizes.table.rows = [[name, 1]];
      sizes.facts = [{ label: 'Largest', value: name }];
      database.slowQueries[0].query = `SELECT 1 -- ${name}`;
    });
    await feed(dashboard, payloads);
    const titles = await dashboard.page
      .locator('[data-section="database"] [title]')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('title') ?? ''));
    const withName = titles.filter((title) => title.includes('gpj.exe'));
    assert.equal(withName.length, 3, `${withName.length} tooltips name the table`);
    for (const title of withName) {
      assert.ok(!title.includes('\u202E'), `a raw override in ${title.slice(0, 30)}`);
      assert.ok(title.includes('\\u202egpj.exe'), title.slice(0, 30));
    }
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });

  it('says a window without requests has no status mix, not an empty list', async () => {
    const dashboard = await harness.open();
    const payloads = sampleWith('logs', (logs) => {
      logs.statusMix = [];
    });
    await feed(dashboard, payloads);
    const mix = chartFigure(dashboard.page, 'Status mix');
    assert.equal(await mix.locator('li').count(), 0);
    assert.equal(await mix.locator('.empty').textContent(), 'No request in this window.');
    await assertClean(dashboard);
    await dashboard.page.context().close();
  });
});
