/**
 * Keys ahead of their sequence, on both real servers: rows loaded with their ids, a sequence
 * restarted after a restore, explicit ids near 2^31-1 while the sequence is low. The card reads
 * each key's highest value from the end of its unique index; every state here is made the way
 * it happens to an app, each outage is shown (the insert that fails) and the card's fix is run.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { runCard } from '../../../src/core/db/cards';
import type { HighestKeysData, KeyValue } from '../../../src/core/db/tableCards';
import { KEY_COLUMNS_READ } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

function keyOf(data: HighestKeysData, table: string): KeyValue | undefined {
  return data.keys.find((key) => key.table === table);
}

/** idx_scan and seq_scan of `table` as the statistics show them once they are flushed. */
async function scansOf(url: string, table: string): Promise<{ seq: number; index: number }> {
  const [row] = await admin<{ seq: string; index: string }>(
    url,
    'SELECT seq_scan AS seq, coalesce(idx_scan, 0) AS index FROM pg_stat_user_tables ' +
      'WHERE relname = $1',
    [table],
  );
  return { seq: Number(row.seq), index: Number(row.index) };
}

/** A login role of `url`'s server given `grants`, and the URL it connects with. */
async function limitedRole(url: string, role: string, grants: string): Promise<string> {
  await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'; ${grants}`);
  const limited = new URL(url);
  limited.username = role;
  limited.password = 'watch-pw';
  return limited.toString();
}

