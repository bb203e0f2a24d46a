/**
 * Reads the top level of a Ruby Hash written on one line, as Semantic Logger's text format
 * writes a payload: `Hash#inspect` (`{:status=>200}` up to Ruby 3.3, `{status: 200}` from 3.4)
 * or amazing_print (`{ :status => 200 }`). Hand-written in one pass, so a hostile line costs
 * time linear in its length.
 */

/** Most keys read from one hash; a payload has about ten. */
const MAX_KEYS = 64;

/**
 * The keys of the hash that opens at `from` (a `{`) and their values: a string's text without
 * its quotes, a nested hash or array as written, anything else (a number, `nil`, a symbol) as
 * written. Undefined when `from` holds no `{`; a hash cut short gives the keys before the cut.
 */
export function readRubyHash(text: string, from: number): Map<string, string> | undefined {
  if (text.charCodeAt(from) !== 123 /* { */) return undefined;
  const fields = new Map<string, string>();
  const n = text.length;
  let i = from + 1;
  while (i < n && fields.size < MAX_KEYS) {
    i = skipSpaces(text, i);
    if (i >= n || text.charCodeAt(i) === 125 /* } */) break;

    // The key: `:name =>`, `:"name" =>` (a symbol Ruby must quote, `:"content-type"`),
    // `"name" =>`, `name:` or `"name":`.
    let key: string;
    if (text.charCodeAt(i) === 58 /* : */ && text.charCodeAt(i + 1) === 34 /* " */) i++;
    if (text.charCodeAt(i) === 34 /* " */) {
      const end = stringEnd(text, i);
      key = unescape(text.slice(i + 1, end));
      i = end + 1;
    } else {
      if (text.charCodeAt(i) === 58 /* : */) i++;
      const start = i;
      while (i < n && isSymbolChar(text.charCodeAt(i))) i++;
      if (i === start) break;
      key = text.slice(start, i);
    }
    i = skipSpaces(text, i);
    if (text.startsWith('=>', i)) i += 2;
    else if (text.charCodeAt(i) === 58 /* : */) i++;
    else break;
    i = skipSpaces(text, i);

    // The value, up to the comma or brace that ends it; a quoted symbol as its text.
    if (text.charCodeAt(i) === 58 /* : */ && text.charCodeAt(i + 1) === 34 /* " */) i++;
    const start = i;
    const first = text.charCodeAt(i);
    let value: string;
    if (first === 34 /* " */) {
      const end = stringEnd(text, i);
      value = unescape(text.slice(i + 1, end));
      i = end + 1;
    } else if (first === 123 /* { */ || first === 91 /* [ */) {
      i = nestedEnd(text, i);
      value = text.slice(start, i);
    } else {
      while (i < n && text.charCodeAt(i) !== 44 /* , */ && text.charCodeAt(i) !== 125) i++;
      value = text.slice(start, i).trimEnd();
    }
    fields.set(key, value);

    i = skipSpaces(text, i);
    if (text.charCodeAt(i) !== 44 /* , */) break;
    i++;
  }
  return fields;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** Letters, digits, `_`, and the `?` or `!` a symbol may end with. */
function isSymbolChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 63 ||
    c === 33
  );
}

/** The closing quote of the string whose opening quote is at `open`; the end when cut. */
function stringEnd(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34 /* " */) return i;
    else i++;
  }
  return text.length;
}

/** Just past the bracket that closes the one at `open`, skipping strings; the end when cut. */
function nestedEnd(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i) + 1;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** `\"` and `\\` as the characters they stand for; other escapes stay as written. */
function unescape(text: string): string {
  return text.includes('\\') ? text.replace(/\\(["\\])/g, '$1') : text;
}
