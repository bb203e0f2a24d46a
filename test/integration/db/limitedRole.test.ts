/**
 * The cards as a monitoring role with no rights beyond CONNECT (no pg_read_all_stats, no
 * SELECT on the app's tables or sequences), on both real servers: what the role cannot see must
 * read as hidden, with the GRANT that shows it, never as "nothing there".
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { BlockedQuery } from '../../../src/core/db/activityCards';
import type { DbCard } from '../../../src/core/db/cards';
import { collectCards } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import type { SequenceUse } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE SCHEMA billing;
  CREATE TABLE users (id serial PRIMARY KEY, onboarding_step int, created_at timestamptz);
  CREATE TABLE billing."Invoices" (id smallserial PRIMARY KEY, amount int);
  INSERT INTO users (onboarding_step, created_at) SELECT i % 6, now() FROM generate_series(1, 50) i;
  SELECT setval('users_id_seq', 2000000000);
  SELECT setval(pg_get_serial_sequence('billing."Invoices"', 'id'), 30000);
`;

function card(cards: DbCard[], id: string): DbCard {
  const found = cards.find((candidate) => candidate.id === id);
  assert.ok(found, `card ${id} missing`);
  return found;
}

for (const target of serversUnderTest) {
  describe(`database cards as a role without rights on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    let role: string;
    let watcher: DbSession;
    let owner: DbSession;
    const clients: Client[] = [];

    before(async () => {
      const server = await target.start();
      url = await createDatabase(server, 'limited');
      await admin(url, SCHEMA);
      role = `watcher_${target.major}_${process.pid}`;
      await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'`);
      const limited = new URL(url);
      limited.username = role;
      limited.password = 'watch-pw';
      ({ session: watcher } = await connect(limited.toString()));
      ({ session: owner } = await connect(url));
    });

    after(async () => {
      await watcher?.close();
      await owner?.close();
      for (const client of clients) await client.end().catch(() => undefined);
      await admin(url, `DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => {});
    });

    it('says which sequences it may not read instead of "no sequence in use"', async () => {
      // The owner sees both sequences past 75 %; the role sees neither value.
      const seen = card(await collectCards(owner, { only: ['sequences'] }), 'sequences');
      assert.equal(seen.state, 'warn');
      assert.equal((seen.data as { sequences: SequenceUse[] }).sequences.length, 2);

      const hidden = card(await collectCards(watcher, { only: ['sequences'] }), 'sequences');
      assert.notEqual(hidden.state, 'ok', hidden.summary);
      assert.doesNotMatch(hidden.summary, /No sequence in use/);
      assert.match(hidden.summary, /2 sequences .*may not read/);
      assert.equal(
        hidden.fix,
        `GRANT SELECT ON ALL SEQUENCES IN SCHEMA "billing", "public" TO "${role}";`,
      );
    });

    it('says it may not read users instead of "no users table"', async () => {
      const cards = await collectCards(watcher, { only: ['onboarding', 'businessGrowth'] });
      for (const id of ['onboarding', 'businessGrowth']) {
        const hidden = card(cards, id);
        assert.equal(hidden.state, 'skipped', hidden.summary);
        assert.doesNotMatch(hidden.summary, /No users/);
        assert.match(hidden.summary, new RegExp(`Role ${role} may not read users`));
        assert.equal(hidden.fix, `GRANT SELECT ON "users" TO "${role}";`);
      }
    });

    it("finds a blocked query and does not call other roles' sessions idle", async () => {
      const holder = new Client({ connectionString: url, application_name: 'lock-holder' });
      const waiter = new Client({ connectionString: url, application_name: 'lock-waiter' });
      clients.push(holder, waiter);
      await holder.connect();
      await waiter.connect();
      await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const waiting = waiter.query('SELECT count(*) FROM users');
      const pidOf = async (client: Client): Promise<number> =>
        (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const holderPid = await pidOf(holder);

      let seen: DbCard | undefined;
      for (let attempt = 0; attempt < 50 && seen?.state !== 'warn'; attempt++) {
        seen = card(await collectCards(owner, { only: ['blocked'] }), 'blocked');
      }
      assert.equal(seen?.state, 'warn', 'the owner sees the blocked query');

      const cards = await collectCards(watcher, {
        only: ['blocked', 'longRunning', 'connections'],
      });
      const blocked = card(cards, 'blocked');
      assert.equal(blocked.state, 'warn', blocked.summary);
      const rows = (blocked.data as { blocked: BlockedQuery[] }).blocked;
      assert.deepEqual(rows[0].blockedBy, [holderPid]);
      assert.equal(rows[0].application, 'lock-waiter');
      assert.doesNotMatch(blocked.reason ?? '', /null|NaN|undefined/);

      const long = card(cards, 'longRunning');
      assert.notEqual(long.state, 'ok', long.summary);
      assert.match(long.summary, /sessions? of other roles/);
      assert.equal(long.fix, `GRANT pg_read_all_stats TO "${role}";`);

      const connections = card(cards, 'connections');
      assert.ok(
        (connections.data as { total: number }).total >= 3,
        `the holder, the waiter and the role's own session: ${connections.summary}`,
      );
      assert.equal(connections.fix, `GRANT pg_read_all_stats TO "${role}";`);

      await holder.query('ROLLBACK');
      await waiting;
    });
  });
}
