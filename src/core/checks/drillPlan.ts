/**
 * What the recovery drill decides before it touches anything: which dump, which target server,
 * whether that target is the monitored database's server, and the credential-free words the
 * editor's modal and `upkeep drill` show before the user confirms.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { quoteIdent } from '../db/sqlText';
import type { ResolvedConnection, ResolveOptions, Surface, UrlTls } from '../db/connection';
import { percentError, resolveConnection, resolveUrlTls, urlDatabase } from '../db/connection';
import {
  connectClient,
  connectOrAbort,
  dropClient,
  guardParser,
  isMissingPassword,
  plainRetryAllowed,
  unknownAuthMethod,
  withAbort,
} from '../db/session';
import type { UpkeepSettings } from '../settings';
import { UpkeepError, describeError, throwIfAborted } from '../util/errors';
import { formatUtc } from '../util/figures';
import { isLoopbackHost, normalHost } from '../util/hosts';
import { redact } from '../util/logger';
import { printable } from '../util/printable';
import { shownPath } from '../util/paths';
import type { DumpHeader } from './backupChecks';
import { findNewestBackup, readDumpDatabase, readDumpHeader, shownDumpText } from './backupChecks';

/** A server as a URL names it; `password` never leaves the drill. */
export interface DrillEndpoint {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
}

/** The drill's target as the drill connects to it: its server and its TLS. */
export interface DrillTarget extends DrillEndpoint {
  /**
   * TLS found as the monitored connection's is (see resolveUrlTls), for pg and, as libpq
   * variables naming the same files, for pg_restore.
   */
  tls: UrlTls;
}

/** Whether a query parameter is about TLS (ssl, sslmode, sslrootcert, ...): resolveUrlTls's. */
const TLS_PARAM = /^(ssl|uselibpqcompat)/i;

/**
 * `url` without its TLS parameters: pg-connection-string would read the files they name while
 * it parses, from the process's folder, and warn of its own sslmode. A key is decoded first
 * (`ssl%6Bey` is sslkey to it too).
 */
function withoutTls(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const [query, ...fragment] = url.slice(at + 1).split('#');
  const kept = query.split('&').filter((pair) => {
    const key = pair.split('=')[0].replace(/\+/g, ' ');
    try {
      return !TLS_PARAM.test(decodeURIComponent(key));
    } catch {
      return true;
    }
  });
  const rest = fragment.length > 0 ? `#${fragment.join('#')}` : '';
  return `${url.slice(0, at)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${rest}`;
}

/**
 * Host, port, user and database of a connection URL, parsed as pg itself parses it, and no file
 * read: its TLS is targetEndpoint's.
 */
export function endpointOf(url: string): DrillEndpoint {
  const parsed = parseConnectionString(withoutTls(url));
  return {
    host: parsed.host || 'localhost',
    port: Number(parsed.port || 5432),
    user: parsed.user || undefined,
    password: parsed.password || undefined,
    database: urlDatabase(url) ?? (parsed.database || 'postgres'),
  };
}

/**
 * The drill target of `url`, its TLS found as the monitored connection's: its sslmode or
 * PGSSLMODE, its files, PGSSLROOTCERT and the like, ~/.postgresql of `env`'s HOME, relative
 * paths from the app folder (`workspace`). A URL that asks for TLS gets it: the password must
 * not go over the wire in the clear. A file that cannot be used is a `config` error.
 */
export async function targetEndpoint(
  url: string,
  options: Pick<ResolveOptions, 'workspace' | 'env'>,
): Promise<DrillTarget> {
  const endpoint = endpointOf(url);
  return { ...endpoint, tls: await resolveUrlTls(url, endpoint.host, options) };
}

/** Same host (every name of this machine counts as one) and same port. */
export function sameServer(a: DrillEndpoint, b: DrillEndpoint): boolean {
  return serverHost(a.host) === serverHost(b.host) && a.port === b.port;
}

