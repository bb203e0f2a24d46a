/**
 * Transaction ID wraparound reads the age of every database on the server, on a server of the
 * test's own of both versions: the limit is the server's, and a database no one connects to any
 * more (a forgotten prepared transaction in it) runs into it while the app's database is young.
 * Here `legacy` is left alone while 300 transactions pass and every other database, template0
 * included, is frozen.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { runCard } from '../../../src/core/db/cards';
import type { WraparoundData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`wraparound of every database on ${target.name}`, function () {
    this.timeout(180_000);

    it('names the oldest database of the server, not the one connected to', async () => {
      const server = await target.startWith({ autovacuum: 'off' });
      await admin(server.url(), 'CREATE DATABASE legacy');
      const url = await createDatabase(server, 'young');
      const app = new Client({ connectionString: url });
      await app.connect();
      try {
        for (let i = 0; i < 300; i++) await app.query('SELECT txid_current()');
      } finally {
        await app.end();
      }
      await admin(server.url(), 'ALTER DATABASE template0 ALLOW_CONNECTIONS true');
      for (const database of [
        'template0',
        'template1',
        'postgres',
        new URL(url).pathname.slice(1),
      ]) {
        await admin(server.url(database), 'VACUUM (FREEZE)');
      }
      await admin(server.url(), 'ALTER DATABASE template0 ALLOW_CONNECTIONS false');
      const ages = await admin<{ datname: string; age: number }>(
        server.url(),
        'SELECT datname, age(datfrozenxid)::float8 AS age FROM pg_database ORDER BY 2 DESC',
      );
      assert.equal(ages[0].datname, 'legacy', JSON.stringify(ages));
      assert.ok(ages[0].age >= 300 && ages[1].age < 100, JSON.stringify(ages));

      const { session } = await connect(url);
      try {
        const card = await runCard(session, 'wraparound');
        const data = card.data as WraparoundData;
        assert.equal(card.state, 'ok', card.summary);
        assert.equal(data.oldestDatabase, 'legacy');
        assert.equal(data.databaseAge, ages[0].age);
        assert.equal(data.database, new URL(url).pathname.slice(1));
        assert.match(
          card.summary,
          new RegExp(
            `^oldest transaction ID is ${ages[0].age.toLocaleString('en')} transactions old ` +
              '\\(0\\.0 % of the limit\\) in database "legacy"; oldest multixact ID is ',
          ),
        );
      } finally {
        await session.close();
      }
      await server.stop();
    });
  });
}
