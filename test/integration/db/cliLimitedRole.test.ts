/**
 * `upkeep db` as a monitoring role without pg_read_all_stats: a card that still reads ok (the
 * slowest queries, whose texts of other roles are hidden) says in the text what the role misses
 * and the GRANT that shows it, as the dashboard and the JSON do.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { embeddedServer } from '../../support/postgres';
import { admin, createDatabase } from './servers';

describe('upkeep db text as a role without pg_read_all_stats', function () {
  this.timeout(120_000);
  let workspace: string;
  let url: string;
  let role: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'cli_limited');
    role = `cli_watcher_${process.pid}`;
    await admin(url, `CREATE EXTENSION pg_stat_statements`);
    await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'`);
    // A statement of another role, whose text the watcher may not read.
    await admin(url, 'SELECT count(*) FROM pg_class');
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-limited-'));
  });

  after(async () => {
    await admin(url, `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('an ok Slowest queries card prints its why and the GRANT', async () => {
    const limited = new URL(url);
    limited.username = role;
    limited.password = 'watch-pw';
    const env = { DATABASE_URL: limited.toString(), HOME: workspace, XDG_CACHE_HOME: workspace };
    const args = ['db', '--workspace', workspace, '--no-snapshots', '--card', 'slowQueries'];

    const json = await runCli([...args, '--format', 'json'], env);
    const [card] = (JSON.parse(json.stdout) as { cards: { state: string; fix?: string }[] }).cards;
    assert.equal(card.state, 'ok', json.stdout);
    assert.equal(card.fix, `GRANT pg_read_all_stats TO "${role}";`);

    const text = await runCli(args, env);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /^OK +Slowest queries /m);
    assert.match(text.stdout, /why: Role \S+ sees the query text of its own sessions only\.$/m);
    assert.match(text.stdout, new RegExp(`fix: GRANT pg_read_all_stats TO "${role}";$`, 'm'));
    assert.doesNotMatch(text.stdout + text.stderr, /watch-pw/);
  });

  it('pg_stat_statements in a schema the role may not use: skipped, with the GRANT', async () => {
    const hidden = await createDatabase(await embeddedServer(), 'cli_limited_schema');
    await admin(
      hidden,
      `CREATE SCHEMA monitoring; REVOKE ALL ON SCHEMA monitoring FROM PUBLIC;
       CREATE EXTENSION pg_stat_statements SCHEMA monitoring;`,
    );
    const limited = new URL(hidden);
    limited.username = role;
    limited.password = 'watch-pw';
    const env = { DATABASE_URL: limited.toString(), HOME: workspace, XDG_CACHE_HOME: workspace };
    const args = ['db', '--workspace', workspace, '--no-snapshots', '--card', 'slowQueries'];

    const text = await runCli(args, env);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    const said = 'pg_stat_statements is in schema "monitoring", which role \\S+ may not use\\.';
    assert.match(text.stdout, new RegExp(`^SKIP +Slowest queries +${said}$`, 'm'));
    assert.match(
      text.stdout,
      new RegExp(`fix: GRANT USAGE ON SCHEMA "monitoring" TO "${role}";$`, 'm'),
    );
  });
});
