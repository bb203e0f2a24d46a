/**
 * What the recovery drill decides before it touches anything: which dump, which target server,
 * whether that target is the monitored database's server, and the credential-free words the
 * editor's modal and `upkeep drill` show before the user confirms.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ClientConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { quoteIdent } from '../db/sqlText';
import { resolveConnection } from '../db/connection';
import type { UpkeepSettings } from '../settings';
import { UpkeepError } from '../util/errors';
import { isLoopbackHost, normalHost } from '../util/hosts';
import { redact } from '../util/logger';
import { printable } from '../util/printable';
import { findNewestBackup } from './backupChecks';

/** A server as the drill connects to it; `password` never leaves the drill. */
export interface DrillEndpoint {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  /** TLS as pg reads it from the URL (`sslmode`, `ssl`, `sslrootcert`, ...). */
  ssl?: ClientConfig['ssl'];
  /** The same TLS wishes as libpq environment variables, for pg_restore. */
  sslEnv: Record<string, string>;
}

/** libpq's environment variable for each TLS parameter a URL may carry. */
const SSL_ENV: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
};

/**
 * Host, port, user, database and TLS of a connection URL, parsed as pg itself parses it. A URL
 * that asks for TLS must get it: the password must not go over the wire in the clear.
 */
export function endpointOf(url: string): DrillEndpoint {
  const parsed = parseConnectionString(url) as ReturnType<typeof parseConnectionString> &
    Record<string, unknown>;
  const sslEnv: Record<string, string> = {};
  for (const [param, variable] of Object.entries(SSL_ENV)) {
    if (typeof parsed[param] === 'string') sslEnv[variable] = parsed[param];
  }
  if (parsed.ssl && !sslEnv.PGSSLMODE) sslEnv.PGSSLMODE = 'require';
  return {
    host: parsed.host || 'localhost',
    port: Number(parsed.port || 5432),
    user: parsed.user || undefined,
    password: parsed.password || undefined,
    database: parsed.database || 'postgres',
    ...(parsed.ssl !== undefined ? { ssl: parsed.ssl as ClientConfig['ssl'] } : {}),
    sslEnv,
  };
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
export async function monitoredServerUrl(options: {
  workspace: string;
  settings: UpkeepSettings;
  env: NodeJS.ProcessEnv;
  trusted: boolean;
}): Promise<string | undefined> {
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

export interface DrillPlan {
  /** The database the drill creates on the target, restores into and drops. */
  scratchDatabase: string;
  dumpFile: string;
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
  onMonitoredServer: boolean;
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
 * Picks the dump and the target and compares the target with the monitored server. Throws
 * `config` (no target, no dump, unreadable target URL) before anything is touched.
 */
export async function planRecoveryDrill(options: PlanOptions): Promise<DrillPlan> {
  const targetUrl = options.targetUrl || options.settings.backups.drillTargetUrl;
  if (!targetUrl) {
    throw new UpkeepError(
      'config',
      'No drill target: the drill needs a server where it may create and drop a scratch database.',
      options.trusted
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
  } catch {
    // Reported below.
  }
  if (!targetServer) {
    throw new UpkeepError(
      'config',
      `The drill target ${redact(targetUrl)} is not a postgres:// URL.`,
      'Give it as postgres://user@host:port/database (the password in PGPASSWORD).',
    );
  }

  const dumpFile = options.dumpFile
    ? path.resolve(options.workspace, options.dumpFile)
    : await newestDump(options);
  const stat = await fs.stat(dumpFile).catch(() => undefined);
  if (!stat?.isFile()) {
    throw new UpkeepError(
      'config',
      `The dump ${dumpFile} ${stat ? 'is not a file' : 'does not exist'}.`,
      'Pass --dump FILE (a relative path is taken from the workspace folder), or leave it out ' +
        'to restore the newest match of upkeep.backups.pattern.',
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
  return {
    scratchDatabase: scratchDatabaseName(options.now ?? new Date()),
    dumpFile,
    dumpSource: options.dumpFile ? 'given' : 'pattern',
    targetUrl,
    targetDescription: describeTarget(targetUrl),
    targetServer,
    targetSource: options.targetUrl ? 'given' : 'setting',
    monitoredUrl,
    onMonitoredServer,
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
