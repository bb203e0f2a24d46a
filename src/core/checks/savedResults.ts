/**
 * The results `upkeep check --save` and `upkeep drill --save` keep in the workspace, read for the
 * editor without trusting them, and a result log that shows for each check the newest result of
 * the editor's own log and of that file. The file is only ever read here: never written,
 * renamed or created.
 */
import { promises as fs } from 'node:fs';
import { ID_PATTERN } from '../playbook/loader';
import { UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { plural } from '../util/plural';
import { startOf } from '../util/printable';
import { readTextFileLimited } from '../util/textFile';
import {
  HISTORY_PER_CHECK,
  isKept,
  withFlagsFromSummary,
  MAX_RESULTS_BYTES,
  mergeHistory,
} from './resultLog';
import type { CheckResult, Finding, MeasuredValue, ResultLog, ResultOrigin } from './types';
import { isRecord } from '../util/isRecord';

/** Where `--save` keeps results, relative to the workspace, when it is given no file. */
export const SAVED_RESULTS_FILE = '.upkeep/results.json';

/** A clock a few minutes apart from the CLI's host is fine; a result from next year is not. */
const FUTURE_SLACK_MS = 10 * 60 * 1000;
const OUTCOMES: ReadonlySet<string> = new Set(['pass', 'warn', 'fail', 'error', 'skipped']);
const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info']);
/** Beyond what any check writes; a longer text is cut, so one result cannot swamp a tooltip. */
const LIMITS = { id: 200, title: 300, summary: 2000, details: 20_000, findings: 500 };

export interface SavedResults {
  /** Each check's valid results, older first, the newest `HISTORY_PER_CHECK` of them. */
  histories: Map<string, CheckResult[]>;
  /** False when there is no file (nor a folder `.upkeep`). */
  found: boolean;
  /** What was wrong, one line each, naming the file but quoting nothing from it. */
  problems: string[];
}

/**
 * Reads a results file as `FileResultLog` writes it, keeping only results of the shape it writes:
 * a known outcome, a real time not in the future, texts that are texts. Never throws for what the
 * file holds; a missing file is no problem.
 */
export async function readSavedResults(
  file: string,
  options: { now: Date; label?: string },
): Promise<SavedResults> {
  const label = options.label ?? file;
  const histories = new Map<string, CheckResult[]>();
  let text: string | undefined;
  try {
    text = await readTextFileLimited(file, MAX_RESULTS_BYTES);
  } catch (error) {
    const reason = UpkeepError.is(error)
      ? error.message.replace(file, label)
      : `${label} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
    return { histories, found: true, problems: [reason] };
  }
  if (text === undefined) return { histories, found: false, problems: [] };

  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    // The parser's message quotes the text; the file may be a link to something private.
    const what = text.trim() === '' ? 'is empty' : 'is not JSON';
    return { histories, found: true, problems: [`${label} ${what}`] };
  }
  if (!isRecord(stored) || stored.version !== 1 || !isRecord(stored.results)) {
    return {
      histories,
      found: true,
      problems: [`${label} is not a results file of this Upkeep (no version 1 results)`],
    };
  }

  let skipped = 0;
  let future = 0;
  const latestAllowed = options.now.getTime() + FUTURE_SLACK_MS;
  for (const [checkId, history] of Object.entries(stored.results)) {
    if (!Array.isArray(history)) {
      skipped++;
      continue;
    }
    const valid: CheckResult[] = [];
    for (const entry of history as unknown[]) {
      const result = savedResult(entry, checkId);
      if (!result) skipped++;
      else if (Date.parse(result.startedAt) > latestAllowed) future++;
      else if (isKept(result)) valid.push(result);
    }
    if (valid.length) histories.set(checkId, mergeHistory([], valid).slice(-HISTORY_PER_CHECK));
  }

  const problems: string[] = [];
  if (skipped) {
    problems.push(
      `${label}: ${plural(skipped, 'entry', 'entries')} not shaped as upkeep --save writes ` +
        'results were left out',
    );
  }
  if (future) {
    problems.push(`${label}: ${plural(future, 'result')} dated in the future left out`);
  }
  return { histories, found: true, problems };
}

/** The entry as a result when it has the shape `FileResultLog` writes, its texts bounded. */
function savedResult(entry: unknown, checkId: string): CheckResult | undefined {
  if (!isRecord(entry)) return undefined;
  if (entry.checkId !== checkId || checkId.length > LIMITS.id || !ID_PATTERN.test(checkId)) {
    return undefined;
  }
  const { outcome, startedAt, summary, title, durationMs, details } = entry;
  if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) return undefined;
  if (typeof summary !== 'string' || typeof startedAt !== 'string') return undefined;
  const started = Date.parse(startedAt);
  if (!Number.isFinite(started)) return undefined;
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    return undefined;
  }
  if (details !== undefined && typeof details !== 'string') return undefined;
  if (!Array.isArray(entry.findings ?? [])) return undefined;

  const result: CheckResult = {
    checkId,
    title: typeof title === 'string' && title ? cut(title, LIMITS.title) : checkId,
    outcome: outcome as CheckResult['outcome'],
    summary: cut(summary, LIMITS.summary),
    startedAt: new Date(started).toISOString(),
    durationMs,
  };
  if (details) result.details = cut(details, LIMITS.details);
  const findings = ((entry.findings ?? []) as unknown[]).flatMap(savedFinding);
  if (findings.length) result.findings = findings.slice(0, LIMITS.findings);
  const values = savedValues(entry.values);
  if (values) result.values = values;
  if (entry.configProblem === true) result.configProblem = true;
  if (typeof entry.cancelled === 'boolean') result.cancelled = entry.cancelled;
  if (typeof entry.waitsForTrust === 'boolean') result.waitsForTrust = entry.waitsForTrust;
  return withFlagsFromSummary(result);
}

function savedFinding(entry: unknown): Finding[] {
  if (!isRecord(entry) || typeof entry.message !== 'string') return [];
  if (typeof entry.severity !== 'string' || !SEVERITIES.has(entry.severity)) return [];
  const finding: Finding = {
    message: cut(entry.message, LIMITS.summary),
    severity: entry.severity as Finding['severity'],
  };
  if (typeof entry.file === 'string') finding.file = cut(entry.file, LIMITS.summary);
  if (isPosition(entry.line)) finding.line = entry.line;
  if (isPosition(entry.column)) finding.column = entry.column;
  if (typeof entry.source === 'string') finding.source = cut(entry.source, LIMITS.title);
  if (typeof entry.code === 'string') finding.code = cut(entry.code, LIMITS.title);
  return [finding];
}

function savedValues(values: unknown): Record<string, MeasuredValue> | undefined {
  if (!isRecord(values)) return undefined;
  const kept: Record<string, MeasuredValue> = {};
  for (const [name, value] of Object.entries(values).slice(0, 100)) {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') {
      kept[name] = value;
    } else if (typeof value === 'string') {
      kept[name] = cut(value, LIMITS.summary);
    }
  }
  return Object.keys(kept).length ? kept : undefined;
}

function isPosition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** At most `length` UTF-16 units of `text`, an ellipsis ending a longer one, no emoji halved. */
function cut(text: string, length: number): string {
  return text.length > length ? `${startOf(text, length - 1)}…` : text;
}

/** `mtime:size:inode`, or `missing`: what tells a rewritten file from the one read before. */
async function stampOf(file: string): Promise<string> {
  const stat = await fs.stat(file).catch(() => undefined);
  return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : 'missing';
}

/**
 * The editor's own results and those the command line saved in the workspace, as one log: each
 * check shows the newer of the two latest results, its history holds both. New results go to
 * the editor's own log only. Which results came from the file, `originOf` tells.
 */
export class CombinedResultLog implements ResultLog {
  private saved = new Map<string, CheckResult[]>();
  private fromFile = new WeakSet<CheckResult>();
  private readonly listeners = new Set<(results: CheckResult[]) => void>();
  private stamp: string | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(readonly own: ResultLog) {
    // Listeners get what is shown: a result older than the file's stays behind it.
    own.onDidChange((results) =>
      this.notify(results.map((result) => this.latest(result.checkId) ?? result)),
    );
  }

  latest(checkId: string): CheckResult | undefined {
    const mine = this.own.latest(checkId);
    const theirs = this.saved.get(checkId)?.at(-1);
    if (!mine || !theirs) return mine ?? theirs;
    // The editor's result wins a tie: it is the one this window ran.
    return Date.parse(theirs.startedAt) > Date.parse(mine.startedAt) ? theirs : mine;
  }

  allLatest(): CheckResult[] {
    const ids = new Set([...this.own.allLatest().map((result) => result.checkId)]);
    for (const checkId of this.saved.keys()) ids.add(checkId);
    return [...ids].flatMap((checkId) => this.latest(checkId) ?? []);
  }

  history(checkId: string): CheckResult[] {
    return mergeHistory(this.own.history(checkId), this.saved.get(checkId) ?? []);
  }

  record(results: CheckResult[]): Promise<void> {
    return this.own.record(results);
  }

  onDidChange(listener: (results: CheckResult[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  originOf(result: CheckResult): ResultOrigin {
    return this.fromFile.has(result) ? 'commandLine' : 'editor';
  }

  /**
   * Reads the saved results again when the file changed since the last read (its time, size or
   * inode), and tells the listeners. Problems are logged as warnings; a file that cannot be used
   * shows none of its results, and the editor's own stay. Reads one at a time.
   */
  readSaved(options: { file: string; label: string; log: Logger; now: Date }): Promise<void> {
    const read = this.reading.then(() => this.load(options));
    this.reading = read.catch(() => undefined);
    return read;
  }

  private async load(options: {
    file: string;
    label: string;
    log: Logger;
    now: Date;
  }): Promise<void> {
    const { file, label, log } = options;
    const stamp = await stampOf(file);
    if (stamp === this.stamp) return;
    const first = this.stamp === undefined;
    this.stamp = stamp;

    const read = await readSavedResults(file, { now: options.now, label });
    const shown = read.histories.size
      ? 'its other results are shown'
      : 'the editor shows its own results only';
    for (const problem of read.problems) log.warn(`${problem}; ${shown}`);
    const count = [...read.histories.values()].reduce((sum, history) => sum + history.length, 0);
    if (read.found && count) {
      log.info(
        `${label}: ${plural(count, 'result')} of ${plural(read.histories.size, 'check')} ` +
          'saved by the command line',
      );
    } else if (!read.found && !first) {
      log.info(`${label} is gone; the editor shows its own results`);
    }
    this.replaceSaved(read.histories);
  }

  private replaceSaved(histories: Map<string, CheckResult[]>): void {
    const touched = new Set([...this.saved.keys(), ...histories.keys()]);
    this.saved = histories;
    this.fromFile = new WeakSet([...histories.values()].flat());
    if (!touched.size) return;
    this.notify([...touched].flatMap((checkId) => this.latest(checkId) ?? []));
  }

  private notify(results: CheckResult[]): void {
    for (const listener of this.listeners) listener(results);
  }
}
