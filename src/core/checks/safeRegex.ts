/**
 * Tests a regular expression that comes from the repo (a custom check's `expect.pattern`) in a
 * worker thread, so a catastrophic pattern cannot block the event loop past the check's timeout.
 */
import { Worker } from 'node:worker_threads';
import { UpkeepError } from '../util/errors';

/** Plain CommonJS run with `eval: true`: no file to ship next to the bundle. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const pattern = new RegExp(workerData.pattern, workerData.flags);
  parentPort.postMessage({ matched: pattern.test(workerData.text) });
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
}
`;

export interface PatternOptions {
  /** Give up after this long (the pattern is then reported as too slow). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Whether `pattern` matches `text`; rejects with `config` for a bad or too slow pattern. */
export function testPattern(
  pattern: string,
  flags: string,
  text: string,
  options: PatternOptions = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pattern, flags, text },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new UpkeepError('config', `pattern /${pattern}/ took longer than ${timeoutMs} ms`),
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => finish(() => reject(options.signal?.reason));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.once('message', (message: { matched?: boolean; error?: string }) => {
      finish(() => {
        if (message.error !== undefined) {
          reject(new UpkeepError('config', `pattern /${pattern}/ is not valid: ${message.error}`));
        } else resolve(message.matched === true);
      });
    });
    worker.once('error', (error) =>
      finish(() => reject(new UpkeepError('internal', error.message))),
    );
  });
}
