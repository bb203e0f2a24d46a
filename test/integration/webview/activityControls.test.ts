/**
 * Query text from pg_stat_activity through the whole path: a real session on the embedded
 * PostgreSQL runs a statement whose comment holds a terminal escape, a C1 control and a bidi
 * override; the Long-running queries card reads it, the Database view-model maps it, and the
 * dashboard in Chromium shows each control written out (`\u001b`), as a card's summary does.
 * Slowest queries shows its statements' lines, their other controls written out too.
 */
import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { runCard, type DbCard } from '../../../src/core/db/cards';
import { databaseView } from '../../../src/core/dashboard/databaseView';
import type { DbSession } from '../../../src/core/db/session';
import { admin, connect, createDatabase } from '../db/servers';
import { embeddedServer } from '../../support/postgres';
import { DashboardHarness } from './harness';
import { refreshMessages, sampleSections } from './sampleData';

/** What a page must not draw raw: C0 (but none here is a line break), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('dashboard webview: controls in a long-running query (Chromium, PostgreSQL)', function () {
  this.timeout(120_000);
  const harness = new DashboardHarness();
  let session: DbSession | undefined;
  let busy: Client | undefined;

  before(async () => harness.start());
  after(async () => {
    await session?.close();
    await busy?.end().catch(() => undefined);
    await harness.stop();
  });

  it('writes out each control of the query text in the table, its title too', async () => {
    const url = await createDatabase(await embeddedServer(), 'controls');
    ({ session } = await connect(url));
    busy = new Client({ connectionString: url });
    await busy.connect();
    // Clear the screen, a C1 CSI (ESC [ in one character) and a right-to-left override.
    const comment = '\u001b[2J\u009b31m\u202egnp.exe\u0007';
    const running = busy.query(`SELECT pg_sleep(30) /* ${comment} ${'x'.repeat(400)} */`);
    running.catch(() => undefined);
    // The card, once it sees the statement running.
    const seen = async (): Promise<DbCard | undefined> => {
      const card = await runCard(session!, 'longRunning', { longRunningSeconds: 0 });
      const rows = (card.data as { sessions: { query: string | null }[] }).sessions;
      return rows.some((row) => row.query?.includes('pg_sleep')) ? card : undefined;
    };
    let card = await seen();
    for (let tries = 0; !card && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      card = await seen();
    }
    assert.ok(card, 'the query was never seen running');

    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    database.data = databaseView([card], 'controls');
    const dashboard = await harness.open();
    for (const message of refreshMessages(1, payloads)) await dashboard.send(message);

    const cell = dashboard.page.locator('[data-card="longRunning"] td').filter({
      hasText: 'pg_sleep',
    });
    const text = (await cell.textContent()) ?? '';
    const title = (await cell.getAttribute('title')) ?? '';
    for (const shown of [text, title]) {
      assert.ok(
        shown.includes('/* \\u001b[2J\\u009b31m\\u202egnp.exe\\u0007 x'),
        JSON.stringify(shown.slice(0, 80)),
      );
      assert.doesNotMatch(shown, RAW_CONTROL);
    }
    await dashboard.page.context().close();
    await admin(url, 'SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query ~ $1', [
      '^SELECT pg_sleep\\(30\\)',
    ]);
  });

  it('writes out the controls of a slowest query, keeping its lines', async () => {
    const payloads = sampleSections();
    const database = payloads.find((payload) => payload.section === 'database');
    assert.ok(database?.section === 'database');
    database.data.slowQueries[0].query =
      'SELECT 1 /* \u001b[2J\u009b31m\u202egnp.exe\u0007 */\r\n  FROM\tt';
    const dashboard = await harness.open();
    for (const message of refreshMessages(1, payloads)) await dashboard.send(message);

    const code = dashboard.page.locator('[data-section="database"] code.sql').first();
    const text = (await code.textContent()) ?? '';
    const title = (await code.getAttribute('title')) ?? '';
    for (const shown of [text, title]) {
      assert.equal(shown, 'SELECT 1 /* \\u001b[2J\\u009b31m\\u202egnp.exe\\u0007 */\n  FROM\tt');
    }
    await dashboard.page.context().close();
  });
});
