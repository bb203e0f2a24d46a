/**
 * The "first few and N more" of one-line summaries: the check run's unfinished checks, the error
 * rate's actions, an exception's actions in upkeep logs.
 */
import * as assert from 'node:assert/strict';
import { firstFew } from '../../../src/core/util/firstFew';

describe('firstFew', () => {
  it('names up to the limit and counts the rest', () => {
    assert.equal(firstFew(['A', 'B']), 'A, B');
    assert.equal(firstFew(['A', 'B', 'C']), 'A, B, C');
    assert.equal(firstFew(['A', 'B', 'C', 'D', 'E']), 'A, B, C, 2 more');
    assert.equal(firstFew(['A', 'B', 'C'], 2), 'A, B, 1 more');
    assert.equal(firstFew([]), '');
  });

  it('puts the given words before the count', () => {
    assert.equal(firstFew(['A', 'B', 'C', 'D'], 3, ' and '), 'A, B, C and 1 more');
  });
});
