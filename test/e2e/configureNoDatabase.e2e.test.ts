/**
 * Configure Database Connection's "Test the connection" with no database configured: the error
 * says how to give one and offers it as a button (it said to run the command just used).
 */
import { strict as assert } from 'node:assert';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';
import { runCommandAndPick, waitForNotification } from './support/editor';

describe('Test the connection with no database configured', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('configure-no-database', () =>
    startFolderEditor({}, { rails: false }),
  );

  it('points at Enter Connection URL…, which opens the URL box', async () => {
    const page = editor().page;
    await runCommandAndPick(page, 'Upkeep: Configure Database Connection…', 'Test the connection');

    const message = await waitForNotification(page, 'No database configured');
    assert.doesNotMatch(message, /Configure Database Connection/);
    assert.match(message, /Enter one with "Enter Connection URL…", or set DATABASE_URL\.$/);

    const toast = page
      .locator('.notifications-toasts .notification-list-item')
      .filter({ hasText: 'No database configured' });
    await toast.getByRole('button', { name: 'Enter Connection URL…' }).click();
    const box = page.locator('.quick-input-widget .quick-input-title');
    await box.filter({ hasText: 'PostgreSQL connection URL' }).waitFor();
  });
});
