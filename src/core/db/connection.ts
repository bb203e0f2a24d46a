/**
 * Finds the database to look at: the Upkeep setting, then DATABASE_URL (environment, then
 * `.env`), then `config/database.yml` for the chosen Rails environment. Says where the
 * connection came from and never lets a password into the returned `display` or a message.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import type { UpkeepSettings } from '../settings';
import { describeError, fileErrorReason, fileErrorWithCode, UpkeepError } from '../util/errors';
import { isRecord } from '../util/isRecord';
import { firstFew } from '../util/firstFew';
import { printable, printableLine } from '../util/printable';
import { redact } from '../util/logger';
import { describeSize, readTextFileLimited } from '../util/textFile';
import type { DatabaseYml, DatabaseYmlEntry, NonScalarKind, RepeatedKey } from './databaseYml';
import { envVariable, parseDatabaseYml, unsetPasswordIn, unsupportedErbIn } from './databaseYml';
import type { DotenvFile } from './dotenvFile';
import { parseDotenvFile } from './dotenvFile';
import type { SslFile, SslFileParam } from './sslFiles';
import {
  defaultSslFile,
  libpqFolder,
  MAX_SSL_FILE_BYTES,
  missingDefaultKey,
  namedSslFile,
  readSslFile,
  refuseSystemRoots,
  shownFile,
  SSL_CRL,
  SSL_CRL_DIR,
  crlBlocks,
  readCrlFolder,
  SSL_FILES,
} from './sslFiles';

/** `drill`: the recovery drill's target, whose TLS is found as the monitored connection's. */
type ConnectionSourceKind = 'setting' | 'env' | 'dotenv' | 'database.yml' | 'drill';

interface ConnectionSource {
  kind: ConnectionSourceKind;
  /** Workspace-relative file the connection was read from. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** Rails environment (database.yml). */
  environment?: string;
  /** Database of a multi-database environment (database.yml). */
  name?: string;
  /**
   * The variable database.yml reads the password from when it gave none, and its line: not
   * set, or (`empty`) set to an empty value, which reads as no password as well.
   */
  passwordVariable?: { name: string; line: number; empty?: boolean };
}

export interface ResolvedConnection {
  /** Ready for `new pg.Client(config)`; holds the password, so never log or return it. */
  config: ClientConfig;
  /** `user@host:port/database`, safe to show anywhere. */
  display: string;
  source: ConnectionSource;
  /** Maintenance on a production connection needs the database name typed. */
  production: boolean;
  databaseName: string;
  /** Where messages about this connection are shown, so their hints name what works there. */
  surface?: Surface;
  /**
   * The set variable config/database.yml read the password from, and its line: what to check
   * when the server refuses it (it comes before the stored password and PGPASSWORD).
   */
  passwordReadFrom?: { name: string; line: number; dotenv: boolean };
  /**
   * The source itself holds the password (config/database.yml, a URL): it wins over the
   * editor's stored one and PGPASSWORD, so a refused one is corrected there.
   */
  passwordInSource?: boolean;
  /**
   * The server (`user@host:port`) the editor's stored password was set for, when it is another
   * one and the password was held back: a server that then asks for one is told why.
   */
  storedPasswordServer?: string;
  /**
   * sslmode `prefer` (libpq's default) or `allow`: SSL when the server offers it, else a plain
   * connection, as psql and Rails connect. pg itself only knows SSL or none.
   */
  sslOptional?: boolean;
  /** PGSSLMODE's value when it set the sslmode (the source names none), for the messages. */
  sslModeFromEnvironment?: string;
  /**
   * The CA file the server's certificate is checked against, and who named it (the source,
   * PGSSLROOTCERT or libpq's default ~/.postgresql/root.crt), for messages.
   */
  sslRootCert?: SslFile;
  /**
   * What the source holds that Upkeep reads as Rails does but that is most likely a mistake (a
   * key config/database.yml gives twice), each at its file and line: shown, never refused.
   */
  warnings?: ConnectionWarning[];
}

/** A warning about the connection's source, at a workspace-relative file and 1-based line. */
export interface ConnectionWarning {
  file: string;
  line: number;
  message: string;
}

/** Repeated keys named one by one; a file with more says how many more in the last. */
const MAX_REPEAT_WARNINGS = 10;

/** Where a repeated key was given first: a line, or a column of its own line in a flow map. */
function firstAt(repeat: RepeatedKey): string {
  return repeat.firstColumn === undefined
    ? `at line ${repeat.firstLine}`
    : `at column ${repeat.firstColumn} of this line`;
}

/** The warnings for the keys config/database.yml repeats: Rails reads each file anyway. */
export function repeatedKeyWarnings(yml: DatabaseYml): ConnectionWarning[] {
  const shown = yml.repeatedKeys.slice(0, MAX_REPEAT_WARNINGS);
  const more = yml.repeatedKeys.length - shown.length;
  return shown.map((repeat, k) => ({
    file: DATABASE_YML,
    line: repeat.line,
    message:
      // The message goes after `file:line`, in the Problems panel at that line too: the line
      // the key is given again on needs no saying twice.
      `"${repeat.key}" is given again (first ${firstAt(repeat)}): Rails reads the ` +
      `last value, and so does Upkeep. Remove the one not meant.` +
      `${k === shown.length - 1 && more > 0 ? ` (${more} more repeated keys.)` : ''}`,
  }));
}

/**
 * Where a message is read: the editor (commands), the CLI (flags and environment) or either
 * (checks, which both run).
 */
export type Surface = 'editor' | 'cli' | 'any';

export interface ResolveOptions {
  /** Absolute path of the workspace folder. */
  workspace: string;
  settings: UpkeepSettings;
  env: NodeJS.ProcessEnv;
  /** False in an untrusted workspace: then nothing is read from the repo's files. */
  trusted: boolean;
  /** From the editor's secret storage; used when the source itself carries no password. */
  password?: string;
  /**
   * The server (`user@host:port`, see passwordServerOf) the stored password was set for: it goes
   * to that server only. Unset for a password stored before Upkeep kept its server.
   */
  passwordServer?: string;
  /** Where errors are shown; hints fit it. Default `any`. */
  surface?: Surface;
}

/**
 * What to do when no password is known, in the words of where it is shown. `variable` is the
 * one database.yml reads the password from, when it is not set: the app's own way comes first.
 * DATABASE_URL is offered only where it would be read: the upkeep.database.url setting comes
 * before it, so a password put there would never reach a connection from the setting.
 */
export function missingPasswordHint(
  surface: Surface,
  variable?: string,
  kind?: ConnectionSourceKind,
): string {
  const set = variable ? `${variable} or PGPASSWORD` : 'PGPASSWORD';
  if (kind === 'setting') {
    if (surface === 'cli') return `Set ${set}.`;
    if (surface === 'editor') return 'Run "Upkeep: Set Database Password".';
    return `Set ${set}, or (in the editor) run "Upkeep: Set Database Password".`;
  }
  if (surface === 'cli') return `Set ${set}, or put the password in DATABASE_URL.`;
  if (surface === 'editor') {
    return 'Run "Upkeep: Set Database Password", or put the password in DATABASE_URL.';
  }
  return (
    `Set ${set}, put it in DATABASE_URL, ` +
    'or (in the editor) run "Upkeep: Set Database Password".'
  );
}

