/**
 * The cards and checks that read index sizes while another session holds an index in ACCESS
 * EXCLUSIVE mode (a REINDEX in an open transaction), on both real servers: reading its size, or
 * its table's, would wait for the lock until lock_timeout and fail the whole card, so they leave
 * it (and its table) out, list the others, and name it with the lock holder's query.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { Client } from 'pg';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import { collectCards } from '../../../src/core/db/cards';
import { candidatesFor, maintenanceCandidates } from '../../../src/core/db/maintenance';
import type { DbSession } from '../../../src/core/db/session';
import type {
  DuplicateIndex,
  IndexesData,
  TablesData,
  UnusedIndexesData,
} from '../../../src/core/db/tableCards';
import { resolveSettings } from '../../../src/core/settings';
import { silentLogger } from '../../../src/core/util/logger';
import { admin, connect, createDatabase, monthLaterClock, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE TABLE bookings (id int, starts_at timestamptz, note text);
  CREATE INDEX bookings_by_id ON bookings (id);
  CREATE INDEX bookings_by_start ON bookings (starts_at);
  CREATE INDEX bookings_by_note ON bookings (note);
  CREATE INDEX bookings_by_start_and_id ON bookings (starts_at, id);
  CREATE TABLE users (id int, email text);
  CREATE INDEX users_by_email ON users (email);
  CREATE INDEX users_by_email_and_id ON users (email, id);
  INSERT INTO bookings SELECT i, now(), 'note ' || i FROM generate_series(1, 2000) AS i;
  INSERT INTO users SELECT i, 'u' || i || '@example.com' FROM generate_series(1, 10) AS i;
`;

/**
 * Long enough that a card waiting for the lock is told from one that does not, and under the
 * statement timeout (5 s), so a card that waits fails on the lock.
 */
const LOCK_TIMEOUT_MS = 4000;

const HELD = new RegExp(
  '"bookings_by_start" on "bookings" \\(locked by another session: ' +
    'REINDEX INDEX bookings_by_start\\)',
);

