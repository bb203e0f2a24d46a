/**
 * Hostile and unlucky log input at the edges of the log engine's readers: numbers too long for
 * a double, valid UTF-8 cut at a long line's limit, a CRLF stream whose first chunk ends between
 * CR and LF, far-apart minutes the fast lane's cache took for one, and source names that look
 * like globs.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BurstTable } from '../../../src/core/logs/bursts';
import { FastLane } from '../../../src/core/logs/fastLane';
import { LineParser } from '../../../src/core/logs/lineParser';
import { readRubyHash } from '../../../src/core/logs/rubyHash';
import { resolveSources } from '../../../src/core/logs/sources';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { summarizeLogs, type SummarizeOptions } from '../../../src/core/logs/summary';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { fixedClock } from '../../../src/core/util/clock';
import { assertLinear } from '../../support/growth';
import { tempFolderWith } from '../../support/tempFolders';

async function summarize(
  text: string,
  options: Partial<SummarizeOptions> = {},
): ReturnType<typeof summarizeLogs> {
  const workspace = await tempFolderWith('upkeep-log-edges-', { 'log/x.log': text });
  return summarizeLogs({
    workspace,
    sources: ['log/x.log'],
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: 'UTC',
    ...options,
  });
}

function request(path: string, completed: string, prefix = ''): string {
  return (
    `${prefix}Started GET "${path}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n` +
    `${prefix}Processing by A#b as HTML\n` +
    `${prefix}${completed}\n`
  );
}

describe('hostile log edges', function () {
  this.timeout(60_000);

  it('a duration too long for a double counts as no duration, in every reader', async () => {
    const nines = '9'.repeat(400);
    const logger = 'I, [2026-12-04T10:00:00.000000 #1]  INFO -- : ';
    const semantic = '2026-12-04 10:00:00.000000 I [1:puma 1] ';
    const payload = '{:method=>"GET", :path=>"/s", :status=>200, :view_runtime=>1e300}';
    const text =
      request('/ok', 'Completed 200 OK in 12ms (Views: 1ms | ActiveRecord: 1ms)') +
      // LineParser's hand reader, then the fast lane (a Logger::Formatter prefix).
      request('/text', `Completed 200 OK in ${nines}ms (Views: ${nines}ms | ActiveRecord: 1ms)`) +
      request('/fast', `Completed 200 OK in ${nines}ms (Views: 1ms | ActiveRecord: 1ms)`, logger) +
      // Semantic Logger's duration_human: 38 digits of days is finite but absurd.
      `${semantic}(${'9'.repeat(38)}d) A -- Completed #b -- ${payload}\n` +
      // No number after `Views: ` made the action's view and database shares NaN.
      request('/nan', 'Completed 200 OK in 12ms (Views: x | ActiveRecord: y)', logger);
    const s = await summarize(text);
    assert.equal(s.requests.total, 5);
    assert.equal(s.duration.maxMs, 12);
    assert.equal(s.duration.meanMs, 12);
    for (const hour of s.requests.perHour) {
      assert.ok(Number.isFinite(hour.meanMs), `${hour.meanMs}`);
    }
    for (const slow of s.slowest) {
      assert.ok(slow.durationMs === undefined || Number.isFinite(slow.durationMs), `${slow.path}`);
    }
    assert.equal(s.slowRequests, 0);
    for (const action of s.actions) {
      assert.ok(Number.isFinite(action.viewShare) && Number.isFinite(action.dbShare), action.name);
    }
  });

  it('a valid UTF-8 line cut for length is not reported as bytes that are not UTF-8', async () => {
    // 2-byte characters from an odd offset to an odd distance from the end: the cuts of the
    // first 256 KB and the last 16 KB both fall inside one of them.
    const long = `Parameters: {"q"=>"${'é'.repeat(200_000)}"}.\n`;
    const text =
      request('/a', 'Completed 200 OK in 5ms') + long + request('/b', 'Completed 200 OK');
    const whole = await summarize(text);
    // Across reads of 4 KB, where the line is kept in pieces until it ends.
    const pieces = await summarize(text, { chunkBytes: 4096 });
    for (const s of [whole, pieces]) {
      assert.match(s.warnings.join('\n'), /longer than 272 KB/);
      assert.doesNotMatch(s.warnings.join('\n'), /not UTF-8/);
    }
  });

  it('a CRLF stream whose first chunk ends between CR and LF is read by its lines', async () => {
    const text = (
      request('/a', 'Completed 200 OK in 5ms') +
      request('/b', 'Completed 500 Internal Server Error in 7ms')
    ).replaceAll('\n', '\r\n');
    const cut = text.indexOf('\n');
    const chunks = [text.slice(0, cut), text.slice(cut)].map((t) => Buffer.from(t));
    const workspace = await tempFolderWith('upkeep-log-edges-', {});
    const s = await summarizeLogs({
      workspace,
      sources: ['-'],
      stdin: Readable.from(chunks),
      clock: fixedClock('2026-12-04T12:00:00Z'),
      timeZone: 'UTC',
    });
    assert.doesNotMatch(s.warnings.join('\n'), /CR alone/);
    assert.equal(s.requests.total, 2);
    assert.equal(s.statusClasses['5xx'], 1);
  });

  it('the fast lane does not take a minute 7,169 years on for the one before', () => {
    // Its cache key of a minute wrapped at 2^32: these two minutes had the same key.
    const clock = new ZoneClock('UTC');
    const parser = new LineParser(clock, new Date('2026-12-04T12:00:00Z'));
    const fast = new FastLane(clock);
    for (const time of ['2026-01-01T00:00:00.000000', '9195-10-25T04:16:00.000000']) {
      const text = `I, [${time} #1]  INFO -- : Rendered x.html.erb (1.0ms)`;
      const bytes = Buffer.from(text, 'latin1');
      assert.equal(fast.read(bytes, 0, bytes.length)?.time, parser.parse(text).time, time);
    }
  });

  it('line breaks a JSON line decodes never start a line of the text report', async () => {
    // JSON.parse turns `\n` into a line break that the raw line did not have.
    const json = (fields: Record<string, unknown>): string =>
      JSON.stringify({ method: 'GET', status: 500, duration: 5, ...fields });
    const semantic = {
      timestamp: '2026-12-04T10:00:01Z',
      named_tags: { request_id: 'r\nFORGED id' },
      exception: { name: 'Runtime\nFORGED name', message: 'boom\nFORGED message' },
    };
    const s = await summarize(
      [
        json({
          path: '/a\nErrors    0 (FORGED path)',
          controller: 'A\rFORGED controller',
          action: 'b',
          timestamp: '2026-12-04T10:00:00Z',
          error: 'RuntimeError: boom\nFORGED error',
        }),
        JSON.stringify(semantic),
        '',
      ].join('\n'),
    );
    assert.equal(s.requests.total, 1);
    const text = formatSummaryText(s);
    assert.match(text, /FORGED path/);
    assert.doesNotMatch(text, /^[^\n]*\r|(^|\n)\s*(Errors {4}0 \()?FORGED/);
  });

  it('a log file named with a line break does not start a line of the text report', async () => {
    const name = 'log/x.log\nErrors    0 (FORGED)';
    const workspace = await tempFolderWith('upkeep-log-edges-', {
      [name]: request('/a', 'Completed 200 OK in 5ms') + `${'x'.repeat(300_000)}\n`,
    });
    const s = await summarizeLogs({
      workspace,
      sources: [name],
      clock: fixedClock('2026-12-04T12:00:00Z'),
      timeZone: 'UTC',
    });
    assert.equal(s.requests.total, 1);
    // The source line, the slowest request's location and the long line's warning name it.
    const text = formatSummaryText(s);
    assert.equal(text.split('FORGED').length, 4, text);
    assert.doesNotMatch(text, /(^|\n)Errors {4}0 \(FORGED/);
  });

  it('an offset-less time in an hour whose offset changes midway is read in that offset', () => {
    // Lord Howe Island moves its clocks 30 minutes (02:00 → 02:30); Nepal moved 15 in 1986.
    const cases: [string, string, string][] = [
      ['Australia/Lord_Howe', '2026-10-04T01:59:00', '2026-10-03T15:29:00.000Z'],
      ['Australia/Lord_Howe', '2026-10-04T02:30:00', '2026-10-03T15:30:00.000Z'],
      ['Australia/Lord_Howe', '2026-10-04T02:45:00', '2026-10-03T15:45:00.000Z'],
      ['Asia/Kathmandu', '1985-12-31T23:59:00', '1985-12-31T18:29:00.000Z'],
      ['Asia/Kathmandu', '1986-01-01T00:20:00', '1985-12-31T18:35:00.000Z'],
    ];
    for (const [zone, wall, instant] of cases) {
      const clock = new ZoneClock(zone);
      const parser = new LineParser(clock, new Date('2026-12-04T12:00:00Z'));
      const fast = new FastLane(clock);
      const text = `I, [${wall}.000000 #1]  INFO -- : Rendered x.html.erb (1.0ms)`;
      const bytes = Buffer.from(text, 'latin1');
      assert.equal(new Date(parser.parse(text).time).toISOString(), instant, `${zone} ${wall}`);
      assert.equal(new Date(fast.read(bytes, 0, bytes.length)!.time).toISOString(), instant);
    }
  });

  it('failed logins of new addresses take linear time once the table holds 20,000 bursts', () => {
    // A botnet of 20,000 addresses, 10 tries each in one minute: every minute is a burst and is
    // kept, so the full table was scanned again for each new address after it (1 ms a line).
    const at = Date.parse('2026-12-04T10:00:00Z');
    const address = (n: number, last: number): string => `10.${n >> 8}.${n & 255}.${last}`;
    const botnet = (addresses: number): BurstTable => {
      const table = new BurstTable();
      for (let n = 0; n < addresses; n++) {
        for (let k = 0; k < 10; k++) table.add(address(n, 1), at + k * 1000, 401);
      }
      for (let n = 0; n < addresses / 4; n++) table.add(address(n, 2), at + 60_000 + n, 401);
      return table;
    };
    // 20,000 and 80,000 addresses, both past the 20,000 minutes a table holds before a prune.
    assertLinear((addresses) => addresses, botnet, 20_000);
    assert.equal(botnet(20_000).entries().length, 20_000);
  });

  it('a JSON message of several lines is read by its first, as the plain log would be', () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const message = "RuntimeError (boom):\r\n  app/models/user.rb:12:in 'save'";
    const line = parser.parse(JSON.stringify({ level: 'error', message, time: '2026-12-04' }));
    assert.equal(line.kind, 'exception');
    assert.equal(line.exceptionClass, 'RuntimeError');
    assert.equal(line.exceptionMessage, 'boom');
  });

  it('a Ruby hash with a quoted symbol key reads on past it', () => {
    // `Hash#inspect` quotes a symbol such as :"content-type"; the keys after one were lost.
    const text = '{:status=>200, :"content-type"=>:"text/html, utf-8", :path=>"/y"}';
    assert.deepEqual(Object.fromEntries(readRubyHash(text, 0) ?? []), {
      status: '200',
      'content-type': 'text/html, utf-8',
      path: '/y',
    });
  });

  it('a line stamped in the future does not end the read of a large log', async () => {
    // A file of 8 MB or more stops at the first line an hour past the window's end; one line
    // stamped 2099 (a clock gone wrong, or forged through a logged value) hid all after it.
    const lines: string[] = [];
    const request = (k: number, status: string): void => {
      const at = new Date(Date.parse('2026-12-03T19:00:00Z') + k * 1000).toISOString();
      const prefix = `I, [${at.slice(0, 19)}.000000 #1]  INFO -- : `;
      lines.push(
        `${prefix}Started GET "/r/${k}" for 10.0.0.1 at ${at.slice(0, 10)} ${at.slice(11, 19)}`,
        `${prefix}Processing by A#b as HTML`,
        `${prefix}Completed ${status} in 5ms (Views: 1ms | ActiveRecord: 1ms)`,
      );
    };
    for (let k = 0; k < 15_000; k++) request(k, '200 OK');
    lines.push('I, [2099-01-01T00:00:00.000000 #1]  INFO -- : forged');
    for (let k = 15_000; k < 30_000; k++) request(k, '500 Internal Server Error');
    const text = `${lines.join('\n')}\n`;
    assert.ok(text.length > 8 * 1024 * 1024, `${text.length} bytes`);
    const window = { from: new Date('2026-12-03T12:00:00Z'), to: new Date('2026-12-04T12:00:00Z') };
    for (const parallel of [false, { ranges: 3, inProcess: true }] as const) {
      const s = await summarize(text, { window: { ...window, label: 'last 24 hours' }, parallel });
      assert.equal(s.requests.total, 30_000, JSON.stringify(parallel));
      assert.equal(s.statusClasses['5xx'], 15_000);
    }
    // A window that ended long before the clock still stops where the log has left it.
    const early = { from: new Date('2026-12-03T19:00:00Z'), to: new Date('2026-12-03T19:30:00Z') };
    const s = await summarize(text, { window: { ...early, label: 'range' }, parallel: false });
    assert.equal(s.requests.total, 1801);
    assert.ok(s.sources[0].bytesRead < text.length / 2, `${s.sources[0].bytesRead} bytes read`);
  });

  it('lines dated long ago in the middle of a large log do not move the window start', async () => {
    // The search for the window's start probes the middle of the file first; a block of lines
    // dated 1970 there (forged through a logged value) read as "the window starts later".
    const lines: string[] = [];
    const start = Date.parse('2026-12-01T12:00:00Z');
    const count = 32_000;
    for (let k = 0; k < count; k++) {
      const at = new Date(start + k * 8100).toISOString();
      const prefix = `I, [${at.slice(0, 19)}.000000 #1]  INFO -- : `;
      lines.push(
        `${prefix}Started GET "/r/${k}" for 10.0.0.1 at ${at.slice(0, 10)} ${at.slice(11, 19)}`,
        `${prefix}Processing by A#b as HTML`,
        `${prefix}Completed 200 OK in 5ms (Views: 1ms | ActiveRecord: 1ms)`,
      );
      if (k === count / 2) {
        for (let f = 0; f < 5000; f++) {
          lines.push('I, [1970-01-01T00:00:00.000000 #1]  INFO -- : x');
        }
      }
    }
    const text = `${lines.join('\n')}\n`;
    assert.ok(text.length > 8 * 1024 * 1024, `${text.length} bytes`);
    // The last 48 of the file's 72 hours: its last two thirds.
    const window = { from: new Date('2026-12-02T12:00:00Z'), to: new Date('2026-12-04T12:00:00Z') };
    const s = await summarize(text, { window: { ...window, label: 'range' }, parallel: false });
    assert.equal(s.requests.total, 21_333);
  });
});

describe('hostile log source patterns', () => {
  it('a pattern with an unclosed [ is one missing source, not a failed summary', async () => {
    const workspace = await tempFolderWith('upkeep-log-edges-', {
      'log/production.log': request('/a', 'Completed 200 OK in 5ms'),
    });
    const { files, missing } = await resolveSources(workspace, ['log/production.log', 'log/x[']);
    assert.deepEqual(
      files.map((f) => path.basename(f.path)),
      ['production.log'],
    );
    assert.equal(missing.length, 1);
    assert.match(missing[0].message, /^log\/x\[ does not exist/);
  });

  it('a file whose name holds glob characters is read by that name', async () => {
    // `[31m` as a glob is one character of 3, 1 or m: the file itself never matched.
    const name = 'log/x[31m] {old}.log';
    const workspace = await tempFolderWith('upkeep-log-edges-', {
      [name]: request('/a', 'Completed 200 OK in 5ms'),
      'log/x3 {old}.log': request('/b', 'Completed 200 OK in 5ms'),
    });
    const { files, missing } = await resolveSources(workspace, [name]);
    assert.deepEqual(missing, []);
    assert.deepEqual(
      files.map((f) => f.path),
      [path.join(workspace, name)],
    );
  });
});
