/**
 * A lock file next to a shared JSON file (`state.json.lock`, `results.json.lock`), so that
 * several windows or cron runs that re-read, change and rewrite the file keep each other's
 * changes. Taken with an exclusive create; a lock whose owner died on this machine, or that is
 * older than `staleMs`, is taken over.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpkeepError } from './errors';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { makeFolder } from './makeFolder';
import { readTextFileLimited } from './textFile';

interface FileLockOptions {
  /** A lock older than this is from a crashed writer and is taken over. */
  staleMs?: number;
  /** How long to wait for another writer before giving up. */
  timeoutMs?: number;
  /** Who else writes, for the timeout message: "Another window", "Another run". */
  others?: string;
  log?: Logger;
}

interface LockOwner {
  pid: number;
  host: string;
  at: string;
}

export class FileLock {
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly others: string;
  private readonly log: Logger;

  constructor(
    readonly lockFile: string,
    options: FileLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 15_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.others = options.others ?? 'Another window';
    this.log = options.log ?? silentLogger;
  }

  /** Runs `work` while holding the lock; the lock goes when it settles. */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    return this.holding(work);
  }

  /**
   * Like withLock, but when another writer holds the lock past the wait, returns what
   * `skipped` makes of that (the `timeout` error) instead of throwing. For a file that may
   * miss an update rather than hold up its caller.
   */
  async withLockOrSkip<T>(
    work: () => Promise<T>,
    skipped: (held: UpkeepError) => T | Promise<T>,
  ): Promise<T> {
    try {
      await this.acquire();
    } catch (error) {
      if (UpkeepError.is(error, 'timeout')) return skipped(error);
      throw error;
    }
    return this.holding(work);
  }

  /** Runs `work` with the lock taken; the lock goes when it settles. */
  private async holding<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      await fs.rm(this.lockFile, { force: true });
    }
  }

  private async acquire(): Promise<void> {
    await makeFolder(path.dirname(this.lockFile));
    const owner: LockOwner = {
      pid: process.pid,
      host: os.hostname(),
      at: new Date().toISOString(),
    };
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(this.lockFile, 'wx');
        try {
          await handle.writeFile(JSON.stringify(owner));
        } finally {
          await handle.close();
        }
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.removeIfStale()) continue;
      if (Date.now() > deadline) {
        throw new UpkeepError(
          'timeout',
          `${this.others} has held ${this.lockFile} ` +
            `for over ${Math.round(this.timeoutMs / 1000)} s.`,
          'If nothing else is writing, delete the .lock file.',
        );
      }
      // Jitter keeps several waiting writers from retrying in lockstep.
      await new Promise((resolve) =>
        setTimeout(resolve, 5 + Math.random() * Math.min(50, 5 * attempt)),
      );
    }
  }

  /**
   * A lock whose owner died (same machine) or that is older than `staleMs`, by its mtime or the
   * time written in it, is removed.
   */
  private async removeIfStale(): Promise<boolean> {
    let stat;
    try {
      stat = await fs.stat(this.lockFile);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
    const text = await readLock(this.lockFile);
    if (text === undefined) return true;
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(text) as Partial<LockOwner>;
    } catch {
      // A lock being written right now is not yet parseable; only its age can tell.
    }
    // The time written in the lock counts too: a lock committed by mistake gets a fresh mtime
    // from every checkout, yet says it was taken days ago. (Two machines sharing a folder with
    // clocks more than `staleMs` apart would take over each other's locks; mtime alone has the
    // same weakness against the file server's clock.)
    const written = typeof owner.at === 'string' ? Date.parse(owner.at) : NaN;
    const since = Number.isNaN(written) ? stat.mtimeMs : Math.min(stat.mtimeMs, written);
    const old = Date.now() - since > this.staleMs;
    const dead =
      owner.host === os.hostname() && typeof owner.pid === 'number' && !isAlive(owner.pid);
    if (!old && !dead) return false;

    // Rename first, so two writers that both judged it stale cannot remove each other's new
    // lock: only one rename of this exact file succeeds, and a lock that changed meanwhile goes
    // back.
    const aside = `${this.lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await fs.rename(this.lockFile, aside);
    } catch {
      return true;
    }
    const movedText = await readLock(aside);
    if (movedText !== text) await fs.link(aside, this.lockFile).catch(() => undefined);
    else this.log.warn(`Took over a stale lock ${this.lockFile} (pid ${owner.pid ?? '?'}).`);
    await fs.rm(aside, { force: true });
    return true;
  }
}

/**
 * A lock's text: undefined when it is gone, '' when it cannot be read or is not a small regular
 * file (a repo could commit one linking to /dev/zero); such a lock is judged by its age alone.
 */
function readLock(file: string): Promise<string | undefined> {
  return readTextFileLimited(file, 4096).catch(() => '');
}

/**
 * The lock of a cache file every Upkeep process of the user shares (`~/.cache/upkeep`: size
 * snapshots, own query ids): a writer waits for it a short while, then skips its update, since
 * a lost snapshot costs less than a cron run stuck behind a hung editor.
 */
export function sharedCacheLock(file: string, log: Logger): FileLock {
  return new FileLock(`${file}.lock`, {
    timeoutMs: SHARED_CACHE_WAIT_MS,
    others: 'Another Upkeep process',
    log,
  });
}

/** How long a write to a shared cache file waits for another process's lock. */
const SHARED_CACHE_WAIT_MS = 2_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
