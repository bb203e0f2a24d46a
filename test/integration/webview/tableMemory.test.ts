/**
 * What the user set in a dashboard table (its sort, its page, the rows whose "More" is open)
 * outlives the page, in a real headless Chromium: the panel hidden and shown again, or the window
 * reloaded, builds a new page from the state the old one saved. A saved state that is stale or
 * hostile is read back checked and bounded; tables and rows are told apart by their own keys.
 */
import { strict as assert } from 'node:assert';
import type { Locator, Page } from 'playwright-core';
import type { CardView, SectionPayload } from '../../../src/core/dashboard/protocol';
import { DashboardHarness, type DashboardPage } from './harness';
import { manyActions, refreshMessages, sampleSections, sampleWith } from './sampleData';

/** A refresh as the host sends it, the page settled after it. */
async function refresh(dashboard: DashboardPage, id: number, payloads: SectionPayload[]) {
  for (const message of refreshMessages(id, payloads)) await dashboard.send(message);
  await dashboard.page.waitForFunction(() => !document.querySelector('[data-state="loading"]'));
}

function tableCaptioned(page: Page, caption: string): Locator {
  return page.locator('table.data', { has: page.locator('caption', { hasText: caption }) });
}

function expanded(buttons: Locator): Promise<(string | null)[]> {
  return buttons.evaluateAll((all) => all.map((button) => button.getAttribute('aria-expanded')));
}

/** A database card with a table, as a repo metric gives it (two may share a title). */
function tableCard(id: string, title: string, rows: (string | number | null)[][]): CardView {
  return {
    id,
    title,
    state: 'ok',
    summary: `${rows.length} rows`,
    facts: [],
    table: {
      columns: [
        { key: 'schema', label: 'Schema' },
        { key: 'table', label: 'Table' },
        { key: 'bytes', label: 'Bytes', numeric: true, optional: true },
      ],
      rows,
    },
  };
}

