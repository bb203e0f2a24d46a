/**
 * Reads a Rails `config/database.yml`: the common ERB forms that read the environment, YAML
 * anchors and merges, `url:` keys and multi-database environments. Ruby is never evaluated;
 * any other ERB yields a clear message naming the line.
 */
import { LineCounter, isAlias, isMap, isScalar, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { withLineFeeds } from '../playbook/loader';
import { UpkeepError } from '../util/errors';
import { isRecord } from '../util/isRecord';
import { printableLine } from '../util/printable';
import { psychPlainScalar } from '../util/psychScalar';
import { MAX_ALIAS_VALUES, readAliases } from '../util/yamlAliases';
import { MAX_YAML_DEPTH, lineNestedTooDeep } from '../util/yamlDepth';
import { yamlErrorText } from '../util/yamlErrors';

/** One database of one environment, with the keys Rails would pass to the adapter. */
export interface DatabaseYmlEntry {
  environment: string;
  /** `primary`, `replica`, ... for a multi-database environment; undefined for a flat one. */
  name?: string;
  values: Record<string, string | number | boolean | null>;
  /**
   * The keys `values` leaves out because theirs is no scalar (`sslmode: [require]`), with what
   * it is instead: a key that matters is refused by it, not read as unset.
   */
  nonScalar?: Record<string, NonScalarKind>;
  /** 1-based line of the entry's key in the file. */
  line: number;
  /**
   * The set variable its `password:` was read from (`<%= ENV["APP_DATABASE_PASSWORD"] %>`) and
   * that line: a refused login names it, since it comes before PGPASSWORD.
   */
  passwordFrom?: { variable: string; line: number };
}

/** What a value that is no scalar is: `binary` is a `!!binary` one, which Psych would decode. */
export type NonScalarKind = 'list' | 'map' | 'set' | 'date' | 'binary';

export interface DatabaseYml {
  environments: string[];
  /** Every database of every environment, in file order. */
  entries: DatabaseYmlEntry[];
  /**
   * ERB the reader does not evaluate, by marker, for the message when a used value holds it;
   * `missing` names the unset variable of an `ENV.fetch("X")` without a default.
   */
  unsupported: Map<string, ErbMarker>;
  /**
   * A `password:` read from an environment variable that is not set, by marker: Rails' own
   * `password: <%= ENV["APP_DATABASE_PASSWORD"] %>`, for the message that asks for a password.
   */
  unsetPasswords: Map<string, { line: number; variable: string }>;
  /** Every key a map repeats, in file order: the last value is the one read. */
  repeatedKeys: RepeatedKey[];
}

/**
 * A key a map of the file gives twice (`password:` twice in an environment, `production:`
 * twice). Rails (Psych) loads such a file and keeps the last value; Upkeep reads it the same
 * way, and says where the repeat is, as it is most often a mistake.
 */
export interface RepeatedKey {
  /** The key as shown: one printable line of at most 80 characters. */
  key: string;
  /** 1-based line of the repeat, whose value is read. */
  line: number;
  /** 1-based line where the map gave the key first. */
  firstLine: number;
  /** 1-based column of the first, when it is on the repeat's line (`{a: 1, a: 2}`). */
  firstColumn?: number;
}

/** A `password:` read from a variable that is set: its line, the variable and the value read. */
interface PasswordRead {
  line: number;
  variable: string;
  value: string;
}

/**
 * Where ERB was left unevaluated. Its text is never kept: it is Ruby from the repo, and a
 * literal in it (`<%= %q(s3cret) %>`, a URL with its password) may be the password.
 */
interface ErbMarker {
  line: number;
  missing?: string;
}

/** An anchored block with one of these names only feeds the environments (`default: &default`). */
const SHARED_BLOCKS = /^(default|defaults|common|base|shared|[._].*)$/;

const UNSUPPORTED_MARKER = '__upkeep_unsupported_erb_';
const UNSET_PASSWORD_MARKER = '__upkeep_unset_password_';
const PASSWORD_READ_MARKER = '__upkeep_password_read_';
const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const DEFAULT =
  // a double- or single-quoted string
  String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'` +
  // a number, or nil/true/false
  String.raw`|(-?\d+(?:\.\d+)?)|(nil|true|false))`;
const ERB_FORMS: RegExp[] = [
  // ENV["X"] and ENV['X'], optionally `|| default`
  new RegExp(String.raw`^ENV\[${STRING}\](?:\s*\|\|\s*${DEFAULT})?$`),
  // ENV.fetch("X") { default }
  new RegExp(String.raw`^ENV\.fetch\(\s*${STRING}\s*\)\s*\{\s*${DEFAULT}\s*\}$`),
  // ENV.fetch("X", default)
  new RegExp(String.raw`^ENV\.fetch\(\s*${STRING}\s*,\s*${DEFAULT}\s*\)$`),
  // ENV.fetch("X") without a default: Rails raises when unset; we read it as empty.
  new RegExp(String.raw`^ENV\.fetch\(\s*${STRING}\s*\)$`),
];

const FETCH_WITHOUT_DEFAULT = ERB_FORMS[ERB_FORMS.length - 1];

/** The variable a supported ERB expression reads and its default, or undefined. */
function erbEnvRead(code: string): { name: string; fallback?: string } | undefined {
  const trimmed = code.trim();
  for (const form of ERB_FORMS) {
    const match = form.exec(trimmed);
    if (!match) continue;
    return { name: match[1] ?? match[2], fallback: match[3] ?? match[4] ?? match[5] ?? match[6] };
  }
  return undefined;
}

/**
 * A variable of `env`, as Ruby's ENV reads it: `ENV["toString"]` is nil, not the method every
 * JavaScript object inherits.
 */
export function envVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Evaluates one supported ERB expression, or returns undefined for anything else. */
export function evaluateErbExpression(code: string, env: NodeJS.ProcessEnv): string | undefined {
  const read = erbEnvRead(code);
  if (!read) return undefined;
  const value = envVariable(env, read.name);
  if (value !== undefined) return value;
  if (read.fallback === undefined || read.fallback === 'nil') return '';
  return unescapeRuby(read.fallback);
}

function unescapeRuby(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/**
 * Replaces the ERB tags of `text`. A tag that is a whole unquoted YAML value is replaced by a
 * double-quoted string, so a password holding `#` or `: ` stays one value; other tags are
 * replaced inline, as Rails does.
 *
 * Scanned by hand with indexOf rather than a lazy regex: the regex rescans to the end of the
 * file from every unclosed `<%`, and lines are counted as the scan goes, so hostile files
 * (thousands of tags, `<%` repeated on one line) stay linear.
 */
function expandErb(
  text: string,
  env: NodeJS.ProcessEnv,
): Pick<DatabaseYml, 'unsupported' | 'unsetPasswords'> & {
  text: string;
  passwordReads: Map<string, PasswordRead>;
  splices: Splice[];
  /** The line of a `<%` that no `%>` closes, where Rails stops. */
  unclosed?: number;
} {
  const unsupported = new Map<string, ErbMarker>();
  const unsetPasswords: DatabaseYml['unsetPasswords'] = new Map();
  const passwordReads = new Map<string, PasswordRead>();
  const parts: string[] = [];
  const splices: Splice[] = [];
  let length = 0;
  const push = (part: string): void => {
    parts.push(part);
    length += part.length;
  };
  let copied = 0;
  let line = 1;
  let lineStart = 0;
  let nextNewline = text.indexOf('\n');

  for (let open = text.indexOf('<%'); open !== -1; open = text.indexOf('<%', copied)) {
    // `<%%` is ERB's way to write a literal `<%` (in a password, say): no tag opens there.
    if (text[open + 2] === '%') {
      push(text.slice(copied, open + 2));
      copied = open + 3;
      splices.push({ expanded: length, original: copied, inside: false });
      continue;
    }
    const kind = '=#-'.includes(text[open + 2] ?? 'x') ? text[open + 2] : undefined;
    const codeStart = open + 2 + (kind ? 1 : 0);
    const close = text.indexOf('%>', codeStart);
    if (close === -1) {
      // No later `<%` can close either; Rails' ERB stops at this one.
      const unclosed = text.slice(0, open).split('\n').length;
      push(text.slice(copied));
      return {
        text: parts.join(''),
        unsupported,
        unsetPasswords,
        passwordReads,
        splices,
        unclosed,
      };
    }
    const code = text.slice(
      codeStart,
      text[close - 1] === '-' && close > codeStart ? close - 1 : close,
    );

    while (nextNewline !== -1 && nextNewline < open) {
      line++;
      lineStart = nextNewline + 1;
      nextNewline = text.indexOf('\n', lineStart);
    }

    push(text.slice(copied, open));
    copied = close + 2;
    splices.push({ expanded: length, original: open, inside: true });
    if (kind === '#') {
      splices.push({ expanded: length, original: copied, inside: false });
      continue;
    }

    // Rails raises KeyError on an unset ENV.fetch("X"): kept as a marker, so a used value says
    // which variable is missing instead of connecting to localhost.
    const fetched = kind === '=' ? FETCH_WITHOUT_DEFAULT.exec(code.trim()) : null;
    const fetchedName = fetched ? (fetched[1] ?? fetched[2]) : undefined;
    const unset = fetchedName !== undefined && envVariable(env, fetchedName) === undefined;
    // Named in messages: only a name a shell could set, not whatever the repo's file holds.
    const missing =
      unset && fetchedName && VARIABLE_NAME.test(fetchedName) ? fetchedName : undefined;
    const value = kind === '=' && !unset ? evaluateErbExpression(code, env) : undefined;
    const wholeValue = valueStartsAt(text, lineStart, open) && valueEndsAt(text, copied);
    const read = kind === '=' && wholeValue ? erbEnvRead(code) : undefined;
    // (An unset ENV.fetch without a default stays an error above: Rails stops with KeyError.)
    const passwordFrom =
      !unset &&
      read !== undefined &&
      // Named in messages: only a name a shell could set, not whatever the repo's file holds.
      VARIABLE_NAME.test(read.name) &&
      PASSWORD_KEY.test(text.slice(lineStart, open));
    const unsetPassword =
      passwordFrom &&
      envVariable(env, read.name) === undefined &&
      (read.fallback === undefined || read.fallback === 'nil');
    if (passwordFrom && envVariable(env, read.name) !== undefined && value !== undefined) {
      const marker = `${PASSWORD_READ_MARKER}${passwordReads.size}__`;
      passwordReads.set(marker, { line, variable: read.name, value });
      push(JSON.stringify(marker));
    } else if (unsetPassword) {
      const marker = `${UNSET_PASSWORD_MARKER}${unsetPasswords.size}__`;
      unsetPasswords.set(marker, { line, variable: read.name });
      push(JSON.stringify(marker));
    } else if (value === undefined) {
      const marker = `${UNSUPPORTED_MARKER}${unsupported.size}__`;
      unsupported.set(marker, missing !== undefined ? { line, missing } : { line });
      push(wholeValue ? JSON.stringify(marker) : marker);
    } else {
      push(wholeValue ? JSON.stringify(value) : value);
    }
    splices.push({ expanded: length, original: copied, inside: false });
  }
  parts.push(text.slice(copied));
  return { text: parts.join(''), unsupported, unsetPasswords, passwordReads, splices };
}

/**
 * A place where ERB changed the text: from `expanded` (an offset in the expanded text) on, it is
 * the file's from `original`; `inside` marks a tag's replacement, all of which is at the tag.
 */
interface Splice {
  expanded: number;
  original: number;
  inside: boolean;
}

/** Line and column (1-based) of an offset, as yaml's LineCounter gives them. */
interface Positions {
  linePos(offset: number): { line: number; col: number };
}

/**
 * Positions of offsets in the expanded text on the file as written: a tag over several lines
 * (a `<%# … %>` comment, a `<%= … %>` call with a block) leaves fewer lines, and every line
 * named after it would be off by as many.
 */
function positionsOf(original: string, splices: Splice[]): Positions {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = original.indexOf('\n'); at !== -1; at = original.indexOf('\n', at + 1)) {
    lines.addNewLine(at + 1);
  }
  return {
    linePos(offset) {
      // The last splice at or before the offset.
      let low = 0;
      let high = splices.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (splices[mid].expanded <= offset) low = mid + 1;
        else high = mid;
      }
      const splice = splices[low - 1];
      if (!splice) return lines.linePos(offset);
      const at = splice.inside ? splice.original : splice.original + offset - splice.expanded;
      return lines.linePos(at);
    },
  };
}

