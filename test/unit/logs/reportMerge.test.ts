/**
 * Merging report builders: the sink calls of a log cut anywhere into parts, each part folded by
 * its own ReportBuilder and merged through snapshot, structuredClone and absorb, give the figures
 * of one builder fed everything. Large logs read on worker threads rely on it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LineParser } from '../../../src/core/logs/lineParser';
import { MAX_HOURS, ReportBuilder, type ReportState } from '../../../src/core/logs/report';
import {
  RequestAssembler,
  type AssemblySink,
  type OrphanError,
  type RequestRecord,
} from '../../../src/core/logs/requestAssembler';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { FIXTURES } from './helpers';

type Call =
  | { kind: 'request'; record: RequestRecord }
  | { kind: 'orphanError'; error: OrphanError }
  | { kind: 'failedLoginLine'; ip: string | undefined; time: number; file: string; line: number }
  | { kind: 'warn'; message: string };

/** Records the assembler's calls in order, as copies: the assembler may change a record later. */
class RecordingSink implements AssemblySink {
  readonly calls: Call[] = [];

  request(record: RequestRecord): void {
    this.calls.push({ kind: 'request', record: structuredClone(record) });
  }

  orphanError(error: OrphanError): void {
    this.calls.push({ kind: 'orphanError', error: structuredClone(error) });
  }

  failedLoginLine(ip: string | undefined, time: number, file: string, line: number): void {
    this.calls.push({ kind: 'failedLoginLine', ip, time, file, line });
  }
}

interface LogFile {
  path: string;
  bytes: Buffer;
}

/** Feeds files through the parser and the assembler the way summarizeLogs does. */
function sinkCalls(files: LogFile[]): Call[] {
  const parser = new LineParser(new ZoneClock('UTC'), new Date('2026-12-04T12:00:00Z'));
  const sink = new RecordingSink();
  const assembler = new RequestAssembler(sink);
  for (const file of files) {
    assembler.startFile(file.path);
    let lastTime = NaN;
    let offset = 0;
    let lineNumber = 0;
    while (offset < file.bytes.length) {
      let end = file.bytes.indexOf(10, offset);
      if (end < 0) end = file.bytes.length;
      const text = file.bytes.toString('utf8', offset, end).replace(/\r$/, '');
      lineNumber++;
      const line = parser.parse(text);
      let time = line.time;
      if (Number.isNaN(time) && line.requestTime !== undefined) time = line.requestTime;
      if (Number.isNaN(time)) time = lastTime;
      else lastTime = time;
      assembler.add(line, lineNumber, offset, time);
      offset = end + 1;
    }
  }
  assembler.finish();
  return sink.calls;
}

async function fixture(name: string): Promise<LogFile> {
  const file = path.join(FIXTURES, name);
  const raw = await fs.readFile(file);
  return { path: file, bytes: name.endsWith('.gz') ? gunzipSync(raw) : raw };
}

/** Warnings as the reader gives them: repeats, and more distinct ones than the 50 kept. */
function withWarnings(calls: Call[]): Call[] {
  const out: Call[] = [];
  calls.forEach((call, i) => {
    out.push(call);
    if (i % 7 === 3) out.push({ kind: 'warn', message: `warning ${(i * 13) % 61}` });
  });
  return out;
}

interface Setup {
  from: number;
  to: number;
  slowRequestMs: number;
}

const label = (absolute: string): string => path.basename(absolute);

function builder(setup: Setup): ReportBuilder {
  return new ReportBuilder(setup.from, setup.to, setup.slowRequestMs, label);
}

function feed(report: ReportBuilder, calls: Call[]): ReportBuilder {
  for (const call of calls) {
    if (call.kind === 'request') report.request(call.record);
    else if (call.kind === 'orphanError') report.orphanError(call.error);
    else if (call.kind === 'failedLoginLine') {
      report.failedLoginLine(call.ip, call.time);
    } else report.warn(call.message);
  }
  return report;
}

/** What crosses the worker boundary: postMessage copies with the structured clone algorithm. */
function overTheWire(report: ReportBuilder): ReportState {
  return structuredClone(report.snapshot());
}

type Built = ReturnType<ReportBuilder['build']>;

function serial(calls: Call[], setup: Setup): Built {
  return feed(builder(setup), calls).build();
}

function parts(calls: Call[], cuts: number[]): Call[][] {
  const bounds = [0, ...cuts, calls.length];
  return bounds.slice(1).map((end, i) => calls.slice(bounds[i], end));
}

/** The first part's builder absorbs the others, in order. */
function merged(calls: Call[], cuts: number[], setup: Setup): Built {
  const [first, ...rest] = parts(calls, cuts);
  const report = feed(builder(setup), first);
  for (const part of rest) report.absorb(overTheWire(feed(builder(setup), part)));
  return report.build();
}

