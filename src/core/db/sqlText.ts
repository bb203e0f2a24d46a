/**
 * Splits SQL text into statements and tells what kind a statement is, for Explain Query and
 * repo-defined metrics. Hand-written because no installed library parses SQL; it only needs to
 * know where quotes, comments and dollar-quoted bodies begin and end, not the grammar.
 */

/** The statements of `sql`, without empty ones and without their trailing semicolons. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c, isEscapeString(sql, i));
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? sql.length : close + tag[0].length;
      } else {
        i++;
      }
    } else if (c === ';') {
      statements.push(sql.slice(start, i));
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  statements.push(sql.slice(start));
  return statements
    .filter((statement) => stripComments(statement).trim() !== '')
    .map((s) => s.trim());
}

function skipBlockComment(sql: string, from: number): number {
  // PostgreSQL block comments nest.
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** True when the quote at `at` opens an E'' string, where a backslash escapes the next char. */
function isEscapeString(sql: string, at: number): boolean {
  return (
    sql[at] === "'" && /[Ee]/.test(sql[at - 1] ?? '') && !/[A-Za-z0-9_$]/.test(sql[at - 2] ?? '')
  );
}

function skipQuoted(sql: string, from: number, quote: string, backslashes = false): number {
  let i = from + 1;
  while (i < sql.length) {
    if (backslashes && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** The text with comments replaced by a space (quotes kept as they are). */
export function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
      out += ' ';
    } else if (c === "'" || c === '"') {
      const end = skipQuoted(sql, i, c, isEscapeString(sql, i));
      out += sql.slice(i, end);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The first keyword of a statement, upper-cased (`SELECT`, `WITH`, `INSERT`, ...). */
export function leadingKeyword(statement: string): string {
  const match = /^[\s(]*([A-Za-z]+)/.exec(stripComments(statement));
  return match ? match[1].toUpperCase() : '';
}

const WRITING_WORDS = new RegExp(
  [
    String.raw`\b(`,
    // writes, schema changes and rights
    'INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|GRANT|REVOKE|COPY|',
    // code, locks, maintenance, notifications and session settings
    'CALL|DO|LOCK|VACUUM|REINDEX|CLUSTER|REFRESH|NOTIFY|SET|RESET|',
    // SELECT ... INTO creates a table; SELECT ... FOR UPDATE/SHARE takes row locks
    String.raw`INTO|FOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)`,
    String.raw`)\b`,
  ].join(''),
  'i',
);

/**
 * True for a plain SELECT (or VALUES/TABLE, or a WITH whose parts only read): the only kind
 * Explain Query will run with ANALYZE, because ANALYZE executes the statement. String literals
 * and comments are ignored when looking for writing keywords, so `WHERE note = 'delete'` passes.
 */
export function isPlainSelect(statement: string): boolean {
  const keyword = leadingKeyword(statement);
  if (!['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(keyword)) return false;
  return !WRITING_WORDS.test(blankQuoted(stripComments(statement)));
}

/** The text with each quoted string or name emptied, found the way the splitter finds them. */
function blankQuoted(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c, isEscapeString(sql, i));
      out += c + c;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
