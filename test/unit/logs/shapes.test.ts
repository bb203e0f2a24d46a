/**
 * The shapes no licensed sample covers, from fixtures written for them: Rails 7.2+/8 Completed
 * segments and untimestamped tags, lograge key=value, docker-compose/foreman, syslog, CRLF, a
 * truncated last line, invalid UTF-8, Rails 2.0 seconds, untagged exceptions, security.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeFixture } from './helpers';

describe('log engine on every other shape', () => {
  it('Rails 8: tagged lines with no timestamp, (N queries, M cached) and GC segments', async () => {
    const s = await summarizeFixture('rails8_tagged_no_timestamp.log');
    assert.equal(s.requests.total, 3);
    assert.deepEqual(s.statuses, { '200': 2, '500': 1 });
    const byName = Object.fromEntries(s.actions.map((a) => [a.name, a]));
    assert.equal(byName['BookingsController#index'].meanMs, 45);
    assert.equal(byName['BookingsController#index'].viewShare, Math.round((20.1 / 45) * 1e4) / 1e4);
    assert.equal(byName['BookingsController#index'].dbShare, Math.round((3.1 / 45) * 1e4) / 1e4);
    assert.equal(byName['BookingsController#create'].dbShare, Math.round((12 / 130) * 1e4) / 1e4);
    // 09:15:02 +0100 is 08:15:02 UTC.
    assert.equal(s.span.first, '2026-12-04T08:15:02.000Z');
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message, e.frame, e.line]),
      [['NoMethodError', "undefined method `name' for nil", 'app/models/booking.rb:42', 10]],
    );
    assert.deepEqual(s.errors.byClass, [{ className: 'NoMethodError', count: 1 }]);
    assert.equal(s.assembly.byRequestId, 3);
    assert.equal(s.assembly.orphanLines, 0);
  });

  it('counts as slow a request over the threshold, not one that equals it', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-slow-'));
    try {
      const request = (ms: number): string =>
        'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n' +
        `Processing by A#b as HTML\nCompleted 200 OK in ${ms}ms\n`;
      await fs.writeFile(path.join(folder, 'slow.log'), request(1000) + request(1001));
      const s = await summarizeFixture(path.join(folder, 'slow.log'), { slowRequestMs: 1000 });
      assert.equal(s.requests.total, 2);
      assert.equal(s.slowRequests, 1);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it("lograge key=value, with an unescaped quote inside error='...'", async () => {
    const s = await summarizeFixture('lograge_keyvalue.log');
    assert.equal(s.requests.total, 4);
    assert.deepEqual(s.statuses, { '200': 1, '404': 2, '500': 1 });
    assert.equal(s.duration.maxMs, 210);
    assert.equal(s.duration.meanMs, Math.round(((58.33 + 12.5 + 210 + 0.8) / 4) * 100) / 100);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message]),
      [
        ['ActiveRecord::RecordNotFound', "Couldn't find Service with id=99"],
        ['NoMethodError', "undefined method `each' for nil"],
      ],
    );
    const index = s.actions.find((a) => a.name === 'ServicesController#index');
    assert.equal(index?.viewShare, Math.round((40.43 / 58.33) * 1e4) / 1e4);
    assert.equal(s.assembly.singleLine, 4);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.path]),
      [['192.0.2.66', 'scanner-probe', '/wp-login.php']],
    );
  });

  it('lograge lines without a time are left out of a window, with a warning', async () => {
    const { parseWindow } = await import('../../../src/core/logs/window');
    const { fixedClock } = await import('../../../src/core/util/clock');
    const s = await summarizeFixture('lograge_keyvalue.log', {
      window: parseWindow('1h', fixedClock('2026-12-04T12:00:00Z')),
    });
    assert.equal(s.requests.total, 0);
    assert.equal(s.assembly.outsideWindow, 4);
    assert.match(s.warnings.join('\n'), /4 requests carry no timestamp/);
  });

  it('docker-compose (web-1 |, web_1 |) and foreman (10:08:58 web.1 |) prefixes', async () => {
    const s = await summarizeFixture('docker_foreman.log');
    assert.equal(s.requests.total, 3);
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.status, r.durationMs, r.line]),
      [
        ['HomeController#index', 200, 50, 1],
        ['PagesController#about', 200, 8, 4],
        ['PagesController#contact', 302, 4, 7],
      ],
    );
    assert.equal(s.assembly.byRequestId, 1);
    assert.equal(s.assembly.byProcess, 2);
  });

  it(
    'syslog RFC 3164 and RFC 5424 wrappers; ' + 'a 401 on sessions#create is a failed login',
    async () => {
      const s = await summarizeFixture('syslog.log');
      assert.equal(s.requests.total, 2);
      assert.deepEqual(s.statuses, { '200': 1, '401': 1 });
      assert.equal(s.failedLogins.total, 1);
      assert.deepEqual(s.failedLogins.byIp, [{ ip: '198.51.100.9', count: 1 }]);
      assert.deepEqual(s.failedLogins.byHour, [{ hour: '2026-12-04T10:00:00.000Z', count: 1 }]);
    },
  );

  it('CRLF line endings', async () => {
    const s = await summarizeFixture('crlf.log');
    assert.deepEqual(s.statuses, { '200': 1, '404': 1 });
    assert.deepEqual(s.actions.map((a) => a.name).sort(), ['AController#show', 'BController#show']);
    assert.equal(s.slowest[0].path, '/a');
  });

  it('a truncated last line leaves that request incomplete, nothing else', async () => {
    const s = await summarizeFixture('truncated_last_line.log');
    assert.equal(s.requests.total, 2);
    assert.equal(s.requests.completed, 1);
    assert.equal(s.requests.incomplete, 1);
    assert.deepEqual(s.statuses, { '200': 1 });
  });

  it('CR-only line ends, a cut .gz, and a source that is not a regular file', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-odd-'));
    try {
      const request =
        'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\r' +
        'Processing by A#b as HTML\rCompleted 200 OK in 5ms\r';
      await fs.writeFile(path.join(folder, 'cr.log'), request.repeat(3));
      const cr = await summarizeFixture(path.join(folder, 'cr.log'));
      assert.equal(cr.requests.total, 3);
      assert.match(cr.warnings.join('\n'), /CR alone/);

      const { gzipSync } = await import('node:zlib');
      const gz = gzipSync(Buffer.from(request.replace(/\r/g, '\n').repeat(2000)));
      await fs.writeFile(path.join(folder, 'cut.log.1.gz'), gz.subarray(0, gz.length >> 1));
      const cut = await summarizeFixture(path.join(folder, 'cut.log.1.gz'));
      assert.ok(cut.requests.total > 0);
      assert.ok(cut.sources[0].lines >= cut.requests.total * 3 - 2);
      assert.match(
        cut.sources[0].error ?? '',
        /ends before its gzip data does \(cut short\); the summary covers the [\d,]+ line/,
      );

      await fs.symlink('/dev/zero', path.join(folder, 'zero.log'));
      const zero = await summarizeFixture(path.join(folder, 'zero.log'));
      assert.equal(zero.sources[0].missing, undefined);
      assert.match(zero.sources[0].error ?? '', /not a regular file/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('control characters from the log never reach the text report', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-osc-'));
    try {
      const osc = '\x1b]0;PWNED\x07';
      await fs.writeFile(
        path.join(folder, 'osc.log'),
        `Started GET "/a${osc}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n` +
          `Processing by E${osc}#x as HTML\n` +
          `Completed 500 Internal Server Error in 5ms\n`,
      );
      const s = await summarizeFixture(path.join(folder, 'osc.log'));
      assert.equal(s.slowest[0].path, '/a\uFFFD]0;PWNED\uFFFD');
      const { formatSummaryText } = await import('../../../src/core/logs/textReport');

      assert.doesNotMatch(formatSummaryText(s), /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('invalid UTF-8 is read with replacement characters and a warning', async () => {
    const s = await summarizeFixture('invalid_utf8.log');
    assert.equal(s.requests.total, 1);
    assert.equal(s.slowest[0].path, '/caf\uFFFD?q=\uFFFD\uFFFD');
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0], /2 lines held bytes that are not UTF-8/);
  });

  it('Rails 2.0 durations in seconds', async () => {
    const s = await summarizeFixture('rails20_seconds.log');
    assert.equal(s.duration.meanMs, 12.24);
    assert.equal(s.actions[0].viewShare, Math.round((4.18 / 12.24) * 1e4) / 1e4);
    assert.equal(s.actions[0].dbShare, Math.round((2 / 12.24) * 1e4) / 1e4);
    assert.equal(s.slowest[0].path, '/users');
  });

  it('an untagged exception after Completed attaches to its request', async () => {
    const s = await summarizeFixture('rails3_exception.log');
    assert.deepEqual(s.statuses, { '200': 1, '500': 1 });
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.actions]),
      [
        [
          'ActiveRecord::RecordNotFound',
          'app/controllers/orders_controller.rb:9',
          ['OrdersController#show'],
        ],
      ],
    );
    assert.equal(s.errors.total, 1);
    assert.equal(s.assembly.orphanLines, 0);
  });

  it(
    'an error logged just before a request of ' + 'the same process is reported, not lost',
    async () => {
      const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-orphan-'));
      try {
        const prefix = (s: number, level = 'INFO'): string =>
          `${level[0]}, [2026-12-04T10:00:0${s}.000000 #11] ${level.padStart(5)} -- : `;
        await fs.writeFile(
          path.join(folder, 'boot.log'),
          [
            `${prefix(0, 'ERROR')}PG::ConnectionBad (could not connect to server):`,
            `${prefix(0, 'ERROR')}app/models/booking.rb:3:in \`connect'`,
            `${prefix(1)}Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:01 +0000`,
            `${prefix(1)}Processing by HomeController#index as HTML`,
            `${prefix(2)}Completed 200 OK in 5ms`,
          ].join('\n') + '\n',
        );
        const s = await summarizeFixture(path.join(folder, 'boot.log'), { workspace: folder });
        assert.equal(s.requests.total, 1);
        assert.deepEqual(
          s.exceptions.map((e) => [e.className, e.count, e.frame]),
          [['PG::ConnectionBad', 1, 'app/models/booking.rb:3']],
        );
        assert.equal(s.errors.total, 1);
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    },
  );

  it('failed logins, suspicious requests by IP and a burst of 401s', async () => {
    const s = await summarizeFixture('security.log');
    // 12 Devise 401s from one IP, and a re-rendered form with a "Failed login" line (counted once).
    assert.equal(s.failedLogins.total, 13);
    assert.deepEqual(s.failedLogins.byIp, [
      { ip: '203.0.113.50', count: 12 },
      { ip: '192.0.2.10', count: 1 },
    ]);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.count]),
      [
        ['198.51.100.20', 'sql-injection', 2],
        ['198.51.100.23', 'scanner-probe', 2],
        ['198.51.100.21', 'xss', 1],
        ['198.51.100.22', 'path-traversal', 1],
      ],
    );
    assert.deepEqual(s.bursts, [
      {
        ip: '203.0.113.50',
        from: '2026-12-04T10:00:00.000Z',
        to: '2026-12-04T10:00:55.000Z',
        count: 12,
        statuses: { '401': 12 },
      },
    ]);
    assert.equal(s.routingErrors.total, 2);
    assert.deepEqual(s.routingErrors.paths.map((p) => p.path).sort(), ['/.env', '/wp-login.php']);
    // The two routing errors log no Completed line; Rails answered them 404.
    assert.equal(s.requests.incomplete, 0);
    assert.equal(s.statuses['404'], 2);
  });

  it(
    'a line of several megabytes is read by its head and tail, ' + 'the rest of the log intact',
    async () => {
      const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-long-'));
      try {
        const params = JSON.stringify({ blob: 'x'.repeat(5 * 1024 * 1024) });
        const lograge =
          `{"method":"POST","path":"/upload","params":${params},` +
          `"controller":"UploadsController","action":"create","status":201,"duration":812.5}`;
        const text = [
          'Started GET "/a" for 127.0.0.1 at 2026-12-04 11:00:00 +0000',
          'Processing by AController#show as HTML',
          `  Parameters: {"q"=>"${'y'.repeat(3 * 1024 * 1024)}"}`,
          'Completed 200 OK in 7ms (Views: 5.0ms | ActiveRecord: 1.0ms)',
          lograge,
          'Started GET "/b" for 127.0.0.1 at 2026-12-04 11:00:01 +0000',
          'Processing by BController#show as HTML',
          'Completed 200 OK in 3ms (Views: 2.0ms | ActiveRecord: 0.5ms)',
        ].join('\n');
        await fs.writeFile(path.join(folder, 'long.log'), text);
        const s = await summarizeFixture(path.join(folder, 'long.log'));
        assert.equal(s.requests.total, 3);
        assert.deepEqual(s.statuses, { '200': 2, '201': 1 });
        assert.ok(
          s.actions.some((a) => a.name === 'UploadsController#create' && a.meanMs === 812.5),
        );
        assert.equal(s.assembly.linesRead, 8);
        assert.match(s.warnings.join('\n'), /2 lines longer than 272 KB/);
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    },
  );
});
