/**
 * Integer keys that overflow at 2^31-1 on both real servers: integer foreign keys of a Rails
 * app whose referenced ids are bigint (Rails 5.1+) and integer primary keys fed by a bigint
 * sequence, owned or only named in the column's DEFAULT. Every fix the cards show is run here,
 * as the migration a maintainer would write, and the cards then read ok.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import type { NarrowForeignKeysData, SequenceUse } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const RAILS_SCHEMA = `
  -- Rails 5.1+: bigint ids. Older tables and hand-written migrations: integer references.
  CREATE TABLE users (id bigserial PRIMARY KEY);
  CREATE TABLE legacy_payments (id serial PRIMARY KEY, user_id integer REFERENCES users);
  CREATE TABLE bookings (id bigserial PRIMARY KEY, user_id bigint REFERENCES users);
  CREATE SCHEMA "Billing";
  CREATE TABLE "Billing"."Invoice ""Lines""" (id bigserial PRIMARY KEY,
    "User ID" integer CONSTRAINT "Lines' user" REFERENCES users);
  -- As wide as their key: left alone.
  CREATE TABLE accounts (id serial PRIMARY KEY);
  CREATE TABLE notes (id serial PRIMARY KEY, account_id integer REFERENCES accounts);
  -- A composite key with one narrow column.
  CREATE TABLE slots (day bigint, room bigint, PRIMARY KEY (day, room));
  CREATE TABLE holds (day integer, room bigint, FOREIGN KEY (day, room) REFERENCES slots);
  -- A partitioned table: its partitions' copies of the key are not listed again.
  CREATE TABLE events (user_id integer REFERENCES users, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  SELECT setval('users_id_seq', 1800000000);
`;

for (const target of serversUnderTest) {
  describe(`integer keys that overflow at 2^31-1 on ${target.name}`, function () {
    this.timeout(120_000);

    it('names every integer foreign key of a bigint key, fullest first', async () => {
      const url = await createDatabase(await target.start(), 'narrow_keys');
      await admin(url, RAILS_SCHEMA);
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'narrowForeignKeys');
        assert.equal(card.state, 'warn', card.summary);
        const keys = (card.data as NarrowForeignKeysData).foreignKeys;
        assert.deepEqual(
          keys.map((key) => [key.schema, key.table, key.column, key.referencedValue]),
          [
            ['Billing', 'Invoice "Lines"', 'User ID', '1800000000'],
            ['public', 'events', 'user_id', '1800000000'],
            ['public', 'legacy_payments', 'user_id', '1800000000'],
            ['public', 'holds', 'day', null],
          ],
        );
        assert.equal(keys[0].share, 1800000000 / 2147483647);
        assert.deepEqual(keys[0].referenced, {
          schema: 'public',
          table: 'users',
          column: 'id',
          type: 'bigint',
        });
        assert.equal(keys[0].constraint, "Lines' user");
        assert.equal(
          card.summary,
          '4 foreign keys narrower than the key they reference; ' +
            '"Billing"."Invoice ""Lines"""."User ID" (integer) references users.id, ' +
            'now at 1,800,000,000 (83.8 % of 2,147,483,647)',
        );
        assert.deepEqual(card.fixes, [
          'ALTER TABLE "Billing"."Invoice ""Lines""" ALTER COLUMN "User ID" TYPE bigint;',
          'ALTER TABLE "events" ALTER COLUMN "user_id" TYPE bigint;',
          'ALTER TABLE "legacy_payments" ALTER COLUMN "user_id" TYPE bigint;',
          'ALTER TABLE "holds" ALTER COLUMN "day" TYPE bigint;',
        ]);

        // The risk is real: a referenced id past 2^31-1 cannot be stored in the integer column.
        await admin(url, 'INSERT INTO users (id) VALUES (2147483648)');
        await assert.rejects(
          admin(url, 'INSERT INTO legacy_payments (user_id) VALUES (2147483648)'),
          /integer out of range/,
        );

        for (const fix of card.fixes ?? []) await admin(url, fix);
        const after = await runCard(session, 'narrowForeignKeys');
        assert.equal(after.state, 'ok', after.summary);
        await admin(url, 'INSERT INTO legacy_payments (user_id) VALUES (2147483648)');
      } finally {
        await session.close();
      }
    });

    it('measures an integer key against 2^31-1 when its sequence is only its DEFAULT', async () => {
      const url = await createDatabase(await target.start(), 'default_seq');
      // A sequence made by hand (or by a dump of PostgreSQL 9.6, where every sequence is
      // bigint) for an integer key; the second has no OWNED BY, only the DEFAULT names it.
      await admin(
        url,
        `CREATE TABLE orders (id integer PRIMARY KEY);
         CREATE SEQUENCE orders_id_seq OWNED BY orders.id;
         ALTER TABLE orders ALTER COLUMN id SET DEFAULT nextval('orders_id_seq');
         SELECT setval('orders_id_seq', 1700000000);
         CREATE SCHEMA "Legacy";
         CREATE TABLE "Legacy"."Old ""Orders""" ("Order ID" integer PRIMARY KEY);
         CREATE SEQUENCE "Legacy"."order numbers";
         ALTER TABLE "Legacy"."Old ""Orders"""
           ALTER COLUMN "Order ID" SET DEFAULT nextval('"Legacy"."order numbers"');
         SELECT setval('"Legacy"."order numbers"', 1900000000);`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'sequences');
        const { sequences } = card.data as { sequences: SequenceUse[] };
        const sequence = (name: string) => sequences.find((row) => row.name === name);
        const byDefault = sequence('order numbers');
        assert.equal(byDefault?.column, 'Old "Orders".Order ID');
        assert.equal(byDefault?.columnType, 'integer');
        assert.equal(byDefault?.maxValue, '2147483647');
        assert.equal(byDefault?.owner, null);
        assert.deepEqual(byDefault?.fed, {
          schema: 'Legacy',
          table: 'Old "Orders"',
          column: 'Order ID',
        });
        // Owned, bigint sequence on an integer key: already measured against the column.
        assert.equal(sequence('orders_id_seq')?.maxValue, '2147483647');
        assert.equal(card.state, 'warn');
        assert.match(card.summary, /^2 sequences past 75 %/);
        assert.equal(
          card.fix,
          'Plan a migration: ALTER TABLE "Legacy"."Old ""Orders""" ' +
            'ALTER COLUMN "Order ID" TYPE bigint; (rewrites the table)',
        );
      } finally {
        await session.close();
      }
    });
  });
}
