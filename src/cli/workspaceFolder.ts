/**
 * The --workspace folder every command starts from. A mistyped path says it does not exist
 * (instead of "No database configured", or a run in which every check skips); a file says it is
 * not a folder. Without --workspace, a command started inside the app (in app/models, say) runs
 * on the app's folder, as git and bundler find theirs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError } from '../core/util/errors';

/** Throws a `config` UpkeepError unless `workspace` is a folder; `command` names the hint's. */
export async function requireWorkspaceFolder(workspace: string, command: string): Promise<void> {
  const hint = `Pass the Rails app folder with --workspace, or run upkeep ${command} inside it.`;
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(workspace)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && workspace.includes('\uFFFD')) {
      // Node.js reads a name that is not UTF-8 (a Latin-1 checkout) with U+FFFD for its bytes,
      // and no such path exists: the folder is there, it cannot be named.
      throw new UpkeepError(
        'config',
        `The path of the workspace folder ${workspace} is not valid UTF-8 (\uFFFD stands for ` +
          'the bytes Node.js could not read), so it cannot be opened.',
        'Rename the folder, or give --workspace a symbolic link to it whose path is UTF-8.',
      );
    }
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

/** What marks the Rails app's folder, as the extension's activation events see it. */
const APP_MARKERS = ['config/database.yml', 'Gemfile', '.upkeep/playbook.yaml'];

/**
 * The workspace of a command: `--workspace` when given, else the nearest of `cwd` and its parents
 * holding config/database.yml, a Gemfile or .upkeep/playbook.yaml, looking no higher than a
 * repository's root (`.git`); `cwd` itself when none does.
 */
export async function resolveWorkspace(given: string | undefined, cwd: string): Promise<string> {
  if (given !== undefined) return path.resolve(cwd, given);
  const start = path.resolve(cwd);
  for (let folder = start; ; folder = path.dirname(folder)) {
    for (const marker of APP_MARKERS) {
      if (await exists(path.join(folder, marker))) return folder;
    }
    if ((await exists(path.join(folder, '.git'))) || path.dirname(folder) === folder) {
      return start;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