describe('dashboard webview: a table as the user left it, after the page is rebuilt', function () {
  this.timeout(60000);
  const harness = new DashboardHarness();

  before(async () => harness.start());
  after(async () => harness.stop());

  const many = (): SectionPayload[] =>
    sampleWith('logs', (logs) => {
      logs.actions = manyActions(120);
    });

  it('brings back the sort, the page and the open rows from the saved state', async () => {
    const before = await harness.open({ width: 500, timezoneId: 'UTC' });
    await refresh(before, 1, many());
    const first = tableCaptioned(before.page, 'Slowest actions');
    // p95 ascending: Controller22#action leads the second page.
    await first.getByRole('button', { name: 'p95' }).click();
    await before.page
      .locator('.table-block', { has: first })
      .getByRole('button', { name: 'Next page' })
      .click();
    await first.getByRole('button', { name: 'More about Controller22#action' }).click();
    const saved = await before.savedState();
    await before.page.context().close();

    // Another editor tab in front and back again: a new page, given what the old one saved.
    const after = await harness.open({ width: 500, timezoneId: 'UTC', state: saved });
    await refresh(after, 1, many());
    const table = tableCaptioned(after.page, 'Slowest actions');
    assert.equal(await table.locator('th[aria-sort="ascending"]').textContent(), 'p95');
    assert.equal(
      await after.page
        .locator('.table-block', { has: table })
        .locator('.pager-status')
        .textContent(),
      'Rows 51–100 of 120',
    );
    const more = table.getByRole('button', { name: /^More about / });
    assert.equal(
      await table.getByRole('button', { name: 'More about Controller22#action' }).count(),
      1,
    );
    assert.equal((await expanded(more)).filter((state) => state === 'true').length, 1);
    assert.equal(
      await table
        .getByRole('button', { name: 'More about Controller22#action' })
        .getAttribute('aria-expanded'),
      'true',
    );
    // The host is handed its window and scroll, not the tables, which only the page reads.
    const [ready] = await after.posted();
    assert.deepEqual(ready, { type: 'ready', state: { window: { kind: '24h' }, scrollY: 0 } });
    assert.deepEqual(after.problems.errors, []);
    await after.page.context().close();
  });

  it('reads back a corrupt or huge saved state without error, keeping what is sound', async () => {
    const junk: unknown[] = Array.from({ length: 200_000 }, (_, index) =>
      index % 2 ? 'junk' : { id: index },
    );
    const state = {
      window: { kind: '7d' },
      scrollY: 'far',
      tables: [
        ...junk,
        null,
        { id: 'logs.failedLogins', page: 'two', sort: { key: 42 }, open: 'abc' },
        { id: 'x'.repeat(100_000), page: 1 },
        { id: 'logs.exceptions', sort: { key: 'gone', descending: true }, page: -3, open: [] },
        { id: 'logs.suspicious', page: 1e12, open: [{}, 7, 'x'.repeat(1_000_000)] },
        {
          id: 'logs.actions',
          sort: { key: 'p95', descending: false },
          page: 1,
          open: [
            ...Array.from({ length: 100_000 }, (_, index) => `r${index}`),
            'Controller22#action',
          ],
        },
      ],
    };
    const dashboard = await harness.open({ width: 500, timezoneId: 'UTC', state });
    await refresh(dashboard, 1, many());
    const page = dashboard.page;
    assert.equal(await page.locator('[data-state="error"]').count(), 0);
    assert.deepEqual(dashboard.problems.errors, []);

    // The sound table came back whole.
    const table = tableCaptioned(page, 'Slowest actions');
    assert.equal(await table.locator('th[aria-sort="ascending"]').textContent(), 'p95');
    assert.equal(
      await page.locator('.table-block', { has: table }).locator('.pager-status').textContent(),
      'Rows 51–100 of 120',
    );
    assert.equal(
      await table
        .getByRole('button', { name: 'More about Controller22#action' })
        .getAttribute('aria-expanded'),
      'true',
    );
    // A sort by a column the table does not have is its default sort.
    assert.equal(
      await tableCaptioned(page, 'Exceptions by class')
        .locator('th[aria-sort="descending"]')
        .textContent(),
      'Count',
    );

    // What the page saves again is bounded: the few tables and rows it kept, not the junk.
    const saved = (await dashboard.savedState()) as { tables: unknown[] };
    assert.ok(saved.tables.length <= 40, `${saved.tables.length} tables kept`);
    assert.ok(JSON.stringify(saved).length < 20_000, `${JSON.stringify(saved).length} chars`);
    await page.context().close();

    // A state that is not even an object.
    for (const odd of ['garbage', [1, 2, 3], 42, { tables: { length: 1e9 } }]) {
      const other = await harness.open({ state: odd });
      await refresh(other, 1, sampleSections());
      assert.deepEqual(other.problems.errors, [], JSON.stringify(odd));
      assert.equal(await other.page.locator('[data-state="error"]').count(), 0);
      await other.page.context().close();
    }
  });

  it('keeps its own sort in each of two tables of one caption', async () => {
    const twoOfOneTitle = sampleWith('database', (database) => {
      const rows = [
        ['public', 'users', 300],
        ['public', 'bookings', 100],
        ['public', 'accounts', 200],
      ];
      database.cards = [
        tableCard('metric:sizes', 'Table sizes', rows),
        tableCard('metric:sizesArchive', 'Table sizes', rows),
      ];
    });
    const dashboard = await harness.open({ timezoneId: 'UTC' });
    const page = dashboard.page;
    await refresh(dashboard, 1, twoOfOneTitle);
    const tables = tableCaptioned(page, 'Table sizes');
    assert.equal(await tables.count(), 2);
    await tables.nth(0).getByRole('button', { name: 'Bytes' }).click();

    const sorted = async () =>
      tables.evaluateAll((all) =>
        all.map((table) => table.querySelector('th[aria-sort="descending"]')?.textContent ?? ''),
      );
    assert.deepEqual(await sorted(), ['Bytes', '']);
    await refresh(dashboard, 2, twoOfOneTitle);
    assert.deepEqual(await sorted(), ['Bytes', ''], 'after a refresh');

    const saved = await dashboard.savedState();
    await page.context().close();
    const rebuilt = await harness.open({ timezoneId: 'UTC', state: saved });
    await refresh(rebuilt, 1, twoOfOneTitle);
    const again = tableCaptioned(rebuilt.page, 'Table sizes');
    assert.deepEqual(
      await again.evaluateAll((all) =>
        all.map((table) => table.querySelector('th[aria-sort="descending"]')?.textContent ?? ''),
      ),
      ['Bytes', ''],
      'after the page is rebuilt',
    );
    await rebuilt.page.context().close();
  });

  it('opens apart two rows whose first column is the same', async () => {
    const sameFirst = sampleWith('database', (database) => {
      database.cards = [
        // Two tables named users, in two schemas; the schema column says "public" twice.
        tableCard('metric:users', 'Users tables', [
          ['public', 'users', 300],
          ['archive', 'users', 100],
          ['public', 'accounts', 200],
        ]),
      ];
      // One text, two queries: two roles', or two cut to the same first 2,000 characters.
      const [query] = database.slowQueries;
      database.slowQueries = [
        { ...query, key: '["11","app"]' },
        { ...query, key: '["11","reports"]', meanMs: 5 },
      ];
    });
    const dashboard = await harness.open({ width: 400, timezoneId: 'UTC' });
    const page = dashboard.page;
    await refresh(dashboard, 1, sameFirst);

    const cardMore = tableCaptioned(page, 'Users tables').getByRole('button', {
      name: /^More about /,
    });
    assert.equal(await cardMore.count(), 3);
    // The second "public" row: public.accounts in the rows as the host sent them.
    await cardMore.nth(2).click();
    const queryMore = tableCaptioned(page, 'Slowest queries').getByRole('button', {
      name: /^More about /,
    });
    assert.equal(await queryMore.count(), 2);
    await queryMore.nth(1).click();
    assert.deepEqual(await expanded(cardMore), ['false', 'false', 'true']);
    assert.deepEqual(await expanded(queryMore), ['false', 'true']);

    await refresh(dashboard, 2, sameFirst);
    assert.deepEqual(await expanded(cardMore), ['false', 'false', 'true'], 'after a refresh');
    assert.deepEqual(await expanded(queryMore), ['false', 'true'], 'after a refresh');

    // The archive's users opened too, and public's still closed.
    await cardMore.nth(1).click();
    await refresh(dashboard, 3, sameFirst);
    assert.deepEqual(await expanded(cardMore), ['false', 'true', 'true']);
    await page.context().close();
  });
});
