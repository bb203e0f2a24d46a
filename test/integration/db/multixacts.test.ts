/**
 * The Transaction ID wraparound card's multixact figures on both real servers: the ages it
 * reports are the ones psql reads with mxid_age(), for the database and for each table. Rows
 * locked FOR SHARE by two transactions at once make the multixacts; 2^31 of them cannot be
 * made in a test, so the thresholds are tested on the card's evaluation (test/unit/db). The
 * VACUUM (FREEZE, ANALYZE) the card advises runs only through the maintenance confirmation.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { runCard } from '../../../src/core/db/cards';
import {
  confirmMaintenance,
  maintenancePrompt,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { probeServer } from '../../../src/core/db/probe';
import type { WraparoundData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

/** One value read by Debian's psql, as a maintainer would check the card. */
function psql(url: string, sql: string): string {
  return execFileSync('/usr/bin/psql', ['-X', '-A', '-t', '-d', url, '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

/** Makes `count` multixacts: two transactions share a lock on the same row, then both end. */
async function makeMultixacts(url: string, table: string, count: number): Promise<void> {
  const first = new Client({ connectionString: url });
  const second = new Client({ connectionString: url });
  await first.connect();
  await second.connect();
  try {
    for (let i = 0; i < count; i++) {
      await first.query('BEGIN');
      await first.query(`SELECT * FROM ${table} WHERE id = 1 FOR SHARE`);
      await second.query('BEGIN');
      await second.query(`SELECT * FROM ${table} WHERE id = 1 FOR SHARE`);
      await first.query('COMMIT');
      await second.query('COMMIT');
    }
  } finally {
    await first.end();
    await second.end();
  }
}

for (const target of serversUnderTest) {
  describe(`multixact wraparound figures on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;

    before(async () => {
      url = await createDatabase(await target.start(), 'multixacts');
      await admin(
        url,
        `CREATE TABLE accounts (id int PRIMARY KEY);
         INSERT INTO accounts VALUES (1);
         CREATE SCHEMA "Billing";
         CREATE TABLE "Billing"."Invoice Lines" (id int PRIMARY KEY);`,
      );
      await makeMultixacts(url, 'accounts', 25);
      // Made after the multixacts: its oldest multixact ID is 25 younger.
      await admin(url, 'CREATE TABLE late (id int PRIMARY KEY)');
    });

    it('reports the ages psql reads with mxid_age(), for the database and each table', async () => {
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'wraparound');
        assert.equal(card.state, 'ok', card.summary);
        const data = card.data as WraparoundData;
        const database = psql(
          url,
          'SELECT mxid_age(datminmxid) FROM pg_database WHERE datname = current_database()',
        );
        assert.equal(data.multixactAge, Number(database));
        assert.ok(data.multixactAge >= 25, String(data.multixactAge));
        assert.equal(data.multixactShare, data.multixactAge / 2 ** 31);
        assert.equal(
          data.multixactFreezeMaxAge,
          Number(psql(url, 'SHOW autovacuum_multixact_freeze_max_age')),
        );

        const ages = new Map(
          psql(
            url,
            `SELECT n.nspname || '.' || c.relname || '=' || mxid_age(c.relminmxid)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'r' AND n.nspname IN ('public', 'Billing')`,
          )
            .split('\n')
            .map((line) => line.split('=') as [string, string]),
        );
        const listed = new Map(
          data.tables.map((table) => [`${table.schema}.${table.name}`, table.multixactAge]),
        );
        assert.deepEqual([...listed.keys()].sort(), [
          'Billing.Invoice Lines',
          'public.accounts',
          'public.late',
        ]);
        for (const [name, age] of listed) assert.equal(age, Number(ages.get(name)), name);
        assert.equal((listed.get('public.accounts') ?? 0) - (listed.get('public.late') ?? 0), 25);
        assert.match(
          card.summary,
          new RegExp(
            `; oldest multixact ID is ${data.multixactAge.toLocaleString('en')} multixacts old ` +
              '\\(0\\.0 % of the limit\\)$',
          ),
        );
      } finally {
        await session.close();
      }
    });

    it('freezes a table through the confirmed maintenance flow, as the card advises', async () => {
      const { connection, session } = await connect(url);
      let version: number;
      try {
        version = (await probeServer(session)).serverVersionNum;
      } finally {
        await session.close();
      }
      const ageOf = (table: string): number =>
        Number(
          psql(url, `SELECT mxid_age(relminmxid) FROM pg_class WHERE oid = '${table}'::regclass`),
        );
      assert.ok(ageOf('accounts') >= 25);
      const before = ageOf('"Billing"."Invoice Lines"');

      const plan = planMaintenance(
        connection,
        'vacuumFreeze',
        { type: 'table', schema: 'public', name: 'accounts' },
        version,
      );
      assert.equal(plan.sql, 'VACUUM (FREEZE, ANALYZE) "public"."accounts";');
      assert.equal(plan.needsTypedName, false);
      assert.match(maintenancePrompt(plan).detail, /SHARE UPDATE EXCLUSIVE lock/);
      await runMaintenance(connection, confirmMaintenance(plan), {
        lockTimeoutMs: 5000,
        connectTimeoutMs: 5000,
      });
      assert.equal(ageOf('accounts'), 0);
      assert.equal(ageOf('"Billing"."Invoice Lines"'), before);

      // The whole database asks for its name to be typed, as VACUUM (ANALYZE) of it does.
      const whole = planMaintenance(connection, 'vacuumFreeze', { type: 'database' }, version);
      assert.equal(whole.sql, 'VACUUM (FREEZE, ANALYZE);');
      assert.equal(whole.needsTypedName, true);
      assert.throws(() => confirmMaintenance(whole), /typed name does not match/);
    });
  });
}
