/**
 * The dump as pg_restore reads it: opened by Upkeep and handed over open. Given the path,
 * pg_restore would open it itself, and a FIFO put there since the dump was found (the glob's
 * stat, the drill's plan) would hold it, waiting for a writer, until the check's time ran out.
 * Opened once, it is also the same dump for every step of a drill, even when the next backup
 * takes its name meanwhile.
 */
import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError, fileErrorReason } from '../util/errors';
import { NotRegularFileError } from '../util/textFile';

/** The dump's descriptor in pg_restore: the first after standard input, output and error. */
const DUMP_FD = 3;

export interface OpenedDump {
  /** What pg_restore's command line names the dump by. */
  argument: string;
  /** The open dump, to hand to pg_restore as its descriptor 3 (ToolRun.passFd). */
  passFd?: { fd: number; file: string };
  /** pg_restore's text with `argument` put back as the dump's name, for messages. */
  named(text: string, name: string): string;
  /** The opened dump's own stat, not the path's. */
  stat: Stats;
  close(): Promise<void>;
}

/**
 * Opens the dump, a file or the folder of a `pg_dump -Fd`, without waiting; anything else is
 * closed again and refused with a NotRegularFileError. A dump that cannot be opened (gone,
 * unreadable) is a `parse` error, as pg_restore's own failure to open it was. On Linux,
 * pg_restore then reads `/dev/fd/3`, which opens the same file (or folder) again, with an
 * offset of its own and as seekable as the path. Elsewhere /dev/fd duplicates the descriptor
 * or does not exist, and pg_restore gets the path, as before. The caller closes the dump.
 */
export async function openDump(file: string): Promise<OpenedDump> {
  // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer, and is refused below.
  const handle = await fs
    .open(file, constants.O_RDONLY | constants.O_NONBLOCK)
    .catch((error: unknown) => {
      throw new UpkeepError(
        'parse',
        `pg_restore cannot read ${path.basename(file)}: ${fileErrorReason(error)}`,
        undefined,
        { cause: error },
      );
    });
  let stat: Stats;
  try {
    stat = await handle.stat();
    if (!stat.isFile() && !stat.isDirectory()) throw new NotRegularFileError(file);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const close = (): Promise<void> => handle.close();
  if (process.platform !== 'linux') {
    return { argument: file, stat, close, named: (text, name) => text.split(file).join(name) };
  }
  const argument = `/dev/fd/${DUMP_FD}`;
  return {
    argument,
    passFd: { fd: handle.fd, file },
    stat,
    close,
    named: (text, name) => text.split(argument).join(name),
  };
}
