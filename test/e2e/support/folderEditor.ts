/**
 * A real editor (code-server with the built extension, and a browser page on it) on a small
 * folder a test writes: the least that activates Upkeep, a config/database.yml, plus any files.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureCodeServer, startCodeServer } from '../../../scripts/lib/codeServer';
import { launchBrowser, openWorkbench } from './editor';

const ROOT = path.join(__dirname, '../../..');

export interface FolderEditor {
  page: Page;
  folder: string;
  stop(): Promise<void>;
}

/**
 * `files` maps paths in the folder to their text; parent folders are created. `rails: false`
 * leaves out the config/database.yml that makes the folder a Rails app.
 */
export async function startFolderEditor(
  files: Record<string, string> = {},
  options: { rails?: boolean } = {},
): Promise<FolderEditor> {
  if (!existsSync(path.join(ROOT, 'dist/extension.js'))) {
    throw new Error('build first: npm run build');
  }
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-e2e-folder-'));
  const stops: Array<() => Promise<void>> = [() => fs.rm(folder, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const rails = {
      'config/database.yml': 'development:\n  adapter: postgresql\n  database: app\n',
    };
    const all = options.rails === false ? files : { ...rails, ...files };
    for (const [relative, text] of Object.entries(all)) {
      await fs.mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
      await fs.writeFile(path.join(folder, relative), text);
    }
    await ensureCodeServer();
    const editor = await startCodeServer({ workspace: folder, extensionDir: ROOT });
    stops.push(() => editor.stop());
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    await openWorkbench(browser.page, editor.url);
    return { page: browser.page, folder, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
