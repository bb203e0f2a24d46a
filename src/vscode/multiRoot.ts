/**
 * Upkeep works on one Rails app per window: with several workspace folders, the one the
 * maintainer chose (Upkeep: Choose App Folder…, remembered per workspace), else the first. The
 * tree and the dashboard say which one, so nobody reads alpha's tasks as beta's.
 * No `vscode` import, so unit tests read these texts as they are.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** The title of the command that chooses the folder, as the palette shows it. */
export const CHOOSE_FOLDER_TITLE = 'Upkeep: Choose App Folder…';

/** The folder Upkeep works on: the remembered one while it is still open, else the first. */
export function appFolderIndex(uris: readonly string[], remembered: string | undefined): number {
  const index = remembered === undefined ? -1 : uris.indexOf(remembered);
  return index >= 0 ? index : 0;
}

/**
 * Whether the folder at `used` left the workspace in a change of its folders: removed, and not
 * added back at the same address, which is how an editor may report a folder renamed.
 */
export function leftWorkspace(
  used: string,
  removed: readonly string[],
  added: readonly string[],
): boolean {
  return removed.includes(used) && !added.includes(used);
}

/** The tree's note when the window holds several folders; undefined with one or none. */
export function multiRootNote(names: readonly string[], current = 0): string | undefined {
  if (names.length < 2) return undefined;
  const others = names.filter((_name, index) => index !== current);
  const list =
    others.length === 1
      ? others[0]
      : `${others.slice(0, -1).join(', ')} and ${others[others.length - 1]}`;
  return (
    `Upkeep works on ${names[current]}, one of ${names.length} workspace folders; ` +
    `${list} ${others.length === 1 ? 'is' : 'are'} not covered. ` +
    `Choose another with ${CHOOSE_FOLDER_TITLE}`
  );
}

/** The dashboard tab's title, naming the folder when there are several. */
export function dashboardTitle(name: string | undefined, folderCount: number): string {
  return folderCount < 2 || !name ? 'Upkeep Dashboard' : `Upkeep Dashboard: ${name}`;
}

/**
 * The folder, below the extension's workspace storage, that keeps one app's checklist state and
 * check results in a window of several folders: `alpha-1a2b3c4d`. The hash of its address tells
 * apart two folders of the same name; the name is for whoever looks.
 */
export function folderStorageName(name: string, uri: string): string {
  const readable = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) || 'folder';
  return `${readable}-${createHash('sha256').update(uri).digest('hex').slice(0, 8)}`;
}

/**
 * The folder below `foldersDir` that keeps the app at `uri`: the one made for its address under
 * any earlier name, so that a workspace folder renamed in the workspace file keeps its ticks and
 * results, else `folderStorageName` for its name now.
 */
export function folderStorageDir(foldersDir: string, name: string, uri: string): string {
  const fresh = folderStorageName(name, uri);
  if (existsSync(path.join(foldersDir, fresh))) return path.join(foldersDir, fresh);
  const address = fresh.slice(fresh.lastIndexOf('-'));
  let earlier: string | undefined;
  try {
    earlier = readdirSync(foldersDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.endsWith(address))
      .map((entry) => entry.name)
      .sort()[0];
  } catch {
    // No folder kept yet.
  }
  return path.join(foldersDir, earlier ?? fresh);
}

/** What earlier versions kept in the storage root for the first folder, the only one they used. */
const EARLIER_FILES = ['state.json', 'results.json'];

/**
 * Copies the checklist state and check results earlier versions kept in `root` into the first
 * folder's own `folderDir`, once (when that folder does not exist yet), so that a multi-root
 * window keeps its ticks across the upgrade. Synchronous: the stores read them right after.
 */
export function carryOverEarlierStorage(root: string, folderDir: string): string[] {
  if (existsSync(folderDir)) return [];
  const present = EARLIER_FILES.filter((name) => existsSync(path.join(root, name)));
  if (!present.length) return [];
  mkdirSync(folderDir, { recursive: true });
  for (const name of present) copyFileSync(path.join(root, name), path.join(folderDir, name));
  return present;
}
