/**
 * A multi-database environment with one key that is no database (`replica: 5`, a stray
 * `pool: 5` beside `primary:`): Rails reads such an environment as one database of those keys,
 * with no adapter, and stops. Upkeep read it the same way and connected with nothing set, to
 * the default database of PGHOST or localhost: another database than the one `primary:` names.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

async function resolveYml(yml: string): Promise<unknown> {
  const workspace = await tempFolder('upkeep-mixed-yml-');
  await fs.mkdir(path.join(workspace, 'config'));
  await fs.writeFile(path.join(workspace, 'config/database.yml'), yml);
  return resolveConnection({
    workspace,
    settings: resolveSettings({ database: { railsEnvironment: 'production' } }),
    env: { PGHOST: '127.0.0.1', PGPORT: '1' },
    trusted: true,
    surface: 'cli',
  }).then(
    (resolved) => resolved,
    (error: unknown) => error,
  );
}

describe('database.yml: databases mixed with keys that are none', () => {
  for (const stray of ['replica: 5', 'pool: 5', 'replica: [a, b]']) {
    it(`primary: beside ${stray} is named, not read as a database of no settings`, async () => {
      const error = await resolveYml(
        `production:\n  primary:\n    adapter: postgresql\n    database: app\n  ${stray}\n`,
      );
      assert.ok(UpkeepError.is(error, 'config'), JSON.stringify(error));
      assert.match(error.message, /"production"/);
      assert.match(error.message, /primary/);
      assert.match(error.message, new RegExp(stray.split(':')[0]));
      assert.match(error.hint ?? '', /DATABASE_URL/);
    });
  }

  it('a flat environment with a map of options still reads (variables:)', async () => {
    const resolved = await resolveYml(
      'production:\n  adapter: postgresql\n  database: app\n  variables:\n    work_mem: 64MB\n',
    );
    assert.ok(!(resolved instanceof Error), String(resolved));
    assert.equal((resolved as { databaseName: string }).databaseName, 'app');
  });

  it('several databases, every one a map, still read', async () => {
    const resolved = await resolveYml(
      'production:\n  primary:\n    database: app\n  cache:\n    database: app_cache\n',
    );
    assert.equal((resolved as { databaseName: string }).databaseName, 'app');
  });
});
