/**
 * Logs that mix the shapes the engine reads (Logger::Formatter lines with and without request
 * ids, lograge, JSON, container runtimes' records, journald, kubectl, compose and Heroku's
 * router), built by a seeded generator, and hostile lines against the parsers of those shapes:
 * ranges and windows give what one pass over the whole file gives, and work stays linear.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { splitKeyValue } from '../../../src/core/logs/lineParser';
import { summarizeLogs, type LogSummary } from '../../../src/core/logs/summary';
import { parseWindow } from '../../../src/core/logs/window';
import { fixedClock } from '../../../src/core/util/clock';
import { assertLinear } from '../../support/growth';
import { summarizeInRanges } from './helpers';

const clock = fixedClock('2026-12-04T12:00:00Z');

/** `count` tagged requests of Rails 7's Logger::Formatter, one every `stepMs` from `start`. */
function railsLog(count: number, start: string, stepMs: number): string {
  const lines: string[] = [];
  const first = Date.parse(start);
  for (let k = 0; k < count; k++) {
    const at = new Date(first + k * stepMs).toISOString();
    const tag = `I, [${at.slice(0, 23)}000 #7]  INFO -- : [${String(k).padStart(8, '0')}-req] `;
    lines.push(
      `${tag}Started GET "/items/${k}" for 192.0.2.1 at ${at.slice(0, 10)} ${at.slice(11, 19)}`,
      `${tag}Processing by ItemsController#show as HTML`,
      `${tag}Completed ${k % 9 ? '200 OK' : '500 Internal Server Error'} in ${k % 70}ms`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** xorshift32: the same log for the same seed, so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const SHAPES = [
  'tagged',
  'untagged',
  'lograge',
  'json',
  'docker',
  'cri',
  'journalJson',
  'journalShort',
  'kubectl',
  'heroku',
  'compose',
] as const;
type Shape = (typeof SHAPES)[number];

interface MixOptions {
  requests: number;
  shapes: readonly Shape[];
  /** The first request's time; one follows every 0 to 4 s. */
  start: string;
  /** Every this many requests, one with a query string of `longBytes`. */
  longEvery?: number;
  longBytes?: number;
  /** Share of requests whose lines alternate with the next request's. */
  interleaved?: number;
  /** Share of lines with a byte that is not UTF-8 (0.002 unless set). */
  invalidUtf8?: number;
}

/**
 * A log of `requests` requests, each in a shape picked from `shapes`: Logger::Formatter lines
 * tagged with a request id (some with a FATAL block and its backtrace) or not, lograge and
 * JSON lines, Docker json-file records (lines over 16 KB split, Puma's stderr between the
 * pieces), CRI records (some lines in P pieces), journalctl's json (some messages as bytes)
 * and short-precise, kubectl --prefix, Heroku's app and router lines, docker compose prefixes.
 * Some lines end in CRLF and a few hold bytes that are not UTF-8.
 */
function mixedLog(seed: number, options: MixOptions): Buffer {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  const requests: Buffer[][] = [];
  let time = Date.parse(options.start);
  for (let n = 0; n < options.requests; n++) {
    time += Math.floor(random() * 4000);
    const iso = new Date(time).toISOString();
    const shape = pick(options.shapes);
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
    const pid = 100 + Math.floor(random() * 3);
    const logger = (level = 'INFO', process = pid): string =>
      `${level[0]}, [${iso.slice(0, 23)}${hex(3).replace(/\D/g, '0')} #${process}] ` +
      `${level.padStart(5)} -- : `;
    const tag = shape === 'untagged' ? '' : `[${id}] `;
    // The container, pod or dyno that served the request.
    const serving = Math.floor(random() * 2);
    const long = options.longEvery && n % options.longEvery === 1;
    const target = `${pick(['/', '/items/7', '/users/sign_in', '/wp-login.php'])}${
      long ? `?q=${'q'.repeat(options.longBytes ?? 0)}` : ''
    }`;
    const method = pick(['GET', 'GET', 'POST']);
    const status = pick(['200 OK', '200 OK', '302 Found', '404 Not Found', '500 Server Error']);
    const ms = Math.floor(random() * (random() < 0.1 ? 4000 : 150));
    const ip = `192.0.2.${Math.floor(random() * 40)}`;
    const messages = [
      `Started ${method} "${target}" for ${ip} at ${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`,
      `Processing by ${pick(['ItemsController#show', 'SessionsController#create'])} as HTML`,
      `  Item Load (0.4ms)  SELECT "items".* FROM "items" WHERE "items"."id" = $1 LIMIT $2`,
      `Completed ${status} in ${ms}ms (Views: 1.0ms | ActiveRecord: 0.4ms)`,
    ].map((m) => tag + m);
    const fatal = (
      random() < 0.05
        ? ['  ', `RuntimeError (boom ${n}):`, `app/models/item.rb:${n % 40}:in 'show'`]
        : []
    ).map((m) => tag + m);
    const lines: string[] = [];
    const cri = `${iso.slice(0, 23)}456789Z`;
    switch (shape) {
      case 'tagged':
      case 'untagged':
        lines.push(...messages.map((m) => logger() + m));
        lines.push(...fatal.map((m) => logger('FATAL') + m));
        break;
      case 'lograge':
        lines.push(
          `${random() < 0.5 ? logger() + tag : ''}method=${method} path=${target} format=html ` +
            `controller=ItemsController action=show status=${status.slice(0, 3)} ` +
            `duration=${ms}.25 view=1.00 db=0.40 remote_ip=${ip}`,
        );
        break;
      case 'json':
        lines.push(
          JSON.stringify({
            method,
            path: target,
            status: Number(status.slice(0, 3)),
            duration: ms + 0.5,
            request_id: id,
            timestamp: iso,
            remote_ip: ip,
          }),
        );
        break;
      case 'docker':
        for (const m of [...messages, ...fatal]) {
          const text = `${logger('INFO', 1)}${m}\n`;
          for (let at = 0; at < text.length; at += 16 * 1024) {
            if (at > 0 && random() < 0.5) {
              lines.push(
                JSON.stringify({ log: '[1] - Worker 0 booted\n', stream: 'stderr', time: cri }),
              );
            }
            lines.push(
              JSON.stringify({ log: text.slice(at, at + 16 * 1024), stream: 'stdout', time: cri }),
            );
          }
        }
        break;
      case 'cri':
        for (const m of messages.map((text) => logger('INFO', 1) + text)) {
          const size = m.length > 16 * 1024 ? 16 * 1024 : random() < 0.1 ? 30 : m.length;
          for (let at = 0; at < m.length; at += size) {
            const last = at + size >= m.length;
            lines.push(`${cri} stdout ${last ? 'F' : 'P'} ${m.slice(at, at + size)}`);
            if (!last && random() < 0.3) lines.push(`${cri} stderr F [1] - Worker 0 booted`);
          }
        }
        break;
      case 'journalJson':
        for (const m of [...messages, ...fatal]) {
          lines.push(
            JSON.stringify({
              __CURSOR: `s=0f1e;i=${n.toString(16)}`,
              __REALTIME_TIMESTAMP: `${time}${hex(3).replace(/\D/g, '1')}`,
              _PID: String(pid),
              MESSAGE: random() < 0.2 ? [...Buffer.from(`${m}\r`)] : m,
            }),
          );
        }
        break;
      case 'journalShort':
        for (const m of [...messages, ...fatal]) {
          lines.push(`Dec 04 ${iso.slice(11, 23)}456 app1 puma[${pid}]: ${m}`);
        }
        break;
      case 'kubectl': {
        const pod = `[pod/web-7d9f8c6b5-${['x2k4q', 'p8m2z'][serving]}/web] `;
        lines.push(...messages.map((m) => pod + logger('INFO', 1) + m));
        break;
      }
      case 'heroku': {
        const dyno = `web.${serving + 1}`;
        for (const m of [...messages, ...fatal]) {
          lines.push(`${iso.slice(0, 23)}000+00:00 app[${dyno}]: ${logger('INFO', 4)}${m}`);
        }
        lines.push(
          `${iso.slice(0, 23)}000+00:00 heroku[router]: at=info method=${method} ` +
            `path="${target}" host=shop.herokuapp.com request_id=${id} fwd="${ip}" ` +
            `dyno=${dyno} connect=0ms service=${ms}ms status=${status.slice(0, 3)} bytes=90`,
        );
        break;
      }
      case 'compose':
        lines.push(...messages.map((m) => `web-${serving + 1}  | ${logger('INFO', 1)}${m}`));
        break;
    }
    requests.push(
      lines.map((line) => {
        const bytes = Buffer.from(`${line}${random() < 0.05 ? '\r\n' : '\n'}`);
        if (random() < (options.invalidUtf8 ?? 0.002)) {
          bytes[Math.floor(random() * (bytes.length - 1))] = 0xff;
        }
        return bytes;
      }),
    );
  }
  // Lines of two requests side by side, each in its order, as two Puma threads write them.
  const out: Buffer[] = [];
  for (let n = 0; n < requests.length; n++) {
    const next = requests[n + 1];
    if (next && random() < (options.interleaved ?? 0)) {
      const [a, b] = [requests[n], next];
      while (a.length || b.length) {
        const from = (random() < 0.5 && a.length) || !b.length ? a : b;
        out.push(from.shift()!);
      }
      n++;
    } else {
      out.push(...requests[n]);
    }
  }
  return Buffer.concat(out);
}

/** The figures of a summary: without what was read, where it was read, or what it warned. */
function figures(summary: LogSummary): unknown {
  const { sources, assembly, span, lastEntry, warnings, generatedAt, ...rest } = summary;
  void [sources, assembly, span, lastEntry, warnings, generatedAt];
  return JSON.parse(
    JSON.stringify(rest)
      .replace(/\.gz"/g, '"')
      .replace(/"line":\d+/g, '"line":null'),
  );
}

/**
 * The summary of `file` in `window`, and of its gzip copy, which is read whole (no seek, no
 * stop after the window).
 */
async function seekedAndWhole(
  folder: string,
  file: string,
  window: string,
): Promise<{ seeked: LogSummary; whole: LogSummary }> {
  await fs.writeFile(`${file}.gz`, gzipSync(await fs.readFile(file), { level: 1 }));
  const run = (source: string): Promise<LogSummary> =>
    summarizeLogs({
      workspace: folder,
      sources: [source],
      window: parseWindow(window, clock),
      clock,
      timeZone: 'UTC',
      parallel: false,
    });
  return { seeked: await run(file), whole: await run(`${file}.gz`) };
}

describe('log engine on mixed and hostile shapes', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-mixed-shapes-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('gives the one-pass summary in ranges for seeded mixes of every shape', async () => {
    const everyShape = SHAPES.filter((shape) => shape !== 'untagged');
    const mixes: [number, MixOptions][] = [
      ...[1, 2, 3, 4].map((seed): [number, MixOptions] => [
        seed,
        {
          requests: 500,
          shapes: everyShape,
          start: '2026-12-04T09:00:00Z',
          longEvery: 60,
          longBytes: 40_000,
          interleaved: 0.15,
        },
      ]),
      // Requests without ids beside the rest: ranges mostly refused, never a different summary.
      [5, { requests: 500, shapes: SHAPES, start: '2026-12-04T09:00:00Z', interleaved: 0.1 }],
      // A line of 2 MB (Docker splits it into 128 records, CRI into 128 pieces).
      [
        6,
        {
          requests: 300,
          shapes: everyShape,
          start: '2026-12-04T09:00:00Z',
          longEvery: 290,
          longBytes: 2_000_000,
        },
      ],
    ];
    let split = 0;
    for (const [seed, options] of mixes) {
      const file = path.join(folder, `mix-${seed}.log`);
      await fs.writeFile(file, mixedLog(seed, options));
      const serial = await summarizeInRanges(file, false);
      for (const ranges of [2, 3, 5, 9]) {
        const run = await summarizeInRanges(file, { ranges, inProcess: true });
        if (run.ranges > 1) split++;
        assert.deepStrictEqual(
          run.summary,
          serial.summary,
          `seed ${seed} in ${ranges} ranges (${run.ranges} read) differs from one pass`,
        );
      }
    }
    assert.ok(split >= 16, `only ${split} runs were read in ranges`);
  });

  it('reads tagged heroku logs in ranges: a router line after a cut joins', async () => {
    // The router logs a request after the app's Completed; a range reading on past its end for
    // its requests met the router line of one and was refused (read on one thread) 31 times
    // in 32.
    const file = path.join(folder, 'heroku-tagged.log');
    await fs.writeFile(
      file,
      mixedLog(11, { requests: 400, shapes: ['heroku'], start: '2026-12-04T09:00:00Z' }),
    );
    const serial = await summarizeInRanges(file, false);
    assert.ok(serial.summary.requests.total === 400 && serial.summary.assembly.byRequestId === 400);
    for (const ranges of [2, 3, 5, 8]) {
      const run = await summarizeInRanges(file, { ranges, inProcess: true });
      assert.equal(run.refusal, undefined, `${ranges} ranges`);
      assert.equal(run.ranges, ranges);
      assert.deepStrictEqual(run.summary, serial.summary, `${ranges} ranges`);
    }
  });

  it('joins a line 220 completions after its request as one pass does, or not', async () => {
    // One pass keeps the newest 192 to 256 completed requests, so whether a line that late still
    // finds its request depends on all that came before. A range that began the request and let
    // it go stopped reading on before the line; the next range took the line for a request of
    // its own while one pass still held the request (a router 503 counted, or the other way).
    const second = (k: number): string =>
      new Date(Date.parse('2026-12-04T10:00:00Z') + k * 1000).toISOString();
    const tagged = (k: number, id: string, body: string): string =>
      `I, [${second(k).slice(0, 23)}000 #100]  INFO -- : [${id}] ${body}`;
    const late = 'eeeeeeeeeeeeeeee1';
    const lateLines: Record<string, (k: number) => string> = {
      router: (k) =>
        `${second(k).slice(0, 23)}000+00:00 heroku[router]: at=error code=H12 ` +
        `desc="Request timeout" method=GET path="/late" host=shop.herokuapp.com ` +
        `request_id=${late} fwd="192.0.2.9" dyno=web.1 connect=0ms service=30000ms status=503`,
      lograge: (k) =>
        tagged(k, late, 'method=GET path=/late format=html controller=A action=b status=503'),
      completed: (k) => tagged(k, late, 'Completed 503 Service Unavailable in 5ms'),
    };
    const file = path.join(folder, 'late.log');
    for (const [kind, lateLine] of Object.entries(lateLines)) {
      for (const [before, after] of [
        [600, 240],
        [800, 220],
        [1000, 240],
      ]) {
        const lines: string[] = [];
        for (let k = 0; k < before + after + 101; k++) {
          const id = k === before ? late : `f${String(k).padStart(15, '0')}aaaa`;
          lines.push(
            tagged(k, id, 'Started GET "/a" for 10.0.0.1 at 2026-12-04 10:00:00 +0000'),
            tagged(k, id, `Completed 200 OK in ${k % 50}ms`),
          );
          if (k === before + after) lines.push(lateLine(k));
        }
        await fs.writeFile(file, `${lines.join('\n')}\n`);
        const serial = await summarizeInRanges(file, false);
        for (const ranges of [2, 3]) {
          const run = await summarizeInRanges(file, { ranges, inProcess: true });
          assert.deepStrictEqual(
            run.summary,
            serial.summary,
            `${kind} after ${before} and ${after} requests, ${ranges} ranges`,
          );
        }
      }
    }
  });

  it('gives in a window of a large mixed log the figures of reading it whole', async () => {
    const file = path.join(folder, 'mixed-large.log');
    await fs.writeFile(
      file,
      mixedLog(7, {
        requests: 16_000,
        shapes: SHAPES.filter((shape) => shape !== 'untagged'),
        start: '2026-12-04T03:10:00Z',
        longEvery: 400,
        longBytes: 40_000,
        interleaved: 0.1,
        // A byte that breaks a request id tag leaves a line without one, which joins whatever
        // its process logged last without an id, however long before: from a seek, nothing.
        invalidUtf8: 0,
      }),
    );
    assert.ok((await fs.stat(file)).size > 8 * 1024 * 1024, 'large enough to seek in');
    for (const window of ['1h', '2026-12-04T05:00..2026-12-04T06:30']) {
      const { seeked, whole } = await seekedAndWhole(folder, file, window);
      assert.equal(seeked.sources[0].seeked, true);
      assert.ok(seeked.requests.total > 1000);
      assert.deepStrictEqual(figures(seeked), figures(whole), window);
    }
  });

  it('reads a log of one pod after another (kubectl logs -l) whole in a window', async () => {
    // Without --follow kubectl prints each pod's log in turn: the times go back at every pod.
    // The seek found the window in one pod's part, and the read stopped after it in another.
    const pods = ['x2k4q', 'p8m2z'].map((pod) =>
      railsLog(14_400, '2026-12-04T00:00:00Z', 3000)
        .replace(/^/gm, `[pod/web-7d9f8c6b5-${pod}/web] `)
        .replace(/-req\]/g, `-${pod}]`)
        .slice(0, -`[pod/web-7d9f8c6b5-${pod}/web] `.length),
    );
    const file = path.join(folder, 'pods.log');
    await fs.writeFile(file, pods.join(''));
    assert.ok((await fs.stat(file)).size > 8 * 1024 * 1024, 'large enough to seek in');
    for (const window of ['1h', '2026-12-04T05:00..2026-12-04T06:00']) {
      const { seeked, whole } = await seekedAndWhole(folder, file, window);
      assert.ok(whole.requests.total >= 2400, `${window}: ${whole.requests.total}`);
      assert.deepStrictEqual(figures(seeked), figures(whole), window);
    }
  });

  it('reads a log of 17 or 33 pods after another whole in a window', async () => {
    // Probes at 16 even steps landed in pod k at k/16 of its times when the pods were 16m + 1
    // (17 replicas): the times seemed to go forward, and the window counted one pod in 17.
    for (const count of [17, 33]) {
      const pods = Array.from({ length: count }, (_, k) => `p${String(k).padStart(4, '0')}`).map(
        (pod) => {
          const prefix = `[pod/web-7d9f8c6b5-${pod}/web] `;
          const requests = Math.ceil(28_800 / count);
          return railsLog(requests, '2026-12-04T00:00:00Z', Math.floor(43_200_000 / requests))
            .replace(/^/gm, prefix)
            .replace(/-req\]/g, `-${pod}]`)
            .slice(0, -prefix.length);
        },
      );
      const file = path.join(folder, `pods-${count}.log`);
      await fs.writeFile(file, pods.join(''));
      assert.ok((await fs.stat(file)).size > 8 * 1024 * 1024, 'large enough to seek in');
      const window = '2026-12-04T05:00..2026-12-04T06:00';
      const { seeked, whole } = await seekedAndWhole(folder, file, window);
      assert.ok(whole.requests.total >= 2300, `${count} pods: ${whole.requests.total}`);
      assert.deepStrictEqual(figures(seeked), figures(whole), `${count} pods`);
    }
  });

  it('says no "is this a Rails log?" of a large log that begins after the window', async () => {
    // A window of yesterday on a log rotated at midnight: reading a large file stops at the
    // first line an hour past the window's end, here its first line, before any request.
    const file = path.join(folder, 'today.log');
    await fs.writeFile(file, railsLog(30_000, '2026-12-04T03:00:00Z', 1000));
    assert.ok((await fs.stat(file)).size > 8 * 1024 * 1024, 'large enough to stop early');
    const { seeked, whole } = await seekedAndWhole(
      folder,
      file,
      '2026-12-03T08:00..2026-12-03T18:00',
    );
    assert.equal(seeked.requests.total, 0);
    assert.ok(seeked.sources[0].bytesRead < seeked.sources[0].bytes / 4);
    assert.equal(whole.requests.total, 0);
    assert.deepEqual(whole.warnings, []);
    const stopped = [
      "No Rails request lines were found up to the window's end; reading stopped an hour past it.",
    ];
    assert.deepEqual(seeked.warnings, stopped);
    const inRanges = await summarizeLogs({
      workspace: folder,
      sources: [file],
      window: parseWindow('2026-12-03T08:00..2026-12-03T18:00', clock),
      clock,
      timeZone: 'UTC',
      parallel: { ranges: 3, inProcess: true },
    });
    assert.deepEqual(inRanges.warnings, stopped);
  });

  it('finds the last hour of a large log whose lines after Started carry no time', async () => {
    // Rails' development log, or Rails 8 on STDOUT: only `Started ... at` has a time. The seek
    // began at the Processing or Completed line of a request before the window, which read
    // as a request with no time: "1 request carries no timestamp".
    const lines: string[] = [];
    const first = Date.parse('2026-12-04T04:00:00Z');
    for (let k = 0; k < 28_800; k++) {
      const at = new Date(first + k * 1000).toISOString();
      lines.push(
        `Started GET "/items/${k}" for 192.0.2.1 at ${at.slice(0, 10)} ${at.slice(11, 19)} +0000`,
        'Processing by ItemsController#show as HTML',
        `  Parameters: {"id"=>"${k}", "filler"=>"${'x'.repeat(100 + (k % 150))}"}`,
        `Completed ${k % 9 ? '200 OK' : '500 Internal Server Error'} in ${k % 70}ms`,
      );
    }
    const file = path.join(folder, 'development.log');
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    for (const window of ['1h', '2026-12-04T07:00:00.5Z..2026-12-04T08:00Z']) {
      const { seeked, whole } = await seekedAndWhole(folder, file, window);
      assert.equal(seeked.sources[0].seeked, true);
      assert.equal(seeked.requests.total, whole.requests.total);
      assert.deepEqual(seeked.warnings, whole.warnings, window);
    }
  });

  it('reads key=value text in linear time when one = follows many words', () => {
    // Heroku's router and lograge lines are read by splitKeyValue; words without = before a
    // late one made it search the rest of the text from every word.
    const hostile = (size: number): string =>
      `method=GET status=200 ${'\u65e5 '.repeat(size / 2)}=`;
    // 8× the text: linear is about 8× the time, quadratic 64×. One read of 4 KB takes some
    // 30 microseconds: eight hundred of each make a ratio.
    assertLinear(
      hostile,
      (text) => {
        for (let i = 0; i < 800; i++) splitKeyValue(text);
      },
      4096,
      { factor: 8 },
    );
    assert.deepEqual(
      [...splitKeyValue(hostile(64))],
      [
        ['method', 'GET'],
        ['status', '200'],
      ],
    );
  });
});
