/**
 * Bug reports in the tree: an open report in the repo shows under the On demand tier, a done one
 * does not, and marking it done in the file takes it off the tree.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openViewContainer, readTreeItem, treeItem, waitForLastRows } from './support/editor';
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
    assert.match((await readTreeItem(row)).description, /^high · /i);
    assert.equal(await treeItem(page, VIEW, 'Old crash on bookings').count(), 0);
  });

  it('takes a report off the tree once its status says done', async () => {
    const { page } = demo;
    // Shown first, so that its absence afterwards means something.
    const row = await waitForLastRows(page, VIEW, TIER, 'Sign-in loops after password reset');
    await fs.writeFile(openFile, report('Sign-in loops after password reset', 'Fixed'));
    await row.waitFor({ state: 'detached', timeout: 30_000 });
  });
});
