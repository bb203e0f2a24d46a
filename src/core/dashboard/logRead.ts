/**
 * The words for a dashboard log read in progress: which files, and how much there is to read,
 * so a maintainer waiting on hundreds of megabytes knows what is being read and can stop it.
 */
import { formatBytes } from '../util/figures';
import { plural } from '../util/plural';

/**
 * `log/production.log (299 MB)`, or `log/production.log and 2 more files (897 MB)`: several
 * files go by the shortest name among them, the one rotated copies are named after.
 */
export function describeLogRead(
  files: readonly { path: string; size: number }[],
  label: (absolute: string) => string,
): string {
  if (!files.length) return 'the log sources';
  const total = files.reduce((sum, file) => sum + file.size, 0);
  // Of rotated logs, the one they are all named after: production.log, not production.log.4.
  const [named] = [...files].sort(
    (a, b) => a.path.length - b.path.length || a.path.localeCompare(b.path),
  );
  const others = files.length - 1;
  const names = others
    ? `${label(named.path)} and ${plural(others, 'more file')}`
    : label(named.path);
  return `${names} (${formatBytes(total)})`;
}
