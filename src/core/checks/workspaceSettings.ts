/**
 * Settings for headless runs (the CLI): the workspace's `.vscode/settings.json` (JSON with
 * comments, as VS Code writes it) laid over the defaults. In an untrusted run the settings VS Code
 * restricts in untrusted workspaces (URLs that would aim Upkeep somewhere, log sources that could
 * name any file) are ignored.
 */
// The ESM build: the package's UMD main hides its internal requires from the bundler.
import { promises as fs } from 'node:fs';
import { parse as parseJsonc, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import type { ParseError } from 'jsonc-parser/lib/esm/main.js';
import { UpkeepError } from '../util/errors';
import { printableLine } from '../util/printable';
import { readTextFile, workspaceFile } from './files';
import { MAX_PARALLELISM, MAX_TIMER_MS } from './runner';
import type { UpkeepSettings } from '../settings';
import { defaultSettings, resolveSettings } from '../settings';

/** Mirrors `capabilities.untrustedWorkspaces.restrictedConfigurations` in package.json. */
export const RESTRICTED_KEYS = [
  'database.url',
  'health.url',
  // A path on the user's own app URL: a repo could aim a GET at any page of it.
  'health.signInPath',
  'backups.drillTargetUrl',
  // Log sources may name any file on the machine; the summary would print what it read.
  'logs.sources',
  // The safeguards of the database the user configured: a repo must not lift lock_timeout
  // (maintenance would queue behind the app's locks) or unmark production (no typed name).
  'database.statementTimeoutMs',
  'database.lockTimeoutMs',
  'database.production',
];

export const SETTINGS_FILE = '.vscode/settings.json';

export interface SettingsOptions {
  trusted: boolean;
  /**
   * The Rails environment when the file names none, instead of development: the CLI passes
   * RAILS_ENV, which a server sets and the editor's settings cannot know about.
   */
  defaultRailsEnvironment?: string;
  /**
   * Told of each `upkeep.*` key the settings cannot use (no such setting, a wrong type, out of
   * range), which falls back to its default: the editor underlines such keys, the CLI has only
   * this to say it ran with a value nobody chose.
   */
  warn?: (message: string) => void;
  /** @internal Tests: runs once the file was checked inside the workspace, before it is read. */
  afterCheck?: (file: string) => Promise<void>;
}

/** Settings only the editor reads: no command warns about them. */
const EDITOR_ONLY_KEYS = ['dashboard.autoRefreshSeconds'];

/** Every `section.key` of Upkeep's settings (package.json's configuration). */
function knownKeys(): string[] {
  const keys = Object.entries(defaultSettings).flatMap(([section, values]) =>
    Object.keys(values).map((key) => `${section}.${key}`),
  );
  const optional = OPTIONAL_TEXTS.map(([section, key]) => `${section}.${key}`);
  return [...new Set([...keys, ...optional, ...EDITOR_ONLY_KEYS])];
}

/** A known key the given one is likely a slip of (`logs.source`, `checks.Parallelism`). */
function meantKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return known.find((candidate) => {
    const other = candidate.toLowerCase();
    return other === lower || other === `${lower}s` || `${other}s` === lower;
  });
}

/**
 * Reads `upkeep.*` keys (flat `"upkeep.a.b"` or nested `"upkeep": {...}`) into the settings shape.
 */
export function settingsFromJson(
  json: Record<string, unknown>,
  options: SettingsOptions,
): UpkeepSettings {
  const flat = new Map<string, unknown>();
  const walk = (prefix: string, value: unknown): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        walk(prefix ? `${prefix}.${key}` : key, inner);
      }
    } else {
      flat.set(prefix, value);
    }
  };
  for (const [key, value] of Object.entries(json)) {
    if (key === 'upkeep') walk('', value);
    else if (key.startsWith('upkeep.')) walk(key.slice('upkeep.'.length), value);
  }

  // Records without a prototype: `upkeep.__proto__.url` must stay a key of its own, not land on
  // Object.prototype, where every section (and an untrusted run's health.url) would inherit it.
  const partial: Record<string, Record<string, unknown>> = Object.create(null);
  const known = knownKeys();
  for (const [key, value] of flat) {
    if (!known.includes(key)) {
      const meant = meantKey(key, known);
      options.warn?.(
        `${SETTINGS_FILE}: upkeep.${key} is no Upkeep setting` +
          `${meant ? ` (upkeep.${meant}?)` : ''}: it is ignored.`,
      );
      continue;
    }
    if (!options.trusted && RESTRICTED_KEYS.includes(key)) continue;
    const dot = key.indexOf('.');
    if (dot === -1) continue;
    const section = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (!Object.hasOwn(defaultSettings, section)) continue;
    // Empty strings mean "unset" in the editor too.
    if (value === '' || value === null) continue;
    (partial[section] ??= Object.create(null) as Record<string, unknown>)[name] = value;
  }
  if (options.defaultRailsEnvironment && partial.database?.railsEnvironment === undefined) {
    (partial.database ??= Object.create(null) as Record<string, unknown>).railsEnvironment =
      options.defaultRailsEnvironment;
  }
  return sanitizeSettings(
    resolveSettings(partial as Parameters<typeof resolveSettings>[0]),
    options.warn,
  );
}

