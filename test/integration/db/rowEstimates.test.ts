/**
 * Largest tables and Dead rows and vacuum give a table the same row estimate, on both real
 * servers. A loader that inserts and then runs ANALYZE in one session (the demo's, a Rails
 * `db:seed` followed by a maintenance ANALYZE) leaves the collector's live-row count at twice
 * the rows: ANALYZE sets it to what it counted, then the session's pending insert counts land on
 * top. schema_migrations, with 3 rows, read 6 live rows beside an estimate of 3.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { runCard } from '../../../src/core/db/cards';
import type { TablesData, VacuumData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`row estimates of the table cards on ${target.name}`, function () {
    this.timeout(120_000);

    it('shows the rows ANALYZE counted on both cards, after inserts in its session', async () => {
      const url = await createDatabase(await target.start(), 'row_estimates');
      const loader = new Client({ connectionString: url });
      await loader.connect();
      try {
        await loader.query(
          'CREATE TABLE schema_migrations (version varchar PRIMARY KEY) ' +
            'WITH (autovacuum_enabled = false)',
        );
        await loader.query("INSERT INTO schema_migrations VALUES ('1'), ('2'), ('3')");
        await loader.query('ANALYZE');
      } finally {
        await loader.end();
      }
      // The loader's counts reach the collector as its session ends (at once from 15 on).
      let live = 0;
      for (let attempt = 0; attempt < 50 && live !== 6; attempt++) {
        const [row] = await admin<{ live: number }>(
          url,
          'SELECT n_live_tup::int AS live FROM pg_stat_user_tables ' +
            "WHERE relname = 'schema_migrations'",
        );
        live = row.live;
        if (live !== 6) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(live, 6, 'the collector counts the 3 inserted rows twice');

      const { session } = await connect(url);
      try {
        const tables = (await runCard(session, 'tables')).data as TablesData;
        const vacuum = (await runCard(session, 'vacuum')).data as VacuumData;
        assert.equal(tables.tables[0].estimatedRows, 3);
        assert.equal(vacuum.tables[0].liveRows, 3);
        assert.equal(vacuum.tables[0].deadShare, 0);
      } finally {
        await session.close();
      }
    });
  });
}