/**
 * The host as the server it reaches (see normalHost). A socket folder, `0.0.0.0` and any loopback
 * address are this machine, where the port alone tells servers apart (`.s.PGSQL.<port>` is the
 * socket of that port), so a target spelled another way is still the monitored server.
 */
function serverHost(host: string): string {
  if (host.startsWith('/')) return 'localhost';
  return isLoopbackHost(host) ? 'localhost' : normalHost(host);
}

/** `host:port` of the target: what the drill records and what `--confirm` must repeat. */
export function serverOf(url: string): string {
  const endpoint = endpointOf(url);
  return `${endpoint.host}:${endpoint.port}`;
}

/** `user@host:port/database` of a URL, with no password, for a confirmation. */
export function describeTarget(url: string): string {
  try {
    const endpoint = endpointOf(url);
    const user = endpoint.user ? `${endpoint.user}@` : '';
    return `${user}${endpoint.host}:${endpoint.port}/${endpoint.database}`;
  } catch {
    return redact(url);
  }
}

/** True when the URL itself carries a password (then nothing needs to be asked). */
export function urlHasPassword(url: string): boolean {
  try {
    return endpointOf(url).password !== undefined;
  } catch {
    return false;
  }
}

/**
 * The monitored database's server as the database checks find it (setting, DATABASE_URL, .env
 * or config/database.yml), reduced to `postgres://host:port/`; undefined when none is
 * configured. When no connection resolves, the setting or DATABASE_URL stands in.
 */
async function monitoredServerUrl(options: MonitoredOptions): Promise<string | undefined> {
  const monitored = await resolveConnection(options).catch(() => undefined);
  const host = monitored?.config.host;
  if (monitored && typeof host === 'string') {
    // A socket folder goes in encoded; sameServer takes it for this machine at that port.
    const written = host.startsWith('/')
      ? encodeURIComponent(host)
      : host.includes(':')
        ? `[${host}]`
        : host;
    return `postgres://${written}:${monitored.config.port ?? 5432}/`;
  }
  return options.settings.database.url ?? options.env.DATABASE_URL;
}

/** Where the monitored database is found, as resolveConnection takes it. */
type MonitoredOptions = Pick<
  ResolveOptions,
  'workspace' | 'settings' | 'env' | 'trusted' | 'password' | 'passwordServer'
>;

/** How long reading a server's identity may take before the guard falls back to its name. */
const IDENTITY_TIMEOUT_MS = 5_000;

/**
 * The cluster's system identifier (pg_control_system(), PostgreSQL 9.6 and later, executable
 * by any role unless an administrator revoked it). A physical replica has its primary's, so one
 * identifier means one cluster whatever host name, address or port reaches it. Returns why it
 * cannot be read instead of throwing.
 */
export async function readIdentity(client: Client): Promise<{ id?: string; why?: string }> {
  try {
    const result = await client.query<{ id: string }>(
      // Qualified: a database's owner may list a schema of theirs before pg_catalog in its
      // search_path, and a pg_control_system() there would answer for the server (and run).
      'SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()',
    );
    return { id: result.rows[0].id };
  } catch (error) {
    return { why: describeError(error) };
  }
}

/**
 * Connects with `connect` (within its connect timeout), reads the identifier (within
 * IDENTITY_TIMEOUT_MS: a server may log in and then stop answering) and disconnects. Returns
 * why it could not instead of throwing, except when `signal` aborts: a `cancelled` error then,
 * at once, whatever the server is doing.
 */
async function identityOf(
  connect: () => Promise<Client>,
  signal: AbortSignal | undefined,
): Promise<{ id?: string; why?: string }> {
  let client: Client;
  try {
    client = await connect();
  } catch (error) {
    throwIfAborted(signal);
    return { why: describeError(error) };
  }
  const answer = AbortSignal.timeout(IDENTITY_TIMEOUT_MS);
  const limit = signal ? AbortSignal.any([signal, answer]) : answer;
  try {
    return await withAbort(readIdentity(client), limit, () => dropClient(client));
  } catch {
    // readIdentity says why it failed; only the limit rejects.
    throwIfAborted(signal);
    return { why: `no answer within ${IDENTITY_TIMEOUT_MS / 1000} s` };
  } finally {
    if (!limit.aborted) await client.end().catch(() => undefined);
  }
}

