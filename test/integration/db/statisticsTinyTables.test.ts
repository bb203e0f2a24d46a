/**
 * Planner statistics leaves out tables too small for autovacuum ever to analyze, on both real
 * servers: a new Rails app's one-row schema_migrations and ar_internal_metadata were named as
 * "never analyzed", with an ANALYZE for each, though autovacuum analyzes a table only once
 * more rows than its threshold (50, or the table's own) changed, and the planner reads a table
 * that small whole whatever it guesses.
 */
import * as assert from 'node:assert/strict';
import { runCard, type DbCard } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

interface StatisticsData {
  tables: { name: string }[];
  count: number;
  analyzeThreshold: number;
}

for (const target of serversUnderTest) {
  describe(`never-analyzed tiny tables on ${target.name}`, function () {
    this.timeout(120_000);

    it('names only the table past the analyze threshold', async () => {
      const url = await createDatabase(await target.start(), 'tiny');
      // Autovacuum off on each table: it would analyze the larger ones while the test reads.
      const off = 'WITH (autovacuum_enabled = false';
      await admin(
        url,
        `CREATE TABLE schema_migrations (version varchar PRIMARY KEY) ${off});
         CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar) ${off});
         CREATE TABLE users (id bigserial PRIMARY KEY, email text) ${off});
         CREATE TABLE imports (id bigserial PRIMARY KEY) ${off},
           autovacuum_analyze_threshold = 100);
         INSERT INTO schema_migrations VALUES ('20261201120000');
         INSERT INTO ar_internal_metadata VALUES ('environment', 'production');
         INSERT INTO users (email) SELECT 'u' || i FROM generate_series(1, 60) i;
         INSERT INTO imports SELECT FROM generate_series(1, 60)`,
      );
      const { session } = await connect(url);
      let card: DbCard | undefined;
      try {
        // The inserts reach the statistics a moment after the session that made them ends.
        for (let attempt = 0; attempt < 50 && card?.state !== 'warn'; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          card = await runCard(session, 'statistics');
        }
      } finally {
        await session.close();
      }
      assert.ok(card);
      assert.equal(card.state, 'warn', card.summary);
      const data = card.data as StatisticsData;
      assert.deepEqual(
        data.tables.map((table) => table.name),
        ['users'],
      );
      assert.equal(data.count, 1);
      assert.equal(data.analyzeThreshold, 50);
      assert.equal(card.fix, 'ANALYZE "users"; (run it with "Upkeep: Run Database Maintenance")');
    });
  });
}
