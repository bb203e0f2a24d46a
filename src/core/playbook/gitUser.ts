/**
 * Who is doing the maintenance: the git user name of the workspace (`git config user.name`), so
 * the history says the same name as the commits. Falls back to the login name.
 */
import * as os from 'node:os';
import { simpleGit } from 'simple-git';

/** `git config user.name` as git resolves it for the workspace; undefined when unset or no git. */
async function gitUserName(workspace: string): Promise<string | undefined> {
  try {
    // Reading one config value runs no hook and no repo command, so it is safe untrusted too.
    const git = simpleGit({ baseDir: workspace, timeout: { block: 5000 } });
    const result = await git.getConfig('user.name');
    return result.value?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The name history entries carry. */
export async function maintainerName(workspace: string): Promise<string> {
  const fromGit = await gitUserName(workspace);
  if (fromGit) return fromGit;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
