/**
 * The --workspace folder every command starts from. A mistyped path says it does not exist
 * (instead of "No database configured", or a run in which every check skips); a file says it is
 * not a folder.
 */
import { promises as fs } from 'node:fs';
import { UpkeepError } from '../core/util/errors';

/** Throws a `config` UpkeepError unless `workspace` is a folder; `command` names the hint's. */
export async function requireWorkspaceFolder(workspace: string, command: string): Promise<void> {
  const hint = `Pass the Rails app folder with --workspace, or run upkeep ${command} inside it.`;
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(workspace)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UpkeepError('config', `The workspace folder ${workspace} does not exist.`, hint);
    }
    throw new UpkeepError(
      'config',
      `The workspace folder ${workspace} cannot be read: ${(error as Error).message}`,
    );
  }
  if (!isFolder) {
    throw new UpkeepError('config', `The workspace ${workspace} is not a folder.`, hint);
  }
}
