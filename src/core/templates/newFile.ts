/**
 * Writes a new document without ever replacing one: a taken name gets `-2`, `-3`, … and every
 * attempt uses the `wx` flag, so even a file created a moment ago by someone else is kept.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError, fileErrorWithCode } from '../util/errors';
import { isInside } from '../util/paths';
import { makeFolder } from '../util/makeFolder';

/** Names tried before giving up; a folder with a thousand same-titled reports is a mistake. */
const MAX_ATTEMPTS = 1000;

/**
 * The absolute folder for a workspace-relative setting (`setting`, such as
 * upkeep.templates.bugFolder, holds `docs/maintenance/bugs`). A folder that leaves the workspace
 * (`../x`, `/etc`) is refused: documents belong to the repository.
 */
export function documentFolder(workspace: string, folder: string, setting: string): string {
  const root = path.resolve(workspace);
  const resolved = path.resolve(root, folder.trim() || '.');
  if (!isInside(root, resolved)) {
    throw new UpkeepError(
      'config',
      `The folder "${folder}" is outside the workspace.`,
      `Set ${setting} to a path inside the repository.`,
    );
  }
  return resolved;
}

/**
 * Creates `folder/base.ext` (or `base-2.ext`, …) with `content` and returns its path. The folder is
 * created when missing; one that is a symlink out of the workspace is refused. `setting` names
 * the setting that chose the folder, for the hints; a fixed folder has none.
 */
export async function writeNewFile(
  workspace: string,
  folder: string,
  base: string,
  extension: string,
  content: string,
  setting?: string,
): Promise<string> {
  const orSet = (what: string): string => (setting ? `, or set ${setting} to ${what}` : '');

  // Checked before mkdir so a symlink out of the workspace never gets folders made behind it,
  // and again after, for a link swapped in between.
  await refuseEscapingLinks(workspace, await nearestExisting(folder), setting);
  try {
    await makeFolder(folder);
  } catch (error) {
    throw new UpkeepError(
      'refused',
      `Could not create the folder ${folder} (${fileErrorWithCode(error)}); no file was written.`,
      `Check that the workspace is writable${orSet('a folder that is')}.`,
      { cause: error },
    );
  }
  await refuseEscapingLinks(workspace, folder, setting);

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const name = attempt === 1 ? `${base}${extension}` : `${base}-${attempt}${extension}`;
    const file = path.join(folder, name);
    try {
      await fs.writeFile(file, content, { encoding: 'utf8', flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new UpkeepError(
        'refused',
        `Could not create ${file} (${fileErrorWithCode(error)}).`,
        `Check that the folder is writable${orSet('one that is')}.`,
        { cause: error },
      );
    }
  }
  throw new UpkeepError(
    'refused',
    `${path.join(folder, base)}${extension} and ${MAX_ATTEMPTS - 1} numbered variants all exist.`,
    'Choose a different title.',
  );
}

/** `folder` or its closest ancestor that exists (a dangling symlink counts as existing). */
async function nearestExisting(folder: string): Promise<string> {
  let current = path.resolve(folder);
  for (;;) {
    try {
      await fs.lstat(current);
      return current;
    } catch (error) {
      const parent = path.dirname(current);
      // ENOTDIR: a file stands higher up; it is found there, and mkdir says so.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return current;
      current = parent;
    }
  }
}

async function refuseEscapingLinks(
  workspace: string,
  folder: string,
  setting: string | undefined,
): Promise<void> {
  const realRoot = await fs.realpath(workspace);
  const realFolder = await fs.realpath(folder).catch((error: unknown) => {
    throw new UpkeepError(
      'refused',
      `${folder} cannot be resolved (${fileErrorWithCode(error)}); no file was written.`,
      undefined,
      { cause: error },
    );
  });
  if (!isInside(realRoot, realFolder)) {
    throw new UpkeepError(
      'refused',
      `${folder} links to ${realFolder}, outside the workspace; no file was written.`,
      setting
        ? `Set ${setting} to a folder inside the workspace, or remove the link.`
        : 'Remove the link, or point it inside the workspace.',
    );
  }
}
