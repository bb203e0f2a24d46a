/**
 * The dashboard at the widths a panel really has (beside the sidebar, in a side group, split
 * three ways), in a real headless Chromium: the columns that matter stay in sight without
 * scrolling sideways, a header never breaks from its sort arrow, and the sticky toolbar gives
 * way when it would cover much of a short or narrow panel.
 */
import { strict as assert } from 'node:assert';
import { DashboardHarness, type DashboardPage } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

/** The tables a maintainer reads in a side panel, and the columns each keeps in sight there. */
function kept(width: number): Record<string, string[]> {
  return {
    'Daily checks': ['Check', 'Outcome', 'Summary', 'Findings'],
    // A request count and a path are what give way first in the narrowest panels.
    'Slowest actions': [
      'Action',
      ...(width >= 520 ? ['Requests'] : []),
      'Errors (5xx)',
      'p95',
      'Database share',
    ],
    'Slowest requests': [
      'Time (UTC)',
      'Action',
      ...(width >= 520 ? ['Path'] : []),
      'Duration',
      'Log line',
    ],
    'Exceptions by class': ['Exception', 'Count', 'Last message', 'Where'],
  };
}

async function opened(harness: DashboardHarness, width: number, height = 900) {
  const dashboard = await harness.open({ width, timezoneId: 'UTC' });
  await dashboard.page.setViewportSize({ width, height });
  for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
  await dashboard.page.locator('table.data').first().waitFor();
  await dashboard.page
    .locator('details.tier')
    .first()
    .evaluate((tier) => {
      (tier as HTMLDetailsElement).open = true;
    });
  return dashboard;
}

/** For each table: how far it scrolls sideways, and the kept headers out of the panel's view. */
async function layout(dashboard: DashboardPage, width: number) {
  return dashboard.page.evaluate((kept) => {
    const out: Record<string, { sideways: number; unseen: string[] }> = {};
    for (const table of document.querySelectorAll<HTMLTableElement>('table.data')) {
      const caption = table.caption?.textContent ?? '';
      if (!(caption in kept)) continue;
      const scroller = table.closest<HTMLElement>('.table-scroll')!;
      const view = scroller.getBoundingClientRect();
      const unseen = Array.from(table.tHead!.rows[0].cells)
        .filter((cell) => kept[caption].includes(cell.textContent!.trim()))
        .filter((cell) => {
          const box = cell.getBoundingClientRect();
          return box.width === 0 || box.left < view.left - 1 || box.right > view.right + 1;
        })
        .map((cell) => cell.textContent!.trim());
      const labels = Array.from(table.tHead!.rows[0].cells).map((c) => c.textContent!.trim());
      const missing = kept[caption].filter((label) => !labels.includes(label));
      out[caption] = {
        sideways: scroller.scrollWidth - scroller.clientWidth,
        unseen: [...unseen, ...missing],
      };
    }
    return out;
  }, kept(width));
}

describe('dashboard webview: panel widths', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('keeps the columns that matter in sight, not scrolling sideways, at 430–700 px', async () => {
    // At 500 px the checks' Findings and the actions' Database share were scrolled out of sight.
    for (const width of [430, 500, 650, 700]) {
      const dashboard = await opened(harness, width);
      const shown = await layout(dashboard, width);
      assert.deepEqual(
        Object.keys(shown).sort(),
        Object.keys(kept(width)).sort(),
        `at ${width} px`,
      );
      for (const [caption, { sideways, unseen }] of Object.entries(shown)) {
        assert.ok(sideways <= 1, `${caption} scrolls sideways by ${sideways}px at ${width} px`);
        assert.deepEqual(unseen, [], `${caption} at ${width} px`);
      }
      await dashboard.page.context().close();
    }
  });

  it('shows every column in a wide panel', async () => {
    const dashboard = await opened(harness, 1230);
    const hidden = await dashboard.page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('table.data thead th'))
        .filter((cell) => !cell.closest('details:not([open])') && !cell.checkVisibility())
        .map((cell) => cell.textContent),
    );
    assert.deepEqual(hidden, []);
    await dashboard.page.context().close();
  });

  it('names what a narrow panel leaves out in the row’s first cell', async () => {
    const dashboard = await opened(harness, 500);
    const first = dashboard.page
      .locator('table.data', {
        has: dashboard.page.locator('caption', { hasText: 'Slowest actions' }),
      })
      .locator('tbody th')
      .first();
    const title = (await first.getAttribute('title')) ?? '';
    assert.match(title, /^p50: 150 ms$/m);
    assert.match(title, /^p99: 2\.5 s$/m);
    // An age is not kept true in a tooltip: the check's time is, in its zone.
    const check = dashboard.page
      .locator('table.data', {
        has: dashboard.page.locator('caption', { hasText: 'Daily checks' }),
      })
      .locator('tbody th')
      .first();
    const checkTitle = (await check.getAttribute('title')) ?? '';
    assert.match(checkTitle, /^Last run: Dec 4, 2026, 11:55 AM \(UTC\)$/m);
    assert.match(checkTitle, /^Took: 42 ms$/m);
    await dashboard.page.context().close();
  });

  it('keeps a one-word header on one line with its sort arrow in a wide panel', async () => {
    // "Count ▼" wrapped to "Count" over "▼" in a 1,230 px panel.
    for (const width of [1230, 1000, 500]) {
      const dashboard = await opened(harness, width);
      const broken = await dashboard.page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('table.data thead button.sort'))
          .filter((button) => button.checkVisibility())
          .filter((button) => !/\s/.test(button.textContent!.trim()))
          .filter((button) => {
            const line = parseFloat(getComputedStyle(button).lineHeight);
            return button.getBoundingClientRect().height > line * 1.5;
          })
          .map((button) => button.textContent),
      );
      assert.deepEqual(broken, [], `at ${width} px`);
      await dashboard.page.context().close();
    }
  });

  it('does not scroll the page sideways in a 210 px panel', async () => {
    // A chart was 200 px wide at least, beside 40 px of margins.
    const dashboard = await opened(harness, 210, 500);
    await dashboard.page.locator('.chart canvas').first().waitFor();
    const sideways = await dashboard.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(sideways <= 1, `the page scrolls sideways by ${sideways}px`);
    await dashboard.page.context().close();
  });

  it('lets the toolbar scroll away where it would cover much of the panel', async () => {
    // At 210 px wide the sticky toolbar took about 40 % of the panel's height.
    for (const [width, height] of [
      [210, 500],
      [500, 400],
      [1230, 900],
      [500, 900],
    ]) {
      const dashboard = await opened(harness, width, height);
      await dashboard.page.evaluate(() => window.scrollTo(0, 1200));
      const covered = await dashboard.page.evaluate(() => {
        const box = document.querySelector('.toolbar')!.getBoundingClientRect();
        return Math.max(0, Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0));
      });
      const share = covered / height;
      assert.ok(share <= 0.2, `toolbar covers ${Math.round(share * 100)} % at ${width}×${height}`);
      // Where it is small, it stays: the window and Refresh in reach from anywhere.
      if (width >= 1000 || height >= 900) {
        assert.ok(covered > 0, `not sticky at ${width}×${height}`);
      }
      await dashboard.page.context().close();
    }
  });
});
