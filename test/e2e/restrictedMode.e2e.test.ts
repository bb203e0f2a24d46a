/**
 * The Maintenance view of a folder opened in Restricted Mode (how a fresh clone opens): a line
 * above the tree says what waits for trust, since the rows alone read "no database configured";
 * and the status bar item is read by screen readers without its icon's name.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { openViewContainer, screenshot, treeItem, viewPane } from './support/editor';
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
});
