/**
 * Highest key values reads a key from its index again only once its table was written to, on
 * both real servers: each read counts an index scan of the table, and a dashboard refreshing
 * every few minutes turned a quiet table's "67 % of 3 scans were sequential" around. A row
 * written with its id shows on the next run once the server has counted the write.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import type { HighestKeysData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A counter of `quiet` in pg_stat_user_tables, read until it passes `above` (5 s at most). */
async function counter(url: string, column: string, above: number): Promise<number> {
  let value = above;
  for (let tries = 0; tries < 50 && value <= above; tries++) {
    if (tries > 0) await sleep(100);
    const [row] = await admin<{ value: string }>(
      url,
      `SELECT coalesce(${column}, 0) AS value FROM pg_stat_user_tables WHERE relname = 'quiet'`,
    );
    value = Number(row.value);
  }
  return value;
}

/** The card in a session of its own, as each dashboard refresh opens one. */
async function highestOfQuiet(url: string): Promise<{ state: string; highest: string | null }> {
  const { session } = await connect(url);
  try {
    const card = await runCard(session, 'highestKeys');
    const key = (card.data as HighestKeysData).keys.find((k) => k.table === 'quiet');
    return { state: card.state, highest: key?.highest ?? null };
  } finally {
    await session.close();
  }
}

for (const target of serversUnderTest) {
  describe(`repeated reads of the highest keys on ${target.name}`, function () {
    this.timeout(120_000);

    it('reads a quiet table once, and again once a row is written', async () => {
      const url = await createDatabase(await target.start(), 'keyreads');
      await admin(
        url,
        `CREATE TABLE quiet (id bigserial PRIMARY KEY, note text);
         INSERT INTO quiet (note) SELECT 'n' || i FROM generate_series(1, 10) i`,
      );
      const inserted = await counter(url, 'n_tup_ins', 0);
      assert.equal(inserted, 10);
      const before = await counter(url, 'idx_scan', -1);

      for (let run = 0; run < 3; run++) {
        assert.deepEqual(await highestOfQuiet(url), { state: 'ok', highest: '10' });
      }
      const first = await counter(url, 'idx_scan', before);
      // The later sessions' statistics, had they read the index, would show by now.
      await sleep(1500);
      assert.equal(await counter(url, 'idx_scan', first - 1), before + 1);

      // A row loaded with its id: once the server counts it, the key is read again.
      await admin(url, "INSERT INTO quiet (id, note) VALUES (500, 'loaded')");
      assert.equal(await counter(url, 'n_tup_ins', inserted), 11);
      assert.deepEqual(await highestOfQuiet(url), { state: 'warn', highest: '500' });
    });
  });
}
