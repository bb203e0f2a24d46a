/**
 * The connectivity check the guidelines ask for: `SELECT 1` in a read-only transaction, with
 * the server's version and the round trip it took.
 */
import { versionRow } from './probe';
import type { DbSession } from './session';

interface Connectivity {
  /** `17.10`, without the build suffix Debian adds. */
  serverVersion: string;
  serverVersionNum: number;
  roundTripMs: number;
  database: string;
}

export async function checkConnectivity(
  session: DbSession,
  signal?: AbortSignal,
): Promise<Connectivity> {
  const started = performance.now();
  await session.query('connectivity', 'SELECT 1', undefined, signal);
  const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
  const rows = await session.query<{ version: string; num: string; database: string }>(
    'connectivity',
    "SELECT current_setting('server_version') AS version, " +
      "current_setting('server_version_num') AS num, current_database() AS database",
    undefined,
    signal,
  );
  const row = versionRow(rows, session);
  return {
    serverVersion: row.version.split(' ')[0],
    serverVersionNum: Number(row.num),
    roundTripMs,
    database: row.database,
  };
}
