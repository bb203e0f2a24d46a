/**
 * A drill target URL that asks for TLS (`?sslmode=require`) must get TLS or no connection: the
 * drill took only host, port, user and database from the URL and sent the password in the clear.
 * The Debian test server has no TLS, so a drill that honours the URL cannot run there.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { admin, createDatabase, debianServer, pgDump } from '../../support/postgres';

describe('drill target URL parameters', function () {
  this.timeout(120_000);

  it('sslmode=require on a server without TLS: nothing created, the drill not run', async () => {
    const source = await createDatabase(await debianServer(), 'drill_ssl');
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-ssl-'));
    try {
      const dump = path.join(folder, 'app.dump');
      pgDump(source, dump);
      const url = new URL(source);
      const before = await admin(source, 'SELECT datname FROM pg_database');
      const run = await runCli([
        ...['drill', '--workspace', folder, '--dump', dump],
        ...['--target', `${source}?sslmode=require`, '--confirm', `127.0.0.1:${url.port}`],
      ]);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /SSL/, run.stderr);
      assert.deepEqual(await admin(source, 'SELECT datname FROM pg_database'), before);
      assert.ok(!(run.stdout + run.stderr).includes(decodeURIComponent(url.password)));
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
