/**
 * SQL statement splitting and classification for Explain Query and repo metrics, the plan's
 * readable rendering, maintenance statements, and the size snapshots kept on this machine.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ResolvedConnection } from '../../../src/core/db/connection';
import type { ExplainResult } from '../../../src/core/db/explain';
import { prepareExplain, renderPlan } from '../../../src/core/db/explain';
import {
  confirmMaintenance,
  maintenancePrompt,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import type { MaintenanceConfirmation } from '../../../src/core/db/maintenance';
import { statStatementsColumns, versionAtLeast } from '../../../src/core/db/probe';
import { baselineSnapshot, readSnapshots, recordSnapshot } from '../../../src/core/db/snapshots';
import { isPlainSelect, quoteLiteral, splitStatements } from '../../../src/core/db/sqlText';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger } from '../../../src/core/util/logger';
import { tempFolder } from '../../support/tempFolders';

describe('SQL text', () => {
  it('splits on semicolons outside quotes, comments and dollar quotes', () => {
    const sql = `SELECT 'a;b', "we;ird" FROM t; -- c;d
      /* e; /* nested; */ f; */ SELECT $$x;y$$, $tag$ ; $tag$;
      ;  `;
    assert.deepEqual(splitStatements(sql).length, 2);
    assert.deepEqual(splitStatements('SELECT 1;'), ['SELECT 1']);
    assert.deepEqual(splitStatements(' -- only a comment\n'), []);
  });

  it("reads E'' strings as the server does: a backslash escapes the quote", () => {
    // Without this, E'\'' ; COMMIT; DROP ... looked like one statement (security review).
    const sneaky = String.raw`SELECT E'\'' ; COMMIT; DROP TABLE users; --'`;
    assert.equal(splitStatements(sneaky).length, 3);
    assert.deepEqual(splitStatements(String.raw`SELECT E'it\'s; fine', e'\\'`).length, 1);
    // A name ending in e before a quote is no E'' string: 'x\' ends at its second quote.
    assert.equal(splitStatements(String.raw`SELECT name'x\'; SELECT 2`).length, 2);
    const hidden = String.raw`WITH a AS (SELECT E'\''), d AS (DELETE FROM t) SELECT ''`;
    assert.equal(isPlainSelect(hidden), false);
  });

  it('quotes a literal so that its text cannot end the string or start a line', () => {
    assert.equal(quoteLiteral('slot_1'), "'slot_1'");
    assert.equal(quoteLiteral("x'); DROP TABLE users; --"), "'x''); DROP TABLE users; --'");
    assert.equal(quoteLiteral("a'\nb\\"), "U&'a''\\000Ab\\\\'");
  });

  it('knows a plain SELECT from one that writes', () => {
    assert.equal(isPlainSelect("SELECT * FROM users WHERE note = 'delete me; update'"), true);
    assert.equal(isPlainSelect('WITH recent AS (SELECT 1) SELECT * FROM recent'), true);
    assert.equal(isPlainSelect('/* hi */ (SELECT 1)'), true);
    assert.equal(
      isPlainSelect('WITH gone AS (DELETE FROM users RETURNING id) SELECT * FROM gone'),
      false,
    );
    assert.equal(isPlainSelect('SELECT * INTO copy FROM users'), false);
    assert.equal(isPlainSelect('SELECT * FROM users FOR UPDATE'), false);
    assert.equal(isPlainSelect('UPDATE users SET x = 1'), false);
  });

  it('reads a dollar-quoted body as a string when it looks for writing keywords', () => {
    // The quote inside $$'$$ opened a string that ran to the next quote and hid the DELETE.
    const hidden = "WITH q AS (SELECT $$'$$), d AS (DELETE FROM t) SELECT 1 WHERE 'x' = $$'$$";
    assert.equal(isPlainSelect(hidden), false);
    assert.equal(isPlainSelect('SELECT $tag$delete; -- update$tag$ AS word'), true);
    assert.equal(isPlainSelect('SELECT $$--$$ AS a FROM t FOR UPDATE'), false);
  });

  it('accepts exactly one statement to explain, without EXPLAIN', () => {
    assert.throws(
      () => prepareExplain('SELECT 1; SELECT 2'),
      (e: unknown) => UpkeepError.is(e, 'refused'),
    );
    assert.throws(() => prepareExplain('  '), /Select an SQL statement/);
    assert.throws(() => prepareExplain('EXPLAIN SELECT 1'), /without EXPLAIN/);
    assert.deepEqual(prepareExplain('SELECT 1;'), { statement: 'SELECT 1', canAnalyze: true });
  });

  it('refuses a statement that has no plan, saying so instead of a syntax error', () => {
    // Slowest queries lists what pg_stat_statements recorded, COMMIT and SET included.
    for (const statement of ['ROLLBACK', 'COMMIT', 'SET LOCAL lock_timeout = 1000', 'SHOW x']) {
      assert.throws(
        () => prepareExplain(statement),
        (e: unknown) =>
          UpkeepError.is(e, 'refused') && /has no plan/.test(e.message) && /SELECT/.test(e.message),
        statement,
      );
    }
    for (const statement of [
      '(SELECT 1)',
      'WITH a AS (SELECT 1) SELECT * FROM a',
      'UPDATE t SET a = 1',
      'VALUES (1)',
      'TABLE t',
      'CREATE TABLE t2 AS SELECT 1',
      'EXECUTE plan_a(1)',
    ]) {
      assert.equal(prepareExplain(statement).statement, statement);
    }
  });
});

