/**
 * Database and Business view-models from database cards shaped as src/core/db's card data
 * interfaces (typed against them, so a change there fails to compile here).
 */
import { strict as assert } from 'node:assert';
import type { DbCard } from '../../../src/core/db/cards';
import type {
  DuplicateIndex,
  ForeignKeyWithoutIndex,
  HighestKeysData,
  SeqScanTable,
  TablesData,
  UnusedIndexesData,
} from '../../../src/core/db/tableCards';
import type { BlockedQuery, SlowQueriesData } from '../../../src/core/db/activityCards';
import type { BusinessGrowthData, OnboardingData } from '../../../src/core/db/businessCards';
import {
  businessView,
  cardView,
  databaseView,
  growthCharts,
  labelOf,
  tableOf,
} from '../../../src/core/dashboard/databaseView';
import { formatPercent } from '../../../src/core/util/figures';

function card<T>(id: string, data: T | null, state: DbCard['state'] = 'ok'): DbCard<T> {
  return { id, title: labelOf(id), state, summary: `${id} summary`, data, durationMs: 3 };
}

const tables: TablesData = {
  tableCount: 4,
  tables: [
    {
      schema: 'public',
      name: 'bookings',
      totalBytes: 2_000_000,
      tableBytes: 1_500_000,
      indexBytes: 500_000,
      pretty: '1953 kB',
      estimatedRows: 12000,
      partitions: 0,
      growth7dBytes: 1000,
    },
    {
      schema: 'audit',
      name: 'events',
      totalBytes: 1_000_000,
      tableBytes: 900_000,
      indexBytes: 100_000,
      pretty: '977 kB',
      estimatedRows: 500,
      partitions: 12,
    },
  ],
};

const slow: SlowQueriesData = {
  allRoles: true,
  extensionVersion: '1.11',
  extensionSchema: 'public',
  columns: { totalTime: 'total_exec_time', meanTime: 'mean_exec_time', blockReadTime: 'x' },
  queries: [
    {
      queryId: '1',
      query: 'SELECT * FROM bookings WHERE id = $1',
      role: 'app',
      calls: 10,
      totalMs: 50,
      meanMs: 5,
      rows: 10,
      share: 0.5,
      blockReadMs: 0,
    },
  ],
};

