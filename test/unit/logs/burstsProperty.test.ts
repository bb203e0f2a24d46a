/**
 * The burst table against a one-by-one count on many seeded random logs: several addresses,
 * dense and sparse stretches from minutes to days, quiet gaps around 5 minutes, minutes of more
 * than 18 responses, lines a few seconds out of order, read whole and in parts joined both ways.
 * A failure names its seed; keep a failing seed as a case of its own once fixed.
 */
import * as assert from 'node:assert/strict';
import type { BurstTableState } from '../../../src/core/logs/bursts';
import type { BurstEntry } from '../../../src/core/logs/summaryTypes';
import {
  expectedBursts,
  fed,
  joinedFromRight,
  joinedInOrder,
  seeded,
  sorted,
  type Response,
} from './burstOracle';

const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
const HOUR = 60 * MINUTE;

/** A generator for a seed; seeds next to each other start far apart. */
function random(seed: number): () => number {
  return seeded(((seed * 48_271) % 2_147_483_646) + 1);
}

interface Shape {
  /** Minutes of the longest dense stretch. */
  longest: number;
  /** Responses of one address at most. */
  budget: number;
}

/** One address's responses from `start`: stretches of kinds picked at random, `budget` in all. */
function addressLog(rng: () => number, ip: string, start: number, shape: Shape): Response[] {
  const out: Response[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
  const mixes = [[401], [401, 401, 403], [401, 403, 422], [422], [401, 200, 404, 403]];
  let mix = pick(mixes);
  const push = (time: number): void => {
    out.push({ ip, time: Math.round(time), status: pick(mix) });
  };
  let t = start + Math.floor(rng() * 10 * MINUTE);
  while (out.length < shape.budget) {
    if (rng() < 0.2) mix = pick(mixes);
    const kind = rng();
    if (kind < 0.3) {
      // Dense: every 5 to 30 s, for minutes or (the long logs) days.
      const minutes = rng() < 0.5 ? 2 + rng() * 20 : rng() * shape.longest;
      const lo = 5_000 + rng() * 20_000;
      const hi = lo + rng() * (30_000 - lo);
      const end = t + minutes * MINUTE;
      while (t < end && out.length < shape.budget) {
        push(t);
        t += lo + rng() * (hi - lo);
      }
    } else if (kind < 0.45) {
      // Sparse: every 40 s to 2 minutes, some 3 to 7 in 5 minutes.
      const end = t + (5 + rng() * 90) * MINUTE;
      while (t < end) {
        push(t);
        t += 40_000 + rng() * 80_000;
      }
    } else if (kind < 0.6) {
      // Quiet for 3 to 7 minutes: around the 5 that end a burst, exactly 5 now and then.
      t += rng() < 0.2 ? WINDOW + pick([-1, 0, 1]) : (3 + rng() * 4) * MINUTE;
    } else if (kind < 0.68) {
      t += (10 + rng() * 300) * MINUTE;
    } else if (kind < 0.78) {
      // A minute of more than 18 (only its ends are kept), some at one time.
      const n = 19 + Math.floor(rng() * 30);
      const spread = rng() < 0.3 ? 0 : rng() * 50_000;
      for (let k = 0; k < n; k++) push(t + rng() * spread);
      t += spread + 1_000;
    } else if (kind < 0.88) {
      // 9, 10 or 11 over just under, exactly or just over 5 minutes.
      const n = 9 + Math.floor(rng() * 3);
      const span = WINDOW + pick([-1_000, 0, 0, 1, 1_000]);
      for (let k = 0; k < n; k++) push(t + (k * span) / (n - 1));
      t += span + 1;
    } else {
      // A short spell.
      const end = t + (1 + rng() * 6) * MINUTE;
      while (t < end) {
        push(t);
        t += 3_000 + rng() * 25_000;
      }
    }
  }
  return out;
}

/**
 * A log of several addresses in the order it was written: some lines late by a few seconds
 * (a slow request logged after quicker ones), some with times of whole seconds.
 */
function scenario(seed: number, long: boolean): Response[] {
  const rng = random(seed);
  const start = Date.UTC(2026, 10, 1) + Math.floor(rng() * HOUR);
  const addresses = 1 + Math.floor(rng() * 4);
  const lines: Response[] = [];
  for (let a = 0; a < addresses; a++) {
    const shape =
      long && a === 0
        ? { longest: 2 * 1440, budget: 8_000 }
        : {
            longest: long ? 600 : 60,
            budget: long ? 1_500 : 50 + Math.floor(rng() * 300),
          };
    const mine = addressLog(rng, `198.51.100.${a + 1}`, start, shape);
    if (long && a === 0) {
      // A dense run of hours after whatever came first, so that something is folded, broken
      // now and then by a quiet spell of 3 to 7 minutes, a pause of a minute, or 30 at once.
      let t = mine[mine.length - 1].time + 4 * MINUTE;
      const breaks = rng() * 0.02;
      for (const end = t + (3 + rng() * 20) * HOUR; t < end; t += 5_000 + rng() * 25_000) {
        const status = rng() < 0.9 ? 401 : 403;
        mine.push({ ip: mine[0].ip, time: Math.round(t), status });
        const odd = rng();
        if (odd < breaks) t += (3 + rng() * 4) * MINUTE;
        else if (odd < 2 * breaks) t += 40_000 + rng() * 50_000;
        else if (odd < 3 * breaks) {
          for (let k = 0; k < 30; k++) mine.push({ ip: mine[0].ip, time: Math.round(t), status });
        }
      }
    }
    lines.push(...mine);
  }
  if (rng() < 0.3) for (const line of lines) line.time -= line.time % 1000;
  const late = rng() * 0.3;
  const written = lines.map((line) => ({
    line,
    at: line.time + (rng() < late ? rng() * 5_000 : 0),
  }));
  written.sort((a, b) => a.at - b.at);
  return written.map((w) => w.line);
}

/**
 * Where to cut the log: anywhere, right at a burst's first line or its first minutes (the later
 * part's first minutes are kept whole for the join), and just before one.
 */
function cutSets(rng: () => number, lines: Response[], expected: BurstEntry[]): number[][] {
  const anywhere = (): number => 1 + Math.floor(rng() * (lines.length - 1));
  const near = (entry: BurstEntry): number => {
    const from = Date.parse(entry.from);
    const first = lines.findIndex((l) => l.ip === entry.ip && l.time === from);
    const shift = [0, 0, 1, 3, -1, -5, 20][Math.floor(rng() * 7)];
    return Math.min(lines.length - 1, Math.max(1, first + shift));
  };
  const sets = [[anywhere(), anywhere(), anywhere()]];
  if (expected.length === 0) sets.push([anywhere()]);
  else {
    const entry = (): BurstEntry => expected[Math.floor(rng() * expected.length)];
    sets.push([near(entry())], [near(entry()), anywhere()]);
  }
  if (rng() < 0.1) sets.push([1, 2, lines.length - 1]);
  return sets.map((cuts) => [...new Set(cuts)].sort((a, b) => a - b));
}

function partsOf(lines: Response[], cuts: number[]): Response[][] {
  const bounds = [0, ...cuts, lines.length];
  return bounds.slice(1).map((end, i) => lines.slice(bounds[i], end));
}

/** Checks one seed; returns the whole table's state for the caller's own checks. */
function check(seed: number, long: boolean): BurstTableState {
  const lines = scenario(seed, long);
  const expected = expectedBursts(lines);
  const whole = fed(lines);
  assert.deepEqual(sorted(whole.entries()), expected, `seed ${seed}, read whole`);
  for (const cuts of cutSets(random(seed + 100_000), lines, expected)) {
    const parts = partsOf(lines, cuts);
    assert.deepEqual(joinedInOrder(parts), expected, `seed ${seed}, cut at ${cuts}`);
    const label = `seed ${seed}, cut at ${cuts}, from the right`;
    assert.deepEqual(joinedFromRight(parts), expected, label);
  }
  return whole.snapshot();
}

describe('burst table on random logs, against a one-by-one count', () => {
  it('short logs of a few addresses, whole and cut anywhere', () => {
    for (let seed = 1; seed <= 120; seed++) check(seed, false);
  });

  it('logs of days with long bursts, folded as read', () => {
    for (let seed = 1001; seed <= 1005; seed++) {
      const state = check(seed, true);
      const folded = [...state.buckets.values()].filter((b) => b.through !== undefined);
      assert.ok(
        folded.some((b) => (b.through ?? 0) - b.minute > 60),
        `seed ${seed}: no run of an hour was folded`,
      );
    }
  });
});
