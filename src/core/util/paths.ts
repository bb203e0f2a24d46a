/** Path questions asked of files a repo names, before Upkeep reads or writes them. */
import * as path from 'node:path';

/**
 * Whether `target` is `root` or lies below it (both absolute, links already resolved where that
 * matters). `..name` is a file inside; only `..` itself or `../` leaves.
 */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
