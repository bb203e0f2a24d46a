/**
 * A login the server refuses (a wrong or rotated password, an unknown role) is a setting to fix,
 * as a missing password or a database that does not exist is: `upkeep check` and `upkeep db`
 * exit 2, which a cron line or a CI job tells from a database found unhealthy (1). Nothing of
 * the database was checked. A server that is down is a finding, and still exits 1.
 */
import { strict as assert } from 'node:assert';
import { freePort } from '../../../scripts/lib/embeddedPostgres';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { runCli } from '../../support/cli';
import { createDatabase, embeddedServer } from '../../support/postgres';
import { tempFolderWith } from '../../support/tempFolders';

interface Report {
  exitCode: number;
  results: { checkId: string; outcome: string; summary: string }[];
}

describe('a refused login exits 2, a setting to fix', function () {
  this.timeout(120_000);
  let server: RunningPostgres;
  let wrong: string;
  let workspace: string;

  before(async () => {
    server = await embeddedServer();
    const url = new URL(await createDatabase(server, 'refused'));
    url.password = 'rotated-since-4711';
    wrong = url.toString();
    workspace = await tempFolderWith('upkeep-refused-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
  });

  it('upkeep check: text, JSON and JUnit, with stderr saying why', async () => {
    const args = ['check', '--workspace', workspace, '--check', 'db.size'];
    const env = { HOME: workspace, DATABASE_URL: wrong };

    const text = await runCli(args, env);
    assert.equal(text.code, 2, text.stdout + text.stderr);
    assert.match(text.stdout, /health\.database +FAIL +PostgreSQL refused the login for /);
    assert.match(text.stderr, /exit code 2: health\.database could not run for a gap in the setup/);
    assert.ok(!(text.stdout + text.stderr).includes('rotated-since-4711'));

    const json = await runCli([...args, '--format', 'json'], env);
    assert.equal(json.code, 2, json.stderr);
    const report = JSON.parse(json.stdout) as Report;
    assert.equal(report.exitCode, 2);
    assert.deepEqual(
      report.results.map((result) => [result.checkId, result.outcome]),
      [
        ['health.database', 'fail'],
        ['db.size', 'skipped'],
      ],
    );

    const junit = await runCli([...args, '--format', 'junit'], env);
    assert.equal(junit.code, 2, junit.stderr);
    assert.match(junit.stdout, /<failure message="fail: PostgreSQL refused the login for /);

    // Two causes of exit 2 at once, results that could not be kept and the refused login: each
    // is said, not only the first (nobody, root included, creates files in /proc).
    const unsaved = await runCli([...args, '--save', '/proc/upkeep-results.json'], env);
    assert.equal(unsaved.code, 2, unsaved.stderr);
    assert.match(unsaved.stderr, /the results were not saved in \/proc\/upkeep-results\.json/);
    assert.match(unsaved.stderr, /exit code 2: health\.database could not run for a gap in the/);
  });

  it('upkeep db exits 2 too', async () => {
    const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {
      HOME: workspace,
      DATABASE_URL: wrong,
    });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /PostgreSQL refused the login for /);
  });

  it('a server that is down is a finding: exit 1', async () => {
    const down = new URL(wrong);
    down.port = String(await freePort());
    const run = await runCli(['check', '--workspace', workspace, '--check', 'health.database'], {
      HOME: workspace,
      DATABASE_URL: down.toString(),
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /health\.database +FAIL +Cannot reach PostgreSQL/);
  });
});