/**
 * The ranges package.json declares (`minimum`, `maximum`) for numbers that become timers or
 * worker counts; VS Code only warns about a value outside them, and a timer longer than
 * MAX_TIMER_MS fires at once.
 */
const NUMBER_RANGES: { section: 'checks' | 'database'; key: string; min: number; max: number }[] = [
  { section: 'checks', key: 'timeoutSeconds', min: 1, max: Math.floor(MAX_TIMER_MS / 1000) },
  { section: 'checks', key: 'parallelism', min: 1, max: MAX_PARALLELISM },
  { section: 'database', key: 'statementTimeoutMs', min: 100, max: MAX_TIMER_MS },
  { section: 'database', key: 'lockTimeoutMs', min: 10, max: MAX_TIMER_MS },
  { section: 'database', key: 'connectTimeoutMs', min: 100, max: MAX_TIMER_MS },
];

const OPTIONAL_TEXTS: [keyof UpkeepSettings, string][] = [
  ['database', 'url'],
  ['database', 'name'],
  ['logs', 'timeZone'],
  ['health', 'url'],
  ['backups', 'pattern'],
  ['backups', 'drillTargetUrl'],
  ['schedule', 'timeZone'],
];

/**
 * Wrong types or ranges from a hand-edited file fall back to the defaults: the CLI's settings and
 * the editor's, which VS Code hands over as written (it only warns about a wrong type).
 */
export function sanitizeSettings(
  settings: UpkeepSettings,
  warn: (message: string) => void = () => undefined,
): UpkeepSettings {
  const defaults = resolveSettings();
  // Never the value itself, but for numbers and words of a fixed list: a URL given as a list
  // may hold a password.
  const fellBack = (name: string, what: string, fallback?: unknown): void => {
    const then = fallback === undefined ? 'it is ignored' : `the default, ${fallback}, is used`;
    warn(`${SETTINGS_FILE}: upkeep.${name} ${what}: ${then}.`);
  };
  const fix = (
    name: string,
    section: Record<string, unknown>,
    fallback: Record<string, unknown>,
  ): void => {
    for (const [key, value] of Object.entries(section)) {
      // The list of log sources is checked on its own, below.
      if (key === 'sources' || value === undefined || fallback[key] === undefined) continue;
      if (typeof value === typeof fallback[key]) continue;
      fellBack(
        `${name}.${key}`,
        `is ${kindOf(value)}, not ${typeWord(fallback[key])}`,
        fallback[key],
      );
      section[key] = fallback[key];
    }
  };
  for (const section of Object.keys(settings) as (keyof UpkeepSettings)[]) {
    fix(
      section,
      settings[section] as Record<string, unknown>,
      defaults[section] as Record<string, unknown>,
    );
  }
  if (!Array.isArray(settings.logs.sources)) {
    fellBack(
      'logs.sources',
      `is ${kindOf(settings.logs.sources)}, not a list of paths`,
      defaults.logs.sources,
    );
    settings.logs.sources = defaults.logs.sources;
  }
  // A number or an object in the list is no path: it is left out, not handed to the log reader.
  const sources = settings.logs.sources.filter((source) => typeof source === 'string');
  if (sources.length < settings.logs.sources.length) {
    warn(`${SETTINGS_FILE}: upkeep.logs.sources lists values that are no path: they are left out.`);
    settings.logs.sources = sources.length ? sources : defaults.logs.sources;
  }
  // Optional texts have no default to compare types with: a number or true there is unset.
  for (const [section, key] of OPTIONAL_TEXTS) {
    const values = settings[section] as unknown as Record<string, unknown>;
    if (values[key] !== undefined && typeof values[key] !== 'string') {
      fellBack(`${section}.${key}`, `is ${kindOf(values[key])}, not a string`);
      delete values[key];
    }
  }
  // As the editor reads it: anything but "repository" keeps the state in the editor's storage.
  const location: unknown = settings.state.location;
  if (location !== 'repository' && location !== 'workspaceStorage') {
    const given =
      typeof location === 'string' ? JSON.stringify(printableLine(location, 40)) : kindOf(location);
    fellBack(
      'state.location',
      `is ${given}, not workspaceStorage or repository`,
      'workspaceStorage',
    );
    settings.state.location = 'workspaceStorage';
  }
  for (const { section, key, min, max } of NUMBER_RANGES) {
    const values = settings[section] as unknown as Record<string, number>;
    if (!(values[key] >= min && values[key] <= max)) {
      const fallback = (defaults[section] as unknown as Record<string, number>)[key];
      fellBack(`${section}.${key}`, `is ${values[key]}, outside ${min} to ${max}`, fallback);
      values[key] = fallback;
    }
  }
  return settings;
}

