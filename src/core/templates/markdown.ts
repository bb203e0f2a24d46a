/**
 * Text from people and logs (titles, authors, messages) written into Markdown files: the one
 * escaper the templates and the maintenance report share, so a title like `<script>` stays text
 * in every preview while `Ada <ada@example.com>` still reads as typed in the raw file.
 */

/** A CommonMark autolink (`<https://…>`, `<ada@example.com>`): shown as a link, never as HTML. */
const AUTOLINK = new RegExp(
  [
    '^<(?:',
    // an absolute URI: a scheme of 2 to 32 characters, a colon, no spaces or angle brackets
    String.raw`[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*`,
    '|',
    // an email address: the local part, then labels of at most 63 characters
    "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@",
    String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`,
    String.raw`(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*`,
    ')>',
  ].join(''),
);

/**
 * What CommonMark reads as raw HTML (a tag, comment, declaration) or as a character entity, with
 * any backslashes right before it: `\<b>` typed must not become an escaped backslash and a tag.
 */
const HTML_START = new RegExp(
  [
    // backslashes typed right before
    String.raw`(\\*)`,
    // a `<` that opens a tag, closing tag, comment, declaration or processing instruction
    '(?:(<)(?=[A-Za-z/!?])',
    // or an `&` that starts a decimal, hexadecimal or named entity
    '|(&)(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};))',
  ].join(''),
  'g',
);

/**
 * Backslash-escapes only the `<` and `&` that a Markdown preview would turn into HTML or an
 * entity; everything else (autolinks included) is written as typed. Backslash escapes rather
 * than `&lt;` entities, because the raw file is read as often as the preview.
 */
export function escapeMarkdownHtml(text: string): string {
  return text.replace(
    HTML_START,
    (
      match,
      slashes: string,
      angle: string | undefined,
      amp: string | undefined,
      offset: number,
    ) => {
      const char = angle ?? amp ?? '';
      const at = offset + slashes.length;
      if (angle && !slashes && AUTOLINK.test(text.slice(at))) return match;
      return `${slashes}${slashes}\\${char}`;
    },
  );
}

/** Reverses `escapeMarkdownHtml`, for reading a title back from a heading. */
export function unescapeMarkdownHtml(text: string): string {
  return text.replace(
    /((?:\\\\)*)\\([<&])/g,
    (_match, pairs: string, char: string) => `${pairs.slice(0, pairs.length / 2)}${char}`,
  );
}

/**
 * A heading's text without its closing run of `#` (`## Notes ##` reads `Notes`, `# C#` keeps
 * its `#`), trimmed. String steps, not a pattern: `\s*#*\s*$` after a lazy capture backtracks
 * in cubic time on a long line of spaces, and headings come from the repo's files.
 */
export function headingContent(raw: string): string {
  const text = raw.trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === text.length || end === 0) return end === 0 ? '' : text;
  return /\s/.test(text[end - 1]) ? text.slice(0, end).trimEnd() : text;
}

/**
 * `text` as a fenced code block whose fence is longer than any run of backticks in it, anywhere
 * on a line: CommonMark closes a fence on a line indented up to three spaces too, so text from
 * a check's output or the database cannot end the block and have the rest rendered.
 */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}
