/**
 * A mergeable duration histogram with logarithmic buckets: percentiles within 0.5 % of the true
 * value in constant memory, so per-action and per-worker histograms can be added together.
 */

/** Relative accuracy of a percentile; the issue asks for 1 %, we keep half of that. */
const ALPHA = 0.005;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this (in ms) count as zero; Rails rounds to 0.1 ms at best. */
const MIN_VALUE = 0.001;
/** Up to this many values are also kept as they are, so small logs get exact percentiles. */
const EXACT_LIMIT = 256;

export interface HistogramData {
  zero: number;
  exact: number[] | null;
  /** Bucket index → count; sparse. */
  buckets: Record<string, number>;
  count: number;
  /** Sum of the values in whole microseconds (see `Histogram.add`). */
  sumMicros: number;
  max: number;
}

/** The last value added to any histogram and its bucket: one logarithm per value, not three. */
let lastValue = NaN;
let lastIndex = 0;

export class Histogram {
  private zero = 0;
  private exact: number[] | null = [];
  private readonly buckets = new Map<number, number>();
  count = 0;
  /**
   * The sum in whole microseconds: integers add exactly in any order (below 2^53 µs, 285
   * years), so a histogram merged from worker threads has the very sum one pass would have;
   * floating-point milliseconds would differ in the last bits and, after rounding, sometimes
   * in the figures shown.
   */
  private sumMicros = 0;
  max = 0;

  add(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    this.count++;
    this.sumMicros += Math.round(value * 1000);
    if (value > this.max) this.max = value;
    if (this.exact) {
      if (this.exact.length < EXACT_LIMIT) this.exact.push(value);
      else this.exact = null;
    }
    if (value < MIN_VALUE) {
      this.zero++;
      return;
    }
    // A request's duration goes into three histograms in a row (overall, action, hour).
    if (value !== lastValue) {
      lastValue = value;
      lastIndex = Math.ceil(Math.log(value) / LOG_GAMMA);
    }
    this.buckets.set(lastIndex, (this.buckets.get(lastIndex) ?? 0) + 1);
  }

  merge(other: Histogram): void {
    this.zero += other.zero;
    this.count += other.count;
    this.sumMicros += other.sumMicros;
    if (other.max > this.max) this.max = other.max;
    this.exact =
      this.exact && other.exact && this.exact.length + other.exact.length <= EXACT_LIMIT
        ? [...this.exact, ...other.exact]
        : null;
    for (const [index, count] of other.buckets) {
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + count);
    }
  }

  /** Sum of the values in milliseconds, to the microsecond. */
  get sum(): number {
    return this.sumMicros / 1000;
  }

  get mean(): number {
    return this.count ? this.sumMicros / (this.count * 1000) : 0;
  }

  /** The value at quantile q (0..1), by the nearest-rank definition; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.exact) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    if (rank <= this.zero) return 0;
    let seen = this.zero;
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) {
        // The bucket covers (γ^(i-1), γ^i]; this midpoint is within ALPHA of any value in it.
        const estimate = (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
        return Math.min(estimate, this.max);
      }
    }
    return this.max;
  }

  toJSON(): HistogramData {
    const buckets: Record<string, number> = {};
    for (const [index, count] of this.buckets) buckets[String(index)] = count;
    return {
      zero: this.zero,
      exact: this.exact ? [...this.exact] : null,
      buckets,
      count: this.count,
      sumMicros: this.sumMicros,
      max: this.max,
    };
  }

  static fromJSON(data: HistogramData): Histogram {
    const histogram = new Histogram();
    histogram.zero = data.zero;
    histogram.exact = data.exact ? [...data.exact] : null;
    histogram.count = data.count;
    histogram.sumMicros = data.sumMicros;
    histogram.max = data.max;
    for (const [index, count] of Object.entries(data.buckets)) {
      histogram.buckets.set(Number(index), count);
    }
    return histogram;
  }
}
