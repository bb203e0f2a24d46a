/**
 * The Highest key values card's advice on names a test needs no server for: the Rails line it
 * quotes a table name in is pasted into a console, so the name must stay a name there.
 */
import * as assert from 'node:assert/strict';
import type { KeyValue } from '../../../src/core/db/tableCards';
import { evaluateHighestKeys } from '../../../src/core/db/tableCards';

function behindKey(table: string): KeyValue {
  return {
    schema: 'public',
    table,
    column: 'id',
    columnType: 'integer',
    sequenceSchema: 'public',
    sequence: 'jobs_id_seq',
    highest: '10',
    next: '3',
    typeEnd: '2147483647',
    share: 10 / 2147483647,
    behind: true,
    nextTaken: true,
    fixSql: null,
  };
}

const evaluate = (table: string): string =>
  evaluateHighestKeys(
    {
      keys: [behindKey(table)],
      columns: 1,
      read: 1,
      locked: 0,
      unreadable: 0,
      sequencesUnread: 0,
      failed: 0,
    },
    'app',
  ).reason ?? '';

describe('Highest key values, evaluated', () => {
  it('quotes a table name for the Rails console so that none of it runs there', () => {
    // Ruby runs #{...} inside a double-quoted string: a table named so ran it in the console.
    const reason = evaluate('jobs#{`touch /tmp/owned`}');
    const call = /reset_pk_sequence!\((.*?)\)\); /.exec(reason)?.[1];
    assert.equal(call, '"jobs\\#{`touch /tmp/owned`}"');
    assert.match(evaluate('jobs'), /reset_pk_sequence!\("jobs"\)\)/);
    assert.match(evaluate('a"b\\c'), /reset_pk_sequence!\("a\\"b\\\\c"\)\)/);
  });
});
