/**
 * A dashboard table's sort in a real editor (code-server): the panel's webview is torn down
 * while another tab is in front (retainContextWhenHidden is off) and at a window reload, and the
 * new page finds the table as the user left it, from the state the old page saved.
 */
import { strict as assert } from 'node:assert';
import type { Frame, Page } from 'playwright-core';
import { acceptQuickInputRow, reloadWindow, runCommand, webviewFrame } from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';

const LOAD_TIMEOUT = 90_000;

function dashboardFrame(page: Page): Promise<Frame> {
  return webviewFrame(page, {
    extensionId: 'upkeep.upkeep',
    contains: '[data-section="health"][data-state="ready"] table.data',
    timeout: LOAD_TIMEOUT,
  });
}

/** The sort each health table shows, in order: "Check descending", or "" when none. */
function healthSorts(frame: Frame): Promise<string[]> {
  return frame.locator('[data-section="health"] table.data').evaluateAll((tables) =>
    tables.map((table) => {
      const sorted = table.querySelector('th[aria-sort="ascending"], th[aria-sort="descending"]');
      return sorted ? `${sorted.textContent} ${sorted.getAttribute('aria-sort')}` : '';
    }),
  );
}

describe('dashboard table state when the panel is rebuilt', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('dashboard-table-state', () =>
    startFolderEditor({ 'notes.md': '# Notes\n' }),
  );

  it('keeps a sort through another tab in front and a window reload', async () => {
    const page = editor().page;
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    let frame = await dashboardFrame(page);
    const sort = frame.locator('[data-section="health"] table.data').first();
    // Twice: descending, which no table starts in.
    await sort.getByRole('button', { name: 'Check', exact: true }).click();
    await sort.getByRole('button', { name: 'Check', exact: true }).click();
    const chosen = await healthSorts(frame);
    assert.equal(chosen[0], 'Check descending');

    // Another editor in front: the webview is destroyed, and built anew when shown again.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('notes.md');
    await acceptQuickInputRow(page, 'notes.md');
    await page.locator('.tabs-container .tab.active[aria-label^="notes.md"]').waitFor();
    await page.locator('.tabs-container .tab', { hasText: 'Upkeep Dashboard' }).click();
    frame = await dashboardFrame(page);
    assert.deepEqual(await healthSorts(frame), chosen, 'shown again');

    await reloadWindow(page, LOAD_TIMEOUT);
    frame = await dashboardFrame(page);
    assert.deepEqual(await healthSorts(frame), chosen, 'after a window reload');
  });
});
