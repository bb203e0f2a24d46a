/**
 * Reading the repo's files for checks without trusting them: only regular files, only up to a
 * size, so a config committed as a symlink to /dev/zero or a huge file cannot exhaust memory.
 */
import { promises as fs } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import { readdirInside, statInside } from '../util/confinedOpen';
import type { AfterCheckHook } from '../util/confinedOpen';
import { UpkeepError } from '../util/errors';
import { isInside, whereLeads } from '../util/paths';
import { readTextFileLimited } from '../util/textFile';
import type { CheckContext } from './types';

/** Config, docs and reports are far smaller; a larger file is refused, not read. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * The file's text, or undefined when it does not exist. Throws `config` for something that is
 * not a regular file (a device, a folder, a FIFO) or is larger than `maxBytes`; the shared
 * reader in util/textFile.ts does the checks, as for the playbook and database.yml.
 */
export function readTextFile(
  file: string,
  maxBytes = MAX_TEXT_BYTES,
  options: { inside?: string } = {},
): Promise<string | undefined> {
  return readTextFileLimited(file, maxBytes, options);
}

/**
 * The absolute path of `relative` in the workspace, for a check that reads the file or asks its
 * stat. In an untrusted workspace a path that leads outside it (a committed link to ~/.ssh or
 * /etc, a link to a folder there, a `../`, or a dangling link, whose absence would say what is
 * not there) throws `untrusted`. A trusted one follows links, as a deploy links config to a
 * shared folder.
 */
export async function workspaceFile(
  context: Pick<CheckContext, 'workspace' | 'trusted'>,
  relative: string,
): Promise<string> {
  const file = path.join(context.workspace, relative);
  if (context.trusted) return file;
  const root = await fs.realpath(context.workspace);
  if (!isInside(root, await whereLeads(file))) {
    throw new UpkeepError(
      'untrusted',
      `${relative} links outside the workspace; waits for workspace trust`,
    );
  }
  return file;
}

/**
 * The text of a file `relative` to the workspace, as readTextFile reads it, or undefined when
 * it does not exist; in an untrusted workspace one that leads outside it is not read (see
 * workspaceFile), nor one put at its name after that check (a `refused` error naming it).
 */
export async function readWorkspaceFile(
  context: Pick<CheckContext, 'workspace' | 'trusted'> & AfterCheckHook,
  relative: string,
  maxBytes = MAX_TEXT_BYTES,
): Promise<string | undefined> {
  const file = await workspaceFile(context, relative);
  await context.afterCheck?.(file);
  if (context.trusted) return readTextFile(file, maxBytes);
  return readTextFile(file, maxBytes, { inside: await fs.realpath(context.workspace) });
}

/**
 * The stat of `relative` in the workspace, or undefined when it does not exist; untrusted, one
 * leading outside it is refused as workspaceFile does, and one put at its name after that check
 * is judged by the file opened (a `refused` error naming it): its mtime would be another's.
 */
export async function statWorkspaceFile(
  context: Pick<CheckContext, 'workspace' | 'trusted'> & AfterCheckHook,
  relative: string,
): Promise<Stats | undefined> {
  const file = await workspaceFile(context, relative);
  await context.afterCheck?.(file);
  if (context.trusted) return fs.stat(file).catch(() => undefined);
  return statInside(file, await fs.realpath(context.workspace));
}

/**
 * The entries of the folder `relative` in the workspace, or undefined when it cannot be listed;
 * untrusted, one leading outside it is refused as workspaceFile does, and one put at its name
 * after that check is judged by the folder opened (a `refused` error naming it).
 */
export async function readWorkspaceFolder(
  context: Pick<CheckContext, 'workspace' | 'trusted'> & AfterCheckHook,
  relative: string,
): Promise<Dirent[] | undefined> {
  const folder = await workspaceFile(context, relative);
  await context.afterCheck?.(folder);
  if (context.trusted) return fs.readdir(folder, { withFileTypes: true }).catch(() => undefined);
  return readdirInside(folder, await fs.realpath(context.workspace));
}

const RUBY_COMMENT = /#(?![{]).*$/;

/**
 * A line of the repo's Ruby without its comment, for checks that read Ruby without running it.
 * `#{` opens an interpolation, not a comment; a `#` inside a string is taken for one (rare in
 * the config lines these checks look for).
 */
export function withoutRubyComment(line: string): string {
  return line.replace(RUBY_COMMENT, '');
}

export interface RubyLine {
  file: string;
  line: number;
  /** The statement without its comment, trimmed; a continued one joined into one line. */
  code: string;
}

/** Lines a statement may run on over (`skip_before_action :a,` then `:b`), at most. */
const MAX_CONTINUED_LINES = 10;

/**
 * Calls `onLine` with every statement of the file, its comment removed and trimmed, at the line
 * it starts on; blank ones are left out, and one continued after a `,`, `(` or a backslash is
 * joined. The text is walked, not split: a 16 MB file of short lines makes millions of lines.
 */
export function forEachCodeLine(
  file: string,
  text: string,
  onLine: (line: RubyLine) => void,
): void {
  let pending: RubyLine | undefined;
  let continued = 0;
  let start = 0;
  for (let number = 1; start <= text.length; number++) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length + 1 : end + 1;
    const code = withoutRubyComment(raw).trim();
    if (pending) {
      pending.code += ` ${code}`;
      continued++;
    } else if (code) {
      pending = { file, line: number, code };
      continued = 0;
    }
    if (pending && (!/[,(\\]$/.test(pending.code) || continued >= MAX_CONTINUED_LINES)) {
      onLine(pending);
      pending = undefined;
    }
  }
  if (pending) onLine(pending);
}