/** An empty builder (the main thread's) absorbs every part, the later ones merged first. */
function mergedFromTheRight(calls: Call[], cuts: number[], setup: Setup): Built {
  const snapshots = parts(calls, cuts).map((part) => overTheWire(feed(builder(setup), part)));
  let tail = snapshots[snapshots.length - 1];
  for (let i = snapshots.length - 2; i >= 0; i--) {
    const report = builder(setup);
    report.absorb(snapshots[i]);
    report.absorb(tail);
    tail = overTheWire(report);
  }
  const report = builder(setup);
  report.absorb(tail);
  return report.build();
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** Start, end, middle and seeded random cut points, for two and for three parts. */
function cutSets(length: number, seed: number, randomCount = 6): number[][] {
  const rng = random(seed);
  const at = (): number => Math.floor(rng() * (length + 1));
  const sets = [[0], [length], [Math.floor(length / 2)], [1], [length - 1]];
  for (let i = 0; i < randomCount; i++) sets.push([at()]);
  sets.push([0, 0], [length, length], [Math.floor(length / 3), Math.floor((2 * length) / 3)]);
  for (let i = 0; i < randomCount; i++) sets.push([at(), at()].sort((a, b) => a - b));
  return sets.map((cuts) => cuts.map((cut) => Math.max(0, Math.min(length, cut))));
}

/**
 * No window, a window over the middle of the requests' times (some fall outside), and one of
 * two hours from the middle (the 5-minute slots of a short window).
 */
function setups(calls: Call[]): Setup[] {
  const times = calls
    .filter((c): c is Extract<Call, { kind: 'request' }> => c.kind === 'request')
    .map((c) => c.record.time)
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const all = { from: NaN, to: NaN, slowRequestMs: 100 };
  if (times.length < 4) return [all];
  const from = times[Math.floor(times.length / 4)];
  const to = times[Math.floor((3 * times.length) / 4)];
  const middle = times[Math.floor(times.length / 2)];
  return [
    all,
    { from, to, slowRequestMs: 1000 },
    { from: middle - 3600_000, to: middle + 3600_000, slowRequestMs: 1000 },
  ];
}

function assertMerges(calls: Call[], cutsList: number[][], name: string): void {
  for (const setup of setups(calls)) {
    const expected = serial(calls, setup);
    for (const cuts of cutsList) {
      const where = `${name}, window ${setup.from}..${setup.to}, cut at ${cuts.join(', ')}`;
      assert.deepStrictEqual(merged(calls, cuts, setup), expected, where);
    }
    // Three parts also merge from the right: the later two first, then the first into them.
    for (const cuts of cutsList.filter((c) => c.length === 2)) {
      assert.deepStrictEqual(
        mergedFromTheRight(calls, cuts, setup),
        expected,
        `${name}, window ${setup.from}..${setup.to}, merged from the right at ${cuts.join(', ')}`,
      );
    }
  }
}

// A busy production log (tagged, interleaved, several processes) and a development log, written
// after the formats of the fixtures: 5xx with exceptions, routing errors, 401 bursts, failed
// logins, SQL injection, slow requests, and N+1 queries in development style.

const CONTROLLERS = [
  'Posts',
  'Comments',
  'Users',
  'Orders',
  'Products',
  'Carts',
  'Invoices',
  'Reports',
  'Admin::Users',
  'Api::V1::Items',
];
const VERBS: [string, string][] = [
  ['index', 'GET'],
  ['show', 'GET'],
  ['create', 'POST'],
];
const EXCEPTIONS = [
  ['ActiveRecord::RecordNotFound', "Couldn't find Record with 'id'=42"],
  ['NoMethodError', "undefined method `name' for nil"],
  ['ActiveRecord::StatementInvalid', 'PG::QueryCanceled: ERROR:  canceling statement'],
  ['Net::ReadTimeout', 'Net::ReadTimeout with #<TCPSocket:(closed)>'],
  ['ActiveRecord::ConnectionNotEstablished', 'connection to server failed'],
];

function stamp(t: number): string {
  return new Date(t).toISOString().replace('Z', '000');
}

function startedAt(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

function productionLog(seed: number): string {
  const rng = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
  const lines: { t: number; n: number; text: string }[] = [];
  let n = 0;
  const emit = (t: number, pid: number, level: string, id: string | null, text: string): void => {
    const tag = id ? `[${id}] ` : '';
    const name = { I: 'INFO', E: 'ERROR', F: 'FATAL', W: 'WARN' }[level];
    lines.push({ t, n: n++, text: `${level}, [${stamp(t)} #${pid}] ${name} -- : ${tag}${text}` });
  };
  const uuid = (): string =>
    Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16))
      .join('')
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

  const request = (
    t: number,
    ip: string,
    method: string,
    urlPath: string,
    action: string,
    status: number,
    duration: number,
    exception?: string[],
  ): void => {
    const id = uuid();
    const pid = 100 + Math.floor(rng() * 8);
    emit(t, pid, 'I', id, `Started ${method} "${urlPath}" for ${ip} at ${startedAt(t)}`);
    emit(t + 1, pid, 'I', id, `Processing by ${action} as HTML`);
    emit(t + 1, pid, 'I', id, `  Parameters: {"id"=>"${Math.floor(rng() * 100)}"}`);
    const view = Math.round(duration * rng() * 5) / 10;
    const db = Math.round(duration * rng() * 3) / 10;
    const text = status === 200 ? 'OK' : status === 500 ? 'Internal Server Error' : 'Error';
    emit(
      t + duration,
      pid,
      'I',
      id,
      `Completed ${status} ${text} in ${duration}ms (Views: ${view}ms | ActiveRecord: ${db}ms)`,
    );
    if (!exception) return;
    const controller = action
      .split('#')[0]
      .replace(/Controller$/, '')
      .toLowerCase();
    emit(t + duration + 1, pid, 'F', id, '  ');
    emit(t + duration + 1, pid, 'F', id, `${exception[0]} (${exception[1]}):`);
    emit(t + duration + 1, pid, 'F', id, '  ');
    emit(t + duration + 1, pid, 'F', id, `app/controllers/${controller}_controller.rb:12:in \`x'`);
  };

  const start = Date.parse('2026-12-04T08:00:00Z');
  let t = start;
  for (let i = 0; i < 4000; i++) {
    t += Math.floor(rng() * 6000);
    const ip = `198.51.100.${1 + Math.floor(rng() * 40)}`;
    const controller = pick(CONTROLLERS);
    const [name, method] = pick(VERBS);
    const action = `${controller}Controller#${name}`;
    const base = `/${controller.toLowerCase().replace(/::/g, '/')}`;
    const urlPath = `${base}${name === 'show' ? '/7' : ''}`;
    // Log-normal-ish durations: mostly fast, a tail of slow ones, many ties.
    const duration = Math.round(Math.exp(2 + 1.6 * (rng() + rng() + rng() - 1.5)));
    const roll = rng();
    if (roll < 0.03) {
      // RecordNotFound comes from every action: more than the 20 actions an exception lists.
      const exception = roll < 0.015 ? EXCEPTIONS[0] : pick(EXCEPTIONS);
      request(t, ip, method, urlPath, action, 500, duration, exception);
    } else if (roll < 0.04) {
      const id = uuid();
      const probe = pick(['/wp-login.php', '/.env', '/phpmyadmin/index.php', '/admin/../../etc']);
      emit(t, 150, 'I', id, `Started GET "${probe}" for 192.0.2.66 at ${startedAt(t)}`);
      emit(t + 1, 150, 'F', id, '  ');
      emit(
        t + 1,
        150,
        'F',
        id,
        `ActionController::RoutingError (No route matches [GET] "${probe}"):`,
      );
    } else if (roll < 0.05) {
      const attack = pick(["1' OR '1'='1", '1 UNION SELECT password FROM users', '<script>x']);
      const target = `/products?id=${encodeURIComponent(attack)}`;
      request(t, '192.0.2.77', 'GET', target, 'ProductsController#index', 200, duration);
    } else if (roll < 0.07) {
      request(t, ip, 'POST', urlPath, `${controller}Controller#create`, 422, duration);
    } else if (roll < 0.09) {
      const status = rng() < 0.5 ? 401 : 302;
      request(t, ip, 'POST', '/users/sign_in', 'Users::SessionsController#create', status, 90);
    } else if (roll < 0.095) {
      emit(t, 900, 'I', null, `Failed login for admin from 192.0.2.${10 + Math.floor(rng() * 3)}`);
    } else if (roll < 0.1) {
      emit(t, 901, 'E', null, 'Redis::CannotConnectError: Error connecting to Redis on 127.0.0.1');
    } else if (roll < 0.102) {
      request(t, ip, method, urlPath, action, 200, 1000 + Math.floor(rng() * 20) * 250);
    } else {
      request(t, ip, method, urlPath, action, rng() < 0.9 ? 200 : 404, duration);
    }
  }

  // Brute force: 401s every 20 s for 15 minutes from one address, 403s from another, and one
  // address with a few 401s in each of several buckets (never a burst alone).
  const attack = start + 50 * 60_000 + 61_000;
  for (let i = 0; i < 45; i++) {
    request(
      attack + i * 20_000,
      '203.0.113.7',
      'POST',
      '/users/sign_in',
      'Users::SessionsController#create',
      401,
      80,
    );
  }
  for (let i = 0; i < 14; i++) {
    request(
      attack + 400_000 + i * 9_000,
      '203.0.113.8',
      'GET',
      '/admin',
      'Admin::UsersController#index',
      403,
      5,
    );
  }
  for (let i = 0; i < 24; i++) {
    request(
      attack + 3_600_000 + i * 37_000,
      '203.0.113.9',
      'GET',
      '/api/v1/items',
      'Api::V1::ItemsController#index',
      401,
      3,
    );
  }

  lines.sort((a, b) => a.t - b.t || a.n - b.n);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

function developmentLog(seed: number): string {
  const rng = random(seed);
  // Boot errors before any request: lines without a time, read as untimed orphan errors, of
  // a class that later requests raise with a time. The log is a day older than the production
  // one read before it.
  const out = [
    'ActiveRecord::ConnectionNotEstablished (connection to server failed):',
    'ActiveRecord::ConnectionNotEstablished (connection to server failed):',
    'ActiveRecord::PendingMigrationError (Migrations are pending; run bin/rails db:migrate):',
    '',
  ];
  let t = Date.parse('2026-12-03T12:30:00Z');
  for (let i = 0; i < 300; i++) {
    // Often several requests in one second: exceptions with equal times.
    if (rng() < 0.5) t += Math.floor(rng() * 20) * 1000;
    const post = Math.floor(rng() * 3) === 0;
    out.push(`Started GET "/posts${post ? '/3' : ''}" for ::1 at ${startedAt(t)}`);
    out.push(`Processing by PostsController#${post ? 'show' : 'index'} as HTML`);
    out.push('  Post Load (0.4ms)  SELECT "posts".* FROM "posts" ORDER BY "posts"."id" DESC');
    out.push("  ↳ app/controllers/posts_controller.rb:8:in `index'");
    // Some requests log no `↳` source, the others one of three; a few heavy ones tie for the
    // most queries.
    const heavy = i % 50 === 7;
    const traced = heavy || rng() < 0.5;
    const repeats = heavy ? 60 : rng() < 0.6 ? 2 + Math.floor(rng() * 12) : 1;
    for (let k = 0; k < repeats; k++) {
      out.push(
        `  Comment Load (0.${k}ms)  SELECT "comments".* FROM "comments" ` +
          `WHERE "comments"."post_id" = $1  [["post_id", ${k + 1}]]`,
      );
      if (traced) out.push(`  ↳ app/views/posts/index.html.erb:${9 + (i % 3)}`);
      if (heavy) continue;
      if (rng() < 0.3) {
        out.push(
          '  User Load (0.1ms)  SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2  ' +
            `[["id", ${k}], ["LIMIT", 1]]`,
        );
        out.push('  ↳ app/views/posts/_comment.html.erb:3');
      }
      if (rng() < 0.2) out.push('  CACHE Post Load (0.0ms)  SELECT "posts".* FROM "posts"');
    }
    const duration = 5 + Math.floor(rng() * 400);
    if (rng() < 0.15) {
      out.push(`Completed 500 Internal Server Error in ${duration}ms (ActiveRecord: 1.2ms)`);
      out.push('');
      out.push(
        rng() < 0.5
          ? "ActionView::Template::Error (undefined method `title' for nil):"
          : 'ActiveRecord::ConnectionNotEstablished (connection to server failed):',
      );
      out.push('    app/views/posts/show.html.erb:4');
    } else {
      out.push(
        `Completed 200 OK in ${duration}ms ` +
          `(Views: ${(duration / 3).toFixed(1)}ms | ActiveRecord: 2.5ms)`,
      );
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** A finished request with the given fields; the rest as a plain 200 without SQL. */
function callFile(call: Call): string | undefined {
  if (call.kind === 'request') return call.record.file;
  if (call.kind === 'orphanError') return call.error.file;
  if (call.kind === 'failedLoginLine') return call.file;
  return undefined;
}

/** A seeded Fisher–Yates shuffle of a copy. */
function shuffle<T>(items: T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function requestRecord(fields: Partial<RequestRecord>): RequestRecord {
  return {
    byId: true,
    file: '/tmp/made.log',
    line: 1,
    offset: 0,
    isRequest: true,
    completed: true,
    time: NaN,
    timeExplicit: true,
    method: 'GET',
    status: 200,
    lines: 4,
    exceptions: [],
    errorLines: 0,
    failedLoginLine: false,
    queries: 0,
    cachedQueries: 0,
    ...fields,
  };
}

function busyCalls(): Call[] {
  return withWarnings(
    sinkCalls([
      { path: '/srv/app/log/production.log', bytes: Buffer.from(productionLog(7)) },
      { path: '/srv/app/log/development.log', bytes: Buffer.from(developmentLog(11)) },
    ]),
  );
}

describe('merging report builders', function () {
  this.timeout(120_000);

  it('every fixture, cut at every point into two parts and at many into three', async () => {
    const names = (await fs.readdir(FIXTURES)).filter((name) => name !== 'PROVENANCE.md').sort();
    assert.ok(names.length >= 17 && names.some((name) => name.endsWith('.gz')));
    for (const name of names) {
      const calls = withWarnings(sinkCalls([await fixture(name)]));
      assert.ok(calls.length > 0, name);
      const everyCut = Array.from({ length: calls.length + 1 }, (_, i) => [i]);
      assertMerges(calls, [...everyCut, ...cutSets(calls.length, names.indexOf(name) + 1)], name);
    }
  });

  it('all fixtures read as one timeline (files out of time order)', async () => {
    const names = (await fs.readdir(FIXTURES)).filter((name) => name !== 'PROVENANCE.md').sort();
    const calls = withWarnings(sinkCalls(await Promise.all(names.map(fixture))));
    assertMerges(calls, cutSets(calls.length, 5, 12), 'all fixtures');
  });

  it('bursts: any 10 within 5 minutes, as counted one by one, cut anywhere', () => {
    // Dense minutes (over 18, where only the ends are kept), sparse ones, spells every 20 to
    // 40 s, and lines a little out of order.
    const rng = random(2027);
    const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '203.0.113.4'];
    const events: { time: number; ip: string; status: number }[] = [];
    let t = Date.parse('2026-12-04T08:00:00Z');
    for (let i = 0; i < 1500; i++) {
      const mode = rng();
      t += mode < 0.4 ? Math.floor(rng() * 3000) : mode < 0.8 ? 20_000 + rng() * 20_000 : 60_000;
      if (rng() < 0.02) t += 12 * 60_000;
      const jitter = Math.floor(rng() * 20_000);
      events.push({
        time: Math.floor(t - jitter),
        ip: ips[Math.floor(rng() * rng() * ips.length)],
        status: [401, 403, 422][Math.floor(rng() * 3)],
      });
    }
    const calls: Call[] = events.map((e, i) => ({
      kind: 'request',
      record: requestRecord({ time: e.time, ip: e.ip, status: e.status, offset: i * 100 }),
    }));

    // Counted one by one: a response is in a burst when some 5 minutes hold it and 9 more.
    const window = 5 * 60_000;
    const expected: Built['bursts'] = [];
    for (const ip of ips) {
      const mine = events.filter((e) => e.ip === ip).sort((a, b) => a.time - b.time);
      const inBurst = mine.map((e) =>
        mine.some(
          (start) =>
            start.time <= e.time &&
            e.time <= start.time + window &&
            mine.filter((x) => x.time >= start.time && x.time <= start.time + window).length >= 10,
        ),
      );
      let run: number[] = [];
      const close = (): void => {
        if (!run.length) return;
        const from = mine[run[0]].time;
        const to = mine[run[run.length - 1]].time;
        const inside = mine.filter((x) => x.time >= from && x.time <= to);
        const statuses: Record<string, number> = {};
        for (const status of ['401', '403', '422']) {
          const n = inside.filter((x) => String(x.status) === status).length;
          if (n) statuses[status] = n;
        }
        const iso = (time: number): string => new Date(time).toISOString();
        expected.push({ ip, from: iso(from), to: iso(to), count: inside.length, statuses });
        run = [];
      };
      mine.forEach((e, k) => {
        if (!inBurst[k]) return;
        if (run.length && e.time - mine[run[run.length - 1]].time > window) close();
        run.push(k);
      });
      close();
    }
    expected.sort(
      (a, b) => b.count - a.count || a.ip.localeCompare(b.ip) || (a.from < b.from ? -1 : 1),
    );

    const setup = { from: NaN, to: NaN, slowRequestMs: 1000 };
    const whole = serial(calls, setup);
    assert.ok(expected.length >= 5 && expected.length < 50, `${expected.length} bursts`);
    assert.ok(expected.some((b) => b.count > 40));
    assert.deepStrictEqual(whole.bursts, expected);
    for (const cuts of cutSets(calls.length, 5, 10)) {
      assert.deepStrictEqual(merged(calls, cuts, setup).bursts, expected, `cut at ${cuts}`);
    }
  });

  it('a busy generated log, cut at seeded random points and inside a burst', () => {
    const calls = busyCalls();
    const whole = serial(calls, { from: NaN, to: NaN, slowRequestMs: 1000 });
    // The log holds what it should, or this test would prove little.
    assert.ok(whole.requests.total > 4000, `${whole.requests.total} requests`);
    assert.ok(whole.requests.perHour.length >= 5);
    assert.ok(whole.statusClasses['5xx'] > 50);
    assert.equal(
      whole.exceptions.find((e) => e.className === 'ActiveRecord::RecordNotFound')?.actions.length,
      20,
    );
    assert.ok(whole.routingErrors.total > 10);
    assert.ok(whole.failedLogins.total > 50 && whole.failedLogins.byIp.length > 10);
    assert.ok(whole.suspicious.some((s) => s.kind === 'sql-injection'));
    assert.ok(whole.nPlusOne.length > 0 && whole.sql.requestsWithSql > 100);
    // The 401s every 20 s are one burst, the 403s another; the 401s every 37 s are never 10
    // within 5 minutes.
    assert.deepEqual(
      whole.bursts.map((b) => [b.ip, b.count]),
      [
        ['203.0.113.7', 45],
        ['203.0.113.8', 14],
      ],
    );
    assert.ok(Number.isNaN(Date.parse(whole.errors.lastSeen ?? '')) === false);
    assert.equal(whole.warnings.length, 50);

    // Cuts inside the bursts: the buckets cut in two must add up.
    const burstCalls = calls
      .map((call, i) => ({ call, i }))
      .filter(({ call }) => call.kind === 'request' && /^203\.0\.113\./.test(call.record.ip ?? ''))
      .map(({ i }) => i);
    assert.ok(burstCalls.length > 70);
    const inside = [5, 17, 30, 47, 52, 66].map((k) => [burstCalls[k]]);
    inside.push([burstCalls[5], burstCalls[17]], [burstCalls[11], burstCalls[50]]);
    const straddling = merged(calls, inside[1], { from: NaN, to: NaN, slowRequestMs: 1000 });
    assert.deepStrictEqual(straddling.bursts, whole.bursts);
    // Cuts in the development log: N+1 rows and the heavy requests that tie for the most SQL.
    const development = calls
      .map((call, i) => ({ call, i }))
      .filter(({ call }) => call.kind === 'request' && call.record.file.endsWith('development.log'))
      .map(({ i }) => i);
    const inDevelopment = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95].map((f) => [
      development[Math.floor(f * development.length)],
    ]);
    inDevelopment.push([inDevelopment[1][0], inDevelopment[4][0]]);
    assertMerges(
      calls,
      [...inside, ...inDevelopment, ...cutSets(calls.length, 99, 10)],
      'busy log',
    );
  });

  it(
    'errors and exceptions without a time, equal ' + 'times and full action lists, in any order',
    () => {
      // One pass has order rules here: an untimed error leaves errors.lastSeen and an exception's
      // lastSeen as they were, an equal time keeps the earlier example, an exception lists 20
      // actions and then stops counting. Shuffled times and few distinct ones make every rule
      // matter.
      const rng = random(23);
      const base = Date.parse('2026-12-04T10:00:00Z');
      const time = (): number => (rng() < 0.15 ? NaN : base + Math.floor(rng() * 6) * 60_000);
      const classes = ['A::OneError', 'B::TwoError', 'C::ThreeError'];
      const calls: Call[] = [];
      for (let i = 0; i < 600; i++) {
        const t = time();
        const exception = {
          className: classes[Math.floor(rng() * rng() * classes.length)],
          message: `message ${i}`,
          time: t,
          file: '/tmp/order.log',
          line: i + 1,
          offset: i * 80,
          ...(rng() < 0.3 ? { frame: `app/models/m${i}.rb:1` } : {}),
        };
        if (rng() < 0.3) {
          const bare = rng() < 0.3;
          calls.push({
            kind: 'orphanError',
            error: {
              time: t,
              file: '/tmp/order.log',
              line: i + 1,
              offset: i * 80,
              ...(bare ? {} : { exception }),
            },
          });
          continue;
        }
        calls.push({
          kind: 'request',
          record: requestRecord({
            file: '/tmp/order.log',
            line: i + 1,
            offset: i * 80,
            time: t,
            path: `/r/${i % 40}`,
            ip: '198.51.100.1',
            action: `R${Math.floor(rng() * 26)}Controller#show`,
            status: rng() < 0.5 ? 500 : 200,
            durationMs: Math.floor(rng() * 5) * 10,
            exceptions: rng() < 0.7 ? [exception] : [],
            errorLines: 1,
          }),
        });
      }
      // Last, an untimed error and one earlier than the latest before it: neither moves lastSeen.
      calls.push({
        kind: 'orphanError',
        error: { time: NaN, file: '/tmp/order.log', line: 601, offset: 0 },
      });
      calls.push({
        kind: 'orphanError',
        error: { time: base, file: '/tmp/order.log', line: 602, offset: 0 },
      });
      const whole = serial(calls, { from: NaN, to: NaN, slowRequestMs: 100 });
      assert.ok(whole.exceptions.some((e) => e.actions.length === 20));
      assert.equal(whole.errors.lastSeen, new Date(base + 5 * 60_000).toISOString());
      const everyCut = Array.from({ length: calls.length + 1 }, (_, i) => [i]);
      assertMerges(calls, [...everyCut, ...cutSets(calls.length, 29, 30)], 'untimed and ties');
    },
  );

  it('sums durations exactly, whatever the parts: no last-bit drift that rounding shows', () => {
    // In floating point, (0.002 + 1.011) + 0.122 rounds to 1.13 and 0.002 + (1.011 + 0.122)
    // to 1.14: merged parts would disagree with one pass in the figures shown.
    const calls: Call[] = [0.002, 1.011, 0.122].map((durationMs, i) => ({
      kind: 'request',
      record: requestRecord({
        line: i + 1,
        time: Date.parse('2026-12-04T10:00:00Z') + i,
        action: 'ItemsController#show',
        durationMs,
        viewMs: durationMs / 2,
        dbMs: durationMs / 3,
      }),
    }));
    const whole = serial(calls, { from: NaN, to: NaN, slowRequestMs: 100 });
    assert.equal(whole.actions[0].totalMs, 1.14);
    assertMerges(calls, [[1], [2], [1, 2]], 'three durations');
  });

  it('hour tables that fold: thousands of hours in shuffled order, merged', () => {
    const rng = random(3);
    const start = Date.parse('2020-01-01T00:00:00Z');
    const hours = 2 * MAX_HOURS + 700;
    const calls: Call[] = [];
    for (let i = 0; i < hours * 1.5; i++) {
      const t = start + Math.floor(rng() * hours) * 3_600_000 + Math.floor(rng() * 3_600_000);
      const failed = rng() < 0.5;
      calls.push({
        kind: 'request',
        record: requestRecord({
          file: '/tmp/hours.log',
          line: i + 1,
          offset: i * 100,
          time: t,
          method: 'POST',
          path: failed ? '/users/sign_in' : '/items',
          ip: `198.51.100.${i % 50}`,
          action: failed ? 'Users::SessionsController#create' : 'ItemsController#create',
          status: failed ? 401 : rng() < 0.05 ? 500 : 201,
          durationMs: Math.round(rng() * 3000) / 10,
        }),
      });
    }
    const whole = serial(calls, { from: NaN, to: NaN, slowRequestMs: 100 });
    assert.equal(whole.requests.perHour.length, MAX_HOURS);
    assert.ok(
      (whole.requests.perHourFolded ?? 0) > 0 && (whole.failedLogins.byHourFolded ?? 0) > 0,
    );
    assertMerges(calls, cutSets(calls.length, 17, 2), 'shuffled hours');
  });

  it('a snapshot crosses structuredClone whole, and the builders stay independent', () => {
    const calls = busyCalls();
    const half = Math.floor(calls.length / 2);
    const setup = { from: NaN, to: NaN, slowRequestMs: 1000 };
    const first = feed(builder(setup), calls.slice(0, half));
    const second = feed(builder(setup), calls.slice(half));
    const before = second.build();

    const snapshot = second.snapshot();
    const cloned = structuredClone(snapshot);
    assert.deepStrictEqual(cloned, snapshot);
    assert.deepStrictEqual(second.build(), before, 'taking a snapshot changes nothing');

    // An empty builder that absorbs a snapshot reports what the builder it came from did.
    const copy = builder(setup);
    copy.absorb(cloned);
    assert.deepStrictEqual(copy.build(), before);

    // Absorbing a snapshot that was not cloned keeps nothing shared with its builder.
    first.absorb(snapshot);
    const expected = serial(calls, setup);
    assert.deepStrictEqual(first.build(), expected);
    feed(second, calls.slice(0, 500));
    second.absorb(overTheWire(first));
    assert.deepStrictEqual(first.build(), expected);
  });

  it('the same events in any order give the same report: ties go by position in the log', () => {
    // One pass reports a request when it leaves the assembler's maps, which is not log order;
    // ranges joined report them in yet another order. Every choice between equal events
    // (durations, times, counts, first example, first frame or source) must go by position.
    // Few distinct durations, times, counts and keys make ties everywhere; two files, the
    // first seen first, as files are read one after another.
    const rng = random(41);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
    const base = Date.parse('2026-12-04T10:00:00Z');
    // Times within one 5-minute bucket and one hour: bursts are pruned by time as a log moves
    // forward, and that alone depends on order, as the caps do (under them here).
    const time = (): number => (rng() < 0.1 ? NaN : base + Math.floor(rng() * 8) * 30_000);
    const files = ['/srv/app/log/a.log', '/srv/app/log/b.log'];
    const classes = ['A::OneError', 'B::TwoError', 'ActionController::RoutingError'];
    const paths = ['/items', '/wp-login.php', "/items?q=1' OR 1=1--", '/x/../../etc/passwd'];
    const ips = ['198.51.100.1', '198.51.100.2', '203.0.113.9'];
    const actions = ['ItemsController#index', 'ItemsController#show', 'SessionsController#create'];
    const calls: Call[] = [];
    for (let i = 0; i < 900; i++) {
      const file = files[i < 500 ? 0 : 1];
      const offset = (i % 500) * 120;
      const t = time();
      const className = pick(classes);
      const exception = {
        className,
        message:
          className === 'ActionController::RoutingError'
            ? `No route matches [GET] "${pick(['/a', '/b', '/c'])}"`
            : `message ${i}`,
        time: t,
        file,
        line: (i % 500) + 1,
        offset: offset + 60,
        ...(rng() < 0.4 ? { frame: `app/models/m${i}.rb:1` } : {}),
      };
      const kind = rng();
      if (kind < 0.1) {
        calls.push({
          kind: 'orphanError',
          error: {
            time: t,
            file,
            line: (i % 500) + 1,
            offset,
            ...(rng() < 0.7 ? { exception } : {}),
          },
        });
        continue;
      }
      if (kind < 0.15) {
        calls.push({ kind: 'failedLoginLine', ip: pick(ips), time: t, file, line: i + 1 });
        continue;
      }
      const repeats = 2 + Math.floor(rng() * 3);
      const sql = new Map(
        ['SELECT ? FROM comments', 'SELECT ? FROM users'].map((shape, k) => [
          shape,
          {
            shape,
            name: `Load ${i % 3}`,
            count: repeats,
            line: (i % 500) + 2 + k,
            offset: offset + 10 + k,
            ...(rng() < 0.5 ? { source: `app/views/v${i}.erb:3` } : {}),
          },
        ]),
      );
      calls.push({
        kind: 'request',
        record: requestRecord({
          file,
          line: (i % 500) + 1,
          offset,
          time: t,
          path: pick(paths),
          ip: pick(ips),
          action: pick(actions),
          status: pick([200, 200, 401, 403, 500]),
          durationMs: pick([10, 20, 1500, 1500]),
          exceptions: rng() < 0.5 ? [exception] : [],
          errorLines: 1,
          queries: repeats * 2,
          cachedQueries: Math.floor(rng() * 2),
          sql,
        }),
      });
    }

    const setup = { from: NaN, to: NaN, slowRequestMs: 100 };
    const expected = serial(calls, setup);
    // The report holds ties of every kind, or this test would prove little.
    assert.equal(expected.slowest.length, 10);
    assert.ok(expected.slowest.every((r) => r.durationMs === 1500));
    const frames = expected.exceptions.filter((e) => e.frame !== null);
    assert.equal(frames.length, 3);
    assert.ok(expected.exceptions.every((e) => e.actions.length === 3));
    assert.equal(expected.routingErrors.paths.length, 3);
    assert.ok(expected.suspicious.length >= 6, `${expected.suspicious.length} suspicious`);
    assert.ok(expected.nPlusOne.length >= 6 && expected.nPlusOne.every((n) => n.source));
    assert.ok(expected.bursts.length >= 3, `${expected.bursts.length} bursts`);
    assert.equal(expected.sql.maxPerRequest?.count, 9);
    assert.ok(expected.failedLogins.byIp.length === 3);
    // The earliest position wins: the first request of the log is among the slowest when it
    // is that slow, and the first N+1 row points at the first line of a.log that has one.
    for (const row of expected.nPlusOne) assert.equal(row.file, 'a.log');

    const reversed = [calls[0], ...calls.slice(1).reverse()];
    assert.deepStrictEqual(serial(reversed, setup), expected, 'reversed');
    for (let seed = 1; seed <= 8; seed++) {
      // The first call stays first: a.log is met before b.log, as when files are read in turn.
      const shuffled = [calls[0], ...shuffle(calls.slice(1), random(seed * 7919))];
      assert.deepStrictEqual(serial(shuffled, setup), expected, `order ${seed}`);
    }
    // Ranges of one file, each in its own order, joined: the same report again. (A part must
    // meet the files in their order, as a range of one file does: it keeps only its top rows.)
    for (let seed = 1; seed <= 3; seed++) {
      const rngOf = random(seed * 104729);
      const inFile = (file: string): Call[] =>
        shuffle(
          calls.filter((c) => c.kind !== 'warn' && callFile(c) === file),
          rngOf,
        );
      const perFile = [...inFile(files[0]), ...inFile(files[1])];
      for (const cuts of cutSets(perFile.length, seed, 4)) {
        assert.deepStrictEqual(
          merged(perFile, cuts, setup),
          expected,
          `order ${seed} cut at ${cuts.join(', ')}`,
        );
      }
    }
  });

  it('stays bounded at the caps, where one pass itself drops rows', () => {
    const setup = { from: NaN, to: NaN, slowRequestMs: 1000 };
    const make = (offset: number): ReportBuilder => {
      const report = builder(setup);
      for (let i = 0; i < 2500; i++) {
        const time = Date.parse('2026-12-04T10:00:00Z') + i * 1000;
        report.request(
          requestRecord({
            file: '/tmp/caps.log',
            line: i + 1,
            offset: i,
            time,
            path: `/p/${offset + i}`,
            ip: `10.${offset % 250}.${i % 250}.${Math.floor(i / 250)}`,
            action: `C${offset + i}Controller#show`,
            status: 500,
            durationMs: 10,
            exceptions: [
              {
                className: `E${offset + i}Error`,
                message: 'x',
                time,
                file: '/tmp/caps.log',
                line: i + 1,
                offset: i,
              },
            ],
            errorLines: 1,
          }),
        );
      }
      return report;
    };
    const report = make(0);
    report.absorb(overTheWire(make(5000)));
    const state = report.snapshot();
    assert.ok(state.actions.size <= 2001, `${state.actions.size} actions`);
    assert.ok(state.exceptions.size <= 500 && state.errorClasses.size <= 500);
    assert.equal(report.build().requests.total, 5000);
  });
});
