/**
 * The dashboard with the system's forced colours on (Windows High Contrast, which VS Code's
 * webviews pass on), in a real headless Chromium: what a colour drew still shows, in the
 * system's colours, and the focused control keeps a ring.
 */
import { strict as assert } from 'node:assert';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

describe('dashboard webview: forced colours', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  it('draws each bar of the status mix against its track, not in the page colour', async () => {
    const dashboard = await harness.open({ theme: 'highContrast' });
    const page = dashboard.page;
    await page.emulateMedia({ forcedColors: 'active' });
    for (const message of refreshMessages(1, sampleSections())) await dashboard.send(message);
    await page.locator('.bars .bar').first().waitFor();
    const unseen = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.bars .bar'))
        .filter((bar) => {
          const track = bar.parentElement!;
          return (
            getComputedStyle(bar).backgroundColor === getComputedStyle(track).backgroundColor ||
            getComputedStyle(bar).backgroundColor ===
              getComputedStyle(document.body).backgroundColor
          );
        })
        .map((bar) => bar.closest('li')?.textContent ?? ''),
    );
    assert.deepEqual(unseen, [], 'bars drawn in the page colour');
    // The focus ring too, on a control of the page and on a table's More button.
    await page.setViewportSize({ width: 500, height: 900 });
    const more = page.locator('.row-more-button').first();
    await more.waitFor();
    await more.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await more.evaluate((element) => {
      const style = getComputedStyle(element);
      return `${style.outlineStyle} ${style.outlineColor}`;
    });
    const page_ = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.match(ring, /^solid /);
    assert.notEqual(ring.replace(/^solid /, ''), page_);
    await page.context().close();
  });
});
