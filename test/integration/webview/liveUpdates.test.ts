/**
 * A refresh (the maintainer's, or the timer's) landing while the keyboard is in the page, in a
 * real headless Chromium: the focus stays on the control it was on, drawn anew, and the update
 * is said politely in the status line, not as an alert.
 */
import { strict as assert } from 'node:assert';
import type { Locator, Page } from 'playwright-core';
import type { SectionPayload } from '../../../src/core/dashboard/protocol';
import { DashboardHarness, type DashboardPage } from './harness';
import { DATABASE_DOWN, manyActions, refreshMessages, sampleSections } from './sampleData';

/** The sample sections, the Logs section's changed by `change` (other figures, more rows). */
function withLogs(change: (logs: Extract<SectionPayload, { section: 'logs' }>) => void) {
  const payloads = sampleSections();
  const logs = payloads.find((payload) => payload.section === 'logs');
  assert.ok(logs?.section === 'logs');
  change(logs);
  return payloads;
}

/** A refresh as the timer sends it: every section comes again, and the page settles. */
async function refresh(dashboard: DashboardPage, id: number, payloads: SectionPayload[]) {
  for (const message of refreshMessages(id, payloads).slice(1)) await dashboard.send(message);
  await dashboard.page.waitForFunction(() => !document.querySelector('[data-state="loading"]'));
}

/** The name of the row a "More" row opened under. */
function rowAbove(values: Locator): Promise<string | null | undefined> {
  return values.evaluate((row) =>
    (row.previousElementSibling as HTMLTableRowElement | null)?.cells[0].getAttribute('aria-label'),
  );
}

function slowestActions(page: Page) {
  return page.locator('table.data', {
    has: page.locator('caption', { hasText: 'Slowest actions' }),
  });
}

