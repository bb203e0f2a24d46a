/**
 * A task's history opens in a tab named for the task ("Database maintenance history.md"), not
 * for its id ("weekly.database.md"), which a maintainer new to the playbook does not know; the
 * history of all tasks likewise.
 */
import { strict as assert } from 'node:assert';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import {
  openViewContainer,
  pickQuickInput,
  runCommand,
  runCommandAndPick,
  treeItem,
} from './support/editor';

describe('the tab of a task history', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('history-tab', () => startFolderEditor());

  it("is named for the task, and opens that task's history", async () => {
    const page = editor().page;
    await openViewContainer(page, 'Upkeep');
    const row = treeItem(page, 'Maintenance', 'Security monitoring');
    await row.waitFor({ timeout: 60_000 });
    // A daily task: marked done at once, with no note asked; the history then has an entry.
    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', 'Security monitoring');
    await row.locator('.label-description', { hasText: /^done / }).waitFor();

    await runCommandAndPick(page, 'Upkeep: Show Task History…', 'Security monitoring');
    const tab = page.locator('.tabs-container .tab').filter({ hasText: 'history' });
    await tab.first().waitFor();
    assert.deepEqual(await tab.allTextContents(), ['Security monitoring history.md']);
    const text = page.locator('.editor-instance .view-lines').first();
    await text.filter({ hasText: '# History: Security monitoring' }).waitFor();

    await runCommand(page, 'Upkeep: Show Task History…');
    await pickQuickInput(page, 'All tasks');
    await page
      .locator('.tabs-container .tab')
      .filter({ hasText: 'All tasks history.md' })
      .waitFor();
  });
});
