/**
 * The size and index cards while another session holds a table in ACCESS EXCLUSIVE mode (a
 * migration, a `LOCK TABLE` left open), on both real servers: reading that table's size or index
 * columns would wait for the lock, so the cards leave it out and say so instead of failing whole.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { collectCards } from '../../../src/core/db/cards';
import type { DuplicateIndex, InvalidIndex, TablesData } from '../../../src/core/db/tableCards';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE SCHEMA "Ops Team";
  CREATE TABLE "Ops Team"."Locked ü" (id int, note text);
  CREATE INDEX "locked by id" ON "Ops Team"."Locked ü" (id);
  CREATE INDEX "locked by id and note" ON "Ops Team"."Locked ü" (id, note);
  CREATE TABLE bookings (id int, starts_at timestamptz);
  CREATE INDEX bookings_by_id ON bookings (id);
  CREATE INDEX bookings_by_id_and_start ON bookings (id, starts_at);
  INSERT INTO bookings SELECT i, now() FROM generate_series(1, 1000) AS i;
`;

for (const target of serversUnderTest) {
  describe(`a table locked by another session on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let session: DbSession;
    let holder: Client;
    let folder: string;

    before(async () => {
      url = await createDatabase(await target.start(), 'locked');
      await admin(url, SCHEMA);
      // An invalid index on the table to lock: a failed CREATE INDEX CONCURRENTLY.
      await admin(url, `INSERT INTO "Ops Team"."Locked ü" VALUES (1, 'a'), (1, 'b')`);
      await admin(
        url,
        'CREATE UNIQUE INDEX CONCURRENTLY "locked unique" ON "Ops Team"."Locked ü" (id)',
      ).catch(() => undefined);
      ({ session } = await connect(url, { lockTimeoutMs: 300 }));
      folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-locked-'));
      holder = new Client({ connectionString: url, application_name: 'migration' });
      await holder.connect();
      await holder.query('BEGIN; LOCK TABLE "Ops Team"."Locked ü" IN ACCESS EXCLUSIVE MODE');
    });

    after(async () => {
      await holder?.query('ROLLBACK').catch(() => undefined);
      await holder?.end();
      await session?.close();
      await fs.rm(folder, { recursive: true, force: true });
    });

    it('reads the other tables and names the locked one', async () => {
      const snapshotFile = path.join(folder, 'snapshots.json');
      const cards = await collectCards(session, {
        only: ['tables', 'growth', 'unusedIndexes', 'duplicateIndexes', 'invalidIndexes'],
        snapshotFile,
      });
      assert.deepEqual(
        cards.filter((card) => card.state === 'error').map((card) => card.summary),
        [],
      );
      const [tables, growth, , duplicates, invalid] = cards;

      const data = tables.data as TablesData;
      assert.deepEqual(
        data.tables.map((table) => table.name),
        ['bookings'],
      );
      assert.deepEqual(data.locked, [
        {
          schema: 'Ops Team',
          name: 'Locked ü',
          holder: 'BEGIN; LOCK TABLE "Ops Team"."Locked ü" IN ACCESS EXCLUSIVE MODE',
        },
      ]);
      assert.match(
        tables.summary,
        /1 table left out \(size not read\): "Ops Team"\."Locked ü" \(locked by another session/,
      );

      // A snapshot without the locked table would count all of it as growth next week.
      assert.match(growth.summary, /locked/);
      await assert.rejects(fs.stat(snapshotFile));

      assert.deepEqual(
        (duplicates.data as { indexes: DuplicateIndex[] }).indexes.map((index) => index.name),
        ['bookings_by_id'],
      );
      assert.equal(invalid.state, 'warn', invalid.summary);
      assert.match(invalid.fix ?? '', /REINDEX INDEX .*"Ops Team"\."locked unique"/);
      // Its definition is not read, and the card says whose lock kept it, as the others do.
      assert.deepEqual((invalid.data as { indexes: InvalidIndex[] }).indexes, [
        {
          schema: 'Ops Team',
          table: 'Locked ü',
          name: 'locked unique',
          definition: null,
          lockedBy:
            'locked by another session: ' +
            'BEGIN; LOCK TABLE "Ops Team"."Locked ü" IN ACCESS EXCLUSIVE MODE',
          reindexSql: 'REINDEX INDEX CONCURRENTLY "Ops Team"."locked unique";',
        },
      ]);
      assert.match(
        invalid.summary,
        new RegExp(
          '; definition not read: "locked unique" on "Ops Team"\\."Locked ü" ' +
            '\\(locked by another session: BEGIN; LOCK TABLE ',
        ),
      );
    });

    it('names no query for an invalid index whose table a prepared transaction holds', async () => {
      const prepared = await createDatabase(
        await target.startWith({ max_prepared_transactions: '2' }),
        'preparedinvalid',
      );
      await admin(prepared, SCHEMA);
      await admin(prepared, 'INSERT INTO bookings VALUES (1, now())');
      await admin(prepared, 'CREATE UNIQUE INDEX CONCURRENTLY one_id ON bookings (id)').catch(
        () => undefined,
      );
      const coordinator = new Client({ connectionString: prepared });
      await coordinator.connect();
      await coordinator.query('BEGIN; LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE');
      await coordinator.query(`PREPARE TRANSACTION 'migrating'`);
      await coordinator.end();
      const { session: other } = await connect(prepared, { lockTimeoutMs: 300 });
      try {
        const [invalid] = await collectCards(other, { only: ['invalidIndexes'] });
        const [index] = (invalid.data as { indexes: InvalidIndex[] }).indexes;
        assert.equal(index.definition, null);
        // No session behind it, so no query to show.
        assert.equal(index.lockedBy, 'locked by another session');
        assert.match(
          invalid.summary,
          /; definition not read: "one_id" on "bookings" \(locked by another session\)$/,
        );
      } finally {
        await other.close();
        await admin(prepared, `ROLLBACK PREPARED 'migrating'`);
      }
    });
  });
}
