/**
 * The logging contract of the core. The editor layer writes to the `Upkeep` LogOutputChannel,
 * the CLI to stderr; both tag lines with a component and pass every message through `redact`.
 */

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines carry `[component]`. */
  child(component: string): Logger;
}

// `scheme://user:password@host`: the password runs to the last `@` before the host, since
// an unencoded `@` in a password is common in hand-written URLs.
const URL_CREDENTIALS =
  /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):(\S*)@(?=[^\s@/]*(?:[/\s?#]|$))/gi;
// `NAME=value`, `NAME: value`, `"name": "value"`, `NAME 'value'` (SQL's `PASSWORD 'x'`): any
// identifier that names a secret. Names are found without taking their values (a non-secret
// pair's value may hold a secret pair), and only where an identifier begins (the lookbehind),
// which keeps the scan linear.
const NAME_BEFORE_SEPARATOR = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]+(?=["']?[ \t]*[=:]|[ \t]+["'])/g;
// After `=` or `:` any value; after a space only a quoted one (the lookahead).
const SEPARATOR = /["']?[ \t]*[=:][ \t]*|[ \t]+(?=["'])/y;
const SECRET_NAME = /password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential/i;
// A quoted value ends at its own quote, not at one doubled (SQL's 'it''s') or escaped (\").
const QUOTED: Record<Quote, RegExp> = {
  "'": /'(?:[^'\\\n]|''|\\.)*'/y,
  '"': /"(?:[^"\\\n]|""|\\.)*"/y,
};
// An unquoted value runs to the end of its pair, or of the quoted string the pair is in.
const UNQUOTED: Record<Quote | '', RegExp> = {
  '': /[^\n\r,;}&]+/y,
  "'": /(?:[^\n\r,;}&'\\]|''|\\.)+/y,
  '"': /(?:[^\n\r,;}&"\\]|""|\\.)+/y,
};

type Quote = "'" | '"';

/**
 * Which quote is open where: read forward only, so one pass over the text whatever is asked.
 * A quote closes at its match on the same line; one doubled or after a backslash is part of
 * the string, and an apostrophe between letters (`can't`) opens none.
 */
class QuoteTracker {
  private at = 0;
  private open: Quote | '' = '';

  constructor(private readonly text: string) {}

  /** The quote of the string that `index` is inside, or '' outside any. */
  openAt(index: number): Quote | '' {
    const text = this.text;
    for (; this.at < index; this.at++) {
      const c = text[this.at];
      if (c === '\n') {
        this.open = '';
      } else if (c === '\\') {
        this.at++;
      } else if (this.open === '') {
        if (c === '"' || (c === "'" && !isApostrophe(text, this.at))) this.open = c;
      } else if (c === this.open) {
        if (text[this.at + 1] === c) this.at++;
        else this.open = '';
      }
    }
    return this.open;
  }
}

function isApostrophe(text: string, index: number): boolean {
  return /\p{L}/u.test(text[index - 1] ?? '') && /\p{L}/u.test(text[index + 1] ?? '');
}

/**
 * Reads the value of each secret pair: where it ends and whether it is quoted. Inside a quoted
 * string an unquoted value stops before the string's closing quote, which stays. A quote with
 * no close on its line is no quoted value, and neither is a later one of that kind on that line,
 * which is not looked for again: one pass over the text.
 */
class ValueReader {
  private readonly quotes: QuoteTracker;
  private readonly unclosedUntil = { "'": -1, '"': -1 };

  constructor(private readonly text: string) {
    this.quotes = new QuoteTracker(text);
  }

  /** The value at `start`, or undefined when there is none. */
  at(start: number): { end: number; quote: Quote | '' } | undefined {
    const text = this.text;
    const enclosing = this.quotes.openAt(start);
    const first = text[start];
    if (
      (first === "'" || first === '"') &&
      first !== enclosing &&
      start >= this.unclosedUntil[first]
    ) {
      const quoted = QUOTED[first];
      quoted.lastIndex = start;
      if (quoted.test(text)) return { end: quoted.lastIndex, quote: first };
      const lineEnd = text.indexOf('\n', start);
      this.unclosedUntil[first] = lineEnd === -1 ? text.length : lineEnd;
    }
    // A quote never closed runs on as an unquoted value, as do the doubled quotes of SQL in SQL.
    const unquoted = UNQUOTED[enclosing];
    unquoted.lastIndex = start;
    return unquoted.test(text) ? { end: unquoted.lastIndex, quote: '' } : undefined;
  }
}

function redactPairs(text: string): string {
  let redacted = '';
  let copied = 0;
  const values = new ValueReader(text);
  for (const name of text.matchAll(NAME_BEFORE_SEPARATOR)) {
    if (name.index < copied || !SECRET_NAME.test(name[0])) continue;
    SEPARATOR.lastIndex = name.index + name[0].length;
    if (!SEPARATOR.test(text)) continue;
    const start = SEPARATOR.lastIndex;
    const value = values.at(start);
    if (!value) continue;
    redacted += text.slice(copied, start) + `${value.quote}***${value.quote}`;
    copied = value.end;
  }
  return redacted + text.slice(copied);
}

/** `scheme://user:password@host` with `***` for the password. */
export function redactUrlCredentials(text: string): string {
  return text.replace(
    URL_CREDENTIALS,
    (_m, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

/** Removes passwords from connection strings and secret `name=value` pairs. */
export function redact(text: string): string {
  return redactPairs(redactUrlCredentials(text));
}

/**
 * A password shorter than this is not hidden word for word: `at` is in "database", and `a` is a
 * word of its own. It is hidden only where it is a whole value (see `hideShortSecret`).
 */
const SHORTEST_HIDDEN = 4;

/**
 * `redact`, and every occurrence of the given secrets (as written, or in a form a program prints
 * it in: see printedForms) replaced by `***`: for text a program printed, where a password can
 * stand alone. A secret shorter than four characters is replaced only where it is a whole value.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  return hideSecrets(redact(text), secrets);
}

/**
 * Every string in `value` (plain JSON data: objects, arrays, strings, numbers) with the secrets
 * hidden as `hideSecrets` hides them; the rest as it is.
 */
export function hideSecretsIn<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return hideSecrets(item, secrets);
    if (Array.isArray(item)) return item.map(walk);
    if (item === null || typeof item !== 'object') return item;
    return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
  };
  return walk(value) as T;
}

/**
 * Every occurrence of the given secrets, as written or in a form a program prints it in (see
 * printedForms), replaced by `***`; one shorter than four characters only where it is a whole
 * value. Nothing else: text that names a secret (`password=x`) is `redact`'s.
 */
export function hideSecrets(text: string, secrets: Iterable<string>): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of printedForms(secret)) {
      redacted =
        secret.length < SHORTEST_HIDDEN
          ? hideShortSecret(redacted, form)
          : redacted.split(form).join('***');
    }
  }
  return redacted;
}

