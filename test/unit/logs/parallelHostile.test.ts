/**
 * Hostile inputs for the log engine's range reader: small logs (reused and still-open request
 * ids, lograge lines under an id, ties, SQL near a cut, mixed line ends) that must give, in any
 * number of ranges, exactly the summary of one pass.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { summarizeInRanges, type RangesRun } from './helpers';

const NOW = new Date('2026-12-04T12:00:00Z');
/** Many range counts, so that some cut falls before each line of a small log. */
const RANGES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 20, 25, 31, 40, 60, 100, 200];

const ID_A = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const ID_B = 'bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee';

/** A Logger::Formatter prefix at `second` seconds after 10:00 UTC. */
function prefix(second: number, pid = 100, level = 'INFO'): string {
  const time = new Date(Date.parse('2026-12-04T10:00:00Z') + second * 1000);
  return `${level[0]}, [${time.toISOString().slice(0, 23)}000 #${pid}] ${level.padStart(5)} -- : `;
}

function tagged(second: number, id: string, body: string, pid = 100, level = 'INFO'): string {
  return `${prefix(second, pid, level)}[${id}] ${body}`;
}

function fillerId(n: number): string {
  return `f${String(n).padStart(15, '0')}aaaa`;
}

/** A whole tagged request: Started, Processing, optional lines, Completed. */
function request(
  second: number,
  id: string,
  ms: number,
  extra: string[] = [],
  pid = 100,
): string[] {
  return [
    tagged(second, id, `Started GET "/a/${second}" for 10.0.0.1 at 2026-12-04 10:00:00 +0000`, pid),
    tagged(second, id, 'Processing by AController#show as HTML', pid),
    ...extra.map((line) => tagged(second, id, line, pid)),
    tagged(second, id, `Completed 200 OK in ${ms}ms (Views: 1.0ms | ActiveRecord: 1.0ms)`, pid),
  ];
}

function filler(count: number, from: number, ms = (k: number) => 10 + k): string[] {
  const lines: string[] = [];
  for (let k = 0; k < count; k++) lines.push(...request(from + k, fillerId(from + k), ms(k)));
  return lines;
}

const SQL =
  '  Booking Load (0.5ms)  SELECT "bookings".* FROM "bookings" WHERE "bookings"."id" = $1 LIMIT $2';

