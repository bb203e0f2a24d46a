/**
 * `upkeep db` whose connection an administrator ends halfway (pg_terminate_backend from another
 * session) on the embedded server: the card that was running says what happened and what to do,
 * once; each card after it says in a few words that it was not read.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const PLAYBOOK = `checks:
  - id: slow
    title: A slow report
    kind: sql
    sql: SELECT pg_sleep(20) AS slept
  - id: after
    title: A report after it
    kind: sql
    sql: SELECT 1 AS one
  - id: later
    title: Another report
    kind: sql
    sql: SELECT 2 AS two
`;

describe('upkeep db when the server ends its connection mid-run', function () {
  this.timeout(60_000);

  it('says it once on the card that was running, and briefly on the cards after', async () => {
    const url = await createDatabase(await embeddedServer(), 'cli_lost');
    const workspace = await tempFolderWith('upkeep-cli-lost-', {
      '.upkeep/playbook.yaml': PLAYBOOK,
    });
    const cli = startCli(
      [
        ...['db', '--workspace', workspace, '--no-snapshots'],
        ...['--card', 'metric:slow', '--card', 'metric:after', '--card', 'metric:later'],
      ],
      { DATABASE_URL: url, XDG_CACHE_HOME: path.join(workspace, '.cache') },
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [ended] = await admin<{ count: number }>(
        url,
        'SELECT count(pg_terminate_backend(pid))::int AS count FROM pg_stat_activity WHERE ' +
          "application_name = 'upkeep' AND query LIKE '%pg_sleep(20)%' AND state = 'active'",
      );
      if (ended.count > 0) break;
      assert.ok(Date.now() < deadline, `the slow report never started: ${cli.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const run = await cli.exited;

    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n');
    const said = lines.filter((line) => /terminating connection/.test(line));
    assert.equal(said.length, 1, run.stdout);
    assert.match(said[0], /^ERR +A slow report +Could not run: The server ended the conn/);
    const todo = lines.filter((line) => /run again once the server answers/.test(line));
    assert.equal(todo.length, 1, run.stdout);
    for (const title of ['A report after it', 'Another report']) {
      const line = lines.find((text) => text.includes(title));
      assert.equal(
        line?.replace(/ +/g, ' '),
        `ERR ${title} Not read: the connection was lost during A slow report.`,
        run.stdout,
      );
    }
  });
});