/** Where else a password can come from, as " in PGPASSWORD" for a hint's sentence. */
function passwordHint(surface: Surface): string {
  if (surface === 'cli') return ' in PGPASSWORD';
  if (surface === 'editor') return ' with "Upkeep: Set Database Password"';
  return ' in PGPASSWORD (in the editor: "Upkeep: Set Database Password")';
}

/**
 * The other way to give the connection, in the words of where it is shown, to follow "or " in
 * a hint: a command the CLI does not have is no help on a cron line.
 */
export function connectionElsewhere(surface: Surface): string {
  if (surface === 'cli') return 'set DATABASE_URL';
  if (surface === 'editor') {
    return 'set the connection with "Upkeep: Configure Database Connection"';
  }
  return 'set DATABASE_URL (in the editor: "Upkeep: Configure Database Connection")';
}

/** What to do when no database is configured, in the words of where it is shown. */
function configureHint(surface: Surface): string {
  if (surface === 'cli') {
    return (
      'Set DATABASE_URL, or run in the app folder (--workspace) with config/database.yml ' +
      'and pick its environment with --env.'
    );
  }
  if (surface === 'editor') {
    return 'Run "Upkeep: Configure Database Connection", or set DATABASE_URL.';
  }
  return 'Set DATABASE_URL, or (in the editor) run "Upkeep: Configure Database Connection".';
}

/** What to do when the chosen Rails environment is not in database.yml. */
function environmentHint(surface: Surface): string {
  if (surface === 'cli') return 'Pick one of them with --env.';
  if (surface === 'editor') return 'Choose another one with "Upkeep: Select Rails Environment".';
  return (
    'Set upkeep.database.railsEnvironment to one of them ' +
    '(in the editor: "Upkeep: Select Rails Environment").'
  );
}

/** What to do when the chosen database of a multi-database environment is not there. */
/** The editor's hint for a database the environment does not have; its picker words its own. */
export const CHOOSE_DATABASE_IN_EDITOR = 'Choose one with "Upkeep: Configure Database Connection".';

function databaseNameHint(surface: Surface): string {
  if (surface === 'cli') return 'Pick one of them with --database.';
  if (surface === 'editor') return CHOOSE_DATABASE_IN_EDITOR;
  return (
    'Set upkeep.database.name to one of them ' +
    '(in the editor: "Upkeep: Configure Database Connection").'
  );
}

/** What to do when a database name is asked of an environment with one database. */
function singleDatabaseHint(surface: Surface): string {
  return surface === 'cli' ? 'Leave out --database.' : 'Clear the upkeep.database.name setting.';
}

/** What to do in an untrusted workspace, where only the setting and DATABASE_URL count. */
function untrustedHint(surface: Surface): string {
  const reason =
    'This workspace is untrusted, so Upkeep does not read .env or config/database.yml. ';
  if (surface === 'editor') {
    return reason + 'Trust the workspace, or run "Upkeep: Configure Database Connection".';
  }
  if (surface === 'cli') return reason + 'Run without --untrusted, or set DATABASE_URL.';
  return (
    reason + 'Run without --untrusted, set DATABASE_URL, or (in the editor) trust the workspace.'
  );
}

const DATABASE_YML = 'config/database.yml';

/** database.yml and .env are a few kilobytes; larger ones, or non-files, are refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** One line for the user: where the connection came from. */
export function describeSource(source: ConnectionSource): string {
  switch (source.kind) {
    case 'setting':
      return 'upkeep.database.url setting';
    case 'env':
      return 'DATABASE_URL';
    case 'drill':
      return 'the drill target URL';
    case 'dotenv':
      return `${source.file ?? '.env'}${source.line ? `:${source.line}` : ''}`;
    case 'database.yml':
      return [source.file ?? DATABASE_YML, source.environment, source.name]
        .filter(Boolean)
        .join(', ');
  }
}

/**
 * Where the password that comes before the editor's stored one is, for a connection whose
 * source gives one: "config/database.yml, development reads it from DB_PASSWORD in .env", or
 * "... holds one" when the file holds the password itself. Undefined when the source gives none.
 */
export function passwordHolder(connection: ResolvedConnection): string | undefined {
  if (!connection.passwordInSource) return undefined;
  const source = describeSource(connection.source);
  const read = connection.passwordReadFrom;
  if (!read) return `${source} holds one`;
  return `${source} reads one from ${read.name} ${read.dotenv ? 'in .env' : 'in the environment'}`;
}

export async function resolveConnection(options: ResolveOptions): Promise<ResolvedConnection> {
  const located = await locate(options);
  if ('yml' in located) return fromDatabaseYml(located.yml, options);
  const { url, source } = located;
  const params = parseUrl(url, source, options.workspace);
  return finish(params, source, options, options.settings.database.production);
}

/**
 * Throws resolveConnection's error when the connection would come from config/database.yml and
 * that file has no entry for the chosen Rails environment. Nothing else is checked: a command
 * that connects later reports the rest. Lets the CLI refuse a mistyped `--env` before it runs
 * anything (the drill's guard would otherwise compare its target with no server at all).
 */
export async function assertRailsEnvironment(options: ResolveOptions): Promise<void> {
  const located = await locate(options).catch(() => undefined);
  if (located && 'yml' in located) environmentEntries(located.yml, options);
}

/** Where the connection comes from: a URL (setting, DATABASE_URL, `.env`) or database.yml. */
type Located = { url: string; source: ConnectionSource } | { yml: DatabaseYml };

async function locate(options: ResolveOptions): Promise<Located> {
  const { settings, env, trusted } = options;
  if (settings.database.url) return { url: settings.database.url, source: { kind: 'setting' } };
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: { kind: 'env' } };
  if (!trusted) {
    throw new UpkeepError(
      'not-found',
      'No database configured: neither the upkeep.database.url setting nor DATABASE_URL is set.',
      untrustedHint(options.surface ?? 'any'),
    );
  }

  const surface = options.surface ?? 'any';
  const dotenv = await readDotenv(options.workspace, env, surface);
  if (dotenv?.commands.has('DATABASE_URL')) {
    // Its text is not quoted: the command may carry the password (`$(echo s3cret)`).
    throw new UpkeepError(
      'config',
      `DATABASE_URL in .env:${dotenv.lineOf('DATABASE_URL') ?? 1} runs a command ($(...)), ` +
        'which Upkeep does not run.',
      surface === 'editor'
        ? 'Run "Upkeep: Configure Database Connection", or write the URL in .env without it.'
        : 'Set DATABASE_URL in the environment, or write the URL in .env without it.',
    );
  }
  if (dotenv?.values.DATABASE_URL) {
    const source: ConnectionSource = {
      kind: 'dotenv',
      file: '.env',
      line: dotenv.lineOf('DATABASE_URL'),
    };
    return { url: dotenv.values.DATABASE_URL, source };
  }

  const text = await readConfigFile(options.workspace, DATABASE_YML, surface);
  if (text === undefined) {
    throw new UpkeepError(
      'not-found',
      'No database configured: no upkeep.database.url setting, ' +
        'no DATABASE_URL (environment or .env) and no config/database.yml.',
      configureHint(options.surface ?? 'any'),
    );
  }
  // Rails with dotenv sees .env's values in ENV; the process environment wins, as with dotenv.
  const erbEnv = { ...(dotenv?.values ?? {}), ...env };
  return { yml: parseDatabaseYml(text, erbEnv, DATABASE_YML, connectionElsewhere(surface)) };
}

