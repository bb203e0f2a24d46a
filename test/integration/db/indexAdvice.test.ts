/**
 * The unused-index advice against the duplicate-index advice on both real servers: following
 * both cards never leaves a foreign key without a supporting index, and the check reports the
 * card's count.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { computeAlerts } from '../../../src/core/dashboard/alerts';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { DbCard } from '../../../src/core/db/cards';
import type { DuplicateIndex, UnusedIndexesData } from '../../../src/core/db/tableCards';
import { cardDefinitions, collectCards } from '../../../src/core/db/cards';
import { defaultSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { createDemoDatabaseFor } from './demoDatabase';
import {
  admin,
  connect,
  createDatabase,
  monthLaterClock,
  runDbChecks,
  serversUnderTest,
} from './servers';

// The Unused indexes card and check here run on a clock a month on: they judge no index on the
// minutes a new server's counters cover (unusedIndexSpan.test.ts holds that case).

// One booking an hour, spread over the 20 services.
const BOOKING = `SELECT 1 + i % 20, now() + (i || ' hours')::interval, 'confirmed', 'n' || i`;

// The demo's bookings table (scripts/lib/demoWorkspace.ts): service_id is a foreign key with a
// plain index and a composite one leading with it; neither is ever scanned.
const SCHEMA = `
  CREATE TABLE services (id serial PRIMARY KEY, name text);
  CREATE TABLE bookings (id serial PRIMARY KEY, service_id int NOT NULL REFERENCES services(id),
    starts_at timestamptz NOT NULL, status text NOT NULL, note text);
  CREATE INDEX index_bookings_on_service_id ON bookings (service_id);
  CREATE INDEX index_bookings_on_status ON bookings (status);
  CREATE INDEX index_bookings_on_service_id_and_starts_at ON bookings (service_id, starts_at);
  CREATE INDEX index_bookings_on_note ON bookings (note);
  INSERT INTO services (name) SELECT 'S' || i FROM generate_series(1, 20) i;
  INSERT INTO bookings (service_id, starts_at, status, note)
    ${BOOKING} FROM generate_series(1, 2000) i;
  ANALYZE;
`;

for (const target of serversUnderTest) {
  describe(`database unused-index advice on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;

    // Each test gets a database of its own: the first drops indexes, and a test run alone
    // (--grep) must see the same schema as in the whole file.
    beforeEach(async () => {
      server ??= await target.start();
      url = await createDatabase(server, 'advice');
      await admin(url, SCHEMA);
      // Scan the status index once so it is not unused.
      await admin(
        url,
        "SET enable_seqscan = off; SELECT count(*) FROM bookings WHERE status = 'confirmed'",
      );
    });

    it(
      'never advises dropping every index of a foreign key, ' + 'and defers to Duplicate indexes',
      async () => {
        const { session } = await connect(url);
        try {
          const cards = await collectCards(session, {
            only: ['unusedIndexes', 'duplicateIndexes'],
            clock: monthLaterClock,
          });
          const unused = cards.find((c) => c.id === 'unusedIndexes');
          const duplicate = cards.find((c) => c.id === 'duplicateIndexes');
          assert.ok(unused && duplicate);
          const data = unused.data as UnusedIndexesData;
          const advice = Object.fromEntries(data.indexes.map((row) => [row.name, row]));

          assert.equal(advice.index_bookings_on_service_id.advice, 'covered');
          assert.equal(
            advice.index_bookings_on_service_id.note,
            'covered by "index_bookings_on_service_id_and_starts_at", see Duplicate indexes',
          );
          assert.equal(advice.index_bookings_on_service_id.dropSql, null);
          assert.equal(advice.index_bookings_on_service_id_and_starts_at.advice, 'keep');
          assert.match(
            advice.index_bookings_on_service_id_and_starts_at.note,
            /foreign key bookings\.service_id/,
          );
          assert.equal(advice.index_bookings_on_note.advice, 'drop');
          assert.equal(advice.index_bookings_on_status, undefined);
          assert.equal(data.droppable, 1);
          assert.match(unused.summary, /^1 index never scanned[^:]*: "index_bookings_on_note" \(/);
          assert.match(unused.reason ?? '', /"index_bookings_on_note" on bookings \(\d+ kB\)/);
          // The two in brackets are never scanned too, not part of the one to drop.
          assert.match(
            unused.summary,
            /\(also never scanned: 1 already on Duplicate indexes, 1 kept for a foreign key\); /,
          );
          assert.match(
            unused.fix ?? '',
            /^DROP INDEX CONCURRENTLY "index_bookings_on_note"; \(no scans since /,
          );
          assert.match(duplicate.summary, /^1 index covered by another index$/);

          // Drop everything both cards advise: bookings.service_id still has an index.
          const drops = [
            ...data.indexes.flatMap((row) => (row.dropSql ? [row.dropSql] : [])),
            ...(duplicate.data as { indexes: DuplicateIndex[] }).indexes.map((row) => row.dropSql),
          ];
          for (const sql of drops) await admin(url, sql);
          const left = await admin<{ count: number }>(
            url,
            `SELECT count(*)::int AS count FROM pg_index i JOIN pg_attribute a
              ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = 'bookings'::regclass AND a.attname = 'service_id'`,
          );
          assert.equal(left[0].count, 1);
        } finally {
          await session.close();
        }
      },
    );

    it('does not call an index covered by one in another collation', async () => {
      // The "C" index cannot serve the default collation's comparisons or order: dropping
      // note's plain index would leave WHERE note < 'x' ORDER BY note to a full scan.
      await admin(url, 'CREATE INDEX notes_in_c ON bookings (note COLLATE "C", starts_at)');
      const { session } = await connect(url);
      const [card] = await collectCards(session, { only: ['duplicateIndexes'] });
      await session.close();
      const names = (card.data as { indexes: DuplicateIndex[] }).indexes.map((row) => row.name);
      assert.ok(!names.includes('index_bookings_on_note'), names.join(', '));
      assert.ok(names.includes('index_bookings_on_service_id'), 'a real duplicate still shows');
    });

    it('the db.unusedIndexes check reports the count the card shows', async () => {
      // Droppable: the note index and this one; the covered and the foreign-key ones are not.
      await admin(url, 'CREATE INDEX index_bookings_on_starts_at ON bookings (starts_at)');
      const { session } = await connect(url);
      let card;
      try {
        [card] = await collectCards(session, { only: ['unusedIndexes'], clock: monthLaterClock });
      } finally {
        await session.close();
      }
      assert.equal((card.data as UnusedIndexesData).droppable, 2);

      const [result] = await runDbChecks(url, monthLaterClock, (id) => id === 'db.unusedIndexes');
      assert.equal(result.outcome, 'warn');
      assert.equal(result.values?.unused, 2);
      assert.match(
        result.summary,
        /^2 indexes never scanned[^:]*: "index_bookings_on_\w+" and 1 more/,
      );
      for (const name of ['index_bookings_on_note', 'index_bookings_on_starts_at']) {
        assert.ok(card.reason?.includes(`"${name}" on bookings`), card.reason);
      }
      assert.equal(result.summary, card.summary);
    });

    it(
      'on the demo database the card, the check and the alert agree, ' +
        'however often the dashboard and the checks ran before',
      async () => {
        const demo = await createDemoDatabaseFor(server!);

        // As the dashboard loads the database section: card by card on one session. The others
        // on the real clock, as their reads of the app's tables are what this test watches.
        const refresh = async () => {
          const { session } = await connect(demo);
          const cards: DbCard[] = [];
          try {
            for (const { id } of cardDefinitions) {
              const clock = id === 'unusedIndexes' ? monthLaterClock : systemClock;
              cards.push(...(await collectCards(session, { only: [id], clock })));
            }
          } finally {
            await session.close();
          }
          const view = databaseView(cards, 'demo');
          const alerts = computeAlerts({ thresholds: defaultSettings.thresholds, database: view });
          return {
            card: view.cards.find((c) => c.id === 'unusedIndexes'),
            alert: alerts.find((a) => a.id === 'db:unusedIndexes'),
            data: cards.find((c) => c.id === 'unusedIndexes')?.data as UnusedIndexesData,
          };
        };
        // As `upkeep check` runs them: every database check, business figures included, then
        // db.unusedIndexes a month on.
        const check = async () => {
          const unused = (id: string): boolean => id === 'db.unusedIndexes';
          await runDbChecks(demo, systemClock, (id) => !unused(id));
          const [result] = await runDbChecks(demo, monthLaterClock, unused);
          return result;
        };

        // index_users_on_created_at is never scanned by the app; Upkeep's own business figures
        // (sign-ups per day) read users by created_at and used to count as a scan of it.
        for (let round = 1; round <= 2; round++) {
          const shown = await refresh();
          const result = await check();
          const drops = shown.data.indexes.filter((row) => row.advice === 'drop');
          assert.deepEqual(
            drops.map((row) => row.name),
            ['index_users_on_created_at'],
            `round ${round}`,
          );
          assert.equal(shown.card?.state, 'warn', `round ${round}: ${shown.card?.summary}`);
          assert.match(shown.card.summary, /^1 index never scanned/);
          assert.equal(result.outcome, 'warn', `round ${round}: ${result.summary}`);
          assert.equal(result.summary, shown.card.summary);
          assert.equal(result.values?.unused, shown.data.droppable);
          assert.equal(shown.alert?.detail, shown.card.summary);
        }
      },
    );
  });
}
