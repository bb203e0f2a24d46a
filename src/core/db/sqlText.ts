/**
 * SQL as text: splits it into statements and tells what kind a statement is, for Explain Query
 * and repo-defined metrics, and quotes identifiers for the SQL Upkeep shows and runs.
 * Hand-written because no installed library parses SQL; it only needs to know where quotes,
 * comments and dollar-quoted bodies begin and end, not the grammar.
 */
import { UNSAFE_CHAR } from '../util/printable';

/**
 * Double-quotes an identifier for SQL shown to the user (and run by maintenance). A name with
 * a control character (`CREATE INDEX "x<line break>OK  fake"`) gets PostgreSQL's Unicode-escaped
 * form, `U&"x\000AOK  fake"`: the same identifier, on one line, that no terminal acts on.
 */
export function quoteIdent(name: string): string {
  return quoted(name, '"');
}

/** `"schema"."name"`, leaving out `public` for readability. */
export function qualified(schema: string, name: string): string {
  return schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * Single-quotes a string literal for SQL shown to the user (the slot in
 * `pg_drop_replication_slot('...')`), in the same Unicode-escaped form for a control character.
 */
export function quoteLiteral(text: string): string {
  return quoted(text, "'");
}

/**
 * U+FFFE and U+FFFF: PostgreSQL takes them in a name, XML 1.0 cannot hold them. The JUnit report
 * leaves them out, and its `DROP INDEX "ix"` for an index named "ix\uFFFF" named another index;
 * written as codes, like a control, they survive every report.
 */
const NOT_IN_XML = /[\ufffe\uffff]/;

function escaped(char: string): boolean {
  return UNSAFE_CHAR.test(char) || NOT_IN_XML.test(char);
}

function quoted(text: string, quote: '"' | "'"): string {
  if (!UNSAFE_CHAR.test(text) && !NOT_IN_XML.test(text)) {
    return `${quote}${text.split(quote).join(quote + quote)}${quote}`;
  }
  const escapedText = [...text]
    .map((char) => {
      if (char === quote) return quote + quote;
      if (char === '\\') return '\\\\';
      if (!escaped(char)) return char;
      return `\\${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    })
    .join('');
  return `U&${quote}${escapedText}${quote}`;
}

/** The statements of `sql`, without empty ones and without their trailing semicolons. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const token = tokenAt(sql, i);
    if (token) {
      i = token.end;
      continue;
    }
    if (sql[i] === ';') {
      statements.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  statements.push(sql.slice(start));
  return statements
    .filter((statement) => stripComments(statement).trim() !== '')
    .map((s) => s.trim());
}

/** A comment, or a literal: a quoted string, a quoted name or a dollar-quoted body. */
interface Token {
  kind: 'comment' | 'literal';
  /** The index just after it. */
  end: number;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** The comment or literal that begins at `i`, if one does. */
function tokenAt(sql: string, i: number): Token | undefined {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === '-' && next === '-') {
    const end = sql.indexOf('\n', i);
    return { kind: 'comment', end: end === -1 ? sql.length : end };
  }
  if (c === '/' && next === '*') return { kind: 'comment', end: skipBlockComment(sql, i) };
  if (c === "'" || c === '"') {
    return { kind: 'literal', end: skipQuoted(sql, i, c, isEscapeString(sql, i)) };
  }
  // `$tag$ ... $tag$`, but not the `$` inside a name such as `a$b`, nor a `$1` parameter.
  if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql);
    if (!tag) return undefined;
    const close = sql.indexOf(tag[0], i + tag[0].length);
    return { kind: 'literal', end: close === -1 ? sql.length : close + tag[0].length };
  }
  return undefined;
}

/** The text with every comment and literal replaced by what `replace` makes of it. */
function replaceTokens(
  sql: string,
  replace: (kind: Token['kind'], text: string) => string,
): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const token = tokenAt(sql, i);
    if (token) {
      out += replace(token.kind, sql.slice(i, token.end));
      i = token.end;
    } else {
      out += sql[i];
      i++;
    }
  }
  return out;
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

/**
 * The statement with each string constant and dollar-quoted body as `'…'` (E'', B'' and X''
 * keep their letter), names and comments kept: a statement from pg_stat_activity, as sent, in
 * a summary a mail or a saved report carries. pg_stat_statements gives its constants as $1; a
 * data migration's `SET value = 'sk_live_…'` named the key.
 */
export function withoutConstants(sql: string): string {
  return replaceTokens(sql, (kind, text) => (kind === 'literal' && text[0] !== '"' ? "'…'" : text));
}

/** The text with comments replaced by a space (literals kept as they are). */
function stripComments(sql: string): string {
  return replaceTokens(sql, (kind, text) => (kind === 'comment' ? ' ' : text));
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
 * Calls that act beyond the statement's READ ONLY transaction, which its rollback does not undo:
 * another connection (dblink), other sessions (pg_terminate_backend), the server (reload, WAL,
 * replication slots, statistics resets), large objects, advisory locks held past the rollback,
 * SQL run from a string (query_to_xml), and any function named in quotes (`"pg_terminate_backend"`
 * reads as `""` once literals are blanked).
 */
const SIDE_EFFECT_CALLS = new RegExp(
  [
    String.raw`(\b(dblink\w*|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|`,
    String.raw`pg_rotate_logfile|pg_switch_wal|pg_promote|pg_create_restore_point|`,
    String.raw`pg_stat_reset\w*|pg_stat_statements_reset|pg_(try_)?advisory\w*|lo_\w+|`,
    String.raw`pg_\w*replication_slot|`,
    String.raw`pg_replication_origin_\w+|pg_logical_emit_message|pg_file_\w+|query_to_xml\w*|`,
    String.raw`cursor_to_xml|pg_notify|pg_wal_replay_\w+|pg_backup_\w+|pg_log_backend_\w+)`,
    String.raw`|"")\s*\(`,
  ].join(''),
  'i',
);

/**
 * True for a plain SELECT (or VALUES/TABLE, or a WITH whose parts only read): the only kind
 * Explain Query will run with ANALYZE, because ANALYZE executes the statement. String literals
 * and comments are ignored when looking for writing keywords, so `WHERE note = 'delete'` passes.
 * A SELECT calling a function that acts outside its transaction (SIDE_EFFECT_CALLS) is not one.
 */
export function isPlainSelect(statement: string): boolean {
  const keyword = leadingKeyword(statement);
  if (!['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(keyword)) return false;
  const blanked = blankLiterals(statement);
  return !WRITING_WORDS.test(blanked) && !SIDE_EFFECT_CALLS.test(blanked);
}

/** The text with comments replaced by a space and each literal emptied (`''`, `""`, `$$`). */
function blankLiterals(sql: string): string {
  return replaceTokens(sql, (kind, text) => (kind === 'comment' ? ' ' : text[0] + text[0]));
}
