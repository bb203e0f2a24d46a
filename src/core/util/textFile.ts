/**
 * Reads a text file the repository provides (a playbook, database.yml, .env, a template, a
 * config a check looks at) without trusting it: only a regular file, only up to a size. Writes
 * Upkeep's own files whole or not at all.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import { ChangedAfterCheckError, isOpenedInside } from './confinedOpen';
import { UpkeepError } from './errors';
import { isInside, whereLeads } from './paths';

/**
 * The file's text, or undefined when it does not exist. A repo can commit a symlink to
 * /dev/zero, a FIFO or a huge file, so anything that is not a regular file of at most
 * `maxBytes` is refused with a `config` error before it is read, and never more than
 * `maxBytes` is read even when the file grows meanwhile. Other errors (EACCES, ...) are thrown
 * as they come. With `inside` (a real path), for a file its caller checked there by name, the
 * file opened must be the one stat-ed and lie inside it, else a ChangedAfterCheckError.
 */
export async function readTextFileLimited(
  file: string,
  maxBytes: number,
  options: { inside?: string } = {},
): Promise<string | undefined> {
  // stat before open: opening a device or a FIFO can block or have effects of its own.
  let stat: Stats;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (isMissing(error)) return missingInside(file, options.inside);
    throw error;
  }
  refuseUnfit(file, stat, maxBytes);

  let opened: RegularFile;
  try {
    opened = await openRegularFile(file);
  } catch (error) {
    if (isMissing(error)) return missingInside(file, options.inside);
    throw error;
  }
  const { handle, stat: openedStat } = opened;
  try {
    refuseUnfit(file, openedStat, maxBytes);
    const checked = { path: file, dev: stat.dev, ino: stat.ino };
    if (options.inside !== undefined && !(await isOpenedInside(opened, checked, options.inside))) {
      throw new ChangedAfterCheckError(file);
    }
    return await readAtMost(handle, file, openedStat.size, maxBytes);
  } finally {
    await handle.close();
  }
}

/**
 * Undefined for a file that is not there, while its name still leads inside `inside`: a
 * dangling link out put at its name since would tell what is missing outside.
 */
async function missingInside(file: string, inside?: string): Promise<undefined> {
  if (inside !== undefined && !isInside(inside, await whereLeads(file))) {
    throw new ChangedAfterCheckError(file);
  }
  return undefined;
}

export interface RegularFile {
  handle: fs.FileHandle;
  /** The opened file's own stat, not the path's: what was opened is what is judged. */
  stat: Stats;
}

/**
 * Opens `file` for reading only when what was opened is a regular file. A stat of the path
 * before (a glob's, a check's) proves nothing of the open that follows: a FIFO swapped in
 * between would block a plain open until a writer comes, for ever. Opened without waiting,
 * anything else is closed again and refused with a NotRegularFileError (a `config` error,
 * `… is not a regular file`).
 * The caller closes the handle (a stream from it closes it at its end).
 */
export async function openRegularFile(
  file: string,
  options: { followLinks?: boolean } = {},
): Promise<RegularFile> {
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. O_NOFOLLOW, for
  // a caller that listed regular files only: a link swapped in since is refused (ELOOP).
  const noFollow = options.followLinks === false ? constants.O_NOFOLLOW : 0;
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(file);
    return { handle, stat };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads to the end, refusing the file once it proves larger than `maxBytes`. */
async function readAtMost(
  handle: fs.FileHandle,
  file: string,
  size: number,
  maxBytes: number,
): Promise<string> {
  // One byte more than allowed tells a file that grew past the limit from one that fits.
  let buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) throw tooLarge(file, maxBytes);
      const larger = Buffer.alloc(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  if (length > maxBytes) throw tooLarge(file, maxBytes);
  return buffer.toString('utf8', 0, length);
}

/*
 * The messages carry no hint: callers show them in summaries and problems as they are, each
 * adding what happens instead (the default playbook, the built-in template, ...).
 */
function refuseUnfit(file: string, stat: Stats, maxBytes: number): void {
  if (!stat.isFile()) throw notRegular(file);
  if (stat.size > maxBytes) throw tooLarge(file, maxBytes);
}

/**
 * A path refused for what it is (a FIFO, a device, a folder), not for what it holds: callers
 * that list many files (the log sources) say so in words of their own.
 */
export class NotRegularFileError extends UpkeepError {
  constructor(readonly file: string) {
    super('config', `${file} is not a regular file`);
  }
}

function notRegular(file: string): UpkeepError {
  return new NotRegularFileError(file);
}

function tooLarge(file: string, maxBytes: number): UpkeepError {
  return new UpkeepError('config', `${file} is larger than ${describeSize(maxBytes)}`);
}

/** `1 MB`, `256 KB` or `100 bytes`: the limit as a maintainer would write it. */
export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export interface ReplaceOptions {
  /** The new file's mode (an edited file keeps its own); the default as for any new file. */
  mode?: number;
  /** Flushes the text to disk before the rename: for a file a crash must not leave empty. */
  sync?: boolean;
}

/**
 * Writes `text` to a new file beside `file` and renames it over `file`, so that a reader, a
 * crash or a full disk finds the old text or the new, never half of it; a link at `file` is
 * replaced, not followed. On failure the temporary file is removed and the error thrown.
 */
export async function replaceFile(
  file: string,
  text: string,
  options: ReplaceOptions = {},
): Promise<void> {
  // Unique even for two writes of one process in the same millisecond; `wx` never clobbers.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temporary, 'wx', options.mode);
    try {
      await handle.writeFile(text, 'utf8');
      if (options.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
