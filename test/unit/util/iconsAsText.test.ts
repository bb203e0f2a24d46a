import * as assert from 'node:assert/strict';
import { iconsAsText } from '../../../src/core/util/printable';
import { assertLinear } from '../../support/growth';

/** U+2060 WORD JOINER: drawn as nothing, read as nothing by a screen reader. */
const JOINER = '\u2060';

describe('iconsAsText: names shown in a quick pick as written', () => {
  it('keeps each $(name) the editor would draw as an icon from being one, with modifiers', () => {
    assert.equal(iconsAsText('$(pass) ok'), `$${JOINER}(pass) ok`);
    assert.equal(iconsAsText('a$(sync~spin)b $(x-2)'), `a$${JOINER}(sync~spin)b $${JOINER}(x-2)`);
  });

  it('leaves no backslash, which the row\'s accessible name kept ("\\ pass ok")', () => {
    assert.equal(iconsAsText('$(pass) ok').replaceAll(JOINER, ''), '$(pass) ok');
    assert.ok(!iconsAsText('$(pass) $(zap)').includes('\\'));
  });

  it('also breaks a $(…) the editor draws as text but drops from the accessible name', () => {
    // The row's accessible name reads any `$(…)` as the words inside: `$()` as nothing.
    for (const text of ['$()', '$(a b)', '$(not closed']) {
      assert.equal(iconsAsText(text), text.replace('$(', `$${JOINER}(`));
    }
  });

  it('leaves text without a $( alone', () => {
    for (const text of ['$ (pass)', 'price: $5 (net)', '(pass)$', '']) {
      assert.equal(iconsAsText(text), text);
    }
  });

  it('is linear on a long hostile name', () => {
    const hostile = (n: number): string => '$('.repeat(n) + 'a'.repeat(n);
    assert.equal(iconsAsText(hostile(100_000)).replaceAll(JOINER, ''), hostile(100_000));
    assertLinear(hostile, iconsAsText, 200_000);
  });
});
