/**
 * Dead rows that no VACUUM can remove, on both real servers: a session idle in a REPEATABLE READ
 * transaction holds a snapshot older than the rows' deletion. The Dead rows and vacuum card
 * offered only VACUUM, which leaves them all; it must name the session and how to end it.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DbCard } from '../../../src/core/db/cards';
import { runCard } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import type { VacuumData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

/** The vacuum card once the statistics show `jobs` with dead rows matching `done`. */
async function vacuumCard(session: DbSession, done: (dead: number) => boolean): Promise<DbCard> {
  let card = await runCard(session, 'vacuum', { longRunningSeconds: 1 });
  // The deleting session's statistics reach the views when it flushes them: on a loaded CI
  // machine that took over 5 s once, so this waits up to 20 s.
  for (let attempt = 0; attempt < 200; attempt++) {
    const jobs = (card.data as VacuumData | null)?.tables.find((t) => t.name === 'jobs');
    if (jobs && done(jobs.deadRows)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    card = await runCard(session, 'vacuum', { longRunningSeconds: 1 });
  }
  return card;
}

for (const target of serversUnderTest) {
  describe(`dead rows kept by an old snapshot on ${target.name}`, function () {
    this.timeout(120_000);

    it('names the session holding them, after the VACUUM that does not help', async () => {
      const url = await createDatabase(await target.start(), 'snapshot');
      await admin(
        url,
        'CREATE TABLE jobs (id int); INSERT INTO jobs SELECT generate_series(1, 4000)',
      );
      const console = new Client({ connectionString: url, application_name: 'console' });
      await console.connect();
      const { session } = await connect(url);
      try {
        await console.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await console.query('SELECT count(*) FROM jobs');
        const pid = (await console.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
          .pid;
        await admin(url, 'DELETE FROM jobs WHERE id <= 2000');
        await new Promise((resolve) => setTimeout(resolve, 1100));
        // The truth: VACUUM removes none of them while the snapshot is held.
        await admin(url, 'VACUUM jobs');
        const held = await vacuumCard(session, (dead) => dead >= 2000);
        const jobs = (held.data as VacuumData).tables.find((t) => t.name === 'jobs');
        assert.equal(jobs?.deadRows, 2000);
        assert.ok(jobs?.lastVacuum, 'vacuumed');

        assert.equal(held.state, 'warn', held.summary);
        assert.match(
          held.reason ?? '',
          new RegExp(`by pid ${pid} \\(console, idle in transaction, open \\d+ s\\)\\) until it`),
        );
        assert.deepEqual(held.fixes, [
          'VACUUM (ANALYZE) "jobs";',
          `SELECT pg_terminate_backend(${pid}); (idle in transaction: a cancel would not free it)`,
        ]);
        assert.equal((held.data as VacuumData).oldestSnapshot?.kind, 'session');

        // Once the snapshot is gone the same VACUUM removes them.
        await console.query('COMMIT');
        await admin(url, 'VACUUM jobs');
        const freed = await vacuumCard(session, (dead) => dead === 0);
        assert.equal(freed.state, 'ok', freed.summary);
      } finally {
        await session.close();
        await console.end();
      }
    });

    it('names the root of a wait to a role that may not see its age', async () => {
      const url = await createDatabase(await target.start(), 'snapshot');
      await admin(
        url,
        `CREATE TABLE jobs (id int); INSERT INTO jobs SELECT generate_series(1, 4000);
         CREATE ROLE watcher LOGIN PASSWORD 'watcher-secret'`,
      );
      // The waiter connects first: its pid is the lower one.
      const waiter = new Client({ connectionString: url, application_name: 'worker' });
      const holder = new Client({ connectionString: url, application_name: 'console' });
      await waiter.connect();
      await holder.connect();
      const watcherUrl = new URL(url);
      watcherUrl.username = 'watcher';
      watcherUrl.password = 'watcher-secret';
      const { session } = await connect(watcherUrl.toString());
      try {
        await holder.query('BEGIN');
        await holder.query('UPDATE jobs SET id = id WHERE id = 4000');
        const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
          .pid;
        // Deleted after the holder's transaction began, so no VACUUM may remove them: deleted
        // before it, autovacuum did once on CI, between the DELETE and the card.
        await admin(url, 'DELETE FROM jobs WHERE id <= 2000');
        // Its snapshot saw the holder's transaction running: the same oldest transaction ID.
        const waiting = waiter.query('UPDATE jobs SET id = id WHERE id = 4000');
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await admin(url, 'VACUUM jobs');

        const card = await vacuumCard(session, (dead) => dead >= 2000);
        assert.equal(card.state, 'warn', card.summary);
        assert.match(
          card.reason ?? '',
          new RegExp(`by pid ${pid} \\(console, its state and age hidden from role watcher\\)\\)`),
        );
        await holder.query('COMMIT');
        await waiting;
      } finally {
        await session.close();
        await holder.end();
        await waiter.end();
      }
    });

    it('does not name a running VACUUM, whose snapshot PostgreSQL leaves out', async () => {
      const url = await createDatabase(await target.start(), 'snapshot');
      await admin(
        url,
        `CREATE TABLE archive AS SELECT i AS id, repeat('x', 100) AS body
           FROM generate_series(1, 100000) i;
         DELETE FROM archive WHERE id % 3 = 0;
         CREATE TABLE jobs (id int) WITH (autovacuum_vacuum_threshold = 1000000);
         INSERT INTO jobs SELECT generate_series(1, 4000)`,
      );
      // Autovacuum would remove the dead rows of jobs before the card saw them, were it not held
      // off by that threshold (autovacuum_enabled = false would add its own advice to the card).
      // A VACUUM slowed down to a page every 100 ms, running all through the test.
      const vacuuming = new Client({ connectionString: url, application_name: 'nightly' });
      vacuuming.on('error', () => undefined);
      await vacuuming.connect();
      await vacuuming.query('SET vacuum_cost_delay = 100; SET vacuum_cost_limit = 1');
      const vacuum = vacuuming.query('VACUUM archive').catch(() => undefined);
      const { session } = await connect(url);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await admin(url, 'DELETE FROM jobs WHERE id <= 2000');
        const card = await vacuumCard(session, (dead) => dead >= 2000);
        assert.equal(card.state, 'warn', card.summary);
        assert.doesNotMatch(card.reason ?? '', /nightly|oldest snapshot/);
        assert.deepEqual(card.fixes, undefined);

        // The truth: a VACUUM removes the rows while the other one runs.
        await admin(url, 'VACUUM jobs');
        const freed = await vacuumCard(session, (dead) => dead === 0);
        const jobs = (freed.data as VacuumData).tables.find((t) => t.name === 'jobs');
        assert.equal(jobs?.deadRows, 0);
      } finally {
        await session.close();
        await admin(
          url,
          `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                           WHERE application_name = 'nightly'`,
        );
        await vacuum;
        await vacuuming.end();
      }
    });
  });
}
