import { strict as assert } from 'node:assert';
import { coalesce } from '../../../src/core/util/coalesce';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('coalesce', () => {
  it('runs once for a burst of calls, after the delay', async () => {
    let runs = 0;
    const redraw = coalesce(() => runs++, 20);
    for (let i = 0; i < 500; i++) redraw();
    assert.equal(runs, 0, 'nothing runs before the delay');
    await sleep(60);
    assert.equal(runs, 1);
  });

  it('runs again for a call after the burst', async () => {
    let runs = 0;
    const redraw = coalesce(() => runs++, 10);
    redraw();
    await sleep(40);
    redraw();
    redraw();
    await sleep(40);
    assert.equal(runs, 2);
  });

  it('drops a waiting call when disposed', async () => {
    let runs = 0;
    const redraw = coalesce(() => runs++, 10);
    redraw();
    redraw.dispose();
    await sleep(40);
    assert.equal(runs, 0);
  });

  it('never runs an async action twice at once, and once more for calls while it ran', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const reread = coalesce(async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      await sleep(40);
      running--;
    }, 5);
    reread();
    await sleep(15);
    assert.equal(running, 1, 'the first run is under way');
    for (let i = 0; i < 100; i++) reread();
    await sleep(150);
    assert.equal(most, 1, 'two runs overlapped');
    assert.equal(runs, 2, 'the calls made while it ran give one more run');
  });

  it('drops the run asked for during a run when disposed', async () => {
    let runs = 0;
    const reread = coalesce(async () => {
      runs++;
      await sleep(20);
    }, 5);
    reread();
    await sleep(10);
    reread();
    reread.dispose();
    await sleep(80);
    assert.equal(runs, 1);
  });
});
