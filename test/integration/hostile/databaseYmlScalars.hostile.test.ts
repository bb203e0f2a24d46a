/**
 * A config/database.yml whose password is written unquoted as `0123`: Rails (Psych, YAML 1.1)
 * reads it as the octal 83 and sends "83". Upkeep must log in with what the app logs in with.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

describe('database.yml values read as Rails reads them, on a real server', function () {
  this.timeout(60_000);

  it('logs in with the password Rails sends for an unquoted 0123', async () => {
    const url = await createDatabase(await embeddedServer(), 'hostile_psych');
    const { hostname, port, pathname } = new URL(url);
    const role = `psych_${process.pid}`;
    await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD '83'`);
    try {
      const workspace = await tempFolder('upkeep-psych-');
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(
        path.join(workspace, 'config/database.yml'),
        `development:\n  adapter: postgresql\n  host: ${hostname}\n  port: ${port}\n` +
          `  database: ${pathname.slice(1)}\n  username: ${role}\n  password: 0123\n`,
      );
      const resolved = await resolveConnection({
        workspace,
        settings: resolveSettings({}),
        env: {},
        trusted: true,
        surface: 'cli',
      });
      const client = new Client(resolved.config);
      await client.connect();
      try {
        const rows = await client.query<{ user: string }>('SELECT current_user AS user');
        assert.equal(rows.rows[0].user, role);
      } finally {
        await client.end();
      }
    } finally {
      await admin(url, `DROP ROLE ${role}`);
    }
  });
});