describe('log summary in ranges, hostile inputs', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-ranges-hostile-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  function summarize(
    file: string,
    parallel: false | { ranges: number; inProcess?: boolean },
    chunkBytes?: number,
  ): Promise<RangesRun> {
    return summarizeInRanges(file, parallel, { chunkBytes });
  }

  /**
   * Writes `text` and compares the one-pass summary with the summary in each range count.
   * Returns how many runs were really split; throws naming the first range count that differs.
   */
  async function sameInRanges(
    name: string,
    text: string | Buffer,
    ranges = RANGES,
    chunkBytes?: number,
  ): Promise<number> {
    const file = path.join(folder, name);
    await fs.writeFile(file, text);
    const serial = await summarize(file, false, chunkBytes);
    let split = 0;
    for (const count of ranges) {
      const run = await summarize(file, { ranges: count, inProcess: true }, chunkBytes);
      if (run.ranges > 1) split++;
      assert.deepStrictEqual(
        run.summary,
        serial.summary,
        `${name} in ${count} ranges (${run.ranges} used) differs from one pass`,
      );
    }
    return split;
  }

  it(
    'counts a request once when a second Started ' + 'of its still-open id falls after a cut',
    async () => {
      // One pass merges the second Started into the open request (1 request); the range that
      // begins at it reports a new request while the range before claims the same lines (2).
      const lines = [
        tagged(0, ID_A, 'Started GET "/a" for 10.0.0.1 at 2026-12-04 10:00:00 +0000'),
        ...filler(20, 1),
        ...request(50, ID_A, 5),
        ...filler(20, 60),
      ];
      assert.ok((await sameInRanges('open-restart.log', lines.join('\n') + '\n')) > 0);
    },
  );

  it(
    'keeps a request whose reused id follows a trailing ' + 'line of the last request of that id',
    async () => {
      // A completes, its `Redirected` line falls after a cut, then A's id starts a new request.
      // The next range would hold both as one tentative record: a Started line for an id the
      // range before still holds makes the ranges unjoinable, and the file is read on one thread.
      const lines = [
        ...request(20, ID_A, 7),
        tagged(21, ID_A, 'Redirected to http://example.com/'),
        ...request(22, ID_A, 9),
      ];
      await sameInRanges('reused-id.log', lines.join('\n') + '\n');
    },
  );

  it('counts a request once when a lograge line under its open id falls after a cut', async () => {
    // One pass: the lograge line completes the open request. In ranges: the range before
    // ignores single-line requests past its end (its request stays incomplete) and the next
    // range reports the lograge line as a second request.
    const lines = [
      tagged(0, ID_A, 'Started GET "/a" for 10.0.0.1 at 2026-12-04 10:00:00 +0000'),
      ...filler(10, 1),
      tagged(
        30,
        ID_A,
        'method=GET path=/a format=html controller=AController action=show status=200 ' +
          'duration=5.00 view=1.00 db=1.00',
      ),
      ...filler(10, 40),
    ];
    assert.ok((await sameInRanges('lograge-open.log', lines.join('\n') + '\n')) > 0);
  });

  it('keeps the first exception frame of one pass when a request straddles a cut', async () => {
    // One pass closes done requests in the order they completed (B, then A); the ranges report
    // A with the range that began it, before B, so the class's frame is A's.
    const lines = [
      tagged(0, ID_A, 'Started GET "/a" for 10.0.0.1 at 2026-12-04 10:00:00 +0000'),
      tagged(0, ID_A, 'Processing by AController#show as HTML'),
      ...request(1, ID_B, 5),
      tagged(1, ID_B, 'RuntimeError (boom):', 100, 'FATAL'),
      tagged(1, ID_B, "app/controllers/b_controller.rb:2:in `show'", 100, 'FATAL'),
      tagged(2, ID_A, 'Completed 500 Internal Server Error in 9ms (ActiveRecord: 1.0ms)'),
      tagged(2, ID_A, 'RuntimeError (boom):', 100, 'FATAL'),
      tagged(2, ID_A, "app/controllers/a_controller.rb:1:in `show'", 100, 'FATAL'),
    ];
    assert.ok((await sameInRanges('close-order.log', lines.join('\n') + '\n')) > 0);
  });

  it('lists equally slow requests in the order of one pass', async () => {
    // Tagged requests close at the end of one pass, lograge and untagged ones at once: with
    // equal durations the slowest list of one pass starts with the later lograge lines.
    const lograge = (second: number): string =>
      `${prefix(second, 200)}method=GET path=/lg/${second} format=html controller=BController ` +
      'action=show status=200 duration=5.00 view=1.00 db=1.00';
    const lines = [...filler(3, 1, () => 5), lograge(4), lograge(5)];
    assert.ok((await sameInRanges('ties.log', lines.join('\n') + '\n')) > 0);
  });

  it('numbers the N+1 query of a tentative record from the file start once', async () => {
    // A record begun by SQL lines after a cut is tentative; its `lastSql` is also one of its
    // `sql` entries, so shifting line numbers (parallel.ts shiftLines) moves that entry twice.
    const lines = [prefix(0) + 'booting', prefix(0) + 'booting, again'];
    for (let k = 0; k < 6; k++) lines.push(tagged(1 + k, fillerId(99), SQL));
    lines.push(tagged(9, fillerId(99), 'Completed 200 OK in 50ms (ActiveRecord: 1.0ms)'));
    for (let k = 0; k < 12; k++) lines.push(...request(10 + k, fillerId(k), 1, Array(6).fill(SQL)));
    assert.ok((await sameInRanges('sql-tentative.log', lines.join('\n') + '\n')) > 0);
  });

  it(
    'attaches a late line of a request as one ' + 'pass does after its id left the done map',
    async () => {
      // The done map keeps 256 completed requests and drops the oldest quarter when full. One
      // pass enters the second range with 250 of them, a range starts empty: one pass drops Y
      // about 200 completions later, the range would keep it. A line that late makes the range
      // unjoinable, and the file is read on one thread.
      const lines: string[] = [];
      let k = 0;
      const short = (id: string): string[] => [
        tagged(k, id, 'Started GET "/a" for 10.0.0.1 at 2026-12-04 10:00:00 +0000'),
        tagged(k, id, `Completed 200 OK in ${k}ms`),
      ];
      for (let i = 0; i < 250; i++, k++) lines.push(...short(fillerId(k)));
      lines.push(...short('eeeeeeeeeeeeeeee1'));
      k++;
      for (let i = 0; i < 230; i++, k++) lines.push(...short(fillerId(k)));
      lines.push(tagged(k, 'eeeeeeeeeeeeeeee1', 'Completed 500 Internal Server Error in 77ms'));
      await sameInRanges('done-evicted.log', lines.join('\n') + '\n', [2, 3, 4]);
      // Within the newest 192 completions, a late line joins its request in ranges too.
      const near: string[] = [];
      k = 0;
      for (let i = 0; i < 250; i++, k++) near.push(...short(fillerId(k)));
      near.push(...short('eeeeeeeeeeeeeeee2'));
      k++;
      for (let i = 0; i < 100; i++, k++) near.push(...short(fillerId(k)));
      near.push(tagged(k, 'eeeeeeeeeeeeeeee2', 'Completed 500 Internal Server Error in 77ms'));
      assert.ok((await sameInRanges('done-near.log', near.join('\n') + '\n', [2, 3, 4])) > 0);
    },
  );

  it('closes the same requests as one pass when more than 10,000 are open at once', async () => {
    // The active map keeps 10,000 open requests and closes the oldest quarter past that; a
    // range starts with an empty map, so it would close other requests than one pass: a range
    // that evicts is unjoinable, and the file is read on one thread.
    const lines: string[] = [];
    const open = 10_001;
    for (let k = 0; k < open; k++) {
      lines.push(tagged(k % 3600, fillerId(k), 'Started GET "/o" for 10.0.0.1'));
    }
    for (let k = 0; k < open; k++) {
      lines.push(tagged(k % 3600, fillerId(k), `Completed 200 OK in ${k % 500}ms`));
    }
    await sameInRanges('open-10001.log', lines.join('\n') + '\n', [7]);
  });

  it('finishes a request whose last line is more than 8 MB after its start', async () => {
    // A slow request on a busy server logs its `Completed` many megabytes later; the range that
    // began it reads on for up to ten minutes of log (10 MB file, 10 ranges).
    const y = 'eeeeeeeeeeeeeeee1';
    const parts: string[] = [tagged(0, y, 'Started GET "/export" for 10.0.0.1')];
    let k = 1;
    let bytes = 0;
    while (bytes < 10_000_000) {
      for (const line of request(k % 3000, fillerId(k), k % 1000)) {
        parts.push(line);
        bytes += line.length + 1;
      }
      k++;
    }
    parts.push(tagged(3000, y, 'Completed 200 OK in 300000ms'));
    assert.ok((await sameInRanges('slow-export.log', parts.join('\n') + '\n', [10])) > 0);
  });

  it('keeps a request with a reused id on real worker threads too', async () => {
    const lines = [
      ...request(20, ID_A, 7),
      tagged(21, ID_A, 'Redirected to http://example.com/'),
      ...request(22, ID_A, 9),
    ];
    const file = path.join(folder, 'reused-id-workers.log');
    await fs.writeFile(file, lines.join('\n') + '\n');
    const serial = await summarize(file, false);
    for (const count of [3]) {
      const run = await summarize(file, { ranges: count });
      assert.deepStrictEqual(run.summary, serial.summary, `workers, ${count} ranges`);
    }
  });

  it('counts lines longer than 272 KB as one pass does', async () => {
    // A long line is cut (and counted) the same whether or not it crosses a chunk boundary, so
    // where ranges begin their chunks does not change the "longer than 272 KB" warning.
    const parts: string[] = [];
    for (let k = 0; k < 8; k++) {
      parts.push(...request(k, fillerId(k), 5 + k));
      if (k % 2 === 0) parts.push(tagged(k, fillerId(k), 'x'.repeat(300_000)));
    }
    await sameInRanges('long-lines.log', parts.join('\n') + '\n', [2, 3, 5]);
  });

  it('counts lines with bytes that are not UTF-8 as one pass does', async () => {
    // A line counts by its own bytes: a U+FFFD written in the log is valid UTF-8, in one pass
    // (whose chunk holds a bad byte elsewhere) as in a range (whose chunk is valid).
    const head = Buffer.from(
      [...request(0, fillerId(0), 5), tagged(0, fillerId(0), 'bad ')].join('\n'),
    );
    const tail = Buffer.from(
      '\n' + [...filler(5, 1), tagged(9, fillerId(9), 'written \uFFFD')].join('\n') + '\n',
    );
    const text = Buffer.concat([head, Buffer.from([0xff]), tail]);
    assert.ok((await sameInRanges('fffd.log', text)) > 0);
  });

  it(
    'finishes a request that a rotated log began ' + 'when the current log is read in ranges',
    async () => {
      // One pass carries open requests from production.log.1 into production.log (startFile
      // keeps the id maps), so A's `Completed` finishes A: with more than one file, none is read
      // in ranges.
      const rotated = path.join(folder, 'production.log.1');
      const current = path.join(folder, 'production.log');
      await fs.writeFile(
        rotated,
        [
          tagged(0, ID_A, 'Started GET "/export" for 10.0.0.1'),
          tagged(0, ID_A, 'Processing by AController#show as HTML'),
        ].join('\n') + '\n',
      );
      await fs.writeFile(
        current,
        [tagged(1, ID_A, 'Completed 200 OK in 1500ms'), ...filler(20, 2)].join('\n') + '\n',
      );
      const run = async (parallel: false | { ranges: number; inProcess: boolean }) => ({
        ...(await summarizeLogs({
          workspace: folder,
          sources: [rotated, current],
          clock: fixedClock(NOW),
          timeZone: 'UTC',
          parallel,
        })),
        generatedAt: '',
      });
      const serial = await run(false);
      assert.equal(serial.requests.incomplete, 0);
      for (const count of [2, 5]) {
        assert.deepStrictEqual(
          await run({ ranges: count, inProcess: true }),
          serial,
          `rotated + current in ${count} ranges differs from one pass`,
        );
      }
    },
  );

  it(
    'holds: a mixed log of many formats gives the ' + 'one-pass summary in any number of ranges',
    async () => {
      // Guards what held under fuzzing: lograge and JSON lines, CRLF, an untagged FATAL block
      // with its backtrace, ActiveJob lines, bare continuation lines, non-ASCII and control
      // characters, timestamps going backwards, all near every cut.
      const lines: string[] = [];
      for (let k = 0; k < 30; k++) {
        const s = k % 7 === 6 ? k - 40 : k;
        lines.push(...request(s, fillerId(k), 5 + (k % 4) * 3, [SQL, SQL, SQL], 100 + (k % 3)));
        if (k % 5 === 0) {
          lines.push(
            `${prefix(s, 300 + k, 'FATAL')}  `,
            `${prefix(s, 300 + k, 'FATAL')}RuntimeError (boot \u00e9\u65e5):`,
            `${prefix(s, 300 + k, 'FATAL')}app/jobs/x.rb:3:in \`perform'`,
          );
        }
        if (k % 5 === 1) {
          lines.push(
            `${prefix(s, 101, 'ERROR')}[${fillerId(k)}] PG::Error: ERROR:  bad`,
            'LINE 1: SELECT 1',
            '       ^',
          );
        }
        if (k % 5 === 2) {
          lines.push(
            `${prefix(s, 102)}method=GET path=/lg/${k} format=html controller=BController ` +
              'action=show status=500 duration=12.50 view=1.00 db=1.00',
            JSON.stringify({ method: 'GET', path: `/j/${k}`, status: 404, duration: 3 }),
          );
        }
        if (k % 5 === 3) {
          lines.push(
            `${prefix(s, 103)}[ActiveJob] [Mailer] Performing Mailer (Job ID: ${k})`,
            `${prefix(s, 103)}* Puma \x1b]0;title\x07 \x01 starting`,
          );
        }
      }
      const text = lines.map((line, n) => line + (n % 4 === 0 ? '\r\n' : '\n')).join('');
      const split = await sameInRanges('mixed.log', text);
      assert.ok(split > 0, 'never split');
    },
  );

  it(
    'holds: a log with 3,000 processes is read ' + 'on one thread and gives the same summary',
    async () => {
      const lines: string[] = [];
      for (let k = 0; k < 3000; k++) {
        lines.push(`${prefix(k, 1000 + k)}Started GET "/p/${k}" for 10.0.0.1`);
        lines.push(`${prefix(k, 1000 + k)}Completed 200 OK in ${k % 97}ms`);
      }
      await sameInRanges('pids.log', lines.join('\n') + '\n', [2, 5, 30]);
    },
  );

  it('splits lines the same way when the first chunk ends lines with CR alone', async () => {
    // The reader picks CR or LF from the first chunk it reads: a file whose first chunk ends
    // lines with CR alone is read on one thread, as ranges (cut after LF) would each pick.
    const head = filler(5, 0).join('\r') + '\r';
    const tail = filler(10, 20).join('\n') + '\n';
    await sameInRanges('cr-then-lf.log', head + tail, [2, 3, 5], 256);
  });
});
