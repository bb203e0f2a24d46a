/**
 * Shared helpers of the log engine tests: summarizing fixture files with a pinned clock and zone.
 */
import * as path from 'node:path';
import {
  summarizeLogs,
  type LogSummary,
  type SummarizeOptions,
} from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import type { Logger } from '../../../src/core/util/logger';

export const FIXTURES = path.join(__dirname, '../../fixtures/logs');

export function summarizeFixture(
  files: string | string[],
  options: Partial<SummarizeOptions> = {},
): Promise<LogSummary> {
  return summarizeLogs({
    workspace: FIXTURES,
    sources: Array.isArray(files) ? files : [files],
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: 'UTC',
    ...options,
  });
}

export interface RangesRun {
  /** generatedAt is blanked, so that two runs compare whole. */
  summary: LogSummary;
  /** How many ranges the engine read the file in; 0 when it read it on one thread. */
  ranges: number;
  /** Why the engine read the file on one thread after trying ranges, as it logs it. */
  refusal?: string;
}

/** Summarizes one file in one pass (`parallel: false`) or in ranges, pinned to NOW. */
export async function summarizeInRanges(
  file: string,
  parallel: false | { ranges: number; inProcess?: boolean },
  options: { timeZone?: string; chunkBytes?: number } = {},
): Promise<RangesRun> {
  let ranges = 0;
  let refusal: string | undefined;
  const log = {
    info: (message: string) => {
      const m = / in (\d+) ranges/.exec(message);
      if (m) ranges = Number(m[1]);
      refusal ??= /on one thread, not in ranges: (.*)/.exec(message)?.[1];
    },
    warn: () => undefined,
    error: () => undefined,
    debug: () => undefined,
  } as unknown as Logger;
  const summary = await summarizeLogs({
    workspace: path.dirname(file),
    sources: [file],
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: options.timeZone ?? 'UTC',
    chunkBytes: options.chunkBytes,
    parallel,
    log,
  });
  return { summary: { ...summary, generatedAt: '' }, ranges, refusal };
}

/** Percentiles come from a histogram: equal to the true value within 1 %. */
export function near(actual: number, expected: number, relative = 0.01): boolean {
  return Math.abs(actual - expected) <= Math.abs(expected) * relative + 1e-9;
}
