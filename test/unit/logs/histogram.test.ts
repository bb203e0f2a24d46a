/**
 * The duration histogram: percentiles within 1 % of the exact value, merging equal to adding.
 */
import { strict as assert } from 'node:assert';
import { Histogram } from '../../../src/core/logs/histogram';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

describe('duration histogram', () => {
  it('keeps p50/p95/p99 within 1 % of the truth on a long-tailed sample', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const values: number[] = [];
    const histogram = new Histogram();
    for (let i = 0; i < 200_000; i++) {
      // Log-normal-ish: most requests fast, a long tail of slow ones.
      const value =
        Math.round(Math.exp(3 + 1.5 * (random() + random() + random() - 1.5)) * 10) / 10;
      values.push(value);
      histogram.add(value);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      const estimate = histogram.quantile(q);
      assert.ok(Math.abs(estimate - exact) <= exact * 0.01, `q=${q}: ${estimate} vs ${exact}`);
    }
    assert.equal(histogram.count, values.length);
    assert.equal(histogram.max, values[values.length - 1]);
  });

  it('merges: two halves give the same percentiles as the whole', () => {
    const whole = new Histogram();
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 10_000; i++) {
      whole.add(i * 1.7);
      (i % 2 ? a : b).add(i * 1.7);
    }
    a.merge(b);
    for (const q of [0.5, 0.95, 0.99]) assert.equal(a.quantile(q), whole.quantile(q));
    assert.equal(a.count, whole.count);
    assert.ok(Math.abs(a.sum - whole.sum) < 1e-6);
    const copy = Histogram.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    assert.equal(copy.quantile(0.95), whole.quantile(0.95));
  });

  it('is exact for small samples and handles zero durations', () => {
    const h = new Histogram();
    for (const v of [0, 0, 1, 2, 58]) h.add(v);
    assert.equal(h.quantile(0.5), 1);
    assert.equal(h.quantile(0.99), 58);
    assert.equal(h.mean, 61 / 5);
    h.add(Number.NaN);
    h.add(-1);
    assert.equal(h.count, 5);
  });
});
