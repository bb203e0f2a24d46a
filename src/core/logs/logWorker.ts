/**
 * The worker thread that reads one byte range of a large log file (parallel.ts) and posts back
 * its part of the summary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runRange, type RangeTask } from './parallel';

runRange(workerData as RangeTask).then(
  (outcome) => parentPort?.postMessage({ outcome }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
