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

/** Links followed in a row before a path is taken as it reads: the kernel's own limit. */
const MAX_LINKS = 40;

/**
 * Where `file` really is, as the kernel would resolve it, also when it does not exist: a
 * dangling link (`docs/gone.md -> ~/notes/x.md`) or a missing file under a linked folder
 * (`docs/ext/x.md`, `docs/ext -> ~`) is where the links lead, not where its name is. A check
 * that tells "missing" from "there" for such a path would tell what is outside the workspace.
 */
export async function whereLeads(file: string, links = 0): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    // Missing, dangling, a loop: resolved a step at a time below.
  }
  const stat = await fs.lstat(file).catch(() => undefined);
  if (stat?.isSymbolicLink() && links < MAX_LINKS) {
    const target = await fs.readlink(file).catch(() => undefined);
    if (target !== undefined) {
      return whereLeads(path.resolve(path.dirname(file), target), links + 1);
    }
  }
  const parent = path.dirname(file);
  if (parent === file) return file;
  return path.join(await whereLeads(parent, links), path.basename(file));
}

/**
 * Where `folder` really is when that lies outside `root`, else undefined: for a folder of the
 * repo's (`.upkeep`) that Upkeep writes into, which the repo may have committed as a link to a
 * folder of the user's. A folder not there is inside (it is made there), unless a dangling link
 * stands in its place: then where that link points.
 */
export async function folderOutside(root: string, folder: string): Promise<string | undefined> {
  const real = await whereLeads(folder);
  return isInside(await fs.realpath(root), real) ? undefined : real;
}