describe('dashboard database view', () => {
  it('writes numbers in facts with thousands separators', () => {
    const view = cardView(
      card('connectivity', {
        serverVersion: '17.2',
        roundTripMs: 1854,
        display: 'app',
        source: 'env',
      }),
    );
    assert.equal(view.facts.find((fact) => fact.label === 'Round trip')?.value, '1,854 ms');
  });

  it('shows the largest tables with sizes, rows and growth', () => {
    const view = cardView(card('tables', tables));
    assert.deepEqual(view.facts, [{ label: 'Tables', value: '4' }]);
    const many = cardView(card('tables', { ...tables, tableCount: 1891 }));
    assert.deepEqual(many.facts, [{ label: 'Tables', value: '1,891' }]);
    assert.deepEqual(view.table?.rows, [
      ['bookings', '1953 kB', 2_000_000, 12000, 1000],
      ['audit.events (partitioned: 12 partitions)', '977 kB', 1_000_000, 500, null],
    ]);
  });

  it('keeps state, reason and fix, and shows an errored card without data', () => {
    const failed: DbCard = {
      ...card('vacuum', null, 'error'),
      reason: 'permission denied',
      fix: 'GRANT pg_read_all_stats TO app;',
    };
    const view = cardView(failed);
    assert.equal(view.state, 'error');
    assert.equal(view.reason, 'permission denied');
    assert.equal(view.fix, 'GRANT pg_read_all_stats TO app;');
    assert.deepEqual(view.facts, []);
    assert.equal(view.table, undefined);

    const two = ['CREATE INDEX ON a (b_id);', 'CREATE INDEX ON c (d_id);'];
    assert.deepEqual(
      cardView({ ...card('missingIndexes', null), fix: two[0], fixes: two }).fixes,
      two,
    );
  });

  it('shows an unknown card generically: scalars as facts, the first list as a table', () => {
    const view = cardView(
      card('connections', {
        total: 7,
        maxConnections: 100,
        share: 0.07,
        byState: [
          { state: 'idle', count: 5 },
          { state: 'active', count: 2 },
        ],
      }),
    );
    assert.deepEqual(view.facts.slice(0, 2), [
      { label: 'Total', value: '7' },
      { label: 'Max connections', value: '100' },
    ]);
    assert.deepEqual(view.table?.columns, [
      { key: 'state', label: 'State', numeric: false },
      { key: 'count', label: 'Count', numeric: true },
    ]);
    assert.equal(tableOf({ nothing: [] }), undefined);
  });

  it('reads a column of integers as text (a sequence past 2^53) as a numeric column', () => {
    const table = tableOf(
      {
        sequences: [
          { name: 'users_id_seq', lastValue: '9223372036854775807', share: 1 },
          { name: 'orders_id_seq', lastValue: '42', share: 0 },
        ],
      },
      'sequences',
    );
    assert.deepEqual(table?.columns[1], { key: 'lastValue', label: 'Last value', numeric: true });
    // The digits stay as given: a number would round 9223372036854775807 to …808.
    assert.deepEqual(
      table?.rows.map((row) => row[1]),
      ['9223372036854775807', '42'],
    );
    assert.equal(tableOf({ rows: [{ name: '12' }, { name: 'users' }] })?.columns[0].numeric, false);
  });

  it('hands the slowest queries to their own table and keeps business cards apart', () => {
    const view = databaseView(
      [card('slowQueries', slow), card('tables', tables), card('onboarding', null, 'skipped')],
      'app@127.0.0.1:5432/app',
    );
    assert.deepEqual(view.slowQueries, [
      {
        // What tells it from the same text run by another role: its query id and role.
        key: '["1","app"]',
        query: 'SELECT * FROM bookings WHERE id = $1',
        calls: 10,
        totalMs: 50,
        meanMs: 5,
        rows: 10,
      },
    ]);
    assert.deepEqual(
      view.cards.map((c) => c.id),
      ['slowQueries', 'tables'],
    );
  });

  it('draws growth from snapshots, oldest first, in MB', () => {
    const charts = growthCharts([
      {
        at: '2026-12-03T00:00:00Z',
        databaseBytes: 2 * 1024 * 1024,
        tables: { 'public.a': 1048576 },
      },
      { at: '2026-12-01T00:00:00Z', databaseBytes: 1024 * 1024, tables: {} },
    ]);
    assert.equal(charts.length, 2);
    assert.deepEqual(charts[0].series[0].values, [1, 2]);
    assert.deepEqual(charts[1].series, [{ label: 'a', values: [null, 1] }]);
    assert.deepEqual(growthCharts([]), []);
  });

  it('draws no Largest tables chart of a database without tables', () => {
    // It drew empty axes and a legend of nothing under its title.
    const charts = growthCharts([
      { at: '2026-12-03T00:00:00Z', databaseBytes: 8_000_000, tables: {} },
      { at: '2026-12-04T00:00:00Z', databaseBytes: 8_100_000, tables: {} },
    ]);
    assert.deepEqual(
      charts.map((chart) => chart.title),
      ['Database size'],
    );
  });

  it(
    'draws the onboarding funnel as users who reached each step, ' +
      'with completion and retention',
    () => {
      const onboarding: OnboardingData = {
        total: 100,
        steps: [
          { step: 1, users: 30 },
          { step: 2, users: 20 },
          { step: 5, users: 50 },
          { step: null, users: 4 },
        ],
        lastStep: 5,
        completionRate: 0.5,
        averageSecondsToComplete: 36 * 3600,
        dropOff: [],
      };
      const growth: BusinessGrowthData = {
        counts: { users: 100, businesses: 20 },
        signUpsPerDay: [
          { day: '2026-12-02', users: 3 },
          { day: '2026-12-01', users: 5 },
        ],
        retention7d: { cohort: 40, retained: 10, rate: 0.25, basedOn: 'current_sign_in_at' },
      };
      const view = businessView([
        // The title the onboarding card has in upkeep db (businessCards.ts).
        { ...card('onboarding', onboarding), title: 'Onboarding funnel' },
        card('businessGrowth', growth),
        card('tables', tables),
      ]);
      assert.deepEqual(view.funnel, [
        { step: 'Step 1', users: 100 },
        { step: 'Step 2', users: 70 },
        { step: 'Step 5', users: 50 },
      ]);
      assert.equal(view.completionRatePercent, 50);
      assert.equal(view.timeToCompleteHours, 36);
      assert.equal(view.retentionPercent, 25);
      assert.deepEqual(view.signupsPerDay?.times, [
        Date.parse('2026-12-01T00:00:00Z') / 1000,
        Date.parse('2026-12-02T00:00:00Z') / 1000,
      ]);
      assert.deepEqual(view.signupsPerDay?.series[0].values, [5, 3]);
      // Its series' name says what it counts ("Sign-ups 5"): no "users" after each figure.
      assert.equal(view.signupsPerDay?.figures, 'count');
      assert.deepEqual(
        view.cards.map((c) => c.id),
        ['onboarding', 'businessGrowth'],
      );
      // The card counts users at their step now, unlike the funnel: its title says so.
      // Named as upkeep db names it, with what it counts under the name.
      assert.equal(view.cards[0].title, 'Onboarding funnel');
      assert.equal(view.cards[0].subtitle, 'Users now at each step');
    },
  );

  it('draws the partial first day and today as part days, lighter, with a note', () => {
    const growth: BusinessGrowthData = {
      counts: { users: 30 },
      signUpsPerDay: [
        { day: '2026-11-05', users: 2 },
        { day: '2026-11-06', users: 9 },
        { day: '2026-12-05', users: 3 },
      ],
      signUpsTimeZone: 'Etc/UTC',
      signUpsPartialDays: { first: '2026-11-05', last: '2026-12-05' },
      retention7d: null,
    };
    const chart = businessView([card('businessGrowth', growth)]).signupsPerDay;
    // Every day of the window, the days between Nov 6 and Dec 5 without sign-ups as 0.
    const zeros = (count: number): number[] => Array.from({ length: count }, () => 0);
    const gaps = (count: number): null[] => Array.from({ length: count }, () => null);
    assert.deepEqual(
      chart?.series.map((series) => [series.label, series.values, series.faded ?? false]),
      [
        ['Sign-ups', [null, 9, ...zeros(28), null], false],
        // Part of the sign-ups, whose total (the legend's, the card's) counts them too.
        ['of which part days', [2, ...gaps(29), 3], true],
      ],
    );
    assert.equal(
      chart?.note,
      'Lighter bars are part days: Nov 5 from this time 30 days ago, Dec 5 (today) so far.',
    );

    // Without the part days (a card saved before them), every day is drawn alike.
    const older = businessView([
      card('businessGrowth', { ...growth, signUpsPartialDays: undefined }),
    ]).signupsPerDay;
    assert.deepEqual(older?.series, [{ label: 'Sign-ups', values: [2, 9, ...zeros(28), 3] }]);
    assert.equal(older?.note, undefined);
  });

  it('draws every day of the 30-day window, a day without sign-ups as 0', () => {
    // The query returns only days with sign-ups: a week of none was not on the axis at all.
    const growth: BusinessGrowthData = {
      counts: { users: 30 },
      signUpsPerDay: [
        { day: '2026-11-06', users: 9 },
        { day: '2026-11-20', users: 4 },
      ],
      signUpsTimeZone: 'Etc/UTC',
      signUpsPartialDays: { first: '2026-11-05', last: '2026-12-05' },
      retention7d: null,
    };
    const chart = businessView([card('businessGrowth', growth)]).signupsPerDay;
    const day = (at: number): string => new Date(at * 1000).toISOString().slice(0, 10);
    assert.ok(chart);
    assert.equal(chart.times.length, 31);
    assert.equal(day(chart.times[0]), '2026-11-05');
    assert.equal(day(chart.times[30]), '2026-12-05');
    assert.ok(chart.times.every((at, i) => i === 0 || at - chart.times[i - 1] === 86400));
    // PostgreSQL's Etc/UTC is named UTC, as the page names it beside its other times.
    assert.deepEqual(chart.dayBuckets, { timeZone: 'UTC' });
    for (const [zone, shown] of [
      ['Europe/Berlin', 'Europe/Berlin'],
      ['GMT', 'UTC'],
      ['Not/AZone', 'Not/AZone'],
    ]) {
      const named = businessView([card('businessGrowth', { ...growth, signUpsTimeZone: zone })]);
      assert.deepEqual(named.signupsPerDay?.dayBuckets, { timeZone: shown }, zone);
    }
    const [whole, part] = chart.series;
    assert.equal(whole.values[1], 9);
    assert.equal(whole.values[15], 4);
    assert.equal(whole.values.filter((value) => value === 0).length, 27);
    assert.deepEqual([part.values[0], part.values[30]], [0, 0]);

    // No sign-ups at all in 30 days is 31 days of none, not "no data".
    const none = businessView([
      card('businessGrowth', { ...growth, signUpsPerDay: [] }),
    ]).signupsPerDay;
    assert.ok(none);
    assert.equal(none.times.length, 31);
    assert.ok(none.series.every((series) => series.values.every((v) => v === 0 || v === null)));

    // A card saved without the window's days fills the days between those it has.
    const older = businessView([
      card('businessGrowth', { ...growth, signUpsPartialDays: undefined }),
    ]).signupsPerDay;
    assert.ok(older);
    assert.equal(older.times.length, 15);
    assert.deepEqual(older.series[0].values.slice(0, 3), [9, 0, 0]);
  });

  it("names the growth card's sign-ups as its chart does", () => {
    // Its table lists sign-ups per day: a "Users" column read 2 users beside 3,000 in the
    // summary, and the zone the days are cut in read as a field name ("Sign ups time zone").
    const growth: BusinessGrowthData = {
      counts: { users: 3000 },
      signUpsPerDay: [{ day: '2026-11-05', users: 2 }],
      signUpsTimeZone: 'Etc/UTC',
      retention7d: null,
    };
    const view = cardView(card('businessGrowth', growth));
    assert.deepEqual(
      view.table?.columns.map((column) => column.label),
      ['Day', 'Sign-ups'],
    );
    assert.deepEqual(view.facts, [{ label: 'Sign-ups time zone', value: 'Etc/UTC' }]);
  });

  it("says the growth card's retention note once, in its text, not again as a figure", () => {
    // The card's reason already says why retention cannot be measured; the same sentence came
    // again as a "Retention note" figure, cut off with an ellipsis in a narrow tile.
    const note =
      'users has none of current_sign_in_at, last_sign_in_at, last_seen_at, last_active_at, ' +
      'last_login_at, so 7-day retention cannot be measured.';
    const growth: BusinessGrowthData = {
      counts: { users: 2000 },
      signUpsPerDay: [{ day: '2026-11-05', users: 1 }],
      signUpsTimeZone: 'Etc/UTC',
      retention7d: null,
      retentionNote: note,
    };
    const view = cardView({ ...card('businessGrowth', growth), reason: note });
    assert.equal(view.reason, note);
    assert.deepEqual(view.facts, [{ label: 'Sign-ups time zone', value: 'Etc/UTC' }]);
  });

  it('gives the headline shares unrounded, so they read as the cards write them', () => {
    // 234 of 481 users is 48.6486 %: rounded to hundredths first it became 48.65, then 48.7 %
    // in the headline while the card said 48.6 %.
    const onboarding: OnboardingData = {
      total: 3000,
      steps: [{ step: 5, users: 3000 }],
      lastStep: 5,
      completionRate: 0.48649,
      averageSecondsToComplete: null,
      dropOff: [],
    };
    const growth: BusinessGrowthData = {
      counts: { users: 3000 },
      signUpsPerDay: [],
      retention7d: { cohort: 481, retained: 234, rate: 234 / 481, basedOn: 'last_sign_in_at' },
    };
    const view = businessView([card('onboarding', onboarding), card('businessGrowth', growth)]);
    assert.equal(formatPercent(view.retentionPercent), '48.6 %');
    assert.equal(formatPercent(view.completionRatePercent), '48.6 %');
  });

  it('leaves business figures empty when the cards were skipped', () => {
    const view = businessView([
      card('onboarding', null, 'skipped'),
      card('businessGrowth', null, 'skipped'),
    ]);
    assert.deepEqual(view.funnel, []);
    assert.equal(view.completionRatePercent, null);
    assert.equal(view.signupsPerDay, null);
    assert.deepEqual(
      view.cards.map((c) => c.state),
      ['skipped', 'skipped'],
    );
  });
  it('shows shares as percentages and seconds as durations in generic card facts', () => {
    // The cache hit ratio keeps the card summary's hundredths: 99.99 % is not shown as 100 %.
    const cache = cardView(
      card('cacheHitRatio', { tables: 0.9987, indexes: 0.99991, blocksRead: 12 }),
    );
    assert.deepEqual(
      cache.facts.map((fact) => `${fact.label}: ${fact.value}`),
      ['Tables: 99.87 %', 'Indexes: 99.99 %', 'Blocks read: 12'],
    );
    const other = cardView(
      card('someCard', { completionRate: 0.25, averageSecondsToComplete: 123_030.86, users: 3 }),
    );
    assert.deepEqual(
      other.facts.map((fact) => `${fact.label}: ${fact.value}`),
      ['Completion rate: 25 %', 'Average to complete: 1 d 10 h', 'Users: 3'],
    );
    // A small rate reads as the alerts and checks write it, not rounded up to 0.1 %.
    const small = cardView(card('someCard', { errorRate: 0.0005, retentionRate: 0.48649 }));
    assert.deepEqual(
      small.facts.map((fact) => fact.value),
      ['0.05 %', '48.6 %'],
    );
  });

  it('labels the highest keys card for people, without its setval statements', () => {
    const data: HighestKeysData = {
      keys: [
        {
          schema: 'public',
          table: 'bookings',
          column: 'id',
          columnType: 'integer',
          sequenceSchema: 'public',
          sequence: 'bookings_id_seq',
          highest: '2000000000',
          next: '12',
          typeEnd: '2147483647',
          share: 0.9313,
          behind: true,
          nextTaken: true,
          fixSql: "SELECT setval('public.bookings_id_seq', 2000000000);",
        },
      ],
      columns: 3,
      read: 3,
      locked: 0,
      unreadable: 0,
      sequencesUnread: 0,
      failed: 0,
    };
    const view = cardView(card('highestKeys', data, 'warn'));
    assert.deepEqual(
      view.table?.columns.map((column) => column.label),
      [
        'Schema',
        'Table',
        'Key column',
        'Type',
        'Sequence schema',
        'Sequence',
        'Highest value',
        'Sequence gives next',
        'Column maximum',
        'Share of column maximum (%)',
        'Sequence behind the keys',
        'Next insert fails',
      ],
    );
    assert.deepEqual(view.facts.map((fact) => fact.label).slice(0, 2), [
      'Key columns',
      'Key columns read',
    ]);
  });

  it("shows every column of a repo metric under the query's own name", () => {
    // Named like fields of Upkeep's own cards (advice, dropSql, a share, seconds), and one of
    // statements: the metric's author chose them, and each is a column of its card.
    const columns = ['advice', 'totalSql', 'share', 'waitSeconds', 'statement', 'note'];
    const rows = [
      {
        advice: 'call them',
        totalSql: 'SELECT 1',
        share: 0.25,
        waitSeconds: 90,
        statement: 'DROP TABLE leads',
        note: 'n',
      },
    ];
    const view = cardView(card('metric:leads', { columns, rows, truncated: false }));
    assert.deepEqual(
      view.table?.columns.map((column) => [column.key, column.label]),
      columns.map((name) => [name, name]),
    );
    assert.deepEqual(view.table?.rows, [
      ['call them', 'SELECT 1', 0.25, 90, 'DROP TABLE leads', 'n'],
    ]);
  });

  it('leaves statements and code words out of card tables and labels columns for people', () => {
    const duplicate: DuplicateIndex = {
      schema: 'public',
      table: 'bookings',
      name: 'index_bookings_on_service_id',
      coveredBy: 'index_bookings_on_service_id_and_starts_at',
      columns: 'service_id',
      coveringColumns: 'service_id, starts_at',
      bytes: 172032,
      pretty: '168 kB',
      dropSql: 'DROP INDEX CONCURRENTLY "index_bookings_on_service_id";',
    };
    const duplicates = cardView(card('duplicateIndexes', { indexes: [duplicate] }, 'warn'));
    assert.deepEqual(
      duplicates.table?.columns.map((column) => column.label),
      ['Schema', 'Table', 'Index', 'Covered by', 'Columns', 'Covering columns', 'Bytes', 'Size'],
    );
    assert.deepEqual(duplicates.table?.rows[0].slice(4, 6), [
      'service_id',
      'service_id, starts_at',
    ]);

    // An index definition in any field is a statement too: the fixes show those.
    const old = cardView(
      card('duplicateIndexes', {
        indexes: [{ ...duplicate, columns: 'CREATE INDEX i ON public.bookings USING btree (a)' }],
      }),
    );
    assert.ok(!old.table?.columns.some((column) => column.key === 'columns'));

    const unused: UnusedIndexesData = {
      droppable: 1,
      neverScanned: 12,
      statsSince: null,
      statsFrom: 'serverStart',
      statsDays: 0,
      leastScanned: [],
      indexes: [
        {
          schema: 'public',
          table: 'users',
          name: 'index_users_on_created_at',
          bytes: 172032,
          pretty: '168 kB',
          advice: 'drop',
          note: 'never scanned',
          dropSql: 'DROP INDEX CONCURRENTLY "index_users_on_created_at";',
        },
      ],
    };
    const unusedView = cardView(card('unusedIndexes', unused, 'warn'));
    assert.deepEqual(
      unusedView.table?.columns.map((column) => column.label),
      ['Schema', 'Table', 'Index', 'Bytes', 'Size', 'Advice'],
    );
    assert.deepEqual(unusedView.facts, [
      { label: 'Indexes to drop', value: '1' },
      { label: 'Indexes never scanned', value: '12' },
      { label: 'Statistics counted from', value: 'server start' },
      { label: 'Days of statistics', value: '0' },
    ]);

    const foreignKey: ForeignKeyWithoutIndex = {
      schema: 'public',
      table: 'bookings',
      constraint: 'bookings_user_id_fkey',
      columns: ['user_id', 'tenant_id'],
      references: 'users',
      invalidIndexes: [],
      createSql: 'CREATE INDEX CONCURRENTLY ON "bookings" ("user_id", "tenant_id");',
    };
    const foreignKeys = cardView(card('foreignKeysWithoutIndex', { foreignKeys: [foreignKey] }));
    assert.deepEqual(
      foreignKeys.table?.columns.map((column) => column.label),
      ['Schema', 'Table', 'Constraint', 'Columns', 'References'],
    );
    assert.equal(foreignKeys.table?.rows[0][3], 'user_id, tenant_id');

    const seqScan: SeqScanTable = {
      schema: 'public',
      name: 'bookings',
      seqScans: 340,
      indexScans: 10,
      seqShare: 0.9714,
      liveRows: 12000,
      rowsReadBySeqScans: 180000,
    };
    const seqScans = cardView(
      card('seqScans', { tables: [seqScan], minRows: 10_000, minScans: 100 }, 'warn'),
    );
    assert.deepEqual(
      seqScans.table?.columns.map((column) => column.label),
      [
        'Schema',
        'Table',
        'Sequential scans',
        'Index scans',
        'Sequential share (%)',
        'Live rows',
        'Rows read by sequential scans',
      ],
    );
    assert.equal(seqScans.table?.rows[0][4], 97.1);
    // Dead rows and vacuum gives the same estimate as Largest tables, and says so alike.
    const vacuumTable = {
      schema: 'public',
      name: 'schema_migrations',
      deadRows: 0,
      liveRows: 3,
      deadShare: 0,
    };
    const vacuumView = cardView(card('vacuum', { tables: [vacuumTable], autovacuum: true }));
    const rowsLabel = cardView(card('tables', tables)).table?.columns[3].label;
    assert.equal(rowsLabel, 'Rows (estimate)');
    assert.ok(vacuumView.table?.columns.some((column) => column.label === rowsLabel));
    // Growth's tables: what grew, or only those the 7-day snapshot left out, with their size now.
    const growth = {
      databaseBytes: 1e9,
      snapshots: 2,
      fastestTables: [],
      notInBaseline: [{ schema: 'public', name: 'events', totalBytes: 5e8, totalPretty: '477 MB' }],
      notInBaselineCount: 1,
    };
    const growthView = cardView(card('growth', growth));
    assert.deepEqual(
      growthView.table?.columns.map((column) => column.label),
      ['Schema', 'Table', 'Size now (bytes)', 'Size now'],
    );
    assert.ok(
      growthView.facts?.some(
        (fact) => fact.label === 'Tables not in the 7-day snapshot (growth unknown)',
      ),
    );
    const grew = cardView(
      card('growth', {
        ...growth,
        fastestTables: [{ schema: 'public', name: 'users', bytes: 4096, pretty: '4096 bytes' }],
      }),
    );
    assert.deepEqual(
      grew.table?.columns.map((column) => column.label),
      ['Schema', 'Table', 'Growth 7 days (bytes)', 'Growth 7 days'],
    );

    assert.deepEqual(seqScans.facts, [
      { label: 'Minimum table size (rows)', value: '10,000' },
      { label: 'Minimum scans judged', value: '100' },
    ]);

    const waiting: BlockedQuery = {
      pid: 4242,
      role: 'app',
      application: 'puma',
      state: 'active',
      query: 'UPDATE users SET name = $1 WHERE id = $2',
      queryAgeSeconds: 12.5,
      transactionAgeSeconds: 13,
      waitEvent: 'Lock:transactionid',
      blockedBy: [4141, 4343],
      blockers: [],
      preparedBlockers: [],
    };
    const blocked = cardView(card('blocked', { blocked: [waiting], waitingLocks: 1 }, 'warn'));
    assert.deepEqual(
      blocked.table?.columns.map((column) => column.label),
      [
        'PID',
        'Role',
        'Application',
        'State',
        'Query',
        'Query age (s)',
        'Transaction age (s)',
        'Waiting for',
        'Blocked by',
      ],
    );
    assert.equal(blocked.table?.rows[0][8], '4141, 4343');
  });
});
