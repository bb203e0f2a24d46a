/**
 * The monthly "top 20 queries by mean time" (the guidelines' pg_stat_statements query, LIMIT 20)
 * beside the weekly slow-query review (LIMIT 10), on both real servers: db.topQueriesByMean
 * lists the 20 statements slowest on average in its details, db.slowQueries the 10, and the
 * Slowest queries card reads as many by mean time as it is asked for.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { collectCards } from '../../../src/core/db/cards';
import type { SlowQueriesData } from '../../../src/core/db/activityCards';
import { fixedClock } from '../../../src/core/util/clock';
import { admin, connect, createDatabase, runDbChecks, serversUnderTest } from './servers';

/** Statement shapes, the k-th sleeping 10 + 3k ms: `SELECT pg_sleep($1), $2, …`. */
const SHAPES = 25;

for (const target of serversUnderTest) {
  describe(`top queries by mean time on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;
    /**
     * The same database for the test's own reads of pg_stat_statements, which the extension
     * does not track: on a loaded machine such a read took longer than the fastest pg_sleep and
     * came among the slowest on average itself.
     */
    let untracked: string;

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'bymean');
      untracked = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(
        '-c pg_stat_statements.track=none',
      )}`;
      await admin(url, 'CREATE EXTENSION pg_stat_statements');
      // This database's statements only: the extension's creation would be among the slowest.
      await admin(
        untracked,
        `SELECT pg_stat_statements_reset(0,
           (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`,
      );
      for (let k = 1; k <= SHAPES; k++) {
        const constants = Array.from({ length: k }, () => ', 1').join('');
        await admin(url, `SELECT pg_sleep(${(10 + 3 * k) / 1000})${constants}`);
      }
    });

    /** The statements a check's details list, in their order. */
    function listed(details: string | undefined): string[] {
      return [...(details ?? '').matchAll(/^ {2}\d+\. .* mean, .*: (SELECT pg_sleep.*)$/gm)].map(
        ([, query]) => query,
      );
    }

    /** The guidelines' query itself, over the test's statements: ORDER BY mean time, LIMIT. */
    async function slowest(count: number): Promise<string[]> {
      const rows = await admin<{ query: string }>(
        untracked,
        `SELECT /* the test's yardstick */ query FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND query LIKE 'SELECT pg_sleep%'
          ORDER BY mean_exec_time DESC LIMIT $1`,
        [count],
      );
      return rows.map((row) => row.query);
    }

    it('db.topQueriesByMean lists the 20 slowest on average, db.slowQueries the 10', async () => {
      const results = await runDbChecks(url, fixedClock(new Date()), (id) =>
        ['db.slowQueries', 'db.topQueriesByMean'].includes(id),
      );
      const byId = new Map(results.map((result) => [result.checkId, result]));
      const monthly = byId.get('db.topQueriesByMean');
      const weekly = byId.get('db.slowQueries');
      assert.equal(monthly?.outcome, 'pass', monthly?.summary);
      assert.match(monthly?.details ?? '', /^By mean time \(the 20 slowest on average\):$/m);
      assert.deepEqual(listed(monthly?.details), await slowest(20));
      assert.match(weekly?.details ?? '', /^By mean time \(the 10 slowest on average\):$/m);
      assert.deepEqual(listed(weekly?.details), await slowest(10));
      assert.equal(weekly?.summary, monthly?.summary);
    });

    it('reads as many by mean time as asked, besides the top by total time', async () => {
      const { session } = await connect(url);
      try {
        const [card] = await collectCards(session, {
          only: ['slowQueries'],
          limit: 2,
          meanLimit: 20,
        });
        const queries = (card.data as SlowQueriesData).queries;
        const byMean = [...queries].sort((a, b) => b.meanMs - a.meanMs).map((q) => q.query);
        assert.deepEqual(byMean.slice(0, 20), await slowest(20));
        assert.ok(queries.length >= 20 && queries.length <= 22, String(queries.length));
        const seen = await admin(
          untracked,
          "SELECT query FROM pg_stat_statements WHERE query LIKE '%the test''s yardstick%'",
        );
        assert.deepEqual(seen, [], 'the yardstick is not tracked');
      } finally {
        await session.close();
      }
    });
  });
}
