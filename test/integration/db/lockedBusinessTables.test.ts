/**
 * The business cards while another session holds an app table in ACCESS EXCLUSIVE mode (a
 * migration, a `LOCK TABLE` or a REINDEX in an open transaction), on both real servers: they
 * read users, businesses and services, so they would queue behind the lock until lock_timeout,
 * each card once, and then say only "waited for a lock". They see the lock first and say whose.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { BusinessGrowthData } from '../../../src/core/db/businessCards';
import { collectCards } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE TABLE users (id bigint PRIMARY KEY, onboarding_step int, created_at timestamptz,
                      onboarding_completed_at timestamptz, current_sign_in_at timestamptz);
  CREATE INDEX users_by_step ON users (onboarding_step);
  CREATE TABLE businesses (id bigint PRIMARY KEY, user_id bigint);
  CREATE TABLE services (id bigint PRIMARY KEY, business_id bigint);
  INSERT INTO users SELECT i, 1 + i % 5, now() - i * interval '1 hour', NULL, now()
    FROM generate_series(1, 200) AS i;
  INSERT INTO businesses SELECT i, i FROM generate_series(1, 20) AS i;
  INSERT INTO services SELECT i, 1 + i % 20 FROM generate_series(1, 40) AS i;
`;

/** Long enough that a card waiting for the lock shows in the time the cards take. */
const LOCK_TIMEOUT_MS = 4000;

for (const target of serversUnderTest) {
  describe(`business cards on app tables another session locks on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let session: DbSession;
    let holder: Client | undefined;

    before(async () => {
      url = await createDatabase(await target.start(), 'lockedbusiness');
      await admin(url, SCHEMA);
      ({ session } = await connect(url, { lockTimeoutMs: LOCK_TIMEOUT_MS }));
    });

    afterEach(async () => {
      await holder?.query('ROLLBACK').catch(() => undefined);
      await holder?.end();
      holder = undefined;
    });

    after(async () => {
      await session?.close();
    });

    /** Holds `sql`'s locks in an open transaction of a session named `migration`. */
    async function hold(sql: string): Promise<void> {
      holder = new Client({ connectionString: url, application_name: 'migration' });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(sql);
    }

    it('skip at once a locked users table, naming the holder, without waiting', async () => {
      await hold('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');

      const started = Date.now();
      const [onboarding, growth] = await collectCards(session, {
        only: ['onboarding', 'businessGrowth'],
      });
      const elapsed = Date.now() - started;

      assert.ok(elapsed < LOCK_TIMEOUT_MS / 2, `took ${elapsed} ms: waited for the lock`);
      for (const card of [onboarding, growth]) {
        assert.equal(card.state, 'skipped', `${card.id}: ${card.summary}`);
        assert.equal(
          card.summary,
          'users not read: locked by another session: LOCK TABLE users IN ACCESS EXCLUSIVE MODE',
        );
        assert.match(card.reason ?? '', /would wait for that lock/);
        assert.match(card.fix ?? '', /once that transaction ends/);
        assert.equal(card.data, null);
      }
    });

    it('skip a users table whose index a REINDEX holds, which planning opens', async () => {
      await hold('REINDEX INDEX users_by_step');

      const started = Date.now();
      const [onboarding] = await collectCards(session, { only: ['onboarding'] });

      assert.ok(Date.now() - started < LOCK_TIMEOUT_MS / 2, 'waited for the lock');
      assert.equal(onboarding.state, 'skipped', onboarding.summary);
      assert.match(onboarding.summary, /^users not read: locked by another session: REINDEX/);
    });

    it('count the tables not locked, and name the one left out', async () => {
      await hold('LOCK TABLE businesses IN ACCESS EXCLUSIVE MODE');

      const started = Date.now();
      const [onboarding, growth] = await collectCards(session, {
        only: ['onboarding', 'businessGrowth'],
      });

      assert.ok(Date.now() - started < LOCK_TIMEOUT_MS / 2, 'waited for the lock');
      assert.equal(onboarding.state, 'ok', onboarding.summary);
      assert.equal(growth.state, 'ok', growth.summary);
      const data = growth.data as BusinessGrowthData;
      assert.deepEqual(data.counts, { users: 200, services: 40 });
      assert.match(
        growth.summary,
        /^200 users, 40 services; .*; businesses not read \(locked by another session: LOCK /,
      );
    });

    it('say how long a lock taken after the look was waited for, and the setting', async () => {
      await hold('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');

      // A read the cards did not look ahead for: it waits, then says for how long.
      const waited = session.query('lockWait', 'SELECT count(*) FROM users');

      await assert.rejects(waited, (error: Error & { hint?: string }) => {
        assert.match(
          error.message,
          /^lockWait waited 4 s for a lock and was stopped \(lock timeout\): canceling/,
        );
        assert.match(error.hint ?? '', /upkeep\.database\.lockTimeoutMs/);
        return true;
      });
    });
  });
}
