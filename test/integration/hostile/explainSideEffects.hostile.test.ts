/**
 * Explain Query offers EXPLAIN ANALYZE, which runs the statement, for a plain SELECT only, in a
 * READ ONLY transaction rolled back afterwards. That stops writes to tables, not a function that
 * acts outside the transaction: Slowest queries lists any role's statement, and one such as
 * `SELECT pg_terminate_backend(pid) FROM pg_stat_activity` was offered for ANALYZE and then
 * ended other sessions, with the maintainer's rights, after a prompt saying it was rolled back.
 */
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { explainAnalyzePrompt, explainQuery, prepareExplain } from '../../../src/core/db/explain';
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
  'SELECT pg_try_advisory_lock(42)',
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
  it('the prompt says what the rollback undoes and what it does not', () => {
    const prompt = explainAnalyzePrompt(prepareExplain('SELECT lookup(id) FROM users'), {
      database: 'app',
      display: 'app@127.0.0.1/app',
      source: 'test',
      statementTimeoutMs: 30_000,
    });
    // "Read-only, rolled back" promised too much: a function defined in the database may act
    // outside the transaction, which no rollback reaches.
    assert.match(prompt.detail, /Not undone: what a function in the query does outside/);
    assert.match(prompt.detail, /dblink/);
    assert.match(prompt.detail, /cannot see inside functions defined in the database/);
    assert.match(prompt.detail, /nextval and setval are refused/);
    assert.match(prompt.detail, /set_config/);
    assert.match(prompt.detail, /notifications \(sent only on commit\)/);
  });

  it('sequences, settings and notifications are refused or undone as it says', async () => {
    const listener = new Client({ connectionString: url });
    listener.on('error', () => undefined);
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (note) => heard.push(note.channel));
    await listener.query('LISTEN upkeep_test');
    await listener.query('CREATE SEQUENCE IF NOT EXISTS explain_seq');
    const { session } = await connect(url);
    try {
      for (const sql of ["SELECT nextval('explain_seq')", "SELECT setval('explain_seq', 99)"]) {
        await assert.rejects(session.query('test', sql), (error: unknown) =>
          UpkeepError.is(error, 'refused'),
        );
      }
      await session.query('test', "SELECT pg_notify('upkeep_test', 'x')");
      await session.query('test', "SELECT set_config('application_name', 'changed', false)");
      const [row] = await session.query<{ name: string }>(
        'test',
        "SELECT current_setting('application_name') AS name",
      );
      assert.notEqual(row.name, 'changed');
      await listener.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(heard, []);
      const [seq] = (
        await listener.query<{ last: boolean }>('SELECT is_called AS last FROM explain_seq')
      ).rows;
      assert.equal(seq.last, false);
    } finally {
      await session.close();
      await listener.end().catch(() => undefined);
    }
  });
});
