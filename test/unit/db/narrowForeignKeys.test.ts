/**
 * The Foreign keys narrower than their key card's evaluation on figures a test server cannot
 * reach: a referenced key already past 2^31-1, and one with no sequence value to read. Real
 * servers' rows are tested in test/integration/db/integerKeys.test.ts.
 */
import * as assert from 'node:assert/strict';
import type { NarrowForeignKey } from '../../../src/core/db/tableCards';
import { evaluateNarrowForeignKeys } from '../../../src/core/db/tableCards';

function key(table: string, referencedValue: string | null): NarrowForeignKey {
  const max = '2147483647';
  return {
    schema: 'public',
    table,
    column: 'user_id',
    columnType: 'integer',
    constraint: `${table}_user_id_fkey`,
    references: 'users.id',
    referenced: { schema: 'public', table: 'users', column: 'id', type: 'bigint' },
    referencedValue,
    maxValue: max,
    share: referencedValue === null ? null : Number(referencedValue) / Number(max),
    alterSql: `ALTER TABLE "${table}" ALTER COLUMN "user_id" TYPE bigint;`,
  };
}

describe('Foreign keys narrower than their key, evaluated', () => {
  it('is ok with none', () => {
    const result = evaluateNarrowForeignKeys({ foreignKeys: [] });
    assert.equal(result.state, 'ok');
    assert.equal(result.fix, undefined);
  });

  it('says when the referenced ids are past the column maximum already', () => {
    const result = evaluateNarrowForeignKeys({
      foreignKeys: [key('payments', '2500000000'), key('visits', '2500000000')],
    });
    assert.equal(result.state, 'warn');
    assert.match(result.summary, /references users\.id, now at 2,500,000,000 \(116\.4 % of /);
    assert.match(result.reason ?? '', /fail with "integer out of range"; 2 keys are past it/);
    assert.deepEqual(result.fixes, [
      'ALTER TABLE "payments" ALTER COLUMN "user_id" TYPE bigint;',
      'ALTER TABLE "visits" ALTER COLUMN "user_id" TYPE bigint;',
    ]);
  });

  it('warns without a figure when no sequence value of the key can be read', () => {
    const result = evaluateNarrowForeignKeys({ foreignKeys: [key('payments', null)] });
    assert.equal(result.state, 'warn');
    assert.equal(
      result.summary,
      '1 foreign key narrower than the key it references; ' +
        '"payments"."user_id" (integer) references users.id (bigint)',
    );
    assert.doesNotMatch(result.reason ?? '', /past it/);
    assert.equal(result.fix, 'ALTER TABLE "payments" ALTER COLUMN "user_id" TYPE bigint;');
    assert.equal(result.fixes, undefined);
  });
});
