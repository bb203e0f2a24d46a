/**
 * The cards on a hot standby of Debian's PostgreSQL 15 (a base backup streaming from a primary
 * of the test's own), as `upkeep db --database replica` reads one: a standby's statistics views
 * count only its own reads, so the primary's dead rows, analyzes and index scans must not read
 * as "autovacuum keeps up", "Statistics are fresh" or "never scanned", and its own sequential
 * scans of a large table must still show.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { startDebianPostgres } from '../../../scripts/lib/debianPostgres';
import { collectCards } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import { dedicatedServer } from '../../support/postgres';
import { admin, connect, createDatabase } from './servers';

describe('the cards on a hot standby of Debian PostgreSQL 15', function () {
  this.timeout(180_000);
  let standby: RunningPostgres | undefined;
  let session: DbSession | undefined;
  let standbyUrl: string;

  before(async () => {
    const primary = await dedicatedServer('debian', {});
    const url = await createDatabase(primary, 'replica');
    await admin(
      url,
      `CREATE TABLE bookings (id bigserial PRIMARY KEY, seats int, note text);
       INSERT INTO bookings (seats) SELECT i % 7 FROM generate_series(1, 20000) i;
       CREATE INDEX index_bookings_on_note ON bookings (note)`,
    );
    await admin(url, 'ANALYZE bookings');
    // Dead rows on the primary, which nothing vacuums while the test runs.
    await admin(url, 'ALTER TABLE bookings SET (autovacuum_enabled = false)');
    await admin(url, 'DELETE FROM bookings WHERE id % 2 = 0');
    standby = await startDebianPostgres({ standbyOf: primary });
    standbyUrl = standby.url(new URL(url).pathname.slice(1));

    // Replayed up to the delete: the standby sees the rows that are left.
    for (let attempt = 0; ; attempt++) {
      const [row] = await admin<{ count: string }>(standbyUrl, 'SELECT count(*) FROM bookings');
      if (row.count === '10000') break;
      if (attempt > 100) throw new Error(`The standby has ${row.count} bookings`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The standby's own reads: full scans of a large table, more than the card's minimum.
    const reader = new Client({ connectionString: standbyUrl });
    await reader.connect();
    const scan = 'SELECT count(*) FROM bookings WHERE seats = 3';
    for (let i = 0; i < 100; i++) await reader.query(scan);
    await reader.end();
    ({ session } = await connect(standbyUrl));
  });

  after(async () => {
    await session?.close();
    await standby?.stop();
  });

  it("skips the cards that read the primary's upkeep, and shows its own scans", async () => {
    const only = ['replication', 'vacuum', 'statistics', 'unusedIndexes', 'seqScans'];
    let cards = await collectCards(session as DbSession, { only });
    // The standby reports its scans to its statistics a moment after they end.
    const seqScans = (): string | undefined => cards.find((card) => card.id === 'seqScans')?.state;
    for (let attempt = 0; attempt < 50 && seqScans() !== 'warn'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cards = await collectCards(session as DbSession, { only });
    }
    const byId = Object.fromEntries(cards.map((card) => [card.id, card]));

    assert.match(byId.replication.summary, /^Replica/);
    for (const id of ['vacuum', 'statistics', 'unusedIndexes']) {
      assert.equal(byId[id].state, 'skipped', `${id}: ${byId[id].summary}`);
      assert.match(byId[id].summary, /^On a replica, which does not see the primary's /);
      assert.match(byId[id].fix ?? '', /against the primary/);
    }
    assert.equal(byId.seqScans.state, 'warn', byId.seqScans.summary);
    assert.match(byId.seqScans.reason ?? '', /^"bookings": 100 % of \d+ scans were sequential\./);
  });
});
