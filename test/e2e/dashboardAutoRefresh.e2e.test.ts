/**
 * Auto-refresh on a dashboard whose refresh takes longer than its interval (a large log, a
 * database server slow to answer): each refresh runs to its end. The timer's next turn aborted
 * the refresh still under way, again and again: the Database section never got past loading, and
 * the logs were read over and over without a refresh ever done.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { runCommand, webviewFrame } from './support/editor';
import { startFolderEditor, type FolderEditor } from './support/folderEditor';

const ROOT = path.join(__dirname, '../..');
/** Longer than the interval (5 s, the least the setting takes). */
const CONNECT_TIMEOUT_MS = 8000;

describe('dashboard auto-refresh slower than its interval', function () {
  this.timeout(300_000);
  let editor: FolderEditor | undefined;
  // A server on loopback that takes the connection and never answers: the connection attempt
  // waits the connect timeout, and the refresh with it.
  const sockets: net.Socket[] = [];
  const stalled = net.createServer((socket) => sockets.push(socket));

  before(async () => {
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as net.AddressInfo;
    const log = await fs.readFile(
      path.join(ROOT, 'test/fixtures/dashboard/rails52_production_tagged.log'),
      'utf8',
    );
    editor = await startFolderEditor({
      'config/database.yml':
        'development:\n  adapter: postgresql\n  database: app\n' +
        `  host: 127.0.0.1\n  port: ${port}\n`,
      'log/production.log': log,
      '.vscode/settings.json': JSON.stringify({
        'upkeep.dashboard.autoRefreshSeconds': 5,
        'upkeep.database.connectTimeoutMs': CONNECT_TIMEOUT_MS,
      }),
    });
  });

  after(async () => {
    await editor?.stop();
    for (const socket of sockets) socket.destroy();
    stalled.close();
  });

  it('lets each refresh end: the Database section says the server did not answer', async () => {
    const page = editor!.page;
    await runCommand(page, 'Upkeep: Open Dashboard', 60_000);
    const frame = await webviewFrame(page, {
      extensionId: 'upkeep.upkeep',
      contains: '[data-section="database"]',
      timeout: 60_000,
    });
    // Several turns of the timer go by before the first attempt gives up.
    await frame
      .locator('[data-section="database"][data-state="error"]')
      .waitFor({ timeout: 4 * CONNECT_TIMEOUT_MS });
    const text = (await frame.textContent('[data-section="database"]')) ?? '';
    assert.match(text, /time|answer|connect/i);
  });
});