describe('dashboard webview: live updates and the focus', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('keeps the focus on the control it was on when its section is drawn anew', async () => {
    const dashboard = await harness.open({ timezoneId: 'UTC' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    const sortButton = page
      .locator('table.data', { has: page.locator('caption', { hasText: 'Slowest actions' }) })
      .getByRole('button', { name: 'p95' });
    await sortButton.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');

    // A second refresh, as the timer sends it: every section comes again.
    for (const message of refreshMessages(2, sampleSections()).slice(1)) {
      await dashboard.send(message);
    }
    await page.waitForFunction(() => !document.querySelector('[data-state="loading"]'));
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent?.trim() ?? '',
      connected: document.activeElement?.isConnected ?? false,
      inTable: !!document.activeElement?.closest('table.data'),
    }));
    assert.deepEqual(focused, { text: 'p95', connected: true, inTable: true });
    // Said in the status line, politely; nothing took the focus to say it.
    assert.match(
      (await page.getByRole('status').first().textContent()) ?? '',
      /^Updated Dec 4, 2026/,
    );
    assert.equal(await page.getByRole('alert').count(), 0);
    // The keyboard goes on from there: the next stop is the next header's sort button.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'p99');
    await page.context().close();
  });

  it('puts the focus on the section’s heading when its control is gone', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    await page.locator('vscode-button', { hasText: 'Explain' }).first().focus();
    await dashboard.send(DATABASE_DOWN);
    await page.locator('[data-section="database"][data-state="error"]').waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.outerHTML),
      '<h2 id="heading-database" tabindex="-1">Database</h2>',
    );
    await page.context().close();
  });

  it('says a section’s error again only when it changes, not at every refresh', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const down = (refreshId: number, message = 'Could not connect to 127.0.0.1:5432.') =>
      dashboard.send({ ...DATABASE_DOWN, refreshId, message } as typeof DATABASE_DOWN);
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    await down(1);
    const alert = page.locator('[data-section="database"] [role="alert"]');
    await alert.waitFor();
    await alert.evaluate((element) => element.setAttribute('data-first', ''));
    // The timer's refresh: the same error, which an alert would interrupt the reader with again.
    for (const message of refreshMessages(2, []).slice(1, 2)) await dashboard.send(message);
    await dashboard.send({ type: 'sectionLoading', refreshId: 2, section: 'database' });
    await down(2);
    await page.locator('[data-section="database"][data-state="error"]').waitFor();
    assert.equal(await page.locator('[data-section="database"] [data-first]').count(), 1);
    assert.equal(await page.locator('[data-section="database"] .stale').count(), 0);
    // Another error is said.
    await down(2, 'password authentication failed for user "app"');
    assert.match((await alert.textContent()) ?? '', /password authentication failed/);
    assert.equal(await page.locator('[data-section="database"] [data-first]').count(), 0);
    await page.context().close();
  });

  it('keeps a row’s More open for the same row across a refresh and a sort', async () => {
    const dashboard = await harness.open({ width: 500, timezoneId: 'UTC' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    const table = slowestActions(page);
    const more = (action: string) => table.getByRole('button', { name: `More about ${action}` });
    const values = table.locator('tr.row-more-values');
    await more('UsersController#show').click();
    assert.equal(await more('UsersController#show').getAttribute('aria-expanded'), 'true');

    // The next refresh puts the row first (its p95 now the highest): it stays open, not the
    // row now where it was.
    await refresh(
      dashboard,
      2,
      withLogs((logs) => {
        logs.data.actions[1].p95Ms = 5000;
      }),
    );
    assert.equal(await more('UsersController#show').getAttribute('aria-expanded'), 'true');
    assert.equal(await more('BookingsController#create').getAttribute('aria-expanded'), 'false');
    assert.equal(await values.count(), 1);
    assert.equal(await rowAbove(values), 'UsersController#show');

    // A sort moves the row; it is still open, under its own row.
    await table.getByRole('button', { name: 'Action' }).click();
    assert.equal(await more('UsersController#show').getAttribute('aria-expanded'), 'true');
    assert.equal(await values.count(), 1);
    assert.equal(await rowAbove(values), 'UsersController#show');
    await page.context().close();
  });

  it('keeps open only the request whose More was opened, not one of the same time', async () => {
    const dashboard = await harness.open({ width: 500, timezoneId: 'UTC' });
    const page = dashboard.page;
    const twoAtOnce = withLogs((logs) => {
      const [first] = logs.data.slowRequests;
      const second = { ...first, action: 'UsersController#index', path: '/users', durationMs: 10 };
      logs.data.slowRequests = [first, second];
    });
    for (const message of refreshMessages(1, twoAtOnce)) await dashboard.send(message);
    const more = page
      .locator('table.data', { has: page.locator('caption', { hasText: 'Slowest requests' }) })
      .getByRole('button', { name: /^More about / });
    assert.equal(await more.count(), 2);
    await more.nth(1).click();

    await refresh(dashboard, 2, twoAtOnce);
    assert.deepEqual(
      await more.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-expanded'))),
      ['false', 'true'],
    );
    await page.context().close();
  });

  it('keeps a table’s sort, page and open row across a page turn and a refresh', async () => {
    const dashboard = await harness.open({ width: 500, timezoneId: 'UTC' });
    const page = dashboard.page;
    const many = withLogs((logs) => {
      logs.data.actions = manyActions(120);
    });
    for (const message of refreshMessages(1, many)) await dashboard.send(message);
    const table = slowestActions(page);
    const block = page.locator('.table-block', { has: table });
    // p95 ascending: Controller22#action leads the second page.
    await table.getByRole('button', { name: 'p95' }).click();
    await block.getByRole('button', { name: 'Next page' }).click();
    const more = table.getByRole('button', { name: 'More about Controller22#action' });
    await more.click();
    await block.getByRole('button', { name: 'Next page' }).click();
    await block.getByRole('button', { name: 'Previous page' }).click();
    assert.equal(await more.getAttribute('aria-expanded'), 'true');

    await refresh(dashboard, 2, many);
    assert.equal(
      await table.locator('th[aria-sort="ascending"]').textContent(),
      'p95',
      'the sort the user chose',
    );
    assert.equal(await block.locator('.pager-status').textContent(), 'Rows 51–100 of 120');
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    await page.context().close();
  });

  it('keeps the focus on a chart whose figures a refresh changed', async () => {
    const dashboard = await harness.open({ timezoneId: 'UTC' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    const chart = page.locator('figure.chart', {
      has: page.locator('figcaption', { hasText: 'Duration percentiles' }),
    });
    await chart.focus();
    const before = await chart.getAttribute('aria-label');

    await refresh(
      dashboard,
      2,
      withLogs((logs) => {
        const durations = logs.data.durations;
        durations.series = durations.series.map((series) => ({
          ...series,
          values: series.values.map((value) => (value === null ? null : value * 2)),
        }));
      }),
    );
    assert.notEqual(await chart.getAttribute('aria-label'), before, 'the figures changed');
    assert.equal(
      await page.evaluate(
        () => document.activeElement?.querySelector('figcaption')?.textContent ?? '',
      ),
      'Duration percentiles (ms; times in UTC)',
    );
    assert.equal(await chart.evaluate((element) => element === document.activeElement), true);
    await page.context().close();
  });
});
