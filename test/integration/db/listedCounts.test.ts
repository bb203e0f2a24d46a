/**
 * Cards that list at most `limit` rows still count all of them, on both real servers: a schema
 * with 14 tables never analyzed and 12 foreign keys without an index read "10 tables+" and
 * "10 foreign keys+", where the maintainer needs the true size of the job.
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase, monthLaterClock, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`more findings than a card lists on ${target.name}`, function () {
    this.timeout(120_000);
    let session: DbSession;

    before(async () => {
      const url = await createDatabase(await target.start(), 'counts');
      // 60 rows each, past autovacuum's analyze threshold (50), and autovacuum off on each
      // table so that it does not analyze them while the test reads.
      const off = 'WITH (autovacuum_enabled = false)';
      await admin(
        url,
        `CREATE TABLE accounts (id bigint PRIMARY KEY) ${off};
         DO $$ BEGIN
           FOR i IN 1..12 LOOP
             EXECUTE format('CREATE TABLE child_%s (id bigint, account_id bigint
                               REFERENCES accounts (id)) ${off}', i);
             EXECUTE format('INSERT INTO child_%s SELECT g, NULL FROM generate_series(1, 60) g',
                            i);
           END LOOP;
         END $$;
         INSERT INTO accounts SELECT generate_series(1, 60)`,
      );
      await admin(
        url,
        `CREATE TABLE notes (id int) ${off}; INSERT INTO notes SELECT generate_series(1, 60)`,
      );
      ({ session } = await connect(url));
    });

    after(async () => {
      await session?.close();
    });

    it('says how many there are, and that only the first are listed', async () => {
      // The statistics collector reports inserts a moment after they commit.
      let cards = await collectCards(session, { only: ['statistics', 'foreignKeysWithoutIndex'] });
      for (let attempt = 0; attempt < 50 && !/^14 /.test(cards[1].summary); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        cards = await collectCards(session, { only: ['statistics', 'foreignKeysWithoutIndex'] });
      }
      const [foreignKeys, statistics] = cards;

      assert.equal(
        foreignKeys.summary,
        '12 foreign keys without an index: "child_1" ("account_id") and 11 more; ' +
          'the first 10 listed',
      );
      assert.equal((foreignKeys.data as { count: number }).count, 12);
      assert.equal(foreignKeys.fixes?.length, 10);

      assert.equal(
        statistics.summary,
        '14 tables with missing or stale statistics; the first 10 listed',
      );
      assert.equal((statistics.data as { count: number }).count, 14);
      assert.equal(statistics.fixes?.length, 10);
    });
  });
}

for (const target of serversUnderTest) {
  describe(`more unused indexes and full sequences than listed on ${target.name}`, function () {
    this.timeout(120_000);
    let session: DbSession;

    before(async () => {
      const url = await createDatabase(await target.start(), 'counts');
      // 12 indexes never scanned, the largest first by their rows; 12 sequences past 75 %.
      await admin(
        url,
        `CREATE TABLE events (id bigint, ${Array.from({ length: 12 }, (_, i) => `c${i} int`)});
         INSERT INTO events SELECT i, ${Array.from({ length: 12 }, () => 'i').join(', ')}
           FROM generate_series(1, 1000) i;
         DO $$ BEGIN
           FOR i IN 1..12 LOOP
             EXECUTE format('CREATE INDEX events_c%s ON events (c%s)', i - 1, i - 1);
             EXECUTE format('CREATE SEQUENCE counter_%s AS integer MAXVALUE 100', i);
             PERFORM setval(format('counter_%s', i), 80 + i);
           END LOOP;
         END $$`,
      );
      ({ session } = await connect(url));
    });

    after(async () => {
      await session?.close();
    });

    it('counts every one, and says only the first are listed', async () => {
      // A month of counters: the card judges no index on the minutes of a new server's.
      const [unused, sequences] = await collectCards(session, {
        only: ['unusedIndexes', 'sequences'],
        clock: monthLaterClock,
      });

      assert.match(
        unused.summary,
        new RegExp(
          '^10 indexes never scanned: "events_c\\d+" and 9 more; ' +
            '12 never scanned in all; the first 10 listed; no scans since ',
        ),
      );
      assert.equal((unused.data as { neverScanned: number }).neverScanned, 12);
      assert.equal((unused.data as { indexes: unknown[] }).indexes.length, 10);

      assert.equal(
        sequences.summary,
        '12 sequences past 75 % of their maximum; the first 10 listed',
      );
      assert.equal((sequences.data as { nearMaximum: number }).nearMaximum, 12);
      assert.match(sequences.reason ?? '', /^counter_12 is at 92\.0 %/);
    });
  });
}
