/**
 * Planner statistics of a partitioned table, on both real servers: autovacuum analyzes its
 * partitions but never the table itself, and the table counts no rows of its own, so the card
 * said "Statistics are fresh on every table" of one that was never analyzed.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

interface StatisticsData {
  tables: { name: string; liveRows: number; partitioned: boolean }[];
}

for (const target of serversUnderTest) {
  describe(`a partitioned table never analyzed on ${target.name}`, function () {
    this.timeout(120_000);

    it('is named with its partitions’ rows, until it is analyzed', async () => {
      const url = await createDatabase(await target.start(), 'partitioned');
      await admin(
        url,
        `CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE events_2025 PARTITION OF events
           FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         CREATE TABLE events_2026 PARTITION OF events
           FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
           PARTITION BY RANGE (at);
         CREATE TABLE events_2026_h1 PARTITION OF events_2026
           FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
         CREATE TABLE events_2026_h2 PARTITION OF events_2026
           FOR VALUES FROM ('2026-07-01') TO ('2027-01-01');
         INSERT INTO events SELECT i, date '2025-01-01' + i % 700 FROM generate_series(1, 7000) i`,
      );
      // What autovacuum does: the partitions holding rows, one by one.
      await admin(url, 'ANALYZE events_2025, events_2026_h1, events_2026_h2');
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'statistics');
        assert.equal(card.state, 'warn', card.summary);
        assert.deepEqual(
          (card.data as StatisticsData).tables.map((t) => [t.name, t.liveRows, t.partitioned]),
          [
            ['events', 7000, true],
            ['events_2026', 3350, true],
          ],
        );
        assert.match(card.reason ?? '', /Autovacuum never analyzes a partitioned table itself/);
        assert.equal(card.fixes?.[0], 'ANALYZE "events";');

        await admin(url, 'ANALYZE events');
        const analyzed = await runCard(session, 'statistics');
        assert.equal(analyzed.state, 'ok', analyzed.summary);
      } finally {
        await session.close();
      }
    });
  });
}
