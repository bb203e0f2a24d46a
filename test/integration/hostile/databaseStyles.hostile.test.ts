/**
 * A database whose owner set how dates, intervals and floats are written (ALTER DATABASE ...
 * SET DateStyle = 'SQL, DMY', IntervalStyle, extra_float_digits = -15): the values Upkeep reads
 * must mean the same as at the defaults, not a date lost or 2 days read as 1.7e+05 seconds.
 */
import * as assert from 'node:assert/strict';
import type { SlowQueriesData } from '../../../src/core/db/activityCards';
import type { OnboardingData } from '../../../src/core/db/businessCards';
import { collectCards } from '../../../src/core/db/cards';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { connect } from '../db/servers';

describe('a database that writes dates, intervals and floats its own way', function () {
  this.timeout(60_000);

  it('reads the same figures as with the default styles', async () => {
    const url = await createDatabase(await embeddedServer(), 'hostile_styles');
    const database = new URL(url).pathname.slice(1);
    await admin(
      url,
      `CREATE TABLE users (id serial PRIMARY KEY, onboarding_step int,
                           created_at timestamptz, onboarding_completed_at timestamptz);
       INSERT INTO users (onboarding_step, created_at, onboarding_completed_at)
         SELECT 5, now() - interval '3 days', now() - interval '1 day'
           FROM generate_series(1, 10);
       ALTER DATABASE "${database}" SET DateStyle = 'SQL, DMY';
       ALTER DATABASE "${database}" SET IntervalStyle = 'sql_standard';
       ALTER DATABASE "${database}" SET extra_float_digits = -15;`,
    );
    const { session } = await connect(url);
    let cards;
    try {
      cards = await collectCards(session, { only: ['onboarding', 'tableWrites'] });
    } finally {
      await session.close();
    }
    const onboarding = cards.find((card) => card.id === 'onboarding');
    const data = onboarding?.data as OnboardingData;
    assert.equal(Math.round(data.averageSecondsToComplete ?? 0), 2 * 86_400, onboarding?.summary);
    const writes = cards.find((card) => card.id === 'tableWrites');
    assert.match(writes?.summary ?? '', /since \d{4}-\d{2}-\d{2} /, writes?.summary);
  });

  it('standard_conforming_strings off: its statements stay out of Slowest queries', async () => {
    // Off, a backslash in a string literal escapes: the patterns that know Upkeep's own
    // statements (`\d+`) read as other patterns, and its transactions showed as the app's.
    const url = await createDatabase(await embeddedServer(), 'hostile_strings');
    const database = new URL(url).pathname.slice(1);
    await admin(
      url,
      `CREATE EXTENSION pg_stat_statements;
       ALTER DATABASE "${database}" SET standard_conforming_strings = off;`,
    );
    for (let run = 0; run < 2; run++) {
      const { session } = await connect(url);
      try {
        const cards = await collectCards(session, { limit: 200 });
        const data = cards.find((card) => card.id === 'slowQueries')?.data as SlowQueriesData;
        if (run === 0) continue;
        const wrapper = data.queries
          .map((query) => query.query)
          .filter((text) => /^(BEGIN READ ONLY|ROLLBACK|SET LOCAL |SELECT pg_catalog)/.test(text));
        assert.deepEqual(wrapper, []);
      } finally {
        await session.close();
      }
    }
  });
});
