/**
 * Explain on a Slowest queries row whose pg_stat_statements text cannot be planned as it is
 * (`interval $1`, which no server parses): the refusal said to put an example value in place of
 * $1, with no place to put it from the dashboard. It now offers Open the Statement, which puts
 * the text in an editor, where Explain Query explains the selection once the value is in.
 */
import { strict as assert } from 'node:assert';
import { startDemoEditor } from './support/demoEditor';
import { editorPerSuite } from './support/editorPerSuite';
import { pickQuickInput, runCommand, waitForNotification, webviewFrame } from './support/editor';

describe('Explain on a listed query with a $1 no server can plan', function () {
  this.timeout(300_000);
  const demo = editorPerSuite('explain-listed-parameters', () => startDemoEditor());

  it('offers to open the statement in an editor, to put the values in', async () => {
    const page = demo().page;
    await runCommand(page, 'Upkeep: Open Dashboard');
    const frame = await webviewFrame(page, { contains: 'main' });
    // The demo's loader ran "starts_at > now() - interval '30 days'".
    const row = frame.locator('tr', { hasText: 'interval $1' }).first();
    const explain = row.getByRole('button', { name: /^Explain/ });
    await explain.waitFor({ timeout: 90_000 });
    const statement = ((await row.locator('td').first().textContent()) ?? '').trim();
    await explain.click();
    await pickQuickInput(page, 'EXPLAIN');

    const message = await waitForNotification(page, 'in place of $1', 60_000);
    assert.match(message, /Open the Statement/, message);
    const toast = page
      .locator('.notifications-toasts .notification-toast')
      .filter({ hasText: 'in place of $1' });
    await toast.getByRole('button', { name: 'Open the Statement' }).click();

    const editor = page
      .locator('.editor-instance .view-lines')
      .filter({ hasText: 'interval $1' })
      .first();
    await editor.waitFor({ timeout: 30_000 });
    // Monaco renders spaces as no-break spaces.
    const text = ((await editor.textContent()) ?? '').replace(/\u00a0/g, ' ');
    assert.ok(text.includes(statement.slice(0, 40)), `${text} | ${statement}`);
  });
});
