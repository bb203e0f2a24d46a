/**
 * A pull or a checkout that brings hundreds of bug reports at once: the Maintenance view lists
 * them all, reading the bug folder a few times for the burst, not once per file (each read opens
 * every report: a burst of n files cost n² reads on the extension host, and reads finishing out
 * of order could leave an older list on show).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openViewContainer, readOutputChannel, readTreeItem, treeItem } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const VIEW = 'Maintenance';
const TIER = 'On demand';
const BURST = 300;
const BUGS = 'docs/maintenance/bugs';

const report = (n: number): string => `# Bug: Report ${n}\n\nStatus: Open\nSeverity: Low\n`;

describe('a burst of bug reports written while the editor is open', function () {
  this.timeout(600_000);
  let editor: FolderEditor;

  before(async () => {
    editor = await startFolderEditor({ [`${BUGS}/2026-12-01-first.md`]: report(0) });
  });

  after(async () => {
    await editor?.stop();
  });

  it('lists every report after reading the folder a few times, not once per file', async () => {
    const { page, folder } = editor;
    await openViewContainer(page, 'Upkeep');
    const tier = treeItem(page, VIEW, TIER);
    await tier.waitFor({ timeout: 60_000 });
    const waitFor = async (pattern: RegExp): Promise<string> => {
      const deadline = Date.now() + 60_000;
      let description = '';
      while (Date.now() < deadline) {
        description = (await readTreeItem(tier)).description;
        if (pattern.test(description)) break;
        await page.waitForTimeout(500);
      }
      return description;
    };
    assert.match(await waitFor(/\b1 open bug report\b/), /\b1 open bug report\b/);
    const before = listings(await readOutputChannel(page, 'Upkeep'));

    await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        fs.writeFile(path.join(folder, BUGS, `2026-12-02-burst-${i + 1}.md`), report(i + 1)),
      ),
    );
    const all = new RegExp(`\\b${BURST + 1} open bug reports\\b`);
    assert.match(await waitFor(all), all);
    // Whatever the watcher still delivers late has had time to be read.
    await page.waitForTimeout(3000);
    const during = listings(await readOutputChannel(page, 'Upkeep')) - before;
    assert.ok(during >= 1, 'the folder was read again');
    assert.ok(during <= 10, `the folder was read ${during} times for one burst of ${BURST}`);
  });
});

/** The output channel's lines that say the bug folder was read. */
function listings(output: string): number {
  return output.split('\n').filter((line) => /\[tree\] bug reports: \d+ listed/.test(line)).length;
}