/** The type a default has, in words. */
function typeWord(value: unknown): string {
  if (typeof value === 'boolean') return 'true or false';
  return typeof value === 'number' ? 'a number' : 'a string';
}

/** What a value is, in words, without the value unless it is a number or true or false. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return 'a string';
  return value === null ? 'null' : 'a map';
}

/** The JSON parser's error codes in words, for the message that stops a command. */
const PARSE_ERRORS: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'a character that is not JSON',
  InvalidNumberFormat: 'a number that is not valid',
  PropertyNameExpected: 'a property name in double quotes is missing',
  ValueExpected: 'a value is missing',
  ColonExpected: 'a : is missing after a property name',
  CommaExpected: 'a comma is missing between two entries',
  CloseBraceExpected: 'a } is missing (an object is not closed)',
  CloseBracketExpected: 'a ] is missing (an array is not closed)',
  EndOfFileExpected: 'text after the end of the settings object',
  InvalidCommentToken: 'a comment that is not closed',
  UnexpectedEndOfComment: 'a comment that is not closed',
  UnexpectedEndOfString: 'a string that is not closed (a " is missing)',
  InvalidEscapeCharacter: 'a backslash escape that is not valid in JSON',
  InvalidCharacter: 'a control character inside a string',
};

/** Loads the workspace's settings; a missing file means defaults, a broken one a `config` error. */
export async function loadWorkspaceSettings(
  workspace: string,
  options: SettingsOptions,
): Promise<UpkeepSettings> {
  let file: string;
  try {
    file = await workspaceFile({ workspace, trusted: options.trusted }, SETTINGS_FILE);
  } catch (error) {
    if (!UpkeepError.is(error, 'untrusted')) throw error;
    // Another's settings (the user's own, another app's) would shape what the checks say.
    options.warn?.(
      `${SETTINGS_FILE} links outside the workspace; its settings wait for workspace trust, ` +
        'and the defaults apply.',
    );
    return settingsFromJson({}, options);
  }
  let text: string;
  try {
    await options.afterCheck?.(file);
    // Untrusted, the file opened is judged too: a link out put at its name since is refused.
    const inside = options.trusted ? undefined : await fs.realpath(workspace);
    const read = await readTextFile(file, undefined, { inside });
    if (read === undefined) return settingsFromJson({}, options);
    text = read;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return settingsFromJson({}, options);
    throw new UpkeepError('config', `Cannot read ${SETTINGS_FILE}: ${(error as Error).message}`);
  }

  // As VS Code reads it: a byte order mark (a Windows editor's) is no character of the JSON, and
  // a file of nothing, or of comments alone, sets nothing; both stopped the CLI with exit 2.
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const errors: ParseError[] = [];
  let json: unknown;
  try {
    json = parseJsonc(text, errors, {
      allowTrailingComma: true,
      disallowComments: false,
      allowEmptyContent: true,
    });
    if (json === undefined && !errors.length) return settingsFromJson({}, options);
    if (json && typeof json === 'object' && !Array.isArray(json) && !errors.length) {
      return settingsFromJson(json as Record<string, unknown>, options);
    }
  } catch (error) {
    // The parser and settingsFromJson recurse once per level; a hostile file nests thousands.
    if (!(error instanceof RangeError)) throw error;
    throw new UpkeepError(
      'config',
      `${SETTINGS_FILE} nests too deeply to read.`,
      'Fix the file, or run with --workspace pointing at another folder.',
    );
  }
  if (errors.length) {
    const first = errors[0];
    const before = text.slice(0, first.offset).split('\n');
    const code = printParseErrorCode(first.error);
    throw new UpkeepError(
      'config',
      `${SETTINGS_FILE} line ${before.length}, column ${before[before.length - 1].length + 1}: ` +
        `${PARSE_ERRORS[code] ?? code}.`,
      'Fix the file, or run with --workspace pointing at another folder.',
    );
  }
  throw new UpkeepError('config', `${SETTINGS_FILE} is not a JSON object`);
}
