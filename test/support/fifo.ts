/**
 * Tests of readers that must refuse a FIFO instead of waiting for a writer: what a piece of work
 * came to within a short time, and a writer to release whatever did wait.
 */
import { execFileSync } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';

/** Makes a real FIFO at `file` (a path where nothing is). */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** What `work` came to (its value or its error), or `'hung'` when it had not settled in time. */
export async function settledWithin(work: Promise<unknown>, ms = 3000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([work.catch((error: unknown) => error), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens the FIFO for writing and closes it again, so that a reader blocked in its open (a test
 * that failed) gets an end of file and the test run can end. Nothing waiting: nothing happens.
 */
export async function releaseFifo(file: string): Promise<void> {
  const writer = await fs
    .open(file, constants.O_WRONLY | constants.O_NONBLOCK)
    .catch(() => undefined);
  await writer?.close();
}
