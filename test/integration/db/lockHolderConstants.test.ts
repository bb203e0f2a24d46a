/**
 * The lock holder a card names, on a real server: pg_stat_activity gives the session's statement
 * as it was sent, constants and all, and a data migration that holds a table locked may be
 * writing a key (`SET value = 'sk_live_…'`). The summary, which a check's mail, a CI log and a
 * saved report carry, shows the statement with its constants as '…', as pg_stat_statements
 * would give them as $1; names, keywords and comments stay.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { collectCards } from '../../../src/core/db/cards';
import type { TablesData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

describe('the query of a lock holder writing a key', function () {
  this.timeout(120_000);

  it('is named without its constants', async () => {
    const url = await createDatabase(await serversUnderTest[0].start(), 'holderconstants');
    await admin(url, 'CREATE TABLE users (id int); CREATE TABLE settings (key text, value text);');
    const { session } = await connect(url, { lockTimeoutMs: 4000 });
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const update =
        "/* migration 42 */ UPDATE settings SET value = E'sk_live_\\'51H' " +
        'WHERE key = $k$stripe$k$ AND "key" IS NOT NULL';
      await holder.query(update);
      const [tables] = await collectCards(session, { only: ['tables'] });
      assert.match(
        tables.summary,
        new RegExp(
          String.raw`"users" \(locked by another session: /\* migration 42 \*/ UPDATE settings ` +
            String.raw`SET value = E'…' WHERE key = '…' AND "key" I…\)`,
        ),
      );
      assert.doesNotMatch(tables.summary, /sk_live|stripe/);
      // The card's data keeps the statement as the server gives it, as Long-running queries do.
      assert.equal((tables.data as TablesData).locked?.[0].holder, update);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await session.close();
    }
  });
});
