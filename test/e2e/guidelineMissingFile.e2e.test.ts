/**
 * Open Guideline Section for a task whose repo playbook names a guideline file that is not
 * there (the starter playbook's `docs/operations.md`, uncommented as it stands): the warning
 * says where that name comes from and what to do, not only that the file cannot be opened.
 */
import { strict as assert } from 'node:assert';
import { runCommandAndPick, waitForNotification } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const PLAYBOOK =
  'version: 1\n' +
  'tasks:\n' +
  '  - id: daily.sidekiq\n' +
  '    tier: daily\n' +
  '    title: Background jobs\n' +
  '    items:\n' +
  '      - Failed jobs reviewed\n' +
  '    guideline: { section: Background jobs, file: docs/operations.md }\n';

describe('Open Guideline Section of a guideline file that is missing', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;

  before(async () => {
    editor = await startFolderEditor({ '.upkeep/playbook.yaml': PLAYBOOK });
  });

  after(async () => {
    await editor?.stop();
  });

  it('names the playbook that names the file, and says to create it or correct it', async () => {
    const page = editor!.page;
    await runCommandAndPick(page, 'Upkeep: Open Guideline Section…', 'Background jobs', 60_000);
    const message = await waitForNotification(page, 'docs/operations.md');
    assert.equal(
      message,
      'Upkeep: cannot open docs/operations.md, a guideline file named in ' +
        '.upkeep/playbook.yaml. Create it, or correct that name there.',
    );
  });
});
