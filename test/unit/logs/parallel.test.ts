/**
 * A log read in ranges (on worker threads or one after another) gives exactly the summary of
 * one pass: on every fixture, on busy generated logs whose requests interleave and straddle
 * every cut, and on logs it must refuse to split (requests without ids open across a cut).
 */
import { strict as assert } from 'node:assert';
import { promises as fs, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeLogs, type LogSummary } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import type { Logger } from '../../../src/core/util/logger';
import { cpuMsAsync } from '../../support/growth';
import { FIXTURES, summarizeInRanges, type RangesRun } from './helpers';

const NOW = new Date('2026-12-04T12:00:00Z');
const SHARED = path.join(__dirname, '../../../../shared/fixtures/logs');

function summarize(
  file: string,
  parallel: false | { ranges: number; inProcess?: boolean },
  zone = 'UTC',
): Promise<RangesRun> {
  return summarizeInRanges(file, parallel, { timeZone: zone });
}

function sameSummary(actual: LogSummary, expected: LogSummary, what: string): void {
  assert.deepStrictEqual(
    { ...actual, generatedAt: '' },
    { ...expected, generatedAt: '' },
    `${what} differs from one pass`,
  );
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function hex(next: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(next() * 16).toString(16);
  return out;
}

/**
 * A busy Puma log: four processes with three threads each, so requests interleave; exceptions
 * and error pages after `Completed`; failed logins, probes, 5xx; untagged boot lines; and,
 * when `untaggedRequests`, requests without ids (grouped by process) in the middle.
 */
function busyLog(requests: number, seed: number, untaggedRequests = false): string {
  const next = random(seed);
  const lines: string[] = [];
  let clock = Date.parse('2026-12-04T08:00:00Z');
  const stamp = (t: number): string => new Date(t).toISOString().slice(0, 23) + '123';
  const prefix = (t: number, pid: number, level = 'INFO'): string =>
    `${level[0]}, [${stamp(t)} #${pid}] ${level.padStart(5)} -- : `;
  const open: { lines: string[] }[] = [];
  lines.push(`${prefix(clock, 100)}* Puma starting in cluster mode...`);
  for (let i = 0; i < requests; i++) {
    clock += Math.floor(next() * 900);
    const pid = 100 + Math.floor(next() * 4);
    const id = `${hex(next, 8)}-${hex(next, 4)}-4${hex(next, 3)}-8${hex(next, 3)}-${hex(next, 12)}`;
    const untagged = untaggedRequests && i > requests / 3 && i < requests / 2;
    const tag = untagged ? '' : `[${id}] `;
    const p = (level = 'INFO'): string => `${prefix(clock, pid, level)}${tag}`;
    const ip = `198.51.100.${Math.floor(next() * 20)}`;
    const r = next();
    const route =
      r < 0.05
        ? '/wp-login.php'
        : r < 0.08
          ? "/search?q=1' OR '1'='1"
          : `/bookings/${Math.floor(next() * 50)}`;
    const login = r > 0.9;
    const action = login ? 'Users::SessionsController#create' : 'BookingsController#show';
    const body: string[] = [
      `${p()}Started ${login ? 'POST' : 'GET'} "${login ? '/users/sign_in' : route}" for ${ip} ` +
        `at ${new Date(clock).toISOString().slice(0, 19).replace('T', ' ')} +0000`,
      `${p()}Processing by ${action} as HTML`,
      `${p()}  Parameters: {"id"=>"${i}"}`,
      `${p()}  Rendered bookings/show.html.erb within layouts/application ` +
        '(Duration: 3.1ms | Allocations: 77)',
    ];
    const status = login ? (next() < 0.5 ? 401 : 303) : next() < 0.03 ? 500 : 200;
    const ms = Math.floor(next() * 2000);
    body.push(
      `${p()}Completed ${status} ${status === 500 ? 'Internal Server Error' : 'OK'} in ${ms}ms ` +
        `(Views: ${(ms / 3).toFixed(1)}ms | ` +
        `ActiveRecord: ${(ms / 5).toFixed(1)}ms (3 queries, 0 cached))`,
    );
    if (status === 500) {
      body.push(
        `${p('FATAL')}  `,
        `${p('FATAL')}ActiveRecord::RecordNotFound (Couldn't find Booking with 'id'=${i}):`,
        `${p('FATAL')}  `,
        `${p('FATAL')}app/controllers/bookings_controller.rb:${10 + (i % 7)}:in \`show'`,
      );
    }
    open.push({ lines: body });
    // Threads: write out lines of the open requests in a shuffled order, each in sequence.
    while (open.length > (untagged ? 0 : 3) || (open.length > 0 && next() < 0.3)) {
      const k = untagged ? 0 : Math.floor(next() * open.length);
      const request = open[k];
      lines.push(request.lines.shift()!);
      if (request.lines.length === 0) open.splice(k, 1);
    }
    if (next() < 0.01) lines.push(`${prefix(clock, pid)}- Worker ${pid - 100} booted`);
  }
  for (const request of open) lines.push(...request.lines);
  return lines.join('\n') + '\n';
}

describe('log summary in ranges', function () {
  this.timeout(120_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-ranges-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('gives the one-pass summary for every fixture, whatever the number of ranges', async () => {
    let split = 0;
    for (const dir of [FIXTURES, SHARED]) {
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.log'));
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        const serial = await summarize(file, false);
        for (const ranges of [2, 3, 7, 40]) {
          const run = await summarize(file, { ranges, inProcess: true });
          sameSummary(run.summary, serial.summary, `${name} in ${ranges} ranges`);
          if (run.ranges > 1) split++;
        }
      }
    }
    assert.ok(split >= 8, `only ${split} fixture runs were split`);
  });

  it('joins requests that interleave and straddle every cut of a busy log', async () => {
    const file = path.join(folder, 'busy.log');
    await fs.writeFile(file, busyLog(3000, 7));
    for (const zone of ['UTC', 'Europe/Berlin']) {
      const serial = await summarize(file, false, zone);
      assert.ok(serial.summary.requests.total === 3000);
      assert.ok(serial.summary.exceptions.length > 0 && serial.summary.failedLogins.total > 0);
      for (const ranges of [2, 5, 16, 97]) {
        const run = await summarize(file, { ranges, inProcess: true }, zone);
        assert.ok(run.ranges >= Math.min(ranges, 2), `${ranges} ranges were not used`);
        sameSummary(run.summary, serial.summary, `busy log in ${ranges} ranges (${zone})`);
      }
    }
  });

  it('counts future-dated lines apart the same in ranges as in one pass', async () => {
    const file = path.join(folder, 'future.log');
    const forged = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({
        method: 'POST',
        path: '/session',
        controller: 'SessionsController',
        action: 'create',
        status: 401,
        duration: 3,
        remote_ip: '198.51.100.7',
        time: new Date(Date.UTC(2031, 0, 1, i)).toISOString(),
      }),
    );
    const busy = busyLog(1500, 11).split('\n');
    const middle = busy.length >> 1;
    const lines = [...busy.slice(0, middle), ...forged, ...busy.slice(middle)];
    await fs.writeFile(file, lines.join('\n'));
    const serial = await summarize(file, false);
    assert.equal(serial.summary.requests.perHourFuture, 60);
    assert.equal(serial.summary.failedLogins.byHourFuture, 60);
    for (const ranges of [3, 16]) {
      const run = await summarize(file, { ranges, inProcess: true });
      assert.ok(run.ranges > 1, `${ranges} ranges were not used`);
      sameSummary(run.summary, serial.summary, `future-dated log in ${ranges} ranges`);
    }
  });

  it('splits a log of whole requests by process (Semantic Logger: Completed only)', async () => {
    // rails_semantic_logger logs Started and Processing at debug level: a production log holds
    // one Completed line per request, each thread's requests one after another, and now and
    // then an exception the thread logs after its 500.
    const next = random(3);
    const lines: string[] = [];
    let clock = Date.parse('2026-12-04T08:00:00Z');
    for (let i = 0; i < 4000; i++) {
      clock += Math.floor(next() * 400);
      const at = new Date(clock).toISOString().replace('T', ' ').slice(0, 23) + '000';
      const thread = `${1000 + Math.floor(next() * 3)}:puma srv tp 00${Math.floor(next() * 5)}`;
      const status = next() < 0.02 ? 500 : 200;
      const ms = (5 + next() * 300).toFixed(1);
      lines.push(
        `${at} I [${thread}] (${ms}ms) OrdersController -- Completed #show -- ` +
          `{ :controller => "OrdersController", :action => "show", :format => "html", ` +
          `:method => "GET", :path => "/orders/${i}", :status => ${status}, ` +
          `:view_runtime => 1.5, :db_runtime => 2.5, :status_message => "OK" }`,
      );
      if (status === 500) {
        lines.push(
          `${at} E [${thread}] ActionDispatch::DebugExceptions -- Exception: ` +
            `NoMethodError: undefined method 'total' for nil`,
        );
      }
    }
    const file = path.join(folder, 'semantic.log');
    await fs.writeFile(file, lines.join('\n') + '\n');
    const serial = await summarize(file, false);
    assert.equal(serial.summary.requests.total, 4000);
    assert.ok(serial.summary.exceptions.length > 0);
    let split = 0;
    for (const ranges of [2, 7, 31]) {
      const run = await summarize(file, { ranges, inProcess: true });
      sameSummary(run.summary, serial.summary, `semantic log in ${ranges} ranges`);
      if (run.ranges >= 2) split++;
    }
    assert.equal(split, 3, 'a split of whole requests was refused');
  });

  it('reads on one thread when requests without ids are open across a cut', async () => {
    const file = path.join(folder, 'untagged.log');
    await fs.writeFile(file, busyLog(1500, 11, true));
    const serial = await summarize(file, false);
    let refused = 0;
    for (const ranges of [3, 9, 31]) {
      const run = await summarize(file, { ranges, inProcess: true });
      sameSummary(run.summary, serial.summary, `untagged log in ${ranges} ranges`);
      if (run.ranges === 0) {
        refused++;
        // The log channel says why in words a maintainer can act on.
        assert.match(
          run.refusal ?? '',
          /^a request or error without a request id \(process \d+\) ran across a cut; /,
        );
      }
    }
    assert.ok(refused > 0, 'every split was accepted, though untagged requests straddle cuts');
  });

  it('stops its workers with a cancelled error when the signal aborts', async () => {
    const file = path.join(folder, 'cancel.log');
    await fs.writeFile(file, busyLog(20_000, 5));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const tookMs = await cpuMsAsync(() =>
      assert.rejects(
        summarizeLogs({
          workspace: folder,
          sources: [file],
          clock: fixedClock(NOW),
          timeZone: 'UTC',
          signal: controller.signal,
          parallel: { ranges: 2 },
        }),
        (error: unknown) => UpkeepError.is(error, 'cancelled'),
      ),
    );
    // Cancelled, it takes some 50 ms of CPU; read to the end, seconds.
    assert.ok(tookMs < 2000, `cancelling took ${tookMs} ms`);
  });

  it('reads on one thread, with the same summary, when a worker runs out of memory', async () => {
    const file = path.join(folder, 'oom.log');
    await fs.writeFile(file, busyLog(3000, 9));
    const serial = await summarize(file, false);
    const warnings: string[] = [];
    const summary = await summarizeLogs({
      workspace: folder,
      sources: [file],
      clock: fixedClock(NOW),
      timeZone: 'UTC',
      parallel: { ranges: 2, workerOldHeapMb: 1 },
      log: {
        info: () => undefined,
        warn: (message: string) => warnings.push(message),
        error: () => undefined,
        debug: () => undefined,
      } as unknown as Logger,
    });
    sameSummary(summary, serial.summary, 'after a worker ran out of memory');
    assert.ok(
      warnings.some((w) => /worker threads failed .*reading it on one/.test(w)),
      warnings.join('\n'),
    );
  });

  it('reads the file it cut when logrotate replaces it before the ranges open it', async () => {
    const file = path.join(folder, 'production.log');
    await fs.writeFile(file, busyLog(4000, 13));
    const serial = await summarize(file, false);
    // On worker threads, on this one, and read again on one thread after a worker failed.
    for (const [inProcess, workerOldHeapMb] of [
      [false, undefined],
      [true, undefined],
      [false, 1],
    ] as const) {
      const what = `rotated (${inProcess ? 'in process' : `heap ${workerOldHeapMb ?? '-'}`})`;
      let ranges = 0;
      const warnings: string[] = [];
      const summary = await summarizeLogs({
        workspace: folder,
        sources: [file],
        clock: fixedClock('2026-12-04T12:00:00Z'),
        timeZone: 'UTC',
        parallel: {
          ranges: 3,
          inProcess,
          workerOldHeapMb,
          // logrotate's default `create`: the log moves to .1, a new short one takes its name.
          afterCuts: async () => {
            await fs.rename(file, `${file}.1`);
            await fs.writeFile(file, busyLog(3, 17));
          },
        },
        log: {
          info: (message: string) => {
            ranges = Number(/ in (\d+) ranges/.exec(message)?.[1] ?? ranges);
          },
          warn: (message: string) => warnings.push(message),
          error: () => undefined,
          debug: () => undefined,
        } as unknown as Logger,
      });
      sameSummary({ ...summary, generatedAt: '' }, serial.summary, what);
      const expected = workerOldHeapMb ? 0 : 3;
      assert.equal(ranges, expected, `${what}: ${warnings.join('\n')}`);
      await fs.rename(`${file}.1`, file);
    }
  });

  it('reads ranges on real worker threads', async () => {
    const file = path.join(folder, 'workers.log');
    await fs.writeFile(file, busyLog(4000, 3));
    const serial = await summarize(file, false);
    const run = await summarize(file, { ranges: 3 });
    assert.equal(run.ranges, 3, 'the ranges were not read on worker threads');
    sameSummary(run.summary, serial.summary, 'worker threads');
  });
});
