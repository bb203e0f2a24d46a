/**
 * A forgotten prepared transaction (PREPARE TRANSACTION with nothing to commit it), on servers
 * of their own that allow them, both versions: it holds its locks with no session behind it, so
 * the Blocked queries and Long-running cards must name it and offer the statement that frees
 * its locks, not a cancel of "pid 0".
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { BlockedQuery, LongRunningData } from '../../../src/core/db/activityCards';
import { admin, cardsOnceWarning, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`a forgotten prepared transaction on ${target.name}`, function () {
    this.timeout(120_000);

    it('is named as the blocker and the open transaction, with ROLLBACK PREPARED', async () => {
      const server = await target.startWith({ max_prepared_transactions: '2' });
      const url = await createDatabase(server, 'prepared');
      await admin(url, 'CREATE TABLE bookings (id int PRIMARY KEY, seats int)');
      await admin(url, 'INSERT INTO bookings VALUES (1, 0)');
      // The coordinator prepares and goes away: the transaction outlives its session.
      const coordinator = new Client({ connectionString: url });
      await coordinator.connect();
      await coordinator.query('BEGIN');
      await coordinator.query('UPDATE bookings SET seats = 1 WHERE id = 1');
      await coordinator.query(`PREPARE TRANSACTION 'forgotten'`);
      await coordinator.end();

      const waiter = new Client({ connectionString: url, application_name: 'web' });
      await waiter.connect();
      const { session } = await connect(url);
      try {
        const waiting = waiter.query('UPDATE bookings SET seats = 2 WHERE id = 1');
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const [long, blocked] = await cardsOnceWarning(session, {
          only: ['blocked', 'longRunning'],
          longRunningSeconds: 1,
        });
        const rollback = `ROLLBACK PREPARED 'forgotten';`;

        assert.equal(blocked.state, 'warn', blocked.summary);
        assert.match(blocked.reason ?? '', /waits \d+ s for prepared transaction 'forgotten'/);
        assert.doesNotMatch(blocked.reason ?? '', /pid 0/);
        assert.equal(blocked.fix, `If nothing will commit it: ${rollback}`);
        const [row] = (blocked.data as { blocked: BlockedQuery[] }).blocked;
        assert.deepEqual(row.blockedBy, [0]);
        assert.deepEqual(
          row.preparedBlockers.map((p) => [p.gid, p.database]),
          [['forgotten', new URL(url).pathname.slice(1)]],
        );

        assert.equal(long.state, 'warn', long.summary);
        assert.match(long.summary, /1 prepared transaction open 1 s or more$/);
        // The prepared transaction is older than the waiter's: its statement is the fix.
        assert.equal(long.fix, `If nothing will commit it: ${rollback}`);
        assert.deepEqual(
          (long.data as LongRunningData).prepared.map((p) => p.gid),
          ['forgotten'],
        );

        // What the cards offer frees the waiter.
        await admin(url, rollback);
        assert.equal((await waiting).rowCount, 1);
      } finally {
        await session.close();
        await waiter.end();
        await admin(url, `ROLLBACK PREPARED 'forgotten'`).catch(() => undefined);
      }
    });
  });
}
