/**
 * A .gz read for a window (--window FROM..TO, 24h) stops reading its lines once they are an
 * hour past the window's end, as a large plain log stops reading, while the lines it read went
 * forward in time: the window's figures are those of the whole read, for far less work. Past
 * the window a line now and then is looked at: where the times go back (one pod's log after
 * another's), the .gz is read on from there, since its later part may hold the window too.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { summarizeLogs, type LogSummary, type LogWindow } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { tempFolder } from '../../support/tempFolders';

const NOW = new Date('2026-12-04T12:00:00Z');

/** `count` requests of a Rails production log, one a second from `start`, by `pid`. */
function productionLog(count: number, start: Date, pid = 100): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(start.getTime() + i * 1000).toISOString().replace('Z', '');
    const id = `${pid}${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000100`;
    const prefix = `I, [${at} #${pid}]  INFO -- : [${id}]`;
    lines.push(
      `${prefix} Started GET "/items/${i % 500}" for 10.0.${pid % 250}.${i % 250} at ${at}`,
      `${prefix} Processing by ItemsController#show as HTML`,
      `${prefix} Completed ${i % 97 === 0 ? 500 : 200} OK in ${5 + (i % 300)}ms (Views: 5.0ms)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The CPU time of this process (its threads too) while `work` runs, in ms. */
async function cpuMsOf(work: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

/**
 * What a summary says of its window, without what depends on how much was read past it: the
 * sources' lines and bytes read, what the assembly counted of them (requests outside the
 * window included) and the newest entry read. Locations name `-` for standard input: the
 * file's name is put in their place.
 */
function windowFigures(summary: LogSummary, name: string): unknown {
  const { generatedAt, sources, lastEntry, assembly, ...rest } = summary;
  void generatedAt;
  void sources;
  void lastEntry;
  void assembly;
  const text = JSON.stringify(rest);
  return JSON.parse(text.replaceAll('"file":"-"', `"file":"${name}"`));
}

describe('a .gz read for a window', function () {
  this.timeout(120_000);
  let folder: string;
  const summarize = (sources: string[], window?: LogWindow, stdin?: Buffer): Promise<LogSummary> =>
    summarizeLogs({
      workspace: folder,
      sources,
      clock: fixedClock(NOW.toISOString()),
      timeZone: 'UTC',
      ...(window ? { window } : {}),
      ...(stdin ? { stdin: Readable.from([stdin]) } : {}),
    });

  before(async () => {
    folder = await tempFolder('upkeep-gzip-window-');
  });

  it('stops after the window, with the figures of the whole read, for far less work', async () => {
    // 17 hours of requests, one a second; the window is the first ten minutes of them.
    const start = new Date(NOW.getTime() - 60_000 * 1000);
    const text = productionLog(60_000, start);
    await fs.writeFile(path.join(folder, 'production.log.1.gz'), gzipSync(text));
    const window: LogWindow = {
      from: start,
      to: new Date(start.getTime() + 600_000),
      label: 'first ten minutes',
    };
    // Standard input is read to its end whatever the window: the whole read's figures.
    const whole = await summarize(['-'], window, Buffer.from(text));
    const windowed = await summarize(['production.log.1.gz'], window);
    assert.equal(windowed.requests.total, 601);
    assert.deepEqual(
      windowFigures(windowed, 'production.log.1.gz'),
      windowFigures(whole, 'production.log.1.gz'),
    );
    assert.equal(windowed.sources[0].error, undefined);
    assert.ok(windowed.sources[0].lines < whole.sources[0].lines / 5);

    // The same .gz read whole (no window) against read for its first ten minutes.
    let wholeMs = Infinity;
    let windowMs = Infinity;
    for (let i = 0; i < 3; i++) {
      wholeMs = Math.min(wholeMs, await cpuMsOf(() => summarize(['production.log.1.gz'])));
      windowMs = Math.min(
        windowMs,
        await cpuMsOf(() => summarize(['production.log.1.gz'], window)),
      );
    }
    const ratio = windowMs / Math.max(wholeMs, 1);
    assert.ok(
      ratio < 0.35,
      `the window took ${ratio.toFixed(2)} of the whole read (${windowMs} vs ${wholeMs} ms)`,
    );
  });

  /**
   * A .gz of one process's log of 10,000 s then `second` requests of another's from the same
   * start, read for its first ten minutes: the whole read's figures, both logs' requests.
   */
  async function joined(name: string, second: number): Promise<void> {
    const start = new Date(NOW.getTime() - 4 * 3_600_000);
    const text = productionLog(10_000, start, 100) + productionLog(second, start, 200);
    await fs.writeFile(path.join(folder, name), gzipSync(text));
    const window: LogWindow = {
      from: start,
      to: new Date(start.getTime() + 600_000),
      label: 'first ten minutes',
    };
    const whole = await summarize(['-'], window, Buffer.from(text));
    const windowed = await summarize([name], window);
    assert.equal(windowed.requests.total, 601 + Math.min(second, 601));
    assert.deepEqual(windowFigures(windowed, name), windowFigures(whole, name));
  }

  it('reads on where a .gz goes back in time: its later part holds the window too', async () => {
    // Two processes' logs one after the other (logs joined with cat, then compressed).
    await joined('joined.log.gz', 10_000);
  });

  it('reads on where a .gz goes back in its last lines, after the last one looked at', async () => {
    // A short second log at the end, shorter than the stretch between two lines looked at.
    await joined('late.log.gz', 50);
  });
});
