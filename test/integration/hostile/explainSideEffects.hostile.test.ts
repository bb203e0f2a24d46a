/**
 * Explain Query offers EXPLAIN ANALYZE, which runs the statement, for a plain SELECT only, in a
 * READ ONLY transaction rolled back afterwards. That stops writes to tables, not a function that
 * acts outside the transaction: Slowest queries lists any role's statement, and one such as
 * `SELECT pg_terminate_backend(pid) FROM pg_stat_activity` was offered for ANALYZE and then
 * ended other sessions, with the maintainer's rights, after a prompt saying it was rolled back.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { explainQuery, prepareExplain } from '../../../src/core/db/explain';
import { UpkeepError } from '../../../src/core/util/errors';
import { embeddedServer } from '../../support/postgres';
import { connect, createDatabase } from '../db/servers';

const KILLERS = [
  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'victim'",
  'SELECT pg_catalog."pg_terminate_backend"(pid) FROM pg_stat_activity ' +
    "WHERE application_name = 'victim'",
];

const OTHERS = [
  "SELECT dblink_exec('dbname=app', 'DROP TABLE users')",
  'SELECT pg_advisory_lock(42)',
  'SELECT pg_stat_statements_reset()',
  "SELECT query_to_xml('SELECT pg_reload_conf()', true, false, '')",
  'SELECT lo_unlink(loid) FROM pg_largeobject_metadata',
];

describe('EXPLAIN ANALYZE of a SELECT with side effects (security review)', function () {
  this.timeout(60_000);
  let url: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'explain_side_effects');
  });

  for (const sql of KILLERS) {
    it(`is not offered, and no session ends: ${sql.slice(0, 40)}…`, async () => {
      const victim = new Client({ connectionString: url, application_name: 'victim' });
      victim.on('error', () => undefined);
      await victim.connect();
      const { session } = await connect(url);
      try {
        const prepared = prepareExplain(sql);
        assert.equal(prepared.canAnalyze, false);
        await assert.rejects(
          explainQuery(session, prepared, { analyze: true, analyzeConfirmed: true }),
          (error: unknown) => UpkeepError.is(error, 'refused'),
        );
        // The plain plan is still there: EXPLAIN without ANALYZE runs nothing.
        const plan = await explainQuery(session, prepared, { analyze: false });
        assert.ok(plan.nodes.length >= 1);
        await victim.query('SELECT 1');
      } finally {
        await session.close();
        await victim.end().catch(() => undefined);
      }
    });
  }

  it('is not offered for dblink, advisory locks, resets, SQL in a string, large objects', () => {
    for (const sql of OTHERS) assert.equal(prepareExplain(sql).canAnalyze, false, sql);
    // Names that only look alike stay plain SELECTs.
    for (const sql of [
      "SELECT * FROM lo_files WHERE note = 'pg_terminate_backend(1)'",
      'SELECT "name", count("id") FROM users GROUP BY "name"',
    ]) {
      assert.equal(prepareExplain(sql).canAnalyze, true, sql);
    }
  });
});
