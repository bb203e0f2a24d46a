/**
 * The dashboard audited by axe-core in a real headless Chromium, inside the panel's own CSP: every
 * section filled with the sample data, then failed, cancelled and stale sections in Restricted
 * Mode, each in the dark, light and both high-contrast themes, with its collapsible parts open.
 * Fails on any serious or critical WCAG 2 A/AA violation, and on text outside the landmarks. No
 * contrast finding is excluded: none comes from the theme variables alone.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { cspViolations, DashboardHarness } from './harness';
import {
  DATABASE_DOWN,
  manyActions,
  refreshMessages,
  sampleSections,
  UNTRUSTED_INIT,
} from './sampleData';
import type { ThemeName } from './themes';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Moderate findings that fail the test all the same: text outside every landmark is skipped by
 * a screen reader user moving from landmark to landmark.
 */
const ALSO_BLOCKING = new Set(['region']);

interface Violation {
  id: string;
  impact: string | null;
  /** Whether the rule is a WCAG 2 A or AA criterion, not only axe's best practice. */
  wcag: boolean;
  help: string;
  targets: string[];
}

/**
 * Runs axe in the page. The source goes in through the DevTools protocol, which the page's CSP
 * does not govern, so the policy stays as the panel sets it.
 */
async function audit(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      wcag: violation.tags.some((tag) => /^wcag2\d*aa?$/.test(tag)),
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

function describeViolations(violations: Violation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.slice(0, 5).join('\n    ')}`)
    .join('\n');
}

describe('dashboard webview accessibility (axe-core in Chromium)', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  /** Fails on any serious or critical violation, then closes the page. */
  async function assertAccessible(page: Page): Promise<void> {
    // Folded checks and findings are audited too.
    await page.evaluate(() => {
      for (const details of Array.from(document.querySelectorAll('details'))) details.open = true;
    });
    // The page keeps to its policy. The policy then refuses the <style> elements axe adds to
    // read the stylesheets for its orientation-lock rule; styles.css locks no orientation.
    assert.deepEqual(await cspViolations(page), [], 'CSP violations before the audit');
    const violations = await audit(page);
    const blocking = violations.filter(
      (v) =>
        (v.wcag && (v.impact === 'serious' || v.impact === 'critical')) || ALSO_BLOCKING.has(v.id),
    );
    assert.deepEqual(blocking, [], describeViolations(blocking));
    await page.context().close();
  }

  it('keeps loading sections still when the system asks for reduced motion', async () => {
    const dashboard = await harness.open();
    const page = dashboard.page;
    const [init, started] = refreshMessages(1, []);
    await dashboard.send(init);
    await dashboard.send(started);
    const ring = page.locator('[data-section="logs"] .loading vscode-progress-ring');
    await ring.waitFor({ state: 'visible' });
    // The words say it is loading; the spinning ring goes, as it turns without end.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await ring.waitFor({ state: 'hidden' });
    assert.match(
      (await page.locator('[data-section="logs"] .loading').textContent()) ?? '',
      /Load/,
    );
    await page.context().close();
  });

  it('rings the focused window picker and range fields, as it does the buttons', async () => {
    const dashboard = await harness.open({ theme: 'highContrastLight' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    await page.locator('#window-select').focus();
    // Their own border only changes colour: in High Contrast Light from #0f4a85 to #006bbd.
    const ring = (selector: string): Promise<string> =>
      page.locator(selector).evaluate((element) => getComputedStyle(element).outlineStyle);
    assert.equal(await ring('#window-select'), 'solid');
    await page.locator('#refresh').focus();
    assert.equal(await ring('#window-select'), 'none');
    await page.context().close();
  });

  it('tells the lines of a chart apart by more than their colour', async () => {
    const dashboard = await harness.open({ theme: 'highContrast' });
    const page = dashboard.page;
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    const markers = page
      .locator('figure.chart', { has: page.locator('figcaption', { hasText: 'Duration' }) })
      .locator('.u-legend tr.u-series .u-marker');
    await markers.first().waitFor();
    // Three lines, each with its own pattern, which its legend swatch shows too.
    const styles = await markers.evaluateAll((all) =>
      all.slice(1).map((marker) => getComputedStyle(marker).borderTopStyle),
    );
    assert.deepEqual(styles, ['solid', 'dashed', 'dotted']);
    await page.context().close();
  });

  for (const theme of ['dark', 'light', 'highContrast', 'highContrastLight'] as ThemeName[]) {
    it(`passes with every section filled and a range open (${theme})`, async () => {
      const dashboard = await harness.open({ theme });
      const page = dashboard.page;
      for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
      await page.waitForFunction(
        () => !document.querySelector('[data-section][data-state="loading"]'),
      );
      await page.locator('.u-legend').first().waitFor();
      // Choosing a range shows its two fields beside the window picker.
      await page.evaluate(() => {
        const picker = document.getElementById('window-select') as HTMLElement & { value: string };
        picker.value = 'range';
        picker.dispatchEvent(new Event('change'));
      });
      await page.locator('#range-from').waitFor({ state: 'visible' });
      await assertAccessible(page);
    });

    it(`passes with failed, cancelled and stale sections, untrusted (${theme})`, async () => {
      const dashboard = await harness.open({ theme });
      const page = dashboard.page;
      const payloads = sampleSections().filter((payload) => payload.section !== 'database');
      const logs = payloads.find((payload) => payload.section === 'logs');
      assert.ok(logs?.section === 'logs');
      // Enough actions for the table to page.
      logs.data.actions = manyActions(300);
      for (const message of refreshMessages(1, payloads)) await dashboard.send(message);
      await dashboard.send(DATABASE_DOWN);
      await dashboard.send(UNTRUSTED_INIT);
      // A second refresh: the Logs read is stopped, the other sections keep their stale figures.
      await dashboard.send({ type: 'refreshStarted', refreshId: 2, window: { kind: '24h' } });
      await dashboard.send({
        type: 'sectionCancelled',
        refreshId: 2,
        section: 'logs',
        message: 'The log read was cancelled.',
      });
      await dashboard.send({
        type: 'notice',
        level: 'error',
        message: 'Could not save the report.',
      });
      await page.locator('[data-section="database"][data-state="error"]').waitFor();
      await page.locator('.restricted').waitFor({ state: 'visible' });
      await assertAccessible(page);
    });
  }
});
