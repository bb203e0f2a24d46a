/**
 * A check run whose login the database refused, in a real editor: its notification is an error
 * that stays with Set Password… (a warning's toast hid after 10 s, the button with it), and the
 * check's row in the Maintenance tree offers the password as long as its result says refused.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { embeddedServer } from '../support/postgres';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import {
  expandTreeItem,
  openViewContainer,
  readTreeItem,
  runCommand,
  runCommandAndPick,
  treeItem,
  viewPane,
  waitForNotification,
} from './support/editor';

/** Expands each row of `path` in turn. */
async function expandPath(page: Page, path: string[]): Promise<void> {
  for (const label of path) {
    const row = treeItem(page, 'Maintenance', label);
    await row.waitFor({ timeout: 60_000 });
    await expandTreeItem(row);
  }
}

describe('a check run whose login was refused', function () {
  this.timeout(300_000);
  let password = '';
  const editor = editorPerSuite('refused-login', async () => {
    const server = await embeddedServer();
    password = server.password;
    return startFolderEditor({
      'config/database.yml':
        'development:\n  adapter: postgresql\n  host: 127.0.0.1\n' +
        // No password: the one set in the editor is used (a password here would come first).
        `  port: ${server.port}\n  username: ${server.user}\n` +
        '  database: postgres\n',
    });
  });

  it('keeps Set Password… on screen, and on the check row after it is closed', async () => {
    const page = editor().page;
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'Database connectivity', 60_000);
    const text = 'Database connectivity: fail';
    await waitForNotification(page, text, 60_000);
    const toast = page
      .locator('.notifications-toasts .notification-toast')
      .filter({ hasText: text });
    assert.equal(await toast.locator('.codicon-error').count(), 1, 'an error');

    // A warning's toast was gone by now.
    await page.waitForTimeout(15_000);
    await toast.getByRole('button', { name: 'Set Password…' }).waitFor({ timeout: 1_000 });
    await runCommand(page, 'Notifications: Clear All Notifications');
    await toast.waitFor({ state: 'hidden' });

    await openViewContainer(page, 'Upkeep');
    await expandPath(page, ['Daily', 'Health monitoring', 'Database connectivity']);
    const row = viewPane(page, 'Maintenance')
      .locator('.monaco-list-row[role="treeitem"]')
      .filter({ has: page.locator('.label-description', { hasText: 'check · fail' }) })
      .filter({ has: page.locator('.label-name', { hasText: 'Database connectivity' }) })
      .first();
    await row.waitFor();
    await row.hover();
    await row.getByRole('button', { name: 'Set Database Password…' }).click();

    // The password box, not whichever quick input was last in sight.
    const input = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
    await input.fill(password);
    await input.press('Enter');
    await waitForNotification(page, 'Database connectivity: pass', 60_000);
    const passed = viewPane(page, 'Maintenance')
      .locator('.monaco-list-row[role="treeitem"]')
      .filter({ has: page.locator('.label-description', { hasText: 'check · pass' }) })
      .first();
    await passed.waitFor();
    assert.match((await readTreeItem(passed)).ariaLabel, /^Check Database connectivity: pass/);
    assert.equal(await passed.getByRole('button', { name: 'Set Database Password…' }).count(), 0);
  });
});
