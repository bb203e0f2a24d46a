/**
 * A refresh (the maintainer's, or the timer's) landing while the keyboard is in the page, in a
 * real headless Chromium: the focus stays on the control it was on, drawn anew, and the update
 * is said politely in the status line, not as an alert.
 */
import { strict as assert } from 'node:assert';
import { DashboardHarness } from './harness';
import { DATABASE_DOWN, refreshMessages, sampleSections } from './sampleData';

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
});
