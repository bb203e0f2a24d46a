/**
 * Keeps check results between runs: the latest per check and a bounded history, in memory and,
 * when given a file, on disk as JSON.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError } from '../util/errors';
import { FileLock } from '../util/fileLock';
import { isRecord } from '../util/isRecord';
import { readTextFileLimited, replaceFile } from '../util/textFile';
import { makeFolder } from '../util/makeFolder';
import { CANCELLED_SUMMARY, NOT_STARTED_SUMMARY, UNTRUSTED_SUMMARY } from './runner';
import type { CheckResult, ResultLog } from './types';

export const HISTORY_PER_CHECK = 50;
/** Fifty results of every check are a few megabytes; a larger file is not a results file. */
export const MAX_RESULTS_BYTES = 64 * 1024 * 1024;

export class MemoryResultLog implements ResultLog {
  private readonly byCheck = new Map<string, CheckResult[]>();
  private readonly listeners = new Set<(results: CheckResult[]) => void>();

  latest(checkId: string): CheckResult | undefined {
    return this.byCheck.get(checkId)?.at(-1);
  }

  allLatest(): CheckResult[] {
    return [...this.byCheck.values()].map((history) => history[history.length - 1]);
  }

  history(checkId: string): CheckResult[] {
    return [...(this.byCheck.get(checkId) ?? [])];
  }

  async record(results: CheckResult[]): Promise<void> {
    const kept = results.filter(isKept);
    for (const result of kept) {
      const history = this.byCheck.get(result.checkId) ?? [];
      history.push(result);
      if (history.length > HISTORY_PER_CHECK) history.splice(0, history.length - HISTORY_PER_CHECK);
      this.byCheck.set(result.checkId, history);
    }
    if (kept.length) this.notify(kept);
  }

  protected notify(results: CheckResult[]): void {
    for (const listener of this.listeners) listener(results);
  }

