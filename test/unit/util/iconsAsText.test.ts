import * as assert from 'node:assert/strict';
import { iconsAsText } from '../../../src/core/util/printable';

describe('iconsAsText: names shown in a quick pick as written', () => {
  it('escapes each $(name) the editor would draw as an icon, modifiers included', () => {
    assert.equal(iconsAsText('$(pass) ok'), '\\$(pass) ok');
    assert.equal(iconsAsText('a$(sync~spin)b $(x-2)'), 'a\\$(sync~spin)b \\$(x-2)');
  });

  it('leaves what the editor draws as text alone', () => {
    for (const text of ['$ (pass)', '$(not closed', '$()', '$(a b)', 'price: $5 (net)', '']) {
      assert.equal(iconsAsText(text), text);
    }
  });

  it('is linear on a long hostile name', () => {
    const text = '$('.repeat(100_000) + 'a'.repeat(100_000);
    const started = performance.now();
    assert.equal(iconsAsText(text), text);
    assert.ok(performance.now() - started < 1000);
  });
});
