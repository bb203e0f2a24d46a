/**
 * Set Database Password on an empty box forgot the kept password at once ("Leave empty to forget
 * it"): Enter pressed by accident lost it. Now a modal naming its server asks first. And with
 * the upkeep.database.url setting, which comes before config/database.yml, Configure Database
 * Connection listed "Rails environment…" and "Database of config/database.yml…" as if a pick
 * there would change the database; those rows now say the URL setting comes first.
 */
import * as assert from 'node:assert/strict';
import { runCommand, waitForNotification } from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';
import { startFolderEditor } from './support/folderEditor';

const SETTINGS = JSON.stringify({
  'upkeep.database.url': 'postgres://keeper@127.0.0.1:5999/shop_dev',
});

describe('forgetting the database password, and a URL setting over database.yml', function () {
  this.timeout(300_000);
  const editor = editorPerSuite('password-forget', () =>
    startFolderEditor({ '.vscode/settings.json': SETTINGS }),
  );

  it('says on the database.yml rows that the URL setting comes first', async () => {
    const page = editor().page;
    await runCommand(page, 'Upkeep: Configure Database Connection…', 60_000);
    const widget = page.locator('.quick-input-widget', { hasText: 'Database Connection' });
    await widget.locator('.monaco-list-row', { hasText: 'Rails environment…' }).waitFor();
    const rows = await widget
      .locator('.monaco-list-row')
      .evaluateAll((found) => found.map((row) => row.textContent?.trim() ?? ''));
    const row = (label: string): string => rows.find((text) => text.includes(label)) ?? '';
    const note = /not used: the upkeep\.database\.url setting comes first/;
    assert.match(row('Rails environment…'), note, rows.join('\n'));
    assert.match(row('Database of config/database.yml…'), note, rows.join('\n'));
    assert.ok(row('Forget the URL setting'), rows.join('\n'));
    await page.keyboard.press('Escape');
  });

  it('asks before an empty box forgets the kept password, naming its server', async () => {
    const page = editor().page;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const enter = async (text: string): Promise<void> => {
      await runCommand(page, 'Upkeep: Set Database Password…');
      await input.fill(text);
      await input.press('Enter');
    };
    await enter('kept-one');
    await waitForNotification(page, 'saved in secret storage for keeper@127.0.0.1:5999');

    const dialog = page.locator('.monaco-dialog-box');
    // Cancel keeps it: the next empty Enter finds it still there and asks again.
    await enter('');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(
      (await dialog.textContent()) ?? '',
      /Forget the database password kept for keeper@127\.0\.0\.1:5999\?/,
    );
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog.waitFor({ state: 'hidden' });

    await enter('');
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'Forget Password' }).first().click();
    await waitForNotification(page, 'database password forgotten for keeper@127.0.0.1:5999');

    await enter('');
    await waitForNotification(page, 'no database password is kept');
    assert.equal(await dialog.isVisible(), false);
  });
});
