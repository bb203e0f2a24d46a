/**
 * Open Guideline Section in a real editor: the guidelines that ship with Upkeep open at the
 * task's heading, read-only. They are the extension's own file (here, code-server links the
 * extension to this checkout, so media/guidelines.md itself): a keystroke there was saved into it.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ensureCodeServer,
  startCodeServer,
  type RunningCodeServer,
} from '../../scripts/lib/codeServer';
import {
  launchBrowser,
  openWorkbench,
  pickQuickInput,
  runCommand,
  screenshot,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');
const GUIDELINES = path.join(ROOT, 'media/guidelines.md');

describe('Open Guideline Section in a real editor', function () {
  this.timeout(300_000);
  let temp: string;
  let editor: RunningCodeServer | undefined;
  let browser: EditorBrowser | undefined;
  let original: string;

  before(async () => {
    original = await fs.readFile(GUIDELINES, 'utf8');
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-guideline-'));
    // A Rails app's config/database.yml is what activates Upkeep.
    await fs.mkdir(path.join(temp, 'config'));
    await fs.writeFile(
      path.join(temp, 'config/database.yml'),
      'development:\n  adapter: postgresql\n  database: app\n',
    );
    await ensureCodeServer();
    editor = await startCodeServer({ workspace: temp, extensionDir: ROOT });
    browser = await launchBrowser();
    await openWorkbench(browser.page, editor.url);
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    // Whatever the outcome, the checkout's guidelines stay as they were.
    if ((await fs.readFile(GUIDELINES, 'utf8')) !== original) {
      await fs.writeFile(GUIDELINES, original);
    }
    await fs.rm(temp, { recursive: true, force: true });
  });

  it('opens the shipped guidelines at the heading, read-only', async () => {
    const page = browser!.page;
    await runCommand(page, 'Upkeep: Open Guideline Section', 60_000);
    await pickQuickInput(page, 'Database maintenance');

    const tab = page.locator('.tab[aria-label^="guidelines.md"]').first();
    await tab.waitFor({ timeout: 30_000 });
    const group = page.locator('.editor-group-container.active');
    await group.locator('.view-lines', { hasText: 'Database Maintenance' }).first().waitFor();

    // Typing changes nothing, not even after the editor's auto save, and the editor says why.
    await group.locator('.view-lines').first().click();
    await page.keyboard.type('x');
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).waitFor();
    await page.waitForTimeout(2_000);
    assert.equal(await tab.evaluate((element) => element.classList.contains('dirty')), false);
    assert.equal(await fs.readFile(GUIDELINES, 'utf8'), original, 'the guidelines changed');
    await screenshot(page, path.join(ARTEFACTS, 'guideline-read-only.png'));
  });
});
