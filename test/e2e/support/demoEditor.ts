/**
 * One call that gives an end-to-end test what a maintainer has after `npm run demo`: the demo
 * database on the embedded PostgreSQL, the demo Rails workspace, code-server with the built
 * extension, and a browser page on it.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, ensureCodeServer } from '../../../scripts/lib/codeServer';
import {
  createDemoWorkspace,
  loadDemoDatabase,
  type DemoDatabase,
  type DemoWorkspace,
} from '../../../scripts/lib/demoWorkspace';
import { embeddedServer } from '../../support/postgres';
import { launchBrowser, openWorkbench } from './editor';

const ROOT = path.join(__dirname, '../../..');

export interface DemoEditor {
  page: Page;
  /** code-server's user data folder (logs, settings). */
  userDataDir: string;
  workspace: DemoWorkspace;
  database: DemoDatabase;
  stop(): Promise<void>;
}

export interface DemoEditorOptions {
  theme?: 'dark' | 'light';
  workspaceTrust?: boolean;
  /** Changes the workspace before the editor opens it. */
  prepare?: (folder: string) => Promise<void>;
}

let databaseCounter = 0;

export async function startDemoEditor(options: DemoEditorOptions = {}): Promise<DemoEditor> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const server = await embeddedServer();
    const database: DemoDatabase = {
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
      password: server.password,
      database: `thembooking_e2e_${process.pid}_${++databaseCounter}`,
    };
    await loadDemoDatabase(database);

    const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-'));
    stops.push(() => fs.rm(temp, { recursive: true, force: true }));
    const workspace = await createDemoWorkspace(path.join(temp, 'thembooking'), database);
    await options.prepare?.(workspace.folder);

    await ensureCodeServer();
    const editor = await startCodeServer({
      workspace: workspace.folder,
      extensionDir: ROOT,
      theme: options.theme,
      workspaceTrust: options.workspaceTrust,
    });
    stops.push(() => editor.stop());

    const browser = await launchBrowser();
    stops.push(() => browser.close());
    await openWorkbench(browser.page, editor.url);
    return { page: browser.page, userDataDir: editor.userDataDir, workspace, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The text of a log output channel as the editor writes it to disk. More dependable than
 * copying from the Output view, which renders only the lines in sight.
 */
export async function readLogChannel(userDataDir: string, channel: string): Promise<string> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(`${channel}.log`)) found.push(full);
    }
  };
  await walk(path.join(userDataDir, 'logs'));
  const texts = await Promise.all(found.map((file) => fs.readFile(file, 'utf8')));
  return texts.join('\n');
}
