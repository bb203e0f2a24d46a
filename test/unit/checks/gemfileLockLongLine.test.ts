/**
 * A Gemfile.lock with one long line that opens a gem's version and never closes it: placing a
 * bundler-audit finding with no version on it went over that line once per character (minutes
 * for a megabyte), holding up the check and the editor's extension host.
 */
import * as assert from 'node:assert/strict';
import { gemfileLockLine } from '../../../src/core/checks/toolParsers';

describe('gemfileLockLine on a long unclosed line', function () {
  this.timeout(5_000);

  it('answers at once, for a finding with a version and without', () => {
    const lock = `GEM\n  specs:\n    rack (${'2'.repeat(100_000)}\n    rack (2.2.8)\n`;
    const started = Date.now();
    assert.equal(gemfileLockLine(lock, 'rack'), 4);
    assert.equal(gemfileLockLine(lock, 'rack', '2.2.8'), 4);
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
  });

  it('still finds a gem locked at any version, or by its dependency line', () => {
    const lock = 'GEM\n  specs:\n    rails (7.1.3)\n      rack (>= 2.2.4)\n';
    assert.equal(gemfileLockLine(lock, 'rails'), 3);
    assert.equal(gemfileLockLine(lock, 'rack'), 4);
    assert.equal(gemfileLockLine(lock, 'rails', '7.1'), 3);
  });
});
