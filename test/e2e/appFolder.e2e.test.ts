/**
 * A monorepo opened at its root (the app in apps/web): the Maintenance view says the folder is
 * not the app's and names the one that is, instead of listing tasks whose checks all skip.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openViewContainer, viewPane } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

describe('a monorepo opened at its root', function () {
  let editor: FolderEditor | undefined;
  let page: Page;

  before(async function () {
    editor = await startFolderEditor(
      {
        'apps/web/config/database.yml':
          'development:\n  adapter: postgresql\n  database: web_dev\n',
        'README.md': '# monorepo\n',
      },
      { rails: false },
    );
    page = editor.page;
  });

  after(async function () {
    await editor?.stop();
  });

  it('names the app folder below in the Maintenance view', async function () {
    await openViewContainer(page, 'Upkeep');
    const message = viewPane(page, 'Maintenance').locator('.message');
    await message.filter({ hasText: 'apps/web has a config/database.yml' }).waitFor();
    assert.match((await message.textContent()) ?? '', /^This folder has no Gemfile/);
  });
});
