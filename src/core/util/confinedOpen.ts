/**
 * Whether a file that must stay inside the workspace (an untrusted one's: a log, a doc, a
 * config a check reads, a template) is still inside it once opened. Its path is checked first
 * and opened by name after: a link put at its name, or at a folder above it, in between would
 * have Upkeep read a file of the user's. What is judged here is the open file, not its name.
 */
import { constants, promises as fs } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError } from './errors';
import { isInside, whereLeads } from './paths';

/** Where Linux lists a process's open files, each a link to where the file really is. */
const PROC_FDS = '/proc/self/fd';

/** @internal Tests: runs once a path was checked inside the workspace, before it is opened. */
export interface AfterCheckHook {
  afterCheck?: (file: string) => Promise<void>;
}

/**
 * A confined file whose open file is not the one checked: refused before any byte is read.
 * `kind` names what Upkeep reads inside the workspace (`log files`), `next` what to do then.
 */
export class ChangedAfterCheckError extends UpkeepError {
  constructor(
    readonly file: string,
    kind = 'files',
    next?: string,
  ) {
    super(
      'refused',
      `${file} changed after it was checked (a link or another file took its name, or the ` +
        'name of a folder above it) and was not read: in an untrusted workspace Upkeep reads ' +
        `${kind} inside it only${next ? `. ${next}` : ''}`,
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
 * Whether `opened` is the file checked (`checked`: same device and inode) and lies inside
 * `root` (a real path). With /proc the open file's own path answers the second; a rename after
 * the open cannot move it out. Without /proc the name is resolved again and must lead inside
 * `root` to the same file, which a swap between check and open fails.
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

/**
 * The stat of `file`, checked inside `root` (a real path) by its caller, or undefined when it
 * does not exist: taken from the file opened (without waiting, a folder too), which must be the
 * one inside, else a ChangedAfterCheckError. A file that went missing since is missing only
 * while its name still leads inside: a dangling link out put there would tell what is not
 * outside. One that cannot be opened (no read permission) is judged by its name again.
 */
export async function statInside(file: string, root: string): Promise<Stats | undefined> {
  const leadsInside = async (): Promise<boolean> => isInside(root, await whereLeads(file));
  const checked = await fs.stat(file).catch(() => undefined);
  if (!checked) {
    if (!(await leadsInside())) throw new ChangedAfterCheckError(file);
    return undefined;
  }

  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    if (!(await leadsInside())) throw new ChangedAfterCheckError(file);
    return checked;
  }
  try {
    const stat = await handle.stat();
    const identity = { path: file, dev: checked.dev, ino: checked.ino };
    if (!(await isOpenedInside({ handle, stat }, identity, root))) {
      throw new ChangedAfterCheckError(file);
    }
    return stat;
  } finally {
    await handle.close();
  }
}

/**
 * The entries of the folder `folder`, checked inside `root` (a real path) by its caller, or
 * undefined when it cannot be listed (missing, not a folder): listed through the folder opened,
 * which must be the one inside, else a ChangedAfterCheckError. Without /proc it is listed by
 * name and judged after, so a folder swapped in meanwhile is refused, not counted.
 */
export async function readdirInside(
  folder: string,
  root: string,
  procFds = PROC_FDS,
): Promise<Dirent[] | undefined> {
  const leadsInside = async (): Promise<boolean> => isInside(root, await whereLeads(folder));
  const checked = await fs.stat(folder).catch(() => undefined);
  let handle: fs.FileHandle | undefined;
  if (checked?.isDirectory()) {
    const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK;
    handle = await fs.open(folder, flags).catch(() => undefined);
  }
  if (!checked || !handle) {
    if (!(await leadsInside())) throw new ChangedAfterCheckError(folder);
    return undefined;
  }

  try {
    const byFd = path.join(procFds, String(handle.fd));
    const listed = (await openedPath(handle.fd, procFds)) !== undefined ? byFd : folder;
    const entries = await fs.readdir(listed, { withFileTypes: true }).catch(() => undefined);
    const stat = await handle.stat();
    const identity = { path: folder, dev: checked.dev, ino: checked.ino };
    if (!(await isOpenedInside({ handle, stat }, identity, root, procFds))) {
      throw new ChangedAfterCheckError(folder);
    }
    return entries;
  } finally {
    await handle.close();
  }
}
