/**
 * How the work on an input grows with its size, measured in this process's own CPU time: a test
 * that held a fixed number of milliseconds failed on a slower or busier machine, while what it
 * guards against (a quadratic step) shows as a ratio anywhere. Sizes n and factor × n are timed
 * in turns, best of a few, after a warm-up, so neither the JIT nor a collection decides it.
 */
import * as assert from 'node:assert/strict';

/** CPU milliseconds this process spends in `run` (other processes on the machine do not count). */
export function cpuMs(run: () => unknown): number {
  const started = process.cpuUsage();
  try {
    run();
  } catch {
    // Only the time matters here; the test checks the result elsewhere.
  }
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

export interface Growth {
  smallMs: number;
  largeMs: number;
  ratio: number;
}

/** Best-of-`tries` CPU time of `run` on `make(n)` and `make(n × factor)`, and their ratio. */
export function growth<T>(
  make: (n: number) => T,
  run: (input: T) => unknown,
  n: number,
  { factor = 4, tries = 3 }: { factor?: number; tries?: number } = {},
): Growth {
  const small = make(n);
  const large = make(n * factor);
  cpuMs(() => run(small));
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < tries; i++) {
    smallMs = Math.min(
      smallMs,
      cpuMs(() => run(small)),
    );
    largeMs = Math.min(
      largeMs,
      cpuMs(() => run(large)),
    );
  }
  // A timer's grain is about a millisecond: below that a ratio says nothing.
  smallMs = Math.max(smallMs, 1);
  return { smallMs, largeMs, ratio: largeMs / smallMs };
}

/**
 * `cpuMs` of work that runs until a promise settles, the process's worker threads too; unlike
 * `cpuMs`, a rejection is passed on, so the work can hold its own assertions.
 */
export async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  await run();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

/** `growth` of work that runs until a promise settles. */
export async function growthAsync<T>(
  make: (n: number) => T,
  run: (input: T) => Promise<unknown>,
  n: number,
  { factor = 4, tries = 3 }: { factor?: number; tries?: number } = {},
): Promise<Growth> {
  const small = make(n);
  const large = make(n * factor);
  await cpuMsAsync(() => run(small));
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < tries; i++) {
    smallMs = Math.min(smallMs, await cpuMsAsync(() => run(small)));
    largeMs = Math.min(largeMs, await cpuMsAsync(() => run(large)));
  }
  smallMs = Math.max(smallMs, 1);
  return { smallMs, largeMs, ratio: largeMs / smallMs };
}

/**
 * Fails when `factor` times the input takes more than twice `factor` times as long: linear work
 * gives about `factor`, quadratic `factor`².
 */
export function assertLinear<T>(
  make: (n: number) => T,
  run: (input: T) => unknown,
  n: number,
  options: { factor?: number; tries?: number; allowed?: number } = {},
): Growth {
  const result = growth(make, run, n, options);
  assertRatio(result, options);
  return result;
}

/** `assertLinear` of work that runs until a promise settles. */
export async function assertLinearAsync<T>(
  make: (n: number) => T,
  run: (input: T) => Promise<unknown>,
  n: number,
  options: { factor?: number; tries?: number; allowed?: number } = {},
): Promise<Growth> {
  const result = await growthAsync(make, run, n, options);
  assertRatio(result, options);
  return result;
}

function assertRatio(result: Growth, options: { factor?: number; allowed?: number }): void {
  const factor = options.factor ?? 4;
  const allowed = options.allowed ?? factor * 2;
  assert.ok(
    result.ratio < allowed,
    `${factor}× the input took ${result.ratio.toFixed(1)}× as long ` +
      `(${result.largeMs.toFixed(0)} vs ${result.smallMs.toFixed(0)} ms); ` +
      `linear is about ${factor}×`,
  );
}