/** For pickers: the environments and databases of the workspace's database.yml, if it has one. */
export async function listDatabaseYml(
  workspace: string,
  env: NodeJS.ProcessEnv,
): Promise<DatabaseYml | undefined> {
  const text = await readConfigFile(workspace, DATABASE_YML, 'editor');
  if (text === undefined) return undefined;
  const dotenv = await readDotenv(workspace, env, 'editor');
  const erbEnv = { ...(dotenv?.values ?? {}), ...env };
  return parseDatabaseYml(text, erbEnv, DATABASE_YML, connectionElsewhere('editor'));
}

/**
 * A config file of the workspace, or undefined when it is absent. A file that is not a small
 * regular file is refused (`config`); one that cannot be read says why.
 */
async function readConfigFile(
  workspace: string,
  file: string,
  surface: Surface,
): Promise<string | undefined> {
  const elsewhere = connectionElsewhere(surface);
  let text: string | undefined;
  try {
    text = await readTextFileLimited(path.join(workspace, file), MAX_CONFIG_BYTES);
  } catch (error) {
    if (UpkeepError.is(error)) {
      throw new UpkeepError(
        error.code,
        error.message,
        `Make ${file} a plain file under ${describeSize(MAX_CONFIG_BYTES)}, or ${elsewhere}.`,
        { cause: error },
      );
    }
    // The code to search for and what it means: ELOOP alone says little at 2 a.m., and only a
    // refusal is a matter of permissions.
    const code = (error as NodeJS.ErrnoException).code;
    const denied = code === 'EACCES' || code === 'EPERM';
    throw new UpkeepError(
      'config',
      `Cannot read ${file} (${code ? fileErrorWithCode(error) : describeError(error)}).`,
      `${denied ? 'Check its permissions' : 'Fix it'}, or ${elsewhere}.`,
      { cause: error },
    );
  }
  // Bytes that are not UTF-8 were decoded as U+FFFD: a database name or password read that way
  // names something else, so the file is refused with the line to fix.
  const bad = text?.indexOf('\uFFFD') ?? -1;
  if (text !== undefined && bad !== -1) {
    const line = text.slice(0, bad).split('\n').length;
    throw new UpkeepError(
      'config',
      `${file} is not UTF-8 text (line ${line}).`,
      `Save it as UTF-8, or ${elsewhere}.`,
    );
  }
  return text;
}

async function readDotenv(
  workspace: string,
  env: NodeJS.ProcessEnv,
  surface: Surface,
): Promise<DotenvFile | undefined> {
  const text = await readConfigFile(workspace, '.env', surface);
  if (text === undefined) return undefined;
  return parseDotenvFile(text, env, MAX_CONFIG_BYTES, connectionElsewhere(surface));
}

/**
 * A name from the repo's files (an environment, a database, an adapter) in a message: one short
 * line, as a settings file or database.yml may give one of any length, or controls.
 */
function named(text: string): string {
  return printableLine(text, 80);
}

/** Names for "it has: …": the first ten, then how many more. */
function namedList(names: string[]): string {
  return firstFew(names.map(named), 10);
}

/** The chosen Rails environment and its entries; a `config` error when the file lacks it. */
function environmentEntries(
  yml: DatabaseYml,
  options: ResolveOptions,
): { environment: string; candidates: DatabaseYmlEntry[] } {
  const environment = options.settings.database.railsEnvironment || 'development';
  const candidates = yml.entries.filter((entry) => entry.environment === environment);
  if (candidates.length === 0 && yml.environments.includes(environment)) {
    // `development: &a` with `primary: *a`: the environment is there, its databases are not.
    throw new UpkeepError(
      'config',
      `config/database.yml has a "${named(environment)}" environment with no database settings ` +
        'Upkeep can read.',
      'Give it its settings (adapter:, database:, host:, ...) or one such map per database ' +
        `(primary:, ...), or ${connectionElsewhere(options.surface ?? 'any')}.`,
    );
  }
  if (candidates.length === 0) {
    throw new UpkeepError(
      'config',
      `config/database.yml has no "${named(environment)}" environment ` +
        `(it has: ${namedList(yml.environments) || 'none'}).`,
      environmentHint(options.surface ?? 'any'),
    );
  }
  return { environment, candidates };
}

/** Keys that make a map of database.yml one database's settings, not a group of databases. */
const SETTINGS_KEYS = ['adapter', 'url', 'database', 'host', 'socket'];

/**
 * An environment of database maps beside a key that is none (`primary:` and `replica: 5`):
 * Rails reads it as one database of those keys, with no adapter, and stops. Read that way it
 * has no settings, and Upkeep connected to the default database of PGHOST or localhost: not
 * the one `primary:` names, and maybe another server.
 */
function mixedDatabases(
  entry: DatabaseYmlEntry,
  environment: string,
  surface: Surface,
): UpkeepError | undefined {
  if (entry.name !== undefined) return undefined;
  if (SETTINGS_KEYS.some((key) => entry.values[key] !== undefined)) return undefined;
  const kinds = Object.entries(entry.nonScalar ?? {});
  // `variables:` is a map of one database's settings (SET work_mem ...), not a database.
  const isDatabase = (key: string, kind: NonScalarKind): boolean =>
    kind === 'map' && key !== 'variables';
  const databases = kinds.filter(([key, kind]) => isDatabase(key, kind)).map(([key]) => key);
  if (databases.length === 0) return undefined;
  const others = [
    ...Object.keys(entry.values),
    ...kinds.filter(([key, kind]) => !isDatabase(key, kind)).map(([key]) => key),
  ];
  return new UpkeepError(
    'config',
    `config/database.yml's "${named(environment)}" environment has databases ` +
      `(${namedList(databases)}) beside keys that are none (${namedList(others)}), so Rails ` +
      'reads it as one database with no settings.',
    `Make every key under ${named(environment)}: a database's settings (a map), ` +
      `or ${connectionElsewhere(surface)}.`,
  );
}

/**
 * The error for a value of the chosen database that holds ERB Upkeep did not evaluate. It names
 * the line and the key, never the ERB: a literal in it may be the password
 * (`<%= %q(s3cret) %>`, a URL with its password), and messages reach cron mail and CI logs.
 */
