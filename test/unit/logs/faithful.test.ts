/**
 * Figures counted by hand from small logs in shapes the other tests leave out: Rails 2.3
 * requests that end in an error page instead of `Completed`, Rails 3.0 on Ruby 1.8 (its
 * `Started ... at Thu Nov 25 10:00:00 +0100 2010` time and an exception message over several
 * lines), and hours holding requests that logged no duration.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hourlyCharts } from '../../../src/core/dashboard/logsView';
import { classifyRequest } from '../../../src/core/logs/security';
import { LEVEL_INFO, LineParser } from '../../../src/core/logs/lineParser';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { summarizeFixture } from './helpers';

describe('log engine figures counted by hand', () => {
  it('Rails 2.3: the error page rendered after an exception gives the status', async () => {
    const s = await summarizeFixture('rails23_exceptions.log');
    assert.equal(s.requests.total, 4);
    assert.equal(s.requests.completed, 4);
    assert.equal(s.requests.incomplete, 0);
    assert.deepEqual(s.statuses, { '200': 2, '404': 1, '500': 1 });
    assert.equal(s.statusClasses['5xx'], 1);
    assert.equal(s.errorRate, 0.25);
    assert.deepEqual(
      s.requests.perHour.map((h) => [h.hour.slice(11, 13), h.count, h.errors, h.meanMs]),
      [
        ['10', 2, 0, 65],
        ['11', 2, 1, 0],
      ],
    );
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.actions, e.line]),
      [
        ['ActionController::RoutingError', null, ['ApplicationController#index'], 23],
        [
          'ActiveRecord::StatementInvalid',
          'app/controllers/projects_controller.rb:32',
          ['ProjectsController#index'],
          14,
        ],
      ],
    );
    // Rails 2 and 3.0 wrote `No route matches "/path" with {:method=>:get}`.
    assert.deepEqual(s.routingErrors.paths, [{ method: 'GET', path: '/wp-login.php', count: 1 }]);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.path, r.line]),
      [['192.0.2.4', 'scanner-probe', '/wp-login.php', 21]],
    );
    // The sign-in form rendered again (200 on SessionsController#create).
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.2', count: 1 }]);
    assert.equal(s.assembly.byProcess, 4);
    assert.equal(s.assembly.incomplete, 0);
  });

  it('Rails 3.0 on Ruby 1.8: its Started time and a message over several lines', async () => {
    const s = await summarizeFixture('rails30_ruby18.log');
    assert.equal(s.requests.total, 2);
    // Thu Nov 25 10:00:00 +0100 2010 is 09:00 UTC.
    assert.equal(s.span.first, '2010-11-25T09:00:00.000Z');
    assert.equal(s.span.last, '2010-11-25T10:00:00.000Z');
    assert.equal(s.timeZone.explicitOffsets, 2);
    assert.deepEqual(
      s.requests.perHour.map((h) => [h.hour, h.count, h.errors]),
      [
        ['2010-11-25T09:00:00.000Z', 1, 0],
        ['2010-11-25T10:00:00.000Z', 1, 1],
      ],
    );
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message, e.frame, e.actions, e.line]),
      [
        [
          'ActiveRecord::StatementInvalid',
          'PG::UndefinedColumn: ERROR:  column posts.foo does not exist',
          'app/controllers/posts_controller.rb:12',
          ['PostsController#show'],
          14,
        ],
      ],
    );
    assert.deepEqual(s.errors.byClass, [{ className: 'ActiveRecord::StatementInvalid', count: 1 }]);
    assert.equal(s.assembly.orphanLines, 2);
  });

  it('one cut line says "its first 256 KB"', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-one-cut-'));
    try {
      const path300k = `/${'a'.repeat(300 * 1024)}`;
      const long = `Started GET "${path300k}" for 192.0.2.1 at 2026-12-04 11:00:00 +0000`;
      await fs.writeFile(path.join(folder, 'production.log'), `${long}\nCompleted 200 OK in 5ms\n`);
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.completed, 1);
      assert.match(s.warnings.join('\n'), /1 line longer than 272 KB was read by its first 256 KB/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("an hour's mean is over the requests that logged a duration", async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hour-mean-'));
    try {
      const at = (t: string): string => `I, [2026-12-04T${t}.000000 #1]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          `${at('11:00:00')}Started GET "/" for 192.0.2.1 at 2026-12-04 11:00:00 +0000`,
          `${at('11:00:00')}Processing by HomeController#index as HTML`,
          `${at('11:00:00')}Completed 200 OK in 10ms`,
          `${at('11:00:01')}Started GET "/.env" for 192.0.2.2 at 2026-12-04 11:00:01 +0000`,
          `${at('11:00:02')}Started GET "/" for 192.0.2.1 at 2026-12-04 11:00:02 +0000`,
          `${at('11:00:02')}Processing by HomeController#index as HTML`,
          `${at('11:00:02')}Completed 200 OK in 30ms`,
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, 3);
      // The probe is a lone Started line, grouped by process like the others: not lograge.
      assert.deepEqual(
        [s.assembly.byProcess, s.assembly.singleLine, s.assembly.incomplete],
        [3, 0, 1],
      );
      assert.deepEqual(
        s.requests.perHour.map((h) => [h.count, h.completed, h.meanMs, h.p50Ms]),
        [[3, 2, 20, 10]],
      );
      assert.equal(s.duration.meanMs, 20);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('a burst of 401/403/422 is any 10 within 5 minutes, across clock slots', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bursts-'));
    try {
      const lines: [number, string, number][] = [];
      const at = (hms: string): number => Date.parse(`2026-12-04T${hms}Z`);
      const add = (time: number, ip: string, status: number): void => {
        lines.push([time, ip, status]);
      };
      // Three a minute from 10:03:00 to 10:06:20: 12 within 3 min 20 s, across 10:05.
      for (let i = 0; i < 12; i++) {
        add(at('10:03:00') + Math.floor(i / 3) * 60_000 + (i % 3) * 10_000, '192.0.2.10', 401);
      }
      // One every 37 s: never 10 within 5 minutes.
      for (let i = 0; i < 24; i++) add(at('10:00:00') + i * 37_000, '192.0.2.11', 403);
      // 10 in 45 s, two more within 5 minutes of them, one too late; then 10 more.
      for (let i = 0; i < 10; i++) add(at('10:30:00') + i * 5_000, '192.0.2.12', 422);
      for (const hms of ['10:33:00', '10:34:00', '10:40:00']) add(at(hms), '192.0.2.12', 401);
      for (let i = 0; i < 10; i++) add(at('11:00:00') + i * 5_000, '192.0.2.12', 401);
      // One 5 min 10 s before 10 in a row: not part of them.
      add(at('10:50:10'), '192.0.2.13', 401);
      for (let i = 0; i < 10; i++) add(at('10:55:20') + i * 1_000, '192.0.2.13', 403);
      // 30 in one minute, then one 4 min 46 s after the 16th of them, one too late.
      for (let i = 0; i < 30; i++) add(at('11:30:00') + i * 1_000, '192.0.2.14', 401);
      add(at('11:35:15'), '192.0.2.14', 401);
      add(at('11:35:28'), '192.0.2.14', 401);
      lines.sort((a, b) => a[0] - b[0]);
      const text = lines.map(([time, ip, status], n) => {
        const iso = new Date(time).toISOString();
        const prefix = `I, [${iso.slice(0, 23)} #1]  INFO -- : [${String(n).padStart(16, '0')}] `;
        return (
          `${prefix}Started POST "/session" for ${ip} at ${iso.slice(0, 10)} ` +
          `${iso.slice(11, 19)} +0000\n${prefix}Processing by ItemsController#create as HTML\n` +
          `${prefix}Completed ${status} Nope in 3ms\n`
        );
      });
      await fs.writeFile(path.join(folder, 'production.log'), text.join(''));
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, lines.length);
      const t = (hms: string): string => `2026-12-04T${hms}.000Z`;
      assert.deepEqual(
        [...s.bursts].sort((a, b) => a.from.localeCompare(b.from)),
        [
          {
            ip: '192.0.2.10',
            from: t('10:03:00'),
            to: t('10:06:20'),
            count: 12,
            statuses: { '401': 12 },
          },
          {
            ip: '192.0.2.12',
            from: t('10:30:00'),
            to: t('10:34:00'),
            count: 12,
            statuses: { '401': 2, '422': 10 },
          },
          {
            ip: '192.0.2.13',
            from: t('10:55:20'),
            to: t('10:55:29'),
            count: 10,
            statuses: { '403': 10 },
          },
          {
            ip: '192.0.2.12',
            from: t('11:00:00'),
            to: t('11:00:45'),
            count: 10,
            statuses: { '401': 10 },
          },
          {
            ip: '192.0.2.14',
            from: t('11:30:00'),
            to: t('11:35:15'),
            count: 31,
            statuses: { '401': 31 },
          },
        ],
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("lograge key=value with Ruby's Time#to_s: time=2026-12-04 10:00:00 +0100", async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-lograge-time-'));
    try {
      // lograge writes `time` first and unquoted (custom_options { time: Time.now }).
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          'time=2026-12-04 10:00:00 +0100 method=GET path=/a format=html controller=A ' +
            'action=index status=200 duration=10.00 view=5.00 db=1.00',
          'time=2026-12-04 10:30:00 UTC method=GET path=/b format=html controller=B ' +
            'action=index status=500 duration=20.00 view=5.00 db=1.00',
          'time=2026-12-04 11:45:00 method=GET path=/c format=html controller=C ' +
            'action=index status=200 duration=30.00 view=5.00 db=1.00',
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'), {
        timeZone: 'Europe/Berlin',
      });
      assert.equal(s.requests.total, 3);
      assert.deepEqual(s.span, {
        first: '2026-12-04T09:00:00.000Z',
        last: '2026-12-04T10:45:00.000Z',
      });
      assert.deepEqual([s.timeZone.explicitOffsets, s.timeZone.zoneApplied], [2, 1]);
      assert.deepEqual(
        s.requests.perHour.map((h) => [h.hour.slice(11, 13), h.count, h.errors]),
        [
          ['09', 1, 0],
          ['10', 2, 1],
        ],
      );
      assert.deepEqual(
        s.actions.map((a) => a.name),
        ['C#index', 'B#index', 'A#index'],
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("sqlmap's boolean probes, with + for spaces as query strings write them", () => {
    const sqli = [
      '/items?id=1+OR+1=1',
      "/items?id=1'+OR+'1'='1",
      '/items?id=1+AND+1=1',
      '/items?id=1%20AND%205678=5678',
      "/items?id=1'+AND+'abc'='abc",
      '/items?id=1)+ORDER+BY+1--+-',
    ];
    for (const target of sqli) {
      assert.deepEqual(classifyRequest(target, undefined), ['sql-injection']);
    }
    assert.deepEqual(classifyRequest('/static/..%c0%af..%c0%afetc/passwd', undefined), [
      'path-traversal',
    ]);
    // Ordinary searches stay clean.
    for (const target of [
      '/search?q=rock+and+roll',
      '/search?q=O%27Reilly+and+sons',
      '/search?q=1+and+2',
      '/search?q=order+by+price',
      '/blog/how-to-use-union-select-in-sql',
    ]) {
      assert.deepEqual(classifyRequest(target, undefined), [], target);
    }
  });

  it('a + is a space in a query string only, not in the Parameters Rails decoded', () => {
    // `Parameters: {"q"=>"Drop+Table"}` is what Rails logs for `?q=Drop%2BTable`: a literal +.
    assert.deepEqual(classifyRequest('/products?q=Drop%2BTable', '{"q"=>"Drop+Table"}'), []);
    assert.deepEqual(classifyRequest('/products', '{"product"=>{"name"=>"Drop+Table"}}'), []);
    // In a path, + is a plus too (Rack unescapes a path without turning + into a space).
    assert.deepEqual(classifyRequest('/tags/drop+table', undefined), []);
    // The raw query string keeps + as a space, and Parameters as Rails decoded them still count.
    assert.deepEqual(classifyRequest('/products?q=1;drop+table+users', undefined), [
      'sql-injection',
    ]);
    assert.deepEqual(
      classifyRequest(
        '/items?id=1+union+select+password+from+users',
        '{"id"=>"1 union select password from users"}',
      ),
      ['sql-injection'],
    );
    assert.deepEqual(classifyRequest('/items', '{"id"=>"1 union+select password"}'), [
      'sql-injection',
    ]);
    assert.deepEqual(classifyRequest('/items', '{"q"=>"1; drop table users"}'), ['sql-injection']);
  });

  it('requests without a time say so: they are in the totals, in no hour', async () => {
    const s = await summarizeFixture('lograge_keyvalue.log');
    assert.equal(s.requests.total, 4);
    assert.deepEqual(s.requests.perHour, []);
    assert.deepEqual(s.span, { first: null, last: null });
    assert.match(
      s.warnings.join('\n'),
      /^4 requests carry no timestamp: they count in the totals but in no hour and no window; /m,
    );
  });

  it("an hour's error rate is over its completed requests, as the overall one", async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hour-rate-'));
    try {
      const at = (t: string): string => `I, [2026-12-04T${t}.000000 #1]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          `${at('11:00:00')}Started GET "/a" for 192.0.2.1 at 2026-12-04 11:00:00 +0000`,
          `${at('11:00:00')}Completed 500 Internal Server Error in 10ms`,
          // A request cut off before its Completed line: no status, in no rate.
          `${at('11:00:01')}Started GET "/reports" for 192.0.2.2 at 2026-12-04 11:00:01 +0000`,
          `${at('11:00:01')}Processing by ReportsController#index as HTML`,
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.errorRate, 1);
      assert.deepEqual(
        s.requests.perHour.map((h) => [h.count, h.completed, h.errors]),
        [[2, 1, 1]],
      );
      assert.deepEqual(hourlyCharts(s).errorRate.series[0].values, [100]);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('docker logs --timestamps (Kamal) before the Logger::Formatter prefix', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-docker-t-'));
    try {
      const id = '[1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a10] ';
      const logger = (t: string): string => `I, [2026-12-04T${t}.000000 #1]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          `web-1  | 2026-12-04T10:00:00.123456789Z ${logger('11:00:00')}${id}` +
            'Started GET "/a" for 192.0.2.1 at 2026-12-04 11:00:00 +0100',
          `web-1  | 2026-12-04T10:00:00.223456789Z ${logger('11:00:00')}${id}` +
            'Processing by AController#index as HTML',
          `web-1  | 2026-12-04T10:00:00.323456789Z ${logger('11:00:00')}${id}` +
            'Completed 200 OK in 100ms (Views: 50.0ms | ActiveRecord: 10.0ms)',
          `2026-12-04T10:00:01.000000000Z ${logger('11:00:01')}` +
            'Started GET "/b" for 192.0.2.2 at 2026-12-04 11:00:01 +0100',
          `2026-12-04T10:00:01.000000000Z ${logger('11:00:01')}` +
            'Processing by BController#index as HTML',
          `2026-12-04T10:00:01.000000000Z ${logger('11:00:01')}Completed 500 Oops in 20ms`,
          `2026-12-04T10:00:01.000000000Z F, [2026-12-04T11:00:01.000000 #1] FATAL -- : ` +
            'NoMethodError (undefined method `x` for nil):',
          '',
        ].join('\n'),
      );
      // The Logger's times are Berlin's; docker's carry their zone and win.
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.status, r.durationMs, r.at]),
        [
          ['AController#index', 200, 100, '2026-12-04T10:00:00.000Z'],
          ['BController#index', 500, 20, '2026-12-04T10:00:01.000Z'],
        ],
      );
      assert.deepEqual(
        s.exceptions.map((e) => [e.className, e.firstSeen, e.actions]),
        [['NoMethodError', '2026-12-04T10:00:01.000Z', ['BController#index']]],
      );
      assert.deepEqual([s.assembly.byRequestId, s.assembly.byProcess], [1, 1]);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('Heroku: heroku logs output, router lines, and drains without structured data', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-heroku-'));
    try {
      const a = '[1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a11] ';
      const logger = (t: string): string => `I, [2026-12-04T${t}.000000 #4]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'heroku.log'),
        [
          `2026-12-04T10:00:00.100000+00:00 app[web.1]: ${logger('10:00:00')}${a}` +
            'Started GET "/a" for 192.0.2.1 at 2026-12-04 10:00:00 +0000',
          `2026-12-04T10:00:00.200000+00:00 app[web.1]: ${logger('10:00:00')}${a}` +
            'Completed 200 OK in 10ms (Views: 4.0ms | ActiveRecord: 2.0ms)',
          // The router's view of the same request: not a second one, and its figures stand.
          '2026-12-04T10:00:00.300000+00:00 heroku[router]: at=info method=GET path="/a" ' +
            'host=x.herokuapp.com request_id=1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a11 ' +
            'fwd="192.0.2.1" dyno=web.1 connect=0ms service=12ms status=200 bytes=100',
          // A drain: RFC 5424 with no structured data.
          '<190>1 2026-12-04T10:01:00.100000+00:00 host app web.2 - ' +
            'Started GET "/b" for 192.0.2.2 at 2026-12-04 10:01:00 +0000',
          '<190>1 2026-12-04T10:01:00.200000+00:00 host app web.2 - Completed 200 OK in 20ms',
          '<190>1 2026-12-04T10:02:00.100000+00:00 host app web.2 - ' +
            '[1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a13] Started GET "/c" for 192.0.2.3 ' +
            'at 2026-12-04 10:02:00 +0000',
          '<190>1 2026-12-04T10:02:00.200000+00:00 host app web.2 - ' +
            '[1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a13] Completed 404 Not Found in 30ms',
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'heroku.log'));
      assert.equal(s.requests.total, 3);
      assert.deepEqual(s.slowest.map((r) => [r.path, r.status, r.durationMs, r.at]).sort(), [
        ['/a', 200, 10, '2026-12-04T10:00:00.000Z'],
        ['/b', 200, 20, '2026-12-04T10:01:00.000Z'],
        ['/c', 404, 30, '2026-12-04T10:02:00.000Z'],
      ]);
      assert.deepEqual(s.actions[0].viewShare, 0.4);
      assert.deepEqual(
        [s.assembly.byRequestId, s.assembly.byProcess, s.assembly.orphanLines],
        [2, 1, 0],
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("Rails 8's authentication generator: a failed login redirects back to the form", async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-rails8-login-'));
    try {
      const lines = (id: string, ip: string, t: string, to: string): string[] => [
        `[${id}] Started POST "/session" for ${ip} at 2026-12-04 ${t} +0000`,
        `[${id}] Processing by SessionsController#create as TURBO_STREAM`,
        `[${id}]   Parameters: {"email_address"=>"[FILTERED]", "password"=>"[FILTERED]"}`,
        `[${id}] Redirected to http://localhost:3000${to}`,
        `[${id}] Completed 302 Found in 250ms (ActiveRecord: 1.0ms (1 query, 0 cached))`,
      ];
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          ...lines('0f4c8c3e-1b2a-4c5d-9e8f-000000000001', '192.0.2.7', '10:00:00', '/session/new'),
          ...lines('0f4c8c3e-1b2a-4c5d-9e8f-000000000002', '192.0.2.8', '10:00:05', '/'),
          ...lines('0f4c8c3e-1b2a-4c5d-9e8f-000000000003', '192.0.2.7', '10:00:09', '/session/new'),
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, 3);
      assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.7', count: 2 }]);
      assert.equal(s.failedLogins.total, 2);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('a bare "Failed login" line names its IPv4 or IPv6 address, and no junk', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const at = 'W, [2026-12-04T10:00:00.000000 #1234]  WARN -- : ';
    const cases: [string, string | undefined][] = [
      // Redmine's AccountController#invalid_credentials:
      // "Failed login for '#{params[:username]}' from #{request.remote_ip} at #{Time.now.utc}".
      ["Failed login for 'admin' from 203.0.113.7 at 2026-12-04 10:00:00 UTC", '203.0.113.7'],
      ["Failed login for 'admin' from 2001:db8::1 at 2026-12-04 10:00:00 UTC", '2001:db8::1'],
      // Puma on a dual-stack socket gives an IPv4 client as an IPv4-mapped IPv6 address.
      [
        "Failed login for 'admin' from ::ffff:203.0.113.5 at 2026-12-04 10:00:00 UTC",
        '::ffff:203.0.113.5',
      ],
      // A Warden::Manager.before_failure hook: "Failed login attempt for email: ... from IP: ...".
      [
        '[ADMIN_AUTH] Failed login attempt for email: a@example.com ' +
          'from IP: 2001:DB8:85a3::8a2e:370:7334',
        '2001:DB8:85a3::8a2e:370:7334',
      ],
      ['Failed login for user@example.com from 2001:db8::1', '2001:db8::1'],
      ['Failed login for user@example.com from [2001:db8::1]:51234', '2001:db8::1'],
      ['Failed login for user@example.com from 203.0.113.9:51234.', '203.0.113.9'],
      ['failed login attempt; 198.51.100.4; user@example.com', '198.51.100.4'],
      // Not addresses: out-of-range octets, too many groups, a clock, the unspecified address.
      ['Failed login for admin from 999.1.1.1', undefined],
      ['Failed login for admin from 1:2:3:4:5:6:7:8:9', undefined],
      ['Failed login for admin from 2001:db8::1::2', undefined],
      ['Failed login at 10:00:00 from ::', undefined],
      [`Failed login from ${'1.'.repeat(40)}1`, undefined],
      // A user name is typed by anyone: one holding ` from 198.51.100.7` blames no one else.
      // The address is the one the format writes last, after the user name.
      [
        "Failed login for 'x from 198.51.100.7' from 203.0.113.7 at 2026-12-04 10:00:00 UTC",
        '203.0.113.7',
      ],
      [
        'Failed login attempt for email: a from IP: 198.51.100.7 from IP: 2001:db8::9',
        '2001:db8::9',
      ],
      ['Failed login for x from 198.51.100.7 from 203.0.113.9:51234.', '203.0.113.9'],
    ];
    for (const [body, ip] of cases) {
      const line = parser.parse(at + body);
      assert.equal(line.kind, 'failedLogin', body);
      assert.equal(line.ip, ip, body);
    }
  });

  it('a failed login in a request without a Started line counts the address it names', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-failed-login-'));
    try {
      const sl = (t: string, id: number): string =>
        `2026-12-04 10:00:${t} W [1234:puma srv tp 002] ` +
        `{request_id: 5c1d2e3f-0000-4000-8000-00000000000${id}} `;
      const completed =
        '(48.0ms) SessionsController -- Completed #create -- { :controller => ' +
        '"SessionsController", :action => "create", :format => "HTML", :method => "POST", ' +
        ':path => "/session", :status => 401, :status_message => "Unauthorized" }';
      const tagged = (t: string, id: number): string =>
        `W, [2026-12-04T10:00:${t}.000000 #1234]  WARN -- : ` +
        `[5c1d2e3f-0000-4000-8000-00000000001${id}] `;
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          // Semantic Logger at info: no Started line (a debug one), so no address but this.
          `${sl('01', 1)}SessionsController -- Failed login for a@example.com from 2001:db8::5`,
          `${sl('01', 1).replace(' W ', ' I ')}${completed}`,
          // RAILS_LOG_LEVEL=warn: the line under its request id is all there is.
          `${tagged('02', 2)}Failed login for b@example.com from 2001:db8::7`,
          `${tagged('03', 3)}Failed login for c@example.com from 203.0.113.9`,
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, 1);
      assert.equal(s.failedLogins.total, 3);
      assert.deepEqual(s.failedLogins.byIp, [
        { ip: '2001:db8::5', count: 1 },
        { ip: '2001:db8::7', count: 1 },
        { ip: '203.0.113.9', count: 1 },
      ]);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('a backtrace frame with an absolute path is the app frame under the root', () => {
    // Uncleaned traces (Semantic Logger's, a removed backtrace silencer) write full paths.
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const at = 'F, [2026-12-04T10:00:00.000000 #1234] FATAL -- : [a1b2c3d4-0000-4000-8000-01] ';
    const cases: [string, string | undefined][] = [
      // Rails 7.1+'s generated Dockerfile puts the app in /rails.
      ["/rails/app/models/booking.rb:42:in 'Booking#label'", 'app/models/booking.rb:42'],
      // Heroku and many images: the root is /app, so /app/app/... and /app/lib/...
      [
        '/app/app/controllers/orders_controller.rb:12:in `show`',
        'app/controllers/orders_controller.rb:12',
      ],
      ['/app/lib/tasks/import.rake:3:in `block in <main>`', 'lib/tasks/import.rake:3'],
      ['/usr/src/app/app/jobs/mail_job.rb:7:in `perform`', 'app/jobs/mail_job.rb:7'],
      // Capistrano's releases.
      ['/var/www/shop/releases/20261204/app/mailers/x.rb:9:in `y`', 'app/mailers/x.rb:9'],
      ['app/models/booking.rb:42:in `label`', 'app/models/booking.rb:42'],
      // A root inside a folder named app or lib: Phusion's passenger-docker, /var/lib.
      ['/home/app/webapp/app/models/order.rb:44:in `total`', 'app/models/order.rb:44'],
      ['/home/app/webapp/lib/pricing.rb:3:in `x`', 'lib/pricing.rb:3'],
      ['/var/lib/shop/app/jobs/mail_job.rb:7:in `perform`', 'app/jobs/mail_job.rb:7'],
      ['/home/app/webapp/config/initializers/x.rb:3:in `<main>`', 'config/initializers/x.rb:3'],
      ['/srv/app/config/routes.rb:4:in `block in <main>`', 'config/routes.rb:4'],
      ['/var/app/current/app/models/x.rb:1:in `x`', 'app/models/x.rb:1'],
      // Code in lib/ may hold a folder named app, and app/ one named config.
      ['/rails/lib/x/app/y.rb:3:in `z`', 'lib/x/app/y.rb:3'],
      ['/home/app/webapp/lib/x/app/y.rb:3:in `z`', 'lib/x/app/y.rb:3'],
      // Read two ways (lib/gen/... under /srv/shop, or app/models/... under /srv/shop/lib/gen):
      // the full path, not a guess that could name the wrong file.
      ['/srv/shop/lib/gen/app/models/x.rb:5:in `y`', '/srv/shop/lib/gen/app/models/x.rb:5'],
      ['/home/deploy/app/shop/app/models/x.rb:5:in `y`', '/home/deploy/app/shop/app/models/x.rb:5'],
      // ...which an app's own namespaces are not.
      ['/rails/app/models/config/flag.rb:3:in `x`', 'app/models/config/flag.rb:3'],
      [
        '/app/engines/billing/app/models/invoice.rb:3:in `x`',
        'engines/billing/app/models/invoice.rb:3',
      ],
      // Gems and Ruby itself are no application frames.
      ['/usr/local/bundle/gems/actionpack-7.1.3/lib/action_dispatch/x.rb:12:in `call`', undefined],
      ['/home/deploy/.rbenv/versions/3.3.0/lib/ruby/3.3.0/monitor.rb:1:in `x`', undefined],
      ['/usr/local/lib/site_ruby/3.3.0/rubygems.rb:1:in `x`', undefined],
      ['/rails/app/models/booking.rb', undefined],
      [`/${'a/'.repeat(5000)}x.rb:1`, undefined],
    ];
    for (const [body, frame] of cases) {
      const line = parser.parse(at + body);
      assert.equal(line.source, frame, body);
      assert.equal(line.kind, frame ? 'frame' : 'other', body);
    }
  });

  it('rails_semantic_logger JSON: Completed #action with its payload, its exceptions', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-semantic-'));
    try {
      const base = {
        host: 'web1',
        application: 'Semantic Logger',
        environment: 'production',
        level: 'info',
        level_index: 2,
        pid: 123,
        thread: 'puma srv tp 001',
      };
      const completed = (t: string, id: string, fields: Record<string, unknown>): string =>
        JSON.stringify({
          ...base,
          timestamp: `2026-12-04T${t}Z`,
          duration_ms: fields.duration,
          duration: `${String(fields.duration)}ms`,
          named_tags: { request_id: id },
          name: 'OrdersController',
          message: `Completed #${String(fields.action)}`,
          payload: {
            controller: 'OrdersController',
            action: fields.action,
            format: 'HTML',
            method: 'GET',
            path: fields.path,
            status: fields.status,
            view_runtime: 10.0,
            db_runtime: 5.0,
            allocations: 100,
            status_message: 'OK',
          },
        });
      await fs.writeFile(
        path.join(folder, 'production.log'),
        [
          completed('10:00:00.100000', 'a1b2c3d4-0000-4000-8000-000000000001', {
            action: 'index',
            path: '/orders',
            status: 200,
            duration: 40,
          }),
          completed('10:00:01.100000', 'a1b2c3d4-0000-4000-8000-000000000002', {
            action: 'show',
            path: '/orders/7',
            status: 500,
            duration: 20,
          }),
          JSON.stringify({
            ...base,
            level: 'fatal',
            level_index: 5,
            timestamp: '2026-12-04T10:00:01.110000Z',
            named_tags: { request_id: 'a1b2c3d4-0000-4000-8000-000000000002' },
            name: 'ActionDispatch::DebugExceptions',
            exception: {
              name: 'NoMethodError',
              message: "undefined method 'total' for nil",
              // Semantic Logger writes the trace uncleaned: full paths.
              stack_trace: [
                '/usr/local/bundle/gems/x/lib/x.rb:1:in `y`',
                '/app/app/controllers/orders_controller.rb:12:in `show`',
              ],
            },
          }),
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'production.log'));
      assert.equal(s.requests.total, 2);
      assert.deepEqual(s.statuses, { '200': 1, '500': 1 });
      assert.deepEqual(
        s.actions.map((a) => [a.name, a.meanMs, a.viewShare, a.dbShare]),
        [
          ['OrdersController#index', 40, 0.25, 0.125],
          ['OrdersController#show', 20, 0.5, 0.25],
        ],
      );
      assert.deepEqual(
        s.exceptions.map((e) => [e.className, e.message, e.frame, e.actions]),
        [
          [
            'NoMethodError',
            "undefined method 'total' for nil",
            'app/controllers/orders_controller.rb:12',
            ['OrdersController#show'],
          ],
        ],
      );
      assert.equal(s.errors.total, 1);
      assert.equal(s.assembly.byRequestId, 2);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('rails_semantic_logger text: Started, Processing, Completed and their payloads', async () => {
    // Semantic Logger's default text format (SemanticLogger::Formatters::Default and Color):
    // time, level letter, [pid:thread], tags, {named tags}, (duration), name -- message --
    // payload. The payload is Hash#inspect: amazing_print's `{ :k => v }` (what Color uses
    // when the gem is there), Ruby 3.3's `{:k=>v}`, Ruby 3.4's `{k: v}`. Rack's `Started`
    // and `Processing #action` are debug lines, so a production log has only `Completed`.
    const s = await summarizeFixture('semantic_logger_text.log');
    assert.equal(s.requests.total, 5);
    assert.equal(s.requests.incomplete, 0);
    assert.deepEqual(s.statuses, { '200': 3, '401': 1, '500': 1 });
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs]),
      [
        ['OrdersController#index', '/orders', 200, 1234],
        ['SessionsController#create', '/session', 401, 48],
        ['ItemsController#index', '/items', 200, 30],
        ['UsersController#show', '/users/1?tab=posts', 200, 12.3],
        ['OrdersController#show', '/orders/7', 500, 5.25],
      ],
    );
    assert.deepEqual(
      s.actions
        .map((a) => [a.name, a.viewShare, a.dbShare])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['ItemsController#index', 0.3333, 0.1],
        ['OrdersController#index', 0.8108, 0.1623],
        ['OrdersController#show', 0, 0.1905],
        ['SessionsController#create', 0, 0.0313],
        ['UsersController#show', 0.4146, 0.1789],
      ],
    );
    // ActiveRecord's `User Load -- { :sql => "SELECT ..." }` (a debug line) is a query.
    assert.deepEqual([s.sql.queries, s.sql.requestsWithSql], [1, 1]);
    assert.equal(s.sql.maxPerRequest?.action, 'UsersController#show');
    // The 401 on SessionsController#create, from the address its Started line gave.
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '2001:db8::7', count: 1 }]);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message, e.actions]),
      [['NoMethodError', "undefined method 'total' for nil", ['OrdersController#show']]],
    );
    assert.deepEqual(
      [s.assembly.byProcess, s.assembly.singleLine, s.assembly.byRequestId],
      [2, 2, 1],
    );
    assert.deepEqual(
      [s.span.first, s.span.last],
      ['2026-12-04T10:00:00.100Z', '2026-12-04T11:00:02.000Z'],
    );
  });

  it('rails_semantic_logger text: a failed login takes the ip of its named tags', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const at = '2026-12-04 10:00:01.000000 W [1234:puma srv tp 003] ';
    const cases: [string, string][] = [
      ['{ip: 2001:db8::6} SessionsController -- Login failed for b@example.com', '2001:db8::6'],
      ['{ip: 2001:db8::6} Failed login for b@example.com', '2001:db8::6'],
      [
        '{request_id: 5c1d2e3f-0000-4000-8000-000000000003, remote_ip: 203.0.113.7} ' +
          'SessionsController -- Failed login for b@example.com',
        '203.0.113.7',
      ],
      // The address the message names comes first.
      ['{ip: 2001:db8::6} Auth -- Failed login for b from 2001:db8::7', '2001:db8::7'],
    ];
    for (const [body, ip] of cases) {
      const line = parser.parse(at + body);
      assert.equal(line.kind, 'failedLogin', body);
      assert.equal(line.ip, ip, body);
    }
  });

  it('rails_semantic_logger text: one Completed line read field by field', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const completed = parser.parse(
      '2026-12-04 10:00:00.123456 I [1234:puma srv tp 001] (1m 2s) UsersController -- ' +
        'Completed #show -- { :controller => "UsersController", :action => "show", ' +
        ':params => { "id" => "1", "q" => "a, \\"b\\" }" }, :format => "html", ' +
        ':method => "GET", :path => "/users/1", :status => 200, :view_runtime => 5.1, ' +
        ':db_runtime => nil, :status_message => "OK" }',
    );
    assert.deepEqual(
      [
        completed.kind,
        Math.floor(completed.time),
        completed.level,
        completed.pid,
        completed.action,
        completed.method,
        completed.path,
        completed.status,
        completed.durationMs,
        completed.viewMs,
        completed.dbMs,
        completed.params,
      ],
      [
        'completed',
        Date.parse('2026-12-04T10:00:00.123Z'),
        LEVEL_INFO,
        '1234:puma srv tp 001',
        'UsersController#show',
        'GET',
        '/users/1',
        200,
        62_000,
        5.1,
        undefined,
        '{ "id" => "1", "q" => "a, \\"b\\" }" }',
      ],
    );
    // `config.log_tags = [:request_id]`: an unnamed tag. With `semantic = false` the message is
    // Rails' own text, read as ever.
    const tagged = parser.parse(
      '2026-12-04 10:00:00.1 I [1234:puma srv tp 003] [0f4c8c3e-1b2a-4c5d-9e8f-00000000000a] ' +
        'Rails -- Started GET "/a" for 192.0.2.1 at 2026-12-04 10:00:00 +0000',
    );
    assert.deepEqual(
      [tagged.kind, tagged.requestId, tagged.pid, tagged.method, tagged.path, tagged.ip],
      [
        'started',
        '0f4c8c3e-1b2a-4c5d-9e8f-00000000000a',
        '1234:puma srv tp 003',
        'GET',
        '/a',
        '192.0.2.1',
      ],
    );
    // Not Semantic Logger: a time, then a level letter without `[pid:`.
    assert.equal(parser.parse('2026-12-04 10:00:00 I [web] Completed #show').kind, 'other');
  });

  it('a JSON level named like an Object property is no level', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    for (const level of ['constructor', '__proto__', 'toString']) {
      const line = parser.parse(JSON.stringify({ level, message: 'Something happened' }));
      assert.equal(typeof line.level, 'number', level);
    }
  });
});
