/**
 * Size snapshots kept on the user's machine (never in the monitored database), so the tables
 * card can show growth over time. One JSON file, passed in by the caller; at most one snapshot
 * per database per hour, the newest 400 kept, the 200 largest tables each.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileErrorReason, UpkeepError } from '../util/errors';
import type { Surface } from './connection';
import { sharedCacheLock } from '../util/fileLock';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { replaceFile } from '../util/textFile';
import { makeFolder } from '../util/makeFolder';

export interface SizeSnapshot {
  /** ISO 8601. */
  at: string;
  databaseBytes: number;
  /** `schema.table` → total bytes (table, indexes, TOAST). */
  tables: Record<string, number>;
  /**
   * `schema.table` → rows inserted, updated and deleted since `writesSince` (the busiest 200
   * tables); absent from snapshots of a replica and from those kept before Upkeep read them.
   */
  writes?: Record<string, [number, number, number]>;
  /** ISO 8601: since when the `writes` counters count (the last statistics reset or start). */
  writesSince?: string | null;
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
 * What to do when the snapshots have no folder this user can write, in the words of where it is
 * read: the editor has no --no-snapshots, and its environment is the one it was started with.
 */
export function snapshotFolderHint(surface: Surface = 'any'): string {
  const set = 'Set XDG_CACHE_HOME (or HOME) to the absolute path of a folder this user can write';
  if (surface === 'editor') {
    return `${set} in the environment the editor (or its remote server) starts with.`;
  }
  // Said under `upkeep check` too (its db.growth check), which has no such flag.
  return (
    `${set}: cron jobs and service users often have none. (upkeep db can keep none with ` +
    '--no-snapshots.)'
  );
}

/**
 * Adds a snapshot unless one is younger than an hour, and returns the database's snapshots.
 * Other Upkeep processes share the file: it is re-read and written under its lock, so their
 * snapshots stay. Past a lock another process holds for more than a short wait, the snapshot is
 * not kept (a warning says so) rather than the run waiting on. An unreadable file is moved aside
 * (`.unreadable-<time>`) rather than overwritten. A folder that cannot be written is a `config`
 * error naming it and what to set.
 */
export async function recordSnapshot(
  file: string,
  key: string,
  snapshot: SizeSnapshot,
  log: Logger = silentLogger,
  surface: Surface = 'any',
): Promise<{ snapshots: SizeSnapshot[]; movedAside?: string }> {
  try {
    return await sharedCacheLock(file, log).withLockOrSkip(
      () => addSnapshot(file, key, snapshot),
      async (held) => {
        log.warn(`Size snapshot not kept this run: ${held.message} ${held.hint}`);
        const list = (await readFile(file)).file.databases[key] ?? [];
        return { snapshots: withSnapshot(list, snapshot) ?? list };
      },
    );
  } catch (error) {
    if (error instanceof UpkeepError) throw error;
    throw new UpkeepError(
      'config',
      `Cannot keep size snapshots in ${file}: ${await whyNotWritable(file, error)}.`,
      snapshotFolderHint(surface),
      { cause: error },
    );
  }
}

/** Under the file's lock: re-reads it, adds the snapshot and writes it back. */
async function addSnapshot(
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
  const added = withSnapshot(list, snapshot);
  if (!added) return { snapshots: list, movedAside };
  data.databases[key] = added;

  await makeFolder(path.dirname(file));
  await replaceFile(file, JSON.stringify(data));
  return { snapshots: added, movedAside };
}

/** The list with the snapshot added (its largest tables), or undefined when one is too recent. */
function withSnapshot(list: SizeSnapshot[], snapshot: SizeSnapshot): SizeSnapshot[] | undefined {
  const last = list[list.length - 1];
  if (last && Date.parse(snapshot.at) - Date.parse(last.at) < MIN_SPACING_MS) return undefined;
  const largest = Object.entries(snapshot.tables)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_TABLES);
  return [...list, { ...snapshot, tables: Object.fromEntries(largest) }].slice(-MAX_SNAPSHOTS);
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

/** How old a snapshot must be to compare with: under half a day says little of a day. */
const BASELINE_MIN_AGE_MS = 12 * 3_600_000;

/** The newest snapshot holding row-write counters among those at least half a day old. */
export function writesBaseline(snapshots: SizeSnapshot[], now: Date): SizeSnapshot | undefined {
  return snapshots
    .filter((s) => s.writes && now.getTime() - Date.parse(s.at) >= BASELINE_MIN_AGE_MS)
    .reduce<SizeSnapshot | undefined>(
      (newest, s) => (!newest || Date.parse(s.at) > Date.parse(newest.at) ? s : newest),
      undefined,
    );
}

/** The snapshot closest to `days` ago among those at least half a day old. */
export function baselineSnapshot(
  snapshots: SizeSnapshot[],
  now: Date,
  days: number,
): SizeSnapshot | undefined {
  const target = now.getTime() - days * 86_400_000;
  const old = snapshots.filter((s) => now.getTime() - Date.parse(s.at) >= BASELINE_MIN_AGE_MS);
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
