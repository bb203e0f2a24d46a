/**
 * A window with two Rails apps (a multi-root workspace): Upkeep works on the first folder until
 * another is chosen with Upkeep: Choose App Folder… (remembered across a reload), the Maintenance
 * view, the dashboard tab and its header say which one, and the folder in use leaving the
 * workspace brings Upkeep back to the one left.
 */
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { createDatabase, embeddedServer } from '../support/postgres';
import {
  launchBrowser,
  openViewContainer,
  openWorkbench,
  reloadWindow,
  runCommand,
  screenshot,
  viewPane,
  waitForNotification,
  webviewFrame,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const LOAD_TIMEOUT = 90_000;

describe('two Rails apps in one window', function () {
  this.timeout(300_000);
  let root: string;
  let workspaceFile: string;
  let server: RunningCodeServer;
  let browser: EditorBrowser;
  let page: Page;
  /** Each app's database name, which the Database section names. */
  const databases: Record<string, string> = {};

  before(async function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'build first: npm run build');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-multiroot-'));
    const postgres = await embeddedServer();
    for (const app of ['alpha', 'beta']) {
      const url = new URL(await createDatabase(postgres, app));
      databases[app] = url.pathname.slice(1);
      await fs.mkdir(path.join(root, app, 'config'), { recursive: true });
      await fs.writeFile(
        path.join(root, app, 'config/database.yml'),
        `development:\n  adapter: postgresql\n  host: ${url.hostname}\n  port: ${url.port}\n` +
          `  username: ${decodeURIComponent(url.username)}\n` +
          `  password: ${decodeURIComponent(url.password)}\n` +
          `  database: ${databases[app]}\n`,
      );
    }
    workspaceFile = path.join(root, 'apps.code-workspace');
    await fs.writeFile(
      workspaceFile,
      JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }),
    );
    server = await startCodeServer({ workspace: root, extensionDir: ROOT });
    browser = await launchBrowser();
    page = browser.page;
    const url = server.url.replace(
      /\?folder=.*$/,
      `?workspace=${encodeURIComponent(workspaceFile)}`,
    );
    await openWorkbench(page, url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, path.join(ROOT, 'test-results', 'multi-root-failure.png'));
    }
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  const note = (): ReturnType<typeof viewPane> => viewPane(page, 'Maintenance').locator('.message');

  /** The dashboard once its Database section shows `app`'s database. */
  async function dashboardOn(app: string): Promise<Frame> {
    const frame = await webviewFrame(page, {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="database"][data-state="ready"]',
      timeout: LOAD_TIMEOUT,
    });
    await frame
      .locator('[data-section="database"]')
      .filter({ hasText: `/${databases[app]}` })
      .waitFor({ timeout: LOAD_TIMEOUT });
    await frame.locator('#folder-name', { hasText: app }).waitFor();
    return frame;
  }

  async function chooseFolder(app: string): Promise<void> {
    await runCommand(page, 'Upkeep: Choose App Folder…');
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: app });
    await row.first().click();
  }

  it('names the folder it works on in the view, the dashboard tab and its header', async () => {
    await openViewContainer(page, 'Upkeep');
    await note().filter({ hasText: 'Upkeep works on alpha' }).waitFor();
    assert.match((await note().textContent()) ?? '', /beta is not covered/);
    assert.match((await note().textContent()) ?? '', /Choose another with Upkeep: Choose App/);

    await runCommand(page, 'Upkeep: Open Dashboard');
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: alpha"]').waitFor();
    const frame = await dashboardOn('alpha');
    assert.equal(await frame.locator('#choose-folder').isVisible(), true);
  });

  it('works on the folder chosen, and remembers it after a reload', async () => {
    await chooseFolder('beta');
    await note().filter({ hasText: 'Upkeep works on beta' }).waitFor();
    assert.match((await note().textContent()) ?? '', /alpha is not covered/);
    // The open dashboard stays open and shows beta's data.
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: beta"]').waitFor();
    await dashboardOn('beta');

    await reloadWindow(page, LOAD_TIMEOUT);
    await openViewContainer(page, 'Upkeep');
    await note().filter({ hasText: 'Upkeep works on beta' }).waitFor({ timeout: LOAD_TIMEOUT });
    await dashboardOn('beta');
  });

  it('goes back to the folder left when the one in use leaves the workspace', async () => {
    await fs.writeFile(workspaceFile, JSON.stringify({ folders: [{ path: 'alpha' }] }));
    const message = await waitForNotification(page, 'beta left the workspace', LOAD_TIMEOUT);
    assert.match(message, /Upkeep works on alpha now/);
    // One folder: no note, and the tab is the plain dashboard again.
    await note().filter({ hasText: 'Upkeep works on' }).waitFor({ state: 'detached' });
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard"]').waitFor();
    const frame = await dashboardOn('alpha');
    assert.equal(await frame.locator('#choose-folder').isVisible(), false);
  });
});