function unevaluatedErbError(
  key: string,
  erb: { line: number; missing?: string },
  surface: Surface,
): UpkeepError {
  const givePassword = key === 'password' ? `give the password${passwordHint(surface)}, or ` : '';
  const elsewhere = `${givePassword}${connectionElsewhere(surface)}.`;
  if (erb.missing !== undefined) {
    return new UpkeepError(
      'config',
      `config/database.yml line ${erb.line} reads ${erb.missing}, which is not set ` +
        '(ENV.fetch without a default; Rails would stop with KeyError).',
      `Set ${erb.missing} in the environment or .env, or ${elsewhere}`,
    );
  }
  const shownKey = printable(key).slice(0, 40);
  return new UpkeepError(
    'config',
    `config/database.yml line ${erb.line} (${shownKey}) uses ERB Upkeep does not evaluate; ` +
      'it is not shown, as it may hold a password.',
    `Upkeep never runs Ruby. ${elsewhere[0].toUpperCase()}${elsewhere.slice(1)}`,
  );
}

async function fromDatabaseYml(
  yml: DatabaseYml,
  options: ResolveOptions,
): Promise<ResolvedConnection> {
  const { environment, candidates } = environmentEntries(yml, options);
  const wanted = options.settings.database.name;
  let entry: DatabaseYmlEntry | undefined;
  if (wanted) {
    entry = candidates.find((candidate) => candidate.name === wanted);
    if (!entry && candidates.every((candidate) => candidate.name === undefined)) {
      throw new UpkeepError(
        'config',
        `config/database.yml has no database "${named(wanted)}" in "${named(environment)}": ` +
          'it has one ' +
          'database, not several named ones (primary:, replica:, ...).',
        singleDatabaseHint(options.surface ?? 'any'),
      );
    }
    if (!entry) {
      throw new UpkeepError(
        'config',
        `config/database.yml has no database "${named(wanted)}" in "${named(environment)}" ` +
          `(it has: ${namedList(candidates.map((c) => c.name ?? 'the default'))}).`,
        databaseNameHint(options.surface ?? 'any'),
      );
    }
  } else {
    // Rails' primary database is the one named primary, or else the first.
    entry = candidates.find((candidate) => candidate.name === 'primary') ?? candidates[0];
  }

  const mixed = mixedDatabases(entry, environment, options.surface ?? 'any');
  if (mixed) throw mixed;
  const values = entry.values;
  // The password alone can come from elsewhere: Rails apps read it from their credentials, ERB
  // Upkeep does not evaluate, and a cron line gives it in PGPASSWORD.
  const passwordElsewhere = options.password !== undefined || Boolean(options.env.PGPASSWORD);
  let passwordUnread = false;
  for (const [key, value] of Object.entries(values)) {
    const erb = unsupportedErbIn(value, yml);
    if (!erb) continue;
    if (key === 'password' && passwordElsewhere) {
      passwordUnread = true;
      continue;
    }
    throw unevaluatedErbError(key, erb, options.surface ?? 'any');
  }
  const adapter = String(values.adapter ?? 'postgresql');
  if (!/^(postgres|postgresql|postgis)$/.test(adapter)) {
    throw new UpkeepError(
      'config',
      `config/database.yml uses the ${named(adapter)} adapter for ${named(environment)}; ` +
        'Upkeep reads PostgreSQL only.',
      'Choose an environment whose adapter is postgresql, or set DATABASE_URL to a ' +
        'PostgreSQL database.',
    );
  }

  const unsetPassword = unsetPasswordIn(values.password, yml);
  // A variable that is set but empty (`DB_PASSWORD=` in a unit file) gives no password either:
  // named too, or the message would point everywhere but at it.
  const emptyPassword =
    entry.passwordFrom && values.password === ''
      ? { name: entry.passwordFrom.variable, line: entry.passwordFrom.line, empty: true }
      : undefined;
  const passwordVariable = unsetPassword
    ? { name: unsetPassword.variable, line: unsetPassword.line }
    : emptyPassword;
  const source: ConnectionSource = {
    kind: 'database.yml',
    file: DATABASE_YML,
    line: entry.line,
    environment,
    name: entry.name,
    ...(passwordVariable ? { passwordVariable } : {}),
  };
  const production = options.settings.database.production || environment === 'production';
  const text = (key: string): string | undefined => {
    const value = values[key];
    return value === null || value === undefined || value === '' ? undefined : String(value);
  };

  // Rails merges a `url:` with the other keys; the URL's parts win.
  const fromKeys: Record<string, string | undefined> = {
    host: text('host') ?? text('socket'),
    port: text('port'),
    database: text('database'),
    user: text('username') ?? text('user'),
    password: unsetPassword || passwordUnread ? undefined : text('password'),
    sslmode: text('sslmode'),
    sslrootcert: text('sslrootcert'),
    sslcert: text('sslcert'),
    sslkey: text('sslkey'),
    sslcrl: text('sslcrl'),
    sslcrldir: text('sslcrldir'),
  };
  const url = text('url');
  const parsed = url ? parseUrl(url, source, options.workspace) : {};
  // The keys' sslmode and files (relative ones from the app folder) are read by finish, with or
  // without an sslmode, as libpq reads them; a url: key's win.
  const merged: Record<string, unknown> = {
    ...stripUndefined(fromKeys),
    ...stripUndefined(parsed),
  };
  refuseUnknownSslMode(fromKeys.sslmode, describeSource(source), entry.nonScalar?.sslmode);
  const finished = await finish(merged, source, options, production);
  const warnings = repeatedKeyWarnings(yml);
  const resolved = warnings.length ? { ...finished, warnings } : finished;
  const read = entry.passwordFrom;
  return read && resolved.config.password === text('password') && text('password') !== undefined
    ? {
        ...resolved,
        // Not in the process environment: .env gave it, as dotenv gives it to Rails.
        passwordReadFrom: {
          name: read.variable,
          line: read.line,
          dotenv: envVariable(options.env, read.variable) === undefined,
        },
      }
    : resolved;
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined && v !== null),
  );
}

/**
 * The connection parameters of a URL, as pg-connection-string reads them with libpq's meaning.
 * Its relative sslrootcert, sslcert and sslkey are read from `folder`, the app's (see
 * namedSslFile). A URL with verify-ca and no sslrootcert is checked against the CA PGSSLROOTCERT
 * or libpq's default names, which finish adds, and refused there when there is none.
 */
