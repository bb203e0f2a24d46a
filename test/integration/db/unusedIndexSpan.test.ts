/**
 * The Unused indexes card on both real servers says since when its counters count: the server's
 * start for a database never reset (stats_reset is null then on PostgreSQL 15), the reset after
 * pg_stat_reset(), and that a span of under a week is too short to judge.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { collectCards } from '../../../src/core/db/cards';
import type { UnusedIndexesData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE TABLE notes (id serial PRIMARY KEY, body text);
  CREATE INDEX index_notes_on_body ON notes (body);
  INSERT INTO notes (body) SELECT 'n' || i FROM generate_series(1, 100) i;
`;

for (const target of serversUnderTest) {
  describe(`database unused-index statistics span on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres | undefined;
    let url: string;

    beforeEach(async () => {
      server ??= await target.start();
      url = await createDatabase(server, 'span');
      await admin(url, SCHEMA);
    });

    async function unusedCard(): Promise<{
      summary: string;
      fix?: string;
      data: UnusedIndexesData;
    }> {
      const { session } = await connect(url);
      try {
        const [card] = await collectCards(session, { only: ['unusedIndexes'] });
        assert.equal(card.state, 'warn', card.summary);
        return { ...card, data: card.data as UnusedIndexesData };
      } finally {
        await session.close();
      }
    }

    it('counts from the reset, or from the server start when never reset', async () => {
      const [before] = await admin<{ reset: Date | null; started: Date }>(
        url,
        `SELECT stats_reset AS reset, pg_postmaster_start_time() AS started
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      const first = await unusedCard();
      const expected = before.reset ?? before.started;
      assert.equal(first.data.statsFrom, before.reset ? 'reset' : 'serverStart');
      assert.equal(first.data.statsSince, expected.toISOString());
      assert.equal(first.data.statsDays, 0);
      const date = expected.toISOString().slice(0, 10);
      const when = before.reset ? 'statistics were reset' : 'the server started';
      const said = `no scans since ${date} (0 days), when ${when}: too short to judge`;
      assert.ok(first.summary.includes(said), first.summary);
      assert.ok(first.fix?.startsWith('DROP INDEX CONCURRENTLY'), first.fix);
      assert.ok(first.fix?.includes(said), first.fix);

      await admin(url, 'SELECT pg_stat_reset()');
      const [after] = await admin<{ reset: Date }>(
        url,
        'SELECT stats_reset AS reset FROM pg_stat_database WHERE datname = current_database()',
      );
      const second = await unusedCard();
      assert.equal(second.data.statsFrom, 'reset');
      assert.equal(second.data.statsSince, after.reset.toISOString());
      const resetDate = after.reset.toISOString().slice(0, 10);
      assert.ok(
        second.summary.includes(
          `no scans since ${resetDate} (0 days), when statistics were reset: too short to judge`,
        ),
        second.summary,
      );
    });
  });
}
