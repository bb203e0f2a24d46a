/**
 * Whether a folder is the Rails app's, and the apps below one that is not (a monorepo opened at
 * its root, with the app in apps/web): opened there, every database and log check skips with no
 * word of where the app is.
 */
import type { Dirent } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const DATABASE_YML = 'config/database.yml';
/** Folders that hold dependencies or output, never the app itself. */
const SKIPPED = new Set(['node_modules', 'vendor', 'tmp', 'log', 'storage', 'public', 'coverage']);
/** Levels below the folder searched: apps/web/config/database.yml is at level 2. */
const MAX_DEPTH = 3;
/** Folders read at most, so a huge checkout costs a moment, not a walk of all of it. */
const MAX_FOLDERS = 2000;
const MAX_FOUND = 5;

/** Whether `folder` has a Gemfile or a config/database.yml. */
export async function looksLikeRailsApp(folder: string): Promise<boolean> {
  for (const file of ['Gemfile', DATABASE_YML]) {
    if (await fs.stat(path.join(folder, file)).catch(() => undefined)) return true;
  }
  return false;
}

/**
 * Folders below `root` (relative, `/`-separated, nearest first, then by name) that hold a
 * config/database.yml. Dot-folders, dependencies and symbolic links are not entered.
 */
export async function nestedRailsApps(root: string): Promise<string[]> {
  const found: string[] = [];
  let level = [''];
  let read = 0;
  for (let depth = 1; depth <= MAX_DEPTH && level.length && found.length < MAX_FOUND; depth++) {
    const next: string[] = [];
    for (const parent of level) {
      if (read++ >= MAX_FOLDERS) break;
      const entries: Dirent[] = await fs
        .readdir(path.join(root, parent), { withFileTypes: true })
        .catch(() => []);
      const names = entries
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .filter((entry) => !SKIPPED.has(entry.name))
        .map((entry) => (parent ? `${parent}/${entry.name}` : entry.name))
        .sort();
      for (const name of names) {
        const yml = await fs.stat(path.join(root, name, DATABASE_YML)).catch(() => undefined);
        if (yml?.isFile()) found.push(name);
        else next.push(name);
      }
    }
    level = next;
  }
  return found.slice(0, MAX_FOUND);
}

/** What to say when `folder` is not the Rails app's; undefined when it is. */
export async function appFolderNote(folder: string): Promise<string | undefined> {
  if (await looksLikeRailsApp(folder)) return undefined;
  const lead = 'This folder has no Gemfile and no config/database.yml';
  const apps = await nestedRailsApps(folder);
  if (!apps.length) {
    return `${lead}: is it the Rails app? The database and log checks will skip.`;
  }
  const list =
    apps.length === 1 ? apps[0] : `${apps.slice(0, -1).join(', ')} and ${apps[apps.length - 1]}`;
  const which = apps.length === 1 ? 'open it' : 'open one of them';
  return (
    `${lead}. ${list} ${apps.length === 1 ? 'has' : 'have'} a ` +
    `config/database.yml: ${which} as the folder to maintain its app.`
  );
}
