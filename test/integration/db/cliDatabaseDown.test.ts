/**
 * A cron line that runs only database checks (`--task weekly.database`) against a database that
 * does not answer: each check skips and points at health.database, so health.database must be
 * in the run, or the job exits 0 and nobody hears that the weekly checks never ran. Its failure
 * names the database, whatever stopped it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../../scripts/lib/embeddedPostgres';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { runCli } from '../../support/cli';

interface Report {
  exitCode: number;
  results: {
    checkId: string;
    outcome: string;
    summary: string;
    details?: string;
    values?: Record<string, unknown>;
  }[];
}

describe('upkeep check with only database checks and no database to reach', function () {
  this.timeout(120_000);
  let workspace: string;
  let url: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'down');
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-db-down-'));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  const weeklyDatabase = async (env: NodeJS.ProcessEnv): Promise<[number | null, Report]> => {
    const run = await runCli(
      ['check', '--workspace', workspace, '--task', 'weekly.database', '--format', 'json'],
      { XDG_CACHE_HOME: path.join(workspace, '.cache'), ...env },
    );
    return [run.code, JSON.parse(run.stdout) as Report];
  };

  it('a server that is down fails the run through health.database', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/app`;
    const [code, report] = await weeklyDatabase({ DATABASE_URL: closed });
    const health = report.results.find((result) => result.checkId === 'health.database');
    assert.equal(health?.outcome, 'fail', JSON.stringify(report.results));
    assert.match(health?.summary ?? '', /Cannot reach PostgreSQL/);
    assert.equal(code, 1);
    assert.equal(report.exitCode, 1);
  });

  it('a server that is down is described once; the other checks point at it', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/app`;
    const env = { XDG_CACHE_HOME: path.join(workspace, '.cache'), DATABASE_URL: closed };
    const args = ['check', '--workspace', workspace, '--task', 'weekly.database'];
    const text = await runCli(args, env);
    const rows = text.stdout.split('\n\n')[0].split('\n');
    const withCause = rows.filter((row) => row.includes('ECONNREFUSED'));
    assert.deepEqual(
      withCause.map((row) => row.split(' ')[0]),
      ['health.database'],
      text.stdout,
    );
    const others = rows.filter((row) => /^(db|business)\./.test(row));
    assert.ok(others.length >= 4, text.stdout);
    for (const row of others) {
      assert.match(row, /SKIPPED +database not reachable \(see health\.database\) +\d/);
    }

    const [, report] = await weeklyDatabase({ DATABASE_URL: closed });
    const vacuum = report.results.find((result) => result.checkId === 'db.vacuum');
    assert.equal(vacuum?.summary, 'database not reachable (see health.database)');
    assert.equal(vacuum?.values?.databaseUnavailable, 'unreachable');
    assert.match(vacuum?.details ?? '', /Cannot reach PostgreSQL.*ECONNREFUSED/);
  });

  it('a refused password fails the run too', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const [code, report] = await weeklyDatabase({ DATABASE_URL: wrong.toString() });
    const health = report.results.find((result) => result.checkId === 'health.database');
    assert.equal(health?.outcome, 'fail');
    // Not 0: a setting to fix (exit 2), as a missing password is; nothing was checked.
    assert.equal(code, 2);
    assert.equal(report.exitCode, 2);
  });

  it('a server too slow for the statement timeout fails naming the database, in time', async () => {
    // The role's transactions are SERIALIZABLE READ ONLY DEFERRABLE, which wait for a safe
    // snapshot while a serializable transaction that wrote is open: the first read never ends.
    // (Not a function shadowing current_setting: Upkeep's reads put pg_catalog first.)
    await admin(
      url,
      'CREATE TABLE slow_writes (n int); ' +
        "CREATE ROLE slowpoke LOGIN PASSWORD 'slow-secret-5150'; " +
        "ALTER ROLE slowpoke SET default_transaction_isolation = 'serializable'; " +
        'ALTER ROLE slowpoke SET default_transaction_deferrable = on',
    );
    const writer = new Client({ connectionString: url });
    await writer.connect();
    await writer.query('BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT INTO slow_writes VALUES (1)');
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    const settings = path.join(workspace, '.vscode/settings.json');
    await fs.writeFile(settings, '{ "upkeep.database.statementTimeoutMs": 1000 }\n');
    const slow = new URL(url);
    slow.username = 'slowpoke';
    slow.password = 'slow-secret-5150';
    try {
      const started = Date.now();
      const [code, report] = await weeklyDatabase({ DATABASE_URL: slow.toString() });
      const health = report.results.find((result) => result.checkId === 'health.database');
      assert.equal(health?.outcome, 'fail', JSON.stringify(report.results));
      const where = `slowpoke@127.0.0.1:${slow.port}${slow.pathname} (from DATABASE_URL)`;
      assert.ok(health?.summary.includes(where), health?.summary);
      assert.match(health?.summary ?? '', /statement timeout \(1000 ms\)/);
      assert.doesNotMatch(JSON.stringify(report), /slow-secret-5150/);
      assert.equal(code, 1);
      assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
      await fs.rm(settings);
    }
  });

  it('pinned: with no database configured at all (a CI runner) the run still exits 0', async () => {
    const [code, report] = await weeklyDatabase({});
    assert.ok(report.results.every((result) => result.outcome === 'skipped'));
    assert.equal(code, 0);
  });

  it('pinned: a database that answers passes health.database and the task', async () => {
    const [code, report] = await weeklyDatabase({ DATABASE_URL: url });
    const ids = report.results.map((result) => result.checkId);
    assert.equal(ids[0], 'health.database');
    assert.equal(report.results[0].outcome, 'pass');
    assert.notEqual(code, 2);
  });
});
