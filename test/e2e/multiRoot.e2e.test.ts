/**
 * A window with two Rails apps (a multi-root workspace): Upkeep works on the first folder until
 * another is chosen with Upkeep: Choose App Folder… (remembered across a reload), the Maintenance
 * view, the dashboard tab and its header say which one, each folder keeps its own check results,
 * a check still running on the folder left stops, and the folder in use leaving the workspace
 * brings Upkeep back to the one left (where it stays when the other comes back).
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
  runCommandAndPick,
  screenshot,
  viewPane,
  waitForNotification,
  webviewFrame,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');
const LOAD_TIMEOUT = 90_000;

/** Whether the process runs (a zombie waiting to be reaped has stopped). */
async function running(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

async function waitUntil(condition: () => Promise<boolean>, failure: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, failure);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The file's text once it has some. */
async function waitForText(file: string): Promise<string> {
  let text = '';
  await waitUntil(async () => {
    text = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
    return text !== '';
  }, `${file} was never written`);
  return text;
}

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
      // A check that runs until stopped, to see what becomes of it when beta is chosen.
      await fs.mkdir(path.join(root, app, '.upkeep'));
      await fs.writeFile(
        path.join(root, app, '.upkeep/playbook.yaml'),
        'checks:\n  - id: slow.script\n    title: A script that takes its time\n' +
          '    kind: shell\n    command: echo $$ > started && exec sleep 120\n',
      );
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
  /**
   * The dashboard once its Database section shows `app`'s database. Another folder reloads the
   * page, so a frame found just before (still showing the last folder) may go: it is looked for
   * again.
   */
  async function dashboardOn(app: string): Promise<Frame> {
    const deadline = Date.now() + LOAD_TIMEOUT;
    for (;;) {
      const frame = await webviewFrame(page, {
        extensionId: 'upkeep.upkeep',
        contains: '[data-section="database"][data-state="ready"]',
        timeout: LOAD_TIMEOUT,
      });
      const shown = await frame
        .locator('[data-section="database"]')
        .filter({ hasText: `/${databases[app]}` })
        .waitFor({ timeout: Math.max(deadline - Date.now(), 1) })
        .then(() => frame.locator('#folder-name', { hasText: app }).waitFor())
        .then(() => true)
        .catch((error: unknown) => {
          if (frame.isDetached() && Date.now() < deadline) return false;
          throw error;
        });
      if (shown) return frame;
    }
  }

  async function healthShows(frame: Frame, text: RegExp): Promise<void> {
    await frame
      .locator('[data-section="health"][data-state="ready"]')
      .filter({ hasText: text })
      .waitFor({ timeout: LOAD_TIMEOUT });
  }

  /**
   * Picks `app` in Choose App Folder…, from the palette or the dashboard's Change folder…. A
   * quick pick closes when the focus leaves it (a webview settling can take it), so a pick that
   * closed before the click is asked for again.
   */
  async function chooseFolder(app: string, from: 'palette' | Frame = 'palette'): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (from === 'palette') {
        await runCommand(page, 'Upkeep: Choose App Folder…');
      } else {
        await from.locator('#choose-folder').click();
      }
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: app });
      const clicked = await row
        .first()
        .click({ timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (clicked) return;
      assert.ok(attempt < 3, `the folder pick never offered ${app}`);
      await page.keyboard.press('Escape');
    }
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

    // A check run on alpha: its result is alpha's, not the window's.
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'Database connectivity');
    await healthShows(frame, /checks: 1 pass/);
  });

  it('works on the folder chosen, and remembers it after a reload', async () => {
    // Alpha's check still running stops with the switch.
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'A script that takes its time');
    const pid = Number(await waitForText(path.join(root, 'alpha/started')));
    await chooseFolder('beta');
    await waitUntil(async () => !(await running(pid)), 'the check of alpha went on running');

    await note().filter({ hasText: 'Upkeep works on beta' }).waitFor();
    assert.match((await note().textContent()) ?? '', /alpha is not covered/);
    // The open dashboard stays open and shows beta's data.
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: beta"]').waitFor();
    const frame = await dashboardOn('beta');
    // Beta's checks have not run, whatever alpha's did.
    await healthShows(frame, /Daily — \d+ checks: \d+ not run/);
    assert.doesNotMatch(
      (await frame.textContent('[data-section="health"]')) ?? '',
      /checks: \d+ pass/,
    );

    await reloadWindow(page, LOAD_TIMEOUT);
    // The restored dashboard first: the side bar is restored meanwhile, so that showing the
    // Upkeep view does not click an entry that is about to be selected (which closes it).
    const restored = await dashboardOn('beta');
    await openViewContainer(page, 'Upkeep');
    await note().filter({ hasText: 'Upkeep works on beta' }).waitFor({ timeout: LOAD_TIMEOUT });

    // Change folder… in the dashboard's header asks the same, and the tab follows.
    await chooseFolder('alpha', restored);
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: alpha"]').waitFor();
    await dashboardOn('alpha');
    await note().filter({ hasText: 'Upkeep works on alpha' }).waitFor();
    await chooseFolder('beta');
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
    // Alpha's result was kept for alpha.
    await healthShows(frame, /checks: 1 pass/);
  });

  it('stays on the folder in use when the one left comes back, and offers it again', async () => {
    await fs.writeFile(
      workspaceFile,
      JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }),
    );
    await note().filter({ hasText: 'Upkeep works on alpha' }).waitFor({ timeout: LOAD_TIMEOUT });
    // The open dashboard names its folder again, and offers the other.
    await page.locator('.tabs-container .tab[aria-label="Upkeep Dashboard: alpha"]').waitFor();
    const frame = await dashboardOn('alpha');
    await frame.locator('#choose-folder').waitFor();
  });

  it('follows a rename of the folder in use, and keeps its results across a reload', async () => {
    await chooseFolder('beta');
    const before = await dashboardOn('beta');
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'Database connectivity');
    await healthShows(before, /checks: 1 pass/);

    // A new name in the workspace file, as the editor's own rename writes it.
    await fs.writeFile(
      workspaceFile,
      JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta', name: 'Beta shop' }] }),
    );
    await note()
      .filter({ hasText: 'Upkeep works on Beta shop' })
      .waitFor({ timeout: LOAD_TIMEOUT });
    await page
      .locator('.tabs-container .tab[aria-label="Upkeep Dashboard: Beta shop"]')
      .waitFor({ timeout: LOAD_TIMEOUT });
    const renamed = await dashboardOn('beta');
    await renamed.locator('#folder-name', { hasText: 'Beta shop' }).waitFor();

    // The folder's state and results are kept for its address, not its name.
    await reloadWindow(page, LOAD_TIMEOUT);
    const restored = await dashboardOn('beta');
    await restored.locator('#folder-name', { hasText: 'Beta shop' }).waitFor();
    await healthShows(restored, /checks: 1 pass/);
  });
});
