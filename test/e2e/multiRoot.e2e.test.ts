/**
 * A window with two Rails apps (a multi-root workspace): Upkeep works on the first folder, and
 * the Maintenance view and the dashboard tab say which one, naming the folder it leaves alone.
 */
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import {
  launchBrowser,
  openViewContainer,
  openWorkbench,
  runCommand,
  viewPane,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');

describe('two Rails apps in one window', function () {
  let root: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;

  before(async function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-multiroot-'));
    for (const app of ['alpha', 'beta']) {
      await fs.mkdir(path.join(root, app, 'config'), { recursive: true });
      await fs.writeFile(
        path.join(root, app, 'config/database.yml'),
        `development:\n  adapter: postgresql\n  database: ${app}_dev\n`,
      );
    }
    const file = path.join(root, 'apps.code-workspace');
    await fs.writeFile(file, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }));
    server = await startCodeServer({ workspace: root, extensionDir: ROOT });
    browser = await launchBrowser();
    page = browser.page;
    const url = server.url.replace(/\?folder=.*$/, `?workspace=${encodeURIComponent(file)}`);
    await openWorkbench(page, url);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('names the folder it works on in the view and the dashboard tab', async function () {
    await openViewContainer(page, 'Upkeep');
    const message = viewPane(page, 'Maintenance').locator('.message');
    await message.filter({ hasText: 'Upkeep works on alpha' }).waitFor();
    assert.match((await message.textContent()) ?? '', /beta is not covered/);

    await runCommand(page, 'Upkeep: Open Dashboard');
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: alpha"]').waitFor();
  });
});
