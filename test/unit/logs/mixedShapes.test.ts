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

/**
 * The summary of `file` in `window`, and of its gzip copy, which is read whole (no seek, no
 * stop after the window): file names, line numbers and what was read set apart.
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

/** Milliseconds `run` takes, the least of a few tries (a loaded machine adds, never removes). */
function fastest(run: () => void, tries = 5): number {
  let best = Infinity;
  for (let k = 0; k < tries; k++) {
    const started = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
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
    fastest(() => splitKeyValue(hostile(4096)));
    const smallMs = Math.max(
      fastest(() => splitKeyValue(hostile(32 * 1024))),
      1,
    );
    const largeMs = fastest(() => splitKeyValue(hostile(256 * 1024)), 2);
    // 8× the text: linear is ~8× the time, quadratic 64×.
    assert.ok(largeMs < smallMs * 25, `8× the text took ${largeMs} ms vs ${smallMs} ms`);
    assert.deepEqual(
      [...splitKeyValue(hostile(64))],
      [
        ['method', 'GET'],
        ['status', '200'],
      ],
    );
  });
});
