/**
 * The Get Started walkthrough in a real editor: the steps for the Maintenance tree and the
 * dashboard are ticked when the user looked at the one and opened the other before first
 * opening the walkthrough (the editor counts its own completion events only from then on), and
 * in a later session from what the extension kept.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';
import {
  openViewContainer,
  pickQuickInput,
  reloadWindow,
  reportFailure,
  runCommand,
  treeItem,
  webviewFrame,
} from './support/editor';

/** Each step's title, and whether the walkthrough shows it ticked. */
async function stepsTicked(page: Page): Promise<Record<string, boolean>> {
  const steps = page.locator('.gettingStartedSlideDetails .getting-started-step');
  await steps.first().waitFor();
  const ticked: Record<string, boolean> = {};
  for (const step of await steps.all()) {
    const title = ((await step.locator('.step-title').first().textContent()) ?? '').trim();
    const icon = (await step.locator('.codicon').first().getAttribute('class')) ?? '';
    ticked[title] = /step-checked/.test(icon);
  }
  return ticked;
}

describe('Get Started walkthrough in a real editor', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;

  before(async () => {
    editor = await startFolderEditor();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && editor) {
      await reportFailure(editor.page, 'walkthrough');
    }
  });

  after(async () => {
    await editor?.stop();
  });

  it('ticks the tree and dashboard steps done before it was first opened', async () => {
    const page = editor!.page;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor({ timeout: 60_000 });
    await runCommand(page, 'Upkeep: Open Dashboard');
    await webviewFrame(page, { contains: 'main' });

    await openUpkeepWalkthrough(page);
    assert.deepEqual(await stepsTickedOnceSettled(page), {
      'Connect the database': false,
      'Run the daily checks': false,
      'Work through the Maintenance tree': true,
      'Open the dashboard': true,
      "Make the playbook the team's own": false,
    });
  });

  it('ticks the dashboard step in a later session, with the dashboard closed', async () => {
    const page = editor!.page;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Developer: Reset Welcome Page Walkthrough Progress');
    await reloadWindow(page);

    await openUpkeepWalkthrough(page);
    const ticked = await stepsTickedOnceSettled(page);
    assert.equal(ticked['Open the dashboard'], true);
    assert.equal(ticked['Run the daily checks'], false);
  });
});

async function openUpkeepWalkthrough(page: Page): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await pickQuickInput(page, 'Get started with Upkeep');
}

/** The ticks once the dashboard step shows ticked, or after 10 s. */
async function stepsTickedOnceSettled(page: Page): Promise<Record<string, boolean>> {
  const deadline = Date.now() + 10_000;
  let ticked = await stepsTicked(page);
  while (!ticked['Open the dashboard'] && Date.now() < deadline) {
    await page.waitForTimeout(500);
    ticked = await stepsTicked(page);
  }
  return ticked;
}
