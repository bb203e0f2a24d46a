/**
 * The recovery drill's error that names a setting ("Give upkeep.backups.drillTargetUrl as
 * postgres://…") offered no way to it: the user searched the Settings UI by hand. It now has an
 * Open Settings button that opens the Settings UI at that setting.
 */
import * as assert from 'node:assert/strict';
import { runCommand, waitForNotification } from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';

const SETTINGS = JSON.stringify({
  'upkeep.backups.pattern': 'backups/*.dump',
  'upkeep.backups.drillTargetUrl': 'mysql://drill@127.0.0.1/scratch',
});

describe('the recovery drill error naming a setting', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('drill-open-settings', () =>
    startFolderEditor({
      '.vscode/settings.json': SETTINGS,
      'backups/nightly.dump': 'PGDMP',
    }),
  );

  it('opens the Settings UI at upkeep.backups.drillTargetUrl', async () => {
    const page = editor().page;
    await runCommand(page, 'Upkeep: Run Backup Recovery Drill…', 60_000);
    const message = await waitForNotification(page, 'is not a postgres:// URL');
    assert.match(message, /upkeep\.backups\.drillTargetUrl/);
    const toast = page
      .locator('.notifications-toasts .notification-list-item')
      .filter({ hasText: 'is not a postgres:// URL' })
      .first();
    await toast.locator('.monaco-button', { hasText: 'Open Settings' }).click({ timeout: 15_000 });

    const search = page.locator('.settings-editor .settings-header .monaco-editor .view-lines');
    await search.filter({ hasText: 'upkeep.backups.drillTargetUrl' }).waitFor({ timeout: 30_000 });
    // The setting itself is the one shown, with its value.
    const row = page.locator('.settings-editor .setting-item-contents', {
      hasText: 'Drill Target Url',
    });
    await row.first().waitFor({ timeout: 30_000 });
  });
});
