/**
 * A `.upkeep/state.json` a newer Upkeep wrote (a teammate updated first), in a real editor: the
 * window says why it keeps no checklist there, and marking a task done saves nothing; the file
 * is neither moved aside as broken nor written over.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  openViewContainer,
  runCommandAndPick,
  treeItem,
  waitForNotification,
} from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const NEWER = '{ "version": 2, "tasks": {}, "teams": { "ops": ["ann"] } }\n';

describe('a state file of a newer Upkeep in a real editor', function () {
  this.timeout(600_000);
  let editor: FolderEditor;

  before(async () => {
    editor = await startFolderEditor({
      '.vscode/settings.json': JSON.stringify({ 'upkeep.state.location': 'repository' }),
      '.upkeep/state.json': NEWER,
    });
  });

  after(async () => {
    await editor?.stop();
  });

  it('says so, and leaves the file as it is when a task is marked done', async () => {
    const { page, folder } = editor;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor({ timeout: 60_000 });
    const said = await waitForNotification(page, 'written by a newer version of Upkeep');
    assert.match(said, /Update Upkeep/);

    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', 'Health monitoring');
    await waitForNotification(page, 'could not save');
    const upkeep = path.join(folder, '.upkeep');
    assert.deepEqual(await fs.readdir(upkeep), ['state.json']);
    assert.equal(await fs.readFile(path.join(upkeep, 'state.json'), 'utf8'), NEWER);
  });
});
