/**
 * A Gemfile.lock with one long line that opens a gem's version and never closes it: placing a
 * bundler-audit finding with no version on it went over that line once per character (minutes
 * for a megabyte), holding up the check and the editor's extension host.
 */
import * as assert from 'node:assert/strict';
import { gemfileLockLine } from '../../../src/core/checks/toolParsers';
import { assertLinear } from '../../support/growth';

describe('gemfileLockLine on a long unclosed line', function () {
  this.timeout(60_000);

  it('answers in linear time, for a finding with a version and without', () => {
    const lockOf = (n: number): string =>
      `GEM\n  specs:\n    rack (${'2'.repeat(n)}\n    rack (2.2.8)\n`;
    const lock = lockOf(100_000);
    assert.equal(gemfileLockLine(lock, 'rack'), 4);
    assert.equal(gemfileLockLine(lock, 'rack', '2.2.8'), 4);
    // A single answer takes well under a millisecond: a hundred of each make a ratio.
    assertLinear(
      lockOf,
      (text) => {
        for (let i = 0; i < 100; i++) {
          gemfileLockLine(text, 'rack');
          gemfileLockLine(text, 'rack', '2.2.8');
        }
      },
      100_000,
    );
  });

  it('still finds a gem locked at any version, or by its dependency line', () => {
    const lock = 'GEM\n  specs:\n    rails (7.1.3)\n      rack (>= 2.2.4)\n';
    assert.equal(gemfileLockLine(lock, 'rails'), 3);
    assert.equal(gemfileLockLine(lock, 'rack'), 4);
    assert.equal(gemfileLockLine(lock, 'rails', '7.1'), 3);
  });
});
