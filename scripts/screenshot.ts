/**
 * `npm run screenshot`: the README's picture, docs/images/dashboard-dark.png. The demo of
 * `npm run demo` (embedded PostgreSQL, demo workspace, code-server) in Chromium at 1400×1000,
 * dark theme, the Maintenance tree beside the dashboard, scrolled to its Logs section, once
 * every section has loaded.
 * Everything it starts is stopped and its temporary folders removed, also on failure.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCodeServer } from './lib/codeServer';
import { createDemoWorkspace, demoDatabaseOn, loadDemoDatabase } from './lib/demoWorkspace';
import { startEmbeddedPostgres } from './lib/embeddedPostgres';
import {
  launchBrowser,
  openViewContainer,
  openWorkbench,
  runCommand,
  screenshot,
  webviewFrame,
} from '../test/e2e/support/editor';

const ROOT = path.join(__dirname, '..');
const OUTPUT = path.join(ROOT, 'docs/images/dashboard-dark.png');
const LOAD_TIMEOUT = 120_000;

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const postgres = await startEmbeddedPostgres({ statStatements: true });
    cleanups.push(() => postgres.stop());
    const db = demoDatabaseOn(postgres);
    await loadDemoDatabase(db);
    const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-screenshot-'));
    cleanups.push(() => fs.rm(temp, { recursive: true, force: true }));
    const workspace = path.join(temp, 'thembooking');
    await createDemoWorkspace(workspace, db);

    const editor = await startCodeServer({ workspace, extensionDir: ROOT, theme: 'dark' });
    cleanups.push(() => editor.stop());
    const browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    cleanups.push(() => browser.close());
    const page = browser.page;
    await openWorkbench(page, editor.url);
    await openViewContainer(page, 'Upkeep');
    await runCommand(page, 'Upkeep: Open Dashboard');

    // Every section loaded (a section that failed would be in the picture: stop instead).
    const frame = await webviewFrame(page, {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="logs"][data-state="ready"]',
      timeout: LOAD_TIMEOUT,
    });
    for (const section of ['alerts', 'health', 'logs', 'database', 'business']) {
      await frame
        .locator(`[data-section="${section}"][data-state="ready"]`)
        .waitFor({ timeout: LOAD_TIMEOUT });
    }
    await frame.locator('[data-section="logs"] canvas').first().waitFor();
    // The logs' figures and charts at the top, as the README's picture has shown them.
    await frame.locator('[data-section="logs"] h2').evaluate((heading) => heading.scrollIntoView());
    // No pointer on a chart: the legends show the window's figures.
    await page.mouse.move(1, 1);
    await screenshot(page, OUTPUT);
    console.log(`Wrote ${path.relative(ROOT, OUTPUT)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(`No screenshot: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
