/**
 * Bug reports in the tree: an open report in the repo shows under the On demand tier, a done one
 * does not, marking it done in the file takes it off the tree, and a bug folder that links out
 * of the workspace is not read: the Maintenance view says why.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  openViewContainer,
  readTreeItem,
  treeItem,
  viewPane,
  waitForLastRows,
} from './support/editor';
import { startDemoEditor, type DemoEditor } from './support/demoEditor';

const VIEW = 'Maintenance';
const TIER = 'On demand';
const BUGS = 'docs/maintenance/bugs';

function report(title: string, status: string): string {
  return [
    `# Bug: ${title}`,
    '',
    `Status: ${status}`,
    'Severity: High',
    '',
    '## Steps to reproduce',
    '1. Sign in',
    '',
  ].join('\n');
}

describe('bug reports under the On demand tier in code-server', function () {
  this.timeout(600_000);
  let demo: DemoEditor;
  let openFile: string;

  before(async () => {
    demo = await startDemoEditor({
      prepare: async (folder) => {
        await fs.mkdir(path.join(folder, BUGS), { recursive: true });
        openFile = path.join(folder, BUGS, '2026-12-01-sign-in-loops.md');
        await fs.writeFile(openFile, report('Sign-in loops after password reset', 'Open'));
        await fs.writeFile(
          path.join(folder, BUGS, '2026-11-02-old-crash.md'),
          report('Old crash on bookings', 'Done'),
        );
      },
    });
  });

  after(async () => {
    await demo?.stop();
  });

  it('lists the open report and leaves out the done one', async () => {
    const { page } = demo;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, VIEW, TIER).waitFor({ timeout: 60_000 });
    // On demand is the last tier; rows out of sight are not rendered, and the reports are read
    // after the tree first shows, so the helper expands the tier and scrolls until they arrive.
    const row = await waitForLastRows(page, VIEW, TIER, 'Sign-in loops after password reset');
    // The severity's label, as the severity rows show it, not its id ("high").
    assert.match((await readTreeItem(row)).description, /^High · /);
    assert.equal(await treeItem(page, VIEW, 'Old crash on bookings').count(), 0);
    // The tier's row counts it, as it counts due tasks: a collapsed tier still tells. Its row
    // may be redrawn after the report's: wait for the count rather than read it once.
    await tierRow(page, { hasText: /1 open bug report\b/ }).waitFor();
    // Reported on 1 December as High: its response time has long passed, and the status bar
    // says so wherever the tree is scrolled.
    await lateResponses(page).waitFor();
  });

  it('takes a report off the tree once its status says done', async () => {
    const { page } = demo;
    // Shown first, so that its absence afterwards means something.
    const row = await waitForLastRows(page, VIEW, TIER, 'Sign-in loops after password reset');
    await fs.writeFile(openFile, report('Sign-in loops after password reset', 'Fixed'));
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await tierRow(page, { hasNotText: /open bug report/ }).waitFor();
    await lateResponses(page).waitFor({ state: 'detached' });
  });

  it('reads no report from a bug folder that links out of the workspace, and says so', async () => {
    const { page } = demo;
    const outside = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notes-')));
    try {
      await fs.writeFile(
        path.join(outside, '2026-12-02-diary.md'),
        report('Private diary heading', 'Open'),
      );
      const folder = demo.workspace.folder;
      await fs.symlink(outside, path.join(folder, 'docs/linked-bugs'));
      const settingsFile = path.join(folder, '.vscode/settings.json');
      const settings = JSON.parse(
        await fs.readFile(settingsFile, 'utf8').catch(() => '{}'),
      ) as Record<string, unknown>;
      await fs.mkdir(path.dirname(settingsFile), { recursive: true });
      await fs.writeFile(
        settingsFile,
        JSON.stringify({ ...settings, 'upkeep.templates.bugFolder': 'docs/linked-bugs' }),
      );

      const note = viewPane(page, VIEW).locator('.message');
      await note
        .filter({ hasText: `The bug folder docs/linked-bugs links to ${outside}` })
        .waitFor({ timeout: 30_000 });
      assert.match((await note.textContent()) ?? '', /Set upkeep\.templates\.bugFolder to a/);
      assert.equal(await treeItem(page, VIEW, 'Private diary heading').count(), 0);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});

/** The On demand row, once its text (label and description) matches `text`. */
function tierRow(page: Page, text: { hasText?: RegExp; hasNotText?: RegExp }): Locator {
  return treeItem(page, VIEW, TIER).filter(text);
}

/** The status bar item while a bug response is overdue. */
function lateResponses(page: Page): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: '1 bug response overdue' });
}
