/**
 * The database goes away in the middle of a run (a restart, a failover, a crash), after
 * health.database passed: the checks after it could not connect again and skipped, pointing at
 * health.database, which had passed, so the cron job exited 0 with the database checks not run.
 * The server here is a real embedded PostgreSQL of the test's own, stopped while a custom check
 * of the playbook pauses between health.database and the other database checks.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startCli } from '../../support/cli';
import { createDatabase, dedicatedServer } from '../../support/postgres';
import { tempFolderWith } from '../../support/tempFolders';

interface Report {
  exitCode: number;
  results: { checkId: string; outcome: string; summary: string; details?: string }[];
}

const PLAYBOOK = `checks:
  - id: custom.pause
    title: A pause while the server goes away
    kind: shell
    command: touch started && sleep 4
`;

describe('upkeep check when the database goes away during the run', function () {
  this.timeout(120_000);

  it('fails the run: the checks after the loss are errors, not skipped', async () => {
    const server = await dedicatedServer('embedded', {});
    const url = await createDatabase(server, 'lost');
    const workspace = await tempFolderWith('upkeep-db-lost-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.upkeep/playbook.yaml': PLAYBOOK,
    });
    const cli = startCli(
      [
        ...['check', '--workspace', workspace, '--format', 'json', '--parallelism', '1'],
        ...['--check', 'health.database', '--check', 'custom.pause'],
        ...['--check', 'db.size', '--check', 'db.vacuum'],
      ],
      { DATABASE_URL: url, XDG_CACHE_HOME: path.join(workspace, '.cache') },
    );
    const deadline = Date.now() + 30_000;
    while (!(await fs.stat(path.join(workspace, 'started')).catch(() => undefined))) {
      assert.ok(Date.now() < deadline, `the pause never started: ${cli.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop();
    const run = await cli.exited;

    const report = JSON.parse(run.stdout) as Report;
    const outcome = (id: string): Report['results'][number] | undefined =>
      report.results.find((result) => result.checkId === id);
    assert.equal(outcome('health.database')?.outcome, 'pass', run.stdout);
    for (const id of ['db.size', 'db.vacuum']) {
      const result = outcome(id);
      assert.equal(result?.outcome, 'error', JSON.stringify(result));
      assert.match(
        result?.summary ?? '',
        /database lost during the run \(health.database reached it\)/,
      );
      assert.match(result?.details ?? '', /Cannot reach PostgreSQL/);
    }
    assert.equal(run.code, 1, run.stderr);
    assert.equal(report.exitCode, 1);
  });
});
