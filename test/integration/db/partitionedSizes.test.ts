/**
 * Largest tables and Growth of a partitioned table, on both real servers: each partition was a
 * row of its own and the partitioned table showed 0 bytes, so the largest table of the app read
 * as one of its partitions, and a snapshot kept the partitions apart. The partitioned table now
 * counts its partitions' sizes and rows, at every level, and they are not listed apart.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { collectCards } from '../../../src/core/db/cards';
import type { TablesData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE TABLE events (id bigint, at date NOT NULL, note text) PARTITION BY RANGE (at);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY RANGE (at);
  CREATE TABLE events_2026_h1 PARTITION OF events_2026
    FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
  CREATE TABLE events_2026_h2 PARTITION OF events_2026
    FOR VALUES FROM ('2026-07-01') TO ('2027-01-01');
  CREATE INDEX events_by_id ON events (id);
  INSERT INTO events SELECT i, date '2025-01-01' + i % 700, repeat('e', 200)
    FROM generate_series(1, 9000) i;
  CREATE TABLE users (id bigint PRIMARY KEY, note text);
  INSERT INTO users SELECT i, repeat('u', 200) FROM generate_series(1, 4000) i;
  ANALYZE;
`;

for (const target of serversUnderTest) {
  describe(`the sizes of a partitioned table on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let folder: string;

    before(async () => {
      url = await createDatabase(await target.start(), 'partsizes');
      await admin(url, SCHEMA);
      folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-partsizes-'));
    });

    after(async () => {
      await fs.rm(folder, { recursive: true, force: true });
    });

    it('lists the partitioned table once with its partitions’ sizes and rows', async () => {
      const [sum] = await admin<{ total: string; heap: string; indexes: string }>(
        url,
        `SELECT sum(pg_total_relation_size(relid)) AS total, sum(pg_relation_size(relid)) AS heap,
                sum(pg_indexes_size(relid)) AS indexes
           FROM pg_partition_tree('events')`,
      );
      const snapshotFile = path.join(folder, 'snapshots.json');
      const { session } = await connect(url);
      try {
        const [tables, growth] = await collectCards(session, {
          only: ['tables', 'growth'],
          snapshotFile,
        });
        assert.equal(growth.state, 'ok', growth.summary);
        const data = tables.data as TablesData;
        assert.deepEqual(
          data.tables.map((table) => [table.name, table.partitions]),
          [
            ['events', 4],
            ['users', 0],
          ],
        );
        assert.equal(data.tableCount, 2);
        const [events] = data.tables;
        assert.equal(events.totalBytes, Number(sum.total));
        assert.equal(events.tableBytes, Number(sum.heap));
        assert.equal(events.indexBytes, Number(sum.indexes));
        assert.equal(events.estimatedRows, 9000);
        assert.match(tables.summary, /^2 tables; largest "events" \(\d+ kB\)$/);

        // The snapshot Growth kept holds the partitioned table once, its partitions not apart.
        const kept = JSON.parse(await fs.readFile(snapshotFile, 'utf8')) as {
          databases: Record<string, { tables: Record<string, number> }[]>;
        };
        const [snapshot] = kept.databases[session.connection.display];
        assert.deepEqual(snapshot.tables, {
          'public.events': Number(sum.total),
          'public.users': data.tables[1].totalBytes,
        });
      } finally {
        await session.close();
      }
    });

    it('counts it as locked while a partition is, without waiting for it', async () => {
      const holder = new Client({ connectionString: url });
      await holder.connect();
      const { session } = await connect(url, { lockTimeoutMs: 300 });
      try {
        await holder.query('BEGIN; LOCK TABLE events_2026_h1 IN ACCESS EXCLUSIVE MODE');
        const [tables] = await collectCards(session, { only: ['tables'] });
        assert.equal(tables.state, 'ok', tables.summary);
        const data = tables.data as TablesData;
        assert.deepEqual(
          data.tables.map((table) => table.name),
          ['users'],
        );
        assert.deepEqual(data.locked, [
          {
            schema: 'public',
            name: 'events',
            holder: 'BEGIN; LOCK TABLE events_2026_h1 IN ACCESS EXCLUSIVE MODE',
          },
        ]);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await session.close();
      }
    });
  });
}
