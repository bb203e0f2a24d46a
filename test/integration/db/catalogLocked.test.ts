/**
 * A transaction holding a lock on a system catalog of the database (LOCK TABLE pg_class, a
 * VACUUM FULL of it) keeps every new session waiting after the login: `upkeep db` said the
 * server "did not answer" and to check that the host and port lead to PostgreSQL, though it is
 * PostgreSQL that answered the login (and then waits for the lock before it finishes it).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../../support/cli';
import { embeddedServer } from '../../support/postgres';
import { createDatabase } from './servers';

describe('a database whose pg_class another transaction locks', function () {
  this.timeout(60_000);
  let workspace: string;
  let holder: Client | undefined;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-catalog-locked-'));
  });

  after(async () => {
    await holder?.end().catch(() => undefined);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('upkeep db says PostgreSQL answered and the session did not start', async () => {
    const url = await createDatabase(await embeddedServer(), 'catalog_locked');
    holder = new Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pg_catalog.pg_class IN ACCESS EXCLUSIVE MODE');

    const started = Date.now();
    const env = { DATABASE_URL: url, HOME: workspace, XDG_CACHE_HOME: workspace };
    const run = await runCli(['db', '--workspace', workspace, '--no-snapshots'], env);
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const [said] = run.stderr.split('\n');
    assert.match(said, /^upkeep db: PostgreSQL at \S+ \(from DATABASE_URL\) answered but /);
    assert.match(said, / did not finish the login and start the session within 5 s\.$/);
    assert.match(run.stderr, /lock on a system catalog/);
    assert.doesNotMatch(run.stderr, /lead to a PostgreSQL server/);
    assert.ok(!run.stderr.includes(new URL(url).password), 'no password');
  });
});