/** The offset where 1-based `line` of `text` starts. */
function startOfLine(text: string, line: number): number {
  let at = 0;
  for (let k = 1; k < line; k++) {
    const next = text.indexOf('\n', at);
    if (next === -1) break;
    at = next + 1;
  }
  return at;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** A line that starts a `password:` value, up to the value. */
const PASSWORD_KEY = /^\s*(?:-\s+)?password\s*:/;

const isSpace = (char: string): boolean => /\s/.test(char);

/** Whether a YAML value starts at `offset`: after `key: ` or a list's `- ` on its own. */
function valueStartsAt(text: string, lineStart: number, offset: number): boolean {
  let index = offset;
  while (index > lineStart && isSpace(text[index - 1])) index--;
  if (index === offset || index === lineStart) return false;
  const mark = text[index - 1];
  if (mark === ':') return true;
  if (mark !== '-') return false;
  index--;
  while (index > lineStart && isSpace(text[index - 1])) index--;
  return index === lineStart;
}

/** Whether only spaces or a comment follow `offset` on its line. */
function valueEndsAt(text: string, offset: number): boolean {
  let index = offset;
  while (index < text.length && text[index] !== '\n' && isSpace(text[index])) index++;
  return index === text.length || text[index] === '\n' || text[index] === '#';
}

/**
 * Parses the file's text; `file` is only used in messages, and `elsewhere` in their hints: the
 * other way to give the connection where they are shown, to follow "or ".
 */
export function parseDatabaseYml(
  text: string,
  env: NodeJS.ProcessEnv,
  file = 'config/database.yml',
  elsewhere = 'set the connection with "Upkeep: Configure Database Connection"',
): DatabaseYml {
  // A lone CR (classic Mac OS) ends a line for Psych as for the editor, not for yaml's parser.
  const written = withLineFeeds(text);
  const {
    text: expanded,
    unsupported,
    unsetPasswords,
    passwordReads,
    splices,
    unclosed,
  } = expandErb(written, env);
  if (unclosed !== undefined) {
    throw new UpkeepError(
      'parse',
      `${file} line ${unclosed}: an ERB tag (<%) is not closed, which stops Rails too.`,
      `End it with %>, or ${elsewhere}.`,
    );
  }
  // Every line named is the file's as written, not the expanded text's.
  const positions = positionsOf(written, splices);
  const deep = lineNestedTooDeep(expanded);
  if (deep !== undefined) {
    const line = positions.linePos(startOfLine(expanded, deep)).line;
    throw new UpkeepError(
      'parse',
      `${file} nests more than ${MAX_YAML_DEPTH} levels deep at line ${line}; it was not read.`,
      `Fix the file, or ${elsewhere}.`,
    );
  }
  // Psych takes the last of a repeated key, so yaml's check (an error, and quadratic in the keys
  // of a map) is off; repeatedKeys finds them in one pass, for a warning.
  const document = parseDocument(expanded, {
    merge: true,
    prettyErrors: false,
    uniqueKeys: false,
  });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = positions.linePos(first.pos[0]).line;
    const message =
      first.code === 'MULTIPLE_DOCS'
        ? `${yamlErrorText(first)} (Rails reads only the first)`
        : withoutQuotedSource(yamlErrorText(first));
    const erb = [...unsupported.values()][0];
    throw new UpkeepError(
      'parse',
      `${file} is not valid YAML at line ${line}: ${message}`,
      erb
        ? `It uses ERB Upkeep does not evaluate (line ${erb.line}): fix the file, or ` +
            `${elsewhere} instead.`
        : `Fix the file, or ${elsewhere}.`,
    );
  }
  const root = document.contents;
  if (!isMap(root)) {
    throw new UpkeepError('parse', `${file} does not hold a map of environments.`);
  }
  readAsPsych(document);
  const { sizes, own } = readAliases(root);

  const entries: DatabaseYmlEntry[] = [];
  const environments: string[] = [];
  let valuesRead = 0;
  for (const [environment, pair] of lastOfEachKey(root.items)) {
    if (!environment) continue;
    // `production: *default` is the block it names, as Rails loads it.
    const node = isAlias(pair.value) ? pair.value.resolve(document) : pair.value;
    if (!isMap(node)) {
      // Rails reads a string environment as its URL (`production: postgres://db/shop`, or one
      // from ERB). An empty one (`production:` with nothing under it), which stops Rails, is
      // still listed, so that the message says it has no settings rather than that it is not
      // there.
      if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) {
        entries.push({
          environment,
          values: { url: node.value },
          line: lineOf(pair.key as Node, positions),
        });
      }
      environments.push(environment);
      continue;
    }
    if (node === pair.value && node.anchor && SHARED_BLOCKS.test(environment)) continue;
    environments.push(environment);
    // yaml's own alias limit applies within one environment; this one across them all.
    const envValue = toPlain(document, node, file, elsewhere);
    valuesRead += sizes.get(node) ?? 1;
    if (valuesRead > own + MAX_ALIAS_VALUES) {
      throw new UpkeepError(
        'parse',
        `${file} could not be read: its aliases and merge keys (<<) copy more than ` +
          `${MAX_ALIAS_VALUES.toLocaleString('en-US')} values.`,
        `Fix the file (fewer or simpler YAML aliases), or ${elsewhere}.`,
      );
    }
    const line = lineOf(pair.key as Node, positions);
    if (isMultiDatabase(envValue)) {
      for (const [name, item] of lastOfEachKey(node.items)) {
        // `primary: *default` is a database too; an alias of the environment itself is not.
        const value = name ? envValue[name] : undefined;
        if (!isRecord(value) || value === envValue) {
          continue;
        }
        entries.push({
          environment,
          name,
          ...flatValues(value),
          line: lineOf(item.key as Node, positions),
        });
      }
    } else {
      entries.push({ environment, ...flatValues(envValue), line });
    }
  }
  for (const entry of entries) withPasswordRead(entry, passwordReads);
  const repeatedKeys = repeatedKeysOf(document, positions);
  return { environments, entries, unsupported, unsetPasswords, repeatedKeys };
}

