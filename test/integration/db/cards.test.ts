/**
 * The database cards, probe, session rules, Explain Query and maintenance against both real
 * servers (embedded PostgreSQL 17 and Debian's 15).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import type { BlockedQuery, SlowQueriesData } from '../../../src/core/db/activityCards';
import type { DbCard } from '../../../src/core/db/cards';
import { collectCards, runCard } from '../../../src/core/db/cards';
import type { ResolvedConnection } from '../../../src/core/db/connection';
import { checkConnectivity } from '../../../src/core/db/connectivity';
import { explainQuery, prepareExplain } from '../../../src/core/db/explain';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import type { MaintenanceConfirmation } from '../../../src/core/db/maintenance';
import { probeServer } from '../../../src/core/db/probe';
import type { DbSession } from '../../../src/core/db/session';
import type { ForeignKeyWithoutIndex, TablesData } from '../../../src/core/db/tableCards';
import { UpkeepError } from '../../../src/core/util/errors';
import {
  admin,
  connect,
  createDatabase,
  serversUnderTest,
  startWithoutStatStatements,
} from './servers';

const SCHEMA = `
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, onboarding_step int NOT NULL,
    created_at timestamptz NOT NULL, onboarding_completed_at timestamptz,
    current_sign_in_at timestamptz);
  CREATE TABLE businesses (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id),
    name text);
  CREATE TABLE services (id serial PRIMARY KEY,
    business_id int NOT NULL REFERENCES businesses(id), name text);
  CREATE INDEX index_users_on_step ON users (onboarding_step);
  CREATE INDEX index_users_on_step_and_created ON users (onboarding_step, created_at);
  CREATE INDEX index_services_on_business_id ON services (business_id);
  INSERT INTO users (email, onboarding_step, created_at, onboarding_completed_at,
                     current_sign_in_at)
    SELECT 'user' || i || '@example.com', 1 + (i % 5), now() - (i || ' hours')::interval,
           CASE WHEN i % 5 = 4 THEN now() - (i || ' hours')::interval + interval '2 days' END,
           now() - (i || ' hours')::interval
             + CASE WHEN i % 3 = 0 THEN interval '9 days' ELSE interval '1 hour' END
      FROM generate_series(1, 1200) AS i;
  INSERT INTO businesses (user_id, name) SELECT id, 'Business ' || id FROM users WHERE id % 4 = 0;
  INSERT INTO services (business_id, name) SELECT id, 'Cut' FROM businesses;
`;

function card(cards: DbCard[], id: string): DbCard {
  const found = cards.find((candidate) => candidate.id === id);
  assert.ok(found, `card ${id} missing`);
  return found;
}

for (const target of serversUnderTest) {
  describe(`database cards on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let url: string;
    let session: DbSession;
    let connection: ResolvedConnection;
    const sessions: DbSession[] = [];

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'cards');
      await admin(url, SCHEMA);
      await admin(url, 'CREATE EXTENSION pg_stat_statements');
      await admin(url, 'SELECT count(*) FROM users WHERE email LIKE $1', ['%7@example.com']);
      ({ connection, session } = await connect(url));
      sessions.push(session);
    });

    after(async () => {
      for (const opened of sessions) await opened.close();
    });

    it('reports version and round trip through SELECT 1', async () => {
      const result = await checkConnectivity(session);
      assert.equal(Math.floor(result.serverVersionNum / 10000), target.major);
      assert.match(result.serverVersion, new RegExp(`^${target.major}\\.\\d+$`));
      assert.ok(result.roundTripMs >= 0 && result.roundTripMs < 1000);
      assert.equal(result.database, connection.databaseName);
    });

    it('runs every card, none in error, with the numbers the server has', async () => {
      const snapshotFile = path.join(
        await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-snap-')),
        'snapshots.json',
      );
      const databaseSize = async (): Promise<number> => {
        const [size] = await admin<{ bytes: string }>(
          url,
          'SELECT pg_database_size(current_database()) AS bytes',
        );
        return Number(size.bytes);
      };
      // The server's own work (autovacuum writing a free space map) may add a page meanwhile:
      // the card's size is the server's between a read before it and one after.
      const before = await databaseSize();
      const cards = await collectCards(session, { snapshotFile });
      const after = await databaseSize();
      const broken = cards.filter((c) => c.state === 'error');
      assert.deepEqual(
        broken.map((c) => `${c.id}: ${c.summary}`),
        [],
      );

      const { bytes } = card(cards, 'databaseSize').data as { bytes: number };
      assert.ok(before <= bytes && bytes <= after, `${before} <= ${bytes} <= ${after}`);
      const tables = card(cards, 'tables').data as TablesData;
      assert.equal(tables.tableCount, 3);
      assert.equal(tables.tables[0].name, 'users');

      // The age is a count of transactions: "69 old" left the unit out.
      assert.match(
        card(cards, 'wraparound').summary,
        // The oldest database of the server may be another, named then.
        new RegExp(
          '^oldest transaction ID is [\\d,]+ transactions? old \\(\\d+\\.\\d % of the limit\\)' +
            '(?: in database "[^"]+")?; (?:.+)$',
        ),
      );

      const duplicates = card(cards, 'duplicateIndexes');
      assert.equal(duplicates.state, 'warn');
      assert.match(duplicates.fix ?? '', /DROP INDEX CONCURRENTLY "index_users_on_step";/);
      const fks = card(cards, 'foreignKeysWithoutIndex');
      assert.equal(fks.state, 'warn');
      assert.deepEqual(
        (fks.data as { foreignKeys: ForeignKeyWithoutIndex[] }).foreignKeys.map(
          (fk) => `${fk.table}(${fk.columns.join(',')})`,
        ),
        ['businesses(user_id)'],
      );

      const onboarding = card(cards, 'onboarding').data as {
        total: number;
        completionRate: number;
        averageSecondsToComplete: number;
      };
      assert.equal(onboarding.total, 1200);
      assert.equal(onboarding.completionRate, 240 / 1200);
      assert.ok(Math.abs(onboarding.averageSecondsToComplete - 2 * 86400) < 1);
      const growth = card(cards, 'businessGrowth').data as {
        counts: Record<string, number>;
        retention7d: { basedOn: string };
      };
      assert.deepEqual(growth.counts, { users: 1200, businesses: 300, services: 300 });
      assert.equal(growth.retention7d.basedOn, 'current_sign_in_at');

      const snapshots = JSON.parse(await fs.readFile(snapshotFile, 'utf8')) as {
        databases: Record<string, unknown[]>;
      };
      assert.deepEqual(Object.keys(snapshots.databases), [connection.display]);
      assert.doesNotMatch(JSON.stringify(snapshots), new RegExp(server.password));
      await fs.rm(path.dirname(snapshotFile), { recursive: true, force: true });
    });

    it(
      'warns with the exact fix: invalid index, dead rows, a key near its maximum, ' +
        'an idle transaction',
      async () => {
        const db = await createDatabase(server, 'warnings');
        await admin(
          db,
          `CREATE TABLE jobs (id serial PRIMARY KEY, state int) WITH (autovacuum_enabled = false);
         INSERT INTO jobs (state) SELECT i % 3 FROM generate_series(1, 5000) i;
         DELETE FROM jobs WHERE id % 2 = 0;
         SELECT setval('jobs_id_seq', 2000000000);`,
        );
        // A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind.
        await assert.rejects(
          admin(db, 'CREATE UNIQUE INDEX CONCURRENTLY index_jobs_on_state ON jobs (state)'),
        );
        // One on a foreign key's column too: the planner never uses it, so the key has none.
        await admin(
          db,
          `CREATE TABLE runs (id serial PRIMARY KEY, job_id int REFERENCES jobs (id));
         INSERT INTO runs (job_id) VALUES (1), (1), (3);`,
        );
        await assert.rejects(
          admin(db, 'CREATE UNIQUE INDEX CONCURRENTLY index_runs_on_job_id ON runs (job_id)'),
        );
        const idle = new Client({ connectionString: db, application_name: 'forgotten-console' });
        await idle.connect();
        await idle.query('BEGIN; SELECT 1');
        const { session: warnSession } = await connect(db);
        sessions.push(warnSession);
        try {
          const cards = await collectCards(warnSession, {
            only: [
              'invalidIndexes',
              'foreignKeysWithoutIndex',
              'vacuum',
              'sequences',
              'longRunning',
            ],
            longRunningSeconds: 0,
          });
          assert.deepEqual(
            cards.map((c) => `${c.id}:${c.state}`),
            [
              'invalidIndexes:warn',
              'foreignKeysWithoutIndex:warn',
              'vacuum:warn',
              'sequences:warn',
              'longRunning:warn',
            ],
          );
          const fks = card(cards, 'foreignKeysWithoutIndex');
          assert.deepEqual((fks.data as { foreignKeys: ForeignKeyWithoutIndex[] }).foreignKeys, [
            {
              schema: 'public',
              table: 'runs',
              constraint: 'runs_job_id_fkey',
              columns: ['job_id'],
              references: 'jobs',
              invalidIndexes: ['index_runs_on_job_id'],
              createSql: 'CREATE INDEX CONCURRENTLY ON "runs" ("job_id");',
            },
          ]);
          assert.match(fks.reason ?? '', /An invalid index on the columns .* see Invalid indexes/);
          assert.match(
            card(cards, 'invalidIndexes').fix ?? '',
            /^REINDEX INDEX CONCURRENTLY "index_jobs_on_state";/,
          );
          assert.match(card(cards, 'vacuum').fix ?? '', /^VACUUM \(ANALYZE\) "jobs";/);
          assert.match(
            card(cards, 'sequences').reason ?? '',
            /jobs_id_seq \(jobs\.id, integer\) is at 93\.1 %/,
          );
          assert.match(
            card(cards, 'sequences').fix ?? '',
            /ALTER TABLE "jobs" ALTER COLUMN "id" TYPE bigint/,
          );
          assert.match(card(cards, 'longRunning').summary, /idle in transaction/);
        } finally {
          await idle.end();
        }
      },
    );

    it('reads pg_stat_statements with the columns of the installed version', async () => {
      const slow = await runCard(session, 'slowQueries', { limit: 100 });
      assert.notEqual(slow.state, 'skipped', slow.summary);
      const data = slow.data as SlowQueriesData;
      // The columns the card reads, and only those (docs/db-json.md lists them for scripts).
      // 1.11 renamed blk_read_time (PostgreSQL 17 ships 1.11, 15 ships 1.10).
      assert.deepEqual(data.columns, {
        totalTime: 'total_exec_time',
        meanTime: 'mean_exec_time',
        blockReadTime: target.major >= 17 ? 'shared_blk_read_time' : 'blk_read_time',
      });
      assert.ok(data.queries.some((q) => q.query.includes('FROM users WHERE email LIKE')));
      assert.ok(
        data.queries.every((q) => !q.query.startsWith('/* upkeep:')),
        'own queries are left out',
      );
    });

    it('finds a query slow on average that is not among the top by total time', async () => {
      // Two statements with more total time than the slow one, each fast on average (their
      // shapes differ: pg_stat_statements records constants as $1, $2).
      for (const extra of ['', '', ', 1', ', 1']) await admin(url, `SELECT pg_sleep(0.6)${extra}`);
      await admin(url, 'SELECT pg_sleep(1.05), 1, 2');
      const slow = await runCard(session, 'slowQueries', { limit: 2 });
      const queries = (slow.data as SlowQueriesData).queries;
      const rare = queries.find((q) => q.query === 'SELECT pg_sleep($1), $2, $3');
      assert.ok(rare, queries.map((q) => q.query).join(' | '));
      assert.ok(rare.meanMs > 1000);
      assert.equal(slow.state, 'warn', slow.summary);
      assert.match(slow.summary, /^\d+ quer(y|ies) average over 1 s/);
      // The top two by total time are listed too, ahead of it.
      assert.ok(queries.length >= 3 && queries.length <= 4, String(queries.length));
      assert.ok(queries[0].totalMs >= queries[1].totalMs);
      assert.ok(queries.indexOf(rare) >= 2);
    });

    it("shows another role's query that starts with Upkeep's comment", async () => {
      const role = `sneaky_${process.pid}_${target.major}`;
      await admin(
        url,
        `CREATE ROLE ${role} LOGIN PASSWORD 'sneaky'; GRANT SELECT ON users TO ${role}`,
      );
      const as = new URL(url);
      as.username = role;
      as.password = 'sneaky';
      const sneaky = new Client({ connectionString: as.toString() });
      await sneaky.connect();
      try {
        await sneaky.query('/* upkeep:tables */ SELECT count(*) FROM users WHERE email LIKE $1', [
          '%9@example.com',
        ]);
        await sneaky.query('BEGIN');
        await sneaky.query('/* upkeep:locks */ SELECT 1');
        const slow = await runCard(session, 'slowQueries', { limit: 100 });
        const queries = (slow.data as SlowQueriesData).queries;
        assert.ok(
          queries.some((q) => q.role === role && q.query.startsWith('/* upkeep:tables */')),
          JSON.stringify(queries.filter((q) => q.query.startsWith('/*'))),
        );
        assert.ok(
          queries.every((q) => q.role === role || !q.query.startsWith('/* upkeep:')),
          'own queries are left out',
        );
        const long = await runCard(session, 'longRunning', { longRunningSeconds: 0 });
        const { sessions: busy } = long.data as { sessions: { role: string; query: string }[] };
        assert.deepEqual(
          busy.map((row) => `${row.role}: ${row.query}`),
          [`${role}: /* upkeep:locks */ SELECT 1`],
        );
      } finally {
        await sneaky.end();
      }
    });

    it(
      'uses mean_time/total_time for an extension older than 1.8, ' + 'and says how to update',
      async () => {
        const old = await createDatabase(server, 'pss_old');
        await admin(old, "CREATE EXTENSION pg_stat_statements VERSION '1.4'");
        const { session: oldSession } = await connect(old);
        sessions.push(oldSession);
        const slow = await runCard(oldSession, 'slowQueries');
        assert.notEqual(slow.state, 'error', slow.summary);
        const data = slow.data as SlowQueriesData;
        assert.equal(data.extensionVersion, '1.4');
        assert.deepEqual(
          [data.columns.meanTime, data.columns.totalTime, data.columns.blockReadTime],
          ['mean_time', 'total_time', 'blk_read_time'],
        );
        assert.match(slow.fix ?? '', /ALTER EXTENSION pg_stat_statements UPDATE;/);
      },
    );

    it('skips slow queries with CREATE EXTENSION when available but not created', async () => {
      const bare = await createDatabase(server, 'pss_none');
      const { session: bareSession } = await connect(bare);
      sessions.push(bareSession);
      const probe = await probeServer(bareSession);
      assert.equal(probe.statStatements.available, true);
      assert.equal(probe.statStatements.created, false);
      const slow = await runCard(bareSession, 'slowQueries', { probe });
      assert.equal(slow.state, 'skipped');
      assert.match(slow.summary, /^pg_stat_statements is available .* but not created/);
      assert.equal(slow.reason, undefined, 'a reason that repeats the summary is left out');
      assert.equal(slow.fix, 'CREATE EXTENSION pg_stat_statements;');
    });

    it('finds the extension created in another schema', async () => {
      const other = await createDatabase(server, 'pss_schema');
      await admin(
        other,
        'CREATE SCHEMA monitoring; CREATE EXTENSION pg_stat_statements SCHEMA monitoring',
      );
      const { session: otherSession } = await connect(other);
      sessions.push(otherSession);
      const slow = await runCard(otherSession, 'slowQueries');
      assert.equal(slow.state, 'ok', slow.summary);
      assert.equal((slow.data as SlowQueriesData).extensionSchema, 'monitoring');
    });

    it('tells a role without pg_read_all_stats the exact GRANT', async () => {
      const role = `watcher_${target.major}`;
      await admin(
        url,
        `DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'`,
      );
      const limited = new URL(url);
      limited.username = role;
      limited.password = 'watch-pw';
      const { session: roleSession } = await connect(limited.toString());
      sessions.push(roleSession);
      const probe = await probeServer(roleSession);
      assert.equal(probe.readAllStats, false);
      const slow = await runCard(roleSession, 'slowQueries', { probe });
      assert.equal(slow.fix, `GRANT pg_read_all_stats TO "${role}";`);
      assert.match(slow.reason ?? '', /own sessions only/);

      await admin(url, `GRANT pg_read_all_stats TO ${role}`);
      assert.equal((await probeServer(roleSession)).readAllStats, true);
    });

    it('shows a query blocked by a held lock, and who holds it', async () => {
      const holder = new Client({ connectionString: url, application_name: 'lock-holder' });
      const waiter = new Client({ connectionString: url, application_name: 'lock-waiter' });
      await holder.connect();
      await waiter.connect();
      try {
        await holder.query('BEGIN; LOCK TABLE services IN ACCESS EXCLUSIVE MODE');
        const waiting = waiter.query('SELECT count(*) FROM services');
        const [{ pid: holderPid }] = (
          await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        ).rows;
        let blockedCard: DbCard | undefined;
        for (let attempt = 0; attempt < 50; attempt++) {
          blockedCard = await runCard(session, 'blocked');
          if (blockedCard.state === 'warn') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(blockedCard?.state, 'warn');
        const blocked = (blockedCard?.data as { blocked: BlockedQuery[] }).blocked;
        assert.equal(blocked[0].application, 'lock-waiter');
        assert.deepEqual(blocked[0].blockedBy, [holderPid]);
        assert.equal(blocked[0].blockers[0].application, 'lock-holder');

        // Upkeep does not read the locked table, and counts the others; other cards still show.
        const cards = await collectCards(session, { only: ['businessGrowth', 'databaseSize'] });
        assert.equal(card(cards, 'businessGrowth').state, 'ok');
        assert.match(
          card(cards, 'businessGrowth').summary,
          /; services not read \(locked by another session: SELECT pg_backend_pid\(\) AS pid\)$/,
        );
        assert.equal(card(cards, 'databaseSize').state, 'ok');

        await holder.query('ROLLBACK');
        await waiting;
      } finally {
        await holder.end();
        await waiter.end();
      }
    });

    it('stops a card at the statement timeout while the others still show', async () => {
      const { session: quick } = await connect(url, { statementTimeoutMs: 300 });
      sessions.push(quick);
      const started = Date.now();
      const cards = await collectCards(quick, {
        only: ['databaseSize', 'metric:slow', 'connections'],
        metrics: [{ id: 'slow', title: 'A slow metric', sql: 'SELECT pg_sleep(3) AS slept' }],
      });
      assert.ok(Date.now() - started < 2500, 'the slow card was stopped');
      assert.deepEqual(
        cards.map((c) => `${c.id}:${c.state}`),
        ['databaseSize:ok', 'connections:ok', 'metric:slow:error'],
      );
      assert.match(card(cards, 'metric:slow').summary, /statement timeout \(300 ms\)/);
    });

    it('stops a whole refresh when its signal aborts, and the session stays usable', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const refresh = collectCards(session, {
        signal: controller.signal,
        only: ['databaseSize', 'metric:sleepy', 'connections'],
        metrics: [{ id: 'sleepy', title: 'Sleepy', sql: 'SELECT pg_sleep(10)' }],
      });
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(refresh, (error: unknown) => UpkeepError.is(error, 'cancelled'));
      assert.ok(Date.now() - started < 2000);
      const [size] = await collectCards(session, { only: ['databaseSize'] });
      assert.equal(size.state, 'ok');
    });

    it('refuses writes through the read-only session', async () => {
      await assert.rejects(
        session.query('test', 'CREATE TABLE intruder (id int)'),
        (error: unknown) => UpkeepError.is(error, 'refused'),
      );
      await assert.rejects(
        session.query(
          'test',
          "INSERT INTO users (email, onboarding_step, created_at) VALUES ('x', 1, now())",
        ),
        (error: unknown) => UpkeepError.is(error, 'refused'),
      );
      await assert.rejects(
        session.query(
          'test',
          "SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM users",
        ),
      );
      const [exists] = await admin<{ found: string | null }>(
        url,
        "SELECT to_regclass('intruder')::text AS found",
      );
      assert.equal(exists.found, null);
      const [count] = await admin<{ n: string }>(url, 'SELECT count(*) AS n FROM users');
      assert.equal(Number(count.n), 1200);
    });

    it('names itself, tags each query, and cancels on abort on the server', async () => {
      const controller = new AbortController();
      const sleeping = session.query(
        'cancelme',
        'SELECT pg_sleep(20)',
        undefined,
        controller.signal,
      );
      sleeping.catch(() => undefined);
      let seen: { application_name: string; query: string }[] = [];
      for (let attempt = 0; attempt < 50 && seen.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = await admin(
          url,
          'SELECT application_name, query FROM pg_stat_activity ' +
            "WHERE query LIKE '/* upkeep:cancelme */%'",
        );
      }
      assert.equal(seen[0]?.application_name, 'upkeep');
      const started = Date.now();
      controller.abort();
      await assert.rejects(sleeping, (error: unknown) => UpkeepError.is(error, 'cancelled'));
      assert.ok(Date.now() - started < 1000);
      let still = 1;
      for (let attempt = 0; attempt < 40 && still > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [{ n: still }] = await admin<{ n: number }>(
          url,
          'SELECT count(*)::int AS n FROM pg_stat_activity ' +
            "WHERE state = 'active' AND query LIKE '/* upkeep:cancelme */%'",
        );
      }
      assert.equal(still, 0, 'the server stopped the query');
      const [row] = await session.query<{ ok: number }>('test', 'SELECT 1 AS ok');
      assert.equal(row.ok, 1, 'the session still works');
    });

    it('explains one statement, rolls back, and analyzes only a confirmed SELECT', async () => {
      assert.throws(() => prepareExplain('SELECT 1; SELECT 2'), /2 statements/);
      const select = prepareExplain("SELECT * FROM users WHERE email = 'a;b' -- not; a split\n");
      assert.equal(select.canAnalyze, true);
      const plan = await explainQuery(session, select, { analyze: false });
      assert.ok(plan.nodes.length >= 1);
      assert.equal(plan.executionMs, undefined);
      await assert.rejects(explainQuery(session, select, { analyze: true }), /confirm/);
      const analyzed = await explainQuery(session, select, {
        analyze: true,
        analyzeConfirmed: true,
      });
      assert.ok(analyzed.executionMs !== undefined);
      assert.ok(analyzed.nodes.some((node) => node.id === analyzed.slowestNodeId));

      // pg_stat_statements texts: planned as they are from PostgreSQL 16, else a clear refusal.
      const parameterized = prepareExplain('SELECT * FROM users WHERE id = $1');
      if ((await probeServer(session)).serverVersionNum >= 160000) {
        const generic = await explainQuery(session, parameterized, { analyze: false });
        assert.ok(generic.nodes.length >= 1);
      } else {
        await assert.rejects(
          explainQuery(session, parameterized, { analyze: false }),
          /\$1-style parameters/,
        );
      }

      const del = prepareExplain('DELETE FROM services');
      assert.equal(del.canAnalyze, false);
      await assert.rejects(
        explainQuery(session, del, { analyze: true, analyzeConfirmed: true }),
        /plain SELECT/,
      );
      const delPlan = await explainQuery(session, del, { analyze: false });
      assert.equal(delPlan.nodes[0].nodeType, 'ModifyTable');
      const [count] = await admin<{ n: string }>(url, 'SELECT count(*) AS n FROM services');
      assert.equal(Number(count.n), 300);
    });

    it('runs maintenance only with a confirmation, production needing the typed name', async () => {
      const version = (await probeServer(session)).serverVersionNum;
      const analyze = planMaintenance(
        connection,
        'analyze',
        { type: 'table', name: 'services' },
        version,
      );
      assert.equal(analyze.sql, 'ANALYZE "services";');
      const forged = {
        plan: analyze,
        confirmedAt: new Date().toISOString(),
      } as MaintenanceConfirmation;
      await assert.rejects(
        runMaintenance(connection, forged, { lockTimeoutMs: 1000, connectTimeoutMs: 5000 }),
        (e: unknown) => UpkeepError.is(e, 'refused'),
      );

      await runMaintenance(connection, confirmMaintenance(analyze), {
        lockTimeoutMs: 1000,
        connectTimeoutMs: 5000,
      });
      const [row] = await admin<{ analyzed: Date | null }>(
        url,
        "SELECT last_analyze AS analyzed FROM pg_stat_user_tables WHERE relname = 'services'",
      );
      assert.ok(row.analyzed);

      const reindex = planMaintenance(
        connection,
        'reindex',
        { type: 'index', name: 'index_services_on_business_id' },
        version,
      );
      assert.equal(reindex.sql, 'REINDEX INDEX CONCURRENTLY "index_services_on_business_id";');
      await runMaintenance(connection, confirmMaintenance(reindex), {
        lockTimeoutMs: 1000,
        connectTimeoutMs: 5000,
      });

      const production = { ...connection, production: true };
      const vacuum = planMaintenance(
        production,
        'vacuumAnalyze',
        { type: 'table', name: 'users' },
        version,
      );
      assert.throws(
        () => confirmMaintenance(vacuum),
        (e: unknown) => UpkeepError.is(e, 'refused'),
      );
      assert.throws(() => confirmMaintenance(vacuum, { typedDatabaseName: 'wrong' }), /typed name/);
      await runMaintenance(
        production,
        confirmMaintenance(vacuum, { typedDatabaseName: connection.databaseName }),
        {
          lockTimeoutMs: 1000,
          connectTimeoutMs: 5000,
        },
      );
    });

    it(
      'skips slow queries and says how to install ' + 'when the extension is absent',
      async function () {
        const bare = await startWithoutStatStatements(target.major);
        try {
          const { session: bareSession } = await connect(bare.url());
          try {
            const probe = await probeServer(bareSession);
            assert.equal(probe.statStatements.available, false);
            const slow = await runCard(bareSession, 'slowQueries', { probe });
            assert.equal(slow.state, 'skipped');
            assert.match(slow.summary, /not installed/);
            assert.match(
              slow.fix ?? '',
              /shared_preload_libraries.*CREATE EXTENSION pg_stat_statements;/,
            );
          } finally {
            await bareSession.close();
          }
        } finally {
          await bare.stop();
        }
      },
    );
  });
}
