/**
 * Reduces an SQL statement to its shape (literals and bind lists replaced by `?`) so that the
 * same query repeated with different ids counts as one: the N+1 signal. A single pass over
 * the characters instead of several regular expressions, because dev logs hold many queries.
 */

const MAX_SQL = 2000;

export function sqlShape(statement: string): string {
  // Rails appends binds after two spaces: `SELECT ... LIMIT ?  [["id", 1]]`.
  const binds = statement.indexOf('  [[');
  const text = (binds > 0 ? statement.slice(0, binds) : statement).slice(0, MAX_SQL);
  let out = '';
  let i = 0;
  let lastSpace = false;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      out += '?';
      i = end < 0 ? text.length : end + 1;
      lastSpace = false;
      continue;
    }
    const code = text.charCodeAt(i);
    const prev = out.charCodeAt(out.length - 1);
    const prevIsWord = (prev >= 65 && prev <= 90) || (prev >= 97 && prev <= 122) || prev === 95;
    if (code >= 48 && code <= 57 && !prevIsWord) {
      while (i < text.length && /[0-9.]/.test(text[i])) i++;
      out += '?';
      lastSpace = false;
      continue;
    }
    if (c === '$' && text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57) {
      i++;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      out += '?';
      lastSpace = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\t') {
      if (!lastSpace) out += ' ';
      lastSpace = true;
      i++;
      continue;
    }
    out += c;
    lastSpace = false;
    i++;
  }
  // `IN (?, ?, ?)` of any length is one shape.
  return out.replace(/\((?:\?, ?)+\?\)/g, '(?)').trim();
}

/** Transaction control repeats in every request and says nothing about N+1. */
export function isDataStatement(statement: string): boolean {
  const word = statement.slice(0, 6).toUpperCase();
  return word === 'SELECT' || word === 'INSERT' || word === 'UPDATE' || word === 'DELETE';
}
