/**
 * Configure Database Connection › Rails environment… offers the environments the app's
 * config/database.yml has. It offered development, test and production whatever the file held
 * (a "test" the file lacks, picked, left every database card in error), and the current one
 * lost its "in config/database.yml".
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runCommandAndPick } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const DATABASE_YML =
  'development:\n  adapter: postgresql\n  database: shop_dev\n\n' +
  'production:\n  adapter: postgresql\n  database: shop\n';

describe('the Rails environment pick of Configure Database Connection', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;
  let page: Page;

  before(async function () {
    editor = await startFolderEditor({ 'config/database.yml': DATABASE_YML });
    page = editor.page;
  });

  after(async function () {
    await editor?.stop();
  });

  it("lists the file's environments, the current one marked as in the file too", async () => {
    await runCommandAndPick(
      page,
      'Upkeep: Configure Database Connection…',
      'Rails environment…',
      60_000,
    );
    const widget = page.locator('.quick-input-widget', {
      hasText: 'Rails environment of config/database.yml',
    });
    await widget.waitFor();
    const rows = await widget
      .locator('.monaco-list-row')
      .evaluateAll((found) =>
        found.map((row) =>
          [
            row.querySelector('.label-name')?.textContent?.trim() ?? '',
            row.querySelector('.label-description')?.textContent?.trim() ?? '',
          ].join(' | '),
        ),
      );
    assert.deepEqual(rows, [
      'development | current, in config/database.yml',
      'production | in config/database.yml',
      'Other… | ',
    ]);
    await page.keyboard.press('Escape');
  });
});
