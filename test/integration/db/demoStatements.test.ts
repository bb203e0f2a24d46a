/**
 * The demo's Slowest queries: what the app ran, not the demo loader's own schema, data and
 * ANALYZE statements, which a new user would otherwise read (and the Slow queries check report).
 */
import * as assert from 'node:assert/strict';
import type { SlowQueriesData } from '../../../src/core/db/activityCards';
import { collectCards } from '../../../src/core/db/cards';
import { embeddedServer } from '../../support/postgres';
import { createDemoDatabaseFor } from './demoDatabase';
import { connect } from './servers';

describe('demo database statements', function () {
  this.timeout(120_000);

  it("shows the app's queries in Slowest queries, not the loader's", async () => {
    const url = await createDemoDatabaseFor(await embeddedServer());
    const { session } = await connect(url);
    try {
      const [card] = await collectCards(session, { only: ['slowQueries'] });
      assert.equal(card.state, 'ok', card.summary);
      const queries = (card.data as SlowQueriesData).queries.map((q) => q.query);
      const loader = queries.filter((query) =>
        /\b(ANALYZE|generate_series|CREATE|DROP|INSERT|pg_stat_statements_reset)\b/i.test(query),
      );
      assert.deepEqual(loader, []);
      assert.ok(
        queries.some((query) => /FROM bookings WHERE user_id = \$1/.test(query)),
        queries.join('\n'),
      );
    } finally {
      await session.close();
    }
  });
});
