/**
 * Names and values from the monitored database are the app's data: a hostile or odd name (a
 * dot, a quote, another schema) must not make a statement aim at another object, and an odd
 * value (a step of 2^31 - 1, an infinite timestamp) must not stop or sink a card.
 */
import * as assert from 'node:assert/strict';
import type { OnboardingData } from '../../../src/core/db/businessCards';
import type { DbCard } from '../../../src/core/db/cards';
import { collectCards } from '../../../src/core/db/cards';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { embeddedServer } from '../../support/postgres';
import { admin, connect, createDatabase, serversUnderTest } from '../db/servers';

const SCHEMA = `
  CREATE TABLE "order" (items int);
  CREATE TABLE "order.items" (id serial PRIMARY KEY);
  SELECT setval('"order.items_id_seq"', 2147483600);
  CREATE SCHEMA "odd ""schema""";
  CREATE TABLE "odd ""schema""".jobs (id serial PRIMARY KEY);
  CREATE TABLE public.jobs (id bigserial PRIMARY KEY);
  SELECT setval('"odd ""schema""".jobs_id_seq', 2147483000);
`;

async function cardOf(url: string, id: string): Promise<DbCard> {
  const { session } = await connect(url);
  try {
    const [card] = await collectCards(session, { only: [id] });
    return card;
  } finally {
    await session.close();
  }
}

