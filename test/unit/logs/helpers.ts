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

/** Percentiles come from a histogram: equal to the true value within 1 %. */
export function near(actual: number, expected: number, relative = 0.01): boolean {
  return Math.abs(actual - expected) <= Math.abs(expected) * relative + 1e-9;
}
