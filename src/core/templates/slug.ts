/**
 * Turns a title typed by a person into a file-name part that is safe on Windows, macOS and Linux
 * and still readable: `../`, reserved device names, endless titles and bare symbols all land here.
 */

/** Graphemes kept at most; long enough to recognise a title, short enough for any path. */
export const MAX_SLUG_GRAPHEMES = 60;
/**
 * UTF-8 bytes kept at most. File systems cap a name at 255 bytes (ext4) or 255 UTF-16 units
 * (NTFS, APFS); 120 leaves room for a date prefix, a `-NN` suffix and the extension even when
 * every letter takes three or four bytes (CJK, emoji-adjacent scripts).
 */
export const MAX_SLUG_BYTES = 120;
export const FALLBACK_SLUG = 'untitled';

/** Windows refuses these as a file's base name whatever the extension (`con.md` included). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin|conout|clock)$/i;

interface SlugOptions {
  maxGraphemes?: number;
  maxBytes?: number;
}

/**
 * A lowercase, hyphen-separated slug of `title`.
 *
 * Letters and digits of every script are kept rather than transliterated: no transliteration
 * library is among our dependencies, transliterating Chinese or Japanese needs a dictionary and
 * still guesses readings, and the people who typed a Cyrillic or Thai title read it best as they
 * wrote it. Every modern file system and git store UTF-8 names; we write NFC, the form macOS and
 * Linux tools agree on. Everything that is not a letter, mark or digit (slashes, dots, colons,
 * quotes, control and bidi characters, emoji) becomes a separator, so no name can climb out of
 * its folder, end in a dot or space (Windows), or hide its real text.
 */
export function slugify(title: string, options: SlugOptions = {}): string {
  const maxGraphemes = options.maxGraphemes ?? MAX_SLUG_GRAPHEMES;
  const maxBytes = options.maxBytes ?? MAX_SLUG_BYTES;

  const words = foldToAscii(title.normalize('NFC'))
    .toLowerCase()
    // A mark needs a letter before it; a stray one after a removed symbol would render alone.
    .replace(/(^|[^\p{L}\p{M}\p{N}])\p{M}+/gu, '$1')
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((word) => word.length > 0);
  if (words.length === 0) return FALLBACK_SLUG;

  let slug = capAtWordBoundary(words, maxGraphemes, maxBytes).normalize('NFC');
  if (slug.length === 0) slug = FALLBACK_SLUG;
  // An underscore in front keeps the word readable and makes it an ordinary name on Windows.
  if (WINDOWS_RESERVED.test(slug)) slug = `_${slug}`;
  return slug;
}

/**
 * Compatibility forms whose plain form is ASCII become that form: full-width Latin, ligatures and
 * the superscript digits Windows also reads as digits (`COM¹` is `COM1`). Applying NFKC to the
 * whole title would also rewrite letters of other scripts (Thai SARA AM splits in two).
 */
function foldToAscii(text: string): string {
  return text.replace(/[^\u0000-\u007f]/gu, (char) => {
    const folded = char.normalize('NFKC');
    return /^[\u0020-\u007e]+$/.test(folded) ? folded : char;
  });
}

/** Joins whole words while they fit; a first word that is too long alone is cut by grapheme. */
function capAtWordBoundary(words: string[], maxGraphemes: number, maxBytes: number): string {
  let slug = '';
  for (const word of words) {
    const candidate = slug ? `${slug}-${word}` : word;
    if (fits(candidate, maxGraphemes, maxBytes)) {
      slug = candidate;
      continue;
    }
    if (slug) return slug;
    return cutGraphemes(word, maxGraphemes, maxBytes);
  }
  return slug;
}

function fits(text: string, maxGraphemes: number, maxBytes: number): boolean {
  return graphemes(text).length <= maxGraphemes && Buffer.byteLength(text, 'utf8') <= maxBytes;
}

/** Cuts between user-perceived characters so a base letter never loses its accent or jamo. */
function cutGraphemes(word: string, maxGraphemes: number, maxBytes: number): string {
  let out = '';
  let count = 0;
  for (const grapheme of graphemes(word)) {
    if (count + 1 > maxGraphemes) break;
    if (Buffer.byteLength(out + grapheme, 'utf8') > maxBytes) break;
    out += grapheme;
    count += 1;
  }
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}
