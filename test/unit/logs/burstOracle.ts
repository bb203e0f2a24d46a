/**
 * The burst table's tests' common parts: a one-by-one count of bursts to compare the table
 * with, and a log's parts read by tables of their own and joined as the log readers join them.
 */
import { BurstTable, type BurstTableState } from '../../../src/core/logs/bursts';
import type { BurstEntry } from '../../../src/core/logs/summaryTypes';

export interface Response {
  ip: string;
  time: number;
  status: number;
}

export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** The bursts counted from every response, with nothing forgotten or folded. */
export function expectedBursts(responses: Response[]): BurstEntry[] {
  const out: BurstEntry[] = [];
  // Other statuses are no failures.
  const failed = responses.filter((r) => r.status === 401 || r.status === 403 || r.status === 422);
  const ips = [...new Set(failed.map((r) => r.ip))];
  for (const ip of ips) {
    const mine = failed.filter((r) => r.ip === ip).sort((a, b) => a.time - b.time);
    const depth = new Int32Array(mine.length + 1);
    for (let i = 0, j = 0; i < mine.length; i++) {
      while (j + 1 < mine.length && mine[j + 1].time <= mine[i].time + 300_000) j++;
      if (j - i + 1 >= 10) {
        depth[i]++;
        depth[j + 1]--;
      }
    }
    let inside = 0;
    let first = -1;
    let last = -1;
    const close = (): void => {
      if (first < 0) return;
      const part = mine.slice(first, last + 1);
      const statuses: Record<string, number> = {};
      for (const r of part) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const iso = (t: number): string => new Date(t).toISOString();
      out.push({
        ip,
        from: iso(mine[first].time),
        to: iso(mine[last].time),
        count: part.length,
        statuses,
      });
    };
    for (let i = 0; i < mine.length; i++) {
      inside += depth[i];
      if (inside <= 0) continue;
      if (first < 0 || mine[i].time - mine[last].time > 300_000) {
        close();
        first = i;
      }
      last = i;
    }
    close();
  }
  return sorted(out);
}

export function sorted(entries: BurstEntry[]): BurstEntry[] {
  return entries.sort((a, b) => a.ip.localeCompare(b.ip) || a.from.localeCompare(b.from));
}

export function fed(responses: Response[]): BurstTable {
  const table = new BurstTable();
  for (const r of responses) table.add(r.ip, r.time, r.status);
  return table;
}

/** A table's state as a worker thread hands it over. */
export function wire(table: BurstTable): BurstTableState {
  return structuredClone(table.snapshot());
}

/** The bursts of the parts' tables joined in order, as the first range's reader absorbs. */
export function joinedInOrder(parts: Response[][]): BurstEntry[] {
  const first = fed(parts[0]);
  for (const part of parts.slice(1)) first.absorb(wire(fed(part)));
  return sorted(first.entries());
}

/** The same joined from the right, each into an empty table, as the main thread joins them. */
export function joinedFromRight(parts: Response[][]): BurstEntry[] {
  let tail = wire(fed(parts[parts.length - 1]));
  for (let i = parts.length - 2; i >= 0; i--) {
    const joined = new BurstTable();
    joined.absorb(wire(fed(parts[i])));
    joined.absorb(tail);
    tail = wire(joined);
  }
  const last = new BurstTable();
  last.absorb(tail);
  return sorted(last.entries());
}
