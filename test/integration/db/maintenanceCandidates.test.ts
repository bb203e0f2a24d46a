/**
 * The tables Run Database Maintenance offers, on both real servers: the ones with the most dead
 * rows, and for VACUUM FREEZE the ones whose IDs are oldest — the wraparound card names those,
 * and a list cut by dead rows alone left them out of a database with more tables than the cut.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { candidatesFor, maintenanceCandidates } from '../../../src/core/db/maintenance';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`maintenance candidates on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let url: string;

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'candidates');
      await admin(url, 'CREATE TABLE old_ids (id int)');
      // Each statement is a transaction of its own: the table's frozen ID grows older.
      for (let i = 0; i < 20; i++) await admin(url, 'SELECT txid_current()');
      for (const name of ['dead_a', 'dead_b']) {
        await admin(
          url,
          `CREATE TABLE ${name} (id int); INSERT INTO ${name} SELECT generate_series(1, 50); ` +
            `DELETE FROM ${name}`,
        );
      }
      // The statistics of a closed session reach the views a moment later.
      for (let tries = 0; tries < 50; tries++) {
        const rows = await admin<{ dead: string }>(
          url,
          "SELECT count(*) AS dead FROM pg_stat_user_tables WHERE relname LIKE 'dead_%' " +
            'AND n_dead_tup > 0',
        );
        if (Number(rows[0].dead) === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });

    async function candidates(limit: number): ReturnType<typeof maintenanceCandidates> {
      const { session } = await connect(url);
      try {
        return await maintenanceCandidates(session, undefined, limit);
      } finally {
        await session.close();
      }
    }

    const names = (list: { target: { type: string; name?: string } }[]): (string | undefined)[] =>
      list.filter((c) => c.target.type === 'table').map((c) => c.target.name);

    it('offers the tables with the most dead rows first for VACUUM and ANALYZE', async () => {
      const offered = candidatesFor('vacuumAnalyze', await candidates(2));
      assert.deepEqual(names(offered).slice(0, 2), ['dead_a', 'dead_b']);
    });

    it('offers the table with the oldest IDs first for VACUUM FREEZE, past the cut', async () => {
      const all = await candidates(2);
      const offered = candidatesFor('vacuumFreeze', all);
      assert.equal(names(offered)[0], 'old_ids', JSON.stringify(names(offered)));
      const [ages] = await admin<{ old: number; young: number }>(
        url,
        'SELECT age(o.relfrozenxid) AS old, age(y.relfrozenxid) AS young ' +
          "FROM pg_class o, pg_class y WHERE o.relname = 'old_ids' AND y.relname = 'dead_a'",
      );
      assert.ok(Number(ages.old) > Number(ages.young), JSON.stringify(ages));
      assert.match(offered[0].note, /^ID age \d[\d,]*; 0 dead rows of 0; never analyzed$/);
      // Twenty transactions at least went by since the table was made.
      assert.ok((offered[0].freezeAge ?? 0) >= 20, String(offered[0].freezeAge));
    });
  });
}
