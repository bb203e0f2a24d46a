/**
 * The Transaction ID wraparound card's multixact figures on both real servers: the ages it
 * reports are the ones psql reads with mxid_age(), for the database and for each table, and the
 * member space is the size of pg_multixact/members as the data directory holds it. Rows
 * locked FOR SHARE by two transactions at once make the multixacts; 2^31 of them cannot be
 * made in a test, so the thresholds are tested on the card's evaluation (test/unit/db), and
 * a full member space on a server of the test's own by a sparse file in that folder. The
 * VACUUM (FREEZE, ANALYZE) the card advises runs only through the maintenance confirmation.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
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

const RUN_IT = '(run it with "Upkeep: Run Database Maintenance")';

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

/** The bytes in pg_multixact/members of the server at `url`, read from its data directory. */
async function membersOnDisk(url: string): Promise<{ folder: string; bytes: number }> {
  const [{ folder }] = await admin<{ folder: string }>(
    url,
    "SELECT current_setting('data_directory') || '/pg_multixact/members' AS folder",
  );
  let bytes = 0;
  for (const name of await fs.readdir(folder)) {
    bytes += (await fs.stat(path.join(folder, name))).size;
  }
  return { folder, bytes };
}

/** A login role of `url`'s server in pg_monitor, and the URL it connects with. */
async function monitorRole(url: string, name: string): Promise<string> {
  await admin(url, `DROP ROLE IF EXISTS ${name}; CREATE ROLE ${name} LOGIN PASSWORD 'mon-pw'`);
  await admin(url, `GRANT pg_monitor TO ${name}`);
  const own = new URL(url);
  own.username = name;
  own.password = 'mon-pw';
  return own.toString();
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
        // The oldest of the server's databases: on a tie, the one connected to.
        const database = psql(url, 'SELECT max(mxid_age(datminmxid)) FROM pg_database');
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
              '\\(0\\.0 % of the limit\\)(?: in database "[^"]+")?; multixact members take ',
          ),
        );
      } finally {
        await session.close();
      }
    });

    it('measures the member space as the size of pg_multixact/members on disk', async () => {
      // The members of the 25 multixacts are on a page written out at the checkpoint.
      await admin(url, 'CHECKPOINT');
      const { bytes } = await membersOnDisk(url);
      assert.ok(bytes >= 8192, String(bytes));
      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'wraparound');
        assert.equal(card.state, 'ok', card.summary);
        const data = card.data as WraparoundData;
        assert.equal(data.multixactMemberBytes, bytes);
        // 409 groups of 4 members per 8 kB page, against the 2^32 members there can be.
        assert.equal(data.multixactMemberShare, ((bytes / 8192) * 1636) / 2 ** 32);
        assert.match(
          card.summary,
          new RegExp(`; multixact members take ${bytes} bytes \\(0\\.0 % of the limit\\)$`),
        );
        assert.equal(card.reason, undefined);
      } finally {
        await session.close();
      }
    });

    it('says pg_monitor may not read the member space, and reads it once granted', async () => {
      const monitor = await monitorRole(url, `mx_monitor_${target.major}_${process.pid}`);
      const name = new URL(monitor).username;
      const { session } = await connect(monitor);
      try {
        const card = await runCard(session, 'wraparound');
        assert.equal(card.state, 'ok', card.summary);
        const data = card.data as WraparoundData;
        assert.equal(data.multixactMemberBytes, null);
        assert.equal(data.multixactMemberShare, null);
        assert.match(
          card.summary,
          /; multixact member space not read \(this role may not list pg_multixact\)$/,
        );
        assert.match(card.reason ?? '', /pg_ls_dir\(text, boolean, boolean\)/);
        assert.match(card.reason ?? '', /pg_monitor is not enough/);

        await admin(
          url,
          `GRANT EXECUTE ON FUNCTION pg_ls_dir(text, boolean, boolean) TO ${name};
           GRANT EXECUTE ON FUNCTION pg_stat_file(text, boolean) TO ${name};`,
        );
        const granted = await runCard(session, 'wraparound');
        assert.equal(
          (granted.data as WraparoundData).multixactMemberBytes,
          (await membersOnDisk(url)).bytes,
        );
        assert.equal(granted.reason, undefined);
      } finally {
        await session.close();
        await admin(
          url,
          `REVOKE EXECUTE ON FUNCTION pg_ls_dir(text, boolean, boolean) FROM ${name};
           REVOKE EXECUTE ON FUNCTION pg_stat_file(text, boolean) FROM ${name};
           DROP ROLE ${name};`,
        );
      }
    });

    it('warns when members fill half their space, however young the multixact IDs', async () => {
      // A server of the test's own: a sparse file in its members folder stands for the 11 GB a
      // server holding more than 2^31 members keeps there. Its name is past the last segment
      // (14078), so the server never reads or removes it.
      const own = await createDatabase(await target.startWith({}), 'members');
      await admin(
        own,
        'CREATE TABLE accounts (id int PRIMARY KEY); INSERT INTO accounts VALUES (1)',
      );
      await makeMultixacts(own, 'accounts', 3);
      const { folder } = await membersOnDisk(own);
      const fake = path.join(folder, 'FFFFF');
      await fs.writeFile(fake, '');
      await fs.truncate(fake, 11 * 2 ** 30);
      const { session } = await connect(own);
      try {
        const card = await runCard(session, 'wraparound');
        assert.equal(card.state, 'warn', card.summary);
        const data = card.data as WraparoundData;
        assert.ok((data.multixactMemberShare ?? 0) > 0.5, String(data.multixactMemberShare));
        assert.ok(data.multixactShare < 0.001);
        assert.match(card.summary, /; multixact members take 11 GB \(5\d\.\d % of the limit\)$/);
        assert.match(card.reason ?? '', /^Multixact members fill 5\d\.\d % of their 2\^32 space: /);
        assert.match(card.reason ?? '', /stops accepting commands that make multixacts/);
        // The table oldest by multixact age is frozen first, though far from half the limit.
        assert.equal(card.fix, 'VACUUM (FREEZE, ANALYZE) "accounts"; ' + RUN_IT);

        await fs.rm(fake);
        const after = await runCard(session, 'wraparound');
        assert.equal(after.state, 'ok', after.summary);
      } finally {
        await session.close();
        await fs.rm(fake, { force: true });
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
