/**
 * Hides secrets an app logged in the clear (no filter_parameter_logging for them) before a path
 * or a parameter list reaches the summary, which the dashboard shows and a saved report commits
 * to the repo: `/reset?token=abc` becomes `/reset?token=[FILTERED]`, as Rails itself writes it.
 */
import { redactUrlCredentials } from '../util/logger';

/**
 * The names Rails filters in a new app (config/initializers/filter_parameter_logging.rb of
 * Rails 7.1), matched the same way: anywhere in the name, in any case.
 */
const SENSITIVE = /passw|email|secret|token|_key|crypt|salt|certificate|otp|ssn|cvv|cvc/i;

export const FILTERED = '[FILTERED]';

function sensitive(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the name as it is written.
  }
  return SENSITIVE.test(decoded);
}

/**
 * The text (a path, or an exception message quoting one) with the value of every sensitive
 * query parameter (`?name=value`, `&…`, `;…`, `name[]=…`) replaced by [FILTERED]. A sensitive
 * value runs to the next `&` or `#`, a `;` or a `"` in it included: Rack 3 splits at `&` only, so
 * `token=a;b` is one token. In a message (`quoted`), its last `"`, the path's closing quote, ends
 * one too.
 */
export function redactPath(text: string, quoted = false): string {
  if (!/[?&;]/.test(text)) return text;
  const closing = quoted ? text.lastIndexOf('"') : -1;
  const names = new RegExp(QUERY_NAME.source, 'g');
  let shown = '';
  let from = 0;
  for (let m = names.exec(text); m; m = names.exec(text)) {
    const start = m.index + m[0].length;
    if (!sensitive(m[2])) {
      names.lastIndex = nextIndex(VALUE_END, text, start);
      continue;
    }
    const end = nextIndex(SECRET_END, text, start);
    shown += `${text.slice(from, start)}${FILTERED}`;
    from = closing >= start && closing < end ? closing : end;
    names.lastIndex = from;
  }
  return shown + text.slice(from);
}

/** A query parameter's mark and name, up to its `=`. */
const QUERY_NAME = /([?&;])([^=&;?#\s"']{1,200})=/;
/** Where an ordinary parameter's value ends: where the next name may start (Rack 2 split at ;). */
const VALUE_END = /[&;#"]/g;
/** Where a sensitive one ends. */
const SECRET_END = /[&#]/g;

/** The index of the first match of the global `pattern` at or after `from`, else the end. */
function nextIndex(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? text.length;
}

/**
 * An exception message: `redactPath`, a connection string's password (an adapter that could not
 * connect quotes its URL), the value of a sensitive `name=value` pair it quotes, and those of a
 * hash it quotes (`redactParams`): a JSON body Rails could not parse is quoted in the error's
 * message, where no filter_parameter_logging hides its password.
 */
export function redactMessage(text: string): string {
  const pairs = redactUrlCredentials(text).replace(
    /(^|[\s(,])([^=\s"'(,?&;]{1,200})=([^\s"',;&)]*)/g,
    (whole, lead: string, name: string) => (sensitive(name) ? `${lead}${name}=${FILTERED}` : whole),
  );
  return redactPath(redactParams(pairs), true);
}

/** A parameter's name and arrow (`"name"=>`, `"name": `), then its value or the value's bracket. */
const PARAM = new RegExp(
  String.raw`"((?:[^"\\]|\\.){1,200})"(\s*=>\s*|:\s*)` +
    // A string, closed or cut off where the text ends (a trailing backslash too); a number; the
    // opening bracket of an array or a hash.
    String.raw`(?:"(?:[^"\\]|\\.){0,20000}(?:"|\\?$)|-?\d[\d.eE+-]*|([[{]))`,
  'g',
);

/**
 * Parameters as Rails logs them (`{"user"=>{"password"=>"x"}}`, or `"password": "x"` from Ruby
 * 3.4 and JSON loggers) with every sensitive value replaced by [FILTERED], as Rails' own filter
 * writes it: a string, a number (a JSON body's `"otp"=>123456`), an array or a hash whole
 * (`"token"=>{"a"=>"b"}`). A string, an array or a hash the text ends in is hidden to the end:
 * the parser's cut of a long list (`keptParams`) may fall inside it.
 */
export function redactParams(params: string): string {
  const pattern = new RegExp(PARAM.source, 'g');
  let shown = '';
  let from = 0;
  for (let m = pattern.exec(params); m; m = pattern.exec(params)) {
    const [, name, arrow, bracket] = m;
    if (!sensitive(name)) continue;
    const end = bracket ? closingBracket(params, pattern.lastIndex) : pattern.lastIndex;
    shown += `${params.slice(from, m.index)}"${name}"${arrow}"${FILTERED}"`;
    from = end;
    pattern.lastIndex = end;
  }
  return shown + params.slice(from);
}

/**
 * The index after the bracket closing an array or a hash whose contents start at `from` (its
 * opening bracket just before), strings skipped; the text's length when none closes it or the
 * parser's cut (a NUL) comes first, past which the nesting is unknown.
 */
function closingBracket(text: string, from: number): number {
  let depth = 1;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '\0') return text.length;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
    } else if ((char === ']' || char === '}') && --depth === 0) {
      return i + 1;
    }
  }
  return text.length;
}

/**
 * Where a name surely starts in the part of a path after the parser's cut (`headAndTail`), at
 * a `&` or a `#`: what comes before may be the rest of a secret whose name was cut out, a `;` in
 * it included. -1 when none.
 */
export function pathNameAfterCut(rest: string): number {
  return rest.search(/[&#]/);
}

/**
 * The same for the part of a Parameters hash after the parser's cut: the first `, "` at the top
 * level of the hash, found reading back from its closing `}`, where the nesting is known, so
 * that no name inside an array or a hash whose own name was cut out is taken for one. -1 when
 * none, or when the text does not end the hash.
 */
export function paramNameAfterCut(rest: string): number {
  if (!rest.endsWith('}')) return -1;
  let depth = 0;
  let inString = false;
  let found = -1;
  for (let i = rest.length - 1; i >= 0; i--) {
    const char = rest[i];
    if (char === '"' && !escaped(rest, i)) {
      inString = !inString;
    } else if (inString) {
      continue;
    } else if (char === '}' || char === ']') {
      depth++;
    } else if (char === '{' || char === '[') {
      depth--;
    } else if (char === ',' && depth === 1 && /^,\s*"/.test(rest.slice(i, i + 20))) {
      found = i;
    }
  }
  return found;
}

/** Whether the quote at `index` is escaped: an odd run of backslashes before it. */
function escaped(text: string, index: number): boolean {
  let slashes = 0;
  while (index - slashes > 0 && text[index - slashes - 1] === '\\') slashes++;
  return slashes % 2 === 1;
}