function parseUrl(url: string, source: ConnectionSource, folder: string): Record<string, unknown> {
  // A scheme typed with one slash or none (`postgres:/app:pw@db/x`), or left out (`//app:pw@db`),
  // reads to the driver as a database or a socket path holding the whole text, password and all,
  // which every message would then name. A socket path has no `@`.
  const trimmed = url.trim();
  const socketPath = trimmed.startsWith('/') && !trimmed.includes('@');
  if (!/^(postgres|postgresql):\/\/|^socket:/i.test(trimmed) && !socketPath) {
    throw new UpkeepError(
      'config',
      `The connection URL from ${describeSource(source)} is not a PostgreSQL URL ` +
        '(it must start with postgres:// or postgresql://).',
    );
  }
  const query = new URLSearchParams(
    trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?')).split('#')[0] : '',
  );
  refuseSystemRoots(query.get('sslrootcert'), `The connection URL from ${describeSource(source)}`);
  refuseSeveralHosts(trimmed, query, source);
  const zoned = zonedHostError(trimmed, `The connection URL from ${describeSource(source)}`);
  if (zoned) throw zoned;
  const absolute = withSslFilesIn(trimmed, folder);
  refuseUnfitSslFiles(absolute, `The connection URL from ${describeSource(source)}`);
  // pg-connection-string refuses verify-ca unless the URL itself names the CA: the URL is read
  // as verify-full, and finish checks the chain alone against the CA found elsewhere.
  const caElsewhere = query.get('sslmode') === 'verify-ca' && !query.get('sslrootcert');
  const readable = caElsewhere ? withSslMode(absolute, 'verify-ca', 'verify-full') : absolute;
  try {
    // libpq semantics: sslmode=require encrypts without verifying, as psql and Rails do.
    const params = parseConnectionString(readable, { useLibpqCompat: true }) as Record<
      string,
      unknown
    >;
    if (caElsewhere) params.sslmode = 'verify-ca';
    const database = urlDatabase(url.trim());
    if (database !== undefined) params.database = database;
    refuseUnknownSslMode(params.sslmode, `The connection URL from ${describeSource(source)}`);
    return params;
  } catch (error) {
    if (UpkeepError.is(error)) throw error;
    if (error instanceof URIError) {
      const what = `The connection URL from ${describeSource(source)}`;
      throw percentError(what, undecodableDatabase(trimmed) ? 'database name' : 'userinfo');
    }
    // "Invalid URL": most often a password with a #, / or ? typed as is, which ends the userinfo.
    const invalid = (error as { code?: unknown }).code === 'ERR_INVALID_URL';
    throw new UpkeepError(
      'config',
      `The connection URL from ${describeSource(source)} cannot be read: ` +
        `${redact(error instanceof Error ? error.message : String(error))}`,
      invalid ? INVALID_URL_HINT : undefined,
    );
  }
}

/**
 * libpq takes several hosts, `postgres://u@db1:5432,db2:5432/app` or `?host=db1,db2`, and tries
 * each in turn; the URL parser refuses the first form (its message then pointed at the password)
 * and the driver looks the second up as one name. Refused in words: Upkeep checks one server.
 */
function refuseSeveralHosts(url: string, query: URLSearchParams, source: ConnectionSource): void {
  const authority = /^postgres(?:ql)?:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  // After the last @: a password may hold a comma.
  const inAuthority = authority.slice(authority.lastIndexOf('@') + 1).split(',').length;
  const inQuery = query.getAll('host').map((host) => host.split(',').length);
  const hosts = Math.max(inAuthority, ...inQuery);
  if (hosts > 1) {
    throw severalHostsError(`The connection URL from ${describeSource(source)}`, hosts);
  }
}

/**
 * A bracketed IPv6 host with a zone, `[fe80::1%25eth0]`: the WHATWG URL parser, which pg reads
 * URLs with, has no zones and refuses the whole URL, whose message then pointed at the password.
 * libpq and pg read the same host from `?host=`: refused in words, with that form.
 */
function zonedHostError(url: string, what: string): UpkeepError | undefined {
  const authority = /^postgres(?:ql)?:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  const zoned = /^\[([0-9a-f:.]*)%(?:25)?([^\]]*)\](?::(\d{1,5}))?$/i.exec(
    authority.slice(authority.lastIndexOf('@') + 1),
  );
  if (!zoned) return undefined;
  const [, address, zone, port] = zoned;
  const host = `${address}%25${zone}`;
  return new UpkeepError(
    'config',
    `${what} names an IPv6 host with a zone, [${host}], which a URL cannot hold: ` +
      'the URL standard has no zones.',
    `Give the host as a parameter, which libpq reads too: ` +
      `postgres://user@/database?host=${host}&port=${port ?? '5432'}, or use an address ` +
      'without a zone.',
  );
}

/** `what` names `hosts` hosts, as libpq takes them (`host: db1,db2` too): refused in words. */
function severalHostsError(what: string, hosts: number): UpkeepError {
  return new UpkeepError(
    'config',
    `${what} names ${hosts} hosts, which libpq tries in turn; Upkeep connects to one server.`,
    'Name one host: the server to check (the primary, or the standby whose replication is ' +
      'to be checked).',
  );
}

/**
 * `url` with each value of the query parameters `keys` matches (a RegExp source) that `change`
 * turns into another; `change` gets the value decoded and returns undefined to keep it.
 */
function changeQueryValues(
  url: string,
  keys: string,
  change: (value: string) => string | undefined,
): string {
  const pattern = new RegExp(`([?&](?:${keys})=)([^&#]*)`, 'g');
  return url.replace(pattern, (whole, key: string, value: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return whole;
    }
    const changed = change(decoded);
    return changed === undefined ? whole : `${key}${encodeURIComponent(changed)}`;
  });
}

/** `url` with each sslmode query parameter whose value is `from` set to `to` instead. */
function withSslMode(url: string, from: string, to: string): string {
  return changeQueryValues(url, 'sslmode', (mode) => (mode === from ? to : undefined));
}

/** `url` with relative sslrootcert, sslcert and sslkey made absolute from `folder`. */
function withSslFilesIn(url: string, folder: string): string {
  return changeQueryValues(url, 'sslrootcert|sslcert|sslkey', (file) =>
    file === '' || path.isAbsolute(file) ? undefined : path.resolve(folder, file),
  );
}

const INVALID_URL_HINT =
  'Write a #, /, ? or @ in the user name or password percent-encoded (%23, %2F, %3F, %40), or ' +
  'leave the password out of the URL: PGPASSWORD, or in the editor "Upkeep: Set Database ' +
  'Password". Check that the port is a number up to 65535.';

/**
 * The database name of a `postgres://` URL as libpq reads it: the path after the host up to the
 * `?`, every `%XX` decoded. pg-connection-string decodes it with decodeURI, which leaves `%3B`,
 * `%2F`, `%3F`, `%23` and the like encoded, and lets the URL parser fold `a/../b` to `b`: psql
 * and Rails would connect to another database than Upkeep. A `%` that starts no escape stays as
 * written, as pg-connection-string keeps it. Undefined when the URL names no database.
 */
export function urlDatabase(url: string): string | undefined {
  const uri = /^postgres(?:ql)?:\/\/[^/?]*\/([^?]*)/i.exec(url);
  if (!uri?.[1]) return undefined;
  // Each run of escapes at once: a UTF-8 character spans several. No text: a URIError.
  return uri[1].replace(/(?:%[0-9a-f]{2})+/gi, (run) => decodeURIComponent(run));
}

