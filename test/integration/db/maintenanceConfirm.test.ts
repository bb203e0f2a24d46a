/**
 * Confirmations for work on the whole database and for EXPLAIN ANALYZE, on both real servers:
 * the database name must be typed, the prompt says how long and which locks, and the EXPLAIN
 * ANALYZE prompt names its statement timeout.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { resolveConnection } from '../../../src/core/db/connection';
import type { ResolvedConnection } from '../../../src/core/db/connection';
import { explainAnalyzePrompt, explainQuery, prepareExplain } from '../../../src/core/db/explain';
import {
  confirmMaintenance,
  maintenancePrompt,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { probeServer } from '../../../src/core/db/probe';
import { openSession } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { admin, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`database maintenance confirmation on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let url: string;
    let connection: ResolvedConnection;
    let version: number;
    const settings = () => resolveSettings({ database: { url, statementTimeoutMs: 7500 } });

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'confirm');
      await admin(
        url,
        'CREATE TABLE items (id serial PRIMARY KEY, name text); CREATE INDEX ON items ' +
          '(name); INSERT INTO items (name) SELECT md5(i::text) FROM generate_series(1, 500) i',
      );
      connection = await resolveConnection({
        workspace: os.tmpdir(),
        settings: settings(),
        env: {},
        trusted: false,
      });
      const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = settings().database;
      const session = await openSession(connection, {
        statementTimeoutMs,
        lockTimeoutMs,
        connectTimeoutMs,
      });
      try {
        version = (await probeServer(session)).serverVersionNum;
      } finally {
        await session.close();
      }
    });

    it(
      'REINDEX DATABASE needs the typed name ' +
        'and says it may take long and which lock it takes',
      async () => {
        const plan = planMaintenance(connection, 'reindex', { type: 'database' }, version);
        assert.equal(plan.production, false);
        assert.equal(plan.needsTypedName, true);
        const prompt = maintenancePrompt(plan);
        assert.equal(prompt.message, `Run this on ${connection.databaseName}?`);
        assert.match(prompt.detail, /REINDEX DATABASE CONCURRENTLY/);
        assert.match(prompt.detail, /may take a long time/);
        assert.match(prompt.detail, /SHARE UPDATE EXCLUSIVE lock/);
        assert.match(prompt.detail, /type the database name/);

        assert.throws(
          () => confirmMaintenance(plan),
          (e: unknown) => UpkeepError.is(e, 'refused') && /whole database/.test(e.message),
        );
        assert.throws(() => confirmMaintenance(plan, { typedDatabaseName: 'other' }), /typed name/);
        const result = await runMaintenance(
          connection,
          confirmMaintenance(plan, { typedDatabaseName: connection.databaseName }),
          { lockTimeoutMs: 5000, connectTimeoutMs: 5000 },
        );
        assert.equal(result.sql, plan.sql);

        const vacuumAll = planMaintenance(
          connection,
          'vacuumAnalyze',
          { type: 'database' },
          version,
        );
        assert.equal(vacuumAll.needsTypedName, true);
        assert.throws(() => confirmMaintenance(vacuumAll), /typed name/);

        // One table, not production: a plain confirmation is enough.
        const oneTable = planMaintenance(
          connection,
          'vacuumAnalyze',
          { type: 'table', name: 'items' },
          version,
        );
        assert.equal(oneTable.needsTypedName, false);
        assert.doesNotMatch(maintenancePrompt(oneTable).detail, /type the database name/);
        await runMaintenance(connection, confirmMaintenance(oneTable), {
          lockTimeoutMs: 5000,
          connectTimeoutMs: 5000,
        });
      },
    );

    it('runs nothing once the user cancelled, before or while it connects', async () => {
      const plan = planMaintenance(
        connection,
        'analyze',
        { type: 'table', name: 'items' },
        version,
      );
      const options = { lockTimeoutMs: 5000, connectTimeoutMs: 5000 };
      const cancelled = (e: unknown): boolean => UpkeepError.is(e, 'cancelled');

      const before = new AbortController();
      before.abort();
      await assert.rejects(
        runMaintenance(connection, confirmMaintenance(plan), { ...options, signal: before.signal }),
        cancelled,
      );

      const during = new AbortController();
      const run = runMaintenance(connection, confirmMaintenance(plan), {
        ...options,
        signal: during.signal,
      });
      during.abort();
      await assert.rejects(run, cancelled);
    });

    it('the EXPLAIN ANALYZE prompt shows the statement timeout it runs with', async () => {
      const prepared = prepareExplain('SELECT count(*) FROM items');
      const prompt = explainAnalyzePrompt(prepared, {
        database: connection.databaseName,
        display: connection.display,
        source: 'test',
        statementTimeoutMs: settings().database.statementTimeoutMs,
      });
      assert.match(prompt.detail, /statement timeout of 7\.5 s/);
      assert.match(prompt.detail, /SELECT count\(\*\) FROM items/);

      // The session really runs with that timeout.
      const session = await openSession(connection, {
        statementTimeoutMs: 7500,
        lockTimeoutMs: 1000,
        connectTimeoutMs: 5000,
      });
      try {
        const [row] = await session.query<{ timeout: string }>(
          'test',
          "SELECT current_setting('statement_timeout') AS timeout",
        );
        assert.equal(row.timeout, '7500ms');
        const result = await explainQuery(session, prepared, {
          analyze: true,
          analyzeConfirmed: true,
        });
        assert.ok(result.nodes.length > 0);
      } finally {
        await session.close();
      }
    });
  });
}