for (const target of serversUnderTest) {
  describe(`an index locked by another session on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let session: DbSession;
    let holder: Client;

    before(async () => {
      url = await createDatabase(await target.start(), 'lockedindex');
      await admin(url, SCHEMA);
      ({ session } = await connect(url, { lockTimeoutMs: LOCK_TIMEOUT_MS }));
      holder = new Client({ connectionString: url, application_name: 'reindex' });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('REINDEX INDEX bookings_by_start');
    });

    after(async () => {
      await holder?.query('ROLLBACK').catch(() => undefined);
      await holder?.end();
      await session?.close();
    });

    it('lists the other indexes well before lock_timeout and names the locked one', async () => {
      const started = Date.now();
      const cards = await collectCards(session, {
        only: ['tables', 'indexes', 'unusedIndexes', 'duplicateIndexes'],
        clock: monthLaterClock,
      });
      const elapsed = Date.now() - started;
      assert.deepEqual(
        cards.filter((card) => card.state === 'error').map((card) => card.summary),
        [],
      );
      assert.ok(elapsed < LOCK_TIMEOUT_MS / 2, `${elapsed} ms`);
      const [tables, largest, unused, duplicates] = cards;
      const others = [
        'bookings_by_id',
        'bookings_by_note',
        'bookings_by_start_and_id',
        'users_by_email',
        'users_by_email_and_id',
      ];

      // Its table's size counts its indexes': the table is left out too, and says why.
      const tablesData = tables.data as TablesData;
      assert.deepEqual(
        tablesData.tables.map((table) => table.name),
        ['users'],
      );
      assert.deepEqual(tablesData.locked, [
        { schema: 'public', name: 'bookings', holder: 'REINDEX INDEX bookings_by_start' },
      ]);
      assert.match(tables.summary, /"bookings" \(locked by another session: REINDEX INDEX/);

      const largestData = largest.data as IndexesData;
      assert.deepEqual(largestData.indexes.map((index) => index.name).sort(), others);
      assert.match(largest.summary, /1 index left out \(size not read\)/);
      assert.match(largest.summary, HELD);

      const unusedData = unused.data as UnusedIndexesData;
      assert.deepEqual(unusedData.indexes.map((index) => index.name).sort(), others);
      assert.deepEqual(
        unusedData.locked?.map((index) => [index.table, index.name]),
        [['bookings', 'bookings_by_start']],
      );
      assert.match(unused.summary, HELD);
      assert.doesNotMatch(unused.fixes?.join('\n') ?? '', /"bookings_by_start";/);

      // Covered by bookings_by_start_and_id, but not judged while locked.
      const duplicatesData = duplicates.data as { indexes: DuplicateIndex[] };
      assert.deepEqual(
        duplicatesData.indexes.map((index) => index.name),
        ['users_by_email'],
      );
      assert.match(duplicates.summary, /1 index left out \(not judged\)/);
      assert.match(duplicates.summary, HELD);

      // Least scanned goes by scans, so the locked one stays listed, its size unread.
      const least = unusedData.leastScanned.find((index) => index.name === 'bookings_by_start');
      assert.deepEqual(
        [least?.bytes, least?.lockedBy],
        [null, 'locked by another session: REINDEX INDEX bookings_by_start'],
      );
      const view = databaseView(cards, 'test');
      const leastCard = view.cards.find((card) => card.id === 'leastScannedIndexes');
      assert.match(leastCard?.summary ?? '', /size not read: "bookings_by_start" \(locked by/);
    });

    it('lets db.unusedIndexes and db.size finish and say so', async () => {
      const settings = resolveSettings({ database: { url, lockTimeoutMs: LOCK_TIMEOUT_MS } });
      const started = Date.now();
      const results = await runChecks(
        createDbChecks({ snapshotFile: undefined }).filter((check) =>
          ['db.unusedIndexes', 'db.size'].includes(check.id),
        ),
        {
          workspace: os.tmpdir(),
          settings,
          clock: monthLaterClock,
          log: silentLogger,
          trusted: true,
          env: {},
        },
        { onFinished: closeSharedDbSession },
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed < LOCK_TIMEOUT_MS / 2, `${elapsed} ms`);
      const byId = new Map(results.map((result) => [result.checkId, result]));
      const unused = byId.get('db.unusedIndexes');
      const size = byId.get('db.size');
      assert.ok(unused && size);
      assert.equal(unused.outcome, 'warn', unused.summary);
      // The report's summary is cut short; its details hold the card's whole.
      assert.match(unused.summary, /1 index left out/);
      assert.match(unused.details ?? '', HELD);
      assert.match(
        unused.details ?? '',
        /"bookings_by_start" on "bookings": 0 scans, size not read \(locked by another session/,
      );
      assert.equal(size.outcome, 'pass', size.summary);
      assert.match(size.summary, /"bookings" \(locked by another session: REINDEX INDEX/);
    });

    it('offers the locked index for maintenance last, without waiting for its size', async () => {
      const started = Date.now();
      const offered = candidatesFor('reindex', await maintenanceCandidates(session));
      assert.ok(Date.now() - started < LOCK_TIMEOUT_MS / 2, `${Date.now() - started} ms`);
      const indexes = offered.filter((c) => c.target.type === 'index');
      assert.equal(indexes.length, 6);
      assert.deepEqual(indexes.at(-1), {
        target: { type: 'index', schema: 'public', name: 'bookings_by_start' },
        note: 'index, locked by another session: REINDEX INDEX bookings_by_start',
      });
    });

    it('leaves out an index a forgotten prepared transaction holds locked', async () => {
      const server = await target.startWith({ max_prepared_transactions: '2' });
      const prepared = await createDatabase(server, 'preparedlock');
      await admin(prepared, SCHEMA);
      const coordinator = new Client({ connectionString: prepared });
      await coordinator.connect();
      await coordinator.query('BEGIN');
      await coordinator.query('REINDEX INDEX users_by_email');
      await coordinator.query(`PREPARE TRANSACTION 'reindexing'`);
      await coordinator.end();
      const { session: other } = await connect(prepared, { lockTimeoutMs: LOCK_TIMEOUT_MS });
      try {
        const [largest] = await collectCards(other, { only: ['indexes'] });
        assert.equal(largest.state, 'ok', largest.summary);
        // No session behind it, so no query to show.
        assert.match(largest.summary, /1 index left out \(size not read\): "users_by_email"/);
        assert.match(largest.summary, / on "users" \(locked by another session\)$/);
      } finally {
        await other.close();
        await admin(prepared, `ROLLBACK PREPARED 'reindexing'`);
      }
    });
  });
}
