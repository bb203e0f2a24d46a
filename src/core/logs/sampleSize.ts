/**
 * What a duration percentile or an error rate rests on when its requests are few: a p99 of 3
 * requests is the slowest of them, an error rate of 50 % may be 1 of 2. Said beside the figure
 * (dashboard, `upkeep logs` text); the figure and the alerts on it stay as they are.
 */
import { plural } from '../util/plural';

/**
 * Requests a percentile needs to be one (nearest rank): the 95th of 19 or fewer, the 99th of 99
 * or fewer, is the slowest of them.
 */
export const PERCENTILE_MIN_REQUESTS = { p50Ms: 1, p95Ms: 20, p99Ms: 100 } as const;

/** Completed requests under which an error rate is said with its count ("1 of 2 requests"). */
export const RATE_MIN_REQUESTS = PERCENTILE_MIN_REQUESTS.p99Ms;

export type PercentileKey = keyof typeof PERCENTILE_MIN_REQUESTS;

/**
 * "over 3 requests: the slowest one" for a percentile over too few requests to be one; undefined
 * over enough, or over none (then there is no figure).
 */
export function percentileSample(key: PercentileKey, count: number): string | undefined {
  if (!(count > 0) || count >= PERCENTILE_MIN_REQUESTS[key]) return undefined;
  return count === 1 ? 'over 1 request: the only one' : `over ${count} requests: the slowest one`;
}

/** The same in a table cell's few words: "slowest of 3", "only 1"; undefined over enough. */
export function percentileSampleShort(key: PercentileKey, count: number): string | undefined {
  if (percentileSample(key, count) === undefined) return undefined;
  return count === 1 ? 'only 1' : `slowest of ${count}`;
}

/** "1 of 2 requests" for an error rate over fewer than RATE_MIN_REQUESTS; else undefined. */
export function rateSample(errors: number, completed: number): string | undefined {
  if (!(completed > 0) || completed >= RATE_MIN_REQUESTS) return undefined;
  return `${errors.toLocaleString('en')} of ${plural(completed, 'request')}`;
}

/**
 * The notes of a window's figures as the dashboard carries them (LogTotalsView), for its page
 * and its saved report: a p95 or p99 over few timed requests, an error rate over few completed.
 * `timedRequests` absent (a view saved before it) is taken as `requests`.
 */
export function figureSamples(totals: {
  requests: number;
  timedRequests?: number;
  errors: number;
  completedRequests?: number;
  errorRatePercent: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}): { p95Ms?: string; p99Ms?: string; errorRate?: string } {
  const timed = totals.timedRequests ?? totals.requests;
  const of = (key: 'p95Ms' | 'p99Ms'): string | undefined =>
    totals[key] === null ? undefined : percentileSample(key, timed);
  const { completedRequests: completed } = totals;
  return {
    p95Ms: of('p95Ms'),
    p99Ms: of('p99Ms'),
    errorRate:
      totals.errorRatePercent === null || completed === undefined
        ? undefined
        : rateSample(totals.errors, completed),
  };
}

/** An action's percentile cell note ("slowest of 3"), none for no figure or requests enough. */
export function actionSample(
  key: PercentileKey,
  action: { count: number } & Record<PercentileKey, number | null>,
): string | undefined {
  return action[key] === null ? undefined : percentileSampleShort(key, action.count);
}
