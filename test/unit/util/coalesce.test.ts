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
});
