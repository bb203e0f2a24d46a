import * as assert from 'node:assert/strict';
import { BurstTable } from '../../../src/core/logs/bursts';

const START = Date.UTC(2026, 10, 1);
const DAY_MS = 86_400_000;

/** A table fed one address's 401s every `everyMs` for `days`. */
function steady(everyMs: number, days: number): BurstTable {
  const table = new BurstTable();
  for (let t = START; t < START + days * DAY_MS; t += everyMs) table.add('198.51.100.7', t, 401);
  return table;
}

/** The least CPU time of three runs of `work`, in ms. */
function cpuMs(work: () => void): number {
  let least = Infinity;
  for (let run = 0; run < 3; run++) {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

describe('burst table over long logs', () => {
  it('a client refused every 70 s for a month: no burst, and only recent minutes are kept', () => {
    // 4 or 5 a 5 minutes, never 10: each minute can be forgotten once its neighbours are known.
    const table = steady(70_000, 30);
    assert.deepEqual(table.entries(), []);
    const kept = table.snapshot().buckets.size;
    assert.ok(kept < 40, `${kept} minutes kept`);
  });

  it('a client refused every 30 s for a week is one burst, at a cost linear in its length', () => {
    const week = steady(30_000, 7);
    const [burst, ...more] = week.entries();
    assert.deepEqual(more, []);
    assert.equal(burst.count, 7 * 2880);
    assert.equal(burst.from, new Date(START).toISOString());
    assert.equal(burst.to, new Date(START + 7 * DAY_MS - 30_000).toISOString());
    // Four times the log, about four times the work; judging every kept minute again at
    // every prune made it about 25 times.
    steady(30_000, 1);
    const short = cpuMs(() => steady(30_000, 2));
    const long = cpuMs(() => steady(30_000, 8));
    assert.ok(long / short < 10, `${(long / short).toFixed(1)}x the time for 4x the log`);
  });
});
