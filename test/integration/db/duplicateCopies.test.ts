/**
 * Duplicate indexes when one index is covered by two others (two copies of a primary key): it
 * is one index to drop, counted and listed once, and the fixes run one after the other leave
 * the key that covers them.
 */
import * as assert from 'node:assert/strict';
import type { DuplicateIndex } from '../../../src/core/db/tableCards';
import { collectCards } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const server of serversUnderTest) {
  describe(`Duplicate indexes: copies of copies on ${server.name}`, function () {
    this.timeout(120_000);

    it('names each copy once, with a cover that stays, and its fixes all run', async () => {
      const url = await createDatabase(await server.start(), 'duplicate_copies');
      // Of two equal indexes the later one is the copy: d, not c.
      await admin(
        url,
        `CREATE TABLE jobs (id int PRIMARY KEY, at int);
         CREATE INDEX a ON jobs (id);
         CREATE INDEX b ON jobs (id);
         CREATE INDEX c ON jobs (at);
         CREATE INDEX d ON jobs (at);`,
      );
      const { session } = await connect(url);
      let card;
      try {
        [card] = await collectCards(session, { only: ['duplicateIndexes'] });
      } finally {
        await session.close();
      }
      const indexes = (card.data as { indexes: DuplicateIndex[] }).indexes;
      assert.deepEqual(indexes.map((index) => index.name).sort(), ['a', 'b', 'd'], card.summary);
      assert.equal(card.summary, '3 indexes covered by another index');
      const kept = new Set(['jobs_pkey', 'c']);
      for (const index of indexes) assert.ok(kept.has(index.coveredBy), JSON.stringify(index));

      for (const fix of card.fixes ?? [card.fix]) await admin(url, fix ?? '');
      const left = await admin<{ name: string }>(
        url,
        `SELECT indexrelid::regclass::text AS name FROM pg_index
          WHERE indrelid = 'jobs'::regclass ORDER BY 1`,
      );
      assert.deepEqual(
        left.map((row) => row.name),
        ['c', 'jobs_pkey'],
      );
    });
  });
}