for (const target of serversUnderTest) {
  describe(`keys ahead of their sequence on ${target.name}`, function () {
    this.timeout(120_000);

    it('finds rows loaded with their ids, and the setval it gives ends the failures', async () => {
      const url = await createDatabase(await target.start(), 'keys_loaded');
      // A data-only copy: the ids came with the rows, nextval() was never called.
      await admin(
        url,
        `CREATE TABLE bookings (id bigserial PRIMARY KEY, note text);
         INSERT INTO bookings (id) SELECT generate_series(1, 1000);
         CREATE TABLE users (id serial PRIMARY KEY);
         INSERT INTO users DEFAULT VALUES;`,
      );
      await assert.rejects(
        admin(url, 'INSERT INTO bookings DEFAULT VALUES'),
        /duplicate key value violates unique constraint "bookings_pkey"/,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        const data = card.data as HighestKeysData;
        assert.deepEqual(keyOf(data, 'bookings'), {
          schema: 'public',
          table: 'bookings',
          column: 'id',
          columnType: 'bigint',
          sequenceSchema: 'public',
          sequence: 'bookings_id_seq',
          highest: '1000',
          // The failed insert above took 1: the sequence gives 2 next.
          next: '2',
          typeEnd: '9223372036854775807',
          share: 1000 / 9223372036854775807,
          behind: true,
          nextTaken: true,
          fixSql: `SELECT setval('"bookings_id_seq"', (SELECT max("id") FROM "bookings"));`,
        });
        assert.equal(keyOf(data, 'users')?.behind, false);
        assert.equal(keyOf(data, 'users')?.next, '2');
        assert.equal(data.columns, 2);
        assert.equal(data.read, 2);
        assert.equal(
          card.summary,
          '1 key ahead of its sequence: "bookings"."id" holds 1,000, "bookings_id_seq" gives ' +
            '2 next (taken: the next insert fails)',
        );
        assert.match(card.reason ?? '', /from the very next one\. Rows loaded with their ids/);
        assert.match(card.reason ?? '', /reset_pk_sequence!\("bookings"\)/);

        // A sequence whose next value is the highest id collides as well.
        await admin(url, "SELECT setval('bookings_id_seq', 999)");
        const edge = await runCard(session, 'highestKeys');
        assert.equal(keyOf(edge.data as HighestKeysData, 'bookings')?.next, '1000');
        assert.equal(keyOf(edge.data as HighestKeysData, 'bookings')?.nextTaken, true);

        await admin(url, card.fix ?? '');
        const after = await runCard(session, 'highestKeys');
        assert.equal(after.state, 'ok', after.summary);
        assert.equal(
          after.summary,
          'highest key "users"."id" at 0.0 % of its type\'s maximum (1); 2 of 2 key columns read',
        );
        await admin(url, 'INSERT INTO bookings DEFAULT VALUES');
      } finally {
        await session.close();
      }
    });

    it('finds a sequence restarted below the ids, and how far the next collision is', async () => {
      const url = await createDatabase(await target.start(), 'keys_restart');
      // Ids 1 to 10 and 500 taken; the sequence restarted at 11 (RESTART sets is_called off,
      // which pg_sequences shows as no value at all).
      await admin(
        url,
        `CREATE SCHEMA "Legacy";
         CREATE TABLE "Legacy"."Old ""Orders""" ("Order ID" integer PRIMARY KEY);
         CREATE SEQUENCE "Legacy"."order numbers";
         ALTER TABLE "Legacy"."Old ""Orders"""
           ALTER COLUMN "Order ID" SET DEFAULT nextval('"Legacy"."order numbers"');
         INSERT INTO "Legacy"."Old ""Orders""" SELECT generate_series(1, 10);
         INSERT INTO "Legacy"."Old ""Orders""" VALUES (500);
         ALTER SEQUENCE "Legacy"."order numbers" RESTART WITH 11;`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        const key = keyOf(card.data as HighestKeysData, 'Old "Orders"');
        assert.equal(key?.highest, '500');
        assert.equal(key?.next, '11');
        assert.equal(key?.nextTaken, false);
        assert.equal(
          card.summary,
          '1 key ahead of its sequence: "Legacy"."Old ""Orders"""."Order ID" holds 500, ' +
            '"order numbers" gives 11 next',
        );
        assert.match(card.reason ?? '', /once it reaches a taken id, within 490 inserts at most/);
        assert.equal(
          card.fix,
          `SELECT setval('"Legacy"."order numbers"', ` +
            `(SELECT max("Order ID") FROM "Legacy"."Old ""Orders"""));`,
        );
        // The next insert works; the 490th fails.
        await admin(
          url,
          'INSERT INTO "Legacy"."Old ""Orders""" SELECT FROM generate_series(1, 489)',
        );
        await assert.rejects(
          admin(url, 'INSERT INTO "Legacy"."Old ""Orders""" DEFAULT VALUES'),
          /duplicate key value/,
        );
        await admin(url, card.fix ?? '');
        assert.equal((await runCard(session, 'highestKeys')).state, 'ok');
      } finally {
        await session.close();
      }
    });

    it('finds explicit ids near 2^31-1 while the sequence is low, and widens the key', async () => {
      const url = await createDatabase(await target.start(), 'keys_near');
      await admin(
        url,
        `CREATE TABLE payments (id serial PRIMARY KEY);
         INSERT INTO payments DEFAULT VALUES;
         INSERT INTO payments (id) VALUES (2000000000);
         CREATE TABLE ledger (id smallint GENERATED BY DEFAULT AS IDENTITY
                                (INCREMENT -1 START -1) PRIMARY KEY);
         INSERT INTO ledger DEFAULT VALUES;
         INSERT INTO ledger (id) VALUES (-30000);`,
      );
      const { session } = await connect(url);
      try {
        const sequences = await runCard(session, 'sequences');
        assert.equal(sequences.state, 'ok', 'the Sequences card sees only the low sequences');
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        const data = card.data as HighestKeysData;
        // Counting down, the key's end is its lowest value, against smallint's -32768.
        const ledger = keyOf(data, 'ledger');
        assert.equal(ledger?.highest, '-30000');
        assert.equal(ledger?.next, '-2');
        assert.equal(ledger?.typeEnd, '-32768');
        assert.equal(ledger?.share, 30000 / 32768);
        // Fullest first: 2,000,000,000 is 93.1 % of integer's end, -30,000 91.6 % of smallint's.
        assert.equal(
          card.summary,
          '2 keys ahead of their sequence: "payments"."id" holds 2,000,000,000, ' +
            '"payments_id_seq" gives 2 next; 2 integer keys past 75 % of their type: ' +
            '"payments"."id" holds 2,000,000,000 of 2,147,483,647',
        );
        assert.match(
          card.reason ?? '',
          /"payments"\."id" \(integer\) to 93\.1 % of its maximum, its sequence being at 2:/,
        );
        assert.deepEqual(card.fixes, [
          'Plan a migration: ALTER TABLE "payments" ALTER COLUMN "id" TYPE bigint; ' +
            'ALTER SEQUENCE "payments_id_seq" AS bigint NO MAXVALUE; (rewrites the table)',
          'Plan a migration: ALTER TABLE "ledger" ALTER COLUMN "id" TYPE bigint; ' +
            'ALTER SEQUENCE "ledger_id_seq" AS bigint NO MINVALUE; (rewrites the table)',
        ]);
        // The risk is real: the next explicit ids past the type's end cannot be stored.
        await assert.rejects(
          admin(url, 'INSERT INTO payments (id) VALUES (2147483648)'),
          /integer out of range/,
        );
        for (const fix of card.fixes ?? []) {
          await admin(url, fix.replace(/^Plan a migration: | \(rewrites the table\)$/g, ''));
        }
        await admin(url, 'INSERT INTO payments (id) VALUES (2147483648)');
        const after = await runCard(session, 'highestKeys');
        assert.doesNotMatch(after.summary, /past 75 %/);
      } finally {
        await session.close();
      }
    });

    it('gives a bigint key near its end no widening: no integer type is wider', async () => {
      const url = await createDatabase(await target.start(), 'keys_bigint');
      await admin(
        url,
        `CREATE TABLE events (id bigserial PRIMARY KEY);
         INSERT INTO events DEFAULT VALUES;
         INSERT INTO events (id) VALUES (9000000000000000000);`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        assert.match(card.summary, /"events"\."id" holds 9,000,000,000,000,000,000 of /);
        // The sequence is bigint already: ALTER SEQUENCE … AS bigint changed nothing.
        assert.ok(!(card.fixes ?? [card.fix]).some((fix) => /AS bigint/.test(fix ?? '')), card.fix);
        assert.doesNotMatch(card.reason ?? '', /Widening the column/);
        assert.match(card.reason ?? '', /bigint is the widest integer type/);
      } finally {
        await session.close();
      }
    });

    it('reads keys from their index end, never scanning the table', async () => {
      const url = await createDatabase(await target.start(), 'keys_scans');
      await admin(
        url,
        `CREATE TABLE events (id bigserial PRIMARY KEY, payload text);
         INSERT INTO events (payload) SELECT 'x' FROM generate_series(1, 100000);
         ANALYZE events;`,
      );
      const before = await scansOf(url, 'events');
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'ok', card.summary);
        assert.equal(keyOf(card.data as HighestKeysData, 'events')?.highest, '100000');
      } finally {
        await session.close();
      }
      // The closed session's statistics show once flushed: one index scan, no sequential one.
      let after = before;
      for (let tries = 0; tries < 50 && after.index === before.index; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await scansOf(url, 'events');
      }
      assert.ok(after.index > before.index, 'the index was read');
      assert.equal(after.seq, before.seq);
    });

    it('leaves out a locked table and what the role may not read, and says so', async () => {
      const url = await createDatabase(await target.start(), 'keys_locked');
      await admin(
        url,
        `CREATE TABLE accounts (id serial PRIMARY KEY);
         INSERT INTO accounts (id) VALUES (5);
         CREATE TABLE orders (id serial PRIMARY KEY);
         CREATE TABLE secrets (id serial PRIMARY KEY);`,
      );
      const role = `keys_watcher_${target.major}_${process.pid}`;
      const limited = await limitedRole(
        url,
        role,
        `GRANT SELECT ON accounts, orders TO ${role};
         GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};`,
      );
      const migration = new Client({ connectionString: url });
      await migration.connect();
      await migration.query('BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const { session } = await connect(limited, { lockTimeoutMs: 30_000 });
      try {
        const started = Date.now();
        const card = await runCard(session, 'highestKeys');
        assert.ok(Date.now() - started < 10_000, 'did not wait for the lock');
        assert.equal(card.state, 'warn', card.summary);
        const data = card.data as HighestKeysData;
        assert.deepEqual([data.columns, data.read, data.locked, data.unreadable], [3, 1, 1, 1]);
        assert.equal(
          card.summary,
          '1 key ahead of its sequence: "accounts"."id" holds 5, "accounts_id_seq" gives 1 ' +
            'next; 1 of 3 key columns read; 1 locked by another session; 1 this role may not ' +
            'read',
        );
      } finally {
        await session.close();
        await migration.query('ROLLBACK');
        await migration.end();
        await admin(url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('leaves out a table a forgotten prepared transaction holds locked', async () => {
      const url = await createDatabase(
        await target.startWith({ max_prepared_transactions: '2' }),
        'keys_prepared',
      );
      await admin(
        url,
        `CREATE TABLE accounts (id serial PRIMARY KEY);
         CREATE TABLE orders (id serial PRIMARY KEY);`,
      );
      // A two-phase commit prepared and never finished: its lock has no session (no pid).
      const coordinator = new Client({ connectionString: url });
      await coordinator.connect();
      await coordinator.query('BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      await coordinator.query(`PREPARE TRANSACTION 'migrating'`);
      await coordinator.end();
      const { session } = await connect(url, { lockTimeoutMs: 30_000 });
      try {
        const started = Date.now();
        const card = await runCard(session, 'highestKeys');
        assert.ok(Date.now() - started < 10_000, 'did not wait for the lock');
        const data = card.data as HighestKeysData;
        assert.deepEqual([data.columns, data.read, data.locked], [2, 1, 1], card.summary);
      } finally {
        await session.close();
        await admin(url, `ROLLBACK PREPARED 'migrating'`);
      }
    });

    it('gives a role that may read no key column the GRANT as a fix line', async () => {
      const url = await createDatabase(await target.start(), 'keys_no_select');
      await admin(
        url,
        `CREATE TABLE accounts (id serial PRIMARY KEY);
         INSERT INTO accounts (id) VALUES (5);
         CREATE SCHEMA billing;
         CREATE TABLE billing."Invoices" (id serial PRIMARY KEY);`,
      );
      const role = `keys_none_${target.major}_${process.pid}`;
      const limited = await limitedRole(url, role, `GRANT USAGE ON SCHEMA billing TO ${role};`);
      try {
        const { session } = await connect(limited);
        try {
          const card = await runCard(session, 'highestKeys');
          assert.equal(card.state, 'skipped', card.summary);
          assert.equal(card.fix, `GRANT SELECT ON "accounts", "billing"."Invoices" TO "${role}";`);
          await admin(url, card.fix);
          const granted = await runCard(session, 'highestKeys');
          assert.equal((granted.data as HighestKeysData).read, 2, granted.summary);
        } finally {
          await session.close();
        }
      } finally {
        await admin(url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('reads keys whose sequence the role may not read, and says it compared none', async () => {
      const url = await createDatabase(await target.start(), 'keys_hidden_seq');
      await admin(
        url,
        `CREATE TABLE accounts (id serial PRIMARY KEY);
         INSERT INTO accounts (id) VALUES (5);
         CREATE TABLE orders (id serial PRIMARY KEY);
         INSERT INTO orders (id) VALUES (9);`,
      );
      const role = `keys_seq_${target.major}_${process.pid}`;
      const limited = await limitedRole(
        url,
        role,
        `GRANT SELECT ON accounts, orders, orders_id_seq TO ${role};`,
      );
      const { session } = await connect(limited);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        const data = card.data as HighestKeysData;
        assert.deepEqual(
          [keyOf(data, 'accounts')?.highest, keyOf(data, 'accounts')?.next],
          ['5', null],
        );
        assert.equal(keyOf(data, 'accounts')?.behind, false);
        assert.equal(keyOf(data, 'orders')?.next, '1');
        assert.equal(data.sequencesUnread, 1);
        assert.equal(
          card.summary,
          '1 key ahead of its sequence: "orders"."id" holds 9, "orders_id_seq" gives 1 next; ' +
            '2 of 2 key columns read; 1 sequence this role may not read (not compared)',
        );
      } finally {
        await session.close();
        await admin(url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('reads a key whose names hold quotes, a dot and a line break, as that key', async () => {
      const url = await createDatabase(await target.start(), 'keys_names');
      // The names are the app's data: they go into the statements Upkeep builds, quoted.
      const table = '"odd ""schema"""."order.items\n; DROP TABLE keep"';
      await admin(
        url,
        `CREATE SCHEMA "odd ""schema""";
         CREATE TABLE ${table} ("I""D" serial PRIMARY KEY);
         INSERT INTO ${table} ("I""D") VALUES (7);
         CREATE TABLE keep (id int);`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        assert.equal(card.state, 'warn', card.summary);
        const [key] = (card.data as HighestKeysData).keys;
        assert.equal(key.schema, 'odd "schema"');
        assert.equal(key.table, 'order.items\n; DROP TABLE keep');
        assert.equal(key.column, 'I"D');
        assert.equal(key.highest, '7');
        assert.equal(key.nextTaken, false);
        await admin(url, card.fix ?? '');
        assert.equal((await runCard(session, 'highestKeys')).state, 'ok');
        await admin(url, 'SELECT count(*) FROM keep');
      } finally {
        await session.close();
      }
    });

    it(`reads at most ${KEY_COLUMNS_READ} keys, the narrowest first, and says so`, async () => {
      const url = await createDatabase(await target.start(), 'keys_many');
      await admin(
        url,
        `DO $$ BEGIN
           FOR i IN 1..${KEY_COLUMNS_READ + 2} LOOP
             EXECUTE format('CREATE TABLE t%s (id bigserial PRIMARY KEY)', i);
           END LOOP;
         END $$;
         CREATE TABLE tiny (id smallserial PRIMARY KEY);
         INSERT INTO tiny (id) VALUES (30000);`,
      );
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'highestKeys');
        const data = card.data as HighestKeysData;
        assert.equal(data.columns, KEY_COLUMNS_READ + 3);
        assert.equal(data.read, KEY_COLUMNS_READ);
        assert.equal(data.keys[0].table, 'tiny');
        assert.match(
          card.summary,
          new RegExp(
            `; ${KEY_COLUMNS_READ} of ${(KEY_COLUMNS_READ + 3).toLocaleString('en')} key ` +
              `columns read \\(at most ${KEY_COLUMNS_READ}, the narrowest types and largest ` +
              'tables first\\)$',
          ),
        );
      } finally {
        await session.close();
      }
    });
  });
}
