/**
 * Rows written per table (the guidelines' "Review table growth", pg_stat_user_tables' inserts,
 * updates and deletes) on both real servers: the busiest tables first with their exact counts, a
 * partitioned table as the sum of its partitions, tables never written to left out, since when
 * the counters count, the limit; and per day since a size snapshot the growth card kept half a
 * day or more before, none across a statistics reset.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import type { CardOptions, DbCard } from '../../../src/core/db/cards';
import { collectCards } from '../../../src/core/db/cards';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { TableWritesData } from '../../../src/core/db/tableCards';
import { fixedClock } from '../../../src/core/util/clock';
import {
  admin,
  connect,
  createDatabase,
  runDbChecks,
  serversUnderTest,
  untilStatistics,
} from './servers';

const SCHEMA = `
  CREATE TABLE orders (id serial PRIMARY KEY, state text, note text);
  CREATE TABLE notes (id serial PRIMARY KEY, body text);
  CREATE TABLE quiet (id serial PRIMARY KEY);
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`;

const WRITES = `
  INSERT INTO orders (state) SELECT 'new' FROM generate_series(1, 30);
  UPDATE orders SET state = 'paid' WHERE id <= 10;
  DELETE FROM orders WHERE id > 25;
  INSERT INTO notes (body) VALUES ('a'), ('b'), ('c');
  INSERT INTO events VALUES (1, '2025-06-01'), (2, '2026-06-01'), (3, '2026-07-01');
`;

const DAY_MS = 86_400_000;

/** The counters as the server has them: a session's writes reach them once it ends. */
function countersShow(url: string, table: string, inserts: number): Promise<void> {
  const sql = 'SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = $1';
  return untilStatistics(url, sql, [table], inserts);
}

