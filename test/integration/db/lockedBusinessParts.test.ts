/**
 * The business cards while another session holds in ACCESS EXCLUSIVE mode a table that reading
 * users reads without being users itself, on both real servers: a partition of a partitioned
 * users, an inheritance child of users, or the table behind a users view. Reading users waits
 * for that lock as for one on users; the cards see it first and say which table it is and whose.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { collectCards } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const COLUMNS = `id bigint, onboarding_step int, created_at timestamptz,
  onboarding_completed_at timestamptz, current_sign_in_at timestamptz`;
const ROWS = `SELECT i, 1 + i % 5, now() - i * interval '1 hour', NULL, now()
  FROM generate_series(1, 50) AS i`;

/** Each app's schema, and the table of it the other session locks. */
const APPS: { name: string; schema: string; locked: string; lock?: string }[] = [
  {
    name: 'a partition of a partitioned users',
    schema: `CREATE TABLE users (${COLUMNS}) PARTITION BY RANGE (id);
      CREATE TABLE users_low PARTITION OF users FOR VALUES FROM (0) TO (25);
      CREATE TABLE users_high PARTITION OF users FOR VALUES FROM (25) TO (1000);
      INSERT INTO users ${ROWS};`,
    locked: 'users_high',
  },
  {
    name: 'a partition of a partition (two levels)',
    schema: `CREATE TABLE users (${COLUMNS}) PARTITION BY RANGE (id);
      CREATE TABLE users_low PARTITION OF users FOR VALUES FROM (0) TO (25);
      CREATE TABLE users_rest PARTITION OF users FOR VALUES FROM (25) TO (1000)
        PARTITION BY RANGE (id);
      CREATE TABLE users_rest_a PARTITION OF users_rest FOR VALUES FROM (25) TO (1000);
      INSERT INTO users ${ROWS};`,
    locked: 'users_rest_a',
  },
  {
    name: 'the index of a partition, which planning opens (a REINDEX)',
    schema: `CREATE TABLE users (${COLUMNS}) PARTITION BY RANGE (id);
      CREATE TABLE users_low PARTITION OF users FOR VALUES FROM (0) TO (1000);
      CREATE INDEX users_low_step ON users_low (onboarding_step);
      INSERT INTO users ${ROWS};`,
    locked: 'users_low',
    lock: 'REINDEX INDEX users_low_step',
  },
  {
    name: 'an inheritance child of users',
    schema: `CREATE TABLE users (${COLUMNS});
      CREATE TABLE archived_users () INHERITS (users);
      INSERT INTO users ${ROWS}; INSERT INTO archived_users ${ROWS};`,
    locked: 'archived_users',
  },
  {
    name: 'the table behind a users view',
    schema: `CREATE TABLE accounts (${COLUMNS}, kind text DEFAULT 'user');
      CREATE VIEW users AS SELECT * FROM accounts WHERE kind = 'user';
      INSERT INTO accounts ${ROWS};`,
    locked: 'accounts',
  },
  {
    name: 'a partition of the table behind a view behind a users view',
    schema: `CREATE TABLE people (${COLUMNS}) PARTITION BY RANGE (id);
      CREATE TABLE people_all PARTITION OF people FOR VALUES FROM (0) TO (1000);
      CREATE VIEW members AS SELECT * FROM people;
      CREATE VIEW users AS SELECT * FROM members;
      INSERT INTO people ${ROWS};`,
    locked: 'people_all',
  },
];

for (const target of serversUnderTest) {
  describe(`business cards when a table users reads is locked on ${target.name}`, function () {
    this.timeout(120_000);
    let holder: Client | undefined;

    afterEach(async () => {
      await holder?.query('ROLLBACK').catch(() => undefined);
      await holder?.end();
      holder = undefined;
    });

    for (const app of APPS) {
      it(`skip at once, naming it: ${app.name}`, async () => {
        const url = await createDatabase(await target.start(), 'lockedparts');
        await admin(url, app.schema);
        // Short: a card that waited fails with the lock timeout instead of being skipped.
        const { session } = await connect(url, { lockTimeoutMs: 300 });
        try {
          const before = await collectCards(session, { only: ['onboarding'] });
          assert.equal(before[0].state, 'ok', before[0].summary);

          holder = new Client({ connectionString: url, application_name: 'migration' });
          await holder.connect();
          await holder.query('BEGIN');
          const lock = app.lock ?? `LOCK TABLE ${app.locked} IN ACCESS EXCLUSIVE MODE`;
          await holder.query(lock);

          const cards = await collectCards(session, { only: ['onboarding', 'businessGrowth'] });
          for (const card of cards) {
            assert.equal(card.state, 'skipped', `${card.id}: ${card.summary}`);
            assert.equal(
              card.summary,
              `users not read: it reads "${app.locked}", locked by another session: ${lock}`,
            );
            assert.match(card.reason ?? '', /would wait for that lock/);
          }
        } finally {
          await session.close();
        }
      });
    }
  });
}