/**
 * The pairs of a map by key, as a Ruby Hash holds a repeated key: at its first place, with the
 * last pair's value (and line). Keys that are no scalar, or empty, are left out.
 */
function lastOfEachKey(items: Pair[]): Map<string, Pair> {
  const byKey = new Map<string, Pair>();
  for (const pair of items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key) byKey.set(key, pair);
  }
  return byKey;
}

/** Puts back the value of a password read from a set variable, and notes the variable. */
function withPasswordRead(entry: DatabaseYmlEntry, reads: Map<string, PasswordRead>): void {
  for (const [key, value] of Object.entries(entry.values)) {
    const read = typeof value === 'string' ? reads.get(value) : undefined;
    if (!read) continue;
    entry.values[key] = read.value;
    if (key === 'password') entry.passwordFrom = { variable: read.variable, line: read.line };
  }
}

/** Every key a map of the document gives again, in one pass over each map. */
function repeatedKeysOf(document: Document, positions: Positions): RepeatedKey[] {
  const repeated: RepeatedKey[] = [];
  visit(document, {
    Map(_, map) {
      const first = new Map<string, Node>();
      for (const pair of map.items) {
        // A merge key (`<<`, a symbol once parsed with merge) may repeat, as in Rails.
        if (!isScalar(pair.key) || typeof pair.key.value === 'symbol') continue;
        // Typed, as yaml compares values: the key 1 and the key "1" differ.
        const key = `${typeof pair.key.value}:${String(pair.key.value)}`;
        const earlier = first.get(key);
        if (!earlier) {
          first.set(key, pair.key);
          continue;
        }
        const line = lineOf(pair.key, positions);
        const given = positions.linePos(earlier.range?.[0] ?? 0);
        repeated.push({
          key: printableLine(String(pair.key.value), 80),
          line,
          firstLine: given.line,
          ...(given.line === line ? { firstColumn: given.col } : {}),
        });
      }
    },
  });
  return repeated.sort((a, b) => a.line - b.line);
}

