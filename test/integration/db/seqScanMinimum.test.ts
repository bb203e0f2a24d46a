/**
 * Tables read by sequential scans judges a table only past a minimum number of scans, on both
 * real servers: a share of three scans means nothing, and Upkeep's own read of each key's
 * highest value (one index scan per run) turned "67 % of 3 scans were sequential" around after
 * three dashboard refreshes.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { collectCards, type DbCard } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`sequential scans of few and many scans on ${target.name}`, function () {
    this.timeout(120_000);

    it('warns of the table scanned often, not of the one scanned three times', async () => {
      const url = await createDatabase(await target.start(), 'seqmin');
      await admin(
        url,
        `CREATE TABLE rarely (id bigserial PRIMARY KEY, note text);
         CREATE TABLE often (id bigserial PRIMARY KEY, note text);
         INSERT INTO rarely (note) SELECT 'n' || i FROM generate_series(1, 20000) i;
         INSERT INTO often (note) SELECT 'n' || i FROM generate_series(1, 20000) i;
         ANALYZE rarely; ANALYZE often`,
      );
      const app = new Client({ connectionString: url });
      await app.connect();
      try {
        // rarely: 2 of 3 scans sequential; often: 150 of 151.
        for (let i = 0; i < 2; i++) await app.query('SELECT count(*) FROM rarely');
        await app.query('SELECT note FROM rarely WHERE id = 5');
        for (let i = 0; i < 150; i++) await app.query('SELECT count(*) FROM often');
        await app.query('SELECT note FROM often WHERE id = 5');
      } finally {
        await app.end();
      }
      const { session } = await connect(url);
      let card: DbCard | undefined;
      try {
        // The scans reach the statistics a moment after the session that made them ends.
        for (let attempt = 0; attempt < 50 && card?.state !== 'warn'; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          [card] = await collectCards(session, { only: ['seqScans'] });
        }
      } finally {
        await session.close();
      }
      assert.ok(card);
      assert.equal(card.state, 'warn', card.summary);
      const data = card.data as { tables: { name: string }[]; minScans: number };
      assert.deepEqual(
        data.tables.map((table) => table.name),
        ['often'],
      );
      assert.equal(data.minScans, 100);
      assert.equal(
        card.summary,
        '1 table of 10,000+ rows and 100+ scans read mostly by sequential scans',
      );
      // 150 and the index scan, and a scan of the table's own making (its creation).
      assert.match(card.reason ?? '', /^"often": 99 % of 15\d scans were sequential\.$/);
    });
  });
}
