/**
 * Shapes a Rails app logging to STDOUT leaves behind once a container runtime, a platform or a
 * service manager has collected its output: Docker's json-file driver, journald, Heroku's
 * router. Each fixture is written by hand after the tool's documented format (PROVENANCE.md).
 */
import { strict as assert } from 'node:assert';
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { parseWindow } from '../../../src/core/logs/window';
import { fixedClock } from '../../../src/core/util/clock';
import { assertLinearAsync } from '../../support/growth';
import { FIXTURES, summarizeFixture, summarizeInRanges } from './helpers';

async function withFolder<T>(run: (folder: string) => Promise<T>): Promise<T> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hosted-'));
  try {
    return await run(folder);
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

/**
 * `heroku logs` of a request the router gave up on after 30 s (H12) while the dyno went on to
 * complete it: the app's lines tagged `[id] ` or, with `tagged` false, untagged.
 */
function herokuH12(tagged: boolean): string[] {
  const id = '2c6f0e91-8d4b-4f3a-a1e2-5b7c9d0e1f11';
  const app = (t: string): string =>
    `2026-12-04T${t}+00:00 app[web.1]: I, [2026-12-04T${t} #7]  INFO -- : ` +
    (tagged ? `[${id}] ` : '');
  return [
    `${app('10:00:00.100000')}Started GET "/reports/annual" for 203.0.113.5 ` +
      'at 2026-12-04 10:00:00 +0000',
    `${app('10:00:00.101000')}Processing by ReportsController#annual as HTML`,
    // The client got the router's 503 after 30 s; the dyno went on.
    '2026-12-04T10:00:30.100000+00:00 heroku[router]: at=error code=H12 ' +
      'desc="Request timeout" method=GET path="/reports/annual" host=shop.herokuapp.com ' +
      `request_id=${id} fwd="203.0.113.5" dyno=web.1 connect=0ms ` +
      'service=30000ms status=503 bytes=0 protocol=https',
    `${app('10:00:41.300000')}Completed 200 OK in 41200ms (ActiveRecord: 41000.0ms)`,
  ];
}

/** One record of Docker's json-file driver, `<`, `>` and `&` escaped as the daemon writes them. */
function dockerRecord(log: string, time: string, stream = 'stdout'): string {
  return JSON.stringify({ log, stream, time }).replace(
    /[<>&]/g,
    (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
  );
}

/**
 * A container's json-file log of `requests` requests, one every 10 s up to 12:00, from Rails
 * 7.1's Logger::Formatter, with request-id tags when `tagged`; every `splitEvery`th one has a
 * 20 KB Started line that Docker split over two records, with Puma's stderr between the pieces
 * (or, `warnBetween`, a warning the request logged to stderr); every 13th is a 500.
 */
function containerLog(
  requests: number,
  splitEvery: number,
  tagged: boolean,
  warnBetween = false,
): string {
  const records: string[] = [];
  const end = Date.parse('2026-12-04T12:00:00Z');
  for (let i = 0; i < requests; i++) {
    const t = end - (requests - 1 - i) * 10_000;
    const iso = new Date(t).toISOString();
    const docker = `${iso.slice(0, 23)}456789Z`;
    const id = tagged ? `[5d0c2b7e-1a9f-4c3b-8e2d-${i.toString(16).padStart(12, '0')}] ` : '';
    const prefix = `I, [${iso.slice(0, 23)}000 #1]  INFO -- : ${id}`;
    const status = i % 13 === 0 ? '500 Internal Server Error' : '200 OK';
    const query = i % splitEvery === 0 ? `?q=${'q'.repeat(20_000)}` : '';
    const started =
      `${prefix}Started GET "/items/${i}${query}" for 192.0.2.${i % 250} at ` +
      `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000\n`;
    if (started.length > 16 * 1024) {
      records.push(
        dockerRecord(started.slice(0, 16 * 1024), docker),
        dockerRecord(
          warnBetween
            ? `W${prefix.slice(1).replace(' INFO', ' WARN')}Rack::Attack: slow client\n`
            : `[1] - Worker 0 (PID: 9) booted in 0.5s\n`,
          docker,
          'stderr',
        ),
        dockerRecord(started.slice(16 * 1024), docker),
      );
    } else {
      records.push(dockerRecord(started, docker));
    }
    records.push(
      dockerRecord(`${prefix}Processing by ItemsController#show as HTML\n`, docker),
      dockerRecord(`${prefix}  Parameters: {"id"=>"${i}"}\n`, docker),
    );
    records.push(dockerRecord(`${prefix}Completed ${status} in ${1 + (i % 50)}ms\n`, docker));
  }
  return `${records.join('\n')}\n`;
}

/**
 * An entry of journald_short_precise.log as `journalctl -o json` prints it: the cursor first,
 * the time in microseconds since 1970, the fields as strings; a message with a control
 * character (here the CR of an app that ends its lines in CRLF) as an array of its bytes.
 */
function journalJson(line: string, n: number): string {
  const m = /^Dec 04 (\d\d:\d\d:\d\d)\.(\d{6}) (\S+) ([^[]+)\[(\d+)\]: (.*)$/.exec(line);
  if (!m) return line;
  const [, hms, micros, host, identifier, pid, message] = m;
  const us = `${Date.parse(`2026-12-04T${hms}Z`) / 1000}${micros}`;
  const printable = !message.includes('Completed');
  return JSON.stringify({
    __CURSOR: `s=6c1f3e2a9b8d4c7e;i=${(4000 + n).toString(16)};b=0f1e2d3c;m=1a2b;t=${us};x=9f`,
    __REALTIME_TIMESTAMP: us,
    __MONOTONIC_TIMESTAMP: String(112233445566 + n),
    _BOOT_ID: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    PRIORITY: '6',
    SYSLOG_FACILITY: '3',
    _PID: pid,
    _COMM: identifier,
    SYSLOG_IDENTIFIER: identifier,
    _HOSTNAME: host,
    _SYSTEMD_UNIT: 'puma.service',
    MESSAGE: printable ? message : [...Buffer.from(`${message}\r`)],
  });
}

/** The journald entries of journald_short_precise.log as `journalctl -o FORMAT` prints them. */
const JOURNAL_FORMATS: Record<string, (hms: string, fraction: string) => string> = {
  short: (hms) => `Dec 04 ${hms} `,
  'short-precise': (hms, fraction) => `Dec 04 ${hms}.${fraction} `,
  'short-iso': (hms) => `2026-12-04T${hms}+0000 `,
  'short-iso-precise': (hms, fraction) => `2026-12-04T${hms}.${fraction}+00:00 `,
  'short-full': (hms) => `Fri 2026-12-04 ${hms} UTC `,
  'short-unix': (hms, fraction) => `${Date.parse(`2026-12-04T${hms}Z`) / 1000}.${fraction} `,
};

async function journalAs(format: string, folder: string): Promise<string> {
  const text = await fs.readFile(path.join(FIXTURES, 'journald_short_precise.log'), 'utf8');
  const prefix = JOURNAL_FORMATS[format];
  const file = path.join(folder, `${format}.log`);
  if (format === 'json') {
    const lines = text.split('\n').map((line, n) => journalJson(line, n));
    await fs.writeFile(file, lines.join('\n'));
    return file;
  }
  await fs.writeFile(
    file,
    text.replace(/^Dec 04 (\d\d:\d\d:\d\d)\.(\d{6}) /gm, (_, hms: string, fraction: string) =>
      prefix(hms, fraction),
    ),
  );
  return file;
}

describe('log engine on hosted and collected shapes', () => {
  it("Docker's json-file driver: a record per line, the Rails 8 lines inside", async () => {
    const s = await summarizeFixture('docker_json_file.log');
    assert.equal(s.requests.total, 4);
    // The /.env probe logged a RoutingError and no Completed line: Rails answered it 404.
    assert.deepEqual(s.statuses, { '200': 1, '302': 1, '404': 1, '500': 1 });
    assert.equal(s.errorRate, 0.25);
    assert.deepEqual(s.span, {
      first: '2026-12-04T10:00:00.000Z',
      last: '2026-12-04T10:02:00.000Z',
    });
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.line]),
      [
        ['SessionsController#create', '/session', 302, 246, 17],
        ['BookingsController#index', '/bookings?q=caf%C3%A9', 200, 45, 13],
        [
          'Admin::ReportsController#index',
          '/admin/reports?from=2026-11-01&to=2026-11-30',
          500,
          12,
          22,
        ],
      ],
    );
    const index = s.actions.find((a) => a.name === 'BookingsController#index');
    assert.equal(index?.viewShare, Math.round((20.1 / 45) * 1e4) / 1e4);
    assert.equal(index?.dbShare, Math.round((3.1 / 45) * 1e4) / 1e4);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.message, e.frame, e.line]),
      [
        ['ActionController::RoutingError', 'No route matches [GET] "/.env"', null, 32],
        [
          'NoMethodError',
          "undefined method 'total' for nil",
          'app/controllers/admin/reports_controller.rb:7',
          27,
        ],
      ],
    );
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.30', count: 1 }]);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.path, r.line]),
      [['198.51.100.23', 'scanner-probe', '/.env', 30]],
    );
    // Puma's 15 lines (boot and shutdown) belong to no request; the routing error logged
    // no completion.
    assert.deepEqual(
      [s.assembly.byRequestId, s.assembly.orphanLines, s.assembly.incomplete],
      [4, 15, 1],
    );
    assert.deepEqual(s.warnings, []);
  });

  it('Docker json-file: a line over 16 KB split over two records, stderr between', async () => {
    await withFolder(async (folder) => {
      const id = '[5d0c2b7e-1a9f-4c3b-8e2d-6f7a8b9c0d11] ';
      const prefix = (t: string): string => `I, [2026-12-04T${t}.000000 #1]  INFO -- : ${id}`;
      const query = 'x'.repeat(20_000);
      const started =
        `${prefix('11:00:00')}Started GET "/search?q=${query}" for 192.0.2.40 ` +
        'at 2026-12-04 11:00:00 +0100\n';
      const cut = 16 * 1024;
      await fs.writeFile(
        path.join(folder, 'abc-json.log'),
        [
          dockerRecord(started.slice(0, cut), '2026-12-04T10:00:00.100000000Z'),
          // Puma on stderr between the two halves of the line on stdout.
          dockerRecord(
            '[1] - Worker 0 (PID: 9) booted in 0.5s\n',
            '2026-12-04T10:00:00.1Z',
            'stderr',
          ),
          dockerRecord(started.slice(cut), '2026-12-04T10:00:00.150000000Z'),
          dockerRecord(
            `${prefix('11:00:00')}Completed 200 OK in 300ms (Views: 200.0ms)\n`,
            '2026-12-04T10:00:00.400000000Z',
          ),
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'abc-json.log'));
      assert.equal(s.requests.total, 1);
      // A Started line this long is read whole: the request's time is the line's own `at`
      // (11:00 +0100), and its first line the record its first piece is in.
      assert.deepEqual(
        s.slowest.map((r) => [
          r.method,
          r.path?.slice(0, 12),
          r.status,
          r.durationMs,
          r.at,
          r.line,
        ]),
        [['GET', '/search?q=xx', 200, 300, '2026-12-04T10:00:00.000Z', 1]],
      );
      assert.deepEqual(s.suspicious, []);
      assert.deepEqual(s.failedLogins.total, 0);
      assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [1, 1]);
    });
  });

  it('Docker json-file: a short record without a line break is a line of its own', async () => {
    await withFolder(async (folder) => {
      const id = (n: number): string => `[5d0c2b7e-1a9f-4c3b-8e2d-6f7a8b9c0d2${n}] `;
      await fs.writeFile(
        path.join(folder, 'abc-json.log'),
        [
          dockerRecord(
            `${id(1)}Started GET "/a" for 192.0.2.1 at 2026-12-04 10:00:00 +0000\n`,
            '2026-12-04T10:00:00.1Z',
          ),
          // The container was stopped as it wrote this line: the daemon kept it unfinished.
          dockerRecord(`${id(1)}Completed 200 OK in 7ms`, '2026-12-04T10:00:00.2Z'),
          // `docker restart` goes on in the same file.
          dockerRecord('=> Booting Puma\n', '2026-12-04T10:00:05.1Z'),
          dockerRecord(
            `${id(2)}Started GET "/b" for 192.0.2.1 at 2026-12-04 10:00:06 +0000\n`,
            '2026-12-04T10:00:06.1Z',
          ),
          dockerRecord(`${id(2)}Completed 404 Not Found in 3ms\n`, '2026-12-04T10:00:06.2Z'),
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'abc-json.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.path, r.status, r.durationMs, r.line]),
        [
          ['/a', 200, 7, 1],
          ['/b', 404, 3, 4],
        ],
      );
      assert.equal(s.assembly.orphanLines, 1);
    });
  });

  it("Docker json-file: a line split at a file's end continues in its rotation only", async () => {
    await withFolder(async (folder) => {
      const at = (s: number): string => `2026-12-04T10:00:0${s}.1Z`;
      const started = (p: string, s: number): string =>
        `Started GET "/${p}" for 192.0.2.1 at 2026-12-04 10:00:0${s} +0000\n`;
      const long = started(`long?q=${'q'.repeat(20_000)}`, 1);
      const write = (name: string, ...records: string[]): Promise<void> =>
        fs.writeFile(path.join(folder, name), `${records.join('\n')}\n`);
      const summarize = (...names: string[]) =>
        summarizeFixture(names.map((name) => path.join(folder, name)));
      // A container stopped while it wrote a long line; another container's log comes next.
      await write(
        'aaa-json.log',
        dockerRecord(started('a', 0), at(0)),
        dockerRecord(long.slice(0, 16_384), at(1)),
      );
      await write(
        'bbb-json.log',
        dockerRecord(started('b', 2), at(2)),
        dockerRecord('Completed 200 OK in 5ms\n', at(2)),
      );
      const two = await summarize('aaa-json.log', 'bbb-json.log');
      assert.deepEqual(
        two.slowest.map((r) => [r.path, r.status]),
        [['/b', 200]],
      );
      // Docker rotated its file between the pieces of a line: the next file ends it.
      await fs.rename(path.join(folder, 'aaa-json.log'), path.join(folder, 'ccc-json.log.1'));
      await write(
        'ccc-json.log',
        dockerRecord(long.slice(16_384), at(1)),
        dockerRecord('Completed 200 OK in 9ms\n', at(2)),
      );
      const rotated = await summarize('ccc-json.log.1', 'ccc-json.log');
      assert.deepEqual(
        rotated.slowest.map((r) => [r.path?.slice(0, 8), r.status]),
        [['/long?q=', 200]],
      );

      // Rotated by logrotate's dateext instead, and copied (mtimes the reverse): the same.
      await fs.rename(
        path.join(folder, 'ccc-json.log.1'),
        path.join(folder, 'ccc-json.log-20261204'),
      );
      await fs.utimes(path.join(folder, 'ccc-json.log'), new Date(0), new Date(0));
      const dated = await summarizeFixture(path.join(folder, 'ccc-json.log*'));
      assert.deepEqual(
        dated.sources.map((source) => path.basename(source.path ?? '')),
        ['ccc-json.log-20261204', 'ccc-json.log'],
      );
      assert.deepEqual(
        dated.slowest.map((r) => [r.path?.slice(0, 8), r.status]),
        [['/long?q=', 200]],
      );
    });
  });

  it('Docker json-file: a line of megabytes in 16 KB pieces is read by head and end', async () => {
    await withFolder(async (folder) => {
      const id = '[5d0c2b7e-1a9f-4c3b-8e2d-6f7a8b9c0d31] ';
      /** A log of one request whose Started line has `mb` megabytes of path, in its own folder. */
      const logOf = (mb: number): string => {
        const started =
          `${id}Started POST "/webhooks/${'w'.repeat(mb * 1024 * 1024)}" for 192.0.2.1 ` +
          'at 2026-12-04 10:00:00 +0000\n';
        const records: string[] = [];
        for (let at = 0; at < started.length; at += 16 * 1024) {
          records.push(dockerRecord(started.slice(at, at + 16 * 1024), '2026-12-04T10:00:00.1Z'));
        }
        records.push(
          dockerRecord(`${id}Completed 204 No Content in 9ms\n`, '2026-12-04T10:00:01Z'),
        );
        mkdirSync(path.join(folder, `${mb}`));
        const file = path.join(folder, `${mb}`, 'abc-json.log');
        writeFileSync(file, `${records.join('\n')}\n`);
        return file;
      };
      // A line held whole and gone over again at each piece would cost the square of its length.
      await assertLinearAsync(logOf, (file) => summarizeFixture(file), 4);
      const s = await summarizeFixture(path.join(folder, '4', 'abc-json.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.method, r.path?.slice(0, 12), r.status, r.durationMs, r.line]),
        [['POST', '/webhooks/ww', 204, 9, 1]],
      );
      assert.equal(s.assembly.orphanLines, 0);
    });
  });

  it('Docker json-file: read in ranges as in one pass, never cut inside a split line', async () => {
    await withFolder(async (folder) => {
      // No request ids: a range begins at a Started line, and every one of them is split.
      const file = path.join(folder, 'abc-json.log');
      await fs.writeFile(file, containerLog(400, 1, false));
      const onePass = await summarizeInRanges(file, false);
      assert.equal(onePass.summary.requests.total, 400);
      // i = 0, 13, ..., 390.
      assert.deepEqual(onePass.summary.statuses, { '200': 369, '500': 31 });
      assert.deepEqual(onePass.summary.assembly.byProcess, 400);
      for (const count of [2, 3, 5, 8]) {
        const ranges = await summarizeInRanges(file, { ranges: count, inProcess: true });
        assert.equal(ranges.ranges, count);
        assert.deepEqual(ranges.summary, onePass.summary, `${count} ranges`);
      }
    });
  });

  it('Docker json-file: no range begins between the pieces of a line split before it', async () => {
    await withFolder(async (folder) => {
      // Every request's Started is split, and a tagged stderr line between its pieces may begin
      // a range: the cut search, reading from its target, must know the pieces before it.
      const file = path.join(folder, 'abc-json.log');
      await fs.writeFile(file, containerLog(150, 1, true, true));
      const onePass = await summarizeInRanges(file, false);
      assert.equal(onePass.summary.requests.total, 150);
      assert.equal(onePass.summary.assembly.orphanLines, 0);
      for (const count of [2, 3, 5, 8]) {
        const ranges = await summarizeInRanges(file, { ranges: count, inProcess: true });
        assert.equal(ranges.ranges, count);
        assert.deepEqual(ranges.summary, onePass.summary, `${count} ranges`);
      }
    });
  });

  it('Docker json-file: the last hour of a large file found by seeking', async function () {
    this.timeout(120_000);
    await withFolder(async (folder) => {
      const file = path.join(folder, 'abc-json.log');
      await fs.writeFile(file, containerLog(3000, 7, true));
      const clock = fixedClock('2026-12-04T12:00:00Z');
      const seeked = await summarizeLogs({
        workspace: folder,
        sources: [file],
        window: parseWindow('1h', clock),
        clock,
        timeZone: 'UTC',
      });
      assert.equal(seeked.sources[0].seeked, true);
      assert.ok(seeked.sources[0].bytesRead < seeked.sources[0].bytes / 4);
      // 12:00 back to 11:00 every 10 s: requests 2639 to 2999, of which 2639 (13 × 203) to
      // 2990 (13 × 230) every 13th is a 500.
      assert.equal(seeked.requests.total, 361);
      assert.deepEqual(seeked.statuses, { '200': 333, '500': 28 });
    });
  });

  for (const format of [...Object.keys(JOURNAL_FORMATS), 'json']) {
    it(`journalctl -o ${format}: a Puma service's entries, workers interleaved`, async () => {
      await withFolder(async (folder) => {
        const s = await summarizeFixture(await journalAs(format, folder));
        assert.equal(s.requests.total, 4);
        assert.deepEqual(s.statuses, { '200': 2, '401': 1, '500': 1 });
        assert.equal(s.errorRate, 0.25);
        assert.deepEqual(s.span, {
          first: '2026-12-04T10:00:01.000Z',
          last: '2026-12-04T10:00:09.000Z',
        });
        assert.deepEqual(
          s.slowest.map((r) => [r.action, r.status, r.durationMs, r.line]),
          [
            ['ProductsController#index', 200, 120, 16],
            ['Devise::SessionsController#create', 401, 95, 18],
            ['ProductsController#index', 200, 45, 31],
            ['OrdersController#show', 500, 31, 23],
          ],
        );
        const index = s.actions.find((a) => a.name === 'ProductsController#index');
        assert.deepEqual(
          [index?.count, index?.meanMs, index?.viewShare, index?.dbShare],
          [2, 82.5, Math.round((110 / 165) * 1e4) / 1e4, Math.round((29 / 165) * 1e4) / 1e4],
        );
        assert.deepEqual(
          s.exceptions.map((e) => [e.className, e.frame, e.line]),
          [['NoMethodError', 'app/controllers/orders_controller.rb:12', 28]],
        );
        assert.deepEqual(s.failedLogins.byIp, [{ ip: '203.0.113.7', count: 1 }]);
        // systemd's and Puma's own 21 lines are in no request.
        assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [4, 21]);
      });
    });
  }

  it('journalctl -o cat: the messages alone', async () => {
    await withFolder(async (folder) => {
      const text = await fs.readFile(path.join(FIXTURES, 'journald_short_precise.log'), 'utf8');
      const file = path.join(folder, 'cat.log');
      await fs.writeFile(file, text.replace(/^.*? app1 [a-z]+\[\d+\]: /gm, ''));
      const s = await summarizeFixture(file);
      assert.deepEqual(s.statuses, { '200': 2, '401': 1, '500': 1 });
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.durationMs, r.line]),
        [
          ['ProductsController#index', 120, 16],
          ['Devise::SessionsController#create', 95, 18],
          ['ProductsController#index', 45, 31],
          ['OrdersController#show', 31, 23],
        ],
      );
      assert.deepEqual(s.failedLogins.byIp, [{ ip: '203.0.113.7', count: 1 }]);
    });
  });

  it("heroku logs of an app at level warn: the router's lines are the requests", async () => {
    const s = await summarizeFixture('heroku_router.log');
    assert.equal(s.requests.total, 7);
    assert.deepEqual(s.statuses, { '200': 2, '401': 1, '404': 1, '500': 1, '503': 2 });
    assert.equal(s.errorRate, 0.428571);
    // service= is the time the dyno took; H10's router line has none.
    assert.deepEqual(
      s.slowest.map((r) => [r.method, r.path, r.status, r.durationMs, r.line]),
      [
        ['GET', '/reports/annual', 503, 30000, 15],
        ['GET', '/reports/weekly', 500, 5012, 9],
        ['POST', '/users/sign_in', 401, 180, 7],
        ['GET', '/products?page=2', 200, 95, 8],
        ['GET', '/', 200, 48, 6],
        ['GET', '/wp-login.php', 404, 3, 16],
      ],
    );
    assert.equal(s.duration.maxMs, 30000);
    assert.equal(
      s.duration.meanMs,
      Math.round(((48 + 180 + 95 + 5012 + 30000 + 3) / 6) * 100) / 100,
    );
    // fwd= is X-Forwarded-For with the address the router saw last.
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '198.51.100.7', count: 1 }]);
    assert.deepEqual(
      s.suspicious.map((r) => [r.ip, r.kind, r.path]),
      [['192.0.2.66', 'scanner-probe', '/wp-login.php']],
    );
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.line, e.actions]),
      [['ActiveRecord::QueryCanceled', 'app/models/report.rb:20', 10, []]],
    );
    // The release, the dyno's state changes and a bare `):` are in no request.
    assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [7, 8]);
  });

  it("heroku logs: a router's H12 before the app's Completed is one request, the 503", async () => {
    await withFolder(async (folder) => {
      await fs.writeFile(path.join(folder, 'heroku.log'), [...herokuH12(true), ''].join('\n'));
      const s = await summarizeFixture(path.join(folder, 'heroku.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.line]),
        [['ReportsController#annual', '/reports/annual', 503, 30000, 1]],
      );
      assert.deepEqual(s.statuses, { '503': 1 });
      assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [1, 0]);
    });
  });

  it('foreman with colours: web.1, web.2 and a Sidekiq worker, no request ids', async () => {
    const s = await summarizeFixture('foreman_processes.log');
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.method, r.path, r.status, r.durationMs, r.line]),
      [
        ['ReportsController#show', 'GET', '/reports/42', 200, 2004, 6],
        ['Devise::SessionsController#create', 'POST', '/users/sign_in', 401, 12, 7],
        ['ReportsController#show', 'GET', '/reports/43', 500, 8, 16],
      ],
    );
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.11', count: 1 }]);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.line, e.actions]),
      [
        [
          'NoMethodError',
          'app/controllers/reports_controller.rb:9',
          21,
          ['ReportsController#show'],
        ],
      ],
    );
    const show = s.actions.find((a) => a.name === 'ReportsController#show');
    assert.deepEqual([show?.count, show?.meanMs], [2, 1006]);
    // Puma's four boot lines and Sidekiq's three are in no request; Puma's last line goes with
    // web.1's last request, as a line of one process does.
    assert.deepEqual([s.assembly.byProcess, s.assembly.orphanLines], [3, 7]);
  });

  it('docker compose --scale web=2: two containers whose Rails is pid 1 in each', async () => {
    await withFolder(async (folder) => {
      const line = (web: string, t: string, message: string): string =>
        `${web}  | I, [2026-12-04T10:00:${t}.000000 #1]  INFO -- : ${message}`;
      await fs.writeFile(
        path.join(folder, 'compose.log'),
        [
          line('web-1', '00', 'Started GET "/a" for 192.0.2.1 at 2026-12-04 10:00:00 +0000'),
          line('web-2', '00', 'Started GET "/b" for 192.0.2.2 at 2026-12-04 10:00:00 +0000'),
          line('web-1', '00', 'Processing by AController#index as HTML'),
          line('web-2', '00', 'Processing by BController#index as HTML'),
          line('web-2', '01', 'Completed 404 Not Found in 5ms'),
          line('web-1', '02', 'Completed 200 OK in 1500ms'),
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'compose.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs]),
        [
          ['AController#index', '/a', 200, 1500],
          ['BController#index', '/b', 404, 5],
        ],
      );
    });
  });

  for (const timestamps of [false, true]) {
    const command = `kubectl logs -l app=web --prefix${timestamps ? ' --timestamps' : ''}`;
    it(`${command}: two pods whose Rails is pid 1 in each`, async () => {
      await withFolder(async (folder) => {
        const line = (pod: string, t: string, message: string): string =>
          `[pod/web-7d9f8c6b5-${pod}/web] ` +
          (timestamps ? `2026-12-04T10:00:${t}.123456789Z ` : '') +
          `I, [2026-12-04T10:00:${t}.000000 #1]  INFO -- : ${message}`;
        await fs.writeFile(
          path.join(folder, 'pods.log'),
          [
            line('x2k4q', '00', 'Started GET "/a" for 192.0.2.10 at 2026-12-04 10:00:00 +0000'),
            line(
              'p8m2z',
              '00',
              'Started POST "/users/sign_in" for 192.0.2.11 at 2026-12-04 10:00:00 +0000',
            ),
            line('x2k4q', '00', 'Processing by AController#index as HTML'),
            line('p8m2z', '00', 'Processing by Devise::SessionsController#create as HTML'),
            line('p8m2z', '00', 'Completed 401 Unauthorized in 12ms'),
            line('x2k4q', '01', 'Completed 200 OK in 1045ms'),
            '',
          ].join('\n'),
        );
        const s = await summarizeFixture(path.join(folder, 'pods.log'));
        assert.deepEqual(
          s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.at]),
          [
            ['AController#index', '/a', 200, 1045, '2026-12-04T10:00:00.000Z'],
            [
              'Devise::SessionsController#create',
              '/users/sign_in',
              401,
              12,
              '2026-12-04T10:00:00.000Z',
            ],
          ],
        );
        assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.11', count: 1 }]);
        assert.deepEqual([s.assembly.byProcess, s.assembly.orphanLines], [2, 0]);
      });
    });
  }

  it('containerd and CRI-O log files (/var/log/containers): time, stream, F or P', async () => {
    const s = await summarizeFixture('cri_containerd.log');
    assert.deepEqual(s.statuses, { '200': 1, '302': 1, '500': 1 });
    assert.equal(s.errorRate, 0.333333);
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.at, r.line]),
      [
        ['SessionsController#create', '/session', 302, 249, '2026-12-04T10:00:03.000Z', 9],
        ['OrdersController#show', '/orders/42', 500, 31, '2026-12-04T10:00:09.000Z', 15],
        ['Rails::HealthController#show', '/up', 200, 1, '2026-12-04T10:00:00.000Z', 6],
      ],
    );
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '192.0.2.44', count: 1 }]);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.line]),
      [['NoMethodError', 'app/controllers/orders_controller.rb:12', 19]],
    );
    // Puma's five lines and Rack::Attack's warning on stderr are in no request.
    assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [3, 6]);
  });

  it('CRI log files: a line split into P pieces is joined, stderr between', async () => {
    await withFolder(async (folder) => {
      const id = '[9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c11] ';
      const started =
        `${id}Started GET "/search?q=${'q'.repeat(20_000)}" for 192.0.2.46 ` +
        'at 2026-12-04 10:00:00 +0000';
      await fs.writeFile(
        path.join(folder, 'web_default_web-0123.log'),
        [
          `2026-12-04T10:00:00.100000000Z stdout P ${started.slice(0, 16 * 1024)}`,
          '2026-12-04T10:00:00.100000100Z stderr F [1] - Worker 0 (PID: 9) booted in 0.5s',
          `2026-12-04T10:00:00.100000200Z stdout F ${started.slice(16 * 1024)}`,
          `2026-12-04T10:00:00.400000000Z stdout F ${id}Completed 200 OK in 300ms`,
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'web_default_web-0123.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.method, r.path?.slice(0, 12), r.status, r.durationMs, r.line]),
        [['GET', '/search?q=qq', 200, 300, 1]],
      );
      assert.deepEqual([s.assembly.byRequestId, s.assembly.orphanLines], [1, 1]);
    });
  });

  it("a journal file or Docker's local driver file is binary: it says how to read it", async () => {
    await withFolder(async (folder) => {
      // A journal file begins with the signature LPKSHHRH; the local driver's are protobuf.
      await fs.writeFile(
        path.join(folder, 'system.journal'),
        Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(4096, 0)]),
      );
      await fs.mkdir(path.join(folder, 'local-logs'));
      await fs.writeFile(
        path.join(folder, 'local-logs', 'container.log'),
        Buffer.from([0, 0, 0, 40, 10, 6, 115, 116, 100, 111, 117, 116, 16, 1]),
      );
      const s = await summarizeFixture([
        path.join(folder, 'system.journal'),
        path.join(folder, 'local-logs', 'container.log'),
      ]);
      assert.deepEqual(
        s.sources
          .map((source) => [source.lines, source.error])
          .sort((a, b) => String(b[1]).localeCompare(String(a[1]))),
        [
          [
            0,
            `${path.join(folder, 'system.journal')} is a systemd journal file, which is binary: ` +
              `read it through journalctl, for example journalctl --file ` +
              `${path.join(folder, 'system.journal')} -o short-iso | upkeep logs -`,
          ],
          [
            0,
            `${path.join(folder, 'local-logs', 'container.log')} is kept by Docker's local ` +
              'logging driver, which is binary: read it through docker logs, for example ' +
              'docker logs -t CONTAINER 2>&1 | upkeep logs -',
          ],
        ],
      );
      assert.deepEqual(s.requests.total, 0);

      // The editor reads no standard input: there the tool's output goes to a file to read.
      const editor = await summarizeFixture(
        [path.join(folder, 'system.journal'), path.join(folder, 'local-logs', 'container.log')],
        { surface: 'editor' },
      );
      assert.deepEqual(
        editor.sources.map((source) => source.error?.replace(/^.*, for example /, '')).sort(),
        [
          'docker logs -t CONTAINER > log/docker.log 2>&1, and add log/docker.log to ' +
            'upkeep.logs.sources',
          `journalctl --file ${path.join(folder, 'system.journal')} -o short-iso > ` +
            'log/journal.log, and add log/journal.log to upkeep.logs.sources',
        ],
      );
    });
  });
  it("heroku logs without request-id tags: a router line joins the app's request", async () => {
    const s = await summarizeFixture('heroku_untagged.log');
    // Four requests the app logged (each with its router line) and the H10 only the router saw.
    assert.equal(s.requests.total, 5);
    assert.deepEqual(s.statuses, { '200': 2, '401': 1, '500': 1, '503': 1 });
    assert.equal(s.errorRate, 0.4);
    // The app's own times; the H10 has none.
    assert.deepEqual(
      s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.line]),
      [
        ['ReportsController#weekly', '/reports/weekly', 500, 5003, 12],
        ['Users::SessionsController#create', '/users/sign_in', 401, 150, 5],
        ['ProductsController#index', '/products?page=2', 200, 40, 9],
        ['HomeController#index', '/', 200, 12, 1],
      ],
    );
    assert.equal(s.duration.meanMs, (12 + 150 + 40 + 5003) / 4);
    assert.deepEqual(s.failedLogins.byIp, [{ ip: '198.51.100.7', count: 1 }]);
    assert.deepEqual(
      s.exceptions.map((e) => [e.className, e.frame, e.line]),
      [['ActiveRecord::QueryCanceled', 'app/models/report.rb:20', 17]],
    );
    // The dyno's two state lines are in no request.
    assert.deepEqual(
      [
        s.assembly.byProcess,
        s.assembly.byRequestId,
        s.assembly.routerJoined,
        s.assembly.orphanLines,
      ],
      [4, 1, 4, 2],
    );
    assert.match(
      formatSummaryText(s),
      /in no request, 4 Heroku router lines joined to the app's untagged requests\n/,
    );
  });
  it('heroku logs without request-id tags: in ranges as in one pass', async () => {
    await withFolder(async (folder) => {
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) {
        const at = (ms: number): string =>
          new Date(Date.UTC(2026, 11, 4, 10) + i * 1000 + ms).toISOString().replace('Z', '');
        const app = (ms: number): string =>
          `${at(ms)}000+00:00 app[web.1]: I, [${at(ms)}000 #4]  INFO -- : `;
        const status = i % 13 === 0 ? 500 : 200;
        lines.push(
          `${app(0)}Started GET "/items/${i % 5}" for 203.0.113.${i % 7} at 2026-12-04 10:00:00`,
          `${app(1)}Processing by ItemsController#show as HTML`,
          `${app(20)}Completed ${status} OK in 19ms (ActiveRecord: 2.0ms)`,
          `${at(22)}000+00:00 heroku[router]: at=info method=GET path="/items/${i % 5}" ` +
            'host=shop.herokuapp.com request_id=7d1e0a52-3c4b-4e8f-9a10-' +
            `${String(i).padStart(12, '0')} ` +
            `fwd="203.0.113.${i % 7}" dyno=web.1 connect=0ms service=21ms status=${status} ` +
            'bytes=512 protocol=https',
        );
      }
      const file = path.join(folder, 'heroku.log');
      await fs.writeFile(file, `${lines.join('\n')}\n`);
      const onePass = await summarizeInRanges(file, false);
      assert.equal(onePass.summary.requests.total, 300);
      assert.deepEqual(onePass.summary.statuses, { '200': 276, '500': 24 });
      assert.equal(onePass.summary.assembly.routerJoined, 300);
      const ranges = await summarizeInRanges(file, { ranges: 3, inProcess: true });
      assert.deepEqual(ranges.summary, onePass.summary);
    });
  });

  it('heroku logs without request-id tags: an H12 before Completed is one request', async () => {
    await withFolder(async (folder) => {
      const app = (t: string): string =>
        `2026-12-04T${t}+00:00 app[web.1]: I, [2026-12-04T${t} #7]  INFO -- : `;
      await fs.writeFile(
        path.join(folder, 'heroku.log'),
        [
          ...herokuH12(false),
          // The next request on the dyno, and its router line: a 503 of the same path again.
          `${app('10:00:42.000000')}Started GET "/reports/annual" for 203.0.113.5 ` +
            'at 2026-12-04 10:00:42 +0000',
          `${app('10:00:42.010000')}Completed 503 Service Unavailable in 10ms`,
          '2026-12-04T10:00:42.012000+00:00 heroku[router]: at=info method=GET ' +
            'path="/reports/annual" host=shop.herokuapp.com ' +
            'request_id=2c6f0e91-8d4b-4f3a-a1e2-5b7c9d0e1f12 fwd="203.0.113.5" dyno=web.1 ' +
            'connect=0ms service=11ms status=503 bytes=0 protocol=https',
          '',
        ].join('\n'),
      );
      const s = await summarizeFixture(path.join(folder, 'heroku.log'));
      assert.deepEqual(
        s.slowest.map((r) => [r.action, r.path, r.status, r.durationMs, r.line]),
        [
          ['ReportsController#annual', '/reports/annual', 503, 30000, 1],
          [null, '/reports/annual', 503, 10, 5],
        ],
      );
      assert.deepEqual(s.statuses, { '503': 2 });
      assert.deepEqual([s.assembly.byProcess, s.assembly.routerJoined], [2, 2]);
    });
  });
});