/**
 * yaml's message without the source text some messages end with (`Unresolved alias ...: name`,
 * `Unresolved tag: !name`): after ERB, that text may be a password from the environment.
 */
function withoutQuotedSource(message: string): string {
  return message.replace(/(?<=\S): .*$/, '');
}

/**
 * Gives each unquoted, untagged value the value Psych gives it (see psychPlainScalar): a
 * `password: 0123` Rails sends as 83 was sent as 123, and `username: 0189` as 189.
 */
function readAsPsych(document: Document): void {
  visit(document, {
    Pair(_, pair) {
      const value = pair.value;
      if (!isScalar(value) || value.type !== 'PLAIN' || value.tag !== undefined) return;
      if (typeof value.source !== 'string') return;
      const psych = psychPlainScalar(value.source);
      if (psych !== undefined) value.value = psych;
    },
  });
}

function toPlain(
  document: Document,
  node: unknown,
  file: string,
  elsewhere: string,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = (node as Node).toJS(document) as unknown;
  } catch (error) {
    // yaml refuses aliases that expand without bound (a "billion laughs" file).
    throw new UpkeepError(
      'parse',
      `${file} could not be read: ` +
        `${withoutQuotedSource(error instanceof Error ? error.message : String(error))}.`,
      `Fix the file (fewer or simpler YAML aliases), or ${elsewhere}.`,
      { cause: error },
    );
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function lineOf(node: Node, positions: Positions): number {
  return node.range ? positions.linePos(node.range[0]).line : 1;
}

/** Rails treats an environment whose values are all maps as several databases. */
function isMultiDatabase(value: Record<string, unknown>): boolean {
  const values = Object.values(value);
  return values.length > 0 && values.every(isRecord);
}

function flatValues(
  value: Record<string, unknown>,
): Pick<DatabaseYmlEntry, 'values' | 'nonScalar'> {
  const values: DatabaseYmlEntry['values'] = {};
  const nonScalar: Record<string, NonScalarKind> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      values[key] = v as string | number | boolean | null;
    } else {
      nonScalar[key] = kindOf(v);
    }
  }
  return Object.keys(nonScalar).length ? { values, nonScalar } : { values };
}

/** The kind of a value yaml gives that is no scalar (tags of the YAML 1.1 types included). */
function kindOf(value: unknown): NonScalarKind {
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'binary';
  if (value instanceof Date) return 'date';
  if (value instanceof Set) return 'set';
  return 'map';
}

/** The unset variable a `password:` value reads, if it is one: the password is then none. */
export function unsetPasswordIn(
  value: unknown,
  yml: DatabaseYml,
): { line: number; variable: string } | undefined {
  return typeof value === 'string' ? yml.unsetPasswords.get(value) : undefined;
}

/** The ERB a value holds that was not evaluated, if any. */
export function unsupportedErbIn(value: unknown, yml: DatabaseYml): ErbMarker | undefined {
  if (typeof value !== 'string' || !value.includes(UNSUPPORTED_MARKER)) return undefined;
  for (const [marker, where] of yml.unsupported) if (value.includes(marker)) return where;
  return { line: 0 };
}