for (const target of serversUnderTest) {
  describe(`rows written per table on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;
    let folder: string;

    beforeEach(async () => {
      server ??= await target.start();
      url = await createDatabase(server, 'writes');
      await admin(url, SCHEMA);
      await admin(url, WRITES);
      await countersShow(url, 'orders', 30);
      await countersShow(url, 'events_2026', 2);
      folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-writes-'));
    });

    afterEach(async () => {
      await fs.rm(folder, { recursive: true, force: true });
    });

    async function cards(options: CardOptions): Promise<DbCard[]> {
      const { session } = await connect(url);
      try {
        return await collectCards(session, options);
      } finally {
        await session.close();
      }
    }

    async function writesCard(
      options: CardOptions = {},
    ): Promise<DbCard & { data: TableWritesData }> {
      const [card] = await cards({ ...options, only: ['tableWrites'] });
      return { ...card, data: card.data as TableWritesData };
    }

    it('lists the busiest tables first with their inserts, updates and deletes', async () => {
      const card = await writesCard();
      assert.equal(card.state, 'ok', card.summary);
      const rows = card.data.tables.map((t) => [t.name, t.inserts, t.updates, t.deletes]);
      assert.deepEqual(rows, [
        ['orders', 30, 10, 5],
        ['events', 3, 0, 0],
        ['notes', 3, 0, 0],
      ]);
      const orders = card.data.tables[0];
      assert.ok(orders.hotUpdates >= 0 && orders.hotUpdates <= orders.updates);
      assert.equal(card.data.tables[1].partitions, 2);
      assert.equal(card.data.tables[0].partitions, 0);
      assert.equal(card.data.count, 3);
      assert.equal(orders.insertsPerDay, undefined);

      const [span] = await admin<{ reset: Date | null; started: Date }>(
        url,
        `SELECT stats_reset AS reset, pg_postmaster_start_time() AS started
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      const since = span.reset ?? span.started;
      assert.equal(card.data.statsSince, since.toISOString());
      assert.equal(card.data.statsFrom, span.reset ? 'reset' : 'serverStart');
      assert.match(
        card.summary,
        new RegExp(
          `^3 tables written to since ${since.toISOString().slice(0, 10)} \\(0 days\\), when ` +
            `(statistics were reset|the server started); busiest "orders": 45 rows ` +
            '\\(30 inserted, 10 updated, 5 deleted\\)$',
        ),
      );

      // The dashboard: the counts as a table, the span as facts.
      const [shown] = databaseView([card], 'writes').cards;
      assert.deepEqual(
        shown.table?.columns.map((column) => column.label),
        ['Schema', 'Table', 'Partitions', 'Inserts', 'Updates', 'HOT updates', 'Deletes'],
      );
      assert.deepEqual(shown.table?.rows[0].slice(1, 7), [
        'orders',
        0,
        30,
        10,
        orders.hotUpdates,
        5,
      ]);
      assert.deepEqual(
        shown.facts.map((fact) => fact.label),
        ['Tables written to', 'Statistics since', 'Statistics counted from', 'Days of statistics'],
      );

      const limited = await writesCard({ limit: 1 });
      assert.deepEqual(
        limited.data.tables.map((t) => t.name),
        ['orders'],
      );
      assert.equal(limited.data.count, 3);
    });

    it('says rows per day since a snapshot half a day old, none across a reset', async () => {
      const snapshotFile = path.join(folder, 'snapshots.json');
      const start = Date.now();
      const [growth] = await cards({
        only: ['growth'],
        snapshotFile,
        clock: fixedClock(new Date(start)),
      });
      assert.equal(growth.state, 'ok', growth.summary);

      // Under half a day on, the snapshot is too recent to compare with.
      const early = await writesCard({
        snapshotFile,
        clock: fixedClock(new Date(start + 3_600_000)),
      });
      assert.equal(early.data.perDaySince, undefined);
      assert.equal(early.data.tables[0].insertsPerDay, undefined);

      await admin(url, "INSERT INTO orders (state) SELECT 'new' FROM generate_series(1, 40)");
      await countersShow(url, 'orders', 70);
      const later = await writesCard({
        snapshotFile,
        clock: fixedClock(new Date(start + 2 * DAY_MS)),
      });
      assert.equal(later.data.perDaySince, new Date(start).toISOString());
      const orders = later.data.tables.find((t) => t.name === 'orders');
      assert.deepEqual(
        [orders?.insertsPerDay, orders?.updatesPerDay, orders?.deletesPerDay],
        [20, 0, 0],
      );
      const notes = later.data.tables.find((t) => t.name === 'notes');
      assert.deepEqual([notes?.insertsPerDay, notes?.deletesPerDay], [0, 0]);

      await admin(url, 'SELECT pg_stat_reset()');
      const reset = await writesCard({
        snapshotFile,
        clock: fixedClock(new Date(start + 3 * DAY_MS)),
      });
      assert.equal(reset.data.perDaySince, undefined);
      assert.match(reset.data.perDayNote ?? '', /statistics were reset after the snapshot of/);
      assert.match(reset.reason ?? '', /^No rows per day: the statistics were reset after/);
      // Said once on the dashboard: in the reason, not again as a fact.
      const [shown] = databaseView([reset], 'writes').cards;
      assert.ok(!shown.facts.some((fact) => fact.value === reset.data.perDayNote));
      const [perDay] = databaseView([later], 'writes').cards;
      assert.ok(perDay.table?.columns.some((column) => column.label === 'Inserts per day'));
      assert.ok(perDay.facts.some((fact) => fact.label === 'Per day since'));
    });

    it('db.tableGrowth reports the card', async () => {
      const [result] = await runDbChecks(
        url,
        fixedClock(new Date()),
        (id) => id === 'db.tableGrowth',
      );
      assert.equal(result.checkId, 'db.tableGrowth');
      assert.equal(result.outcome, 'pass', result.summary);
      assert.match(result.summary, /^3 tables written to since .*; busiest "orders": 45 rows/);
    });
  });
}
