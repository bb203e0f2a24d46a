/**
 * Logs that mix the shapes the engine reads (Logger::Formatter lines with and without request
 * ids, lograge, JSON, container runtimes' records, journald, kubectl, compose and Heroku's
 * router), built by a seeded generator, and hostile lines against the parsers of those shapes:
 * ranges and windows give what one pass over the whole file gives, and work stays linear.
 */
import { strict as assert } from 'node:assert';
import { splitKeyValue } from '../../../src/core/logs/lineParser';

/** Milliseconds `run` takes, the least of a few tries (a loaded machine adds, never removes). */
function fastest(run: () => void, tries = 5): number {
  let best = Infinity;
  for (let k = 0; k < tries; k++) {
    const started = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

describe('log engine on mixed and hostile shapes', function () {
  this.timeout(60_000);

  it('reads key=value text in linear time when one = follows many words', () => {
    // Heroku's router and lograge lines are read by splitKeyValue; words without = before a
    // late one made it search the rest of the text from every word.
    const hostile = (size: number): string =>
      `method=GET status=200 ${'\u65e5 '.repeat(size / 2)}=`;
    fastest(() => splitKeyValue(hostile(4096)));
    const smallMs = Math.max(
      fastest(() => splitKeyValue(hostile(32 * 1024))),
      1,
    );
    const largeMs = fastest(() => splitKeyValue(hostile(256 * 1024)), 2);
    // 8× the text: linear is ~8× the time, quadratic 64×.
    assert.ok(largeMs < smallMs * 25, `8× the text took ${largeMs} ms vs ${smallMs} ms`);
    assert.deepEqual(
      [...splitKeyValue(hostile(64))],
      [
        ['method', 'GET'],
        ['status', '200'],
      ],
    );
  });
});
