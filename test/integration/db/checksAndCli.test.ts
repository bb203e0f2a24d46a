/**
 * The database checks through the check engine (one shared session, closed at the end) and
 * `upkeep db`, on a real Rails-style workspace whose config/database.yml uses ERB.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../../scripts/lib/embeddedPostgres';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { cardIds } from '../../../src/core/db/cards';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { admin, createDatabase, serversUnderTest } from './servers';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

const DATABASE_YML = (port: number, database: string) => `
default: &default
  adapter: postgresql
  encoding: unicode
  host: 127.0.0.1
  port: <%= ENV.fetch("UPKEEP_TEST_PGPORT") { ${port} } %>
  username: postgres
  password: <%= ENV["UPKEEP_TEST_PGPASSWORD"] %>
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: ${database}

test:
  <<: *default
  database: nothing_here
`;

const PLAYBOOK = `checks:
  - id: custom.activeUsers
    title: Users past step 3
    kind: sql
    sql: SELECT count(*) AS users FROM users WHERE onboarding_step >= 3
  - id: custom.sneaky
    title: Sneaky
    kind: sql
    sql: DELETE FROM users RETURNING id
`;

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const dir = await tempFolder('upkeep-ws-');
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

async function runDbChecks(
  workspace: string,
  env: NodeJS.ProcessEnv,
  trusted = true,
): Promise<Map<string, CheckResult>> {
  const snapshotFile = path.join(workspace, '.snapshots.json');
  const results = await runChecks(
    createDbChecks({ snapshotFile }),
    { workspace, settings: resolveSettings(), clock: systemClock, log: silentLogger, trusted, env },
    { onFinished: closeSharedDbSession },
  );
  return new Map(results.map((result) => [result.checkId, result]));
}

for (const target of serversUnderTest) {
  describe(`database checks and upkeep db on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let database: string;
    let workspace: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      server = await target.start();
      const url = await createDatabase(server, 'checks');
      database = new URL(url).pathname.slice(1);
      await admin(
        url,
        'CREATE EXTENSION pg_stat_statements; CREATE TABLE users (id serial ' +
          'PRIMARY KEY, onboarding_step int, created_at timestamptz DEFAULT now())',
      );
      await admin(
        url,
        'INSERT INTO users (onboarding_step) SELECT 1 + i % 5 FROM generate_series(1, 50) i',
      );
      workspace = await workspaceWith({
        'config/database.yml': DATABASE_YML(server.port, database),
        '.upkeep/playbook.yaml': PLAYBOOK,
      });
      env = {
        UPKEEP_TEST_PGPASSWORD: server.password,
        XDG_CACHE_HOME: path.join(workspace, '.cache'),
        HOME: workspace,
      };
    });

    it(
      'passes health.database with version, round trip and the source, ' +
        'and closes its one session',
      async () => {
        const results = await runDbChecks(workspace, env);
        const health = results.get('health.database');
        assert.equal(health?.outcome, 'pass', health?.summary);
        assert.match(
          health?.summary ?? '',
          new RegExp(
            `^PostgreSQL ${target.major}\\.\\d+, \\d+(\\.\\d)? ms round trip ` +
              `\\(config/database.yml, development\\)$`,
          ),
        );
        for (const [id, result] of results) {
          assert.ok(
            ['pass', 'warn', 'skipped'].includes(result.outcome),
            `${id}: ${result.outcome} ${result.summary}`,
          );
        }
        assert.equal(results.get('business.onboarding')?.outcome, 'pass');
        const [open] = await admin<{ n: number }>(
          server.url(),
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'upkeep'",
        );
        assert.equal(open.n, 0, 'no Upkeep session left open');
      },
    );

    it(
      'fails health.database with the cause when the server is unreachable, ' + 'skipping the rest',
      async () => {
        const port = await freePort();
        const results = await runDbChecks(workspace, { ...env, UPKEEP_TEST_PGPORT: String(port) });
        assert.equal(results.get('health.database')?.outcome, 'fail');
        assert.match(
          results.get('health.database')?.summary ?? '',
          new RegExp(
            `Cannot reach PostgreSQL at postgres@127.0.0.1:${port}/${database}.*ECONNREFUSED`,
          ),
        );
        assert.equal(results.get('db.size')?.outcome, 'skipped');
        assert.match(results.get('db.size')?.summary ?? '', /not reachable/);
      },
    );

    it('fails health.database naming a configured database that does not exist', async () => {
      const missing = await workspaceWith({
        'config/database.yml': DATABASE_YML(server.port, 'upkeep_no_such_db'),
      });
      const results = await runDbChecks(missing, env).finally(() =>
        fs.rm(missing, { recursive: true, force: true }),
      );
      const health = results.get('health.database');
      assert.equal(health?.outcome, 'fail', health?.summary);
      assert.match(health?.summary ?? '', /"upkeep_no_such_db" does not exist/);
      assert.equal(health?.configProblem, true);
      assert.match(health?.details ?? '', /bin\/rails db:prepare/);
      assert.equal(results.get('db.size')?.outcome, 'skipped');
      assert.match(results.get('db.size')?.summary ?? '', /^database not usable \(see health/);
    });

    it('prints every card as JSON from upkeep db', async () => {
      const { code, stdout, stderr } = await runCli(
        ['db', '--workspace', workspace, '--format', 'json'],
        env,
      );
      // The repo's writing metric is refused, so one card is in error: exit 1.
      assert.equal(code, 1, stderr + stdout);
      const output = JSON.parse(stdout) as {
        version: number;
        connection: {
          display: string;
          source: { kind: string; file: string; line: number; environment: string };
        };
        cards: { id: string; state: string }[];
        error: null;
      };
      assert.equal(output.version, 1);
      assert.equal(output.error, null);
      assert.deepEqual(output.connection.source, {
        kind: 'database.yml',
        file: 'config/database.yml',
        line: 11,
        environment: 'development',
      });
      assert.equal(output.connection.display, `postgres@127.0.0.1:${server.port}/${database}`);
      assert.deepEqual(
        output.cards.map((card) => card.id),
        [...cardIds, 'metric:custom.activeUsers', 'metric:custom.sneaky'],
      );
      const metric = output.cards.find(
        (card) => card.id === 'metric:custom.activeUsers',
      ) as unknown as {
        state: string;
        summary: string;
      };
      assert.deepEqual([metric.state, metric.summary], ['ok', '30']);
      assert.ok(!stdout.includes(server.password) && !stderr.includes(server.password));
      const kept = await fs.readFile(
        path.join(workspace, '.cache/upkeep/db-snapshots.json'),
        'utf8',
      );
      assert.ok(kept.includes(database));
    });

    it('prints a text table, and exits 2 naming the environment database.yml lacks', async () => {
      const text = await runCli(
        ['db', '--workspace', workspace, '--card', 'databaseSize', 'connectivity'],
        env,
      );
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^Database postgres@127\.0\.0\.1:\d+\/\S+ \(config\/database\.yml, development\)$/m,
      );
      assert.match(text.stdout, /^OK {4}Connectivity {3}PostgreSQL/m);

      const sneaky = await runCli(
        ['db', '--workspace', workspace, '--card', 'metric:custom.sneaky'],
        env,
      );
      assert.equal(sneaky.code, 1);
      assert.match(sneaky.stdout, /^ERR +Sneaky +Could not run: Refused: Upkeep only reads/m);
      // Said once: a "why:" line repeated the summary word for word.
      assert.equal(sneaky.stdout.split('Refused: Upkeep only reads').length, 2, sneaky.stdout);
      const [left] = await admin<{ n: number }>(
        server.url(database),
        'SELECT count(*)::int AS n FROM users',
      );
      assert.equal(left.n, 50);

      const verbose = await runCli(
        [
          'db',
          '--workspace',
          workspace,
          '--verbose',
          '--no-snapshots',
          '--card',
          'connectivity',
          'slowQueries',
        ],
        env,
      );
      assert.equal(verbose.code, 0, verbose.stderr);
      assert.match(verbose.stderr, /connected to postgres@127\.0\.0\.1/);
      assert.match(verbose.stderr, /slowQueries: \d+ rows in \d+ ms/);
      assert.ok(
        !verbose.stderr.includes(server.password) && !verbose.stdout.includes(server.password),
      );

      const missing = await runCli(['db', '--workspace', workspace, '--env', 'staging'], env);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /has no "staging" environment \(it has: development, test\)/);
    });
  });
}

describe('database checks without a database', function () {
  this.timeout(60_000);

  it('skips with the fix when nothing is configured, and upkeep db exits 2', async () => {
    const workspace = await workspaceWith({ 'README.md': 'no database here' });
    const results = await runDbChecks(workspace, {});
    assert.equal(results.get('health.database')?.outcome, 'skipped');
    assert.match(results.get('health.database')?.details ?? '', /Configure Database Connection/);
    assert.equal(results.get('db.slowQueries')?.outcome, 'skipped');
    const cli = await runCli(['db', '--workspace', workspace, '--format', 'json'], {
      HOME: workspace,
    });
    assert.equal(cli.code, 2);
    assert.equal((JSON.parse(cli.stdout) as { error: { code: string } }).error.code, 'not-found');
  });

  it('reads no repo file in an untrusted workspace', async () => {
    const server = serversUnderTest[0];
    const running = await server.start();
    const workspace = await workspaceWith({
      'config/database.yml': DATABASE_YML(running.port, 'postgres'),
      '.env': `DATABASE_URL=${running.url()}\n`,
    });
    const results = await runDbChecks(
      workspace,
      { UPKEEP_TEST_PGPASSWORD: running.password },
      false,
    );
    assert.equal(results.get('health.database')?.outcome, 'skipped');
    assert.match(results.get('health.database')?.details ?? '', /untrusted/);
  });
});