/** How long a connection to the drill target may take, as pg_restore's PGCONNECT_TIMEOUT. */
export const TARGET_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A client connected to the drill target, as the drill connects to it. Ctrl-C (`signal`) stops
 * the connect at once; a target that takes the connection and never answers is given up on
 * after `connectTimeoutMs`, an error that says so (pg's own is "timeout expired").
 */
export async function connectTarget(
  target: DrillTarget,
  password: string | undefined,
  database: string,
  signal: AbortSignal | undefined,
  connectTimeoutMs = TARGET_CONNECT_TIMEOUT_MS,
): Promise<Client> {
  // As pg_restore (libpq) connects: prefer and allow go on plain when SSL is not to be had.
  return connectTargetWith(true, target, password, database, signal, connectTimeoutMs).catch(
    (error: unknown) => {
      if (!target.tls.sslOptional || signal?.aborted || !plainRetryAllowed(error)) throw error;
      return connectTargetWith(false, target, password, database, signal, connectTimeoutMs);
    },
  );
}

/** connectTarget's one attempt, with the target's TLS or (`ssl` false) without. */
async function connectTargetWith(
  ssl: boolean,
  target: DrillTarget,
  password: string | undefined,
  database: string,
  signal: AbortSignal | undefined,
  connectTimeoutMs: number,
): Promise<Client> {
  const client = new Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password,
    database,
    // Undefined would let pg read PGSSLMODE from this process's environment on its own.
    ssl: ssl ? (target.tls.ssl ?? false) : false,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // A connection dropped later rejects its query; without a listener it would crash the run.
  client.on('error', () => undefined);
  // What pg cannot read (a request for GSSAPI) fails the connect; it crashed the drill.
  guardParser(client, (error) => {
    const method = unknownAuthMethod(error);
    const text = method
      ? `it asks for ${method} authentication, which Upkeep cannot do: give the drill's role ` +
        'a password login (scram-sha-256 or md5) in pg_hba.conf'
      : `an answer Upkeep cannot read (${error instanceof Error ? error.message : String(error)})`;
    return new Error(text, { cause: error });
  });
  const started = Date.now();
  try {
    await connectOrAbort(client, signal);
  } catch (error) {
    // A login refused on the client's side (no password to answer SCRAM with) leaves the socket
    // open, and it held the command up for seconds after its report.
    dropClient(client);
    if (isMissingPassword(error)) {
      throw new Error('it asks for a password and none was given', { cause: error });
    }
    if (signal?.aborted || Date.now() - started < connectTimeoutMs) throw error;
    // A plain Error, as pg's: the callers name the target and what to do.
    throw new Error(`no answer within ${connectTimeoutMs / 1000} s`, { cause: error });
  }
  return client;
}

/**
 * A target that is no URL, as typed, with what reads as its password hidden: `redact` knows
 * `scheme://user:pw@host`, and one typed without its scheme or with it mistyped
 * (`drill:pw@db/postgres`, `//drill:pw@db`, `postgres//drill:pw@db`) has its password hidden
 * too: from its first `:` to the `@` before the host.
 */
function shownTarget(text: string): string {
  const redacted = redact(text);
  if (redacted.includes('://')) return redacted;
  return redacted.replace(/^([^:]*):.*@(?=[^\s@/]*(?:[/?#]|$))/, '$1:***@');
}

/** Whether the target is the monitored server by identity, and what the guard could read. */
interface IdentityCheck {
  monitoredSystemId?: string;
  sameCluster: boolean;
  /** Set when the guard compared host and port only, saying why. */
  namesOnly?: string;
}

async function compareIdentities(
  options: MonitoredOptions,
  target: DrillTarget,
  signal: AbortSignal | undefined,
): Promise<IdentityCheck> {
  let connection: ResolvedConnection;
  try {
    connection = await resolveConnection(options);
  } catch (error) {
    return {
      sameCluster: false,
      namesOnly: `no connection to the monitored database (${describeError(error)})`,
    };
  }
  const mine = await identityOf(
    () => connectClient(connection, IDENTITY_TIMEOUT_MS, () => undefined, signal),
    signal,
  );
  if (!mine.id) {
    return {
      sameCluster: false,
      namesOnly: `the monitored server's system identifier could not be read (${mine.why})`,
    };
  }
  const password = target.password ?? options.env.PGPASSWORD;
  const theirs = await identityOf(
    () => connectTarget(target, password, target.database, signal, IDENTITY_TIMEOUT_MS),
    signal,
  );
  if (!theirs.id) {
    // The drill reads it again once connected, with the password the user gives then.
    return {
      monitoredSystemId: mine.id,
      sameCluster: false,
      namesOnly: `the target's system identifier could not be read yet (${theirs.why})`,
    };
  }
  return { monitoredSystemId: mine.id, sameCluster: mine.id === theirs.id };
}

export interface DrillPlan {
  /** The database the drill creates on the target, restores into and drops. */
  scratchDatabase: string;
  dumpFile: string;
  /** What the dump says of itself (its database, its pg_dump), when it is a custom-format one. */
  dumpHeader?: DumpHeader;
  /** The database the dump names (see readDumpDatabase), when it names one. */
  dumpDatabase?: string;
  /** When the dump was last written (its modification time), ISO 8601. */
  dumpWrittenAt: string;
  /** Its age in hours when the drill was planned, to a tenth. */
  dumpAgeHours: number;
  /** upkeep.backups.maxAgeHours, which backups.latest holds the newest dump to. */
  maxAgeHours: number;
  /** How the dump was chosen: given by the caller, or the newest match of the pattern. */
  dumpSource: 'given' | 'pattern';
  targetUrl: string;
  /** `user@host:port/database`, no password. */
  targetDescription: string;
  /** `host:port`, the token a headless caller confirms with. */
  targetServer: string;
  targetSource: 'given' | 'setting';
  /** `postgres://host:port/` of the monitored server, when one is configured. */
  monitoredUrl?: string;
  /** The monitored database's name, when its connection resolves. */
  monitoredDatabase?: string;
  /**
   * The monitored cluster's system identifier, when it could be read: the drill refuses a
   * target with the same one (the same server by another name, or a physical replica of it).
   */
  monitoredSystemId?: string;
  /** Same host and port, or the same system identifier as the monitored server. */
  onMonitoredServer: boolean;
  /** Why the guard could compare host and port only, when it could not read both identities. */
  identityUnknown?: string;
}

export interface PlanOptions {
  workspace: string;
  settings: UpkeepSettings;
  env: NodeJS.ProcessEnv;
  /** False in an untrusted workspace: its settings then name no target (see RESTRICTED_KEYS). */
  trusted: boolean;
  /** A dump the caller chose; otherwise the newest file matching upkeep.backups.pattern. */
  dumpFile?: string;
  /** A target the caller chose; otherwise upkeep.backups.drillTargetUrl. */
  targetUrl?: string;
  /** When the drill is planned: it names the scratch database. */
  now?: Date;
  /** The editor's stored password for the monitored database (see ResolveOptions). */
  password?: string;
  passwordServer?: string;
  /** Cancels the plan while it reads the servers' identities (a `cancelled` error). */
  signal?: AbortSignal;
  /**
   * Where the hints are read: the editor's drill takes its target from the setting, asks for the
   * dump and the password, and has no flags. Default `any`.
   */
  surface?: Surface;
}

/** `upkeep_drill_<YYYYMMDDHHMMSS>_<pid>`: one per run, easy to spot and drop by hand if left. */
export function scratchDatabaseName(at: Date, pid = process.pid): string {
  return `upkeep_drill_${at.toISOString().replace(/\D/g, '').slice(0, 14)}_${pid}`;
}

/** What the drill runs on the target, in order, as a confirmation shows it before it runs. */
export function drillStatements(plan: DrillPlan): string[] {
  const name = plan.scratchDatabase;
  const quoted = quoteIdent(name);
  // On one line whatever the file is called: a name with a line break could fake a line.
  const dump = printable(plan.dumpFile, '\uFFFD');
  return [
    `CREATE DATABASE ${quoted};`,
    `pg_restore --no-owner --no-privileges --exit-on-error -d ${name} ${dump}`,
    `SELECT count(*) FROM each table of the dump (in ${name});`,
    `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE);`,
  ];
}

/**
 * The dump's time and age as a confirmation gives them:
 * `written 2026-12-04 03:00:12 UTC, 30 h ago, over upkeep.backups.maxAgeHours (26 h)`.
 */
export function dumpAgeText(plan: DrillPlan): string {
  const over =
    plan.dumpAgeHours > plan.maxAgeHours
      ? `, over upkeep.backups.maxAgeHours (${plan.maxAgeHours} h)`
      : '';
  return `written ${formatUtc(plan.dumpWrittenAt)}, ${hoursText(plan.dumpAgeHours)} ago${over}`;
}

/** `30 h`, `1.5 h`; a dump of this hour, its time given beside, reads "less than an hour". */
export function hoursText(hours: number): string {
  return hours < 1 ? 'less than an hour' : `${hours} h`;
}

/**
 * When the dump names another database than the monitored one (staging's dump beside
 * production's, another app's), which the drill would prove instead: the sentence that says so.
 */
export function otherDatabaseNote(plan: DrillPlan): string | undefined {
  const dumped = plan.dumpDatabase;
  if (dumped === undefined || !plan.monitoredDatabase || dumped === plan.monitoredDatabase) {
    return undefined;
  }
  return (
    `the dump is of database ${shownDumpText(dumped)}, not of the monitored database ` +
    `${shownDumpText(plan.monitoredDatabase)}.`
  );
}

/**
 * The editor's confirmation: the dump with its age (named from `workspace`, as `upkeep drill`
 * names it), the target, every statement the drill runs there, and what to know first (another
 * database's dump, the monitored server).
 */
export function drillConfirmationDetail(plan: DrillPlan, workspace: string): string {
  const other = otherDatabaseNote(plan);
  return [
    `Dump: ${printable(shownPath(workspace, plan.dumpFile), '\uFFFD')}`,
    `Written: ${dumpAgeText(plan).replace(/^written /, '')}`,
    ...(other ? [`Note: ${other}`] : []),
    `Target: ${plan.targetDescription}`,
    '',
    ...drillStatements(plan),
    '',
    'Table and row counts are compared with the dump; the scratch database is dropped ' +
      'also when the drill fails or is cancelled.',
    plan.onMonitoredServer
      ? 'WARNING: the target is the monitored database server.'
      : plan.identityUnknown
        ? `Compared with the monitored server by host and port only: ${plan.identityUnknown}.`
        : '',
  ].join('\n');
}

/**
 * Picks the dump and the target and compares the target with the monitored server. Throws
 * `config` (no target, no dump, unreadable target URL) before anything is touched, and
 * `cancelled` when `options.signal` aborts.
 */
export async function planRecoveryDrill(options: PlanOptions): Promise<DrillPlan> {
  const targetUrl = options.targetUrl || options.settings.backups.drillTargetUrl;
  if (!targetUrl) {
    throw new UpkeepError(
      'config',
      'No drill target: the drill needs a server where it may create and drop a scratch database.',
      options.surface === 'editor'
        ? 'Set upkeep.backups.drillTargetUrl.'
        : options.trusted
          ? 'Pass --target URL, or set upkeep.backups.drillTargetUrl.'
          : 'Pass --target URL (an untrusted workspace\u2019s upkeep.backups.drillTargetUrl ' +
            'is ignored).',
    );
  }
  // pg-connection-string reads almost any text as something (a socket path, a host): only a
  // postgres:// URL names a server the user can recognise and confirm.
  let targetServer: string | undefined;
  try {
    if (/^postgres(ql)?:\/\//i.test(targetUrl)) targetServer = serverOf(targetUrl);
  } catch (error) {
    // A password with a % typed as is: say what to write, not that this is no URL.
    if (error instanceof URIError) throw percentError(`The drill target ${redact(targetUrl)}`);
  }
  if (!targetServer) {
    throw new UpkeepError(
      'config',
      `The drill target ${shownTarget(targetUrl)} is not a postgres:// URL.`,
      options.surface === 'editor'
        ? 'Give upkeep.backups.drillTargetUrl as postgres://user@host:port/database ' +
            '(the drill asks for the password).'
        : 'Give it as postgres://user@host:port/database (the password in PGPASSWORD).',
    );
  }
  // Its certificate files, read now: one that cannot be used is said before anything is asked.
  const target = await targetEndpoint(targetUrl, options);

  const dumpFile = options.dumpFile
    ? path.resolve(options.workspace, options.dumpFile)
    : await newestDump(options);
  const stat = await fs.stat(dumpFile).catch(() => undefined);
  if (!stat?.isFile()) {
    throw new UpkeepError(
      'config',
      `The dump ${dumpFile} ${stat ? 'is not a file' : 'does not exist'}.`,
      options.surface === 'editor'
        ? 'Run the drill again: it restores the newest match of upkeep.backups.pattern, or ' +
            'asks for the dump when none matches.'
        : 'Pass --dump FILE (a relative path is taken from the workspace folder), or leave it ' +
            'out to restore the newest match of upkeep.backups.pattern.',
    );
  }

  const monitoredUrl = await monitoredServerUrl(options);
  let onMonitoredServer = false;
  try {
    onMonitoredServer = monitoredUrl
      ? sameServer(endpointOf(targetUrl), endpointOf(monitoredUrl))
      : false;
  } catch {
    // A monitored URL pg cannot parse names no server to compare with.
  }
  // Another name, address or port may reach the same cluster: its identifier tells.
  const identity = monitoredUrl
    ? await compareIdentities(options, target, options.signal)
    : { sameCluster: false };
  const dumpHeader = await readDumpHeader(dumpFile);
  const dumpDatabase = await readDumpDatabase(dumpFile);
  const monitoredDatabase = await resolveConnection(options)
    .then((connection) => connection.databaseName)
    .catch(() => undefined);
  const now = options.now ?? new Date();
  return {
    scratchDatabase: scratchDatabaseName(now),
    dumpFile,
    ...(dumpHeader ? { dumpHeader } : {}),
    ...(dumpDatabase !== undefined ? { dumpDatabase } : {}),
    dumpWrittenAt: stat.mtime.toISOString(),
    dumpAgeHours: Math.round((now.getTime() - stat.mtimeMs) / 360_000) / 10,
    maxAgeHours: options.settings.backups.maxAgeHours,
    dumpSource: options.dumpFile ? 'given' : 'pattern',
    targetUrl,
    targetDescription: describeTarget(targetUrl),
    targetServer,
    targetSource: options.targetUrl ? 'given' : 'setting',
    monitoredUrl,
    ...(monitoredDatabase ? { monitoredDatabase } : {}),
    ...(identity.monitoredSystemId ? { monitoredSystemId: identity.monitoredSystemId } : {}),
    onMonitoredServer: onMonitoredServer || identity.sameCluster,
    ...(identity.namesOnly && !onMonitoredServer ? { identityUnknown: identity.namesOnly } : {}),
  };
}

async function newestDump(options: PlanOptions): Promise<string> {
  const pattern = options.settings.backups.pattern;
  if (!pattern) {
    throw new UpkeepError(
      'config',
      'No dump to restore: upkeep.backups.pattern is not set.',
      'Pass --dump FILE, or set upkeep.backups.pattern (e.g. "backups/*.dump").',
    );
  }
  const newest = await findNewestBackup(options.workspace, pattern);
  if (!newest) {
    throw new UpkeepError(
      'config',
      `No dump to restore: no file matches ${pattern}.`,
      'Pass --dump FILE.',
    );
  }
  return newest.file;
}
