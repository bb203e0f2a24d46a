import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BurstTable } from '../../../src/core/logs/bursts';
import { assertLinear } from '../../support/growth';
import {
  expectedBursts,
  fed,
  joinedFromRight,
  joinedInOrder,
  seeded,
  sorted,
  type Response,
} from './burstOracle';
import { summarizeFixture } from './helpers';

const START = Date.UTC(2026, 10, 1);
const DAY_MS = 86_400_000;

/** A table fed one address's 401s every `everyMs` for `days`. */
function steady(everyMs: number, days: number): BurstTable {
  const table = new BurstTable();
  for (let t = START; t < START + days * DAY_MS; t += everyMs) table.add('198.51.100.7', t, 401);
  return table;
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
    assertLinear(
      (days) => days,
      (days) => steady(30_000, days),
      2,
    );
  });
});

/**
 * Three days of one address refused every 20 to 40 s (gaps of 4 and of 12 minutes, a few
 * minutes of 25), another every 70 s, a third in short spells, a fourth dense and sparse by
 * turns; lines a little out of order.
 */
function longLog(): Response[] {
  const rng = seeded(4242);
  const out: Response[] = [];
  const statuses = [401, 401, 401, 403, 422];
  const status = (): number => statuses[Math.floor(rng() * statuses.length)];
  for (let t = START; t < START + 3 * DAY_MS; t += 15_000 + rng() * 15_000) {
    const hour = Math.floor((t - START) / 3_600_000);
    if (hour === 20 && (t - START) % 3_600_000 < 4 * 60_000) continue;
    if (hour === 41 && (t - START) % 3_600_000 < 12 * 60_000) continue;
    out.push({ ip: '198.51.100.1', time: Math.round(t), status: status() });
    if (rng() < 0.01) {
      for (let k = 0; k < 25; k++) {
        out.push({ ip: '198.51.100.1', time: Math.round(t + k), status: 403 });
      }
    }
  }
  for (let t = START; t < START + 3 * DAY_MS; t += 70_000) {
    out.push({ ip: '198.51.100.2', time: t, status: 401 });
  }
  // Each hour, 40 minutes refused every 15 to 30 s, then 20 about once a minute: the sparse
  // responses next to the dense ones are in windows that reach into them.
  for (let t = START; t < START + 3 * DAY_MS;) {
    const dense = (t - START) % 3_600_000 < 40 * 60_000;
    out.push({ ip: '198.51.100.4', time: Math.round(t), status: status() });
    t += dense ? 15_000 + rng() * 15_000 : 50_000 + rng() * 9_000;
  }
  for (let t = START; t < START + 3 * DAY_MS; t += 3_600_000) {
    for (let k = 0; k < 12; k++) {
      out.push({ ip: '198.51.100.3', time: t + k * 25_000, status: 422 });
    }
  }
  out.sort((a, b) => a.time - b.time);
  // A line logged a few seconds late now and then.
  for (let i = 1; i < out.length; i += 97) [out[i - 1], out[i]] = [out[i], out[i - 1]];
  return out;
}

describe('long bursts folded as they go', () => {
  it('a client refused every 30 s for a month is one burst of every response', () => {
    // 43,200 minutes: past the table's cap, which used to drop all but the last days.
    const [burst, ...more] = steady(30_000, 30).entries();
    assert.deepEqual(more, []);
    assert.equal(burst.count, 30 * 2880);
    assert.equal(burst.from, new Date(START).toISOString());
  });

  it('count as every response counted one by one, read whole or in parts', () => {
    const log = longLog();
    const expected = expectedBursts(log);
    assert.ok(
      expected.some((b) => b.count > 5000),
      JSON.stringify(expected.map((b) => b.count)),
    );
    assert.ok(expected.length >= 3);
    const whole = fed(log);
    assert.deepEqual(sorted(whole.entries()), expected);
    // The middle of the long bursts was folded, or this test would prove little; the hourly
    // spells are bursts of their own, kept whole.
    const buckets = [...whole.snapshot().buckets.values()];
    const kept = buckets.filter((b) => b.ip === '198.51.100.1').length;
    assert.ok(kept < 150, `${kept} minutes of the long bursts kept`);
    assert.ok(buckets.some((b) => b.through !== undefined && b.count > 3000));

    const rng = seeded(7);
    const cutSets = [[1], [log.length - 1], [Math.floor(log.length / 2)]];
    for (let k = 0; k < 6; k++) {
      const a = Math.floor(rng() * log.length);
      const b = Math.floor(rng() * log.length);
      cutSets.push([a], [Math.min(a, b), Math.max(a, b)]);
    }
    for (const cuts of cutSets) {
      const bounds = [0, ...cuts, log.length];
      const parts = bounds.slice(1).map((end, i) => log.slice(bounds[i], end));
      assert.deepEqual(joinedInOrder(parts), expected, `cut at ${cuts}`);
      assert.deepEqual(joinedFromRight(parts), expected, `cut at ${cuts}, from the right`);
    }
  });
});

/** A host's log: `GET /api` refused with 401 for one address every `everyMs` from `from`. */
function refusedLog(from: number, hours: number, everyMs: number): string {
  let out = '';
  for (let t = from, n = 0; t < from + hours * 3_600_000; t += everyMs, n++) {
    const at = new Date(t).toISOString();
    const prefix = `I, [${at.slice(0, 23)}000 #1]  INFO -- : [${String(n).padStart(16, '0')}] `;
    out +=
      `${prefix}Started GET "/api" for 198.51.100.9 at ${at.slice(0, 19).replace('T', ' ')} ` +
      `+0000\n${prefix}Processing by ApiController#index as JSON\n` +
      `${prefix}Completed 401 Unauthorized in 1ms (ActiveRecord: 0.0ms)\n`;
  }
  return out;
}

describe('logs of the same hours read one after another', () => {
  it('a response inside a folded run counts in its burst, and late ones are counted', () => {
    // Two hosts' logs, the second of two hours in the middle of the first's six, each refusing
    // the address every 20 s: the second host's responses fall inside a folded run.
    const every = (from: number, hours: number): Response[] =>
      Array.from({ length: hours * 180 }, (_, k) => ({
        ip: '198.51.100.9',
        time: from + k * 20_000,
        status: 401,
      }));
    const hosts = [every(START, 6), every(START + 2 * 3_600_000 + 10_000, 2)];
    const table = fed([...hosts[0], ...hosts[1]]);
    assert.deepEqual(sorted(table.entries()), expectedBursts([...hosts[0], ...hosts[1]]));
    assert.equal(table.entries()[0].count, 8 * 180);
    assert.ok(table.behind > 300, `${table.behind} behind`);
  });

  it('the summary warns when bursts may be counted short', async () => {
    // Each host alone refuses the address once a minute, never 10 in 5 minutes; together twice.
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bursts-'));
    try {
      const files = ['web1.log', 'web2.log'].map((name) => path.join(folder, name));
      await fs.writeFile(files[0], refusedLog(START, 3, 60_000));
      await fs.writeFile(files[1], refusedLog(START + 30_000, 3, 60_000));
      const summary = await summarizeFixture(files);
      assert.equal(summary.requests.total, 2 * 180);
      const warning = summary.warnings.find((w) => w.includes('behind later lines'));
      assert.match(warning ?? '', /^401\/403\/422 responses came more than 10 minutes/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
