/**
 * Slowest queries leaves out Upkeep's own statements, and only those: a statement of the app,
 * run as the same role, cannot hide itself by starting with Upkeep's comment.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import type { SlowQueriesData } from '../../../src/core/db/activityCards';
import { collectCards } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`own statements in Slowest queries on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    const sessions: DbSession[] = [];

    before(async () => {
      const server = await target.start();
      url = await createDatabase(server, 'own');
      await admin(url, 'CREATE EXTENSION pg_stat_statements');
      await admin(url, 'CREATE TABLE orders (id serial PRIMARY KEY, total int)');
    });

    after(async () => {
      for (const session of sessions) await session.close();
    });

    async function slowQueries(): Promise<SlowQueriesData> {
      const { session } = await connect(url);
      sessions.push(session);
      const cards = await collectCards(session, { limit: 200 });
      const card = cards.find((candidate) => candidate.id === 'slowQueries');
      assert.ok(card?.data, card?.summary);
      return card.data as SlowQueriesData;
    }

    it("shows the app's slow statement that starts with Upkeep's comment", async () => {
      // The app connects as the same role as Upkeep (the test's URL for both).
      await admin(url, '/* upkeep: x */ SELECT pg_sleep(0.2)');
      await admin(url, '/* upkeep:tables */ SELECT count(*) FROM orders, pg_sleep(0.1)');
      // Upkeep's checks, as the CLI runs them (a session of their own).
      const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-own-'));
      try {
        const results = await runChecks(
          createDbChecks({ snapshotFile: path.join(workspace, 'snapshots.json') }),
          {
            workspace,
            settings: resolveSettings({ database: { url } }),
            clock: systemClock,
            log: silentLogger,
            trusted: true,
            env: {},
          },
          { onFinished: closeSharedDbSession },
        );
        const errors = results.filter((result) => result.outcome === 'error');
        assert.deepEqual(errors, []);
      } finally {
        await fs.rm(workspace, { recursive: true, force: true });
      }
      // The first run, and a later one that also sees the first run's statements.
      for (const run of [1, 2]) {
        const { queries } = await slowQueries();
        const marked = queries.filter((q) => /upkeep:/.test(q.query)).map((q) => q.query);
        const shown = `run ${run}: ${JSON.stringify(marked)}`;
        assert.ok(
          marked.some((text) => text.startsWith('/* upkeep: x */ SELECT pg_sleep')),
          shown,
        );
        assert.ok(
          marked.some((text) => text.startsWith('/* upkeep:tables */ SELECT count(*) FROM orders')),
          shown,
        );
        assert.equal(marked.length, 2, `only the app's statements, ${shown}`);
      }
    });

    it('leaves out its own statement run by an earlier process (a nightly upkeep db)', async () => {
      // Each run is a new process: it had not planned its own statement when it read the view,
      // so the run before it topped the list.
      const other = await createDatabase(await target.start(), 'own_cli');
      await admin(other, 'CREATE EXTENSION pg_stat_statements');
      const workspace = await tempFolder('upkeep-own-cli-');
      const args = ['db', '--card', 'slowQueries', '--format', 'json', '--workspace', workspace];
      await runCli(args, { DATABASE_URL: other });
      const run = await runCli(args, { DATABASE_URL: other });
      assert.equal(run.code, 0, run.stderr);
      const [card] = (JSON.parse(run.stdout) as { cards: { data: SlowQueriesData }[] }).cards;
      const own = card.data.queries.map((q) => q.query).filter((text) => /upkeep:/.test(text));
      assert.deepEqual(own, []);
    });

    it('leaves out what the checks of another Upkeep process ran (the cron job)', async () => {
      // The checks run statements no card does (health.database's, the accounts check's): a
      // later upkeep db, or the editor, had never planned them. Both keep the ids they learn
      // in the user's cache folder.
      const other = await createDatabase(await target.start(), 'own_checks');
      await admin(other, 'CREATE EXTENSION pg_stat_statements');
      await admin(other, 'CREATE TABLE users (id serial PRIMARY KEY, created_at timestamptz)');
      const workspace = await tempFolder('upkeep-own-checks-');
      const env = { DATABASE_URL: other, XDG_CACHE_HOME: await tempFolder('upkeep-cache-') };
      for (const tier of ['daily', 'weekly', 'monthly']) {
        const checks = await runCli(['check', '--tier', tier, '--workspace', workspace], env);
        assert.ok(checks.code === 0 || checks.code === 1, checks.stdout + checks.stderr);
      }
      const args = ['db', '--card', 'slowQueries', '--format', 'json', '--workspace', workspace];
      const run = await runCli(args, env);
      assert.equal(run.code, 0, run.stderr);
      const [card] = (JSON.parse(run.stdout) as { cards: { data: SlowQueriesData }[] }).cards;
      const own = card.data.queries.map((q) => q.query).filter((text) => /upkeep:/.test(text));
      assert.deepEqual(own, []);
    });

    for (const as of ['the same role', 'a role of its own']) {
      it(`leaves out what Upkeep ran on another machine, as ${as}`, async () => {
        // Another machine shares no cache folder with this one: the summary's process learned
        // its statements' query ids, the one reading Slowest queries later had none of them.
        const other = await createDatabase(await target.start(), 'own_elsewhere');
        await admin(other, 'CREATE EXTENSION pg_stat_statements');
        await admin(other, 'CREATE TABLE users (id serial PRIMARY KEY, onboarding_step int)');
        await admin(other, 'SELECT count(*) FROM users, pg_sleep(0.05)');
        const elsewhere = new URL(other);
        if (as === 'a role of its own') {
          const role = `monitor_${process.pid}_${target.major}`;
          await admin(
            other,
            `CREATE ROLE ${role} LOGIN PASSWORD 'monitor' IN ROLE pg_read_all_stats; ` +
              `GRANT SELECT ON users TO ${role}`,
          );
          elsewhere.username = role;
          elsewhere.password = 'monitor';
        }
        const workspace = await tempFolder('upkeep-own-elsewhere-');
        const summary = await runCli(['db', '--workspace', workspace, '--format', 'json'], {
          DATABASE_URL: elsewhere.toString(),
          XDG_CACHE_HOME: await tempFolder('upkeep-cache-there-'),
        });
        assert.ok(summary.code === 0 || summary.code === 1, summary.stderr);

        const args = ['db', '--card', 'slowQueries', '--format', 'json', '--workspace', workspace];
        const run = await runCli(args, {
          DATABASE_URL: other,
          XDG_CACHE_HOME: await tempFolder('upkeep-cache-here-'),
        });
        assert.equal(run.code, 0, run.stderr);
        const [card] = (JSON.parse(run.stdout) as { cards: { data: SlowQueriesData }[] }).cards;
        const texts = card.data.queries.map((q) => q.query);
        const own = texts.filter((text) =>
          /upkeep:|^(BEGIN READ ONLY|ROLLBACK|SET LOCAL |SELECT pg_catalog\.set_config)/.test(text),
        );
        assert.deepEqual(own, []);
        assert.ok(
          texts.some((text) => text.startsWith('SELECT count(*) FROM users, pg_sleep')),
          `the app's statement is still listed: ${JSON.stringify(texts)}`,
        );
      });
    }

    it("leaves out the transaction each of Upkeep's reads runs in", async () => {
      // Every read runs as BEGIN READ ONLY, SET LOCAL timeouts, the catalogs first in the path,
      // the query, ROLLBACK: on the demo they filled Slowest queries, each with an Explain
      // button that could only fail.
      await slowQueries();
      const { queries } = await slowQueries();
      const wrapper = queries
        .map((q) => q.query)
        .filter((text) =>
          /^(BEGIN READ ONLY|ROLLBACK|SET LOCAL |SELECT pg_catalog\.set_config)/.test(text),
        );
      assert.deepEqual(wrapper, []);
      assert.ok(queries.length > 0, 'the earlier statements are still listed');
    });
  });
}
