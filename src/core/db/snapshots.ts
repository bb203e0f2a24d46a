/**
 * Size snapshots kept on the user's machine (never in the monitored database), so the tables
 * card can show growth over time. One JSON file, passed in by the caller; at most one snapshot
 * per database per hour, the newest 400 kept, the 200 largest tables each.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileErrorReason, UpkeepError } from '../util/errors';

export interface SizeSnapshot {
  /** ISO 8601. */
  at: string;
  databaseBytes: number;
  /** `schema.table` → total bytes (table, indexes, TOAST). */
  tables: Record<string, number>;
}

interface SnapshotFile {
  version: 1;
  /** Keyed by the connection's display string (`user@host:port/db`), never a password. */
  databases: Record<string, SizeSnapshot[]>;
}

const MAX_SNAPSHOTS = 400;
const MAX_TABLES = 200;
const MIN_SPACING_MS = 60 * 60 * 1000;

/** Reads the snapshots of one database; an absent file has none. */
export async function readSnapshots(file: string, key: string): Promise<SizeSnapshot[]> {
  const data = await readFile(file);
  return data.file.databases[key] ?? [];
}

async function readFile(file: string): Promise<{ file: SnapshotFile; unreadable: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { file: { version: 1, databases: {} }, unreadable: false };
  }
  try {
    const parsed = JSON.parse(text) as SnapshotFile;
    if (parsed && parsed.version === 1 && typeof parsed.databases === 'object') {
      return { file: parsed, unreadable: false };
    }
  } catch {
    // handled below
  }
  return { file: { version: 1, databases: {} }, unreadable: true };
}

/**
 * Adds a snapshot unless one is younger than an hour, and returns the database's snapshots.
 * An unreadable file is moved aside (`.unreadable-<time>`) rather than overwritten.
 */
export async function recordSnapshot(
  file: string,
  key: string,
  snapshot: SizeSnapshot,
): Promise<{ snapshots: SizeSnapshot[]; movedAside?: string }> {
  const { file: data, unreadable } = await readFile(file);
  let movedAside: string | undefined;
  if (unreadable) {
    movedAside = `${file}.unreadable-${snapshot.at.replace(/[:.]/g, '-')}`;
    await fs.rename(file, movedAside);
  }
  const list = data.databases[key] ?? [];
  const last = list[list.length - 1];
  if (last && Date.parse(snapshot.at) - Date.parse(last.at) < MIN_SPACING_MS) {
    return { snapshots: list, movedAside };
  }

  const largest = Object.entries(snapshot.tables)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_TABLES);
  list.push({ ...snapshot, tables: Object.fromEntries(largest) });
  data.databases[key] = list.slice(-MAX_SNAPSHOTS);

  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(data), 'utf8');
    await fs.rename(temporary, file);
  } catch (error) {
    throw new UpkeepError(
      'config',
      `Cannot keep size snapshots in ${file}: ${await whyNotWritable(file, error)}.`,
      'Set XDG_CACHE_HOME (or HOME) to a folder this user can write: cron jobs and service ' +
        'users often have none. upkeep db --no-snapshots keeps none.',
      { cause: error },
    );
  }
  return { snapshots: data.databases[key], movedAside };
}

/** Why the snapshot file could not be written, in words (the folder in the way, the disk). */
async function whyNotWritable(file: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    for (let folder = path.dirname(file); folder !== path.dirname(folder);) {
      const stat = await fs.stat(folder).catch(() => undefined);
      if (stat && !stat.isDirectory()) return `${folder} is a file, not a folder`;
      if (stat) break;
      folder = path.dirname(folder);
    }
  }
  return fileErrorReason(error);
}

/** The snapshot closest to `days` ago among those at least half a day old. */
export function baselineSnapshot(
  snapshots: SizeSnapshot[],
  now: Date,
  days: number,
): SizeSnapshot | undefined {
  const target = now.getTime() - days * 86_400_000;
  const old = snapshots.filter((s) => now.getTime() - Date.parse(s.at) >= 12 * 3_600_000);
  let best: SizeSnapshot | undefined;
  for (const snapshot of old) {
    if (
      !best ||
      Math.abs(Date.parse(snapshot.at) - target) < Math.abs(Date.parse(best.at) - target)
    ) {
      best = snapshot;
    }
  }
  return best;
}
