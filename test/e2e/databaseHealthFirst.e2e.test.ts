/**
 * A run of a task's checks in the editor that holds database checks also runs Database
 * connectivity (health.database), as `upkeep check` does: its row is the one the database
 * checks point at when they cannot connect, and it showed an older run (a password missing
 * before it was set) while the database checks beside it passed.
 */
import { strict as assert } from 'node:assert';
import {
  expandTreeItem,
  openViewContainer,
  readTreeItem,
  runCommandAndPick,
  treeItem,
  viewPane,
  waitForNotification,
} from './support/editor';
import { startDemoEditor, type DemoEditor } from './support/demoEditor';

const VIEW = 'Maintenance';

describe('database checks run with Database connectivity in code-server', function () {
  this.timeout(600_000);
  let demo: DemoEditor;

  before(async () => {
    demo = await startDemoEditor();
  });

  after(async () => {
    await demo?.stop();
  });

  it("runs health.database with a weekly task's database checks", async () => {
    const { page } = demo;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, VIEW, 'Health monitoring').waitFor({ timeout: 60_000 });

    await runCommandAndPick(page, "Upkeep: Run Task's Checks…", 'Database maintenance');
    // The run's own summary, after every check of it finished.
    await waitForNotification(page, 'Upkeep: Database maintenance: ', 120_000);

    // The check's row under Daily › Health monitoring; its checklist item has the same title.
    await expandTreeItem(treeItem(page, VIEW, 'Health monitoring'));
    const row = viewPane(page, VIEW)
      .locator('.monaco-list-row[role="treeitem"][aria-label^="Check Database connectivity:"]')
      .first();
    // The tree redraws the results of a moment at once: give it a few seconds, more on a loaded
    // machine.
    const deadline = Date.now() + 30_000;
    let info = await readTreeItem(row);
    while (!/^check · pass/.test(info.description) && Date.now() < deadline) {
      await page.waitForTimeout(500);
      info = await readTreeItem(row);
    }
    assert.match(info.description, /^check · pass · /, info.ariaLabel);
  });
});
