/**
 * Upkeep's session after the server ended it (pg_terminate_backend, a restart, a failover) on
 * the embedded server: the reads after the loss, the dashboard's and `upkeep db`'s remaining
 * cards, say what happened and what to do, not only "the connection is closed".
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
import { probeServer } from '../../../src/core/db/probe';
import type { DbSession } from '../../../src/core/db/session';
import { UpkeepError } from '../../../src/core/util/errors';
import { admin, connect, createDatabase } from './servers';
import { embeddedServer } from '../../support/postgres';

/** Ends Upkeep's sessions on `url`'s database, as an administrator does. */
async function terminateUpkeep(url: string, running?: string): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await admin<{ ended: number }>(
      url,
      `SELECT count(pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity
        WHERE application_name = 'upkeep' AND datname = $1 AND ($2::text IS NULL OR query LIKE $2)`,
      [database, running ?? null],
    );
    if (row.ended > 0) return;
    assert.ok(Date.now() < deadline, 'no session of Upkeep to end');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a session the server ended', function () {
  this.timeout(60_000);
  let url: string;
  let session: DbSession | undefined;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'sessionlost');
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('says the next read found it lost, why, and to run again', async () => {
    ({ session } = await connect(url));
    await session.query('before', 'SELECT 1');
    await terminateUpkeep(url);
    const open = session;
    for (let wait = 0; wait < 100 && !open.closed; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    await assert.rejects(open.query('after', 'SELECT 1'), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
      assert.match(
        error.message,
        /^The connection to postgres@127\.0\.0\.1:\d+\/sessionlost_\d+_\d+ was lost earlier: \w/,
      );
      assert.match(error.hint ?? '', /run again once the server answers/);
      return true;
    });
  });

  it('says on the card that saw it what happened, and briefly on each card after', async () => {
    ({ session } = await connect(url));
    const cards = collectCards(session, {
      metrics: [
        { id: 'slow', title: 'A slow metric', sql: 'SELECT pg_sleep(20)' },
        { id: 'after', title: 'A metric after it', sql: 'SELECT 1' },
        { id: 'later', title: 'Another one', sql: 'SELECT 2' },
      ],
      only: ['metric:slow', 'metric:after', 'metric:later'],
    });
    await terminateUpkeep(url, '%pg_sleep(20)%');
    const [slow, ...after] = await cards;

    assert.equal(slow.state, 'error');
    assert.match(slow.summary, /The server ended the connection during metric\.slow: terminat/);
    assert.match(slow.fix ?? '', /run again once the server answers/);
    for (const card of after) {
      assert.equal(card.state, 'error', card.id);
      assert.equal(card.summary, 'Not read: the connection was lost during A slow metric.');
      assert.equal(card.fix, undefined, card.id);
      assert.equal(card.reason, undefined, card.id);
    }
  });

  it('says it once over cards read one by one (the dashboard), then briefly', async () => {
    ({ session } = await connect(url));
    const open = session;
    // Probed once, before the cards, as the dashboard does.
    const probe = await probeServer(open);
    const [first] = await collectCards(open, { probe, only: ['connectivity'] });
    assert.equal(first.state, 'ok', first.summary);
    // Ended between two cards: the next read is the one that finds it lost.
    await terminateUpkeep(url);
    for (let wait = 0; wait < 100 && !open.closed; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cards = [];
    for (const id of ['databaseSize', 'tables', 'connections']) {
      cards.push(...(await collectCards(open, { probe, only: [id] })));
    }
    const [noticed, ...later] = cards;

    assert.equal(noticed.state, 'error');
    assert.match(noticed.summary, /^Could not run: The connection to \S+ was lost earlier: \w/);
    assert.match(noticed.fix ?? '', /run again once the server answers/);
    for (const card of later) {
      assert.equal(card.state, 'error', card.id);
      assert.equal(card.summary, `Not read: the connection was lost during ${noticed.title}.`);
      assert.equal(card.fix, undefined, card.id);
    }
  });
});
