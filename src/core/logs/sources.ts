/**
 * Log sources: files and globs (rotated `.gz` included), resolved against the workspace and
 * put in timeline order, oldest first; a missing default log gets a message that says why
 * it may be missing and how to point Upkeep at the logs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';

export interface ResolvedFile {
  pattern: string;
  path: string;
  size: number;
  mtimeMs: number;
  gzip: boolean;
}

export interface MissingSource {
  pattern: string;
  message: string;
  /** False when something is there but cannot be read as a log. */
  missing: boolean;
}

export const MISSING_LOG_HINT =
  'Rails 7.1 and later log to STDOUT in production by default, so there may be no log file. ' +
  'Point Upkeep at your logs with the upkeep.logs.sources setting (files or globs, for example ' +
  '"log/production.log*" or "/var/log/myapp/*.log"), or pass files: upkeep logs FILE.';

function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** `production.log.3.gz` → 3, `production.log` → 0: a higher number is older. */
function rotationNumber(file: string): number {
  const m = /\.(\d{1,6})(?:\.gz)?$/.exec(file);
  return m ? Number(m[1]) : 0;
}

export async function resolveSources(
  workspace: string,
  patterns: string[],
): Promise<{ files: ResolvedFile[]; missing: MissingSource[] }> {
  const files = new Map<string, ResolvedFile>();
  const missing: MissingSource[] = [];

  for (const pattern of patterns) {
    const absolute = path.isAbsolute(pattern) ? pattern : path.join(workspace, pattern);
    let matches: string[];
    if (isGlob(pattern)) {
      matches = await fg(pattern, {
        cwd: workspace,
        absolute: true,
        onlyFiles: true,
        dot: true,
        suppressErrors: true,
      });
    } else {
      matches = [absolute];
    }

    let found = 0;
    let problem: string | undefined;
    for (const file of matches) {
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile()) {
          // A folder, FIFO or device: reading it could hang or never end.
          problem ??= `${file} is not a regular file (a folder, pipe or device); Upkeep reads log files only.`;
          continue;
        }
        found++;
        files.set(file, {
          pattern,
          path: file,
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          gzip: file.endsWith('.gz'),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') {
          problem ??= `${file} cannot be read (${code ?? String(error)}): check the path and its permissions.`;
        }
      }
    }
    if (found === 0) {
      if (problem) {
        missing.push({ pattern, message: problem, missing: false });
      } else {
        const what = isGlob(pattern) ? `No file matches ${pattern}` : `${pattern} does not exist`;
        missing.push({
          pattern,
          message: `${what} (in ${workspace}). ${MISSING_LOG_HINT}`,
          missing: true,
        });
      }
    }
  }

  const ordered = [...files.values()].sort(
    (a, b) =>
      rotationNumber(b.path) - rotationNumber(a.path) ||
      a.mtimeMs - b.mtimeMs ||
      a.path.localeCompare(b.path),
  );
  return { files: ordered, missing };
}
