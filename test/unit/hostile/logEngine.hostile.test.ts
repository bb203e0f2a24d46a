/**
 * Hostile log input found by the security review: each test reproduces one weakness of the log
 * engine (a failing test is an open bug), or pins behaviour that held up under attack.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LineParser } from '../../../src/core/logs/lineParser';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { fixedClock } from '../../../src/core/util/clock';
import { assertLinear } from '../../support/growth';
import { tempFolder } from '../../support/tempFolders';

const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));

function tempDir(): Promise<string> {
  return tempFolder('upkeep-hostile-logs-');
}

function summarize(workspace: string, file: string) {
  return summarizeLogs({
    workspace,
    sources: [file],
    clock: fixedClock('2026-12-04T12:00:00Z'),
    timeZone: 'UTC',
  });
}

describe('hostile logs (security review)', function () {
  this.timeout(60_000);

  it('a Rails 2 "Completed in" line full of [ parses in linear time', () => {
    // RAILS2_URL = /\[(\S{1,4000})\]\s*$/ was unanchored: every "[" retried up to 4000 chars,
    // about 300 ms for a 16 KB line. Lines of 1,000 and 4,000 [ stay within that reach; one
    // parse takes a few microseconds, thirteen thousand of each make a ratio.
    assertLinear(
      (size) => `Completed in 5ms ${'['.repeat(size)}x`,
      (line) => {
        for (let i = 0; i < 13_000; i++) parser.parse(line);
      },
      1_000,
    );
    assert.equal(parser.parse(`Completed in 5ms ${'['.repeat(16_000)}x`).kind, 'completed');
  });

  it('one deeply nested JSON line does not make the whole file unreadable', async () => {
    const dir = await tempDir();
    const depth = 100_000;
    const text =
      '{"status":200,"method":"GET","path":"/first","duration":5}\n' +
      `{"status":200,"method":"GET","params":${'['.repeat(depth)}${']'.repeat(depth)}}\n` +
      '{"status":200,"method":"GET","path":"/last","duration":5}\n';
    await fs.writeFile(path.join(dir, 'deep.log'), text);
    const s = await summarize(dir, 'deep.log');
    // Today: "Could not read deep.log: Maximum call stack size exceeded"
    // (JSON.stringify of params).
    assert.equal(s.sources[0].error, undefined, s.sources[0].error);
    assert.equal(s.requests.total, 3);
  });

  it('terminal control sequences and bidi overrides never reach the text report', async () => {
    const dir = await tempDir();
    // U+202E turns the rest of a terminal line around: "/x\u202Egnp.exe" shows as "/xexe.png".
    const osc =
      '\x1b]0;PWNED\x07\x1b]52;c;ZWNobyBwd25lZA==\x07' +
      '\u202e\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c';
    await fs.writeFile(
      path.join(dir, 'osc.log'),
      `Started GET "/a${osc}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n` +
        `Processing by Evil${osc}#x as HTML\n` +
        'Completed 500 Internal Server Error in 5000ms\n' +
        `RuntimeError (boom ${osc}):\n`,
    );
    const text = formatSummaryText(await summarize(dir, 'osc.log'));
    // Today the OSC title and clipboard (OSC 52) sequences are printed raw to the terminal.
    assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f\x9b]/);
    assert.doesNotMatch(text, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u);
  });

  it('a JSON or key=value line with an absurd duration or status skews nothing', async () => {
    const dir = await tempDir();
    const at = '2026-12-04T10:00:00.000Z';
    const json = (status: unknown, duration: unknown): string =>
      JSON.stringify({ method: 'GET', path: '/', status, duration, db: duration, timestamp: at });
    await fs.writeFile(
      path.join(dir, 'json.log'),
      [
        json(200, 12),
        json(200, 1e308),
        json(200, -5),
        json(0, 12),
        json(-1, 12),
        json(1e10, 12),
        `method=GET path=/ status=999 duration=1e300 time=${at}`,
        '',
      ].join('\n'),
    );
    const s = await summarize(dir, 'json.log');
    assert.deepEqual(Object.keys(s.statuses).sort(), ['200']);
    assert.equal(s.duration.maxMs, 12);
    assert.equal(s.duration.meanMs, 12);
  });

  it("a client's X-Forwarded-For in Heroku's router line forges none of its figures", () => {
    // fwd= is the header as the client sent it, quotes and `key=` included, then the address
    // the router saw; the router's keys come before fwd= and after it.
    const router = (forwarded: string, syslog = false): string =>
      `${syslog ? 'Dec  4 10:00:01 shop heroku/router:' : '2026-12-04T10:00:01Z heroku[router]:'}` +
      ' at=info method=POST ' +
      'path="/users/sign_in" host=shop.herokuapp.com request_id=2c6f0e91-8d4b-4f3a-a1e2-' +
      `5b7c9d0e1f02 fwd="${forwarded},198.51.100.7" dyno=web.1 connect=1ms service=180ms ` +
      'status=401 bytes=2210 protocol=https';
    const keys = Array.from({ length: 70 }, (_, i) => `k${i}=1`).join(' ');
    for (const forwarded of [
      '10.1.2.3',
      '6.6.6.6" x="',
      '6.6.6.6\\" x=\\"',
      '1.1.1.1" ip="6.6.6.6" remote_ip="6.6.6.6" duration="1" x="',
      '1.1.1.1" method=GET path="/health" status=200 service=1ms dyno=web.9 fwd="6.6.6.6',
      `1.1.1.1" ${keys} x="`,
    ]) {
      for (const syslog of [false, true]) {
        const line = parser.parse(router(forwarded, syslog));
        assert.deepEqual(
          [line.kind, line.method, line.path, line.status, line.durationMs, line.ip],
          ['request', 'POST', '/users/sign_in', 401, 180, '198.51.100.7'],
          forwarded,
        );
      }
    }
  });

  it('a CR-only file is not silently read as one line', async () => {
    const dir = await tempDir();
    const request =
      'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\r' +
      'Processing by A#b as HTML\rCompleted 200 OK in 5ms\r';
    await fs.writeFile(path.join(dir, 'cr.log'), request.repeat(3));
    const s = await summarize(dir, 'cr.log');
    // Today: 1 request, 1 line, and no warning.
    assert.ok(
      s.requests.total === 3 || s.warnings.some((w) => /line end|CR|carriage/i.test(w)),
      `requests ${s.requests.total}, warnings ${JSON.stringify(s.warnings)}`,
    );
  });

  it('a FIFO, a device link and a symlink loop are not reported as "does not exist"', async () => {
    const dir = await tempDir();
    await fs.symlink('/dev/zero', path.join(dir, 'zero.log'));
    await fs.symlink('loop-b.log', path.join(dir, 'loop-a.log'));
    await fs.symlink('loop-a.log', path.join(dir, 'loop-b.log'));
    for (const name of ['zero.log', 'loop-a.log']) {
      const s = await summarize(dir, name);
      assert.equal(s.sources.length, 1);
      // Pinned good: no hang, no read of /dev/zero. Open: the message says "does not exist".
      assert.doesNotMatch(s.sources[0].error ?? '', /does not exist/, s.sources[0].error);
    }
  });

  it(
    'a truncated .gz keeps the requests read so far ' + 'consistent with its source entry',
    async () => {
      const dir = await tempDir();
      const { gzipSync } = await import('node:zlib');
      const body =
        'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\nCompleted 200 OK in 5ms\n';
      const gz = gzipSync(Buffer.from(body.repeat(2000)));
      await fs.writeFile(path.join(dir, 'cut.log.1.gz'), gz.subarray(0, gz.length >> 1));
      const s = await summarize(dir, 'cut.log.1.gz');
      // Today: requests.total > 0 while the source says lines 0, bytesRead 0 and an error.
      if (s.requests.total > 0) assert.ok(s.sources[0].lines > 0, JSON.stringify(s.sources[0]));
    },
  );

  it(
    'a gzip bomb stops at its decompressed limit with a warning, ' + 'keeping what was read',
    async () => {
      const dir = await tempDir();
      const { gzipSync } = await import('node:zlib');
      const request =
        'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\nCompleted 200 OK in 5ms\n';
      // ~100 KB of gzip expanding to 100 MB of newlines (1000:1); before the limit it read all.
      const bomb = Buffer.concat([Buffer.from(request), Buffer.alloc(100 * 1024 * 1024, 10)]);
      await fs.writeFile(path.join(dir, 'bomb.log.1.gz'), gzipSync(bomb, { level: 9 }));
      const s = await summarize(dir, 'bomb.log.1.gz');
      const source = s.sources[0];
      assert.ok(source.bytesRead < bomb.length, JSON.stringify(source));
      assert.match(
        source.warning ?? '',
        /stopped after \d+ MB decompressed: looks like a compression bomb/,
      );
      assert.ok(
        s.warnings.some((w) => /compression bomb/.test(w)),
        JSON.stringify(s.warnings),
      );
      assert.equal(source.error, undefined);
      assert.equal(s.requests.total, 1);

      // Few long lines: the byte limit (16 MB for a small archive) stops this one.
      const wide = Buffer.concat([
        Buffer.from(request),
        Buffer.from(`${'a'.repeat(64 * 1024 - 1)}\n`.repeat(1600)),
      ]);
      await fs.writeFile(path.join(dir, 'wide.log.1.gz'), gzipSync(wide, { level: 9 }));
      const w = await summarize(dir, 'wide.log.1.gz');
      assert.ok(w.sources[0].bytesRead <= 16 * 1024 * 1024, JSON.stringify(w.sources[0]));
      assert.match(w.sources[0].warning ?? '', /stopped after 16 MB decompressed/);
      assert.equal(w.requests.total, 1);
    },
  );

  it('an abort stops reading a .gz at once', async () => {
    const dir = await tempDir();
    const { gzipSync } = await import('node:zlib');
    const line = 'Started GET "/" for 127.0.0.1 at 2026-12-04 10:00:00 +0000\n';
    await fs.writeFile(path.join(dir, 'big.log.1.gz'), gzipSync(Buffer.from(line.repeat(200_000))));
    const controller = new AbortController();
    await assert.rejects(
      summarizeLogs({
        workspace: dir,
        sources: ['big.log.1.gz'],
        clock: fixedClock('2026-12-04T12:00:00Z'),
        timeZone: 'UTC',
        signal: controller.signal,
        afterChunk: async () => controller.abort(),
      }),
      (error: Error) => /abort|cancel/i.test(`${error.name} ${error.message}`),
    );
  });
});
