/**
 * Open Guideline Section in a real editor: the guidelines that ship with Upkeep open at the
 * task's heading, read-only. They are the extension's own file (here, code-server links the
 * extension to this checkout, so media/guidelines.md itself): a keystroke there was saved into it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCommandAndPick, screenshot } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');
const GUIDELINES = path.join(ROOT, 'media/guidelines.md');

describe('Open Guideline Section in a real editor', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;
  let original: string;

  before(async () => {
    original = await fs.readFile(GUIDELINES, 'utf8');
    editor = await startFolderEditor();
  });

  after(async () => {
    await editor?.stop();
    // Whatever the outcome, the checkout's guidelines stay as they were.
    if ((await fs.readFile(GUIDELINES, 'utf8')) !== original) {
      await fs.writeFile(GUIDELINES, original);
    }
  });

  it('opens the shipped guidelines at the heading, read-only', async () => {
    const page = editor!.page;
    await runCommandAndPick(
      page,
      'Upkeep: Open Guideline Section…',
      'Database maintenance',
      60_000,
    );

    const tab = page.locator('.tab[aria-label^="guidelines.md"]').first();
    await tab.waitFor({ timeout: 30_000 });
    const group = page.locator('.editor-group-container.active');
    await group.locator('.view-lines', { hasText: 'Database Maintenance' }).first().waitFor();

    // Typing changes nothing, not even after the editor's auto save, and the editor says why.
    // The editor's message shows for a few seconds: a keystroke that came before the editor had
    // focus (a busy machine) shows none, so type again until it does.
    const message = page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i });
    for (let attempt = 1; ; attempt++) {
      await group.locator('.view-lines').first().click();
      await page.keyboard.type('x');
      const shown = await message.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      assert.ok(attempt < 3, 'typing in the guidelines showed no read-only message');
    }
    await page.waitForTimeout(2_000);
    assert.equal(await tab.evaluate((element) => element.classList.contains('dirty')), false);
    assert.equal(await fs.readFile(GUIDELINES, 'utf8'), original, 'the guidelines changed');
    await screenshot(page, path.join(ARTEFACTS, 'guideline-read-only.png'));
  });
});
