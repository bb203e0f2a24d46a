/**
 * The user's home folder, for the files Upkeep and the tools it reads keep there (its cache,
 * bundler-audit's advisories).
 */
import * as os from 'node:os';

/**
 * `HOME`, else the system's entry for this user; none when there is neither, as in a container
 * run under an arbitrary uid, where Node.js's `os.homedir()` throws.
 */
export function homeFolder(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (env.HOME) return env.HOME;
  try {
    return os.homedir();
  } catch {
    return undefined;
  }
}