  onDidChange(listener: (results: CheckResult[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every check's history, for persisting. */
  protected snapshot(): Record<string, CheckResult[]> {
    return Object.fromEntries(this.byCheck);
  }

  /** Loads persisted histories older than anything recorded so far; does not notify. */
  protected restore(histories: Record<string, CheckResult[]>): void {
    for (const [checkId, history] of Object.entries(histories)) {
      const valid = validResults(history);
      if (valid.length) this.byCheck.set(checkId, valid.slice(-HISTORY_PER_CHECK));
    }
  }

  /**
   * Adds the results another writer kept meanwhile: each history becomes both, once each, in
   * the order they started. Does not notify (they are other runs' results).
   */
  protected merge(histories: Record<string, CheckResult[]>): void {
    for (const [checkId, history] of Object.entries(histories)) {
      const ours = this.byCheck.get(checkId) ?? [];
      const merged = mergeHistory(ours, validResults(history));
      if (merged !== ours) this.byCheck.set(checkId, merged);
    }
  }
}

/**
 * One check's history from two logs: each result once, in the order they started, the newest
 * `HISTORY_PER_CHECK` kept.
 */
export function mergeHistory(ours: CheckResult[], theirs: CheckResult[]): CheckResult[] {
  const seen = new Set(ours.map(identity));
  const added = theirs.filter((result) => !seen.has(identity(result)));
  if (!added.length) return ours;
  // ISO times: text order is time order.
  const merged = [...ours, ...added].sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0,
  );
  return merged.slice(-HISTORY_PER_CHECK);
}

function validResults(history: unknown): CheckResult[] {
  if (!Array.isArray(history)) return [];
  return (history as CheckResult[])
    .filter((r) => r && typeof r.checkId === 'string' && r.outcome)
    .map(withFlagsFromSummary)
    .filter(isKept);
}

/**
 * Whether a result belongs in the kept results. A check the run's cancel stopped found nothing:
 * kept, it would become the check's latest result, hide the last real one (its outcome, figures
 * and time) and count as a run of the check at that time. The run's own report still lists it.
 */
export function isKept(result: CheckResult): boolean {
  return !result.cancelled;
}

/** What the check engine named a check a cancel stopped, before results had `cancelled`. */
const CANCELLED_BEFORE_THE_FIELD: ReadonlySet<string> = new Set([
  CANCELLED_SUMMARY,
  NOT_STARTED_SUMMARY,
]);

/**
 * A result read from a file, with `cancelled` or `waitsForTrust` also when an older Upkeep kept
 * it: that one said so only by its summary, with the outcome `skipped`.
 */
export function withFlagsFromSummary(result: CheckResult): CheckResult {
  if (result.outcome !== 'skipped' || result.cancelled !== undefined) return result;
  if (result.waitsForTrust !== undefined) return result;
  if (CANCELLED_BEFORE_THE_FIELD.has(result.summary)) return { ...result, cancelled: true };
  return result.summary === UNTRUSTED_SUMMARY ? { ...result, waitsForTrust: true } : result;
}

/** One result of one run: the same check does not start twice in the same millisecond. */
function identity(result: CheckResult): string {
  return `${result.checkId}\u0000${result.startedAt}\u0000${result.outcome}`;
}

interface StoredResults {
  version: 1;
  results: Record<string, CheckResult[]>;
}

/** The version of a results file a newer Upkeep wrote (a whole number above 1), else undefined. */
function newerResultsVersion(stored: unknown): number | undefined {
  const version = isRecord(stored) ? stored.version : undefined;
  return typeof version === 'number' && Number.isSafeInteger(version) && version > 1
    ? version
    : undefined;
}

function newerResultsError(file: string, version: number): UpkeepError {
  return new UpkeepError(
    'refused',
    `${file} was written by a newer version of Upkeep (results version ${version}; this one ` +
      'reads version 1); it is left as it is.',
    'Update Upkeep, or give --save another file.',
  );
}

/**
 * A MemoryResultLog mirrored to a JSON file, so results survive a reload. Writes are atomic
 * (a temporary file renamed over the old one) and serialized; a file that cannot be read is set
 * aside as `<file>.unreadable-<time>` rather than overwritten, so nothing the user had is lost;
 * one a newer Upkeep wrote is left where it is, neither read nor written.
 * The editor keeps it under the extension's workspace storage; the CLI writes it only with
 * `--save`, and otherwise reads it through `FileResultLog.read`, which never writes.
 */
export class FileResultLog extends MemoryResultLog {
  private writing: Promise<void> = Promise.resolve();
  private readonly lock: FileLock;
  /** The version of the file when a newer Upkeep wrote it: then it is neither read nor written. */
  private newerVersion: number | undefined;
  /** Settles when the file has been read; `record` waits for it so nothing is overwritten. */
  readonly ready: Promise<void>;

  private constructor(
    readonly file: string,
    onProblem?: (message: string) => void,
    /** Never renames, rewrites or creates the file: results recorded stay in memory. */
    readonly readOnly = false,
  ) {
    super();
    this.lock = new FileLock(`${file}.lock`, { others: 'Another Upkeep run' });
    this.ready = this.load(onProblem);
  }

  /** Starts reading the file and returns at once (the editor builds its services synchronously). */
  static create(file: string, onProblem?: (message: string) => void): FileResultLog {
    return new FileResultLog(file, onProblem);
  }

  /** Reads the file first; a folder in its place is a `config` error (the CLI's `--save DIR`). */
  static async open(file: string, onProblem?: (message: string) => void): Promise<FileResultLog> {
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isDirectory()) {
      throw new UpkeepError(
        'config',
        `${file} is a folder; results are kept in a file.`,
        'Give --save a file name, or no name for .upkeep/results.json.',
      );
    }
    // A file where a folder of the path should be: found now, not after the run.
    for (let folder = path.dirname(file); !stat; folder = path.dirname(folder)) {
      const found = await fs.stat(folder).catch(() => undefined);
      if (found && !found.isDirectory()) {
        throw new UpkeepError('config', `${file} cannot be created: ${folder} is a file.`);
      }
      if (found || path.dirname(folder) === folder) break;
    }
    // The write renames a new file over the path, which replaces a link (Capistrano's
    // linked_files) rather than writing where it leads; following it would let a repo point
    // the write at any file. Said, so the shared file is not left behind unnoticed.
    if ((await fs.lstat(file).catch(() => undefined))?.isSymbolicLink()) {
      const target = path.resolve(path.dirname(file), await fs.readlink(file));
      onProblem?.(
        `${file} is a symbolic link to ${target}; saving replaces the link with a file of its ` +
          `own. To keep the results there, give --save ${target}.`,
      );
    }
    const log = new FileResultLog(file, onProblem);
    await log.ready;
    // Refused before any check runs, as the run's results could not be kept there.
    if (log.newerVersion !== undefined) throw newerResultsError(file, log.newerVersion);
    return log;
  }

  /**
   * Reads the file, if there, and never touches it: no rename of a broken file (it is reported
   * and left as it is), no write, no folder created. `upkeep check` without `--save` reads the
   * results kept by earlier runs (the recovery drill's record) this way.
   */
  static async read(file: string, onProblem?: (message: string) => void): Promise<FileResultLog> {
    const log = new FileResultLog(file, onProblem, true);
    await log.ready;
    return log;
  }

  private async load(onProblem?: (message: string) => void): Promise<void> {
    let text: string | undefined;
    try {
      // `--save` reads the repo's .upkeep/results.json: a link to /dev/zero or a FIFO there is
      // refused unread (readTextFileLimited), then set aside like a file that does not parse.
      text = await readTextFileLimited(this.file, MAX_RESULTS_BYTES);
    } catch (error) {
      if (!UpkeepError.is(error)) {
        onProblem?.(`cannot read ${this.file}: ${(error as Error).message}`);
        return;
      }
      if (this.readOnly) {
        onProblem?.(`${error.message}; left as it is, and no earlier result was read from it`);
        return;
      }
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await fs.rename(this.file, aside).catch(() => undefined);
      onProblem?.(`${error.message}; kept it as ${aside}`);
      return;
    }
    if (text === undefined) return;

    try {
      const stored = JSON.parse(text) as StoredResults;
      const newer = newerResultsVersion(stored);
      if (newer !== undefined) {
        // Not broken: a newer Upkeep's. Moved aside or replaced, it would be lost to that one.
        this.newerVersion = newer;
        if (this.readOnly) {
          onProblem?.(`${newerResultsError(this.file, newer).message} No earlier result was read.`);
        }
        return;
      }
      if (stored?.version !== 1 || typeof stored.results !== 'object') {
        throw new Error('unknown shape');
      }
      this.restore(stored.results);
    } catch (error) {
      if (this.readOnly) {
        onProblem?.(
          `${this.file} is not readable (${(error as Error).message}); ` +
            'left as it is, and no earlier result was read from it',
        );
        return;
      }
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await fs.rename(this.file, aside).catch(() => undefined);
      onProblem?.(
        `${this.file} was not readable (${(error as Error).message}); kept it as ${aside}`,
      );
      return;
    }
    // Whoever drew before the file was read (the tree) draws again with the kept results.
    this.notify(this.allLatest());
  }

  override async record(results: CheckResult[]): Promise<void> {
    await this.ready;
    await super.record(results);
    if (this.readOnly) return;
    const write = this.writing.then(() => this.save());
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async save(): Promise<void> {
    // Two cron runs with --save (the daily and the weekly tier at the same minute) each re-read
    // the file under its lock and keep the other's results.
    await this.lock.withLock(async () => {
      const kept = await this.readKept();
      if (kept) this.merge(kept);
      await this.writeAtomically();
    });
  }

  /** The histories in the file now, or undefined when there is none or it is broken. */
  private async readKept(): Promise<Record<string, CheckResult[]> | undefined> {
    let text: string | undefined;
    try {
      text = await readTextFileLimited(this.file, MAX_RESULTS_BYTES);
    } catch {
      return undefined;
    }
    if (text === undefined) return undefined;
    let stored: StoredResults;
    try {
      stored = JSON.parse(text) as StoredResults;
    } catch {
      return undefined;
    }
    const newer = newerResultsVersion(stored);
    if (newer !== undefined) throw newerResultsError(this.file, newer);
    return stored?.version === 1 && stored.results && typeof stored.results === 'object'
      ? stored.results
      : undefined;
  }

  private async writeAtomically(): Promise<void> {
    const stored: StoredResults = { version: 1, results: this.snapshot() };
    await makeFolder(path.dirname(this.file));
    await replaceFile(this.file, JSON.stringify(stored, null, 1) + '\n');
  }
}
