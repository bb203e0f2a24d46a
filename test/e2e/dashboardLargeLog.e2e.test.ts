/**
 * The dashboard on hundreds of megabytes of logs: a notification names the files being read and
 * offers Cancel; Cancel stops the read, the Logs section says it was cancelled (never the summary
 * it showed before, as if it were this read's), and the Database section loads all the same.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Frame, Page } from 'playwright-core';
import { createDatabase, embeddedServer } from '../support/postgres';
import { runCommand, screenshot, waitForNotification, webviewFrame } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');
const LOAD_TIMEOUT = 90_000;
/**
 * Rotated copies of the generated log, read as one timeline on one thread (not in ranges, as a
 * single file is): long enough to cancel. Copies, since a hard link counts as the same file.
 */
const COPIES = 4;

describe('dashboard on a large log', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;
  let page: Page;
  let frame: Frame;

  before(async function () {
    const url = new URL(await createDatabase(await embeddedServer(), 'largelog'));
    const small = await fs.readFile(
      path.join(ROOT, 'test/fixtures/dashboard/rails52_production_tagged.log'),
      'utf8',
    );
    editor = await startFolderEditor({
      'config/database.yml':
        `development:\n  adapter: postgresql\n  host: ${url.hostname}\n  port: ${url.port}\n` +
        `  username: ${decodeURIComponent(url.username)}\n` +
        `  password: ${decodeURIComponent(url.password)}\n` +
        `  database: ${url.pathname.slice(1)}\n`,
      'log/small.log': small,
      '.vscode/settings.json': JSON.stringify({ 'upkeep.logs.sources': ['log/small.log'] }),
    });
    page = editor.page;
    const big = path.join(editor.folder, 'log/production.log');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/logs.ts', '--generate', big, '300'],
      { cwd: ROOT },
    );
    for (let copy = 1; copy <= COPIES; copy++) await fs.copyFile(big, `${big}.${copy}`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, path.join(ARTEFACTS, 'dashboard-large-log-failure.png'));
    }
  });

  after(async function () {
    await editor?.stop();
  });

  function section(name: string, state: string): Promise<void> {
    return frame
      .locator(`[data-section="${name}"][data-state="${state}"]`)
      .waitFor({ timeout: LOAD_TIMEOUT });
  }

  it('names the files read and stops the read on Cancel, leaving the database', async () => {
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    frame = await webviewFrame(page, {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="logs"]',
      timeout: LOAD_TIMEOUT,
    });
    await section('logs', 'ready');
    await section('database', 'ready');
    const before = (await frame.textContent('[data-section="logs"]')) ?? '';
    assert.match(before, /small\.log/);

    // Another log source: the open dashboard reads again, now 1.5 GB.
    await fs.writeFile(
      path.join(editor!.folder, '.vscode/settings.json'),
      JSON.stringify({ 'upkeep.logs.sources': ['log/production.log*'] }),
    );
    const named = `log/production.log and ${COPIES} more files`;
    const message = await waitForNotification(page, named, LOAD_TIMEOUT);
    // While it reads, the earlier summary is marked as the previous refresh's.
    await frame
      .locator('[data-section="logs"][data-state="loading"] .stale')
      .filter({ hasText: 'what follows is from the previous refresh' })
      .waitFor();
    assert.match(message, /^Upkeep: reading log\/production\.log and 4 more files \(\d+ MB\)/);
    await page
      .locator('.notifications-toasts .notification-toast')
      .filter({ hasText: named })
      .getByRole('button', { name: 'Cancel' })
      .click();

    await section('logs', 'cancelled');
    const logs = (await frame.textContent('[data-section="logs"]')) ?? '';
    assert.match(
      logs,
      /Logs not loaded: Reading log\/production\.log and 4 more files .* cancelled/,
    );
    assert.doesNotMatch(logs, /small\.log/, 'the earlier summary is gone');
    await section('database', 'ready');
    assert.doesNotMatch(
      (await frame.textContent('[data-section="database"]')) ?? '',
      /Could not load/,
    );
  });

  it('reads the logs again on Refresh after a cancel', async () => {
    await frame.locator('#refresh').click();
    await section('logs', 'ready');
    const logs = (await frame.textContent('[data-section="logs"]')) ?? '';
    assert.match(logs, /production\.log/);
  });
});
