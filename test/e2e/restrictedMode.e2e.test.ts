/**
 * The Maintenance view of a folder opened in Restricted Mode (how a fresh clone opens): a line
 * above the tree says what waits for trust, since the rows alone read "no database configured";
 * the status bar item is read by screen readers without its icon's name; and Configure Database
 * Connection offers Manage Workspace Trust instead of choices that wait for it.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import {
  openViewContainer,
  pickQuickInput,
  quickInputLabels,
  runCommand,
  screenshot,
  treeItem,
  viewPane,
} from './support/editor';
import { startDemoEditor, type DemoEditor } from './support/demoEditor';

const ARTEFACTS = path.join(__dirname, '../../test-results');

describe('Maintenance view in Restricted Mode', function () {
  this.timeout(600_000);
  let demo: DemoEditor | undefined;

  before(async () => {
    demo = await startDemoEditor({ workspaceTrust: true });
  });

  after(async () => {
    await demo?.stop();
  });

  it('says what waits for trust, above the tree', async () => {
    const page = demo!.page;
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor();

    const message = viewPane(page, 'Maintenance').locator('.message');
    await message.filter({ hasText: 'Restricted Mode' }).waitFor();
    assert.match(
      (await message.textContent()) ?? '',
      /runs no command of the repo and reads no database setting from its files until you trust/,
    );
    await screenshot(page, path.join(ARTEFACTS, 'restricted-mode-tree.png'));

    const status = page
      .locator('.part.statusbar .statusbar-item', { hasText: /\d+ (due soon|overdue)/ })
      .first();
    const label = (await status.getAttribute('aria-label')) ?? '';
    assert.match(label, /^\d+ maintenance tasks? overdue or due soon: /, label);
  });

  it('offers Manage Workspace Trust for the database, no choice it would then refuse', async () => {
    const page = demo!.page;
    await runCommand(page, 'Upkeep: Configure Database Connection…', 60_000);
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: 'Manage Workspace Trust' }).first().waitFor();
    const labels = await quickInputLabels(page);
    const texts = (await rows.allTextContents()).join(' | ');
    assert.ok(labels.includes('Manage Workspace Trust…'), labels.join(' | '));
    assert.match(texts, /No database yet: waits for workspace trust/);
    // It said to run this very command, and offered config/database.yml, then refused it.
    assert.doesNotMatch(texts, /Configure Database Connection|Database of config\/database\.yml/);
    await screenshot(page, path.join(ARTEFACTS, 'restricted-mode-database.png'));

    await pickQuickInput(page, 'Manage Workspace Trust…');
    // The Workspace Trust editor, with its Trust button.
    await page.getByText('You are in Restricted Mode').first().waitFor();
  });
});
