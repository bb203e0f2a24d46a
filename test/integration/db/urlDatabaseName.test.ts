/**
 * A database name written percent-encoded in a connection URL reaches the same database in
 * Upkeep as in psql (libpq): `%3B`, `%3A`, `%2F`, `%3F`, `%23` and `%25` decoded, none left
 * encoded (pg-connection-string's decodeURI leaves them, and Upkeep asked for another name).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { admin, connect } from './servers';
import { embeddedServer } from '../../support/postgres';

const NAME = `odd;name:a/b?c#d%e,f@g ${process.pid}`;

describe('a database name percent-encoded in a URL', function () {
  this.timeout(120_000);

  it('is the database psql connects to', async () => {
    const server = await embeddedServer();
    await admin(server.url(), `CREATE DATABASE "${NAME}"`);
    const url = new URL(server.url());
    url.pathname = `/${encodeURIComponent(NAME)}`;

    const psql = execFileSync('/usr/bin/psql', ['-Atc', 'SELECT current_database()', `${url}`], {
      encoding: 'utf8',
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    }).trim();
    assert.equal(psql, NAME);

    const { connection, session } = await connect(url.toString());
    try {
      assert.equal(connection.databaseName, NAME);
      const rows = await session.query<{ name: string }>(
        'test',
        'SELECT current_database() AS name',
      );
      assert.equal(rows[0]?.name, NAME);
    } finally {
      await session.close();
    }
  });
});