describe('pg_stat_statements columns', () => {
  it('follows the extension version, not the server version', () => {
    assert.equal(versionAtLeast('1.10', '1.8'), true);
    assert.equal(versionAtLeast('1.7', '1.8'), false);
    assert.deepEqual(statStatementsColumns('1.7'), {
      totalTime: 'total_time',
      meanTime: 'mean_time',
      blockReadTime: 'blk_read_time',
      blockWriteTime: 'blk_write_time',
    });
    assert.equal(statStatementsColumns('1.8').meanTime, 'mean_exec_time');
    assert.equal(statStatementsColumns('1.10').blockReadTime, 'blk_read_time');
    assert.equal(statStatementsColumns('1.11').blockReadTime, 'shared_blk_read_time');
  });
});

describe('plan rendering', () => {
  it('indents nodes and marks the slowest', () => {
    const result: ExplainResult = {
      statement: 'SELECT 1',
      analyzed: true,
      slowestNodeId: 1,
      planningMs: 0.1,
      executionMs: 12.5,
      raw: null,
      nodes: [
        {
          id: 0,
          depth: 0,
          nodeType: 'Hash Join',
          detail: 'Inner join',
          startupCost: 1,
          totalCost: 50,
          planRows: 10,
          actualRows: 9,
          loops: 1,
          actualTotalMs: 12,
          exclusive: 1,
        },
        {
          id: 1,
          depth: 1,
          nodeType: 'Seq Scan',
          detail: 'on users',
          startupCost: 0,
          totalCost: 40,
          planRows: 1000,
          actualRows: 1000,
          loops: 1,
          actualTotalMs: 11,
          exclusive: 11,
          filter: '(step = 1)',
        },
      ],
    };
    const text = renderPlan(result, 'app@127.0.0.1:5432/app');
    assert.match(text, /^-- EXPLAIN ANALYZE on app@127\.0\.0\.1:5432\/app$/m);
    assert.match(
      text,
      new RegExp(
        [
          // the planner's estimate
          String.raw`^ {3}-> Seq Scan on users {2}\(cost=0\.00\.\.40\.00 rows=1000`,
          // what ANALYZE measured
          String.raw` \| actual 11\.000 ms, rows=1000 loops=1\)`,
          // the mark on the slowest node
          ' {3}<== slowest',
        ].join(''),
        'm',
      ),
    );
    assert.match(text, /\(step = 1\)/);
  });
});

describe('maintenance statements', () => {
  const connection: ResolvedConnection = {
    config: { host: '127.0.0.1', port: 1, database: 'app' },
    display: 'me@127.0.0.1:1/app',
    source: { kind: 'setting' },
    production: false,
    databaseName: 'app',
  };

  it('quotes names and uses CONCURRENTLY from PostgreSQL 12', () => {
    assert.equal(
      planMaintenance(
        connection,
        'vacuumAnalyze',
        { type: 'table', schema: 'billing', name: 'In"voices' },
        170000,
      ).sql,
      'VACUUM (ANALYZE) "billing"."In""voices";',
    );
    assert.equal(
      planMaintenance(connection, 'analyze', { type: 'database' }, 170000).sql,
      'ANALYZE;',
    );
    assert.equal(
      planMaintenance(connection, 'reindex', { type: 'table', name: 'users' }, 110000).sql,
      'REINDEX TABLE "users";',
    );
    assert.equal(
      planMaintenance(connection, 'reindex', { type: 'database' }, 150000).sql,
      'REINDEX DATABASE CONCURRENTLY "app";',
    );
    assert.throws(() =>
      planMaintenance(connection, 'analyze', { type: 'index', name: 'i' }, 170000),
    );
  });

  it('says what REINDEX of one index does, in words about one index', () => {
    for (const version of [170000, 110000]) {
      const plan = planMaintenance(
        connection,
        'reindex',
        { type: 'index', name: 'index_users_on_email' },
        version,
      );
      const { detail } = maintenancePrompt(plan, 'upkeep.database.url setting');
      assert.doesNotMatch(detail, /indexes of the index|each index|each table/, detail);
      assert.match(detail, /rebuilds the index\b/, detail);
      assert.match(detail, /its table/, detail);
    }
  });

  it('puts where the connection came from next to the database, before the typed name', () => {
    const plan = planMaintenance(connection, 'vacuumAnalyze', { type: 'database' }, 170000);
    const { detail } = maintenancePrompt(plan, 'upkeep.database.url setting');
    assert.match(
      detail,
      /\n\nDatabase: me@127\.0\.0\.1:1\/app\nFrom: upkeep\.database\.url setting\n\n/,
      detail,
    );
    assert.match(detail, /You will be asked to type the database name \(app\) to run it\.$/);
  });

  it('runs nothing without a confirmation it issued', async () => {
    const plan = planMaintenance(connection, 'analyze', { type: 'table', name: 'users' }, 170000);
    const forged = { plan, confirmedAt: '2026-01-01T00:00:00Z' } as MaintenanceConfirmation;
    await assert.rejects(
      runMaintenance(connection, forged, { lockTimeoutMs: 10, connectTimeoutMs: 10 }),
      (e: unknown) => UpkeepError.is(e, 'refused'),
    );
    const other = { ...connection, display: 'me@127.0.0.1:1/other', databaseName: 'other' };
    await assert.rejects(
      runMaintenance(other, confirmMaintenance(plan), { lockTimeoutMs: 10, connectTimeoutMs: 10 }),
      /confirmation was for/,
    );
  });
});

