/**
 * Notifications in a real editor (code-server) read their message as linked text: a
 * `[label](command:…)` there becomes a link that runs the command when clicked. Text a repo
 * wrote (a task title, an id in a broken state file, a template's variable) must show as text.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  acceptQuickInputRow,
  pickQuickInput,
  runCommand,
  runCommandAndPick,
  waitForNotification,
} from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const LINK = '[Open the playbook](command:upkeep.openPlaybook)';
const TITLE = `Log monitoring ${LINK}`;

describe('Notifications with hostile repo text in a real editor', function () {
  let editor: FolderEditor;
  let page: Page;

  before(async function () {
    editor = await startFolderEditor(
      {
        '.upkeep/playbook.yaml': [
          'version: 1',
          `tiers: { daily: { title: "Daily ${LINK}" } }`,
          // A check that takes a while, so that the run's progress stays on show.
          'checks: [{ id: custom.slow, title: Slow, kind: shell, command: "sleep 6" }]',
          'tasks:',
          `  - { id: daily.logs, title: "${TITLE}" }`,
          '  - { id: custom.wait, tier: daily, title: Wait, checks: [custom.slow] }',
          '  - id: custom.timed',
          '    tier: daily',
          '    title: Timed',
          `    records: [{ id: minutes, title: "Minutes ${LINK}", unit: min }]`,
          '',
        ].join('\n'),
        '.vscode/settings.json': JSON.stringify({ 'upkeep.state.location': 'repository' }),
        // Broken (a task without "since"), and the id is the repo's to choose.
        '.upkeep/state.json': JSON.stringify({ version: 1, tasks: { [LINK]: {} } }),
        // An unknown variable is named in a warning, as the template wrote it.
        '.upkeep/templates/bug-report.md': `# {{title}}\n\n{{${LINK}}}\n`,
      },
      { rails: false },
    );
    page = editor.page;
  });

  after(async function () {
    await editor?.stop();
  });

  /** The links in the toast that says `text`, and its message. */
  async function linksOf(text: string): Promise<{ message: string; links: number }> {
    const message = await waitForNotification(page, text);
    const toast = page
      .locator('.notifications-toasts .notification-list-item-message')
      .filter({ hasText: text })
      .first();
    return { message, links: await toast.locator('a').count() };
  }

  it("names a broken state file's task id as text, not a command link", async function () {
    const { message, links } = await linksOf('checklist state file was broken');
    assert.match(message, /Open the playbook/);
    assert.equal(links, 0, message);
  });

  it('says a task with a hostile title was marked done as text', async function () {
    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', TITLE);
    const { message, links } = await linksOf('marked done');
    assert.match(message, /Open the playbook/);
    assert.equal(links, 0, message);
  });

  it('says the new owner of a task with a hostile title as text', async function () {
    await runCommandAndPick(page, 'Upkeep: Set Owner…', TITLE);
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Owner of' }).waitFor();
    await input.fill('Sam');
    await acceptQuickInputRow(page, 'Sam');
    const { message, links } = await linksOf('is owned by Sam');
    assert.match(message, /Open the playbook/);
    assert.equal(links, 0, message);
  });

  it("titles a check run's progress with a hostile tier title as text", async function () {
    await runCommand(page, 'Upkeep: Run Daily Checks');
    const { message, links } = await linksOf('Upkeep: Daily');
    assert.match(message, /Open the playbook/);
    assert.equal(links, 0, message);
  });

  it('asks for a record with a hostile title in a prompt that links nothing', async function () {
    await runCommandAndPick(page, 'Upkeep: Mark Task Done…', 'Timed');
    const prompt = page.locator('.quick-input-widget .quick-input-message', {
      hasText: 'kept in the task history',
    });
    await prompt.waitFor();
    const text = (await prompt.textContent()) ?? '';
    assert.match(text, /Open the playbook/);
    assert.equal(await prompt.locator('a').count(), 0, text);
    await page.keyboard.press('Escape');
  });

  it("names a template's unknown variable as text", async function () {
    await runCommand(page, 'Upkeep: New Bug Report…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill('Checkout fails');
    await page.locator('.quick-input-widget', { hasText: 'never replaces a file' }).waitFor();
    await input.press('Enter');
    await pickQuickInput(page, 'Low');
    const { message, links } = await linksOf('uses unknown variables');
    assert.match(message, /Open the playbook/);
    assert.equal(links, 0, message);
  });
});
