/**
 * The Transaction ID wraparound card's evaluation: the figures no test server can reach (a
 * billion transactions or multixacts) decide its state, reason and VACUUM (FREEZE) fixes. The
 * figures themselves are checked against real servers in test/integration/db/multixacts.test.ts.
 */
import * as assert from 'node:assert/strict';
import type { WraparoundData, WraparoundTable } from '../../../src/core/db/tableCards';
import { WRAPAROUND_WARN_SHARE, evaluateWraparound } from '../../../src/core/db/tableCards';

const LIMIT = 2 ** 31;
const RUN_IT = '(run it with "Upkeep: Run Database Maintenance")';

function figures(age: number, multixactAge: number, tables: WraparoundTable[]): WraparoundData {
  return {
    database: 'app',
    databaseAge: age,
    oldestDatabase: 'app',
    share: age / LIMIT,
    freezeMaxAge: 200_000_000,
    multixactAge,
    oldestMultixactDatabase: 'app',
    multixactShare: multixactAge / LIMIT,
    multixactFreezeMaxAge: 400_000_000,
    tables,
  };
}

const table = (schema: string, name: string, age: number, multixactAge: number) => ({
  schema,
  name,
  age,
  multixactAge,
});

describe('Transaction ID wraparound evaluation', () => {
  const half = LIMIT * WRAPAROUND_WARN_SHARE;

  it('is ok below half the limit for both kinds of ID, and says both ages', () => {
    const result = evaluateWraparound(figures(half - 1, half - 1, []));
    assert.equal(result.state, 'ok');
    assert.equal(
      result.summary,
      'oldest transaction ID is 1,073,741,823 transactions old (50.0 % of the limit); ' +
        'oldest multixact ID is 1,073,741,823 multixacts old (50.0 % of the limit)',
    );
    assert.equal(result.fix, undefined);
  });

  it('warns on multixact age alone, freezing the tables past it, oldest first', () => {
    const result = evaluateWraparound(
      figures(150_000_000, 1_500_000_000, [
        table('public', 'users', 150_000_000, 20),
        table('public', 'bookings', 140_000_000, half + 5),
        table('Billing', 'Invoice "Lines"', 90_000_000, 1_500_000_000),
        table('public', 'services', 10, half - 1),
      ]),
    );
    assert.equal(result.state, 'warn');
    assert.match(result.reason ?? '', /^Multixact IDs .* are 1,500,000,000 multixacts old, past /);
    assert.match(result.reason ?? '', /autovacuum_multixact_freeze_max_age \(400,000,000\)/);
    assert.match(result.reason ?? '', /"Upkeep: Run Database Maintenance", which asks first\.$/);
    assert.doesNotMatch(result.reason ?? '', /transaction ID limit/);
    assert.deepEqual(result.fixes, [
      'VACUUM (FREEZE, ANALYZE) "Billing"."Invoice ""Lines""";',
      'VACUUM (FREEZE, ANALYZE) "bookings";',
    ]);
    assert.equal(result.fix, result.fixes?.[0]);
  });

  it('names psql and the editor command on the command line, which has no such command', () => {
    const several = figures(150_000_000, 1_500_000_000, [
      table('public', 'bookings', 140_000_000, half + 5),
      table('public', 'users', 90_000_000, 1_500_000_000),
    ]);
    const cli = evaluateWraparound(several, 'cli');
    assert.match(
      cli.reason ?? '',
      / Run the statements with psql, or with "Upkeep: Run Database Maintenance" in the editor, /,
    );
    const one = evaluateWraparound(
      figures(150_000_000, 1_500_000_000, [table('public', 'users', 9, 1_500_000_000)]),
      'cli',
    );
    assert.equal(
      one.fix,
      'VACUUM (FREEZE, ANALYZE) "users"; ' +
        '(run it with psql, or with "Upkeep: Run Database Maintenance" in the editor)',
    );
    // The editor's wording stays the editor's.
    assert.equal(evaluateWraparound(several, 'editor').reason, evaluateWraparound(several).reason);
  });

  it('warns on transaction ID age alone, as before, with the table past it', () => {
    const result = evaluateWraparound(
      figures(half, 30, [table('public', 'users', half, 30), table('public', 'late', 5, 1)]),
    );
    assert.equal(result.state, 'warn');
    assert.match(result.reason ?? '', /^Past the transaction ID limit PostgreSQL stops/);
    assert.equal(result.fix, `VACUUM (FREEZE, ANALYZE) "users"; ${RUN_IT}`);
    assert.equal(result.fixes, undefined);
  });

  it('names each table once when both ages are past, and both reasons', () => {
    const result = evaluateWraparound(
      figures(half + 10, half + 10, [table('app', 'events', half + 10, half + 10)]),
    );
    assert.equal(result.state, 'warn');
    assert.match(result.reason ?? '', /transaction ID limit.*Multixact IDs/);
    assert.equal(result.fix, `VACUUM (FREEZE, ANALYZE) "app"."events"; ${RUN_IT}`);
    assert.equal(result.fixes, undefined);
  });

  it('freezes the whole database when no table of the app is past (a system catalog is)', () => {
    const result = evaluateWraparound(
      figures(100, half + 1, [table('public', 'users', 100, 1_000)]),
    );
    assert.equal(result.state, 'warn');
    assert.equal(result.fix, `VACUUM (FREEZE, ANALYZE); ${RUN_IT}`);
  });

  it('names another database that is oldest, and freezes it there, not this one', () => {
    const result = evaluateWraparound({
      ...figures(half + 7, 40, [table('public', 'users', 100, 40)]),
      oldestDatabase: 'legacy',
    });
    assert.equal(result.state, 'warn');
    assert.equal(
      result.summary,
      'oldest transaction ID is 1,073,741,831 transactions old (50.0 % of the limit) in ' +
        'database "legacy"; oldest multixact ID is 40 multixacts old (0.0 % of the limit)',
    );
    assert.match(result.reason ?? '', /The oldest IDs are in database "legacy", not this one/);
    assert.match(result.reason ?? '', /pg_prepared_xacts/);
    assert.doesNotMatch(result.reason ?? '', /Run the statements/);
    assert.equal(result.fix, 'VACUUM (FREEZE, ANALYZE); (connected to database "legacy")');
    assert.equal(result.fixes, undefined);
  });

  it('freezes both the other database and the tables of this one past the limit', () => {
    const result = evaluateWraparound({
      ...figures(half + 7, 40, [table('public', 'users', half + 1, 40)]),
      oldestDatabase: 'legacy',
    });
    assert.deepEqual(result.fixes, [
      'VACUUM (FREEZE, ANALYZE); (connected to database "legacy")',
      'VACUUM (FREEZE, ANALYZE) "users";',
    ]);
  });
});
