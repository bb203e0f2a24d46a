/**
 * The dashboard after a window reload: a dashboard tab the editor restored in the background
 * and "Upkeep: Open Dashboard" make one dashboard, not two (the second was closed as soon as
 * the restored tab was shown).
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  acceptQuickInputRow,
  runCommand,
  screenshot,
  waitForWorkbench,
  webviewFrame,
} from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';

const ARTEFACTS = path.join(__dirname, '../../test-results');

function dashboardTabs(page: Page): Promise<number> {
  return page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard"]').count();
}

describe('dashboard after a window reload', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('dashboard-restore', () =>
    startFolderEditor({ 'notes.md': '# Notes\n' }),
  );

  it('opens one dashboard beside a restored one that was never shown', async () => {
    const page = editor().page;
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    await webviewFrame(page, { contains: 'h1' });
    // Another editor in front: the dashboard stays a background tab through the reload.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('notes.md');
    await acceptQuickInputRow(page, 'notes.md');
    await page.locator('.tab[aria-label^="notes.md"]').first().waitFor();

    // The workbench keeps its open editors on a short delay; a reload right away loses them.
    await page.waitForTimeout(3_000);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForWorkbench(page);
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard"]').waitFor();
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    await webviewFrame(page, { contains: 'h1' });
    await page.waitForTimeout(2_000);
    await screenshot(page, path.join(ARTEFACTS, 'dashboard-after-reload.png'));
    assert.equal(await dashboardTabs(page), 1);
  });
});
