/**
 * What the server and the role allow, asked once before the cards run: server version,
 * replica or not, whether pg_stat_statements is available, loaded, created (which version, in
 * which schema), and whether the role may read every session's statistics.
 */
import { UpkeepError } from '../util/errors';
import { NOT_POSTGRES_HINT, type DbSession } from './session';

interface StatStatementsInfo {
  /** Installable on this server (in pg_available_extensions). */
  available: boolean;
  /** Default version the server would install. */
  defaultVersion?: string;
  /** Created in this database. */
  created: boolean;
  /** Installed version, e.g. `1.10`. */
  version?: string;
  schema?: string;
  /** False when the role may not use the schema it is created in (REVOKE ... ON SCHEMA). */
  schemaUsable?: boolean;
  /** False when the role may not SELECT the view (REVOKE SELECT ... FROM PUBLIC). */
  viewReadable?: boolean;
  /**
   * The argument types of the view's function (`boolean`) when the role may not EXECUTE it: a
   * view calls its functions with the reader's privileges.
   */
  functionDenied?: string;
  /** In shared_preload_libraries; null when the role may not read that setting. */
  loaded: boolean | null;
}

export interface Probe {
  serverVersion: string;
  serverVersionNum: number;
  database: string;
  role: string;
  superuser: boolean;
  /** Member of pg_read_all_stats (or superuser): sees every session's queries. */
  readAllStats: boolean;
  replica: boolean;
  statStatements: StatStatementsInfo;
}

interface ProbeRow {
  version: string;
  num: string;
  database: string;
  role: string;
  superuser: boolean;
  read_all_stats: boolean;
  replica: boolean;
  default_version: string | null;
  installed_version: string | null;
  schema: string | null;
  schema_usable: boolean | null;
  view_readable: boolean | null;
  function_denied: string | null;
  preload: string | null;
}

export async function probeServer(session: DbSession, signal?: AbortSignal): Promise<Probe> {
  // pg_settings hides shared_preload_libraries from roles that may not read it: null then.
  const rows = await session.query<ProbeRow>(
    'probe',
    `SELECT current_setting('server_version') AS version,
            current_setting('server_version_num') AS num,
            current_database() AS database,
            current_user AS role,
            COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
              AS superuser,
            pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
            pg_is_in_recovery() AS replica,
            (SELECT default_version FROM pg_available_extensions
              WHERE name = 'pg_stat_statements') AS default_version,
            e.extversion AS installed_version,
            n.nspname AS schema,
            has_schema_privilege(n.oid, 'USAGE') AS schema_usable,
            (SELECT bool_and(has_table_privilege(c.oid, 'SELECT')) FROM pg_class c
              WHERE c.relnamespace = n.oid AND c.relname = 'pg_stat_statements')
              AS view_readable,
            (SELECT oidvectortypes(p.proargtypes) FROM pg_proc p
              WHERE p.pronamespace = n.oid AND p.proname = 'pg_stat_statements'
                AND NOT has_function_privilege(p.oid, 'EXECUTE')
              ORDER BY p.pronargs DESC LIMIT 1) AS function_denied,
            (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload
       FROM (SELECT 1) AS one
       LEFT JOIN pg_extension e ON e.extname = 'pg_stat_statements'
       LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    undefined,
    signal,
  );
  const row = versionRow(rows, session);
  return {
    serverVersion: row.version.split(' ')[0],
    serverVersionNum: Number(row.num),
    database: row.database,
    role: row.role,
    superuser: row.superuser,
    readAllStats: row.read_all_stats || row.superuser,
    replica: row.replica,
    statStatements: {
      available: row.default_version !== null,
      defaultVersion: row.default_version ?? undefined,
      created: row.installed_version !== null,
      version: row.installed_version ?? undefined,
      schema: row.schema ?? undefined,
      schemaUsable: row.schema_usable ?? undefined,
      viewReadable: row.view_readable ?? undefined,
      functionDenied: row.function_denied ?? undefined,
      loaded:
        row.preload === null
          ? null
          : row.preload
              .split(',')
              .map((part) => part.trim().replace(/^"|"$/g, ''))
              .includes('pg_stat_statements'),
    },
  };
}

/**
 * The one row of a query of the server's version. A server that answers the login as PostgreSQL
 * does and then returns no such row (a proxy, or something posing as PostgreSQL) is refused in
 * words, not with "Cannot read properties of undefined".
 */
export function versionRow<T extends { version: string }>(rows: T[], session: DbSession): T {
  const [row] = rows;
  if (typeof row?.version === 'string') return row;
  throw new UpkeepError(
    'unreachable',
    `PostgreSQL at ${session.connection.display} took the login but returned ` +
      `${row ? 'no version' : 'no row'} for current_setting('server_version'), ` +
      'which no PostgreSQL server does.',
    NOT_POSTGRES_HINT,
  );
}

/** Compares dotted versions numerically: `1.10` is newer than `1.9`. */
export function versionAtLeast(version: string | undefined, wanted: string): boolean {
  if (!version) return false;
  const have = version.split('.').map(Number);
  const want = wanted.split('.').map(Number);
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Column names of pg_stat_statements for the installed extension version. */
export function statStatementsColumns(version: string): {
  totalTime: string;
  meanTime: string;
  blockReadTime: string;
  blockWriteTime: string;
} {
  const exec = versionAtLeast(version, '1.8');
  const shared = versionAtLeast(version, '1.11');
  return {
    totalTime: exec ? 'total_exec_time' : 'total_time',
    meanTime: exec ? 'mean_exec_time' : 'mean_time',
    blockReadTime: shared ? 'shared_blk_read_time' : 'blk_read_time',
    blockWriteTime: shared ? 'shared_blk_write_time' : 'blk_write_time',
  };
}
