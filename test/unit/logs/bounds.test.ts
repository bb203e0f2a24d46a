/**
 * Memory bounds of the log engine from the security review: per-hour tables and the processes
 * followed at once stay bounded whatever the log holds, and what is folded still counts.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LineParser } from '../../../src/core/logs/lineParser';
import { MAX_HOURS } from '../../../src/core/logs/report';
import {
  MAX_PROCESSES,
  RequestAssembler,
  type AssemblySink,
} from '../../../src/core/logs/requestAssembler';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { fixedClock } from '../../../src/core/util/clock';
import { tempFolder } from '../../support/tempFolders';

const HOUR = 3_600_000;
const START = Date.parse('2020-01-01T00:00:00Z');

function tempDir(): Promise<string> {
  return tempFolder('upkeep-log-bounds-');
}

describe('log engine memory bounds', function () {
  this.timeout(60_000);

  it('per-hour tables keep the latest hours of a log over years, the rest folded', async () => {
    const dir = await tempDir();
    const hours = 20_000;
    // Every line in another hour, in shuffled order: the worst case for the hour tables.
    const order = Array.from({ length: hours }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const lines = order.map((i) =>
      JSON.stringify({
        method: 'POST',
        path: '/users/sign_in',
        controller: 'Users::SessionsController',
        action: 'create',
        status: 401,
        duration: 5,
        remote_ip: '203.0.113.9',
        time: new Date(START + i * HOUR).toISOString(),
      }),
    );
    await fs.writeFile(path.join(dir, 'hours.log'), `${lines.join('\n')}\n`);

    const s = await summarizeLogs({
      workspace: dir,
      sources: ['hours.log'],
      clock: fixedClock('2026-12-04T12:00:00Z'),
      timeZone: 'UTC',
    });

    assert.equal(s.requests.total, hours);
    assert.ok(s.requests.perHour.length <= MAX_HOURS, `${s.requests.perHour.length} rows`);
    const kept = s.requests.perHour.reduce((sum, row) => sum + row.count, 0);
    assert.equal(kept + (s.requests.perHourFolded ?? 0), hours);
    // The latest hour is kept: the newest rows are the ones that matter.
    assert.equal(
      s.requests.perHour[s.requests.perHour.length - 1].hour,
      new Date(START + (hours - 1) * HOUR).toISOString(),
    );
    assert.equal(s.failedLogins.total, hours);
    assert.ok(s.failedLogins.byHour.length <= MAX_HOURS, `${s.failedLogins.byHour.length} rows`);
    const failedKept = s.failedLogins.byHour.reduce((sum, row) => sum + row.count, 0);
    assert.equal(failedKept + (s.failedLogins.byHourFolded ?? 0), hours);
    assert.ok(
      s.warnings.some((w) => /per-hour tables keep the latest/.test(w)),
      JSON.stringify(s.warnings),
    );
    assert.ok(!s.warnings.some((w) => /perHour|byHour/.test(w)), JSON.stringify(s.warnings));
  });

  it('lines dated after now count apart: forged future hours push no real hour out', async () => {
    const dir = await tempDir();
    const now = Date.parse('2026-12-04T12:00:00Z');
    const line = (at: number, status = 401): string =>
      JSON.stringify({
        method: 'POST',
        path: '/users/sign_in',
        controller: 'Users::SessionsController',
        action: status === 401 ? 'create' : 'new',
        status,
        duration: 5,
        remote_ip: '203.0.113.9',
        time: new Date(at).toISOString(),
      });
    // 48 real hours before now, and a forged line for each hour of the next 2,300 after it.
    const real = Array.from({ length: 48 }, (_, i) => line(now - (48 - i) * HOUR + 60_000, 200));
    const forged = Array.from({ length: 2300 }, (_, i) => line(now + (i + 2) * HOUR));
    await fs.writeFile(path.join(dir, 'x.log'), `${[...real, ...forged].join('\n')}\n`);

    const s = await summarizeLogs({
      workspace: dir,
      sources: ['x.log'],
      clock: fixedClock(new Date(now).toISOString()),
      timeZone: 'UTC',
    });

    assert.equal(s.requests.total, 48 + 2300);
    assert.equal(s.requests.perHour.length, 48);
    assert.equal(s.requests.perHour[0].hour, new Date(now - 48 * HOUR).toISOString());
    assert.equal(s.requests.perHourFuture, 2300);
    assert.equal(s.requests.perHourFolded, undefined);
    assert.equal(s.failedLogins.total, 2300);
    assert.deepEqual(s.failedLogins.byHour, []);
    assert.equal(s.failedLogins.byHourFuture, 2300);
    // Plain words for the maintainer: what happened, how many, what to check; the JSON keys
    // that hold the counts are for scripts and documented in docs/logs-json.md.
    const future = s.warnings.find((w) => w.startsWith('Lines dated more than an hour after'));
    assert.equal(
      future,
      'Lines dated more than an hour after this machine\u2019s clock: 2,300 requests and ' +
        '2,300 failed logins, counted in the totals but not by hour. Check the clock of the ' +
        'server that wrote the log, or look for forged times (lines written into the log ' +
        'through a logged value).',
      JSON.stringify(s.warnings),
    );
    assert.ok(!s.warnings.some((w) => /perHour|byHour/.test(w)), JSON.stringify(s.warnings));
  });

  it('a future-dated line with no failed login: the warning names only the requests', async () => {
    const dir = await tempDir();
    const now = Date.parse('2026-12-04T12:00:00Z');
    const at = new Date(now + 3 * HOUR).toISOString();
    const ok = { method: 'GET', path: '/', status: 200, duration: 5, time: at };
    await fs.writeFile(path.join(dir, 'x.log'), `${JSON.stringify(ok)}\n`);

    const s = await summarizeLogs({
      workspace: dir,
      sources: ['x.log'],
      clock: fixedClock(new Date(now).toISOString()),
      timeZone: 'UTC',
    });

    assert.equal(s.requests.perHourFuture, 1);
    assert.ok(
      s.warnings.some((w) => w.includes('clock: 1 request, counted in the totals but not by hour')),
      JSON.stringify(s.warnings),
    );
  });

  it('follows a bounded number of processes; the ones closed count as incomplete', async () => {
    const pids = 30_000;
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const requests: boolean[] = [];
    const sink: AssemblySink = {
      request: (record) => requests.push(record.completed),
      orphanError: () => undefined,
      failedLoginLine: () => undefined,
    };
    const assembler = new RequestAssembler(sink);
    assembler.startFile('/tmp/pids.log');
    let most = 0;
    for (let pid = 1; pid <= pids; pid++) {
      const line = parser.parse(
        `I, [2026-12-04T10:00:00.000000 #${pid}]  INFO -- : ` +
          `Started GET "/p/${pid}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000`,
      );
      assembler.add(line, pid, pid * 100, line.time);
      most = Math.max(most, assembler.openProcesses);
    }
    assert.ok(most <= MAX_PROCESSES, `followed ${most} processes at once`);

    assembler.finish();
    assert.equal(requests.length, pids);
    assert.equal(assembler.counts.incomplete, pids);
  });

  it('a busy process survives eviction of idle ones and completes its request', async () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const completed: string[] = [];
    const assembler = new RequestAssembler({
      request: (record) => {
        if (record.completed) completed.push(record.path ?? '');
      },
      orphanError: () => undefined,
      failedLoginLine: () => undefined,
    });
    assembler.startFile('/tmp/busy.log');
    const at = (pid: number, text: string) =>
      parser.parse(`I, [2026-12-04T10:00:00.000000 #${pid}]  INFO -- : ${text}`);
    let n = 0;
    const add = (pid: number, text: string) => {
      const line = at(pid, text);
      assembler.add(line, ++n, n * 100, line.time);
    };
    add(1, 'Started GET "/busy" for 127.0.0.1 at 2026-12-04 10:00:00 +0000');
    for (let pid = 2; pid <= 3 * MAX_PROCESSES; pid++) {
      add(pid, `Started GET "/idle/${pid}" for 127.0.0.1 at 2026-12-04 10:00:00 +0000`);
      if (pid % 100 === 0) add(1, 'Processing by BusyController#show as HTML');
    }
    add(1, 'Completed 200 OK in 5ms');
    assembler.finish();
    assert.deepEqual(completed, ['/busy']);
  });

  it("request ids of JSON and Semantic Logger lines are held to Rails' 255 characters", () => {
    const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
    const idOf = (id: string): (string | undefined)[] => [
      parser.parse(
        JSON.stringify({ method: 'GET', path: '/', status: 200, duration: 5, request_id: id }),
      ).requestId,
      parser.parse(JSON.stringify({ message: 'Rendered x', request_id: id })).requestId,
      parser.parse(
        JSON.stringify({
          named_tags: { request_id: id },
          message: 'Completed #show',
          payload: { method: 'GET', path: '/', status: 200 },
        }),
      ).requestId,
      parser.parse(
        JSON.stringify({ named_tags: { request_id: id }, exception: { name: 'E', message: 'x' } }),
      ).requestId,
      parser.parse(
        `2026-12-04 10:00:01.000000 I [1:puma srv tp 001] {request_id: ${id}} ` +
          'Rails -- Completed #show -- { :method => "GET", :path => "/", :status => 200 }',
      ).requestId,
    ];
    // X-Request-Id as Rails keeps it: up to 255 characters, each kept exactly.
    const longest = 'a1'.repeat(127) + 'b';
    assert.deepEqual(idOf(longest), Array(5).fill(longest));
    // One character more came from no Rails app: the line reads as having no request id, and
    // 10,000 open requests no longer hold a copy of a megabyte each.
    assert.deepEqual(idOf(longest + 'c'), Array(5).fill(undefined));
    assert.deepEqual(idOf('x'.repeat(1_000_000)), Array(5).fill(undefined));
  });
});
