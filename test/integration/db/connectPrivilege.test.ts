/**
 * A role that may log in but not connect to the database (`REVOKE CONNECT ON DATABASE ... FROM
 * PUBLIC`, a common hardening step), on the embedded server: the connect is refused with
 * permission denied, which is a grant to give, not a host, port or sslmode to check.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpkeepError } from '../../../src/core/util/errors';
import { runCli } from '../../support/cli';
import { admin, connect, createDatabase } from './servers';
import { embeddedServer } from '../../support/postgres';

describe('a role without CONNECT on the database', function () {
  this.timeout(60_000);
  let url: string;
  let workspace: string;
  const role = `no_connect_${process.pid}`;

  before(async () => {
    const server = await embeddedServer();
    const owner = await createDatabase(server, 'noconnect');
    const database = new URL(owner).pathname.slice(1);
    await admin(owner, `CREATE ROLE ${role} LOGIN PASSWORD 'not-secret-9'`);
    await admin(owner, `REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC`);
    url = `postgres://${role}:not-secret-9@127.0.0.1:${server.port}/${database}`;
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-noconnect-'));
  });

  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('names the missing grant, with the GRANT to run, not the host or sslmode', async () => {
    await assert.rejects(connect(url), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'config'), String(error));
      assert.match(
        error.message,
        new RegExp(`^Role ${role} may not connect to database noconnect_\\d+_\\d+ on 127\\.0`),
      );
      assert.match(
        error.hint ?? '',
        new RegExp(`^GRANT CONNECT ON DATABASE "noconnect_\\d+_\\d+"`),
      );
      assert.doesNotMatch(error.hint ?? '', /sslmode/);
      return true;
    });
  });

  it('upkeep check exits 2, a gap in the setup, with the grant in its details', async () => {
    const run = await runCli(['check', '--workspace', workspace, '--check', 'health.database'], {
      DATABASE_URL: url,
      XDG_CACHE_HOME: path.join(workspace, '.cache'),
    });

    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`health\\.database +FAIL +Role ${role} may not connect`));
    assert.match(run.stdout, new RegExp(`GRANT CONNECT ON DATABASE "noconnect_\\d+_\\d+" TO`));
  });
});
