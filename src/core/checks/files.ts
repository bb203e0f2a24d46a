/**
 * Reading the repo's files for checks without trusting them: only regular files, only up to a
 * size, so a config committed as a symlink to /dev/zero or a huge file cannot exhaust memory.
 */
import { constants, promises as fs } from 'node:fs';
import { UpkeepError } from '../util/errors';

/** Config, docs and reports are far smaller; a larger file is refused, not read. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * The file's text, or undefined when it does not exist. Throws `refused` for something that is
 * not a regular file (a device, a folder) or is larger than `maxBytes`.
 */
export async function readTextFile(
  file: string,
  maxBytes = MAX_TEXT_BYTES,
): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it anyway.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UpkeepError('refused', `${file} is not a regular file`);
    if (stat.size > maxBytes) {
      throw new UpkeepError(
        'refused',
        `${file} is larger than ${Math.round(maxBytes / 1048576)} MB`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
