/**
 * The least-scanned indexes beside Unused indexes (the guidelines' weekly query:
 * pg_stat_user_indexes by idx_scan ascending, LIMIT 10) on both real servers: every index,
 * unique ones too, fewest scans first, with its table, size and the counters' span; a
 * partitioned table's index once, with its partitions' scans. The drop advice stays the
 * never-scanned indexes' alone, and only on a week or more of counters. db.unusedIndexes lists
 * them in its details, and the dashboard shows them as a card of its own.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { CardOptions, DbCard } from '../../../src/core/db/cards';
import { collectCards } from '../../../src/core/db/cards';
import type { UnusedIndexesData } from '../../../src/core/db/tableCards';
import { countedSince } from '../../../src/core/db/tableCards';
import {
  admin,
  connect,
  createDatabase,
  monthLaterClock,
  runDbChecks,
  serversUnderTest,
  untilStatistics,
} from './servers';

const SCHEMA = `
  CREATE TABLE notes (id serial PRIMARY KEY, body text);
  CREATE INDEX index_notes_on_body ON notes (body);
  CREATE TABLE tags (id serial PRIMARY KEY, name text);
  CREATE INDEX index_tags_on_name ON tags (name);
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE INDEX index_events_on_id ON events (id);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  INSERT INTO notes (body) SELECT 'n' || i FROM generate_series(1, 100) i;
  INSERT INTO events SELECT i, '2025-06-01' FROM generate_series(1, 50) i;
  INSERT INTO events SELECT i, '2026-06-01' FROM generate_series(1, 50) i;
`;

/** Index scans: the primary key of notes once, its body index 3 times, events' 2 times. */
const SCANS = `
  SET enable_seqscan = off; SET enable_bitmapscan = off;
  SELECT * FROM notes WHERE id = 5;
  SELECT * FROM notes WHERE body = 'n1';
  SELECT * FROM notes WHERE body = 'n2';
  SELECT * FROM notes WHERE body = 'n3';
  SELECT * FROM events_2025 WHERE id = 1;
  SELECT * FROM events_2026 WHERE id = 2;
`;