/**
 * A secret as programs print it: as written; percent-encoded in a URL's userinfo
 * (encodeURIComponent), in a query string or form (`+` for a space, Ruby's CGI.escape) or a whole
 * URL (encodeURI, which leaves `/@:&`), each with upper- or lower-case hex digits; and inside a
 * JSON string, with its quotes and backslashes escaped and, as Python and Ruby can write it,
 * every character past ASCII as `\u00e9`.
 */
function printedForms(secret: string): Set<string> {
  const forms = new Set([secret]);
  const percent = (encode: (text: string) => string): void => {
    let encoded: string;
    try {
      encoded = encode(secret);
    } catch {
      return; // A lone surrogate has no percent-encoding: no program prints one.
    }
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  };
  percent(encodeURIComponent);
  percent((text) =>
    encodeURIComponent(text)
      .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+'),
  );
  percent(encodeURI);
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  const escape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  forms.add(json.replace(/[\u0080-\uffff]/g, escape));
  return forms;
}

const BLANK = /[ \t]/;
const LINE_END = /[\n\r]/;
// What may follow a whole value: the end of its pair, quote, bracket, URL userinfo or line.
const VALUE_END = /[\s,;&)\]}'"`@]/;
const KEY_CHAR = /[\w.\-\]]/;
// The longest secret name (`aws_secret_access_key`) with room to spare.
const LONGEST_NAME = 64;

