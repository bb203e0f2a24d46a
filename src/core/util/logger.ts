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

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;
const KEY_VALUE_SECRET =
  /\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;

/** Removes passwords from connection strings and `password=...` pairs. */
export function redact(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`)
    .replace(KEY_VALUE_SECRET, (_m, key: string, sep: string) => `${key}${sep}***`);
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
