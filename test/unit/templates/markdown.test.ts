/**
 * The shared Markdown escaper for titles, authors and report cells: only what a preview would
 * turn into HTML or an entity is escaped, and the escaping reads back to the text as typed.
 */
import { strict as assert } from 'node:assert';
import {
  codeBlock,
  escapeMarkdownHtml,
  unescapeMarkdownHtml,
} from '../../../src/core/templates/markdown';

describe('Markdown escaping', () => {
  it('escapes tags, comments, declarations and entities with a backslash', () => {
    assert.equal(escapeMarkdownHtml('<script>x</script>'), '\\<script>x\\</script>');
    assert.equal(
      escapeMarkdownHtml('<!-- c --> <?php <!DOCTYPE'),
      '\\<!-- c --> \\<?php \\<!DOCTYPE',
    );
    assert.equal(escapeMarkdownHtml('&amp; &#60; &#x3c;'), '\\&amp; \\&#60; \\&#x3c;');
  });

  it('leaves what a preview shows as typed: comparisons, bare ampersands, autolinks', () => {
    for (const text of [
      'a < b && c > d',
      'AT&T',
      'Ada Lovelace <ada@example.com>',
      'see <https://example.com/a?b=1>',
    ]) {
      assert.equal(escapeMarkdownHtml(text), text);
    }
  });

  it('keeps a typed backslash from unescaping a tag', () => {
    // `\<b>` typed: the backslash is doubled, and the tag still escaped.
    assert.equal(escapeMarkdownHtml('x \\<b>'), 'x \\\\\\<b>');
  });

  it('reads back to the text as typed', () => {
    for (const text of ['<script>', 'x \\<b> y', 'a \\\\<i>', 'AT&amp;T', 'plain', 'a < b']) {
      assert.equal(unescapeMarkdownHtml(escapeMarkdownHtml(text)), text);
    }
  });
});

describe('code blocks from data (security review)', () => {
  // VS Code's appendCodeblock sizes its fence from backtick runs at the start of a line only,
  // but CommonMark also closes a fence on one indented by up to three spaces: a check's output
  // with "   ```" ended the block, and what followed rendered (a remote image, a link).
  const hostile = 'pg_restore: error\n   ```\n![x](https://attacker.example/p.png)';

  it('uses a fence longer than any run of backticks in the text', () => {
    const block = codeBlock(hostile, 'text');
    const [open, ...rest] = block.split('\n');
    const close = rest[rest.length - 1];
    assert.equal(open, '````text');
    assert.equal(close, '````');
    // No line inside can close it: each backtick run there is shorter than the fence.
    for (const line of rest.slice(0, -1)) {
      for (const run of line.match(/`+/g) ?? []) assert.ok(run.length < close.length, line);
    }
    assert.equal(rest.slice(0, -1).join('\n'), hostile);
  });

  it('keeps three backticks for text without any', () => {
    assert.equal(codeBlock('plain\noutput', 'text'), '```text\nplain\noutput\n```');
  });
});
