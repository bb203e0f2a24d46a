/**
 * A migration holding many tables locked (one transaction's LOCK TABLE, ALTER TABLE or TRUNCATE
 * of sixty tables) on a real server: Largest tables leaves them all out, names the first few with
 * the holder's query and counts the rest, so its summary stays a line (it named each one with
 * the query again: 200 tables made 11,000 characters).
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { collectCards } from '../../../src/core/db/cards';
import type { TablesData } from '../../../src/core/db/tableCards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

const TABLES = 60;

describe('many tables locked by one migration', function () {
  this.timeout(120_000);

  it('names the first few in Largest tables and counts the rest', async () => {
    const url = await createDatabase(await serversUnderTest[0].start(), 'manylocked');
    const names = Array.from({ length: TABLES }, (_, k) => `t${String(k).padStart(2, '0')}`);
    await admin(url, names.map((name) => `CREATE TABLE ${name} (id int);`).join('\n'));
    const { session } = await connect(url, { lockTimeoutMs: 4000 });
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const query = `LOCK TABLE ${names.join(', ')} IN ACCESS EXCLUSIVE MODE`;
      await holder.query(query);
      // The holder's query as a card shows it: one line of 80 characters.
      const shown = `locked by another session: ${query.slice(0, 79)}…`;
      const [tables] = await collectCards(session, { only: ['tables'] });
      assert.equal((tables.data as TablesData).locked?.length, TABLES);
      assert.equal(
        tables.summary,
        `${TABLES} tables; ${TABLES} tables left out (size not read): ` +
          ['t00', 't01', 't02'].map((name) => `"${name}" (${shown})`).join(', ') +
          `, ${TABLES - 3} more`,
      );
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await session.close();
    }
  });
});
