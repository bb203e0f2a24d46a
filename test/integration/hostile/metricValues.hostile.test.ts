/**
 * A repo's SQL metric whose one cell is huge (a megabyte of text): the card's summary, a line
 * of `upkeep db` and of the dashboard's Business section, says its start, not all of it; its
 * data keeps the value as read. One of many rows says there are more than those shown.
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { connect } from '../db/servers';

describe('a repo metric of one huge cell, or of many rows', function () {
  this.timeout(60_000);

  it('has a summary of one short line; the data keeps the whole value', async () => {
    const url = await createDatabase(await embeddedServer(), 'metric_values');
    await admin(url, 'SELECT 1');
    const { session } = await connect(url);
    let card;
    try {
      [card] = await collectCards(session, {
        only: ['metric:big'],
        metrics: [{ id: 'big', title: 'Big', sql: "SELECT repeat('x', 1000000) AS v" }],
      });
    } finally {
      await session.close();
    }
    assert.equal(card.state, 'ok', card.summary);
    assert.ok(card.summary.length <= 200, `${card.summary.length} characters`);
    assert.match(card.summary, /^x+…$/);
    const rows = (card.data as { rows: { v: string }[] }).rows;
    assert.equal(rows[0].v.length, 1_000_000);
  });

  it('counts the rows it read past the 100 shown as more, not as 101', async () => {
    const url = await createDatabase(await embeddedServer(), 'metric_rows');
    const { session } = await connect(url);
    let cards;
    try {
      cards = await collectCards(session, {
        only: ['metric:many', 'metric:hundred'],
        metrics: [
          { id: 'many', title: 'Many', sql: 'SELECT g FROM generate_series(1, 1000) g' },
          { id: 'hundred', title: 'Hundred', sql: 'SELECT g FROM generate_series(1, 100) g' },
        ],
      });
    } finally {
      await session.close();
    }
    const summary = (id: string): string => cards.find((card) => card.id === id)?.summary ?? '';
    assert.equal(summary('metric:many'), 'more than 100 rows, the first 100 shown');
    assert.equal(summary('metric:hundred'), '100 rows');
  });
});
