/**
 * Temporary folders that tests make and forget: each is removed once, at the end of the run
 * (globalHooks.ts), also when the test that made it failed halfway.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

/** A new folder under the system's temporary folder, named `prefix` and a random suffix. */
export async function tempFolder(prefix: string): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(folder);
  return folder;
}

export async function removeTempFolders(): Promise<void> {
  for (const folder of made.splice(0)) await fs.rm(folder, { recursive: true, force: true });
}

/** A new temporary folder holding `files` (path relative to the folder: its text). */
export async function tempFolderWith(
  prefix: string,
  files: Record<string, string>,
): Promise<string> {
  const folder = await tempFolder(prefix);
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await fs.writeFile(path.join(folder, name), text);
  }
  return folder;
}
