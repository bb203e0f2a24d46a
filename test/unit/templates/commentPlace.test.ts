/**
 * Insert Bug-Fix Comment in a Ruby file: after an `end` (or any statement of the same body) the
 * block gets a blank line above it, as RuboCop's layout wants; after the line that opens its
 * body, or a blank line, or at the top of the file, none. It takes the code's indentation, and
 * no line it adds ends in whitespace.
 */
import { strict as assert } from 'node:assert';
import { bugFixCommentPlace, indentBlock } from '../../../src/core/templates/commentPlace';

describe('bugFixCommentPlace', () => {
  it('leaves a blank line after an end, on a code line or a blank one', () => {
    // def discount below `  end`: the block goes above it, at its indentation.
    assert.deepEqual(bugFixCommentPlace('  def discount', '  end', 5), {
      indent: '  ',
      replace: 0,
      blankLineBefore: true,
    });
    // A blank line right after `  end`: the block replaces the whitespace before the cursor.
    assert.deepEqual(bugFixCommentPlace('  ', '  end', 2), {
      indent: '  ',
      replace: 2,
      blankLineBefore: true,
    });
    assert.deepEqual(bugFixCommentPlace('', 'end', 0), {
      indent: '',
      replace: 0,
      blankLineBefore: true,
    });
    // A statement after another in the same method, indented with a tab.
    assert.deepEqual(bugFixCommentPlace('\tprice', '\ttotal = 0', 4), {
      indent: '\t',
      replace: 0,
      blankLineBefore: true,
    });
  });

  it('adds none after the line that opens the body, a blank line, or at the top', () => {
    assert.deepEqual(bugFixCommentPlace('    price', '  def total', 8), {
      indent: '    ',
      replace: 0,
      blankLineBefore: false,
    });
    assert.deepEqual(bugFixCommentPlace('  def discount', '', 2).blankLineBefore, false);
    assert.deepEqual(bugFixCommentPlace('  def discount', '   ', 2).blankLineBefore, false);
    assert.deepEqual(bugFixCommentPlace('class Booking', undefined, 3), {
      indent: '',
      replace: 0,
      blankLineBefore: false,
    });
  });
});

describe('indentBlock', () => {
  it('indents the lines of the block and leaves its empty lines empty', () => {
    // The editor's own re-indenting put the indentation on the empty lines too.
    assert.equal(
      indentBlock('# Bug: ${1:x}\n# 1. ${2:Step 1}\n\n# Fix: ${3:y}\n', '    '),
      '    # Bug: ${1:x}\n    # 1. ${2:Step 1}\n\n    # Fix: ${3:y}\n',
    );
    assert.equal(indentBlock('# Bug\n\n# Fix\n', ''), '# Bug\n\n# Fix\n');
  });
});
