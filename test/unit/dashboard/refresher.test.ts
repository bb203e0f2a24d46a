/**
 * Refresh with cancellation: a new refresh aborts the running one, the timer refreshes only while
 * allowed, and disposing aborts and stops everything.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { Refresher } from '../../../src/core/dashboard/refresher';

describe('dashboard refresher', () => {
  it('aborts the running refresh when a new one starts', async () => {
    const signals: AbortSignal[] = [];
    const refresher = new Refresher(async (signal) => {
      signals.push(signal);
      await sleep(30);
    });
    const first = refresher.refresh();
    const second = refresher.refresh();
    await Promise.all([first, second]);
    assert.equal(signals.length, 2);
    assert.equal(signals[0].aborted, true);
    assert.equal(signals[1].aborted, false);
    assert.equal(refresher.currentId, 2);
    refresher.dispose();
  });

  it('refreshes on a timer only while allowed, and stops when set to 0', async () => {
    let runs = 0;
    let visible = false;
    const refresher = new Refresher(
      async () => {
        runs++;
      },
      () => visible,
    );
    refresher.schedule(10);
    await sleep(60);
    assert.equal(runs, 0, 'a hidden view is not refreshed');
    visible = true;
    await sleep(60);
    assert.ok(runs >= 2, `refreshed ${runs} times`);
    refresher.schedule(0);
    assert.equal(refresher.scheduled, false);
    const after = runs;
    await sleep(40);
    assert.equal(runs, after);
    refresher.dispose();
  });

  it('lets a refresh longer than the timer run to its end (a big log, a slow server)', async () => {
    const signals: AbortSignal[] = [];
    let finished = 0;
    const refresher = new Refresher(async (signal) => {
      signals.push(signal);
      await sleep(50);
      if (!signal.aborted) finished++;
    });
    refresher.schedule(10);
    await sleep(230);
    refresher.dispose();
    assert.ok(finished >= 2, `${finished} refreshes of ${signals.length} ran to their end`);
    // Only dispose aborts, the run it found under way if any.
    assert.ok(signals.filter((signal) => signal.aborted).length <= 1, 'the timer aborted a run');
  });

  it('starts one refresh per gap however many are asked for (a flood from the page)', async () => {
    // A compromised webview can post 'refresh' in a loop: each start opened a database
    // connection and read the logs again, hundreds of times a second.
    let runs = 0;
    const refresher = new Refresher(
      async (signal) => {
        runs++;
        await sleep(5, undefined, { signal }).catch(() => undefined);
      },
      () => true,
      { minGapMs: 80 },
    );
    const asked = Array.from({ length: 500 }, () => refresher.refresh());
    assert.equal(runs, 1, 'the first starts at once');
    await Promise.all(asked);
    assert.equal(runs, 2, 'the rest share one refresh at the end of the gap');
    const started = Date.now();
    await refresher.refresh();
    assert.ok(Date.now() - started >= 70, 'a refresh right after waits for the gap');
    assert.equal(runs, 3);
    refresher.dispose();
  });

  it('settles a refresh still waiting for its gap when disposed', async () => {
    const refresher = new Refresher(
      async () => undefined,
      () => true,
      { minGapMs: 10_000 },
    );
    await refresher.refresh();
    const waiting = refresher.refresh();
    refresher.dispose();
    // Settled by dispose, not by the gap's timer 10 s later (the run's timeout is 60 s).
    const settled = await Promise.race([waiting.then(() => true), sleep(1000).then(() => false)]);
    assert.ok(settled, 'the waiting refresh settled at dispose');
  });

  it('aborts and goes quiet once disposed', async () => {
    let seen: AbortSignal | undefined;
    let runs = 0;
    const refresher = new Refresher(async (signal) => {
      runs++;
      seen = signal;
      await sleep(20);
    });
    refresher.schedule(5);
    const running = refresher.refresh();
    refresher.dispose();
    await running;
    assert.equal(seen?.aborted, true);
    const count = runs;
    await refresher.refresh();
    await sleep(30);
    assert.equal(runs, count);
  });
});
