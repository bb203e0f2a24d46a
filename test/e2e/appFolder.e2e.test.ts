/**
 * A monorepo opened at its root (the app in apps/web): the Maintenance view says the folder is
 * not the app's and names the one that is, instead of listing tasks whose checks all skip.
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
  viewPane,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');

describe('a monorepo opened at its root', function () {
  let root: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;

  before(async function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-monorepo-'));
    await fs.mkdir(path.join(root, 'apps/web/config'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'apps/web/config/database.yml'),
      'development:\n  adapter: postgresql\n  database: web_dev\n',
    );
    await fs.writeFile(path.join(root, 'README.md'), '# monorepo\n');
    server = await startCodeServer({ workspace: root, extensionDir: ROOT });
    browser = await launchBrowser();
    page = browser.page;
    await openWorkbench(page, server.url);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('names the app folder below in the Maintenance view', async function () {
    await openViewContainer(page, 'Upkeep');
    const message = viewPane(page, 'Maintenance').locator('.message');
    await message.filter({ hasText: 'apps/web has a config/database.yml' }).waitFor();
    assert.match((await message.textContent()) ?? '', /^This folder has no Gemfile/);
  });
});
