/**
 * A bug folder that appears while the editor is open (a pull or a checkout that brings the
 * team's first report, `mkdir -p` and a copy): its reports show under the On demand tier
 * without a reload of the window.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openViewContainer, readTreeItem, treeItem } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const VIEW = 'Maintenance';
const TIER = 'On demand';

describe('a bug folder created while the editor is open', function () {
  this.timeout(600_000);
  let editor: FolderEditor;

  before(async () => {
    editor = await startFolderEditor();
  });

  after(async () => {
    await editor?.stop();
  });

  it('lists the report it brings under the On demand tier', async () => {
    const { page, folder } = editor;
    await openViewContainer(page, 'Upkeep');
    const tier = treeItem(page, VIEW, TIER);
    await tier.waitFor({ timeout: 60_000 });
    assert.doesNotMatch((await readTreeItem(tier)).description, /open bug report/);

    // The whole path is new: docs/ did not exist either.
    const bugs = path.join(folder, 'docs/maintenance/bugs');
    await fs.mkdir(bugs, { recursive: true });
    await fs.writeFile(
      path.join(bugs, '2026-12-04-sign-in-loops.md'),
      '# Bug: Sign-in loops\n\nStatus: Open\nSeverity: High\n',
    );

    const deadline = Date.now() + 30_000;
    let description = '';
    while (Date.now() < deadline) {
      description = (await readTreeItem(tier)).description;
      if (/1 open bug report\b/.test(description)) break;
      await page.waitForTimeout(500);
    }
    assert.match(description, /1 open bug report\b/);
  });
});
