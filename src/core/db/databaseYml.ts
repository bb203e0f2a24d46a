/**
 * Reads a Rails `config/database.yml`: the common ERB forms that read the environment, YAML
 * anchors and merges, `url:` keys and multi-database environments. Ruby is never evaluated;
 * any other ERB yields a clear message naming the line.
 */
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { UpkeepError } from '../util/errors';

/** One database of one environment, with the keys Rails would pass to the adapter. */
export interface DatabaseYmlEntry {
  environment: string;
  /** `primary`, `replica`, ... for a multi-database environment; undefined for a flat one. */
  name?: string;
  values: Record<string, string | number | boolean | null>;
  /** 1-based line of the entry's key in the file. */
  line: number;
}

export interface DatabaseYml {
  environments: string[];
  /** Every database of every environment, in file order. */
  entries: DatabaseYmlEntry[];
  /** ERB the reader does not evaluate, by marker, for the message when a used value holds it. */
  unsupported: Map<string, { line: number; code: string }>;
}

/** An anchored block with one of these names only feeds the environments (`default: &default`). */
const SHARED_BLOCKS = /^(default|defaults|common|base|shared|[._].*)$/;

const UNSUPPORTED_MARKER = '__upkeep_unsupported_erb_';
const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const DEFAULT = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)|(nil|true|false))`;
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

/** Evaluates one supported ERB expression, or returns undefined for anything else. */
export function evaluateErbExpression(code: string, env: NodeJS.ProcessEnv): string | undefined {
  const trimmed = code.trim();
  for (const form of ERB_FORMS) {
    const match = form.exec(trimmed);
    if (!match) continue;
    const name = match[1] ?? match[2];
    const value = env[name];
    if (value !== undefined) return value;
    const fallback = match[3] ?? match[4] ?? match[5] ?? match[6];
    if (fallback === undefined || fallback === 'nil') return '';
    return unescapeRuby(fallback);
  }
  return undefined;
}

function unescapeRuby(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/**
 * Replaces the ERB tags of `text`. A tag that is a whole unquoted YAML value is replaced by a
 * double-quoted string, so a password holding `#` or `: ` stays one value; other tags are
 * replaced inline, as Rails does.
 */
export function expandErb(
  text: string,
  env: NodeJS.ProcessEnv,
): { text: string; unsupported: Map<string, { line: number; code: string }> } {
  const unsupported = new Map<string, { line: number; code: string }>();
  const out = text.replace(
    /<%(=|#|-)?([\s\S]*?)-?%>/g,
    (tag, kind: string | undefined, code: string, offset: number) => {
      const line = text.slice(0, offset).split('\n').length;
      if (kind === '#') return '';
      const value = kind === '=' ? evaluateErbExpression(code, env) : undefined;
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      const lineEnd = text.indexOf('\n', offset + tag.length);
      const before = text.slice(lineStart, offset);
      const after = text.slice(offset + tag.length, lineEnd === -1 ? text.length : lineEnd);
      const wholeValue = /:\s+$|^\s*-\s+$/.test(before) && /^\s*(#.*)?$/.test(after);
      if (value === undefined) {
        const marker = `${UNSUPPORTED_MARKER}${unsupported.size}__`;
        unsupported.set(marker, { line, code: tag.replace(/\s+/g, ' ').slice(0, 80) });
        return wholeValue ? JSON.stringify(marker) : marker;
      }
      return wholeValue ? JSON.stringify(value) : value;
    },
  );
  return { text: out, unsupported };
}

/** Parses the file's text; `file` is only used in messages. */
export function parseDatabaseYml(
  text: string,
  env: NodeJS.ProcessEnv,
  file = 'config/database.yml',
): DatabaseYml {
  const { text: expanded, unsupported } = expandErb(text, env);
  const lineCounter = new LineCounter();
  const document = parseDocument(expanded, { lineCounter, merge: true, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = lineCounter.linePos(first.pos[0]).line;
    const erb = [...unsupported.values()][0];
    throw new UpkeepError(
      'parse',
      `${file} is not valid YAML at line ${line}: ${first.message.split('\n')[0]}`,
      erb
        ? `It uses ERB Upkeep does not evaluate (line ${erb.line}: ${erb.code}); set the connection with "Upkeep: Configure Database Connection" or DATABASE_URL instead.`
        : 'Fix the file, or set the connection with "Upkeep: Configure Database Connection".',
    );
  }
  const root = document.contents;
  if (!isMap(root)) {
    throw new UpkeepError('parse', `${file} does not hold a map of environments.`);
  }

  const entries: DatabaseYmlEntry[] = [];
  const environments: string[] = [];
  for (const pair of root.items) {
    const environment = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!environment || !isMap(pair.value)) continue;
    if (pair.value.anchor && SHARED_BLOCKS.test(environment)) continue;
    environments.push(environment);
    const envValue = toPlain(document, pair.value);
    const line = lineOf(pair.key as Node, lineCounter);
    if (isMultiDatabase(envValue)) {
      for (const item of pair.value.items) {
        const name = isScalar(item.key) ? String(item.key.value) : '';
        if (!name || !isMap(item.value)) continue;
        entries.push({
          environment,
          name,
          values: flatValues(toPlain(document, item.value)),
          line: lineOf(item.key as Node, lineCounter),
        });
      }
    } else {
      entries.push({ environment, values: flatValues(envValue), line });
    }
  }
  return { environments, entries, unsupported };
}

function toPlain(document: Document, node: unknown): Record<string, unknown> {
  const value = (node as Node).toJS(document) as unknown;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function lineOf(node: Node, lineCounter: LineCounter): number {
  return node.range ? lineCounter.linePos(node.range[0]).line : 1;
}

/** Rails treats an environment whose values are all maps as several databases. */
function isMultiDatabase(value: Record<string, unknown>): boolean {
  const values = Object.values(value);
  return (
    values.length > 0 &&
    values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
  );
}

function flatValues(value: Record<string, unknown>): DatabaseYmlEntry['values'] {
  const out: DatabaseYmlEntry['values'] = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      out[key] = v as string | number | boolean | null;
    }
  }
  return out;
}

/** The ERB a value holds that was not evaluated, if any. */
export function unsupportedErbIn(
  value: unknown,
  yml: DatabaseYml,
): { line: number; code: string } | undefined {
  if (typeof value !== 'string' || !value.includes(UNSUPPORTED_MARKER)) return undefined;
  for (const [marker, where] of yml.unsupported) if (value.includes(marker)) return where;
  return { line: 0, code: 'ERB' };
}