/** The query parameters naming files that pg-connection-string reads as it parses. */
const SSL_FILE_PARAMS = SSL_FILES.map(({ param }) => param);

/**
 * pg-connection-string reads a URL's sslrootcert, sslcert and sslkey with readFileSync while it
 * parses: a FIFO named there (or /dev/stdin) would block this whole process, and with it the
 * editor's extension host, and /dev/zero would fill its memory. Each must be a regular file of
 * at most 1 MB, or `what` is refused with a configuration error first. Sync like the read it
 * guards; a stat never waits on a FIFO.
 */
export function refuseUnfitSslFiles(url: string, what: string): void {
  const at = url.indexOf('?');
  if (at < 0) return;
  const params = new URLSearchParams(url.slice(at + 1).split('#')[0]);
  for (const key of SSL_FILE_PARAMS) {
    const file = params.get(key);
    if (!file) continue;
    const named = `${what} names ${key} ${shownFile(file)}`;
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) {
        throw new UpkeepError(
          'config',
          `${named}, which is not a regular file; nothing was read from it.`,
          `Point ${key} at the certificate or key file itself.`,
        );
      }
      size = stat.size;
    } catch (error) {
      if (UpkeepError.is(error)) throw error;
      throw new UpkeepError(
        'config',
        `${named}, which cannot be read (${fileErrorReason(error)}).`,
      );
    }
    if (size > MAX_SSL_FILE_BYTES) {
      throw new UpkeepError(
        'config',
        `${named}, which is ${describeSize(size)}: more than a certificate or key takes; ` +
          'nothing was read from it.',
      );
    }
  }
}

/** libpq's sslmode values: it refuses any other before connecting, and so does Upkeep. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * Refuses an sslmode libpq does not know, `what` saying where it was read. pg takes any value:
 * a mistyped one in a URL verified the server as verify-full does, and in PGSSLMODE it turned
 * SSL off, both silently. The value is shown cut short: it is no secret, but it is typed text.
 * A database.yml value that is no scalar (`nonScalar`) was left out of the keys read, which
 * connected without the sslmode meant: it is refused too. A `~` is no value at all, as Rails
 * drops a nil one before connecting.
 */
function refuseUnknownSslMode(mode: unknown, what: string, nonScalar?: NonScalarKind): void {
  if (nonScalar) {
    throw new UpkeepError(
      'config',
      `${what} sets sslmode to ${NON_SCALAR_SSL_MODE[nonScalar]}.`,
      `Write one of ${SSL_MODES.join(', ')}.`,
    );
  }
  if (typeof mode !== 'string' || mode === '' || SSL_MODES.includes(mode)) return;
  const pgOnly =
    mode === 'no-verify'
      ? " no-verify is node-postgres' own; libpq reads require as encrypted, not verified."
      : '';
  throw new UpkeepError(
    'config',
    `${what} sets sslmode to "${printableLine(mode, 40)}", which libpq (psql, Rails) refuses.`,
    `Write one of ${SSL_MODES.join(', ')}.${pgOnly}`,
  );
}

/*
 * Rails passes a list, a map or a date to pg as its Ruby text (`["require"]`), which libpq
 * refuses; Psych decodes `!!binary` to its bytes, which Upkeep does not guess at.
 */
const NON_SCALAR_SSL_MODE: Record<NonScalarKind, string> = {
  list: 'a list, which libpq (psql, Rails) refuses',
  map: 'a map, which libpq (psql, Rails) refuses',
  set: 'a set, which libpq (psql, Rails) refuses',
  date: 'a date, which libpq (psql, Rails) refuses',
  binary: 'binary data (!!binary), which Upkeep does not decode',
};

/**
 * Refuses verify-ca without sslrootcert, as pg does, in words: it checks the server's certificate
 * against that CA alone, not the host name, so the CA must be named (pg's own message is a
 * SECURITY WARNING about public CAs, and named a URL where database.yml has none).
 */
function refuseVerifyCaWithoutRoot(mode: unknown, rootCert: unknown, what: string): void {
  if (mode !== 'verify-ca' || (typeof rootCert === 'string' && rootCert !== '')) return;
  throw new UpkeepError(
    'config',
    `${what} sets sslmode to verify-ca without sslrootcert, the CA certificate it checks the ` +
      "server's against.",
    'Name that file with sslrootcert (or PGSSLROOTCERT), or write verify-full to check the ' +
      "server against the system's CAs and its host name.",
  );
}

/**
 * The TLS options of `mode` with the certificate and key `texts`, verified as libpq verifies:
 * verify-full checks the chain and the host name; verify-ca, and any other mode once a CA file
 * is loaded (libpq's require reads as verify-ca then, and prefer and allow check the chain too),
 * the chain alone; without a CA, prefer, allow and require check nothing.
 */
function tlsFor(mode: string, texts: Record<string, string | string[]>): ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'verify-full') return { ...texts };
  if (mode === 'verify-ca' || texts.ca !== undefined) {
    // The chain is checked against the CA; the host name is not (pg-connection-string's way).
    return { ...texts, checkServerIdentity: () => undefined };
  }
  return { ...texts, rejectUnauthorized: false };
}

/**
 * The files a connection's TLS uses, by the tls option their text goes to, and libpq's folder of
 * revocation lists (`crldir`), whose lists go to `crl` too.
 */
export type SslFilesInUse = Partial<Record<SslFileParam['option'] | 'crldir', SslFile>>;

/**
 * The certificate and key texts of a connection that uses SSL, each from the first place that
 * names it, as libpq looks: the source (a URL's, which pg-connection-string has read into
 * `read`; database.yml's keys), then PGSSLROOTCERT, PGSSLCERT and PGSSLKEY (the user's own,
 * read in any workspace), then libpq's files in ~/.postgresql that exist. The default key goes
 * with a client certificate only, and must be there then; the revocation lists (sslcrl or
 * PGSSLCRL, sslcrldir or PGSSLCRLDIR, else root.crl) are read with a CA only, as libpq does.
 */
