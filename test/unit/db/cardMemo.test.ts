/**
 * memoized: a read several cards (or the checks of one run) share is made once; one cancelled
 * by another caller's signal is made again for a caller whose signal still stands, and a failed
 * read is not kept.
 */
import * as assert from 'node:assert/strict';
import { memoized } from '../../../src/core/db/cardMemo';
import type { CardContext } from '../../../src/core/db/cards';
import { UpkeepError } from '../../../src/core/util/errors';

/** The part of a card context memoized reads: its memo and its signal. */
function contextWith(memo: Map<string, Promise<unknown>>, signal?: AbortSignal): CardContext {
  return { memo, signal } as CardContext;
}

describe('memoized card reads', () => {
  it('reads once for every caller', async () => {
    const memo = new Map<string, Promise<unknown>>();
    let reads = 0;
    const read = (): Promise<number> => Promise.resolve(++reads);
    assert.equal(await memoized(contextWith(memo), 'k', read), 1);
    assert.equal(await memoized(contextWith(memo), 'k', read), 1);
    assert.equal(reads, 1);
  });

  it("reads again when another caller's signal cancelled the read", async () => {
    const memo = new Map<string, Promise<unknown>>();
    const first = new AbortController();
    let cancel: (error: unknown) => void = () => undefined;
    const cancelled = memoized(
      contextWith(memo, first.signal),
      'k',
      () => new Promise<string>((_resolve, reject) => (cancel = reject)),
    );
    // The second caller waits on the first caller's read, which its signal then cancels.
    const second = memoized(contextWith(memo, new AbortController().signal), 'k', () =>
      Promise.resolve('read again'),
    );
    first.abort();
    cancel(new UpkeepError('cancelled', 'Cancelled.'));
    await assert.rejects(cancelled, (error) => UpkeepError.is(error, 'cancelled'));
    assert.equal(await second, 'read again');
    assert.equal(
      await memoized(contextWith(memo), 'k', () => Promise.resolve('third')),
      'read again',
    );
  });

  it('keeps no failed read', async () => {
    const memo = new Map<string, Promise<unknown>>();
    const failing = memoized(contextWith(memo), 'k', () =>
      Promise.reject(new UpkeepError('timeout', 'Too slow.')),
    );
    await assert.rejects(failing, /Too slow/);
    assert.equal(await memoized(contextWith(memo), 'k', () => Promise.resolve('ok')), 'ok');
  });
});
