/**
 * Whether a log that must stay inside the workspace (an untrusted one's) is still inside it once
 * opened. Its path was checked when the sources were resolved and it is opened by name later: a
 * link put at its name, or at a folder above it, in between would have the summary read a file
 * of the user's. What is judged here is the open file, not its name.
 */
import { promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError } from '../util/errors';
import { isInside } from '../util/paths';

/** Where Linux lists a process's open files, each a link to where the file really is. */
const PROC_FDS = '/proc/self/fd';

/** A confined log whose open file is not the one checked: refused before any byte is read. */
export class SourceChangedError extends UpkeepError {
  constructor(readonly file: string) {
    super(
      'refused',
      `${file} changed after it was checked (a link or another file took its name, or the ` +
        'name of a folder above it) and was not read: in an untrusted workspace Upkeep reads ' +
        'log files inside it only. Summarise the logs again; if this repeats, look at what ' +
        `replaces ${file}.`,
    );
  }
}

/** Where the kernel says the open file `fd` is, or undefined where there is no /proc. */
async function openedPath(fd: number, procFds: string): Promise<string | undefined> {
  try {
    return await fs.readlink(path.join(procFds, String(fd)));
  } catch {
    return undefined;
  }
}

/**
 * Whether `opened` is the file checked at resolution (`checked`: same device and inode) and
 * lies inside `root` (a real path). With /proc the open file's own path answers the second; a
 * rename after the open cannot move it out. Without /proc the name is resolved again and must
 * lead inside `root` to the same file, which a swap between check and open fails.
 */
export async function isOpenedInside(
  opened: { handle: { fd: number }; stat: Stats },
  checked: { path: string; dev: number; ino: number },
  root: string,
  procFds = PROC_FDS,
): Promise<boolean> {
  const { stat } = opened;
  if (stat.dev !== checked.dev || stat.ino !== checked.ino) return false;

  const where = await openedPath(opened.handle.fd, procFds);
  if (where !== undefined) return isInside(root, where);

  try {
    const real = await fs.realpath(checked.path);
    if (!isInside(root, real)) return false;
    const now = await fs.stat(real);
    return now.dev === stat.dev && now.ino === stat.ino;
  } catch {
    return false;
  }
}
