/**
 * Upkeep's reads of the app's tables leave pg_stat_user_indexes as they found it, on both real
 * servers: the Unused indexes card counts on idx_scan, and an index only Upkeep touched would
 * read as used. Index scans are planned off for those reads; a range on an indexed column is
 * written so the planner does not look up the column's ends in the index either (a plain
 * EXPLAIN of `created_at >= now() - interval '30 days'` counts one scan of its index when that
 * time falls past the column's histogram, here in its last bucket: no one signed up lately).
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { collectCards } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const SCHEMA = `
  CREATE TABLE users (id bigserial PRIMARY KEY, email text, onboarding_step int NOT NULL,
    created_at timestamptz NOT NULL, onboarding_completed_at timestamptz,
    current_sign_in_at timestamptz);
  INSERT INTO users (email, onboarding_step, created_at, onboarding_completed_at,
      current_sign_in_at)
    SELECT 'u' || i || '@example.com', i % 5 + 1,
      now() - interval '29 days' - i * interval '1 hour',
      now() - i * interval '5 minutes', now() - i * interval '1 minute'
      FROM generate_series(1, 20000) i;
  CREATE INDEX index_users_on_created_at ON users (created_at);
  CREATE INDEX index_users_on_onboarding_step ON users (onboarding_step);
  CREATE TABLE control (id int, at timestamptz);
  INSERT INTO control SELECT i, now() - i * interval '1 minute' FROM generate_series(1, 20000) i;
  CREATE INDEX control_at ON control (at);
  ANALYZE users; ANALYZE control;
`;

async function scans(url: string, table: string): Promise<Record<string, number>> {
  const rows = await admin<{ name: string; scans: string }>(
    url,
    'SELECT indexrelname AS name, idx_scan AS scans FROM pg_stat_user_indexes WHERE relname = $1',
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.scans)]));
}

for (const target of serversUnderTest) {
  describe(`Upkeep's own index scans on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let url: string;

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'ownscans');
      await admin(url, SCHEMA);
    });

    it('reads the business cards without counting a scan of any index of users', async () => {
      const { session } = await connect(url);
      try {
        const cards = await collectCards(session, { only: ['onboarding', 'businessGrowth'] });
        for (const card of cards) assert.notEqual(card.state, 'error', JSON.stringify(card));
      } finally {
        await session.close();
      }
      // The control: a planned range on control.at counts one scan, and once that shows, the
      // statistics of Upkeep's session (closed before it) show too.
      await admin(url, "EXPLAIN SELECT count(*) FROM control WHERE at >= now() - interval '1 h'");
      let control = 0;
      for (let tries = 0; tries < 50 && control === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        control = (await scans(url, 'control')).control_at;
      }
      assert.equal(control, 1, 'the planner probe counts a scan on this server');
      assert.deepEqual(await scans(url, 'users'), {
        users_pkey: 0,
        index_users_on_created_at: 0,
        index_users_on_onboarding_step: 0,
      });
    });
  });
}
