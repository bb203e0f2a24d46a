/**
 * Slugs of hostile titles: every one must be a safe, readable file name on Windows, macOS and
 * Linux, checked both by rule and by creating the file in a real folder.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  FALLBACK_SLUG,
  MAX_SLUG_BYTES,
  MAX_SLUG_GRAPHEMES,
  slugify,
} from '../../../src/core/templates/slug';

/** What Windows, macOS and Linux all accept as a plain name inside a folder. */
function assertSafeName(slug: string): void {
  assert.ok(slug.length > 0, 'empty slug');
  assert.doesNotMatch(slug, /[<>:"/\\|?*\u0000-\u001f]/, `forbidden character in ${slug}`);
  assert.doesNotMatch(slug, /[. ]$/, `${slug} ends in a dot or space`);
  assert.doesNotMatch(slug, /^\.|^-|-$/, `${slug} starts with a dot or has a dangling hyphen`);
  assert.doesNotMatch(slug, /^(con|prn|aux|nul|com\d|lpt\d)$/i, `${slug} is a Windows device`);
  assert.equal(slug, slug.normalize('NFC'));
  assert.ok(Buffer.byteLength(slug) <= MAX_SLUG_BYTES, `${slug} is too long`);
}

describe('slugify', () => {
  it('makes a plain title lowercase and hyphenated', () => {
    assert.equal(slugify('Checkout fails on Safari 17'), 'checkout-fails-on-safari-17');
    assert.equal(slugify('  Users   can’t  log in!!  '), 'users-can-t-log-in');
  });

  it('cannot climb out of its folder', () => {
    for (const title of ['../../etc/passwd', '..\\..\\Windows\\win.ini', '/etc/shadow', '..']) {
      const slug = slugify(title);
      assertSafeName(slug);
      assert.doesNotMatch(slug, /\.\.|\/|\\/);
    }
    assert.equal(slugify('../../etc/passwd'), 'etc-passwd');
    assert.equal(slugify('..'), FALLBACK_SLUG);
  });

  it('never yields a Windows device name', () => {
    assert.equal(slugify('CON'), '_con');
    assert.equal(slugify('nul'), '_nul');
    assert.equal(slugify('Com1'), '_com1');
    assert.equal(slugify('LPT9.'), '_lpt9');
    assert.equal(slugify('aux:'), '_aux');
    // Windows reads superscript digits as digits too.
    assert.equal(slugify('COM¹'), '_com1');
    // Only the whole name is reserved; words that contain one are fine.
    assert.equal(slugify('console error'), 'console-error');
    assert.equal(slugify('CON report'), 'con-report');
  });

  it('cuts a very long title at a word boundary', () => {
    const title = 'The invoice mailer sends the same invoice twice when the job retries '.repeat(5);
    const slug = slugify(title);
    assertSafeName(slug);
    assert.ok(slug.length <= MAX_SLUG_GRAPHEMES, `${slug.length} > ${MAX_SLUG_GRAPHEMES}`);
    assert.ok(title.toLowerCase().replace(/ /g, '-').startsWith(`${slug}-`), 'cut inside a word');
    assert.ok(slug.startsWith('the-invoice-mailer-sends'));
  });

  it('cuts one endless word by characters, never inside a grapheme', () => {
    assert.equal(slugify('a'.repeat(500)), 'a'.repeat(MAX_SLUG_GRAPHEMES));
    const accented = 'e\u0301'.repeat(200); // é as e + combining acute
    const slug = slugify(accented);
    assertSafeName(slug);
    assert.equal(slug, 'é'.repeat(MAX_SLUG_GRAPHEMES));
  });

  it('falls back to untitled for titles of symbols only', () => {
    for (const title of ['', '   ', '!!!', '???///', '🔥🔥🔥', '\u200b\u202e', '----', '\u0301']) {
      assert.equal(slugify(title), FALLBACK_SLUG, JSON.stringify(title));
    }
  });

  it('keeps letters of non-Latin scripts readable', () => {
    assert.equal(slugify('Ошибка при оплате'), 'ошибка-при-оплате');
    assert.equal(slugify('支付失败 (iOS)'), '支付失败-ios');
    assert.equal(slugify('ログインできない'), 'ログインできない');
    assert.equal(slugify('결제 오류'), '결제-오류');
    assert.equal(slugify('خطأ في الدفع'), 'خطأ-في-الدفع');
    assert.equal(slugify('การชำระเงินล้มเหลว'), 'การชำระเงินล้มเหลว');
    assert.equal(slugify('Café crashes'), 'café-crashes');
    // Full-width Latin folds to plain Latin.
    assert.equal(slugify('ＡＢＣ bug'), 'abc-bug');
  });

  it('caps multi-byte titles by bytes as well as by characters', () => {
    const slug = slugify('支付'.repeat(100));
    assertSafeName(slug);
    assert.ok(Buffer.byteLength(slug) <= MAX_SLUG_BYTES);
    assert.equal(slug, '支付'.repeat(20));
  });

  it('drops bidi overrides and zero-width characters that hide the real text', () => {
    assert.equal(slugify('invoice\u202egpj.exe'), 'invoice-gpj-exe');
    assert.equal(slugify('pay\u200bment'), 'pay-ment');
  });

  it('gives names a real file system accepts', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-slug-'));
    try {
      const titles = ['../x', 'CON', 'a'.repeat(400), '🔥', '支付'.repeat(100), 'ç'.repeat(300)];
      for (const title of titles) {
        const file = path.join(folder, `2026-12-04-${slugify(title)}-999.md`);
        await fs.writeFile(file, 'x', { flag: 'wx' });
        assert.equal(path.dirname(file), folder);
      }
      assert.equal((await fs.readdir(folder)).length, titles.length);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
