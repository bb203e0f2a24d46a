/**
 * View-models for the browser tests: an ordinary dashboard, and the same shapes filled with
 * hostile strings (markup, script URLs, a 1 MB line, right-to-left text).
 */
import type {
  ChartView,
  HostMessage,
  LogWindow,
  SectionPayload,
} from '../../../src/core/dashboard/protocol';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const HOUR = 3600;

function hours(count: number): number[] {
  const end = Math.floor(NOW / 1000 / HOUR) * HOUR;
  return Array.from({ length: count }, (_, index) => end - (count - 1 - index) * HOUR);
}

function chart(
  title: string,
  unit: string,
  series: Record<string, (i: number) => number | null>,
  figures?: ChartView['figures'],
): ChartView {
  const times = hours(24);
  return {
    title,
    unit,
    ...(figures ? { figures } : {}),
    times,
    series: Object.entries(series).map(([label, value]) => ({
      label,
      values: times.map((_, index) => value(index)),
    })),
  };
}

export const WINDOW: LogWindow = { kind: '24h' };

export function sampleSections(text: (base: string) => string = (base) => base): SectionPayload[] {
  return [
    {
      section: 'alerts',
      data: {
        alerts: [
          {
            id: 'logs.errorRate',
            severity: 'fail',
            title: text('Error rate'),
            detail: text('2.4 % of completed requests answered 5xx (alert above 1 %)'),
            section: 'logs',
          },
        ],
      },
    },
    {
      section: 'health',
      data: {
        counts: { pass: 1, warn: 0, fail: 1, error: 0, skipped: 1, never: 1 },
        tiers: [
          {
            tierId: 'daily',
            title: 'Daily',
            checks: [
              {
                checkId: 'health.database',
                title: 'Database connectivity',
                outcome: 'pass',
                summary: text('PostgreSQL 17.2, round trip 3 ms'),
                startedAt: new Date(NOW - 300000).toISOString(),
                durationMs: 42,
                findings: [],
              },
              {
                checkId: 'logs.errorsLastHour',
                title: 'Errors in the last hour',
                outcome: 'fail',
                summary: text('12 errors'),
                startedAt: new Date(NOW - 60000).toISOString(),
                durationMs: 120,
                findings: [
                  {
                    message: text('NoMethodError in BookingsController#create'),
                    severity: 'error',
                    location: { file: 'log/production.log', line: 1042 },
                  },
                ],
                details: text('Last at 2026-12-04 11:58:02 UTC.\nNext: read the request.'),
              },
              {
                checkId: 'health.email',
                title: 'Email delivery',
                outcome: 'never',
                summary: 'Not run yet',
                findings: [],
              },
            ],
          },
          {
            tierId: 'weekly',
            title: 'Weekly',
            checks: [
              {
                checkId: 'db.replication',
                title: 'Replication',
                outcome: 'skipped',
                summary: text('No replica configured'),
                startedAt: new Date(NOW - 3600000).toISOString(),
                durationMs: 1854,
                findings: [],
              },
            ],
          },
        ],
      },
    },
    {
      section: 'logs',
      data: {
        window: WINDOW,
        from: new Date(NOW - 86400000).toISOString(),
        to: new Date(NOW).toISOString(),
        totals: {
          requests: 1234,
          errors: 30,
          errorRatePercent: 2.43,
          avgMs: 180,
          p50Ms: 95,
          p95Ms: 820,
          p99Ms: 2100,
          slowRequests: 1,
        },
        requestsPerHour: chart(
          'Requests per hour',
          'requests',
          { Requests: (i) => 30 + ((i * 7) % 40) },
          'count',
        ),
        errorRate: chart(
          'Error rate',
          '%',
          { 'Error rate': (i) => (i % 5 === 0 ? 3 : 0.5) },
          'percent',
        ),
        durations: chart(
          'Duration percentiles',
          'ms',
          {
            p50: (i) => 90 + (i % 4) * 5,
            p95: (i) => 700 + (i % 6) * 40,
            p99: (i) => (i === 3 ? null : 1800 + (i % 3) * 200),
          },
          'durationMs',
        ),
        statusMix: [
          { status: '2xx', count: 1100 },
          { status: '3xx', count: 80 },
          { status: '4xx', count: 24 },
          { status: '5xx', count: 30 },
        ],
        actions: [
          {
            action: text('BookingsController#create'),
            count: 120,
            p50Ms: 150,
            p95Ms: 900,
            p99Ms: 2500,
            dbSharePercent: 62,
            errors: 30,
          },
          {
            action: 'UsersController#show',
            count: 600,
            p50Ms: 40,
            p95Ms: 120,
            p99Ms: 300,
            dbSharePercent: 30,
            errors: 0,
          },
        ],
        exceptions: [
          {
            className: text('NoMethodError'),
            count: 12,
            lastMessage: text("undefined method `name' for nil"),
            lastAt: new Date(NOW - 120000).toISOString(),
            actions: [text('BookingsController#show')],
            frame: { file: text('app/controllers/bookings_controller.rb'), line: 8 },
            location: { file: text('log/production.log'), line: 6161 },
            bugTitle: text(
              "NoMethodError in BookingsController#show: undefined method `name' for nil",
            ),
          },
        ],
        failedLogins: [{ ip: text('203.0.113.7'), count: 14 }],
        suspicious: [{ ip: '198.51.100.23', count: 3, example: text('GET /wp-login.php') }],
        slowRequests: [
          {
            at: new Date(NOW - 3600000).toISOString(),
            action: text('ReportsController#index'),
            path: text('/reports?year=2026'),
            status: 200,
            durationMs: 4200,
            location: { file: text('log/production.log'), line: 77 },
          },
        ],
        sources: [text('log/production.log')],
        warnings: [],
      },
    },
    {
      section: 'database',
      data: {
        target: text('127.0.0.1:5432/demo_production'),
        cards: [
          {
            id: 'db.size',
            title: 'Database size',
            state: 'ok',
            summary: text('42 MB, PostgreSQL 17.2'),
            facts: [
              { label: 'Size', value: '42 MB' },
              { label: 'Server', value: 'PostgreSQL 17.2' },
            ],
            table: {
              columns: [
                { key: 'table', label: 'Table' },
                { key: 'size', label: 'Size (bytes)', numeric: true },
              ],
              rows: [
                [text('bookings'), 20000000],
                ['users', 9000000],
              ],
            },
          },
          {
            id: 'db.cacheHitRatio',
            title: 'Cache hit ratio',
            state: 'warn',
            summary: text('97.1 % (below 99 %)'),
            fix: text('Raise shared_buffers or look at the sequential scans.'),
            link: { label: 'PostgreSQL docs', url: text('https://www.postgresql.org/docs/') },
            facts: [],
          },
          {
            id: 'db.replication',
            title: 'Replication',
            state: 'skipped',
            summary: 'No replica configured.',
            reason: text('pg_stat_replication is empty'),
            facts: [],
          },
          {
            id: 'db.missingIndexes',
            title: 'Missing indexes',
            state: 'warn',
            summary: '2 foreign keys without an index',
            fix: text('CREATE INDEX CONCURRENTLY ON bookings (user_id);'),
            fixes: [
              text('CREATE INDEX CONCURRENTLY ON bookings (user_id);'),
              text('CREATE INDEX CONCURRENTLY ON services (business_id);'),
            ],
            facts: [],
          },
          {
            id: 'db.vacuum',
            title: 'Vacuum',
            state: 'ok',
            summary: 'Dead tuples under 10 %',
            facts: [],
            table: {
              columns: [
                { key: 'table', label: 'Table' },
                { key: 'deadTuples', label: 'Dead tuples', numeric: true },
                { key: 'lastVacuum', label: 'Last vacuum' },
              ],
              rows: [['bookings', 8040, '2026-12-04T16:49:24.935Z']],
            },
          },
        ],
        growth: [chart('Database size', 'MB', { 'Database size': (i) => 40 + i * 0.1 })],
        slowQueries: [
          {
            query: text('SELECT * FROM bookings WHERE user_id = $1'),
            calls: 5000,
            totalMs: 90000,
            meanMs: 18,
            rows: 15000,
          },
        ],
      },
    },
    {
      section: 'business',
      data: {
        funnel: [
          { step: text('1 Signed up'), users: 1000 },
          { step: '2 Profile', users: 700 },
          { step: '3 Business', users: 500 },
          { step: '4 Services', users: 420 },
          { step: '5 Done', users: 300 },
        ],
        completionRatePercent: 30,
        timeToCompleteHours: 26.5,
        signupsPerDay: chart(
          'Sign-ups per day',
          'users',
          { 'Sign-ups': (i) => 10 + (i % 7) },
          'count',
        ),
        retentionPercent: 41.2,
        cards: [],
      },
    },
  ];
}

