/**
 * A server that is up and refuses the connection for its own reasons: every connection slot in
 * use (max_connections), or a shutdown under way. `upkeep check` in cron said to check the
 * host, the port and sslmode, which are right; the message must name what the server said and
 * what to do. Real servers of the test's own (embedded PostgreSQL), set up to refuse.
 */
import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { runCli } from '../../support/cli';
import { admin, createDatabase, dedicatedServer, holdShutdown } from '../../support/postgres';
import { tempFolderWith } from '../../support/tempFolders';

interface Report {
  exitCode: number;
  results: { checkId: string; outcome: string; summary: string; details?: string }[];
}

const PASSWORD = 'Refused-S3cret';

/** health.database of `upkeep check --check health.database` on `url`, and the exit code. */
async function healthCheck(url: string): Promise<[number | null, Report['results'][number]]> {
  const workspace = await tempFolderWith('upkeep-refuses-', {
    Gemfile: "source 'https://rubygems.org'\n",
  });
  const run = await runCli(
    ['check', '--workspace', workspace, '--check', 'health.database', '--format', 'json'],
    { DATABASE_URL: url, XDG_CACHE_HOME: `${workspace}/.cache` },
  );
  assert.ok(!(run.stdout + run.stderr).includes(PASSWORD), 'no password');
  const report = JSON.parse(run.stdout) as Report;
  return [run.code, report.results[0]];
}

/** Opens sessions as the app's role until the server refuses one. */
async function fillConnections(url: string, clients: Client[]): Promise<string> {
  while (clients.length < 50) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      return (error as Error).message;
    }
    clients.push(client);
  }
  throw new Error('the server took 50 sessions');
}

describe('upkeep check against a server that refuses connections', function () {
  this.timeout(120_000);

  it('every connection slot taken: says so and points at max_connections', async () => {
    const server = await dedicatedServer('embedded', {
      max_connections: '6',
      superuser_reserved_connections: '2',
    });
    const clients: Client[] = [];
    try {
      const url = await createDatabase(server, 'full');
      await admin(url, `CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`);
      const appUrl = new URL(url);
      appUrl.username = 'app';
      appUrl.password = PASSWORD;
      assert.match(await fillConnections(appUrl.toString(), clients), /connection slots/);

      const [code, health] = await healthCheck(appUrl.toString());
      assert.equal(health.outcome, 'fail', health.summary);
      assert.match(health.summary, /no connection free/, health.summary);
      assert.match(health.details ?? '', /max_connections/, health.details);
      assert.doesNotMatch(health.details ?? '', /sslmode/, health.details);
      assert.equal(code, 1);
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await server.stop();
    }
  });

  it('a server shutting down: says it accepts no connection now', async () => {
    const server = await dedicatedServer('embedded', {});
    const url = await createDatabase(server, 'stopping');
    const holder = await holdShutdown(url);
    try {
      const probe = new Client({ connectionString: url });
      await assert.rejects(probe.connect(), /shutting down/);

      const [code, health] = await healthCheck(url);
      assert.equal(health.outcome, 'fail', health.summary);
      assert.match(health.summary, /accepts no connection now/, health.summary);
      assert.match(health.summary, /shutting down/, health.summary);
      assert.doesNotMatch(health.details ?? '', /sslmode/, health.details);
      assert.equal(code, 1);
    } finally {
      await holder.end().catch(() => undefined);
      await server.stop();
    }
  });
});