describe('size snapshots', () => {
  it('keeps one an hour, finds the baseline, and moves an unreadable file aside', async () => {
    const dir = await tempFolder('upkeep-snapshots-');
    const file = path.join(dir, 'nested', 'snapshots.json');
    const at = (iso: string, bytes: number) => ({
      at: iso,
      databaseBytes: bytes,
      tables: { 'public.users': bytes / 2 },
    });
    await recordSnapshot(file, 'db', at('2026-11-20T10:00:00.000Z', 1000));
    await recordSnapshot(file, 'db', at('2026-11-20T10:30:00.000Z', 1100));
    await recordSnapshot(file, 'db', at('2026-11-27T10:00:00.000Z', 2000));
    const { snapshots } = await recordSnapshot(file, 'db', at('2026-12-04T10:00:00.000Z', 3000));
    assert.deepEqual(
      snapshots.map((s) => s.databaseBytes),
      [1000, 2000, 3000],
    );
    assert.equal(
      baselineSnapshot(snapshots, new Date('2026-12-04T10:00:00Z'), 7)?.databaseBytes,
      2000,
    );
    assert.equal(
      baselineSnapshot(snapshots, new Date('2026-12-04T10:00:00Z'), 30)?.databaseBytes,
      1000,
    );
    assert.deepEqual(await readSnapshots(file, 'other'), []);

    await fs.writeFile(file, '{ broken');
    const result = await recordSnapshot(file, 'db', at('2026-12-05T10:00:00.000Z', 1));
    assert.ok(result.movedAside);
    assert.equal(await fs.readFile(result.movedAside, 'utf8'), '{ broken');
    assert.equal(result.snapshots.length, 1);
  });

  it('a snapshot folder it cannot create says where, and what to set', async () => {
    const folder = await tempFolder('upkeep-snapshots-');
    const notAFolder = path.join(folder, 'home');
    await fs.writeFile(notAFolder, '');
    const file = path.join(notAFolder, '.cache/upkeep/db-snapshots.json');
    const snapshot = { at: '2026-12-04T10:00:00.000Z', databaseBytes: 1, tables: {} };
    const error = await recordSnapshot(file, 'db', snapshot).then(
      () => assert.fail('wrote under a file'),
      (caught: unknown) => caught,
    );
    assert.ok(UpkeepError.is(error, 'config'), String(error));
    assert.equal(
      error.message,
      `Cannot keep size snapshots in ${file}: ${notAFolder} is a file, not a folder.`,
    );
    assert.match(
      error.hint ?? '',
      /Set XDG_CACHE_HOME \(or HOME\) to the absolute path of a folder this user can write/,
    );

    // The editor has no --no-snapshots: its hint names where its environment comes from.
    const hint = async (surface: 'editor' | 'cli'): Promise<string | undefined> =>
      recordSnapshot(file, 'db', snapshot, silentLogger, surface).then(
        () => assert.fail('wrote under a file'),
        (caught: unknown) => (caught as UpkeepError).hint,
      );
    assert.equal(
      await hint('editor'),
      'Set XDG_CACHE_HOME (or HOME) to the absolute path of a folder this user can write in ' +
        'the environment the editor (or its remote server) starts with.',
    );
    // Under `upkeep check` (db.growth) too: the flag is named as upkeep db's, not check's.
    assert.match(
      (await hint('cli')) ?? '',
      /often have none\. \(upkeep db can keep none with --no-snapshots\.\)$/,
    );
    await fs.rm(folder, { recursive: true, force: true });
  });
});
