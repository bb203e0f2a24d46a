/**
 * A task's row offers Mark Task Done… while the task is to do, and not once it is done for the
 * period, as the palette's pick leaves done tasks out. Its ✓ beside "done 06:56 by …" read as
 * not done yet, and a second click replaced the completion the row and its hover show.
 */
import { strict as assert } from 'node:assert';
import type { Locator } from 'playwright-core';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import { openViewContainer, runCommandAndPick, treeItem } from './support/editor';

/** The inline buttons a row shows under the pointer, by their names. */
async function rowButtons(row: Locator): Promise<string[]> {
  await row.hover();
  const buttons = row.locator('.actions .action-label');
  await buttons.first().waitFor();
  return buttons.evaluateAll((found) =>
    found.map((button) => button.getAttribute('aria-label') ?? ''),
  );
}

describe('Mark Task Done on a row done for the period', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('mark-done-row', () => startFolderEditor());

  it('leaves Mark Task Done… out of a done row, inline and in its menu', async () => {
    const page = editor().page;
    await openViewContainer(page, 'Upkeep');
    const row = treeItem(page, 'Maintenance', 'Security monitoring');
    await row.waitFor({ timeout: 60_000 });
    assert.ok((await rowButtons(row)).includes('Mark Task Done…'), 'a task to do offers it');

    // A daily task: marked done at once, with no note asked.
    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', 'Security monitoring');
    await row.locator('.label-description', { hasText: /^done / }).waitFor();
    assert.deepEqual(await rowButtons(row), ["Run Task's Checks"]);

    await row.click({ button: 'right' });
    const menu = page.locator('.monaco-menu .action-label');
    await menu.first().waitFor();
    const items = await menu.allTextContents();
    await page.keyboard.press('Escape');
    assert.ok(items.includes('Reset Task…'), items.join(' | '));
    assert.ok(!items.includes('Mark Task Done…'), items.join(' | '));
  });
});
