/**
 * A repo playbook is another person's text: in a real editor (code-server) the Maintenance
 * tree's labels (a task's and a checklist item's title) and a tier row's team are one printable
 * line each: no bidirectional control turning the row around, no C0 or C1 control, no line
 * break, and a title of 200 000 characters cut short instead of drawn on every refresh.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  expandTreeItem,
  openViewContainer,
  quickInputLabels,
  runCommand,
  treeItems,
  viewPane,
} from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const LONG = 'L'.repeat(200_000);
// YAML's escapes: \u202e (right-to-left override), \a (bell), \x9b (CSI), \x1b (escape), \n.
const PLAYBOOK = [
  'version: 1',
  'tiers:',
  '  daily:',
  '    team: "Ops\\u202e\\x9b2J\\nwarn: fake"',
  'tasks:',
  '  - id: daily.hostile',
  '    tier: daily',
  '    title: "Backups\\u202e\\a\\x9b2J checked"',
  '    items:',
  '      - id: look',
  '        title: "Look\\u202e\\x1b]8;;x\\a here"',
  '  - id: daily.icons',
  '    tier: daily',
  '    title: "$(pass) Icons as typed"',
  '    items:',
  '      - id: look',
  '        title: Look',
  '  - id: daily.long',
  '    tier: daily',
  `    title: "${LONG}"`,
  '',
].join('\n');
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('a hostile repo playbook in the tree of a real editor', function () {
  let editor: FolderEditor;
  let page: Page;

  before(async function () {
    editor = await startFolderEditor({ '.upkeep/playbook.yaml': PLAYBOOK }, { rails: false });
    page = editor.page;
  });

  after(async function () {
    await editor?.stop();
  });

  it('shows titles and the team as one printable line each, a long title cut', async () => {
    await openViewContainer(page, 'Upkeep');
    // Each control is a space now; before, the row held them as written and matched neither.
    const row = (label: RegExp) =>
      viewPane(page, 'Maintenance')
        .locator('.monaco-list-row[role="treeitem"]')
        .filter({ has: page.locator('.label-name', { hasText: label }) })
        .first();
    const task = row(/^\s*Backups\s+2J checked\s*$/);
    await expandTreeItem(task);
    await row(/^\s*Look\s+\]8;;x\s+here\s*$/).waitFor();

    const rows = await treeItems(page, 'Maintenance');
    const daily = rows.find((entry) => entry.label === 'Daily');
    // What needs attention first, then the team (dc7a338).
    assert.match(daily?.description ?? '', /^\d+ due soon · Ops\s+2J warn: fake/);
    const long = rows.find((entry) => entry.label.startsWith('LLL'));
    assert.ok(long, rows.map((entry) => entry.label.slice(0, 40)).join(', '));
    assert.equal(long.label, `${LONG.slice(0, 199)}…`);
    for (const entry of rows) {
      const shown = [entry.label, entry.description, entry.ariaLabel];
      assert.ok(!shown.some((text) => UNSAFE.test(text)), JSON.stringify(shown).slice(0, 500));
      assert.ok(entry.ariaLabel.length < 1000, entry.ariaLabel.slice(0, 300));
    }
  });

  it("lists the same titles in the palette's pick of a task", async () => {
    await runCommand(page, 'Upkeep: Reset Task…');
    const detail = page.locator(
      '.quick-input-widget .monaco-list-row .quick-input-list-label-meta',
    );
    // The list shows only the rows that fit: typing narrows it to the hostile tasks.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('Backups');
    const row = page.locator('.quick-input-widget .monaco-list-row');
    await row
      .filter({ hasText: /Backups\s+2J checked/ })
      .first()
      .waitFor();
    const labels = await quickInputLabels(page);
    await input.fill('LLLLLLLLLL');
    await row.filter({ hasText: /^L+/ }).first().waitFor();
    labels.push(...(await quickInputLabels(page)));
    const details = (await detail.allTextContents()).map((text) => text.trim());
    await page.keyboard.press('Escape');
    assert.ok(
      labels.some((label) => /^Backups\s+2J checked$/.test(label)),
      labels.join(' | '),
    );
    assert.ok(labels.includes(`${LONG.slice(0, 199)}…`), 'the long title was not cut');
    for (const text of [...labels, ...details]) assert.ok(!UNSAFE.test(text), JSON.stringify(text));
  });

  it("shows a title's $(name) as typed in a pick, not as an icon", async () => {
    await runCommand(page, 'Upkeep: Reset Task…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('Icons');
    const row = page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: /Icons as typed/ })
      .first();
    await row.waitFor();
    const name = row.locator('.label-name').first();
    // The word joiner that keeps it from being an icon is drawn and read as nothing.
    const label = ((await name.textContent()) ?? '').trim().replaceAll('\u2060', '');
    const icons = await name.locator('.codicon').count();
    const spoken = ((await row.getAttribute('aria-label')) ?? '').replaceAll('\u2060', '');
    await page.keyboard.press('Escape');
    // Drawn as an icon, the label read "Icons as typed" with a check mark before it.
    assert.equal(label, '$(pass) Icons as typed');
    assert.equal(icons, 0);
    // What a screen reader says: with the editor's escape, `\$(pass)`, "\ pass  Icons as typed".
    assert.match(spoken, /^\$\(pass\) Icons as typed, /);
  });
});
