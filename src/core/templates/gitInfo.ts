/**
 * Who is writing and on which branch, from git, for a template's `{{author}}` and `{{branch}}`.
 * Git missing, no repository, no user configured: the answer is "unknown", never a failure.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleGit, GitConfigScope } from 'simple-git';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { readTextFileLimited } from '../util/textFile';

const UNKNOWN = 'unknown';

export interface GitInfo {
  /** `Name <email>`, whichever of the two is set, or `unknown`. */
  author: string;
  /** The current branch, `(detached HEAD)`, or `unknown`. */
  branch: string;
}

export interface GitInfoOptions {
  /**
   * In an untrusted workspace git does not run inside the repository (its config could name
   * programs git runs): the author comes from the user's global config, run from the home folder,
   * and the branch is read as text from `.git/HEAD`.
   */
  trusted: boolean;
  log?: Logger;
  /** Git is killed when it blocks this long; a hung credential helper must not hang a command. */
  timeoutMs?: number;
}

export async function readGitInfo(workspace: string, options: GitInfoOptions): Promise<GitInfo> {
  const log = options.log ?? silentLogger;
  const [author, branch] = await Promise.all([
    readAuthor(workspace, options, log),
    options.trusted ? readBranch(workspace, options, log) : readBranchFromHead(workspace),
  ]);
  return { author, branch };
}

function git(baseDir: string, options: GitInfoOptions) {
  return simpleGit({ baseDir, timeout: { block: options.timeoutMs ?? 5000 } });
}

/**
 * Values of the user's git config as git resolves them for `workspace`; in an untrusted one,
 * the global config alone, read from the home folder (see GitInfoOptions.trusted).
 */
async function userConfig(
  workspace: string,
  keys: string[],
  options: GitInfoOptions,
): Promise<(string | null)[]> {
  const client = git(options.trusted ? workspace : os.homedir(), options);
  const scope = options.trusted ? undefined : GitConfigScope.global;
  const values = await Promise.all(
    keys.map((key) => (scope ? client.getConfig(key, scope) : client.getConfig(key))),
  );
  return values.map((value) => value.value);
}

/** `git config user.name` for the workspace; undefined when unset or no git. */
export async function readGitUserName(
  workspace: string,
  options: GitInfoOptions,
): Promise<string | undefined> {
  try {
    const [name] = await userConfig(workspace, ['user.name'], options);
    return name?.replace(/\s+/g, ' ').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function readAuthor(
  workspace: string,
  options: GitInfoOptions,
  log: Logger,
): Promise<string> {
  try {
    const [name, email] = await userConfig(workspace, ['user.name', 'user.email'], options);
    return formatAuthor(name, email);
  } catch (error) {
    log.debug(`no git author: ${error instanceof Error ? error.message : String(error)}`);
    return UNKNOWN;
  }
}

/** `Name <email>`; single-line and trimmed, since a config value ends up inside a document. */
function formatAuthor(name: string | null, email: string | null): string {
  const clean = (value: string | null): string => (value ?? '').replace(/\s+/g, ' ').trim();
  const who = clean(name);
  const mail = clean(email);
  if (who && mail) return `${who} <${mail}>`;
  return who || (mail ? `<${mail}>` : UNKNOWN);
}

async function readBranch(
  workspace: string,
  options: GitInfoOptions,
  log: Logger,
): Promise<string> {
  try {
    // `branch --show-current` also names the branch of a repository without commits yet.
    const branch = (await git(workspace, options).raw(['branch', '--show-current'])).trim();
    return branch || '(detached HEAD)';
  } catch (error) {
    log.debug(`no git branch: ${error instanceof Error ? error.message : String(error)}`);
    return UNKNOWN;
  }
}

/** Far more than `ref: refs/heads/` and any branch name a file system keeps. */
const MAX_HEAD_BYTES = 4096;

/**
 * Reads `.git/HEAD` as plain text: nothing runs, whatever the repository holds. Only a regular
 * file, and a small one: an unpacked folder's `.git/HEAD` can be a FIFO, which a plain read
 * waited on for ever, or a link to /dev/zero.
 */
async function readBranchFromHead(workspace: string): Promise<string> {
  try {
    const head = await readTextFileLimited(path.join(workspace, '.git', 'HEAD'), MAX_HEAD_BYTES);
    if (head === undefined) return UNKNOWN;
    const ref = /^ref: refs\/heads\/(\S+)/.exec(head);
    if (ref) return ref[1];
    return /^[0-9a-f]{40,64}\s*$/.test(head) ? '(detached HEAD)' : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}
