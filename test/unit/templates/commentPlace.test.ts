/**
 * Insert Bug-Fix Comment in a Ruby file: after an `end` (or any statement of the same body) the
 * block gets a blank line above it, as RuboCop's layout wants; after the line that opens its
 * body, or a blank line, or at the top of the file, none.
 */
import { strict as assert } from 'node:assert';
import { bugFixCommentPlace } from '../../../src/core/templates/commentPlace';

describe('bugFixCommentPlace', () => {
  it('leaves a blank line after an end, on a code line or a blank one', () => {
    // def discount below `  end`: the block goes above it, at its indentation.
    assert.deepEqual(bugFixCommentPlace('  def discount', '  end', 5), {
      character: 2,
      blankLineBefore: true,
    });
    // A blank line right after `  end`, the cursor where the user put it.
    assert.deepEqual(bugFixCommentPlace('  ', '  end', 2), {
      character: 2,
      blankLineBefore: true,
    });
    assert.deepEqual(bugFixCommentPlace('', 'end', 0), { character: 0, blankLineBefore: true });
    // A statement after another in the same method.
    assert.deepEqual(bugFixCommentPlace('    price', '    total = 0', 4), {
      character: 4,
      blankLineBefore: true,
    });
  });

  it('adds none after the line that opens the body, a blank line, or at the top', () => {
    assert.deepEqual(bugFixCommentPlace('    price', '  def total', 8), {
      character: 4,
      blankLineBefore: false,
    });
    assert.deepEqual(bugFixCommentPlace('  def discount', '', 2), {
      character: 2,
      blankLineBefore: false,
    });
    assert.deepEqual(bugFixCommentPlace('  def discount', '   ', 2), {
      character: 2,
      blankLineBefore: false,
    });
    assert.deepEqual(bugFixCommentPlace('class Booking', undefined, 3), {
      character: 0,
      blankLineBefore: false,
    });
  });
});