async function sslTexts(
  str: (key: string) => string | undefined,
  read: Record<string, unknown>,
  source: ConnectionSource,
  options: Pick<ResolveOptions, 'workspace' | 'env'>,
): Promise<{ texts: Record<string, string | string[]>; files: SslFilesInUse }> {
  const texts: Record<string, string | string[]> = {};
  const found: SslFilesInUse = {};
  const where = (spec: SslFileParam, orDefault = true): SslFile | undefined => {
    const written = str(spec.param);
    const variable = options.env[spec.variable];
    if (spec.option === 'ca') {
      refuseSystemRoots(written, describeSource(source));
      if (written === undefined) refuseSystemRoots(variable, spec.variable);
    }
    if (written !== undefined) {
      return namedSslFile(written, options.workspace, 'source', describeSource(source));
    }
    if (variable) return namedSslFile(variable, options.workspace, 'variable', spec.variable);
    if ((spec.option === 'key' && !found.cert) || !orDefault) return undefined;
    return defaultSslFile(options.env, spec.defaultName);
  };
  for (const spec of SSL_FILES) {
    const file = where(spec);
    if (file === undefined) continue;
    found[spec.option] = file;
    const ready = read[spec.option];
    texts[spec.option] = typeof ready === 'string' ? ready : await readSslFile(file, spec);
  }

  const folder = libpqFolder(options.env);
  if (found.cert && !found.key && folder !== undefined) {
    throw missingDefaultKey(found.cert, path.join(folder, 'postgresql.key'));
  }
  if (!found.ca) return { texts, files: found };
  // libpq reads root.crl only when neither a list nor a folder of lists is named.
  const crldir = where(SSL_CRL_DIR, false);
  const crl = where(SSL_CRL, crldir === undefined);
  const lists: string[] = [];
  if (crl) {
    found.crl = crl;
    lists.push(await readSslFile(crl, SSL_CRL));
  }
  if (crldir) {
    found.crldir = crldir;
    lists.push(...(await readCrlFolder(crldir)));
  }
  if (lists.length) texts.crl = crlBlocks(lists);
  return { texts, files: found };
}

/** A connection's TLS as libpq makes it (see resolveTls). */
interface ResolvedTls {
  /** pg's `ssl`; undefined leaves pg's default, a plain connection. */
  ssl?: ClientConfig['ssl'];
  /** The sslmode in force: the source's, PGSSLMODE's, or libpq's prefer with files to use. */
  sslmode?: string;
  /** PGSSLMODE's value when it set the sslmode (the source names none). */
  envMode?: string;
  files: SslFilesInUse;
}

/** A connection parameter of `params` as text: a number as written, an empty one as none. */
function paramText(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

/**
 * The TLS of a connection to `host` with the connection parameters `params`, as libpq makes it:
 * the sslmode of the source, else PGSSLMODE; the certificate files found as sslTexts finds them;
 * none over a Unix socket, where the server takes no SSL.
 */
async function resolveTls(
  params: Record<string, unknown>,
  host: string,
  source: ConnectionSource,
  options: Pick<ResolveOptions, 'workspace' | 'env'>,
): Promise<ResolvedTls> {
  const str = (key: string): string | undefined => paramText(params, key);
  // As libpq: PGSSLMODE counts only when the source names no sslmode (nor pg's own ssl=).
  const sourceMode = str('sslmode');
  const envMode =
    sourceMode === undefined && typeof params.ssl !== 'boolean'
      ? options.env.PGSSLMODE || undefined
      : undefined;
  refuseUnknownSslMode(envMode, 'PGSSLMODE');
  let sslmode = sourceMode ?? envMode;
  // libpq reads no sslmode on a Unix socket, where the server takes no SSL: psql connects there
  // with PGSSLMODE=require, pg would ask for SSL and be refused. No file is read without SSL.
  if (host.startsWith('/') || sslmode === 'disable' || params.ssl === false) {
    return { ssl: false, sslmode, envMode, files: {} };
  }
  const read = isRecord(params.ssl) ? params.ssl : {};
  const { texts, files } = await sslTexts(str, read, source, options);
  const urlOrFile = source.kind === 'database.yml' ? '' : 'The connection URL from ';
  const modeFrom = sourceMode ? `${urlOrFile}${describeSource(source)}` : 'PGSSLMODE';
  refuseVerifyCaWithoutRoot(sslmode, files.ca?.file, modeFrom);
  // With no sslmode anywhere, libpq's default prefer: SSL when there is a file to use, else
  // pg's plain connection (or, for pg's own ssl=true, verify-full's checks).
  const any = Object.keys(texts).length > 0;
  if (sslmode === undefined && params.ssl !== true && any) sslmode = 'prefer';
  let ssl: ClientConfig['ssl'] | undefined;
  if (sslmode !== undefined) {
    ssl = tlsFor(sslmode, texts);
  } else if (params.ssl === true) {
    ssl = any ? tlsFor('verify-full', texts) : true;
  }
  return { ssl, sslmode, envMode, files };
}

/** A URL's TLS for a server other than the monitored one, found as the monitored one's. */
export interface UrlTls {
  /** pg's `ssl`; undefined for a plain connection. */
  ssl?: ClientConfig['ssl'];
  /** prefer or allow: a server without SSL, or whose certificate fails the CA, is used plain. */
  sslOptional?: boolean;
  /**
   * The same sslmode and the same files for a libpq program (pg_restore) as its environment:
   * PGSSLMODE, and PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, PGSSLCRL and PGSSLCRLDIR as absolute
   * paths.
   */
  libpqEnv: Record<string, string>;
}

/**
 * The TLS of `url`, a server Upkeep connects to besides the monitored database (the recovery
 * drill's target), through the very code that finds the monitored connection's: its sslmode or
 * PGSSLMODE, its files, PGSSLROOTCERT and the like, then ~/.postgresql's of `env`'s HOME, and a
 * relative path from the app folder (`workspace`). `host` is the one the caller connects to.
 */
export async function resolveUrlTls(
  url: string,
  host: string,
  options: Pick<ResolveOptions, 'workspace' | 'env'>,
): Promise<UrlTls> {
  const source: ConnectionSource = { kind: 'drill' };
  const params = parseUrl(url, source, options.workspace);
  const tls = await resolveTls(params, host, source, options);
  const libpqEnv: Record<string, string> = {};
  if (tls.sslmode !== undefined) libpqEnv.PGSSLMODE = tls.sslmode;
  // pg's own ssl=true, which libpq does not know: encrypted, as pg_restore can be asked to.
  else if (tls.ssl) libpqEnv.PGSSLMODE = 'require';
  for (const spec of SSL_FILES) {
    const file = tls.files[spec.option];
    if (file !== undefined) libpqEnv[spec.variable] = file.file;
  }
  if (tls.files.crl) libpqEnv.PGSSLCRL = tls.files.crl.file;
  if (tls.files.crldir) libpqEnv.PGSSLCRLDIR = tls.files.crldir.file;
  return {
    ...(tls.ssl !== undefined ? { ssl: tls.ssl } : {}),
    ...(tls.ssl && (tls.sslmode === 'prefer' || tls.sslmode === 'allow')
      ? { sslOptional: true }
      : {}),
    libpqEnv,
  };
}

/** libpq's default socket folders, tried when a config names no host (as Rails does). */
const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

/** Query parameters other than `password` that hold a secret (libpq's `sslpassword`). */
const SECRET_PARAMETER = /pass|secret|token/i;

/**
 * The database passwords the environment holds, for hiding: `PGPASSWORD`, and the one in
 * `DATABASE_URL` (none when it is no URL; the session that cannot connect with it says so).
 */
export function environmentPasswords(env: Record<string, string | undefined>): string[] {
  let fromUrl: string | undefined;
  try {
    fromUrl = env.DATABASE_URL ? splitUrlPassword(env.DATABASE_URL).password : undefined;
  } catch {
    fromUrl = undefined;
  }
  return [env.PGPASSWORD, fromUrl].filter((value): value is string => Boolean(value));
}

/**
 * An entered connection URL split for keeping: the URL without its password, for a settings
 * file, and the password, for secret storage. libpq (and pg) also read `?password=` from the
 * query, so that one is taken out too; the userinfo one wins when both are given. Other secret
 * parameters (`sslpassword`, the client key's passphrase, which pg does not read) are left out
 * and named in `dropped`, so that no secret reaches the settings file.
 */
export function splitUrlPassword(text: string): {
  url: URL;
  /** The user name, decoded. */
  user?: string;
  password?: string;
  dropped: string[];
} {
  const zoned = zonedHostError(text.trim(), 'The connection URL');
  if (zoned) throw zoned;
  const url = new URL(text.trim());
  const fromQuery = url.searchParams.get('password') ?? undefined;
  url.searchParams.delete('password');
  const dropped = [...new Set(url.searchParams.keys())].filter((name) =>
    SECRET_PARAMETER.test(name),
  );
  for (const name of dropped) url.searchParams.delete(name);
  const user = url.username ? decodeUserinfo(url.username) : undefined;
  const password = url.password ? decodeUserinfo(url.password) : fromQuery;
  url.password = '';
  return { url, user, password, dropped };
}

/**
 * A URL's user name or password as pg reads it: escapes decoded, and a `%` that starts none (a
 * password `50%off` typed as is) kept as written. A `%` and two hex digits that decode to no
 * text (`50%ff`) cannot be read either way: refused, saying what to write.
 */
function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    if (/%[0-9a-f]{2}/i.test(text)) throw percentError('The connection URL');
    return text;
  }
}

