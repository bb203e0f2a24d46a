/**
 * The statement the Blocked queries and Long-running cards offer for a session that holds a
 * lock idle in transaction, on both real servers: it must be one that frees the lock.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DbSession } from '../../../src/core/db/session';
import { admin, cardsOnceWarning, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`a lock held idle in transaction on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let session: DbSession;
    const clients: Client[] = [];

    before(async () => {
      url = await createDatabase(await target.start(), 'blockers');
      await admin(url, 'CREATE TABLE bookings (id int)');
      ({ session } = await connect(url));
    });

    after(async () => {
      await session?.close();
      for (const client of clients) await client.end().catch(() => undefined);
    });

    it('offers pg_terminate_backend, which frees the lock, not a cancel', async () => {
      const holder = new Client({ connectionString: url, application_name: 'console' });
      const waiter = new Client({ connectionString: url, application_name: 'web' });
      clients.push(holder, waiter);
      // The holder's end is expected: the fix ends it.
      holder.on('error', () => undefined);
      await holder.connect();
      await waiter.connect();
      await holder.query('BEGIN; LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE');
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0].pid;
      const waiting = waiter.query('SELECT count(*) FROM bookings');
      await new Promise((resolve) => setTimeout(resolve, 1100));

      const [long, blocked] = await cardsOnceWarning(session, {
        only: ['blocked', 'longRunning'],
        longRunningSeconds: 1,
      });
      assert.equal(blocked.state, 'warn', blocked.summary);
      assert.equal(long.state, 'warn', long.summary);
      const terminate = `SELECT pg_terminate_backend(${holderPid});`;
      assert.match(blocked.fix ?? '', new RegExp(escape(terminate)));
      assert.match(long.fix ?? '', new RegExp(escape(terminate)));
      assert.doesNotMatch(blocked.fix ?? '', /pg_cancel_backend/);

      // What the card offers frees the waiter.
      await admin(url, terminate);
      assert.deepEqual((await waiting).rows, [{ count: '0' }]);
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