/**
 * Every place where `secret` is a whole value, so hiding it garbles no word: the password of a
 * URL's userinfo (`app:pw@db`, with or without a scheme) or the last field of a `.pgpass` line
 * (`db:5432:*:app:pw`); the value of any `key=pw`, and of `key: pw` ending its line; whole in
 * quotes (`'pw'`, `"pw"`, `` `pw` ``, `\"pw\"`); alone on its line; or after a name that speaks
 * of secrets (`password pw`, `PGPASSWORD pw.`). A bare `pw` in a sentence is a word and stays.
 * Each occurrence looks at most LONGEST_NAME characters back, and the blanks around it are found
 * by pointers that only move forward: linear time.
 */
function hideShortSecret(text: string, secret: string): string {
  let lastNonBlank = -1; // before `scanned`
  let scanned = 0;
  let nextNonBlank = 0;
  const around = (start: number, end: number): { before: number; after: number } => {
    for (; scanned < start; scanned++) if (!BLANK.test(text[scanned])) lastNonBlank = scanned;
    nextNonBlank = Math.max(nextNonBlank, end);
    while (nextNonBlank < text.length && BLANK.test(text[nextNonBlank])) nextNonBlank++;
    return { before: lastNonBlank, after: nextNonBlank };
  };

  let redacted = '';
  let copied = 0;
  for (let at = text.indexOf(secret); at !== -1;) {
    const end = at + secret.length;
    if (isWholeValue(text, at, end, around(at, end))) {
      redacted += text.slice(copied, at) + '***';
      copied = end;
      at = text.indexOf(secret, end);
    } else {
      at = text.indexOf(secret, at + 1);
    }
  }
  return redacted + text.slice(copied);
}

/** `before` and `after`: the nearest characters that are not blanks, on either side. */
function isWholeValue(
  text: string,
  start: number,
  end: number,
  { before, after }: { before: number; after: number },
): boolean {
  const previous = text[start - 1] ?? '';
  const next = text[end] ?? '';
  const endsLine = after === text.length || LINE_END.test(text[after]);
  const endsValue = next === '' || VALUE_END.test(next);

  // Alone on its line.
  if (endsLine && (before === -1 || LINE_END.test(text[before]))) return true;
  // Quoted whole, also with the backslashes of a string inside a string.
  if (previous !== '' && `'"\``.includes(previous)) {
    if (next === previous) return true;
    if (next === '\\' && text[end + 1] === previous && text[start - 2] === '\\') return true;
  }
  // `user:pw@host`, `host:port:db:user:pw`.
  if (previous === ':' && (next === '@' || (endsLine && after === end))) return true;
  // `key=pw`
  if (previous === '=' && KEY_CHAR.test(text[start - 2] ?? '') && endsValue) return true;
  if (before !== start - 1 && before >= 0) {
    // `key: pw` ending its line (YAML).
    if (text[before] === ':' && endsLine) return true;
    // `password pw`, `PGPASSWORD pw.`
    if (endsValue || next === '.') return followsSecretName(text, before);
  }
  return false;
}

/** Whether the word that ends at `last` (a flag's dashes too) names a secret. */
function followsSecretName(text: string, last: number): boolean {
  let first = last;
  while (first > 0 && last - first < LONGEST_NAME && /[\w-]/.test(text[first - 1])) first--;
  if (first > 0 && /[\w-]/.test(text[first - 1])) return false;
  return SECRET_NAME.test(text.slice(first, last + 1));
}

type Sink = (level: 'debug' | 'info' | 'warn' | 'error', line: string) => void;

/** Builds a Logger over any sink; the sink receives redacted, tagged lines. */
export function createLogger(sink: Sink, component?: string): Logger {
  const tag = component ? `[${component}] ` : '';
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string): void =>
      sink(level, tag + redact(message));
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name) => createLogger(sink, component ? `${component}/${name}` : name),
  };
}

export const silentLogger: Logger = createLogger(() => undefined);
