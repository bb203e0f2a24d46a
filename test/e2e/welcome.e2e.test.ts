/**
 * The Maintenance view in a window with no folder open: the welcome asks for the folder of a
 * Rails app (it used to be hidden behind the whole default playbook, 22 tasks "due" for no app),
 * and neither the badge nor the status bar counts tasks.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ensureCodeServer,
  startCodeServer,
  type RunningCodeServer,
} from '../../scripts/lib/codeServer';
import { readLogChannel } from './support/demoEditor';
import {
  launchBrowser,
  openViewContainer,
  openWorkbench,
  screenshot,
  viewPane,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');

describe('Maintenance view with no folder open', function () {
  this.timeout(300_000);
  let temp: string;
  let editor: RunningCodeServer | undefined;
  let browser: EditorBrowser | undefined;

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-welcome-'));
    await ensureCodeServer();
    editor = await startCodeServer({ workspace: temp, extensionDir: ROOT });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await fs.rm(temp, { recursive: true, force: true });
  });

  it('shows the welcome with Open Folder, and no count of tasks due', async () => {
    const page = browser!.page;
    // `ew=true` is code-server's empty window: the workbench with no folder.
    await openWorkbench(page, `${new URL(editor!.url).origin}/?ew=true`);
    await openViewContainer(page, 'Upkeep');

    // The view activates Upkeep; before it is ready the tree is empty whatever the fix.
    const deadline = Date.now() + 60_000;
    while (!/Maintenance tree ready/.test(await readLogChannel(editor!.userDataDir, 'Upkeep'))) {
      assert.ok(Date.now() < deadline, 'Upkeep did not say its tree is ready');
      await page.waitForTimeout(500);
    }
    await page.waitForTimeout(1_000);

    const pane = viewPane(page, 'Maintenance');
    const welcome = pane.locator('.welcome-view-content');
    await welcome.filter({ hasText: 'Open the folder of a Rails app' }).waitFor();
    await welcome.getByRole('button', { name: 'Open Folder' }).waitFor();
    await screenshot(page, path.join(ARTEFACTS, 'welcome-no-folder.png'));

    assert.equal(await pane.locator('.monaco-list-row[role="treeitem"]').count(), 0, 'no tier');
    const statusItems = await page
      .locator('.part.statusbar .statusbar-item')
      .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
    assert.deepEqual(
      statusItems.filter((label) => /maintenance task/.test(label)),
      [],
      'no "due" status bar item',
    );
    const badge = page.locator('.part.activitybar a[aria-label^="Upkeep"]');
    assert.doesNotMatch((await badge.getAttribute('aria-label')) ?? '', /due/);
  });
});
