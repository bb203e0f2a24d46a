/**
 * Hostile files a repository provides to the repo checks: each is read in time linear in its
 * size, however it is shaped.
 */
import { strict as assert } from 'node:assert';
import { parseGemfileLock } from '../../../src/core/checks/repoChecks';

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('hostile repo files', function () {
  this.timeout(60_000);

  it('a Gemfile.lock of unclosed "rails (" lines reads in linear time', () => {
    // Each line began a match that ran to the end of the file looking for `)`: 29 s for 1 MB.
    const text = '    rails (\n'.repeat(40_000);
    const ms = timed(() => parseGemfileLock(text));
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    assert.deepEqual(parseGemfileLock(`${text}    rails (7.1.3)\n`), {
      ruby: undefined,
      rails: '7.1.3',
    });
  });
});
