/**
 * The message the editor shows when confirmed maintenance finished: what ran, and what
 * PostgreSQL skipped with only a warning (tables the role may not maintain, invalid indexes),
 * with what to do about it.
 */
import * as assert from 'node:assert/strict';
import { maintenanceFinished } from '../../../src/core/db/maintenance';

describe('maintenanceFinished', () => {
  const done = { sql: 'ANALYZE;', durationMs: 1500, skippedTables: 0, skippedIndexes: [] };

  it('nothing skipped: what ran, how long and where, nothing more', () => {
    assert.equal(maintenanceFinished(done, 'shop'), 'ANALYZE; finished in 1.5 s on shop.');
  });

  it('tables skipped: how many, why, and that the rest were done', () => {
    assert.equal(
      maintenanceFinished({ ...done, skippedTables: 1 }, 'shop'),
      'ANALYZE; finished in 1.5 s on shop. 1 table skipped: this role may not maintain it ' +
        '(shared catalogs, tables of other owners); the rest were done.',
    );
    assert.match(maintenanceFinished({ ...done, skippedTables: 42 }, 'shop'), /42 tables skipped/);
  });

  it('invalid indexes skipped: names them and says to drop them or REINDEX INDEX them', () => {
    const message = maintenanceFinished(
      {
        ...done,
        sql: 'REINDEX TABLE CONCURRENTLY "orders";',
        skippedIndexes: ['public.orders_ref', 'public.orders_\u202eref'],
      },
      'shop',
    );

    assert.match(message, /finished in 1\.5 s on shop\. Skipped invalid indexes /);
    // A control character in a name is shown as a space, never as itself.
    assert.match(message, /indexes public\.orders_ref, public\.orders_ ref: /);
    assert.match(message, /drop them, or rebuild with REINDEX INDEX \(without CONCURRENTLY/);
  });
});
