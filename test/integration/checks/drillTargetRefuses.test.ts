/**
 * `upkeep drill --save` on a target where the drill may not create its scratch database: one
 * read-only (a standby, or `default_transaction_read_only` on for its database), a database that
 * is not there, one with no connection free, one shutting down and a role without CREATEDB. The
 * backup was never restored, so no failed drill is recorded against it: the drill did not run
 * (exit 2), and says what to change. Real servers, a real dump.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../../support/cli';
import {
  admin,
  createDatabase,
  debianServer,
  dedicatedServer,
  embeddedServer,
  holdShutdown,
  pgDump,
} from '../../support/postgres';

describe('upkeep drill on a target that may not create the scratch database', function () {
  this.timeout(120_000);
  let folder: string;
  let workspace: string;
  let port: number;
  let password: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-refuses-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'Gemfile'), '');
    const source = await createDatabase(await debianServer(), 'drill_refuses_source');
    await admin(source, 'CREATE TABLE users (id int); INSERT INTO users VALUES (1), (2)');
    pgDump(source, path.join(workspace, 'backups', 'app.dump'));
    const server = await embeddedServer();
    port = server.port;
    password = server.password;
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  /** Runs the drill on `target` with --save, and checks that it ran nothing and kept nothing. */
  async function refusedDrill(target: string): Promise<{ stderr: string }> {
    const run = await runCli(
      [
        ...['drill', '--workspace', workspace, '--dump', 'backups/app.dump', '--save'],
        ...['--target', target, '--confirm', `127.0.0.1:${port}`],
      ],
      { PGPASSWORD: password },
    );

    assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
    assert.doesNotMatch(run.stdout, /FAILED/);
    await assert.rejects(fs.stat(path.join(workspace, '.upkeep', 'results.json')), /ENOENT/);
    const left = await admin(
      (await embeddedServer()).url(),
      "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep\\_drill\\_%'",
    );
    assert.deepEqual(left, []);
    return run;
  }

  it('read-only: says so and where to point the drill, recording no failed drill', async () => {
    const url = await createDatabase(await embeddedServer(), 'drill_readonly');
    const database = new URL(url).pathname.slice(1);
    await admin(url, `ALTER DATABASE ${database} SET default_transaction_read_only = on`);

    const run = await refusedDrill(`postgres://postgres@127.0.0.1:${port}/${database}`);

    assert.match(
      run.stderr,
      /upkeep drill: The drill target 127\.0\.0\.1:\d+ is read-only: it refused CREATE DATABASE /,
    );
    assert.match(run.stderr, /default_transaction_read_only/);
    assert.match(run.stderr, /upkeep\.backups\.drillTargetUrl/);
  });

  it('a target database that does not exist: says to name one that does', async () => {
    const run = await refusedDrill(`postgres://postgres@127.0.0.1:${port}/no_such_database`);

    assert.match(run.stderr, /database "no_such_database" does not exist/);
    assert.match(run.stderr, /Name a database that exists on 127\.0\.0\.1:\d+ in the target URL/);
    assert.doesNotMatch(run.stderr, /right host and port/);
  });

  it('a target with every connection slot taken: points at max_connections', async () => {
    const full = await dedicatedServer('embedded', {
      max_connections: '6',
      superuser_reserved_connections: '2',
    });
    const clients: Client[] = [];
    try {
      await admin(full.url(), `CREATE ROLE drill_full LOGIN CREATEDB PASSWORD '${password}'`);
      const secret = encodeURIComponent(password);
      const url = `postgres://drill_full:${secret}@127.0.0.1:${full.port}/postgres`;
      for (;;) {
        const client = new Client({ connectionString: url });
        const refused = await client.connect().then(
          () => false,
          () => true,
        );
        if (refused) break;
        clients.push(client);
        assert.ok(clients.length < 50, 'the server took 50 sessions');
      }

      const run = await runCli(
        [
          ...['drill', '--workspace', workspace, '--dump', 'backups/app.dump'],
          ...['--target', url, '--confirm', `127.0.0.1:${full.port}`],
        ],
        {},
      );

      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /the drill did not run on 127\.0\.0\.1:\d+: .*connection slots/);
      assert.match(run.stderr, /max_connections/);
      assert.doesNotMatch(run.stderr, /right host and port/);
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await full.stop();
    }
  });

  it('a target shutting down: says so and to run again once it accepts connections', async () => {
    const stopping = await dedicatedServer('embedded', {});
    const holder = await holdShutdown(stopping.url());
    try {
      await assert.rejects(new Client({ connectionString: stopping.url() }).connect(), /shutting/);

      const run = await runCli(
        [
          ...['drill', '--workspace', workspace, '--dump', 'backups/app.dump'],
          ...['--target', stopping.url(), '--confirm', `127.0.0.1:${stopping.port}`],
        ],
        {},
      );

      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /the drill did not run on 127\.0\.0\.1:\d+: .*shutting down/);
      assert.match(run.stderr, /starting up or shutting down/);
      assert.match(run.stderr, /run the drill again once it accepts connections/);
      assert.doesNotMatch(run.stderr, /right host and port/);
    } finally {
      await holder.end().catch(() => undefined);
      await stopping.stop();
    }
  });

  it('a role without CREATEDB: names the ALTER ROLE, recording no failed drill', async () => {
    const role = `drill_nocreate_${process.pid}`;
    await admin((await embeddedServer()).url(), `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);

    const run = await refusedDrill(`postgres://${role}@127.0.0.1:${port}/postgres`);

    assert.match(
      run.stderr,
      new RegExp(`upkeep drill: Role ${role} may not create databases on 127\\.0\\.0\\.1:\\d+`),
    );
    assert.match(run.stderr, new RegExp(`ALTER ROLE "${role}" CREATEDB`));
  });
});
