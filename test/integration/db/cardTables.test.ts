/**
 * Every database card's table and facts as the dashboard shows them, on the demo database with a
 * blocked query, an idle transaction and an invalid index: headers a maintainer reads, no SQL
 * statement in a cell (the fixes show those).
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { DbCard } from '../../../src/core/db/cards';
import { cardDefinitions, collectCards } from '../../../src/core/db/cards';
import { admin, embeddedServer } from '../../support/postgres';
import { createDemoDatabaseFor } from './demoDatabase';
import { connect } from './servers';

/** Headers made from field names: a statement field, `pretty`, a bare `Name`, ... */
const RAW_LABEL = /\b[Ss]ql\b|\b[Pp]retty\b|^Name$|^Min rows$|^Droppable$|^Pid$|[Ss]econds/;
const STATEMENT = /^\s*(?:CREATE|DROP|ALTER|REINDEX|VACUUM|ANALYZE)\b/i;

describe('database card tables on a real database', function () {
  this.timeout(120_000);

  it('label every column and fact for people and leave statements to the fixes', async () => {
    const url = await createDemoDatabaseFor(await embeddedServer());
    // Rows for the cards that are empty on a quiet database.
    await admin(url, 'CREATE TABLE jobs (id serial PRIMARY KEY, state int); CREATE TABLE queue ()');
    await admin(url, 'INSERT INTO jobs (state) SELECT i % 3 FROM generate_series(1, 50) i');
    await assert.rejects(
      admin(url, 'CREATE UNIQUE INDEX CONCURRENTLY index_jobs_on_state ON jobs (state)'),
    );
    const holder = new Client({ connectionString: url, application_name: 'lock-holder' });
    const waiter = new Client({ connectionString: url, application_name: 'lock-waiter' });
    await holder.connect();
    await waiter.connect();
    const { session } = await connect(url);
    try {
      // SHARE against EXCLUSIVE: the waiter waits, while the cards' reads of the table's size
      // (ACCESS SHARE) go through.
      await holder.query('BEGIN; LOCK TABLE queue IN SHARE MODE');
      const waiting = waiter.query('BEGIN; LOCK TABLE queue IN EXCLUSIVE MODE; ROLLBACK');
      let cards: DbCard[] = [];
      for (let attempt = 0; attempt < 50; attempt++) {
        cards = [];
        for (const { id } of cardDefinitions) {
          cards.push(...(await collectCards(session, { only: [id], longRunningSeconds: 0 })));
        }
        if (cards.find((c) => c.id === 'blocked')?.state === 'warn') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await holder.query('ROLLBACK');
      await waiting;

      const view = databaseView(cards, 'demo');
      assert.deepEqual(
        cards.filter((c) => c.state === 'error').map((c) => `${c.id}: ${c.summary}`),
        [],
      );
      const tables = view.cards.filter((c) => c.table);
      for (const id of ['duplicateIndexes', 'unusedIndexes', 'invalidIndexes', 'blocked']) {
        assert.ok(
          tables.some((c) => c.id === id),
          `${id} has a table`,
        );
      }
      for (const c of view.cards) {
        const labels = [
          ...(c.table?.columns.map((column) => column.label) ?? []),
          ...c.facts.map((fact) => fact.label),
        ];
        for (const label of labels) assert.doesNotMatch(label, RAW_LABEL, `${c.id}: ${label}`);
        for (const row of c.table?.rows ?? []) {
          for (const value of row) {
            if (typeof value === 'string') {
              assert.doesNotMatch(value, STATEMENT, `${c.id}: ${value}`);
            }
          }
        }
      }

      const duplicates = tables.find((c) => c.id === 'duplicateIndexes')!.table!;
      assert.deepEqual(
        duplicates.columns.map((column) => column.label),
        ['Schema', 'Table', 'Index', 'Covered by', 'Columns', 'Covering columns', 'Bytes', 'Size'],
      );
      assert.deepEqual(duplicates.rows[0].slice(2, 6), [
        'index_bookings_on_service_id',
        'index_bookings_on_service_id_and_starts_at',
        'service_id',
        'service_id, starts_at',
      ]);
      const unused = tables.find((c) => c.id === 'unusedIndexes')!.table!;
      assert.deepEqual(
        unused.columns.map((column) => column.label),
        ['Schema', 'Table', 'Index', 'Bytes', 'Size', 'Advice'],
      );
      const foreignKeys = tables.find((c) => c.id === 'foreignKeysWithoutIndex')!.table!;
      assert.deepEqual(
        foreignKeys.columns.map((column) => column.label),
        ['Schema', 'Table', 'Constraint', 'Columns', 'References'],
      );
      const blocked = tables.find((c) => c.id === 'blocked')!.table!;
      assert.ok(
        blocked.columns.some((column) => column.label === 'Blocked by'),
        blocked.columns.map((column) => column.label).join(', '),
      );
    } finally {
      await holder.end().catch(() => undefined);
      await waiter.end().catch(() => undefined);
      await session.close();
    }
  });
});
