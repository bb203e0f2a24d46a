/**
 * Unused and duplicate indexes of a partitioned table, on both real servers: each partition's
 * index is part of the table's, which PostgreSQL drops only whole and never CONCURRENTLY. The
 * cards offered DROP INDEX CONCURRENTLY of a partition's index (refused: "index ... requires
 * it") and of the table's (refused: "cannot drop partitioned index concurrently"). Likewise a
 * foreign key of a partitioned table was listed once per partition too, each with a CREATE
 * INDEX CONCURRENTLY, which PostgreSQL refuses on the table.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import type {
  DuplicateIndex,
  ForeignKeyWithoutIndex,
  UnusedIndexesData,
} from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, monthLaterClock, serversUnderTest } from './servers';

/** The statement of a fix, without the note after it. */
function statement(fix: string): string {
  return fix.slice(0, fix.indexOf(';') + 1);
}

for (const target of serversUnderTest) {
  describe(`indexes of a partitioned table on ${target.name}`, function () {
    this.timeout(120_000);

    it('are judged and dropped as the table’s index, with statements that run', async () => {
      const url = await createDatabase(await target.start(), 'partidx');
      await admin(
        url,
        `CREATE TABLE events (id bigint, at date NOT NULL, kind text, PRIMARY KEY (id, at))
           PARTITION BY RANGE (at);
         CREATE TABLE events_2025 PARTITION OF events
           FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         CREATE TABLE events_2026 PARTITION OF events
           FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         INSERT INTO events SELECT i, date '2025-01-01' + i % 700, 'k' || i % 9
           FROM generate_series(1, 5000) i;
         CREATE INDEX events_on_id ON events (id);
         CREATE INDEX events_on_kind ON events (kind)`,
      );
      const { session } = await connect(url);
      try {
        const duplicates = await runCard(session, 'duplicateIndexes');
        const covered = (duplicates.data as { indexes: DuplicateIndex[] }).indexes;
        assert.deepEqual(
          covered.map((index) => [index.table, index.name, index.coveredBy]),
          [['events', 'events_on_id', 'events_pkey']],
        );
        assert.ok(covered[0].bytes > 0, 'the partitions’ indexes count');
        assert.equal(
          duplicates.fix,
          'DROP INDEX "events_on_id"; (a partitioned index: it locks the table and every ' +
            'partition)',
        );

        // A month of counters: the card judges no index on the minutes of a new server's.
        const unused = await runCard(session, 'unusedIndexes', { clock: monthLaterClock });
        const data = unused.data as UnusedIndexesData;
        assert.deepEqual(
          data.indexes.map((index) => [index.table, index.name, index.advice]),
          [
            ['events', 'events_on_id', 'covered'],
            ['events', 'events_on_kind', 'drop'],
          ],
        );
        assert.match(unused.fix ?? '', /^DROP INDEX "events_on_kind"; \(a partitioned index/);

        // What the cards offer runs.
        await admin(url, statement(duplicates.fix ?? ''));
        await admin(url, statement(unused.fix ?? ''));
        const left = await admin<{ name: string }>(
          url,
          `SELECT indexrelname AS name FROM pg_stat_user_indexes ORDER BY 1`,
        );
        assert.deepEqual(
          left.map((row) => row.name),
          ['events_2025_pkey', 'events_2026_pkey'],
        );
      } finally {
        await session.close();
      }
    });

    it('has its foreign key named once, with an index statement that runs', async () => {
      const url = await createDatabase(await target.start(), 'partfk');
      await admin(
        url,
        `CREATE TABLE kinds (id bigint PRIMARY KEY);
         CREATE TABLE events (id bigint, at date NOT NULL, kind_id bigint REFERENCES kinds)
           PARTITION BY RANGE (at);
         CREATE TABLE events_2025 PARTITION OF events
           FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         CREATE TABLE events_2026 PARTITION OF events
           FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'foreignKeysWithoutIndex');
        assert.equal(card.summary, '1 foreign key without an index: "events" ("kind_id")');
        const [key] = (card.data as { foreignKeys: ForeignKeyWithoutIndex[] }).foreignKeys;
        assert.deepEqual([key.table, key.columns, key.partitioned], ['events', ['kind_id'], true]);
        assert.match(card.fix ?? '', /^CREATE INDEX ON "events" \("kind_id"\); \(a partitioned/);

        await admin(url, statement(card.fix ?? ''));
        const indexed = await runCard(session, 'foreignKeysWithoutIndex');
        assert.equal(indexed.summary, 'Every foreign key has an index');
      } finally {
        await session.close();
      }
    });
  });
}
