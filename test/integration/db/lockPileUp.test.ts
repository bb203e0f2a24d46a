/**
 * A pile-up behind a lock, on both real servers: one session holds ACCESS EXCLUSIVE idle in
 * transaction (a migration left open) and a dozen queries queue behind it. The cards list the
 * first 10 and said "10 queries blocked" and "11 sessions" of 12 and 13: they count them all.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DbSession } from '../../../src/core/db/session';
import { admin, cardsOnceWarning, connect, createDatabase, serversUnderTest } from './servers';

const WAITERS = 12;

for (const target of serversUnderTest) {
  describe(`a dozen queries queued behind one lock on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let session: DbSession;
    const clients: Client[] = [];

    before(async () => {
      url = await createDatabase(await target.start(), 'pileup');
      await admin(url, 'CREATE TABLE bookings (id int)');
      ({ session } = await connect(url));
    });

    after(async () => {
      await session?.close();
      for (const client of clients) await client.end().catch(() => undefined);
    });

    it('counts every blocked query and long session, listing the first 10', async () => {
      const holder = new Client({ connectionString: url, application_name: 'migration' });
      holder.on('error', () => undefined);
      clients.push(holder);
      await holder.connect();
      await holder.query('BEGIN; LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE');
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0].pid;
      const waiting: Promise<unknown>[] = [];
      for (let i = 0; i < WAITERS; i++) {
        const waiter = new Client({ connectionString: url, application_name: 'web' });
        clients.push(waiter);
        await waiter.connect();
        waiting.push(waiter.query('SELECT count(*) FROM bookings'));
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const [long, blocked] = await cardsOnceWarning(session, {
        only: ['blocked', 'longRunning'],
        longRunningSeconds: 1,
      });
      assert.equal(
        blocked.summary,
        `${WAITERS} queries blocked by others' locks; the first 10 listed`,
      );
      assert.equal((blocked.data as { count: number }).count, WAITERS);
      assert.equal(
        long.summary,
        `${WAITERS + 1} sessions running or holding a transaction 1 s or more ` +
          '(1 idle in transaction)',
      );
      assert.match(blocked.fix ?? '', new RegExp(`pg_terminate_backend\\(${holderPid}\\)`));

      await admin(url, `SELECT pg_terminate_backend(${holderPid})`);
      await Promise.all(waiting);
    });
  });
}
