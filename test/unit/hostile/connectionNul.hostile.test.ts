/**
 * A NUL in a connection's user, database or password: the protocol's startup message ends each
 * value at a NUL, so `app\0options\0-c search_path=evil` connected to `app` with a setting no
 * one saw (libpq, and so Rails and psql, read such a value up to the NUL). It is refused.
 */
import { strict as assert } from 'node:assert';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolderWith } from '../../support/tempFolders';

const INJECTED = '\u0000options\u0000-c search_path=evil';

async function refused(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const workspace = await tempFolderWith('upkeep-nul-', files);
  await assert.rejects(
    resolveConnection({ workspace, settings: resolveSettings(), env, trusted: true }),
    (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'config'), String(error));
      assert.match(error.message, /NUL/);
      assert.doesNotMatch(error.message, /\u0000|s3cret|search_path/);
      return true;
    },
  );
}

describe('hostile connection values holding a NUL', () => {
  it('a database name in .env DATABASE_URL', async () => {
    await refused({ '.env': `DATABASE_URL=postgres://u:s3cret@127.0.0.1:1/app${INJECTED}\n` });
  });

  it('a user name in DATABASE_URL, percent-encoded', async () => {
    await refused({}, { DATABASE_URL: 'postgres://u%00options%00x:s3cret@127.0.0.1:1/app' });
  });

  it('a password or a database read by config/database.yml from .env', async () => {
    const yml =
      'development:\n  adapter: postgresql\n  host: 127.0.0.1\n' +
      '  database: <%= ENV["DB_NAME"] %>\n  password: <%= ENV["DB_PASSWORD"] %>\n';
    await refused({ '.env': `DB_NAME="app${INJECTED}"\n`, 'config/database.yml': yml });
    await refused({
      '.env': `DB_NAME=app\nDB_PASSWORD="s3cret${INJECTED}"\n`,
      'config/database.yml': yml,
    });
  });
});
