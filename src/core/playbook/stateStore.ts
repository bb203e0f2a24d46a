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
 * (or was hand-broken) is moved aside as `state.json.corrupt-<time>`, reported, and never written
 * over. A file a newer Upkeep wrote (a higher version) is not broken: it is refused, left where it
 * is, until Upkeep is updated; so is one with git merge conflict markers, until the merge is
 * resolved (moved aside, git would show it deleted mid-merge, and both sides' ticks were lost).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser/lib/esm/main.js';
import type { ParseError } from 'jsonc-parser/lib/esm/main.js';
import { UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { silentLogger } from '../util/logger';
import { FileLock } from '../util/fileLock';
import { folderOutside } from '../util/paths';
import { readTextFileLimited, replaceFile } from '../util/textFile';
import { makeFolder } from '../util/makeFolder';
import type { PlaybookState } from './state';
import {
  emptyState,
  newerStateVersion,
  normalizeState,
  STATE_VERSION,
  validateState,
} from './state';

/** Where the repo variant of the state lives, relative to the workspace folder. */
export const REPO_STATE_FILE = '.upkeep/state.json';
const STATE_FILE_NAME = 'state.json';

/**
 * Years of history for every task stay far below this; a larger file is treated as broken
 * (moved aside, never written over) rather than read.
 */
const MAX_STATE_BYTES = 64 * 1024 * 1024;

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

interface StateStoreOptions {
  file: string;
  /**
   * The workspace, for the repo's file: its folder must resolve inside it. A repo, maybe
   * untrusted, can commit `.upkeep` as a link to a folder of the user's, where a broken
   * `state.json` would be moved aside and a new one written.
   */
  root?: string;
  log?: Logger;
  /** A lock older than this is from a crashed writer and is taken over. */
  staleLockMs?: number;
  /** How long to wait for another writer before giving up. */
  lockTimeoutMs?: number;
  /** Told when a broken file was found and moved aside. */
  onCorrupt?: (report: CorruptStateReport) => void;
}

export class StateStore {
  readonly file: string;
  private readonly root?: string;
  private readonly lock: FileLock;
  private readonly log: Logger;
  private readonly onCorrupt?: (report: CorruptStateReport) => void;
  /** Changes of this process, one after another, so they never race for the lock themselves. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: StateStoreOptions) {
    this.file = options.file;
    this.root = options.root;
    this.log = options.log ?? silentLogger;
    this.lock = new FileLock(`${options.file}.lock`, {
      staleMs: options.staleLockMs,
      timeoutMs: options.lockTimeoutMs,
      log: this.log,
    });
    this.onCorrupt = options.onCorrupt;
  }

  /** The current state; an empty one when there is no file yet or it was broken (and moved). */
  async read(): Promise<PlaybookState> {
    await this.refuseFolderOutside();
    const found = await readStateFile(this.file);
    if (found.ok) return found.state;
    if (found.newer !== undefined) throw this.newerError(found.newer);
    if (found.conflict) throw this.conflictError();
    // Moving a broken file aside is a change: do it under the lock, on what is there then.
    return this.serialize(() =>
      this.lock.withLock(async () => (await this.readOrQuarantine()).state),
    );
  }

  /** Applies `change` to the freshest state and writes the result; returns what was written. */
  async update(change: (state: PlaybookState) => void): Promise<PlaybookState> {
    await this.refuseFolderOutside();
    return this.serialize(() =>
      this.lock.withLock(async () => {
        const { state } = await this.readOrQuarantine();
        change(state);
        await this.writeAtomically(state);
        return state;
      }),
    );
  }

  /** Refuses a state folder that resolves outside `root`, before anything is read or made. */
  private async refuseFolderOutside(): Promise<void> {
    if (this.root === undefined) return;
    const folder = path.dirname(this.file);
    const outside = await folderOutside(this.root, folder);
    if (outside === undefined) return;
    throw new UpkeepError(
      'refused',
      `${path.basename(folder)} links to ${outside}, outside the workspace; the checklist ` +
        'state is neither read nor written there.',
      'Remove the link, or point it inside the workspace.',
    );
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads under the lock; a broken file is renamed to a backup and reported. */
  private async readOrQuarantine(): Promise<{ state: PlaybookState }> {
    const found = await readStateFile(this.file);
    if (found.ok) return { state: found.state };
    // A newer Upkeep's file is no broken one: moved aside, the team would lose what it keeps.
    if (found.newer !== undefined) throw this.newerError(found.newer);
    if (found.conflict) throw this.conflictError();

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

  private newerError(version: number): UpkeepError {
    return new UpkeepError(
      'refused',
      `${this.file} was written by a newer version of Upkeep (state version ${version}; this ` +
        `one reads version ${STATE_VERSION}); it is left as it is, neither read, moved aside ` +
        'nor written.',
      'Update Upkeep to read and change the checklist state kept there.',
    );
  }

  private conflictError(): UpkeepError {
    return new UpkeepError(
      'refused',
      `${this.file} has git merge conflict markers; it is left as it is, neither read, moved ` +
        'aside nor written, until the merge is resolved.',
      'Resolve the conflict, keeping the tasks and history of both sides, and save the file: ' +
        'the checklist reads it again.',
    );
  }

  private async writeAtomically(state: PlaybookState): Promise<void> {
    await makeFolder(path.dirname(this.file));
    await replaceFile(this.file, `${JSON.stringify(state, null, 2)}\n`, { sync: true });
  }
}

/** What reading a state file found: its state (empty when there is none), or why it is broken. */
export type StateFileRead =
  | { ok: true; state: PlaybookState; missing?: true }
  | {
      ok: false;
      reason: string;
      /** The version of a newer Upkeep's file. */
      newer?: number;
      /** The file has git merge conflict markers: a merge to resolve, not a broken file. */
      conflict?: true;
    };

/**
 * Reads and checks a state file without changing anything: a broken file is reported, not moved
 * aside. The store reads through it; `upkeep status` reads the repo's file with it alone.
 */
export async function readStateFile(file: string): Promise<StateFileRead> {
  let text: string | undefined;
  try {
    // The repo variant can be committed as a symlink to /dev/zero or a FIFO: never read those.
    text = await readTextFileLimited(file, MAX_STATE_BYTES);
  } catch (error) {
    if (UpkeepError.is(error)) return { ok: false, reason: error.message };
    throw new UpkeepError(
      'internal',
      `Cannot read ${file}: ${(error as Error).message}`,
      'Check that this user may read the file and its folder; nothing was changed.',
      { cause: error },
    );
  }
  if (text === undefined) return { ok: true, state: emptyState(), missing: true };
  if (text.trim() === '') return { ok: false, reason: 'the file is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the text, and the file may be a link to something private.
    if (/^(<<<<<<<|>>>>>>>|=======)/m.test(text)) {
      return { ok: false, reason: 'not valid JSON (git merge conflict markers)', conflict: true };
    }
    const where = jsonErrorPlace(text);
    return { ok: false, reason: `not valid JSON${where ? ` (${where})` : ''}` };
  }
  const invalid = validateState(parsed);
  if (invalid) {
    const newer = newerStateVersion(parsed);
    return newer === undefined
      ? { ok: false, reason: invalid }
      : { ok: false, reason: invalid, newer };
  }
  try {
    // JSON.parse reads any depth, JSON.stringify recurses: a field of its own nested 100,000
    // deep would make every later write of this state fail.
    JSON.stringify(parsed);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { ok: false, reason: 'it nests too deeply to be written back' };
  }
  return { ok: true, state: normalizeState(parsed as PlaybookState) };
}

/** Where `text` stops being JSON, as `line 2, column 5`, without quoting any of it. */
function jsonErrorPlace(text: string): string | undefined {
  const errors: ParseError[] = [];
  try {
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch {
    // This parser recurses once per level: a file nested thousands deep is left unplaced.
    return undefined;
  }
  const offset = errors[0]?.offset;
  if (offset === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}
