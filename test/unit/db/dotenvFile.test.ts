/**
 * The app's `.env` as the dotenv gem gives it to Rails: `$VAR` and `${VAR}` read the variables
 * set before them, a `$(command)` is never run, and a file whose references multiply cannot fill
 * memory. Real files, read by resolveConnection as the CLI and the editor read them.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveConnection } from '../../../src/core/db/connection';
import type { ResolvedConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder, tempFolderWith } from '../../support/tempFolders';

async function resolve(
  files: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<ResolvedConnection> {
  const workspace = await tempFolderWith('upkeep-dotenv-', files);
  return resolveConnection({ workspace, settings: resolveSettings(), env, trusted: true });
}

const YML =
  'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  database: app\n' +
  '  username: <%= ENV["DB_USER"] %>\n  password: <%= ENV["DB_PASSWORD"] %>\n';

describe('.env as the dotenv gem reads it', () => {
  it('expands ${VAR} and $VAR in DATABASE_URL from the lines before it', async () => {
    const connection = await resolve({
      '.env':
        'DB_USER=bob\nexport DB_PASS="s3cret"\n' +
        'DATABASE_URL=postgres://${DB_USER}:$DB_PASS@127.0.0.1:5433/app_${DB_USER}\n',
    });
    assert.equal(connection.config.user, 'bob');
    assert.equal(connection.config.password, 's3cret');
    assert.equal(connection.config.database, 'app_bob');
    assert.equal(connection.config.port, 5433);
    assert.deepEqual(connection.source, { kind: 'dotenv', file: '.env', line: 3 });
  });

  it('reads a file saved with a byte order mark, its first line included', async () => {
    const connection = await resolve(
      {
        '.env': '\ufeffDATABASE_URL=postgres://u@${DB_HOST}/db\n',
      },
      { DB_HOST: 'bom-host' },
    );
    assert.equal(connection.config.host, 'bom-host');
    assert.deepEqual(connection.source, { kind: 'dotenv', file: '.env', line: 1 });
  });

  it('takes the environment first, as dotenv does not overwrite what is set', async () => {
    const connection = await resolve(
      { '.env': 'DB_HOST=dot-host\nDATABASE_URL="postgres://u@${DB_HOST}/db"\n' },
      { DB_HOST: 'env-host' },
    );
    assert.equal(connection.config.host, 'env-host');
  });

  it('leaves single-quoted values and \\$ as written; unknown names read as empty', async () => {
    const connection = await resolve({
      '.env': "DB_USER='$literal'\nDB_PASSWORD=pw\\$x${NOPE}\nLATER=${DB_USER}\n",
      'config/database.yml': YML,
    });
    assert.equal(connection.config.user, '$literal');
    assert.equal(connection.config.password, 'pw$x');
  });

  it('feeds the expanded values to the ERB of config/database.yml', async () => {
    const connection = await resolve({
      '.env': 'SHARED=hunter2\nDB_PASSWORD=${SHARED}\nDB_USER=${DB_PASSWORD}_user\n',
      'config/database.yml': YML,
    });
    assert.equal(connection.config.password, 'hunter2');
    assert.equal(connection.config.user, 'hunter2_user');
  });

  it('reads a reference to a variable set later, or to itself, as empty: no loop', async () => {
    const connection = await resolve({
      '.env': 'A=${B}x\nB=${A}y\nDB_USER=${DB_USER}${A}${B}\n',
      'config/database.yml': YML,
    });
    assert.equal(connection.config.user, 'xxy');
  });

  it('never runs a $(command): DATABASE_URL holding one is refused, saying why', async () => {
    const marker = path.join(await tempFolder('upkeep-dotenv-cmd-'), 'ran');
    await assert.rejects(
      resolve({ '.env': `DATABASE_URL="postgres://u:$(touch ${marker})@127.0.0.1/db"\n` }),
      (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, /\.env:1/);
        assert.match(error.message, /command/);
        assert.doesNotMatch(error.message, /touch/);
        return true;
      },
    );
    await assert.rejects(fs.stat(marker), 'the command did not run');
  });

  it('a variable holding a $(command) reads as unset for config/database.yml', async () => {
    const connection = await resolve(
      { '.env': 'DB_PASSWORD=$(pass show db)\n', 'config/database.yml': YML },
      { PGPASSWORD: 'from-pg' },
    );
    assert.equal(connection.config.password, 'from-pg');
  });

  it('refuses references that multiply past a megabyte, without filling memory', async () => {
    // 8 lines of 16 references each: 16^7 times the first value, were it expanded.
    const lines = ['A0=xxxxxxxxxxxxxxxx'];
    for (let i = 1; i < 8; i++) lines.push(`A${i}=${`\${A${i - 1}}`.repeat(16)}`);
    const before = process.memoryUsage().rss;
    await assert.rejects(
      resolve({ '.env': `${lines.join('\n')}\nDATABASE_URL=postgres://u@h/\${A7}\n` }),
      (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, /\.env/);
        assert.match(error.message, /1 MB/);
        return true;
      },
    );
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  });
});