type SectionName = SectionPayload['section'];
type SectionData<S extends SectionName> = Extract<SectionPayload, { section: S }>['data'];

/** The sample dashboard with one of its sections changed by `edit`. */
export function sampleWith<S extends SectionName>(
  section: S,
  edit: (data: SectionData<S>) => void,
): SectionPayload[] {
  const payloads = sampleSections();
  const payload = payloads.find((each) => each.section === section);
  if (!payload) throw new Error(`The sample has no ${section} section.`);
  edit(payload.data as SectionData<S>);
  return payloads;
}

/** The messages a host sends for one complete refresh. */
export function refreshMessages(refreshId: number, payloads: SectionPayload[]): HostMessage[] {
  return [
    { type: 'init', window: WINDOW, autoRefreshSeconds: 0, workspaceName: 'demo', trusted: true },
    { type: 'refreshStarted', refreshId, window: WINDOW },
    ...payloads.map((payload) => ({ type: 'sectionData' as const, refreshId, ...payload })),
    { type: 'refreshDone', refreshId, at: new Date(NOW).toISOString() },
  ];
}

type LogsData = Extract<SectionPayload, { section: 'logs' }>['data'];

/** A Slowest actions table of this many rows, enough to page. */
export function manyActions(count: number): LogsData['actions'] {
  return Array.from({ length: count }, (_, index) => ({
    action: `Controller${index}#action`,
    count: index,
    p50Ms: index % 97,
    p95Ms: (index * 7919) % 10007,
    p99Ms: null,
    dbSharePercent: 50,
    errors: 0,
  }));
}

/** The Database section of the first refresh failing: no server listens. */
export const DATABASE_DOWN: HostMessage = {
  type: 'sectionError',
  refreshId: 1,
  section: 'database',
  message: 'Could not connect to 127.0.0.1:5432.',
  hint: 'Start PostgreSQL or run "Upkeep: Configure Database Connection…".',
};

/** The host's greeting in Restricted Mode, refreshing every minute. */
export const UNTRUSTED_INIT: HostMessage = {
  type: 'init',
  window: { kind: '24h' },
  autoRefreshSeconds: 60,
  workspaceName: 'demo',
  trusted: false,
};

/** Markup that would run script if it were ever parsed as HTML. */
export const HOSTILE_MARKUP =
  '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>';
export const RTL = '\u202Eexe.txt \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627';
export const ONE_MEGABYTE = 'A'.repeat(1024 * 1024);
