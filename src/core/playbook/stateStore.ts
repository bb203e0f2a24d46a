/**
 * Keeps checklist progress and task history in one JSON file: under the editor's workspace
 * storage (this machine only) or in the repo's `.upkeep/state.json` (committed, shared).
 *
 * Why a lock file with re-read-and-apply rather than an append-only log: the repo file is meant to
 * be committed and read in code review, so it should stay one small, readable JSON document
 * whose diffs make sense; a log would grow forever and conflict on every merge. Each change is a
 * function applied to the freshest file while holding `state.json.lock`, so two windows writing at
 * once both keep their changes. Writes go to a temporary file that is renamed over the old one, so
 * a crash leaves either the old or the new file, never half of one. A file that does not parse
 * (or was hand-broken, or has merge-conflict markers) is moved aside as
 * `state.json.corrupt-<time>`, reported, and never written over.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { readTextFileLimited } from '../util/textFile';
import type { PlaybookState } from './state';
import { emptyState, normalizeState, validateState } from './state';

/** Where the repo variant of the state lives, relative to the workspace folder. */
export const REPO_STATE_FILE = '.upkeep/state.json';
export const STATE_FILE_NAME = 'state.json';

/**
 * Years of history for every task stay far below this; a larger file is treated as broken
 * (moved aside, never written over) rather than read.
 */
export const MAX_STATE_BYTES = 64 * 1024 * 1024;

export type StateLocation = 'workspaceStorage' | 'repository';

/** The state file for a location: `storageDir` is the editor's per-workspace storage folder. */
export function stateFilePath(
  location: StateLocation,
  paths: { workspace: string; storageDir?: string },
): string {
  if (location === 'repository' || !paths.storageDir) {
    return path.join(paths.workspace, REPO_STATE_FILE);
  }
  return path.join(paths.storageDir, STATE_FILE_NAME);
}

export interface CorruptStateReport {
  file: string;
  /** Where the broken file was moved; its content is untouched there. */
  backup: string;
  reason: string;
}

export interface StateStoreOptions {
  file: string;
  log?: Logger;
  /** A lock older than this is from a crashed writer and is taken over. */
  staleLockMs?: number;
  /** How long to wait for another writer before giving up. */
  lockTimeoutMs?: number;
  /** Told when a broken file was found and moved aside. */
  onCorrupt?: (report: CorruptStateReport) => void;
}

interface LockOwner {
  pid: number;
  host: string;
  at: string;
}

export class StateStore {
  readonly file: string;
  private readonly lockFile: string;
  private readonly log: Logger;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly onCorrupt?: (report: CorruptStateReport) => void;
  /** Changes of this process, one after another, so they never race for the lock themselves. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: StateStoreOptions) {
    this.file = options.file;
    this.lockFile = `${options.file}.lock`;
    this.log = options.log ?? silentLogger;
    this.staleLockMs = options.staleLockMs ?? 15_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.onCorrupt = options.onCorrupt;
  }

  /** The current state; an empty one when there is no file yet or it was broken (and moved). */
  async read(): Promise<PlaybookState> {
    const found = await this.readFile();
    if (found.ok) return found.state;
    // Moving a broken file aside is a change: do it under the lock, on what is there then.
    return this.serialize(() => this.withLock(async () => (await this.readOrQuarantine()).state));
  }

  /** Applies `change` to the freshest state and writes the result; returns what was written. */
  async update(change: (state: PlaybookState) => void): Promise<PlaybookState> {
    return this.serialize(() =>
      this.withLock(async () => {
        const { state } = await this.readOrQuarantine();
        change(state);
        await this.writeAtomically(state);
        return state;
      }),
    );
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readFile(): Promise<
    { ok: true; state: PlaybookState } | { ok: false; reason: string }
  > {
    let text: string | undefined;
    try {
      // The repo variant can be committed as a symlink to /dev/zero or a FIFO: never read those.
      text = await readTextFileLimited(this.file, MAX_STATE_BYTES);
    } catch (error) {
      if (UpkeepError.is(error)) return { ok: false, reason: error.message };
      throw new UpkeepError('internal', `Cannot read ${this.file}: ${(error as Error).message}`);
    }
    if (text === undefined) return { ok: true, state: emptyState() };
    if (text.trim() === '') return { ok: false, reason: 'the file is empty' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const conflict = /^(<<<<<<<|>>>>>>>|=======)/m.test(text)
        ? ' (git merge conflict markers)'
        : '';
      return { ok: false, reason: `not valid JSON${conflict}: ${(error as Error).message}` };
    }
    const invalid = validateState(parsed);
    if (invalid) return { ok: false, reason: invalid };
    return { ok: true, state: normalizeState(parsed as PlaybookState) };
  }

  /** Reads under the lock; a broken file is renamed to a backup and reported. */
  private async readOrQuarantine(): Promise<{ state: PlaybookState }> {
    const found = await this.readFile();
    if (found.ok) return { state: found.state };

    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const backup = `${this.file}.corrupt-${stamp}`;
    await fs.rename(this.file, backup);
    const report = { file: this.file, backup, reason: found.reason };
    this.log.warn(
      `The state file ${this.file} is broken (${found.reason}); ` +
        `it was moved to ${backup} and a fresh state started.`,
    );
    this.onCorrupt?.(report);
    return { state: emptyState() };
  }

  private async writeAtomically(state: PlaybookState): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temporary, this.file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      await fs.rm(this.lockFile, { force: true });
    }
  }

  private async acquire(): Promise<void> {
    await fs.mkdir(path.dirname(this.lockFile), { recursive: true });
    const owner: LockOwner = {
      pid: process.pid,
      host: os.hostname(),
      at: new Date().toISOString(),
    };
    const deadline = Date.now() + this.lockTimeoutMs;
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
          `Another window has held ${this.lockFile} ` +
            `for over ${Math.round(this.lockTimeoutMs / 1000)} s.`,
          'If no other editor is writing, delete the .lock file.',
        );
      }
      // Jitter keeps several waiting windows from retrying in lockstep.
      await new Promise((resolve) =>
        setTimeout(resolve, 5 + Math.random() * Math.min(50, 5 * attempt)),
      );
    }
  }

  /** A lock whose owner died (same machine) or that is older than `staleLockMs` is removed. */
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
    const old = Date.now() - stat.mtimeMs > this.staleLockMs;
    const dead =
      owner.host === os.hostname() && typeof owner.pid === 'number' && !isAlive(owner.pid);
    if (!old && !dead) return false;

    // Rename first, so two windows that both judged it stale cannot remove each other's new lock:
    // only one rename of this exact file succeeds, and a lock that changed meanwhile goes back.
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
