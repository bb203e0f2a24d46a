/**
 * Creates a folder and the folders above it that are missing, as `mkdir -p` does, and gives up
 * where the file system will not make one. Node's own `fs.mkdir(..., { recursive: true })` never
 * returns for a path whose existing parent answers ENOENT for any new child (a path under
 * `/proc`, an autofs root): it tries the parent and the child again and again at full CPU,
 * holding a thread of the pool, so a `--save` or an `XDG_CACHE_HOME` there hung the command.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Makes `folder` and its missing parents; throws the file system's error where one fails. */
export async function makeFolder(folder: string): Promise<void> {
  const target = path.resolve(folder);
  try {
    await fs.mkdir(target);
    return;
  } catch (error) {
    if (code(error) === 'EEXIST') return existingFolder(target, error);
    const parent = path.dirname(target);
    if (code(error) !== 'ENOENT' || parent === target) throw error;
  }

  // The parent is missing: make it, then try once more. A second ENOENT, with the parent there,
  // is the file system refusing the child, and it is final.
  await makeFolder(path.dirname(target));
  try {
    await fs.mkdir(target);
  } catch (error) {
    if (code(error) === 'EEXIST') return existingFolder(target, error);
    throw error;
  }
}

/** A name that is taken is fine when it is a folder (made meanwhile by another process). */
async function existingFolder(folder: string, error: unknown): Promise<void> {
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw error;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}
