/**
 * The Dead rows and vacuum card where autovacuum does not run, on both real servers: a table
 * with autovacuum_enabled = false, and a server with autovacuum = off. The card said
 * "autovacuum keeps up" for both.
 */
import * as assert from 'node:assert/strict';
import type { VacuumData } from '../../../src/core/db/tableCards';
import { runCard } from '../../../src/core/db/cards';
import type { DbCard } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

/** The vacuum card once the server's statistics show `deadRows` dead rows in `table`. */
async function vacuumCard(session: DbSession, table: string, deadRows: number): Promise<DbCard> {
  let card = await runCard(session, 'vacuum');
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = (card.data as VacuumData | null)?.tables.find((t) => t.name === table);
    if (row && row.deadRows >= deadRows) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    card = await runCard(session, 'vacuum');
  }
  return card;
}

for (const target of serversUnderTest) {
  describe(`autovacuum that does not run on ${target.name}`, function () {
    this.timeout(120_000);

    it('names a table with autovacuum disabled that gathers dead rows', async () => {
      const url = await createDatabase(await target.start(), 'novacuum');
      await admin(
        url,
        `CREATE TABLE ledger (id int) WITH (autovacuum_enabled = off);
         CREATE TABLE countries (id int) WITH (autovacuum_enabled = false);
         INSERT INTO ledger SELECT generate_series(1, 10000);
         INSERT INTO countries VALUES (1)`,
      );
      // 15 % dead: under the 20 % the card warns at, and nothing will ever vacuum them.
      await admin(url, 'DELETE FROM ledger WHERE id <= 1500');
      const { session } = await connect(url);
      try {
        const card = await vacuumCard(session, 'ledger', 1500);
        const data = card.data as VacuumData;
        assert.equal(card.state, 'warn', card.summary);
        assert.equal(card.summary, 'autovacuum disabled on 2 tables ("ledger", "countries")');
        assert.deepEqual(card.fixes, [
          'VACUUM (ANALYZE) "ledger";',
          'ALTER TABLE "ledger" RESET (autovacuum_enabled);',
        ]);
        assert.equal(data.autovacuum, true);
        assert.equal(data.tables.find((t) => t.name === 'ledger')?.autovacuumEnabled, false);

        // Vacuumed by hand: no dead rows, but autovacuum is still off there, so it does not
        // keep up on those tables.
        await admin(url, 'VACUUM ledger');
        const after = await vacuumCard(session, 'ledger', 0);
        assert.equal(after.state, 'ok', after.summary);
        assert.match(after.summary, /; autovacuum disabled on 2 tables \("countries", "ledger"\)$/);
      } finally {
        await session.close();
      }
    });

    it('warns on a server with autovacuum off, with the setting that turns it on', async () => {
      const server = await target.startWith({ autovacuum: 'off' });
      const url = await createDatabase(server, 'novacuum');
      await admin(url, 'CREATE TABLE bookings (id int); INSERT INTO bookings VALUES (1)');
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'vacuum');
        assert.equal(card.state, 'warn', card.summary);
        assert.equal(card.summary, 'autovacuum does not run on this server (autovacuum = off)');
        assert.match(
          card.fix ?? '',
          /^ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf\(\);/,
        );
        assert.equal((card.data as VacuumData).autovacuum, false);
      } finally {
        await session.close();
      }
    });
  });
}
