/**
 * An exception the app logged can hold the database password (a driver's connection error): the
 * dashboard's Logs section shows the exception with the password hidden, as `upkeep logs` does,
 * and so does the Problems panel with what the editor's log checks quote.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  readProblems,
  runCommand,
  runCommandAndPick,
  screenshot,
  webviewFrame,
} from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const ROOT = path.join(__dirname, '../..');
const ARTEFACTS = path.join(ROOT, 'test-results');
const PASSWORD = 'Tr0ub4dor-e2e-Sekret';
const LOAD_TIMEOUT = 90_000;

/** One request half an hour ago whose exception message quotes the password. */
function logWithPassword(now: Date): string {
  const at = new Date(now.getTime() - 1800_000);
  const stamp = at.toISOString().replace('Z', '');
  const started = at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +0000');
  const id = '[5f1c0d4e-2b7a-4c55-9d1e-3a8b6c2f0e91]';
  const info = `I, [${stamp} #4242]  INFO -- : ${id}`;
  const fatal = `F, [${stamp} #4242] FATAL -- : ${id}`;
  return [
    `${info} Started GET "/orders" for 203.0.113.9 at ${started}`,
    `${info} Processing by OrdersController#index as HTML`,
    `${info} Completed 500 Internal Server Error in 12ms (ActiveRecord: 0.0ms)`,
    `${fatal}   `,
    `${fatal} PG::ConnectionBad (no connection for app/${PASSWORD} from the pool):`,
    `${fatal}   `,
    `${fatal} app/controllers/orders_controller.rb:5:in \`index'`,
    '',
  ].join('\n');
}

describe('dashboard hides the database password in logged exceptions', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;
  let page: Page;
  let frame: Frame;

  before(async function () {
    editor = await startFolderEditor({
      // Nothing listens on port 1 of loopback: the Database section fails, the Logs one loads.
      'config/database.yml':
        'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n' +
        `  username: app\n  password: ${PASSWORD}\n  database: app\n`,
      'log/production.log': logWithPassword(new Date()),
    });
    page = editor.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, path.join(ARTEFACTS, 'dashboard-secrets-failure.png'));
    }
  });

  after(async function () {
    await editor?.stop();
  });

  it('shows the exception with *** for the password from config/database.yml', async () => {
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    frame = await webviewFrame(page, {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="logs"]',
      timeout: LOAD_TIMEOUT,
    });
    await frame
      .locator('[data-section="logs"][data-state="ready"]')
      .waitFor({ timeout: LOAD_TIMEOUT });
    const logs = (await frame.textContent('[data-section="logs"]')) ?? '';
    assert.match(logs, /PG::ConnectionBad/, logs);
    // No `password=`, which every text shown loses anyway: the password alone, in prose.
    assert.match(logs, /no connection for app\/\*\*\* from the pool/, logs);
    const html = await frame.content();
    assert.ok(!html.includes(PASSWORD), 'the password is nowhere in the page');
  });

  it('shows the exception in the Problems panel with *** for the password', async () => {
    await runCommandAndPick(page, 'Upkeep: Run Check…', 'Errors in the last hour');
    let messages: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      messages = (await readProblems(page)).map((problem) => problem.message);
      if (messages.some((message) => /PG::ConnectionBad/.test(message))) break;
      await page.waitForTimeout(1000);
    }
    const found = messages.find((message) => /PG::ConnectionBad/.test(message));
    assert.ok(found, messages.join('\n'));
    assert.match(found, /no connection for app\/\*\*\* from the pool/);
    assert.ok(!messages.join('\n').includes(PASSWORD), 'the password is in no problem');
  });
});
