/**
 * Set Database Password on a connection whose source holds a password of its own (the demo's
 * config/database.yml has one): that one comes first, so the stored one is not used. The editor
 * said "database password saved … for postgres@…" as if it were, and Configure Database
 * Connection offered Set the password… as the way to change it.
 */
import { strict as assert } from 'node:assert';
import { startDemoEditor } from './support/demoEditor';
import { quickInputLabels, runCommand, waitForNotification } from './support/editor';
import { editorPerSuite } from './support/editorPerSuite';

describe('a stored password beside one config/database.yml holds', function () {
  this.timeout(300_000);
  const demo = editorPerSuite('password-in-source', () => startDemoEditor());

  it('says the stored password is not used while the file holds one', async () => {
    const page = demo().page;
    await runCommand(page, 'Upkeep: Configure Database Connection…', 60_000);
    const password = page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: 'Set the password…' });
    await password.waitFor();
    const row = ((await password.textContent()) ?? '').trim();
    assert.match(row, /config\/database\.yml.* holds one/, (await quickInputLabels(page)).join());
    await page.keyboard.press('Escape');

    await runCommand(page, 'Upkeep: Set Database Password…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('not-the-one-in-the-file');
    await input.press('Enter');
    const message = await waitForNotification(page, 'saved in secret storage');
    assert.match(
      message,
      /not used while config\/database\.yml, development holds one, which comes first/,
      message,
    );
  });
});
