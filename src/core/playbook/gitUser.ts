/**
 * Who is doing the maintenance: the git user name of the workspace (`git config user.name`), so
 * the history says the same name as the commits. Falls back to the login name.
 */
import * as os from 'node:os';
import { readGitUserName } from '../templates/gitInfo';

/**
 * The name history entries carry. In an untrusted workspace git does not run inside the
 * repository (as for the templates' author): the user's global name, else the login name.
 */
export async function maintainerName(workspace: string, trusted: boolean): Promise<string> {
  const fromGit = await readGitUserName(workspace, { trusted });
  if (fromGit) return fromGit;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
