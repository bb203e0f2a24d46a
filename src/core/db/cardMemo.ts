/**
 * Reads that several cards share through their context's memo (table sizes, slowest queries),
 * so each is made once per run of the cards, or per check run (see CardOptions.memo).
 */
import { UpkeepError } from '../util/errors';
import type { CardContext } from './cards';

/**
 * The read `key` of the context's memo, made by `read` on first use. A read that failed is not
 * kept, and one cancelled by another caller's signal (a check that timed out) is made again
 * for this one.
 */
export async function memoized<T>(
  context: CardContext,
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  const kept = context.memo.get(key) as Promise<T> | undefined;
  if (kept) {
    try {
      return await kept;
    } catch (error) {
      if (!UpkeepError.is(error, 'cancelled') || context.signal?.aborted) throw error;
    }
  }
  const reading = read();
  context.memo.set(key, reading);
  reading.catch(() => {
    if (context.memo.get(key) === reading) context.memo.delete(key);
  });
  return reading;
}
