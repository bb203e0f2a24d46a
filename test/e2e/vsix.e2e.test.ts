/**
 * The packaged extension, as a user installs it: `vsce package` makes the .vsix from the built
 * dist/, the test unpacks it (no node_modules, no sources) into code-server's extensions and
 * opens the dashboard on a folder whose log is large enough to be read on worker threads. Every
 * other editor test runs the repo folder itself, where node_modules would hide a file the
 * package lacks.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer, startCodeServer } from '../../scripts/lib/codeServer';
import type { RunningCodeServer } from '../../scripts/lib/codeServer';
import { PARALLEL_MIN_BYTES } from '../../src/core/logs/parallel';
import {
  launchBrowser,
  openWorkbench,
  readOutputChannel,
  runCommand,
  screenshot,
  webviewFrame,
  type EditorBrowser,
} from './support/editor';

const ROOT = path.join(__dirname, '../..');

/** Writes a production log of at least `bytes`, one request a second up to `now`. */
async function writeLog(file: string, bytes: number, now: number): Promise<number> {
  const out = createWriteStream(file);
  const lines = (at: number): string => {
    const id = randomUUID();
    const stamp = new Date(at).toISOString().replace('Z', '');
    const prefix = `I, [${stamp} #4242]  INFO -- : [${id}] `;
    return (
      `${prefix}Started GET "/bookings" for 203.0.113.9 at ` +
      `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} +0000\n` +
      `${prefix}Processing by BookingsController#index as HTML\n` +
      `${prefix}  Rendered bookings/index.html.erb within layouts/application ` +
      `(Duration: 21.0ms | Allocations: 4200)\n` +
      `${prefix}Completed 200 OK in 42ms (Views: 30.1ms | ActiveRecord: 5.2ms ` +
      `(3 queries, 0 cached) | GC: 0.4ms)\n`
    );
  };
  const count = Math.ceil(bytes / lines(now).length) + 1;
  let chunk = '';
  for (let i = count - 1; i >= 0; i--) {
    chunk += lines(now - i * 1000);
    if (chunk.length > 1 << 20 || i === 0) {
      if (!out.write(chunk)) {
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      chunk = '';
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
  return count;
}

describe('the packaged extension (.vsix) in a real editor', function () {
  this.timeout(300_000);
  let temp: string;
  let extension: string;
  let server: RunningCodeServer | undefined;
  let browser: EditorBrowser | undefined;
  let requests = 0;
  let folder: string;

  before(async function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/extension.js')), 'run npm run build first');
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-vsix-'));
    const vsix = path.join(temp, 'upkeep.vsix');
    // The package script's own packaging step, on the dist/ the test run built.
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/@vscode/vsce/vsce'),
        'package',
        '--no-dependencies',
        '--no-rewrite-relative-links',
        '-o',
        vsix,
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    const unpacked = path.join(temp, 'unpacked');
    execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked], { stdio: 'pipe' });
    extension = path.join(unpacked, 'extension');

    folder = path.join(temp, 'app');
    await fs.mkdir(path.join(folder, 'config'), { recursive: true });
    await fs.mkdir(path.join(folder, 'log'));
    // No server answers here: the dashboard's database part says so, the logs part is read.
    await fs.writeFile(
      path.join(folder, 'config/database.yml'),
      'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n  database: app\n',
    );
    // About 17 hours of requests, all inside the dashboard's "last 24 hours", so that the whole
    // file is read and in ranges (a window's start within the file would seek past its head).
    requests = await writeLog(
      path.join(folder, 'log/production.log'),
      PARALLEL_MIN_BYTES,
      Date.now() - 2000,
    );
    assert.ok(requests < 20 * 3600, `${requests} requests reach back more than 20 hours`);

    await ensureCodeServer();
    server = await startCodeServer({ workspace: folder, extensionDir: extension });
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    await openWorkbench(browser.page, server.url);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (temp) await fs.rm(temp, { recursive: true, force: true });
  });

  it('holds only what runs: the bundles, the worker, the webview and media', async function () {
    const files = (await fs.readdir(extension, { recursive: true })).map((f) =>
      f.split(path.sep).join('/'),
    );
    for (const needed of [
      'package.json',
      'dist/extension.js',
      'dist/cli.js',
      'dist/logWorker.js',
      'dist/webview/dashboard.js',
      'dist/webview/codicon.ttf',
      'media/playbook.schema.json',
      'media/guidelines.md',
    ]) {
      assert.ok(files.includes(needed), `${needed} is missing from the .vsix`);
    }
    const unwanted = files.filter((f) => /^(node_modules|src|test|scripts|bench)\/|\.map$/.test(f));
    assert.deepEqual(unwanted, []);
  });

  it('runs the command-line tool from the package, with no node_modules', function () {
    const json = execFileSync(
      process.execPath,
      [path.join(extension, 'bin/upkeep.js'), 'logs', 'log/production.log', '--format', 'json'],
      { cwd: folder, encoding: 'utf8' },
    );
    assert.equal(JSON.parse(json).requests.total, requests);
  });

  it('shows the log summary, read on worker threads from the package', async function () {
    const page = browser!.page;
    await runCommand(page, 'Upkeep: Open Dashboard');
    const frame = await webviewFrame(page, { contains: '[data-section="logs"]', timeout: 90_000 });
    await frame.locator('[data-section="logs"][data-state="ready"]').waitFor({ timeout: 90_000 });
    const shown = await frame.textContent('[data-figure="log-requests"] dd');
    assert.equal(Number((shown ?? '').replace(/[^0-9]/g, '')), requests);
    await screenshot(page, path.join(ROOT, 'test-results/vsix-dashboard.png'));
    const output = await readOutputChannel(page, 'Upkeep');
    assert.match(output, /production\.log in \d+ ranges on worker threads/);
  });
});
