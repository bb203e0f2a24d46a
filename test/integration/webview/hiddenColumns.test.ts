/**
 * What a narrow panel leaves out of a table, by keyboard and screen reader alone, in a real
 * headless Chromium: a row's hidden values and the buttons among them (a log line to open) are
 * a "More" button at the row's end away, reached by Tab and opened with Enter or Space; a wide
 * panel, which shows every column, adds no such stop to the Tab order.
 */
import { strict as assert } from 'node:assert';
import type { Locator, Page } from 'playwright-core';
import { DashboardHarness, type DashboardPage } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

async function opened(harness: DashboardHarness, width: number): Promise<DashboardPage> {
  const dashboard = await harness.open({ width, timezoneId: 'UTC' });
  for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
  await dashboard.page.locator('table.data').first().waitFor();
  return dashboard;
}

function table(page: Page, caption: string): Locator {
  return page.locator('table.data', { has: page.locator('caption', { hasText: caption }) });
}

/** Tabs from the top of the page until `target` has the focus; fails after `limit` presses. */
async function tabTo(page: Page, target: Locator, limit = 200): Promise<void> {
  assert.equal(await target.count(), 1, `no ${target.toString()}`);
  await page.locator('h1').click();
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  assert.fail(`Tab never reached ${target.toString()}`);
}

/** The focused element's accessible name and role, as Chromium gives them to a screen reader. */
async function focusedName(page: Page): Promise<string> {
  const client = await page.context().newCDPSession(page);
  const { nodes } = (await client.send('Accessibility.getFullAXTree')) as {
    nodes: {
      role?: { value: string };
      name?: { value: string };
      properties?: { name: string; value: { value: unknown } }[];
    }[];
  };
  // The page itself is focused too, as the element's document.
  const focused = nodes.find(
    (node) =>
      node.role?.value !== 'RootWebArea' &&
      node.properties?.some((property) => property.name === 'focused' && property.value.value),
  );
  return `${focused?.role?.value ?? ''}: ${focused?.name?.value ?? ''}`;
}

describe('dashboard webview: hidden columns by keyboard', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('opens a row’s hidden figures from its More button with Enter, and reads them', async () => {
    const dashboard = await opened(harness, 500);
    const page = dashboard.page;
    const rows = table(page, 'Slowest actions').locator('tbody tr');
    const more = rows.first().getByRole('button', { name: /^More/ });
    await tabTo(page, more);
    assert.equal(await focusedName(page), 'button: More about BookingsController#create');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    // The row header stays the action's name alone, as a screen reader says it with each cell.
    const header = rows.first().getByRole('rowheader', {
      name: 'BookingsController#create',
      exact: true,
    });
    assert.equal(await header.count(), 1);
    const values = rows.nth(1).locator('ul');
    assert.equal(await values.isVisible(), false);
    await page.keyboard.press('Enter');
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    await values.waitFor({ state: 'visible' });
    const text = (await values.innerText()).split('\n');
    // p50 and p99 give way at 500 px, and the request count too: the rest is in sight.
    assert.deepEqual(text.sort(), ['Requests: 120', 'p50: 150 ms', 'p99: 2.5 s'].sort());
    await page.keyboard.press('Space');
    await values.waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it('reaches a hidden log line’s button by Tab, and opens it with Enter', async () => {
    const dashboard = await opened(harness, 500);
    const page = dashboard.page;
    const row = table(page, 'Exceptions by class').locator('tbody tr').first();
    const logLine = table(page, 'Exceptions by class').locator('thead th', { hasText: 'Log line' });
    assert.equal(await logLine.isVisible(), false, 'Log line shown');
    await tabTo(page, row.getByRole('button', { name: /^More/ }));
    await page.keyboard.press('Enter');
    // On along the row (its code, in sight), then into the values under it.
    const focused = async (): Promise<string> => {
      await page.keyboard.press('Tab');
      return page.evaluate(() => document.activeElement?.textContent ?? '');
    };
    assert.equal(await focused(), 'app/controllers/bookings_controller.rb:8');
    assert.equal(await focused(), 'log/production.log:6161');
    await page.keyboard.press('Enter');
    const posted = await dashboard.posted();
    const opens = posted.filter((message) => message.type === 'openLocation');
    assert.equal(opens.length, 1, JSON.stringify(posted));
    await page.context().close();
  });

  it('keeps every table within a 210–420 px panel, the rest of a row one More away', async () => {
    // At 400 px the checks' findings ran 25 px past the panel, at 340 px four tables did.
    for (const width of [420, 400, 380, 340, 210]) {
      const dashboard = await opened(harness, width);
      await dashboard.page.evaluate(() => {
        for (const tier of Array.from(document.querySelectorAll('details'))) tier.open = true;
      });
      const sideways = await dashboard.page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('.table-scroll'))
          .map((scroller) => ({
            caption: scroller.querySelector('caption')?.textContent ?? '',
            by: scroller.scrollWidth - scroller.clientWidth,
          }))
          .filter((table) => table.by > 1)
          .map((table) => `${table.caption} by ${table.by}px`),
      );
      assert.deepEqual(sideways, [], `tables that scroll sideways at ${width} px`);
      await dashboard.page.context().close();
    }
    const page = (await opened(harness, 210)).page;
    // A check's row keeps its name; what it found is one Enter away, its outcome in words.
    const rows = table(page, 'Daily checks').locator('tbody tr');
    const more = rows.first().getByRole('button', { name: /^More/ });
    await tabTo(page, more);
    await page.keyboard.press('Enter');
    const values = (await rows.nth(1).locator('li').allInnerTexts()).map((text) => text.trim());
    assert.deepEqual(
      values.map((text) => text.split(':')[0]),
      ['Outcome', 'Summary', 'Last run', 'Took', 'Findings'],
    );
    assert.match(values[0], /^Outcome: (PASS|FAIL|WARN|ERROR|SKIPPED|NEVER)$/);
    await page.context().close();
  });

  it('adds no stop to the Tab order where every column shows', async () => {
    const dashboard = await opened(harness, 1280);
    const page = dashboard.page;
    const stops = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll<HTMLElement>('table.data .row-more button')).filter(
          (button) => button.checkVisibility(),
        ).length,
    );
    assert.equal(stops, 0);
    await page.context().close();
  });
});
