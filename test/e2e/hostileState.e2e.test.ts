/**
 * A committed `.upkeep/state.json` is another person's text: in a real editor (code-server) the
 * task row and its hover show a hostile name and snooze reason as plain text, with no image
 * loaded, no command link and no bidirectional control turning the line around. A URL in the
 * playbook's text reads as typed (no backslash from the escaping), and as text, not a link.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openViewContainer, showTreeHover, treeItem } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const DAY_MS = 24 * 3600_000;
const SEND = 'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22id%5Cn%22%7D';
const HOSTILE =
  `Mal\u202elory <img src=x onerror=alert(1)> [run](${SEND}) ` +
  '![](http://127.0.0.1:1/track) <a href="command:workbench.action.quit">quit</a>';
const RUNBOOK = 'https://wiki.example.com/ops/db_backup-v2.html?step=3#restore';
const PLAYBOOK = [
  'version: 1',
  'tasks:',
  '  - id: weekly.database',
  `    description: "Restore as the runbook says (${RUNBOOK}), then www.example.org/on-call."`,
  '',
].join('\n');

describe('a hostile state file in a real editor', function () {
  let editor: FolderEditor;
  let page: Page;

  before(async function () {
    const now = Date.now();
    const state = {
      version: 1,
      tasks: {
        'weekly.database': {
          since: new Date(now - 60 * DAY_MS).toISOString(),
          ticks: {},
          history: [],
          done: {
            periodKey: '2000-W01',
            at: new Date(now - 9 * DAY_MS).toISOString(),
            by: HOSTILE,
          },
          snoozedUntil: '2999-12-31',
          snoozeReason: HOSTILE,
        },
      },
    };
    editor = await startFolderEditor(
      {
        '.vscode/settings.json': JSON.stringify({ 'upkeep.state.location': 'repository' }),
        '.upkeep/state.json': JSON.stringify(state),
        '.upkeep/playbook.yaml': PLAYBOOK,
      },
      { rails: false },
    );
    page = editor.page;
  });

  after(async function () {
    await editor?.stop();
  });

  it('shows the name and reason as text: no image, no command link, no bidi control', async () => {
    await openViewContainer(page, 'Upkeep');
    const task = treeItem(page, 'Maintenance', 'Database maintenance');
    const description = task.locator('.label-description');
    await description.filter({ hasText: /^snoozed until 2999-12-31: Mal/ }).waitFor();
    assert.doesNotMatch((await description.textContent()) ?? '', /[\u202a-\u202e]/);

    const hover = page.locator('.context-view .hover-contents', { hasText: 'Last done' });
    await showTreeHover(task, hover);
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /Last done .* by Mal lory <img src=x onerror=alert\(1\)> \[run\]\(command:/);
    assert.doesNotMatch(text, /[\u202a-\u202e]/);
    assert.equal(await hover.locator('img').count(), 0, 'no image');
    assert.equal(await hover.locator('a[href^="command:"], a[data-href^="command:"]').count(), 0);
    await page.mouse.move(900, 900);
  });

  it('shows a URL in the playbook text as typed: no stray backslash, no link', async () => {
    await openViewContainer(page, 'Upkeep');
    const task = treeItem(page, 'Maintenance', 'Database maintenance');
    const hover = page.locator('.context-view .hover-contents', { hasText: 'runbook' });
    await showTreeHover(task, hover);
    const text = (await hover.textContent()) ?? '';
    assert.ok(
      text.includes(`runbook says (${RUNBOOK}), then www.example.org/on-call.`),
      `the hover reads: ${text}`,
    );
    assert.equal(await hover.locator('a').count(), 0, 'no link');
    await page.mouse.move(900, 900);
  });
});
