/**
 * Slowest queries for a role that may not read shared_preload_libraries (no superuser, no
 * pg_read_all_settings), on servers of their own that do not preload pg_stat_statements, both
 * versions: CREATE EXTENSION alone, the fix it was given, leaves a view that records nothing.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`pg_stat_statements not preloaded, seen by a plain role on ${target.name}`, function () {
    this.timeout(120_000);

    it('asks to check shared_preload_libraries along with CREATE EXTENSION', async () => {
      const server = await target.startWith({ shared_preload_libraries: '' });
      const url = await createDatabase(server, 'nopreload');
      await admin(url, `CREATE ROLE watcher LOGIN PASSWORD 'watcher-secret'`);
      const watcherUrl = new URL(url);
      watcherUrl.username = 'watcher';
      watcherUrl.password = 'watcher-secret';
      const { session } = await connect(watcherUrl.toString());
      try {
        const card = await runCard(session, 'slowQueries');
        assert.equal(card.state, 'skipped', card.summary);
        assert.match(card.summary, /available \(.*\) but not created/);
        assert.equal(
          card.fix,
          'CREATE EXTENSION pg_stat_statements; (it records only if shared_preload_libraries ' +
            'lists it, which role watcher may not read: if it does not, add ' +
            'pg_stat_statements to shared_preload_libraries in postgresql.conf and restart ' +
            'PostgreSQL)',
        );

        // The truth the fix must lead to: created without the preload, it records nothing.
        await admin(url, 'CREATE EXTENSION pg_stat_statements');
        await assert.rejects(
          admin(url, 'SELECT count(*) FROM pg_stat_statements'),
          /must be loaded via "?shared_preload_libraries/,
        );
      } finally {
        await session.close();
      }
    });
  });
}
