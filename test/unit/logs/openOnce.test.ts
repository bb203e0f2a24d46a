/**
 * Every step of one summary reads the one open file: the look at its first bytes, the order
 * probes, the seek to the window and the read. A log whose name is given to something else
 * between those steps (logrotate's `create`, a FIFO or a link a hostile repo puts there) is
 * read as the file that was opened, never as what took its name, and nothing waits.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { summarizeLogs, type LogSummary, type LogWindow } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { makeFifo, releaseFifo, settledWithin } from '../../support/fifo';
import { tempFolder } from '../../support/tempFolders';

const NOW = new Date('2026-12-04T12:00:00Z');
const WINDOW: LogWindow = { from: new Date(NOW.getTime() - 600_000), to: NOW, label: '10 min' };

/** `count` requests of a Rails production log to `route`, one a second, the last at NOW. */
function productionLog(count: number, route = 'items'): string {
  const lines: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const at = new Date(NOW.getTime() - i * 1000).toISOString().replace('Z', '');
    const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000100`;
    lines.push(
      `I, [${at} #100]  INFO -- : [${id}] Started GET "/${route}/${i}" for 10.0.0.1 at ${at}`,
      `I, [${at} #100]  INFO -- : [${id}] Processing by ItemsController#show as HTML`,
      `I, [${at} #100]  INFO -- : [${id}] Completed 200 OK in 12ms (Views: 5.0ms)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The summary of `file` in `window`, with `swap` run after its first bytes were looked at. */
async function summarize(
  file: string,
  window: LogWindow | undefined,
  swap?: () => Promise<void>,
): Promise<LogSummary> {
  const outcome = await settledWithin(
    summarizeLogs({
      workspace: path.dirname(file),
      sources: [path.basename(file)],
      clock: fixedClock(NOW.toISOString()),
      timeZone: 'UTC',
      ...(window ? { window } : {}),
      afterProbe: swap,
    }),
    20_000,
  );
  assert.notEqual(outcome, 'hung', 'the summary waited on what took the log name');
  if (outcome instanceof Error) throw outcome;
  return outcome as LogSummary;
}

/** The summary without the moment it was made. */
function figures(summary: LogSummary): unknown {
  return { ...summary, generatedAt: '' };
}

describe('a log whose name is given to another file between the steps of a summary', function () {
  this.timeout(60_000);
  let folder: string;

  beforeEach(async () => {
    folder = await tempFolder('upkeep-log-open-once-');
  });

  it('reads the large log it opened, not the new one logrotate created', async () => {
    // Large enough to be probed for its order and searched for the window (8 MB).
    const file = path.join(folder, 'production.log');
    const text = productionLog(30_000);
    assert.ok(text.length > 8 * 1024 * 1024);
    await fs.writeFile(file, text);
    const before = await summarize(file, WINDOW);
    assert.ok(before.sources[0].seeked);
    const summary = await summarize(file, WINDOW, async () => {
      await fs.rename(file, `${file}.1`);
      await fs.writeFile(file, productionLog(50, 'swapped'));
    });
    assert.deepEqual(figures(summary), figures(before));
  });

  it('reads the large log it opened, not a FIFO put in its place', async () => {
    const file = path.join(folder, 'production.log');
    await fs.writeFile(file, productionLog(30_000));
    const before = await summarize(file, WINDOW);
    try {
      const summary = await summarize(file, WINDOW, async () => {
        await fs.rename(file, `${file}.1`);
        makeFifo(file);
      });
      assert.deepEqual(figures(summary), figures(before));
    } finally {
      await releaseFifo(file);
    }
  });

  it('reads the .gz it opened, not the file a link put in its place leads to', async () => {
    const file = path.join(folder, 'production.log.1.gz');
    await fs.writeFile(file, gzipSync(productionLog(200)));
    const elsewhere = path.join(await tempFolder('upkeep-log-elsewhere-'), 'other.log.gz');
    await fs.writeFile(elsewhere, gzipSync(productionLog(300, 'secret')));
    const before = await summarize(file, undefined);
    assert.equal(before.requests.total, 200);
    const summary = await summarize(file, undefined, async () => {
      await fs.rm(file);
      await fs.symlink(elsewhere, file);
    });
    assert.deepEqual(figures(summary), figures(before));
  });
});
