/**
 * In Restricted Mode, a repo's `.upkeep/playbook.yaml` that links to a YAML file of the user's
 * outside the folder is not read: the tree shows the default playbook, and the Problems panel
 * says why, naming nothing of what the linked file holds.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openViewContainer, readProblems, treeItems, treeItem } from './support/editor';
import { startDemoEditor, type DemoEditor } from './support/demoEditor';

describe('a playbook linked out of an untrusted folder', function () {
  this.timeout(600_000);
  let demo: DemoEditor | undefined;
  let outside: string;

  before(async () => {
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-private-'));
    const linked = path.join(outside, 'cloud.yaml');
    await fs.writeFile(
      linked,
      'cloud_secret_key: x\ntasks:\n  - id: private-task\n    title: PRIVATE TITLE\n' +
        '    tier: daily\n',
    );
    demo = await startDemoEditor({
      workspaceTrust: true,
      prepare: async (folder) => {
        const file = path.join(folder, '.upkeep/playbook.yaml');
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.rm(file, { force: true });
        await fs.symlink(linked, file);
      },
    });
  });

  after(async () => {
    await demo?.stop();
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('shows the default playbook and says why in the Problems panel', async () => {
    const page = demo!.page;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor();
    const deadline = Date.now() + 30_000;
    let problems = await readProblems(page);
    while (!problems.some((problem) => /links outside the workspace/.test(problem.message))) {
      if (Date.now() > deadline) assert.fail(JSON.stringify(problems));
      await page.waitForTimeout(500);
      problems = await readProblems(page);
    }
    const shown = JSON.stringify(problems) + JSON.stringify(await treeItems(page, 'Maintenance'));
    assert.doesNotMatch(shown, /PRIVATE|private-task|cloud_secret/);
  });
});
