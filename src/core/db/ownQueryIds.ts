/**
 * The query ids of Upkeep's own statements, by server, kept in a file of the user's cache that
 * every Upkeep process shares: a process learns an id only by planning a statement itself, so
 * without it the editor listed in Slowest queries what last night's `upkeep check` ran, and a
 * cron job what the editor ran. Off until a process names the file (the CLI and the editor do).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sharedCacheLock } from '../util/fileLock';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { replaceFile } from '../util/textFile';
import { makeFolder } from '../util/makeFolder';

/** Per server; the oldest go first once a server has more (a new Upkeep version's texts). */
const MAX_IDS = 4000;

let file: string | undefined;
/** By `connection.display`: the ids read from the file and learned since. */
const known = new Map<string, Set<string>>();
/**
 * Until when writes are skipped after another process held the file's lock past the wait:
 * each new id is a write, and a run must not wait that long for every statement it plans.
 * The ids learned meanwhile go with the next write.
 */
let heldUntil = 0;
const HELD_BACKOFF_MS = 60_000;

/** Keeps the ids in `where` from now on (undefined: only in this process). */
export function keepOwnQueryIdsIn(where: string | undefined): void {
  file = where;
  known.clear();
  heldUntil = 0;
}

/** The ids of a server the file holds, read once per process; none when it cannot be read. */
export async function storedOwnQueryIds(server: string): Promise<Set<string>> {
  let ids = known.get(server);
  if (ids) return ids;
  ids = new Set(file ? ((await readFile(file))[server] ?? []) : []);
  known.set(server, ids);
  return ids;
}

/** What this process knows of a server so far: the file's ids once read, and those learned. */
export function knownOwnQueryIds(server: string): ReadonlySet<string> {
  return known.get(server) ?? new Set();
}

/**
 * Adds an id learned in this process and writes the file, under its lock, with what other
 * processes added since it was read. A write that fails or waits too long for the lock only
 * costs a statement shown until it is learned again.
 */
export async function rememberOwnQueryId(
  server: string,
  id: string,
  log: Logger = silentLogger,
): Promise<void> {
  const ids = await storedOwnQueryIds(server);
  if (ids.has(id)) return;
  ids.add(id);
  const where = file;
  if (!where || Date.now() < heldUntil) return;
  try {
    await sharedCacheLock(where, log).withLockOrSkip(
      async () => {
        const all = await readFile(where);
        all[server] = [...new Set([...(all[server] ?? []), ...ids])].slice(-MAX_IDS);
        await makeFolder(path.dirname(where));
        await replaceFile(where, `${JSON.stringify({ version: 1, servers: all })}\n`);
      },
      (held) => {
        heldUntil = Date.now() + HELD_BACKOFF_MS;
        log.warn(
          `Query ids of Upkeep's own statements not kept for now: ${held.message} ${held.hint}`,
        );
      },
    );
  } catch {
    // The cache folder is not writable: this process still knows the id.
  }
}

async function readFile(where: string): Promise<Record<string, string[]>> {
  try {
    const parsed = JSON.parse(await fs.readFile(where, 'utf8')) as {
      servers?: Record<string, unknown>;
    };
    const servers: Record<string, string[]> = {};
    for (const [server, ids] of Object.entries(parsed.servers ?? {})) {
      if (Array.isArray(ids)) servers[server] = ids.filter((id) => typeof id === 'string');
    }
    return servers;
  } catch {
    return {};
  }
}
