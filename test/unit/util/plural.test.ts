/**
 * The count-and-noun helper every summary uses: one takes the singular, every other count
 * (zero included) the plural, and large counts are grouped by thousands.
 */
import * as assert from 'node:assert/strict';
import { plural } from '../../../src/core/util/plural';

describe('plural', () => {
  it('agrees the noun with the count', () => {
    assert.equal(plural(1, 'migration'), '1 migration');
    assert.equal(plural(0, 'migration'), '0 migrations');
    assert.equal(plural(2, 'index', 'indexes'), '2 indexes');
    assert.equal(plural(1, 'index', 'indexes'), '1 index');
  });

  it('groups large counts by thousands', () => {
    assert.equal(plural(1204, 'request'), '1,204 requests');
  });
});
