/**
 * Upkeep's session after the server ended it (pg_terminate_backend, a restart, a failover) on
 * the embedded server: the reads after the loss, the dashboard's and `upkeep db`'s remaining
 * cards, say what happened and what to do, not only "the connection is closed".
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
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

  it('names on the cards after it the read the server ended, and its words', async () => {
    ({ session } = await connect(url));
    const cards = collectCards(session, {
      metrics: [
        { id: 'slow', title: 'A slow metric', sql: 'SELECT pg_sleep(20)' },
        { id: 'after', title: 'A metric after it', sql: 'SELECT 1' },
      ],
      only: ['metric:slow', 'metric:after'],
    });
    await terminateUpkeep(url, '%pg_sleep(20)%');
    const [slow, after] = await cards;

    assert.equal(slow.state, 'error');
    assert.match(slow.summary, /The server ended the connection during metric\.slow: terminat/);
    assert.equal(after.state, 'error');
    assert.match(
      after.summary,
      new RegExp(
        '^Could not run: The connection to \\S+ was lost earlier: the server ended it during ' +
          'metric\\.slow \\(terminating connection due to administrator command\\)\\.$',
      ),
    );
    assert.match(after.fix ?? '', /run again once the server answers/);
  });
});
