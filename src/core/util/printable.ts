/**
 * Text from hostile places (a repo's file names, a tool's output, a log line, a database name)
 * shown in a terminal, a mail or a dialog: control characters could rewrite the screen or fake
 * a line, and the bidirectional controls turn the rest of a line around (`x\u202Egnp.exe`).
 */
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** Line and paragraph separators: a line break to editors and JavaScript, none to a terminal. */
const SEPARATORS = '\\u2028\\u2029';

/** One control (C0, DEL, C1, line breaks and separators included) or bidirectional control. */
export const UNSAFE_CHAR = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}${SEPARATORS}]`);
const UNSAFE = new RegExp(UNSAFE_CHAR.source, 'g');
/** The same but tab and line feed, for text whose lines are meant. */
const UNSAFE_IN_LINES = new RegExp(
  `[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}${SEPARATORS}]`,
  'g',
);

/** One line: each unsafe character becomes `replacement` (or what it makes of the character). */
export function printable(
  text: string,
  replacement: string | ((char: string) => string) = ' ',
): string {
  // The same call twice: String#replace has one overload for a string, one for a function.
  return typeof replacement === 'string'
    ? text.replace(UNSAFE, replacement)
    : text.replace(UNSAFE, replacement);
}

/** Keeps tabs and line feeds, for warnings, progress lines and reports of several lines. */
export function printableLines(text: string, replacement = ' '): string {
  return text.replace(UNSAFE_IN_LINES, replacement);
}

/**
 * printable(), cut to `maxLength` UTF-16 units with an ellipsis: for a tree row or a title that
 * shows one line of text someone else wrote (a megabyte note would be drawn on every refresh).
 * The cut never splits a surrogate pair.
 */
export function printableLine(text: string, maxLength: number): string {
  const line = printable(text);
  if (line.length <= maxLength) return line;
  return `${startOf(line, maxLength - 1)}…`;
}

/** The first `length` UTF-16 units of `text`, one fewer where the cut would split an emoji. */
export function startOf(text: string, length: number): string {
  const end = /[\ud800-\udbff]/.test(text.charAt(length - 1)) ? length - 1 : length;
  return text.slice(0, Math.max(0, end));
}

/** The last `length` UTF-16 units of `text`, one fewer where the cut would split an emoji. */
export function endOf(text: string, length: number): string {
  if (length <= 0) return '';
  const start = Math.max(0, text.length - length);
  return text.slice(/[\udc00-\udfff]/.test(text.charAt(start)) ? start + 1 : start);
}

/**
 * `text` whole up to `head + tail` UTF-16 units, else its head and tail with `between` joining
 * them (` … ` in a message, a NUL where the log parser keeps a long path): for a path whose start
 * and file name both matter. A cut through an emoji leaves all of it out rather than half.
 */
export function headAndTail(text: string, head: number, tail: number, between: string): string {
  if (text.length <= head + tail) return text;
  return `${startOf(text, head)}${between}${endOf(text, tail)}`;
}

/**
 * Text for a label that the editor draws `$(name)` in as an icon (a quick pick's label,
 * description and detail), so that a table or a task named `$(pass) ok` shows those characters,
 * not a check mark: a word joiner (U+2060, drawn as nothing and read as nothing) after each `$`
 * before a `(`. The editor's own escape, `\$(pass)`, was drawn right, but the row's accessible
 * name, which reads any `$(…)` as the words inside, kept its backslash: "\ pass ok". The API
 * gives an extension's quick pick item no accessible name of its own to set instead.
 */
export function iconsAsText(text: string): string {
  return text.replace(/\$(?=\()/g, (dollar) => `${dollar}\u2060`);
}

/**
 * What draws nothing and means nothing in one typed line: the bidirectional controls, the
 * zero-width space and the byte order mark. The zero-width joiner and non-joiner stay: emoji
 * sequences and Persian words are drawn with them.
 */
const INVISIBLE = new RegExp(`[\\u200b\\ufeff${BIDI}]`, 'g');

/**
 * A line someone typed or pasted (a title, a note, a reason), as Upkeep keeps it: invisible and
 * bidirectional characters dropped (a pasted `\u202E` would turn the rest around in every view),
 * other controls and line breaks as spaces, runs of spaces as one, no spaces around.
 */
export function typedLine(text: string): string {
  return printable(text.replace(INVISIBLE, '')).replace(/\s+/g, ' ').trim();
}

/** What JSON.stringify leaves raw that a terminal acts on: DEL, C1, bidi, line separators. */
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}${SEPARATORS}]`, 'g');

/**
 * JSON of `value`, indented, for a terminal, a pipe or a mail: JSON.stringify escapes C0 controls
 * only, so a C1 CSI (U+009B, ESC [ in one character) or a bidi control in a committed note would
 * reach the screen. They are written as `\u` escapes (`\u009b`), parsed back to the same value.
 */
export function printableJson(value: object): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, asCode);
}

/** A character as its JavaScript and JSON escape: `\u202e`. */
export function asCode(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * One line with its control characters written out (`\n`, `\u001b`), nothing lost: for text
 * from a server or a database name inside a message, where a line break would fake a line of
 * the report or the log.
 */
export function controlsWrittenOut(text: string): string {
  return printable(text, writtenOut);
}

/**
 * controlsWrittenOut() for text whose lines are meant (a statement shown as written): line feeds
 * and tabs kept, a carriage return before a line feed dropped, every other control written out.
 */
export function controlsWrittenOutInLines(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE_IN_LINES, writtenOut);
}

function writtenOut(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return asCode(char);
}
