/**
 * The user's home folder, for the files Upkeep and the tools it reads keep there (its cache,
 * bundler-audit's advisories).
 */
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `HOME`, else the system's entry for this user; none when there is neither, as in a container
 * run under an arbitrary uid, where Node.js's `os.homedir()` throws. A relative `HOME` (a unit
 * file's `HOME=app`) is none too: it would name a folder under wherever the command runs.
 */
export function homeFolder(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (env.HOME) return path.isAbsolute(env.HOME) ? env.HOME : undefined;
  try {
    return os.homedir();
  } catch {
    return undefined;
  }
}
