/**
 * The Largest tables card's row estimate for a table never vacuumed or analyzed, on both real
 * servers: PostgreSQL keeps reltuples at -1 (unknown) then, which is not "0 rows".
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import type { TablesData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`a table never analyzed on ${target.name}`, function () {
    this.timeout(120_000);

    it('estimates its rows from the statistics collector, not as 0', async () => {
      const url = await createDatabase(await target.start(), 'never_analyzed');
      await admin(
        url,
        'CREATE TABLE imports (id int) WITH (autovacuum_enabled = false); ' +
          'INSERT INTO imports SELECT generate_series(1, 3000)',
      );
      const [{ reltuples }] = await admin<{ reltuples: number }>(
        url,
        "SELECT reltuples FROM pg_class WHERE relname = 'imports'",
      );
      assert.ok(reltuples <= 0, `never analyzed: reltuples ${reltuples}`);
      // The collector takes the insert's counts when the session ends (or at once from 15 on).
      let estimate = 0;
      const { session } = await connect(url);
      try {
        for (let attempt = 0; attempt < 50 && estimate === 0; attempt++) {
          const card = await runCard(session, 'tables');
          estimate = (card.data as TablesData).tables[0].estimatedRows;
          if (estimate === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await session.close();
      }
      assert.equal(estimate, 3000);
    });
  });
}
