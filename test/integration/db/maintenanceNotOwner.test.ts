/**
 * Confirmed maintenance run as a role that does not own the table (a read-only monitoring role,
 * the usual one for Upkeep), on both real servers: PostgreSQL skips VACUUM and ANALYZE with only
 * a WARNING, so the run looked done when nothing was done; REINDEX is refused. Each says that
 * the role may not, and which role may. A WARNING about something else is no refusal, but what
 * was skipped (an invalid index; the tables of others in a whole-database run) is said.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { resolveConnection, type ResolvedConnection } from '../../../src/core/db/connection';
import type { MaintenanceKind } from '../../../src/core/db/maintenance';
import {
  confirmMaintenance,
  maintenanceFinished,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { admin, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`maintenance as a role that does not own the table on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let connection: ResolvedConnection;
    const role = `not_owner_${process.pid}_${target.major}`;

    before(async () => {
      url = await createDatabase(await target.start(), 'notowner');
      await admin(url, 'CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2)');
      await admin(url, `DROP ROLE IF EXISTS ${role}`);
      await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'`);
      await admin(url, `GRANT SELECT ON items TO ${role}`);
      const limited = new URL(url);
      limited.username = role;
      limited.password = 'watch-pw';
      connection = await resolveConnection({
        workspace: os.tmpdir(),
        settings: resolveSettings({ database: { url: limited.toString() } }),
        env: {},
        trusted: false,
      });
    });

    after(async () => {
      await admin(url, `DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    });

    const run = (kind: MaintenanceKind): Promise<unknown> =>
      runMaintenance(
        connection,
        confirmMaintenance(
          planMaintenance(connection, kind, { type: 'table', name: 'items' }, target.major * 1e4),
        ),
        { lockTimeoutMs: 5000, connectTimeoutMs: 5000 },
      );

    it("the owner's REINDEX skipping an invalid index is done, not called refused", async () => {
      // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index, which REINDEX TABLE
      // CONCURRENTLY skips with a WARNING that is about the index, not the role.
      await admin(url, 'CREATE TABLE twice (id int); INSERT INTO twice VALUES (1), (1)');
      await admin(url, 'CREATE UNIQUE INDEX CONCURRENTLY twice_id ON twice (id)').catch(
        () => undefined,
      );
      const owner = await resolveConnection({
        workspace: os.tmpdir(),
        settings: resolveSettings({ database: { url } }),
        env: {},
        trusted: false,
      });
      const plan = planMaintenance(owner, 'reindex', { type: 'table', name: 'twice' }, 150000);

      const result = await runMaintenance(owner, confirmMaintenance(plan), {
        lockTimeoutMs: 5000,
        connectTimeoutMs: 5000,
      });

      assert.equal(result.sql, 'REINDEX TABLE CONCURRENTLY "twice";');
      assert.deepEqual(result.skippedIndexes, ['public.twice_id']);
      assert.equal(result.skippedTables, 0);
      const message = maintenanceFinished(result, owner.databaseName);
      assert.match(message, /^REINDEX TABLE CONCURRENTLY "twice"; finished in /);
      assert.match(message, /Skipped invalid index public\.twice_id: drop it, or rebuild /);
      assert.match(message, /REINDEX INDEX \(without CONCURRENTLY/);
    });

    for (const kind of ['analyze', 'vacuumAnalyze'] as const) {
      it(`${kind} of the whole database: done, saying how many tables it skipped`, async () => {
        const plan = planMaintenance(connection, kind, { type: 'database' }, target.major * 1e4);
        const confirmation = confirmMaintenance(plan, {
          typedDatabaseName: connection.databaseName,
        });

        const result = await runMaintenance(connection, confirmation, {
          lockTimeoutMs: 5000,
          connectTimeoutMs: 5000,
        });

        // items, twice and the catalogs: all belong to another role.
        assert.ok(result.skippedTables >= 3, String(result.skippedTables));
        assert.deepEqual(result.skippedIndexes, []);
        const message = maintenanceFinished(result, connection.databaseName);
        assert.match(message, /finished in .*\. \d+ tables skipped: this role may not maintain /);
        assert.match(message, /\(shared catalogs, tables of other owners\); the rest were done\.$/);
      });
    }

    for (const kind of ['analyze', 'vacuumAnalyze', 'reindex'] as const) {
      it(`${kind}: refused, saying the role may not and who may`, async () => {
        await assert.rejects(run(kind), (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'refused'), String(error));
          assert.match(
            error.message,
            new RegExp(`^Role ${role} may not run (ANALYZE|VACUUM|REINDEX)`),
          );
          assert.match(error.message, /"items"/);
          assert.match(error.hint ?? '', /owner of the table/);
          return true;
        });
      });
    }
  });
}