describe('hostile names from the database (security review)', function () {
  this.timeout(120_000);
  let url: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'hostile_names');
    await admin(url, SCHEMA);
  });

  it('a table name with a dot gets a migration for that table, not another one', async () => {
    const card = await cardOf(url, 'sequences');
    assert.equal(card.state, 'warn', card.summary);
    assert.equal(
      card.fix,
      'Plan a migration: ALTER TABLE "order.items" ALTER COLUMN "id" TYPE bigint; ' +
        'ALTER SEQUENCE "order.items_id_seq" AS bigint NO MAXVALUE; (rewrites the table)',
    );
  });

  it('a table in another schema is named with its schema', async () => {
    await admin(url, `SELECT setval('"order.items_id_seq"', 1)`);
    const card = await cardOf(url, 'sequences');
    assert.equal(
      card.fix,
      'Plan a migration: ALTER TABLE "odd ""schema"""."jobs" ALTER COLUMN "id" TYPE bigint; ' +
        'ALTER SEQUENCE "odd ""schema"""."jobs_id_seq" AS bigint NO MAXVALUE; ' +
        '(rewrites the table)',
    );
  });

  it('an integer foreign key of a table named with a line break: one-line SQL', async () => {
    const own = await createDatabase(await embeddedServer(), 'hostile_narrow');
    await admin(
      own,
      `CREATE TABLE jobs (id bigserial PRIMARY KEY);
       CREATE TABLE "pay\nOK.jobs" ("job id" integer REFERENCES jobs);`,
    );
    const card = await cardOf(own, 'narrowForeignKeys');
    assert.equal(card.state, 'warn', card.summary);
    assert.equal(card.fix, 'ALTER TABLE U&"pay\\000AOK.jobs" ALTER COLUMN "job id" TYPE bigint;');
    assert.doesNotMatch(card.summary, /\n/);
    await admin(own, card.fix ?? '');
    assert.equal((await cardOf(own, 'narrowForeignKeys')).state, 'ok');
  });

  it('maintenance runs on the table picked, whatever schema search_path puts first', async () => {
    const tenantUrl = await createDatabase(await embeddedServer(), 'hostile_path');
    const database = new URL(tenantUrl).pathname.slice(1);
    await admin(
      tenantUrl,
      `CREATE TABLE public.items (id int); INSERT INTO public.items SELECT generate_series(1, 9);
       CREATE SCHEMA tenant; CREATE TABLE tenant.items (id int);
       ALTER DATABASE "${database}" SET search_path = tenant, public;`,
    );
    const { connection, session } = await connect(tenantUrl);
    await session.close();
    const plan = planMaintenance(
      connection,
      'analyze',
      { type: 'table', schema: 'public', name: 'items' },
      170000,
    );
    await runMaintenance(connection, confirmMaintenance(plan), {
      lockTimeoutMs: 5000,
      connectTimeoutMs: 5000,
    });
    const analyzed = await admin<{ schema: string }>(
      tenantUrl,
      `SELECT schemaname AS schema FROM pg_stat_user_tables
        WHERE relname = 'items' AND last_analyze IS NOT NULL`,
    );
    assert.deepEqual(
      analyzed.map((row) => row.schema),
      ['public'],
    );
  });

  for (const server of serversUnderTest) {
    it(`a line break in a name stays in its line, the SQL runs (${server.name})`, async () => {
      const linesUrl = await createDatabase(await server.start(), 'hostile_lines');
      await admin(
        linesUrl,
        `CREATE TABLE parents (id int PRIMARY KEY);
         CREATE TABLE "kids\nOK  fake" ("parent\\id\r" int REFERENCES parents);
         CREATE INDEX "i\nOK  fake" ON parents (id);`,
      );
      const { connection, session } = await connect(linesUrl);
      let cards: DbCard[];
      try {
        cards = await collectCards(session, {
          only: ['duplicateIndexes', 'foreignKeysWithoutIndex', 'tables'],
        });
      } finally {
        await session.close();
      }
      for (const card of cards) {
        for (const text of [card.summary, card.reason, ...(card.fixes ?? [card.fix])]) {
          assert.doesNotMatch(text ?? '', /[\n\r]/, `${card.id}: ${text}`);
        }
      }
      // The JSON keeps the true names; the statements shown name the same objects.
      const foreignKeys = cards.find((card) => card.id === 'foreignKeysWithoutIndex');
      assert.deepEqual(
        (foreignKeys?.data as { foreignKeys: { table: string }[] }).foreignKeys.map(
          (fk) => fk.table,
        ),
        ['kids\nOK  fake'],
      );
      const duplicates = cards.find((card) => card.id === 'duplicateIndexes');
      assert.equal(duplicates?.state, 'warn', duplicates?.summary);
      await admin(linesUrl, foreignKeys?.fix as string);
      await admin(linesUrl, duplicates?.fix as string);
      const left = await admin<{ name: string }>(
        linesUrl,
        `SELECT indexrelid::regclass::text AS name FROM pg_index
          WHERE indrelid = '"kids\nOK  fake"'::regclass OR indrelid = 'parents'::regclass
          ORDER BY 1`,
      );
      assert.equal(left.length, 2, JSON.stringify(left));
      assert.ok(!left.some((row) => row.name.includes('i\nOK')), JSON.stringify(left));

      const plan = planMaintenance(
        connection,
        'analyze',
        { type: 'table', schema: 'public', name: 'kids\nOK  fake' },
        170000,
      );
      assert.doesNotMatch(plan.sql, /[\n\r]/);
      await runMaintenance(connection, confirmMaintenance(plan), {
        lockTimeoutMs: 5000,
        connectTimeoutMs: 5000,
      });
    });
  }

  it('an onboarding step far past the last one, or an infinite time, is not a step', async () => {
    const usersUrl = await createDatabase(await embeddedServer(), 'hostile_values');
    await admin(
      usersUrl,
      `CREATE TABLE users (id serial, onboarding_step int, created_at timestamptz,
                           onboarding_completed_at timestamptz);
       INSERT INTO users (onboarding_step, created_at, onboarding_completed_at) VALUES
         (5, now() - interval '2 days', now() - interval '1 day'),
         (2147483647, 'infinity', '-infinity'),
         (-2147483648, now(), 'infinity'),
         (2, now(), NULL);`,
    );
    const started = Date.now();
    const card = await cardOf(usersUrl, 'onboarding');
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    assert.equal(card.state, 'ok', card.reason);
    const data = card.data as OnboardingData;
    assert.equal(data.total, 4);
    assert.equal(data.lastStep, 5);
    assert.equal(data.dropOff.length, 4);
    assert.equal(data.averageSecondsToComplete, 86_400);
  });
});