/** Whether the database name of a postgres:// URL holds an escape that decodes to no text. */
function undecodableDatabase(url: string): boolean {
  try {
    urlDatabase(url);
    return false;
  } catch {
    return true;
  }
}

/**
 * A URL pg cannot decode for a `%` in it (`what` names the URL), with what to write; `part` is
 * where the `%` is, its user name or password unless said.
 */
export function percentError(
  what: string,
  part: 'userinfo' | 'database name' = 'userinfo',
): UpkeepError {
  if (part === 'database name') {
    return new UpkeepError(
      'config',
      `${what} cannot be read: a % in its database name is not percent-encoding (%XX that ` +
        'decodes to a byte that is no text).',
      'Write a % in a connection URL as %25, and a character of the name in its UTF-8 bytes ' +
        '(é as %C3%A9).',
    );
  }
  return new UpkeepError(
    'config',
    `${what} cannot be read: a % in its user name or password is not percent-encoding ` +
      '(a password such as 50%ff typed as is, where %ff would be a byte that is no text).',
    'Write a % in a connection URL as %25 (50%ff as 50%25ff), or leave the password out of ' +
      'the URL: PGPASSWORD, or in the editor "Upkeep: Set Database Password".',
  );
}

function serverKey(user: string, host: string, port: number): string {
  return `${user}@${host}:${port}`;
}

/** The server a password set now for `connection` belongs to (`user@host:port`). */
export function passwordServerOf(connection: ResolvedConnection): string {
  const { user, host, port } = connection.config;
  return serverKey(String(user), String(host), Number(port));
}

/**
 * The startup message ends each value at a NUL: `app\0options\0-c search_path=x` in a database
 * name connected to `app` with a setting no one saw, where libpq (Rails, psql) reads `app`. The
 * value is not quoted: it may be the password, or hold it.
 */
function refuseNul(values: Record<string, string | undefined>, source: ConnectionSource): void {
  const key = Object.keys(values).find((name) => values[name]?.includes('\0'));
  if (key === undefined) return;
  throw new UpkeepError(
    'config',
    `The ${key === 'user' ? 'user name' : key} from ${describeSource(source)} holds a NUL ` +
      'character, which no PostgreSQL connection value can hold.',
    'Remove it (a NUL byte, or %00 in a URL) from the value.',
  );
}

async function finish(
  params: Record<string, unknown>,
  source: ConnectionSource,
  options: ResolveOptions,
  production: boolean,
): Promise<ResolvedConnection> {
  const str = (key: string): string | undefined => paramText(params, key);
  // Before the port: `port: 5432,5433` goes with such a list of hosts.
  const hosts = (str('host') ?? options.env.PGHOST ?? '').split(',').length;
  if (hosts > 1) {
    const from = str('host') === undefined ? 'PGHOST' : `The host from ${describeSource(source)}`;
    throw severalHostsError(from, hosts);
  }
  const port = Number(str('port') ?? options.env.PGPORT ?? 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    const from = str('port') === undefined ? 'PGPORT' : `The port from ${describeSource(source)}`;
    throw new UpkeepError(
      'config',
      `${from} is not a port number.`,
      'Write the port as a whole number from 1 to 65535 (PostgreSQL listens on 5432 by default).',
    );
  }
  let host = str('host') ?? options.env.PGHOST;
  if (!host) {
    host = SOCKET_DIRS.find((dir) => existsSync(path.join(dir, `.s.PGSQL.${port}`))) ?? 'localhost';
  }
  const user = str('user') ?? options.env.PGUSER ?? options.env.USER ?? 'postgres';
  const database = str('database') ?? options.env.PGDATABASE ?? user;
  // As libpq: the source's password, else the editor's stored one, else PGPASSWORD. The stored
  // one is the editor's, not the folder's: a repo's database.yml may name any host.
  const server = serverKey(user, host, port);
  const heldBack =
    options.password !== undefined &&
    options.passwordServer !== undefined &&
    options.passwordServer !== server;
  const stored = heldBack ? undefined : options.password;
  const password = str('password') ?? stored ?? options.env.PGPASSWORD;
  refuseNul({ host, user, database, password }, source);

  const config: ClientConfig = {
    host,
    port,
    user,
    database,
    application_name: 'upkeep',
  };
  if (password !== undefined) config.password = password;

  const { ssl, sslmode, envMode, files } = await resolveTls(params, host, source, options);
  if (ssl !== undefined) config.ssl = ssl;
  const rootCert = files.ca;
  const shownHost = host.startsWith('/') ? `[${host}]` : host.includes(':') ? `[${host}]` : host;
  return {
    config,
    display: `${user}@${shownHost}:${port}/${database}`,
    source,
    production,
    databaseName: database,
    surface: options.surface ?? 'any',
    ...(heldBack ? { storedPasswordServer: options.passwordServer } : {}),
    ...(str('password') !== undefined ? { passwordInSource: true } : {}),
    ...(config.ssl && (sslmode === 'prefer' || sslmode === 'allow') ? { sslOptional: true } : {}),
    ...(envMode !== undefined ? { sslModeFromEnvironment: envMode } : {}),
    ...(rootCert !== undefined && config.ssl ? { sslRootCert: rootCert } : {}),
  };
}
