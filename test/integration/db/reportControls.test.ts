/**
 * Save as Report on a real server: a statement's text in pg_stat_statements is anyone's who can
 * connect, comments included, and the report is a file a maintainer commits and reads with cat
 * or git show. Its escape sequences and bidirectional controls are written out in the report,
 * not written raw for a terminal to act on.
 */
import * as assert from 'node:assert/strict';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import { buildReport } from '../../../src/core/dashboard/report';
import { collectCards } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

/** A terminal acts on these: C0 and C1 controls but the line feed, and the bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e]/;

describe('the saved report of a statement with controls in its text', function () {
  this.timeout(120_000);

  it('writes the controls out, the query still readable', async () => {
    const url = await createDatabase(await serversUnderTest[0].start(), 'reportcontrols');
    await admin(url, 'CREATE EXTENSION pg_stat_statements');
    // A window title, a cleared screen, a C1 colour and a right-to-left override.
    await admin(
      url,
      'SELECT pg_sleep(0.05) /* \u001b]0;owned\u0007\u001b[2J\u009b31m \u202egnp */',
    );
    const { connection, session } = await connect(url);
    try {
      const cards = await collectCards(session, { only: ['slowQueries'] });
      const database = databaseView(cards, connection.display);
      const markdown = buildReport({
        generatedAt: new Date(2026, 11, 4, 10, 30),
        author: 'Ada',
        workspaceName: 'demo',
        window: { kind: '24h' },
        sections: { database },
        errors: {},
      });
      const row = markdown.split('\n').find((line) => line.includes('pg_sleep'));
      assert.ok(row, markdown);
      assert.doesNotMatch(markdown, RAW_CONTROL);
      assert.match(row, /\\u001b\]0;owned\\u0007\\u001b\[2J\\u009b31m \\u202egnp/);
    } finally {
      await session.close();
    }
  });
});