for (const target of serversUnderTest) {
  describe(`least-scanned indexes on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;

    beforeEach(async () => {
      server ??= await target.start();
      url = await createDatabase(server, 'least');
      await admin(url, SCHEMA);
      await admin(url, SCANS);
      // A session's scans reach the counters once it ends.
      await untilStatistics(
        url,
        'SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = $1',
        ['index_notes_on_body'],
        3,
      );
    });

    async function unused(
      options: CardOptions = {},
    ): Promise<DbCard & { data: UnusedIndexesData }> {
      const { session } = await connect(url);
      try {
        const [card] = await collectCards(session, { ...options, only: ['unusedIndexes'] });
        return { ...card, data: card.data as UnusedIndexesData };
      } finally {
        await session.close();
      }
    }

    it('lists every index by its scans, fewest first, with table, size and span', async () => {
      const card = await unused({ clock: monthLaterClock });
      const rows = card.data.leastScanned.map((row) => [
        row.table,
        row.name,
        row.scans,
        row.constraint,
        row.partitioned ?? false,
      ]);
      assert.deepEqual(rows, [
        ['tags', 'index_tags_on_name', 0, false, false],
        ['tags', 'tags_pkey', 0, true, false],
        ['notes', 'notes_pkey', 1, true, false],
        ['events', 'index_events_on_id', 2, false, true],
        ['notes', 'index_notes_on_body', 3, false, false],
      ]);
      for (const row of card.data.leastScanned) {
        assert.equal(row.schema, 'public');
        assert.ok((row.bytes ?? 0) > 0, row.name);
        assert.match(row.pretty ?? '', /^\d+ (bytes|kB)$/);
      }
      const [sizes] = await admin<{ bytes: string }>(
        url,
        `SELECT (pg_relation_size('events_2025_id_idx') + pg_relation_size('events_2026_id_idx'))
           AS bytes`,
      );
      const events = card.data.leastScanned.find((row) => row.name === 'index_events_on_id');
      assert.equal(events?.bytes, Number(sizes.bytes));
      assert.equal(card.data.statsDays, 30);

      // The drop advice is the never-scanned indexes' alone.
      assert.deepEqual(
        card.data.indexes.map((row) => [row.name, row.advice]),
        [['index_tags_on_name', 'drop']],
      );
      assert.deepEqual(card.fixes ?? [card.fix], [
        `DROP INDEX CONCURRENTLY "index_tags_on_name"; (no scans ${countedSince(card.data)})`,
      ]);

      const limited = await unused({ limit: 2, clock: monthLaterClock });
      assert.deepEqual(
        limited.data.leastScanned.map((row) => row.name),
        ['index_tags_on_name', 'tags_pkey'],
      );
    });

    it('db.unusedIndexes lists them in its details, after its advice', async () => {
      const [result] = await runDbChecks(url, monthLaterClock, (id) => id === 'db.unusedIndexes');
      const card = await unused({ clock: monthLaterClock });
      const lines = (result.details ?? '').split('\n');
      const at = lines.indexOf(`Least scanned, ${countedSince(card.data)}:`);
      assert.ok(at > 0, result.details);
      assert.ok(lines.slice(0, at).some((line) => line.startsWith('  Fix: DROP INDEX')));
      assert.deepEqual(
        lines.slice(at + 1).map((line) => line.replace(/\d+ (bytes|kB)/, 'SIZE')),
        [
          '  1. "index_tags_on_name" on "tags": 0 scans, SIZE',
          '  2. "tags_pkey" on "tags": 0 scans, SIZE, enforces a constraint',
          '  3. "notes_pkey" on "notes": 1 scan, SIZE, enforces a constraint',
          '  4. "index_events_on_id" on "events": 2 scans, SIZE, partitioned',
          '  5. "index_notes_on_body" on "notes": 3 scans, SIZE',
        ],
      );
    });

    it('lists them under a week of counters too, with no DROP INDEX', async () => {
      const card = await unused();
      assert.equal(card.state, 'ok', card.summary);
      assert.equal(card.data.droppable, 0);
      assert.equal(card.fix, undefined);
      assert.equal(card.data.leastScanned.length, 5);
    });

    it('shows them on the dashboard beside Unused indexes, as a table of their own', async () => {
      const card = await unused({ clock: monthLaterClock });
      const view = databaseView([card], 'least');
      assert.deepEqual(
        view.cards.map((shown) => shown.id),
        ['unusedIndexes', 'leastScannedIndexes'],
      );
      const [own, least] = view.cards;
      const nameAt = (table: typeof own.table): number =>
        table?.columns.findIndex((column) => column.key === 'name') ?? -1;
      assert.deepEqual(
        own.table?.rows.map((row) => row[nameAt(own.table)]),
        ['index_tags_on_name'],
      );
      assert.equal(least.title, 'Least-scanned indexes');
      assert.deepEqual(
        least.table?.rows.map((row) => row[nameAt(least.table)]),
        [
          'index_tags_on_name',
          'tags_pkey',
          'notes_pkey',
          'index_events_on_id',
          'index_notes_on_body',
        ],
      );
      assert.deepEqual(
        least.table?.columns.map((column) => column.label),
        [
          'Schema',
          'Table',
          'Index',
          'Scans',
          'Bytes',
          'Size',
          'Enforces a constraint',
          'Partitioned',
        ],
      );
      // With no index never scanned, the unused card shows no table: not the least scanned.
      const none = databaseView([{ ...card, data: { ...card.data, indexes: [] } }], 'least');
      assert.equal(none.cards[0].table, undefined);
      assert.equal(none.cards[1].id, 'leastScannedIndexes');
      assert.match(least.summary, /^The 5 indexes scanned least since \d{4}-\d\d-\d\d \(30 days\)/);
    });
  });
}
