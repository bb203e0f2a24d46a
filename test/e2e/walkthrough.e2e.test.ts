/**
 * The Get Started walkthrough in a real editor: each step is ticked when the user did what it
 * asks before first opening the walkthrough (the editor counts its own completion events only
 * from then on), and in a later session from what the extension kept: the tree looked at, the
 * dashboard opened, a check that reached the database, the daily checks run by `upkeep check
 * --save`, a repo playbook committed. A step whose work is not done stays unticked when the
 * walkthrough opens, and the database step stays so when its picker is only opened and
 * cancelled, until a connection is saved.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { checksForTier } from '../../src/core/checks/registry';
import { defaultPlaybook } from '../../src/core/playbook/defaultPlaybook';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import {
  openViewContainer,
  reloadWindow,
  runCommand,
  runCommandAndPick,
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
  const editor = editorPerSuite('walkthrough', () => startFolderEditor());

  it('ticks the tree and dashboard steps done before it was first opened', async () => {
    const page = editor().page;
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
    const page = editor().page;
    await openInLaterSession(page);
    const ticked = await stepsTickedOnceSettled(page);
    assert.equal(ticked['Open the dashboard'], true);
    assert.equal(ticked['Run the daily checks'], false);
  });

  it('ticks the database step once a connection is saved, not when its picker opens', async () => {
    const page = editor().page;
    // The editor ticked the step as soon as the command ran (an onCommand: event), even when the
    // picker was then cancelled.
    await runCommand(page, 'Upkeep: Configure Database Connection…');
    await page.locator('.quick-input-widget').getByText('Test the connection').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
    assert.equal((await stepsTicked(page))['Connect the database'], false);

    await runCommandAndPick(page, 'Upkeep: Configure Database Connection…', [
      'Rails environment…',
      'development',
    ]);
    const ticked = await stepsTickedOnceSettled(page, 'Connect the database');
    assert.equal(ticked['Connect the database'], true);
  });
});

/** `.upkeep/results.json` as `upkeep check --tier daily --save` leaves it, an hour ago. */
function savedDailyResults(): string {
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  const results = Object.fromEntries(
    checksForTier(defaultPlaybook(), 'daily').map((check) => [
      check.id,
      [
        {
          checkId: check.id,
          title: check.title,
          outcome: 'pass',
          summary: 'ok',
          startedAt,
          durationMs: 40,
        },
      ],
    ]),
  );
  return JSON.stringify({ version: 1, results });
}

describe('Get Started walkthrough after work done elsewhere', function () {
  this.timeout(300_000);
  const files = {
    '.upkeep/results.json': savedDailyResults(),
    '.upkeep/playbook.yaml': 'version: 1\ntiers:\n  daily:\n    team: Platform Team\n',
  };
  const editor = editorPerSuite('walkthrough-elsewhere', () => startFolderEditor(files));

  it('ticks the database, checks and playbook steps done before it was first opened', async () => {
    const page = editor().page;
    // The saved daily results hold a database check that reached the database.
    await openUpkeepWalkthrough(page);
    const done = [
      'Connect the database',
      'Run the daily checks',
      "Make the playbook the team's own",
    ];
    assert.deepEqual(await stepsTickedOnceSettled(page, ...done), {
      'Connect the database': true,
      'Run the daily checks': true,
      'Work through the Maintenance tree': false,
      'Open the dashboard': false,
      "Make the playbook the team's own": true,
    });
  });

  it('ticks the database step in a later session, from what the extension kept', async () => {
    const page = editor().page;
    await openInLaterSession(page);
    const ticked = await stepsTickedOnceSettled(page, 'Connect the database');
    assert.equal(ticked['Connect the database'], true);
    assert.equal(ticked['Open the dashboard'], false);
  });
});

describe('Get Started walkthrough after a connection setting', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('walkthrough-setting', () =>
    startFolderEditor({
      '.vscode/settings.json': '{ "upkeep.database.railsEnvironment": "production" }\n',
    }),
  );

  it('ticks the database step for a setting written before, and nothing else', async () => {
    await openUpkeepWalkthrough(editor().page);
    assert.deepEqual(await stepsTickedOnceSettled(editor().page, 'Connect the database'), {
      'Connect the database': true,
      'Run the daily checks': false,
      'Work through the Maintenance tree': false,
      'Open the dashboard': false,
      "Make the playbook the team's own": false,
    });
  });
});

async function openUpkeepWalkthrough(page: Page): Promise<void> {
  await runCommandAndPick(page, 'Welcome: Open Walkthrough...', 'Get started with Upkeep');
}

/** Opens the walkthrough afresh in a later session: its progress reset, the window reloaded. */
async function openInLaterSession(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Developer: Reset Welcome Page Walkthrough Progress');
  await reloadWindow(page);
  await openUpkeepWalkthrough(page);
}

/** The ticks once the steps titled `awaited` show ticked, or after 30 s. */
async function stepsTickedOnceSettled(
  page: Page,
  ...awaited: string[]
): Promise<Record<string, boolean>> {
  const titles = awaited.length ? awaited : ['Open the dashboard'];
  // A step ticks when the extension's context key reaches the page: seconds on a loaded machine.
  const deadline = Date.now() + 30_000;
  let ticked = await stepsTicked(page);
  while (!titles.every((title) => ticked[title]) && Date.now() < deadline) {
    await page.waitForTimeout(500);
    ticked = await stepsTicked(page);
  }
  return ticked;
}
