/**
 * The shared Markdown escaper for titles, authors and report cells: only what a preview would
 * turn into HTML or an entity is escaped, and the escaping reads back to the text as typed.
 */
import { strict as assert } from 'node:assert';
import { escapeMarkdownHtml, unescapeMarkdownHtml } from '../../../src/core/templates/markdown';

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
