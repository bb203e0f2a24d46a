/**
 * Proves the real-editor harness end to end: code-server starts with a throwaway extension this
 * test writes, and the Playwright helpers reach its command, tree view, webview, diagnostics
 * and output channel.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import {
  launchBrowser,
  openViewContainer,
  openWebview,
  openWorkbench,
  readOutputChannel,
  readProblems,
  readTreeItem,
  runCommand,
  screenshot,
  treeItem,
  waitForNotification,
  webviewText,
  type EditorBrowser,
} from './support/editor';

const EXTENSION_ID = 'upkeep-test.upkeep-smoke';

const manifest = {
  name: 'upkeep-smoke',
  publisher: 'upkeep-test',
  version: '0.0.1',
  engines: { vscode: '^1.85.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  capabilities: { untrustedWorkspaces: { supported: true } },
  contributes: {
    commands: [
      { command: 'upkeepSmoke.hello', title: 'Say Hello', category: 'Upkeep Smoke' },
      { command: 'upkeepSmoke.panel', title: 'Open Panel', category: 'Upkeep Smoke' },
    ],
    viewsContainers: {
      activitybar: [{ id: 'upkeepSmoke', title: 'Upkeep Smoke', icon: '$(beaker)' }],
    },
    views: { upkeepSmoke: [{ id: 'upkeepSmoke.items', name: 'Smoke Items' }] },
  },
};

// Plain CommonJS, so the test needs no build step for its extension.
const extensionJs = `
const vscode = require('vscode');
exports.activate = (context) => {
  const log = vscode.window.createOutputChannel('Upkeep Smoke', { log: true });
  log.info('smoke extension activated');
  const items = [
    { label: 'Vacuum', description: 'weekly' },
    { label: 'Reindex', description: 'monthly' },
  ];
  vscode.window.registerTreeDataProvider('upkeepSmoke.items', {
    getChildren: () => items,
    getTreeItem: (item) => Object.assign(new vscode.TreeItem(item.label), item),
  });
  const diagnostics = vscode.languages.createDiagnosticCollection('upkeep-smoke');
  const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'notes.txt');
  const range = new vscode.Range(0, 0, 0, 5);
  diagnostics.set(file, [new vscode.Diagnostic(range, 'Smoke warning', 1)]);
  context.subscriptions.push(
    log,
    diagnostics,
    vscode.commands.registerCommand('upkeepSmoke.hello', () => {
      log.info('hello command ran');
      vscode.window.showInformationMessage('Hello from the smoke extension');
    }),
    vscode.commands.registerCommand('upkeepSmoke.panel', () => {
      const panel = vscode.window.createWebviewPanel('upkeepSmoke.panel', 'Smoke Panel', 1, {});
      panel.webview.html =
        '<!DOCTYPE html><html><body><h1 id="title">Inside the webview</h1></body></html>';
    }),
  );
};
`;

describe('real-editor harness (code-server)', function () {
  let root: string;
  let extensionDir: string;
  let workspace: string;

  before(async function () {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-smoke-'));
    extensionDir = path.join(root, 'extension');
    workspace = path.join(root, 'workspace');
    await fs.mkdir(extensionDir);
    await fs.mkdir(workspace);
    await fs.writeFile(path.join(extensionDir, 'package.json'), JSON.stringify(manifest, null, 2));
    await fs.writeFile(path.join(extensionDir, 'extension.js'), extensionJs);
    await fs.writeFile(path.join(workspace, 'notes.txt'), 'hello from the workspace\n');
  });

  after(async function () {
    await fs.rm(root, { recursive: true, force: true });
  });

  describe('a trusted workspace', function () {
    let server: RunningCodeServer;
    let browser: EditorBrowser;
    let page: Page;

    before(async function () {
      server = await startCodeServer({ workspace, extensionDir });
      browser = await launchBrowser();
      page = browser.page;
      await openWorkbench(page, server.url);
    });

    after(async function () {
      await browser?.close();
      await server?.stop();
    });

    it('runs a command from the palette and shows its notification', async function () {
      await runCommand(page, 'Upkeep Smoke: Say Hello');

      const message = await waitForNotification(page, 'Hello from the smoke extension');

      assert.equal(message, 'Hello from the smoke extension');
      await screenshot(page, process.env.UPKEEP_E2E_SCREENSHOT ?? '/tmp/e2e-smoke.png');
    });

    it('finds tree items with their descriptions in a contributed view', async function () {
      await openViewContainer(page, 'Upkeep Smoke');

      const vacuum = await readTreeItem(treeItem(page, 'Smoke Items', 'Vacuum'));
      const reindex = await readTreeItem(treeItem(page, 'Smoke Items', 'Reindex'));

      assert.equal(vacuum.description, 'weekly');
      assert.equal(reindex.description, 'monthly');
    });

    it('reads content from inside a webview panel', async function () {
      const frame = await openWebview(page, 'Upkeep Smoke: Open Panel', {
        extensionId: EXTENSION_ID,
        contains: '#title',
      });

      assert.equal(await webviewText(frame, '#title'), 'Inside the webview');
    });

    it('reads the Problems panel', async function () {
      const problems = await readProblems(page);

      const smoke = problems.find((problem) => problem.message === 'Smoke warning');
      assert.ok(smoke, `no smoke warning in ${JSON.stringify(problems)}`);
      assert.equal(smoke.severity, 'warning');
      assert.equal(smoke.file, 'notes.txt');
    });

    it('reads an output channel', async function () {
      const text = await readOutputChannel(page, 'Upkeep Smoke');

      assert.match(text, /smoke extension activated/);
      assert.match(text, /hello command ran/);
    });
  });

  describe('an untrusted workspace', function () {
    it('opens in Restricted Mode when trust is kept on', async function () {
      const server = await startCodeServer({ workspace, extensionDir, workspaceTrust: true });
      const browser = await launchBrowser();
      try {
        await openWorkbench(browser.page, server.url);

        const badge = browser.page.locator('.part.statusbar', { hasText: 'Restricted Mode' });
        await badge.waitFor();
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  });
});
