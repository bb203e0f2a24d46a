/**
 * A check row's hover gives the time of its run in `upkeep.schedule.timeZone`, named, as the task
 * hovers, the history and the dashboard give theirs. It gave the editor machine's clock (UTC on
 * code-server) with no zone, beside task rows that read in the team's zone.
 */
import { strict as assert } from 'node:assert';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import {
  expandTreeItem,
  openViewContainer,
  runCommandAndPick,
  showTreeHover,
  treeItem,
} from './support/editor';

/** UTC+14 all year: its clock is never the machine's, whatever zone that one runs in. */
const ZONE = 'Pacific/Kiritimati';

/** "Dec 6, 2026, 9:05 PM", as the hover writes an instant in ZONE. */
function inZone(at: number): string {
  return new Date(at).toLocaleString('en-US', {
    timeZone: ZONE,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

describe("a check row's hover in the schedule's time zone", function () {
  this.timeout(300_000);
  const editor = editorPerSuite('check-tooltip-zone', () =>
    startFolderEditor({
      '.vscode/settings.json': JSON.stringify({ 'upkeep.schedule.timeZone': ZONE }),
    }),
  );

  it('says when the check ran in upkeep.schedule.timeZone, naming it', async () => {
    const page = editor().page;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor({ timeout: 60_000 });
    const before = Date.now();
    // A check of the machine, not of a database: nothing to connect to.
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'Free disk space');
    await expandTreeItem(treeItem(page, 'Maintenance', 'Health monitoring'));
    const row = page
      .locator('.monaco-list-row[role="treeitem"]', { hasText: 'Free disk space' })
      .filter({ has: page.locator('.label-description', { hasText: /^check · \w+ · / }) })
      .first();
    await row.waitFor({ timeout: 60_000 });
    const after = Date.now();

    const hover = page.locator('.context-view .hover-contents').filter({ hasText: 'Ran ' });
    await showTreeHover(row, hover);
    // ICU puts a narrow no-break space before "PM": compared as plain spaces.
    const plain = (words: string): string => words.replace(/\s/g, ' ');
    const text = plain((await hover.textContent()) ?? '');
    const times = [inZone(before), inZone(after)].map(plain);
    assert.ok(
      times.some((time) => text.includes(`${time} ${ZONE}`)),
      `the hover gives none of ${times.join(' or ')} (${ZONE}): ${text}`,
    );
  });
});
