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
// `NAME=value`, `NAME: value`, `"name": "value"`: any identifier that names a secret. Names are
// found without taking their values (a non-secret pair's value may hold a secret pair), and
// only where an identifier begins (the lookbehind), which keeps the scan linear.
const NAME_BEFORE_SEPARATOR = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]+(?=["']?[ \t]*[=:])/g;
const SEPARATOR_AND_VALUE = /["']?[ \t]*[=:][ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\n\r,;}&]+)/y;
const SECRET_NAME = /password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential/i;

function redactPairs(text: string): string {
  let redacted = '';
  let copied = 0;
  for (const name of text.matchAll(NAME_BEFORE_SEPARATOR)) {
    if (name.index < copied || !SECRET_NAME.test(name[0])) continue;
    SEPARATOR_AND_VALUE.lastIndex = name.index + name[0].length;
    const pair = SEPARATOR_AND_VALUE.exec(text);
    if (!pair) continue;
    const value = pair[1];
    const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
    redacted += text.slice(copied, SEPARATOR_AND_VALUE.lastIndex - value.length);
    redacted += `${quote}***${quote}`;
    copied = SEPARATOR_AND_VALUE.lastIndex;
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
 * A password shorter than this is not hidden word for word: `at` is in "database", and hiding
 * it there would garble every report. It is hidden only where it stands as a password.
 */
const SHORTEST_HIDDEN = 4;

/**
 * `redact`, and every occurrence of the given secrets (as written, or percent-encoded as in a
 * URL) replaced by `***`: for text a program printed, where a password can stand alone. A
 * secret shorter than four characters is replaced only where it stands as a password (see
 * `hideShortSecret`).
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let redacted = redact(text);
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      redacted =
        secret.length < SHORTEST_HIDDEN
          ? hideShortSecret(redacted, form)
          : redacted.split(form).join('***');
    }
  }
  return redacted;
}

/**
 * The places where a short password stands as one, so hiding it garbles no word: between a
 * user's `:` and the host's `@` (`app:pw@db`, with or without a scheme); whole inside quotes
 * (`'pw'`, `"pw"`, `` `pw` ``); alone on its line; or after a name that speaks of secrets and
 * a space (`password pw`, `PGPASSWORD pw`). `name=pw` and `name: pw` are `redact`'s already.
 * Each lookbehind repeats the secret, so it runs only where the secret matched: linear time.
 */
function hideShortSecret(text: string, secret: string): string {
  const s = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const standing = new RegExp(
    [
      `${s}(?<=:${s})(?=@)`,
      `${s}(?<='${s})(?=')`,
      `${s}(?<="${s})(?=")`,
      `${s}(?<=\`${s})(?=\`)`,
      `${s}(?<=^[ \t]*${s})(?=[ \t\r]*$)`,
      `${s}(?<=(?<![\\w-])([\\w-]+)[ \t]+${s})(?![^\\s,;])`,
    ].join('|'),
    'gm',
  );
  return text.replace(standing, (match, name?: string) =>
    name === undefined || SECRET_NAME.test(name) ? '***' : match,
  );
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
