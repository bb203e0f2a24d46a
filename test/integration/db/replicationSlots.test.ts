/**
 * The Replication card on a primary with a replication slot nobody reads, on both real servers:
 * the slot keeps WAL on the primary's disk until it fills, so it must warn, not skip as "no
 * replication to watch".
 */
import * as assert from 'node:assert/strict';
import type { ReplicationData } from '../../../src/core/db/activityCards';
import { runCard } from '../../../src/core/db/cards';
import { formatBytes as size } from '../../../src/core/util/figures';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`an inactive replication slot on ${target.name}`, function () {
    this.timeout(120_000);
    const slot = `upkeep_gone_replica_${process.pid}`;
    const later = `upkeep_gone_later_${process.pid}`;
    let url: string;
    let session: DbSession;

    before(async () => {
      url = await createDatabase(await target.start(), 'slots');
      ({ session } = await connect(url));
    });

    after(async () => {
      await session?.close();
      // Slots belong to the whole server, which other tests share.
      await admin(
        url,
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots ' +
          'WHERE slot_name IN ($1, $2)',
        [slot, later],
      );
    });

    it('warns with the WAL it keeps and the statement that drops it', async () => {
      const before = await runCard(session, 'replication');
      assert.equal(before.state, 'skipped', before.summary);

      await admin(url, 'SELECT pg_create_physical_replication_slot($1, true)', [slot]);
      // Some WAL past the slot's position, so it holds back more than nothing.
      await admin(url, 'CREATE TABLE filler AS SELECT generate_series(1, 20000) AS n');
      const [{ kept }] = await admin<{ kept: string }>(
        url,
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS kept ' +
          'FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );

      let card = await runCard(session, 'replication');
      assert.equal(card.state, 'warn', card.summary);
      assert.match(card.summary, /^1 inactive replication slot keeping/);
      assert.match(card.reason ?? '', new RegExp(slot));
      assert.equal(card.fix, `SELECT pg_drop_replication_slot('${slot}');`);
      const data = card.data as ReplicationData;
      const row = data.slots.find((candidate) => candidate.name === slot);
      assert.ok(row, 'the slot is listed');
      assert.equal(row.active, false);
      assert.equal(row.type, 'physical');
      assert.ok(
        row.retainedBytes !== null && row.retainedBytes >= Number(kept),
        `${row.retainedBytes} >= ${kept}`,
      );

      // A second slot: both keep the same segments, so the oldest position's WAL is the total.
      await admin(url, 'SELECT pg_create_physical_replication_slot($1, true)', [later]);
      card = await runCard(session, 'replication');
      const slots = (card.data as ReplicationData).slots.filter((s) => !s.active);
      assert.equal(slots.length, 2);
      const most = Math.max(...slots.map((s) => s.retainedBytes ?? 0));
      assert.match(card.summary, new RegExp(`^2 inactive replication slots keeping ${size(most)}`));
      assert.deepEqual([...(card.fixes ?? [])].sort(), [
        `SELECT pg_drop_replication_slot('${later}');`,
        `SELECT pg_drop_replication_slot('${slot}');`,
      ]);
    });
  });
}
