/**
 * Benchmark of activation in the real editor (code-server, as the end-to-end tests run it): the
 * time from opening the workbench to the Maintenance view's first row on screen, and the
 * synchronous part `activate` logs itself, on a small Rails folder and on a large old app's
 * checkout (thousands of rotated logs, docs and bug reports, node_modules and vendor/bundle
 * trees), and for the latter until the On demand row counts every bug report. Prints them and
 * the ratio big / small; near 1 means activation does not walk the folder. Needs
 * `node esbuild.mjs` first.
 * Usage: npx tsx bench/activation.ts [--files N] (N files in each big folder, default 5000)
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer, startCodeServer } from '../scripts/lib/codeServer';
import {
  launchBrowser,
  openViewContainer,
  openWorkbench,
  readTreeItem,
  treeItem,
} from '../test/e2e/support/editor';

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const files = args.includes('--files') ? Number(args[args.indexOf('--files') + 1]) : 5000;

interface Activation {
  /** From opening the workbench to the Maintenance view's Daily row on screen. */
  readyMs: number;
  /** What `activate` itself logs ("activated on … in N ms"). */
  activateMs: number;
  /** From opening the workbench to the On demand row counting every bug report. */
  reportsMs?: number;
}

async function writeFiles(folder: string, count: number, name: (i: number) => string) {
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, k) => start + k);
    await Promise.all(
      batch.map(async (i) => {
        const file = path.join(folder, name(i));
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, `# ${i}\n\nStatus: Open\nSeverity: Low\n`);
      }),
    );
  }
}

async function railsFolder(big: boolean): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bench-activation-'));
  await fs.mkdir(path.join(folder, 'config'), { recursive: true });
  await fs.writeFile(
    path.join(folder, 'config/database.yml'),
    'development:\n  adapter: postgresql\n  database: app\n',
  );
  await fs.writeFile(path.join(folder, 'Gemfile'), "source 'https://rubygems.org'\n");
  if (!big) return folder;
  await writeFiles(folder, files, (i) => `log/production.log.${i}`);
  await writeFiles(folder, files, (i) => `docs/guides/${Math.floor(i / 100)}/page-${i}.md`);
  await writeFiles(folder, files, (i) => `docs/maintenance/bugs/2026-01-01-report-${i}.md`);
  await writeFiles(folder, files * 4, (i) => `node_modules/pkg${Math.floor(i / 40)}/f${i}.js`);
  await writeFiles(folder, files * 2, (i) => `vendor/bundle/gem${Math.floor(i / 40)}/f${i}.rb`);
  return folder;
}

/** The Upkeep output channel's log file. */
async function upkeepLog(userDataDir: string): Promise<string> {
  const found = await findFile(path.join(userDataDir, 'logs'), /Upkeep\.log$/);
  return found ? fs.readFile(found, 'utf8') : '';
}

async function findFile(dir: string, pattern: RegExp): Promise<string | undefined> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && pattern.test(entry.name)) return full;
    if (entry.isDirectory()) {
      const found = await findFile(full, pattern);
      if (found) return found;
    }
  }
  return undefined;
}

async function measure(folder: string, reports: number): Promise<Activation> {
  const editor = await startCodeServer({ workspace: folder, extensionDir: ROOT });
  const browser = await launchBrowser();
  try {
    const page = browser.page;
    const started = Date.now();
    await openWorkbench(page, editor.url);
    await openViewContainer(page, 'Upkeep');
    await treeItem(page, 'Maintenance', 'Daily').waitFor({ timeout: 180_000 });
    const readyMs = Date.now() - started;
    let reportsMs: number | undefined;
    if (reports) {
      const onDemand = treeItem(page, 'Maintenance', 'On demand');
      const counted = new RegExp(`\\b${reports.toLocaleString('en')} open bug reports\\b`);
      while (!counted.test((await readTreeItem(onDemand)).description)) {
        if (Date.now() - started > 300_000) throw new Error('the bug reports were not listed');
        await page.waitForTimeout(100);
      }
      reportsMs = Date.now() - started;
    }
    const log = await upkeepLog(editor.userDataDir);
    const activated = /activated on .* in (\d+) ms/.exec(log);
    if (!activated) throw new Error('Upkeep did not log its activation');
    return { readyMs, activateMs: Number(activated[1]), reportsMs };
  } finally {
    await browser.close();
    await editor.stop();
  }
}

async function main(): Promise<void> {
  await ensureCodeServer();
  const small = await railsFolder(false);
  const big = await railsFolder(true);
  try {
    // Once each first, so that the editor's own first-start costs fall on neither side.
    await measure(small, 0);
    const smallRun = await measure(small, 0);
    const bigRun = await measure(big, files);
    const print = (name: string, run: Activation): void =>
      console.log(
        `${name}: activate ${run.activateMs} ms, tree on screen after ${run.readyMs} ms` +
          (run.reportsMs ? `, every bug report counted after ${run.reportsMs} ms` : ''),
      );
    print('small folder', smallRun);
    print(`big folder (${files} files in each of log/, docs/, bugs; ${files * 6} deps)`, bigRun);
    const ratio = bigRun.readyMs / Math.max(1, smallRun.readyMs);
    console.log(`tree on screen, big / small: ${ratio.toFixed(2)}`);
  } finally {
    await fs.rm(small, { recursive: true, force: true });
    await fs.rm(big, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
