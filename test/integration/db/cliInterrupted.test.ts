/**
 * The database commands interrupted the way cron, CI and a maintainer interrupt them: `upkeep db`
 * stopped by Ctrl-C or a job's SIGTERM, an `upkeep check` run whose connection the server drops
 * halfway (a restart, a failover, an administrator's pg_terminate_backend), and a slow check cut
 * short by --timeout.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { runCli, startCli } from '../../support/cli';

const PLAYBOOK = `checks:
  - id: custom.slowReport
    title: A slow report query
    kind: sql
    sql: SELECT pg_sleep(20) AS slept
  - id: custom.lingers
    title: A tool that leaves a process of its own holding its output
    kind: shell
    command: setsid sleep 30 & sleep 30
`;

/** Waits until Upkeep's session runs pg_sleep on the server, and returns its backend pid. */
async function upkeepSleeping(url: string, describe: () => string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await admin<{ pid: number }>(
      url,
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'upkeep' " +
        "AND query LIKE '%pg_sleep(20)%' AND state = 'active'",
    );
    if (rows.length) return rows[0].pid;
    assert.ok(Date.now() < deadline, `the slow query never started: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('database commands interrupted mid-run', function () {
  this.timeout(120_000);
  let url: string;
  let workspace: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'interrupted');
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-interrupted-'));
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(path.join(workspace, '.upkeep/playbook.yaml'), PLAYBOOK);
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
    env = { DATABASE_URL: url, XDG_CACHE_HOME: path.join(workspace, '.cache') };
  });
  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`upkeep db on ${signal}: exits 2, error "cancelled", its query stopped`, async () => {
      const cli = startCli(
        ['db', '--workspace', workspace, '--format', 'json', '--card', 'metric:custom.slowReport'],
        env,
      );
      await upkeepSleeping(url, () => cli.output().stderr);
      cli.child.kill(signal);
      const run = await cli.exited;

      assert.equal(run.code, 2, run.stderr);
      const output = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      assert.equal(output.error.code, 'cancelled');
      assert.match(run.stderr, new RegExp(`upkeep db: Cancelled \\(${signal}\\)`));
      const left = await admin(
        url,
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'upkeep'",
      );
      assert.deepEqual(left, [], 'no session of Upkeep left on the server');
    });
  }

  it('upkeep check connects again after the server dropped its connection', async () => {
    const cli = startCli(
      [
        ...['check', '--workspace', workspace, '--format', 'json', '--parallelism', '1'],
        ...['--check', 'custom.slowReport', '--check', 'health.database', '--check', 'db.size'],
      ],
      env,
    );
    const pid = await upkeepSleeping(url, () => cli.output().stderr);
    await admin(url, 'SELECT pg_terminate_backend($1)', [pid]);
    const run = await cli.exited;

    const report = JSON.parse(run.stdout) as {
      results: { checkId: string; outcome: string; summary: string }[];
    };
    const byId = new Map(report.results.map((result) => [result.checkId, result]));
    assert.equal(byId.get('custom.slowReport')?.outcome, 'error', run.stdout);
    assert.match(
      byId.get('custom.slowReport')?.summary ?? '',
      /^The server ended the connection during custom\.slowReport: terminating connection/,
    );
    // The server is up: the checks after the broken connection open a new one.
    assert.equal(
      byId.get('health.database')?.outcome,
      'pass',
      byId.get('health.database')?.summary,
    );
    assert.equal(byId.get('db.size')?.outcome, 'pass', byId.get('db.size')?.summary);
    assert.equal(run.code, 1, run.stderr);
  });

  it("health.database passes before a repo's slow SQL check takes the session", async () => {
    // The slow query came between health.database's two queries and held it up until --timeout,
    // as if the database did not answer.
    const run = await runCli(
      [
        ...['check', '--workspace', workspace, '--format', 'json', '--timeout', '2'],
        ...['--check', 'custom.slowReport', '--check', 'db.size'],
      ],
      env,
    );

    const report = JSON.parse(run.stdout) as {
      results: { checkId: string; outcome: string; summary: string; durationMs: number }[];
    };
    const [health, slow] = report.results;
    assert.equal(health.checkId, 'health.database');
    assert.equal(health.outcome, 'pass', health.summary);
    assert.ok(health.durationMs < 2000, `${health.durationMs} ms`);
    assert.deepEqual([slow.checkId, slow.outcome], ['custom.slowReport', 'error']);
    assert.match(slow.summary, /^timed out after 2 s/);
    assert.equal(run.code, 1, run.stderr);
  });

  it('upkeep check exits after its report even when a timed-out check is still busy', async () => {
    // The check's tool is stopped at its timeout, but a process it started in a session of its
    // own holds the output pipe open: it stands for any work a timed-out check leaves behind.
    // cron must still get its exit code.
    const started = Date.now();
    const cli = startCli(
      ['check', '--workspace', workspace, '--check', 'custom.lingers', '--timeout', '2'],
      env,
    );
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 40_000);
    const run = await cli.exited;
    clearTimeout(timer);

    assert.equal(run.code, 1, `killed after 40 s: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /custom\.lingers +ERROR +timed out after 2 s/);
    assert.match(run.stderr, /still running .* after the report/);
    assert.ok(Date.now() - started < 30_000, 'exited soon after the report');
  });
});
