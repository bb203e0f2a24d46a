/**
 * Keeps check results between runs: the latest per check and a bounded history, in memory and,
 * when given a file, on disk as JSON.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CheckResult, ResultLog } from './types';

const HISTORY_PER_CHECK = 50;

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
    for (const result of results) {
      const history = this.byCheck.get(result.checkId) ?? [];
      history.push(result);
      if (history.length > HISTORY_PER_CHECK) history.splice(0, history.length - HISTORY_PER_CHECK);
      this.byCheck.set(result.checkId, history);
    }
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

  /** Loads persisted histories without notifying listeners (nothing new happened). */
  protected restore(histories: Record<string, CheckResult[]>): void {
    for (const [checkId, history] of Object.entries(histories)) {
      if (!Array.isArray(history)) continue;
      const valid = history.filter((r) => r && typeof r.checkId === 'string' && r.outcome);
      if (valid.length) this.byCheck.set(checkId, valid.slice(-HISTORY_PER_CHECK));
    }
  }
}

interface StoredResults {
  version: 1;
  results: Record<string, CheckResult[]>;
}

/**
 * A MemoryResultLog mirrored to a JSON file, so results survive a reload. Writes are atomic
 * (a temporary file renamed over the old one) and serialized; a file that cannot be read is set
 * aside as `<file>.unreadable-<time>` rather than overwritten, so nothing the user had is lost.
 * The editor keeps it under the extension's workspace storage; the CLI only with `--save`.
 */
export class FileResultLog extends MemoryResultLog {
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly file: string) {
    super();
  }

  static async open(file: string, onProblem?: (message: string) => void): Promise<FileResultLog> {
    const log = new FileResultLog(file);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        onProblem?.(`cannot read ${file}: ${(error as Error).message}`);
      }
    }
    if (text === undefined) return log;

    try {
      const stored = JSON.parse(text) as StoredResults;
      if (stored?.version !== 1 || typeof stored.results !== 'object') {
        throw new Error('unknown shape');
      }
      log.restore(stored.results);
    } catch (error) {
      const aside = `${file}.unreadable-${Date.now()}`;
      await fs.rename(file, aside).catch(() => undefined);
      onProblem?.(`${file} was not readable (${(error as Error).message}); kept it as ${aside}`);
    }
    return log;
  }

  override async record(results: CheckResult[]): Promise<void> {
    await super.record(results);
    const write = this.writing.then(() => this.save());
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async save(): Promise<void> {
    const stored: StoredResults = { version: 1, results: this.snapshot() };
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(stored, null, 1) + '\n', 'utf8');
    await fs.rename(temporary, this.file);
  }
}
