/** Path questions asked of files a repo names, before Upkeep reads or writes them. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Whether `target` is `root` or lies below it (both absolute, links already resolved where that
 * matters). `..name` is a file inside; only `..` itself or `../` leaves.
 */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * `file` as Upkeep names it to the user: relative to the workspace folder `root` when it lies
 * below it (`backups/nightly.dump`), absolute otherwise, where `../..` would only hide where.
 */
export function shownPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && isInside(root, file) ? relative : file;
}

/**
 * Where `folder` really is when that lies outside `root`, else undefined: for a folder of the
 * repo's (`.upkeep`) that Upkeep writes into, which the repo may have committed as a link to a
 * folder of the user's. A folder not there is inside (it is made there), unless a dangling link
 * stands in its place: then where that link points.
 */
export async function folderOutside(root: string, folder: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(folder);
  } catch {
    const link = await fs.lstat(folder).catch(() => undefined);
    if (!link?.isSymbolicLink()) return undefined;
    real = path.resolve(path.dirname(folder), await fs.readlink(folder));
  }
  return isInside(await fs.realpath(root), real) ? undefined : real;
}
