/**
 * The log engine's readers on a real FIFO where a log file was listed: the sources are judged
 * by a stat when they are listed, and a FIFO put in a file's place after that (or a path handed
 * to a reader directly) must be refused at once, never waited on: a plain open of a FIFO waits
 * for a writer for ever, and with it the summary, the dashboard, `upkeep logs` and the checks.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readLines } from '../../../src/core/logs/lineReader';
import { readInRanges } from '../../../src/core/logs/parallel';
import { ReportBuilder } from '../../../src/core/logs/report';
import { RequestAssembler } from '../../../src/core/logs/requestAssembler';
import { summarizeLogs, type LogSummary } from '../../../src/core/logs/summary';
import { ZoneClock } from '../../../src/core/logs/timestamps';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { makeFifo, releaseFifo, settledWithin } from '../../support/fifo';
import { tempFolder } from '../../support/tempFolders';

const NOW = new Date('2026-12-04T12:00:00Z');

/** `count` requests of a Rails production log, one a second, the last at `end`. */
function productionLog(count: number, end = NOW): string {
  const lines: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const at = new Date(end.getTime() - i * 1000).toISOString().replace('Z', '');
    const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000100`;
    lines.push(
      `I, [${at} #100]  INFO -- : [${id}] Started GET "/items/${i}" for 10.0.0.1 at ${at}`,
      `I, [${at} #100]  INFO -- : [${id}] Processing by ItemsController#show as HTML`,
      `I, [${at} #100]  INFO -- : [${id}] Completed 200 OK in 12ms (Views: 5.0ms)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function refused(outcome: unknown): boolean {
  return UpkeepError.is(outcome, 'config') && /not a regular file$/.test(outcome.message);
}

describe('log readers on a FIFO', () => {
  let folder: string;
  let fifo: string;

  beforeEach(async () => {
    folder = await tempFolder('upkeep-log-fifo-');
    fifo = path.join(folder, 'production.log');
    makeFifo(fifo);
  });

  afterEach(() => releaseFifo(fifo));

  it('readLines refuses it at once, plain or gzipped', async () => {
    for (const gzip of [false, true]) {
      const reading = readLines(fifo, { end: 1_000_000, gzip, firstLine: 1 }, () => true);
      assert.ok(refused(await settledWithin(reading)), `gzip: ${gzip}`);
    }
  });

  it('the reader in ranges refuses it at once', async () => {
    const report = new ReportBuilder(NaN, NaN, 1000, (file) => file, NOW.getTime());
    const reading = readInRanges(
      {
        file: fifo,
        start: 0,
        end: 64 * 1024 * 1024,
        firstLine: 1,
        zone: new ZoneClock('UTC'),
        now: NOW,
        from: NaN,
        to: NaN,
        slowRequestMs: 1000,
        stopAfter: NaN,
        workspace: folder,
        ranges: 2,
        inProcess: true,
      },
      report,
      new RequestAssembler(report),
    );
    assert.ok(refused(await settledWithin(reading)));
  });
});

describe('a log file that becomes a FIFO while the sources are read', () => {
  /**
   * Summarizes `first` then `second` (older first), the second swapped for a FIFO while the
   * first is read: after the sources' stat said it was a file of its size.
   */
  async function swapped(
    second: string,
    text: Buffer | string,
    window?: { from: Date; to: Date; label: string },
  ): Promise<LogSummary | 'hung'> {
    const folder = await tempFolder('upkeep-log-swap-');
    const firstFile = path.join(folder, 'production.log.1');
    const secondFile = path.join(folder, second);
    await fs.writeFile(firstFile, productionLog(500));
    await fs.writeFile(secondFile, text);
    const before = new Date(NOW.getTime() - 1000);
    await fs.utimes(firstFile, before, before);
    await fs.utimes(secondFile, NOW, NOW);
    let swappedIn = false;
    try {
      const outcome = await settledWithin(
        summarizeLogs({
          workspace: folder,
          sources: ['production.log.1', second],
          clock: fixedClock(NOW.toISOString()),
          timeZone: 'UTC',
          ...(window ? { window } : {}),
          chunkBytes: 16 * 1024,
          afterChunk: async () => {
            if (swappedIn) return;
            swappedIn = true;
            await fs.rm(secondFile);
            makeFifo(secondFile);
          },
        }),
      );
      assert.ok(swappedIn);
      if (outcome instanceof Error) throw outcome;
      return outcome as LogSummary | 'hung';
    } finally {
      await releaseFifo(secondFile);
    }
  }

  function assertRefused(summary: LogSummary | 'hung', name: string): void {
    assert.notEqual(summary, 'hung');
    if (summary === 'hung') return;
    // The first file still counts; the second is named, with why it was not read.
    assert.equal(summary.requests.total, 500);
    const expected =
      `Could not read ${name}: it is not a regular file any more (a pipe, device or ` +
      'folder took its place); Upkeep reads log files only.';
    assert.equal(summary.sources[1].error, expected);
    assert.ok(summary.warnings.includes(expected), summary.warnings.join('\n'));
  }

  it('a plain log is refused at once, and the summary of the others stands', async () => {
    assertRefused(await swapped('production.log', productionLog(100)), 'production.log');
  });

  it('a gzipped log is refused at once', async () => {
    const archive = gzipSync(productionLog(100));
    assertRefused(await swapped('production.log.gz', archive), 'production.log.gz');
  });

  it('a large log read only around the window is refused at once', async () => {
    // Large enough to be searched for the window (8 MB) instead of read whole.
    const text = productionLog(30_000);
    assert.ok(text.length > 8 * 1024 * 1024);
    const window = { from: new Date(NOW.getTime() - 600_000), to: NOW, label: 'last 10 min' };
    const summary = await swapped('production.log', text, window);
    assert.notEqual(summary, 'hung');
    if (summary === 'hung') return;
    assert.match(summary.sources[1].error ?? '', /not a regular file any more/);
  });

  it('a file named like a systemd journal is refused at once', async () => {
    assertRefused(await swapped('system.journal', productionLog(100)), 'system.journal');
  });
});
