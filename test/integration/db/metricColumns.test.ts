/**
 * A repo SQL metric (a `kind: sql` check) whose columns share a name, as `SELECT u.id, o.id`
 * of a join does: every column is kept, in order, a repeated name made distinct (`id (2)`) in
 * the card's data, the JSON of `upkeep db`, the dashboard card and the check's first cell.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { collectCards } from '../../../src/core/db/cards';
import { businessView } from '../../../src/core/dashboard/databaseView';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';
import { connect } from './servers';

const JOIN =
  'SELECT u.id, o.id, o.total FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id';

describe('a repo metric whose columns share a name', function () {
  this.timeout(60_000);
  let url: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'metric_columns');
    await admin(
      url,
      'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY, ' +
        'user_id int, total int); INSERT INTO users VALUES (7); ' +
        'INSERT INTO orders VALUES (70, 7, 5), (71, 7, 9)',
    );
  });

  it('keeps every column in order, a repeated name made distinct', async () => {
    const { session } = await connect(url);
    let cards;
    try {
      cards = await collectCards(session, {
        only: ['metric:join', 'metric:same', 'metric:unique', 'metric:numbered'],
        metrics: [
          { id: 'join', title: 'Orders', sql: JOIN },
          { id: 'same', title: 'Same', sql: 'SELECT 1 AS a, 2 AS a, 3 AS "a (2)", 4, 5' },
          { id: 'unique', title: 'Unique', sql: 'SELECT 1 AS n, 2 AS m' },
          { id: 'numbered', title: 'Numbered', sql: `SELECT 'x' AS name, 5 AS "2024"` },
        ],
      });
    } finally {
      await session.close();
    }
    const data = (id: string): unknown => cards.find((card) => card.id === id)?.data;
    assert.deepEqual(data('metric:join'), {
      columns: ['id', 'id (2)', 'total'],
      rows: [
        { id: 7, 'id (2)': 70, total: 5 },
        { id: 7, 'id (2)': 71, total: 9 },
      ],
      truncated: false,
    });
    assert.deepEqual(data('metric:same'), {
      columns: ['a', 'a (3)', 'a (2)', '?column?', '?column? (2)'],
      rows: [{ a: 1, 'a (3)': 2, 'a (2)': 3, '?column?': 4, '?column? (2)': 5 }],
      truncated: false,
    });
    // Unique names: the shape docs/db-json.md gives, as before.
    assert.deepEqual(data('metric:unique'), {
      columns: ['n', 'm'],
      rows: [{ n: 1, m: 2 }],
      truncated: false,
    });
    // One row of two columns is no single value: "2" was the second `a`, the first lost.
    const same = cards.find((card) => card.id === 'metric:same');
    assert.equal(same?.summary, '1 row');

    const view = businessView(cards);
    const table = (title: string) => view.cards.find((card) => card.title === title)?.table;
    assert.deepEqual(
      table('Orders')?.columns.map((column) => column.key),
      ['id', 'id (2)', 'total'],
    );
    assert.deepEqual(table('Orders')?.rows, [
      [7, 70, 5],
      [7, 71, 9],
    ]);
    // A name of digits comes where the query put it, not first as an object's keys go.
    assert.deepEqual(data('metric:numbered'), {
      columns: ['name', '2024'],
      rows: [{ name: 'x', 2024: 5 }],
      truncated: false,
    });
    assert.deepEqual(
      table('Numbered')?.columns.map((column) => column.key),
      ['name', '2024'],
    );
    assert.deepEqual(table('Numbered')?.rows, [['x', 5]]);
  });

  it('shows both columns in upkeep db JSON, and upkeep check reads the first cell', async () => {
    const workspace = await tempFolder('upkeep-ws-');
    try {
      await fs.mkdir(path.join(workspace, '.upkeep'));
      await fs.writeFile(
        path.join(workspace, '.upkeep/playbook.yaml'),
        'checks:\n' +
          `  - id: custom.orders\n    title: Orders\n    kind: sql\n    sql: ${JOIN}\n` +
          '  - id: custom.same\n    title: Same\n    kind: sql\n' +
          '    sql: SELECT 1 AS a, 2 AS a\n    expect:\n      equals: 1\n',
      );
      const env = { DATABASE_URL: url, HOME: workspace, XDG_CACHE_HOME: workspace };
      const db = await runCli(
        ['db', '--workspace', workspace, '--card', 'metric:custom.orders', '--format', 'json'],
        env,
      );
      assert.equal(db.code, 0, db.stderr + db.stdout);
      const [card] = (JSON.parse(db.stdout) as { cards: { data: unknown }[] }).cards;
      assert.deepEqual(card.data, {
        columns: ['id', 'id (2)', 'total'],
        rows: [
          { id: 7, 'id (2)': 70, total: 5 },
          { id: 7, 'id (2)': 71, total: 9 },
        ],
        truncated: false,
      });

      const check = await runCli(
        ['check', '--workspace', workspace, '--check', 'custom.same', '--format', 'json'],
        env,
      );
      assert.equal(check.code, 0, check.stderr + check.stdout);
      assert.match(check.stdout, /1 row, first cell 1\b/);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
