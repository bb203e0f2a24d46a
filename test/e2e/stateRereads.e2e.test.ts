/**
 * The checklist state file is read again when another window changed it, not after each of this
 * window's own writes: a state with a long history is tens of megabytes, and each read parsed
 * it on the extension host (a quarter of a second for 23 MB) after every tick and completion,
 * and again whenever the window got the focus.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  openViewContainer,
  readOutputChannel,
  readTreeItem,
  runCommandAndPick,
  treeItem,
} from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const VIEW = 'Maintenance';
const TASKS = ['Health monitoring', 'Log monitoring', 'Performance monitoring'];

describe("the checklist state after this window's own changes", function () {
  this.timeout(600_000);
  let editor: FolderEditor;

  before(async () => {
    // Shared through the repository, as `upkeep status` in CI needs it: inside the folder the
    // editor watches.
    editor = await startFolderEditor({
      '.vscode/settings.json': JSON.stringify({ 'upkeep.state.location': 'repository' }),
    });
  });

  after(async () => {
    await editor?.stop();
  });

  it('is not read again from the file this window just wrote', async () => {
    const { page } = editor;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, VIEW, 'Daily').waitFor({ timeout: 60_000 });
    const before = stateReads(await readOutputChannel(page, 'Upkeep'));
    assert.ok(before >= 1, 'the state was read at start');

    for (const title of TASKS) {
      await runCommandAndPick(page, 'Upkeep: Mark Task Done…', title);
      const row = treeItem(page, VIEW, title);
      const deadline = Date.now() + 30_000;
      while (!/^done\b/.test((await readTreeItem(row)).description)) {
        if (Date.now() > deadline) assert.fail(`${title} was not marked done`);
        await page.waitForTimeout(250);
      }
    }
    // Time for the watcher's events of those writes to arrive.
    await page.waitForTimeout(3000);
    const after = stateReads(await readOutputChannel(page, 'Upkeep'));
    assert.ok(
      after - before <= 1,
      `the state file was read ${after - before} times after ${TASKS.length} own writes`,
    );
  });

  it('is read again when another window changes it', async () => {
    const { page, folder } = editor;
    const file = path.join(folder, '.upkeep/state.json');
    const state = JSON.parse(await fs.readFile(file, 'utf8')) as { tasks: Record<string, unknown> };
    assert.ok(state.tasks['daily.health'], 'this window wrote the completion');
    // Another window took the completion back; written in place, as an editor saves.
    delete state.tasks['daily.health'];
    await fs.writeFile(file, JSON.stringify(state, null, 2));

    const row = treeItem(page, VIEW, TASKS[0]);
    const deadline = Date.now() + 30_000;
    while (/^done\b/.test((await readTreeItem(row)).description)) {
      if (Date.now() > deadline) assert.fail(`${TASKS[0]} still shows the completion taken back`);
      await page.waitForTimeout(250);
    }
  });
});

/** The output channel's lines that say the state file was read. */
function stateReads(output: string): number {
  return output.split('\n').filter((line) => /\[playbook\] checklist state read/.test(line)).length;
}
