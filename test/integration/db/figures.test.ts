/**
 * Figures the cards show, on both real servers: exact bigint sequence values, no retention
 * from sign-in columns that were never filled, singular nouns for one, durations for people.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import type { BusinessGrowthData } from '../../../src/core/db/businessCards';
import type { DbCard } from '../../../src/core/db/cards';
import type { SequenceUse } from '../../../src/core/db/tableCards';
import { collectCards } from '../../../src/core/db/cards';
import { formatDuration } from '../../../src/core/util/figures';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

// The one user finished onboarding 34 hours after signing up.
const COMPLETED_AT = `now() - interval '10 days' + interval '34 hours'`;

// The demo's users (scripts/lib/demoWorkspace.ts): Devise sign-in columns, never filled.
const SCHEMA = `
  CREATE TABLE users (id bigserial PRIMARY KEY, email text, onboarding_step int NOT NULL,
    created_at timestamptz NOT NULL, onboarding_completed_at timestamptz,
    last_sign_in_at timestamptz, current_sign_in_at timestamptz);
  CREATE TABLE businesses (id serial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id));
  INSERT INTO users (email, onboarding_step, created_at, onboarding_completed_at)
    VALUES ('a@example.com', 5, now() - interval '10 days', ${COMPLETED_AT});
  INSERT INTO businesses (user_id) SELECT id FROM users;
  SELECT setval('users_id_seq', 9223372036854775000);
`;

async function cardsOf(url: string, only: string[]): Promise<DbCard[]> {
  const { session } = await connect(url);
  try {
    return await collectCards(session, { only });
  } finally {
    await session.close();
  }
}

function find(cards: DbCard[], id: string): DbCard {
  const card = cards.find((candidate) => candidate.id === id);
  assert.ok(card, id);
  return card;
}

describe('database card durations for people', () => {
  it('formats seconds as s, min, h and d', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(125), '2 min');
    assert.equal(formatDuration(3 * 3600 + 300), '3 h 5 min');
    assert.equal(formatDuration(123_030.86), '1 d 10 h');
    assert.equal(formatDuration(2 * 86400), '2 d');
  });
});

for (const target of serversUnderTest) {
  describe(`database card figures on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let url: string;

    before(async () => {
      server = await target.start();
      url = await createDatabase(server, 'figures');
      await admin(url, SCHEMA);
    });

    it('keeps bigint sequence values exact', async () => {
      const card = find(await cardsOf(url, ['sequences']), 'sequences');
      assert.notEqual(card.state, 'error', card.summary);
      const [sequence] = (card.data as { sequences: SequenceUse[] }).sequences;
      assert.equal(sequence.name, 'users_id_seq');
      assert.equal(sequence.lastValue, '9223372036854775000');
      assert.equal(sequence.maxValue, '9223372036854775807');
      assert.ok(sequence.share > 0.99 && sequence.share <= 1);
      assert.equal(card.state, 'warn');
      assert.match(card.summary, /^1 sequence past 75 %/);
      assert.match(card.reason ?? '', /9,223,372,036,854,775,000 of 9,223,372,036,854,775,807/);
      assert.doesNotMatch(JSON.stringify(card), /9223372036854776000|9,223,372,036,854,776,000/);
    });

    it(
      'says there is no sign-in data instead of 0 % retention; ' +
        'one is singular; durations read as d and h',
      async () => {
        const cards = await cardsOf(url, [
          'businessGrowth',
          'onboarding',
          'foreignKeysWithoutIndex',
        ]);
        const growth = find(cards, 'businessGrowth');
        const data = growth.data as BusinessGrowthData;
        assert.equal(data.retention7d, null);
        // The days are cut by date_trunc in the server's TimeZone, which the card names.
        assert.equal(data.signUpsPerDay.length, 1);
        assert.match(data.signUpsTimeZone ?? '', /^[\w/+-]+$/);
        // The first day counts from this time 30 days ago, the last is today so far.
        const { first, last } = data.signUpsPartialDays ?? { first: '', last: '' };
        assert.match(last, /^\d{4}-\d{2}-\d{2}$/);
        const apart = (Date.parse(`${last}T00:00Z`) - Date.parse(`${first}T00:00Z`)) / 86_400_000;
        assert.equal(apart, 30, `${first} to ${last}`);
        assert.match(
          data.retentionNote ?? '',
          /^No sign-in data: users\.current_sign_in_at and users\.last_sign_in_at are NULL/,
        );
        assert.match(growth.summary, /no sign-in data for retention$/);
        assert.doesNotMatch(growth.summary, /retention 0 %/);

        const onboarding = find(cards, 'onboarding');
        assert.equal(
          onboarding.summary,
          '100 % of 1 user completed onboarding, 1 d 10 h on average to complete',
        );
        assert.equal(
          find(cards, 'foreignKeysWithoutIndex').summary,
          '1 foreign key without an index: "businesses" ("user_id")',
        );

        // Once someone signs in again a week later, retention is measured from that column.
        await admin(url, "UPDATE users SET current_sign_in_at = created_at + interval '8 days'");
        const after = find(await cardsOf(url, ['businessGrowth']), 'businessGrowth');
        assert.match(after.summary, /7-day retention 100 % \(current_sign_in_at\)$/);
      },
    );
  });
}
