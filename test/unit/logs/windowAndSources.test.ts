/**
 * Windows and sources: parsing "1h".."FROM..TO", finding a window near the end of a large file by
 * seeking, globs of rotated files (with .gz) read as one timeline, the message for a missing log,
 * and files that grow, shrink or are rotated while they are read.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseWindow, summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { FIXTURES } from './helpers';

const NOW = '2026-12-04T12:00:00Z';
const clock = fixedClock(NOW);

/** A Rails 7 production log: one request every `stepSeconds`, ending at `end`. */
function productionLog(requests: number, end: Date, stepSeconds: number, pid = 100): string {
  const lines: string[] = [];
  for (let i = requests - 1; i >= 0; i--) {
    const at = new Date(end.getTime() - i * stepSeconds * 1000);
    const stamp = at.toISOString().replace('Z', '');
    const id =
      `${i.toString(16).padStart(8, '0')}-0000-4000-8000-` + `${pid.toString().padStart(12, '0')}`;
    const status = i % 50 === 0 ? 500 : 200;
    lines.push(
      `I, [${stamp} #${pid}]  INFO -- : [${id}] Started GET "/items/${i}" ` +
        `for 10.0.0.${i % 200} at ${at.toISOString().slice(0, 19).replace('T', ' ')} +0000`,
      `I, [${stamp} #${pid}]  INFO -- : [${id}] Processing by ItemsController#show as HTML`,
      `I, [${stamp} #${pid}]  INFO -- : [${id}] Completed ${status} ` +
        `${status === 200 ? 'OK' : 'Internal Server Error'} in ` +
        `${10 + (i % 90)}ms (Views: 5.0ms | ActiveRecord: 2.0ms)`,
    );
  }
  return lines.join('\n') + '\n';
}

async function tempFolder(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-logs-'));
}

describe('log windows', () => {
  it('reads durations and ranges', () => {
    const hour = parseWindow('1h', clock);
    assert.equal(hour.label, 'last hour');
    assert.equal(hour.from?.toISOString(), '2026-12-04T11:00:00.000Z');
    assert.equal(hour.to?.toISOString(), '2026-12-04T12:00:00.000Z');
    assert.equal(parseWindow('24h', clock).label, 'last 24 hours');
    assert.equal(parseWindow('7d', clock).from?.toISOString(), '2026-11-27T12:00:00.000Z');
    assert.equal(parseWindow('30m', clock).label, 'last 30 minutes');
    const range = parseWindow('2026-12-01T08:00Z..2026-12-01T12:00Z', clock);
    assert.equal(range.from?.toISOString(), '2026-12-01T08:00:00.000Z');
    assert.equal(range.to?.toISOString(), '2026-12-01T12:00:00.000Z');
    const open = parseWindow('2026-12-01T08:00Z..', clock);
    assert.equal(open.to, undefined);
    assert.equal(parseWindow('all', clock).label, 'all');
  });

  it('rejects a window it cannot read, saying what would work', () => {
    for (const bad of [
      'yesterday',
      '0h',
      '2026-13-45..',
      '2026-12-02..2026-12-01',
      '1 fortnight',
    ]) {
      assert.throws(
        () => parseWindow(bad, clock),
        (error: unknown) => UpkeepError.is(error, 'config') && /1h, 24h, 7d/.test(error.hint ?? ''),
        bad,
      );
    }
  });

  it('counts only the requests inside the window', async () => {
    const folder = await tempFolder();
    try {
      // 240 requests, one a minute, the last at 12:00: 61 in the last hour (11:00..12:00).
      await fs.writeFile(
        path.join(folder, 'production.log'),
        productionLog(240, new Date(NOW), 60),
      );
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        window: parseWindow('1h', clock),
        clock,
        timeZone: 'UTC',
      });
      assert.equal(s.requests.total, 61);
      assert.equal(s.assembly.outsideWindow, 179);
      assert.equal(s.span.first, '2026-12-04T11:00:00.000Z');
      // i = 0 and i = 50 are 500s; only i = 0..60 are in the window.
      assert.equal(s.statusClasses['5xx'], 2);
      assert.equal(s.window.label, 'last hour');
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('finds the last hour of a large file by seeking, reading a small part of it', async () => {
    const folder = await tempFolder();
    try {
      // ~20 MB: 60,000 requests one every 10 s (about a week), the last at 12:00.
      const file = path.join(folder, 'production.log');
      await fs.writeFile(file, productionLog(60_000, new Date(NOW), 10));
      const window = parseWindow('1h', clock);
      const seeked = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        window,
        clock,
        timeZone: 'UTC',
      });
      const [source] = seeked.sources;
      assert.equal(source.seeked, true);
      assert.ok(
        source.bytesRead < source.bytes / 20,
        `read ${source.bytesRead} of ${source.bytes}`,
      );
      // 12:00 back to 11:00 every 10 s: 361 requests.
      assert.equal(seeked.requests.total, 361);
      assert.equal(seeked.slowest[0].line, null, 'line numbers are unknown after a seek');
      assert.ok(seeked.slowest[0].offset > 0);

      // The same figures as reading the whole file.
      const whole = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        window: { from: window.from, to: window.to, label: 'x' },
        clock,
        timeZone: 'UTC',
        chunkBytes: 8 * 1024 * 1024,
      });
      assert.equal(whole.requests.total, 361);
      assert.deepEqual(seeked.statuses, whole.statuses);
      assert.equal(seeked.duration.p95Ms, whole.duration.p95Ms);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

describe('log sources', () => {
  it('reads a glob of rotated files, gzipped ones included, as one timeline', async () => {
    const folder = await tempFolder();
    try {
      const log = path.join(folder, 'log');
      await fs.mkdir(log);
      const end = new Date(NOW);
      const day = 86_400_000;
      await fs.writeFile(
        path.join(log, 'production.log.2.gz'),
        gzipSync(productionLog(10, new Date(end.getTime() - 2 * day), 60)),
      );
      await fs.writeFile(
        path.join(log, 'production.log.1'),
        productionLog(20, new Date(end.getTime() - day), 60),
      );
      await fs.writeFile(path.join(log, 'production.log'), productionLog(30, end, 60));
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['log/production.log*'],
        clock,
        timeZone: 'UTC',
      });
      assert.deepEqual(
        s.sources.map((x) => x.path),
        ['log/production.log.2.gz', 'log/production.log.1', 'log/production.log'],
      );
      assert.equal(s.requests.total, 60);
      assert.equal(s.span.first, new Date(end.getTime() - 2 * day - 9 * 60_000).toISOString());
      assert.equal(s.span.last, end.toISOString());
      // Each file spans the turn of an hour: 11:31..12:00 and so on.
      assert.equal(s.requests.perHour.length, 6);
      assert.ok(s.requests.perHour.every((h, i, all) => i === 0 || all[i - 1].hour < h.hour));
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  for (const [style, days] of [
    ['dateext', ['20261202', '20261203.gz', '20261130.gz']],
    ['dateext with dashes', ['2026-12-02', '2026-12-03.gz', '2026-11-30.gz']],
  ] as const) {
    it(`orders rotated files named by date (${style}) by their date, not their mtime`, async () => {
      const folder = await tempFolder();
      try {
        const log = path.join(folder, 'log');
        await fs.mkdir(log);
        const day = 86_400_000;
        // Copied (cp without -p, a restore, a checkout): the mtimes say nothing of the order,
        // here the reverse of it, the live log's the oldest.
        const files = [...days.map((d) => `production.log-${d}`), 'production.log'];
        const ends = [-2, -1, -4, 0].map((n) => new Date(Date.parse(NOW) + n * day));
        for (const [k, name] of files.entries()) {
          const text = productionLog(5, ends[k], 60);
          const file = path.join(log, name);
          await fs.writeFile(file, name.endsWith('.gz') ? gzipSync(text) : text);
          const stamp = new Date(Date.parse(NOW) - (k + 1) * 1000);
          await fs.utimes(file, stamp, name === 'production.log' ? new Date(0) : stamp);
        }
        const s = await summarizeLogs({
          workspace: folder,
          sources: ['log/production.log*'],
          clock,
          timeZone: 'UTC',
        });
        assert.deepEqual(
          s.sources.map((x) => x.path),
          [2, 0, 1, 3].map((k) => `log/${files[k]}`),
        );
        assert.equal(s.requests.total, 20);
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    });
  }

  it('joins a request cut by a dateext rotation when the mtimes are the reverse', async () => {
    const folder = await tempFolder();
    try {
      const id = '0a0b0c0d-0000-4000-8000-000000000001';
      const line = (at: string, text: string): string =>
        `I, [${at} #100]  INFO -- : [${id}] ${text}\n`;
      const older = path.join(folder, 'production.log-20261204');
      const live = path.join(folder, 'production.log');
      await fs.writeFile(
        older,
        line('2026-12-03T23:59:59.000000', 'Started GET "/a" for 10.0.0.1 at 2026-12-03 23:59:59') +
          line('2026-12-03T23:59:59.100000', 'Processing by ItemsController#show as HTML'),
      );
      await fs.writeFile(live, line('2026-12-04T00:00:01.000000', 'Completed 200 OK in 2000ms'));
      await fs.utimes(live, new Date(0), new Date(0));
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['production.log*'],
        clock,
        timeZone: 'UTC',
      });
      // Read the other way round, the one request counted as two: one never completed.
      assert.equal(s.requests.total, 1);
      assert.equal(s.assembly.incomplete, 0);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('skips rotated files last changed before the window', async () => {
    const folder = await tempFolder();
    try {
      const old = path.join(folder, 'production.log.1');
      await fs.writeFile(old, productionLog(10, new Date('2026-12-01T00:00:00Z'), 60));
      await fs.utimes(old, new Date('2026-12-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
      await fs.writeFile(path.join(folder, 'production.log'), productionLog(10, new Date(NOW), 60));
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['production.log*'],
        window: parseWindow('1h', clock),
        clock,
        timeZone: 'UTC',
      });
      assert.deepEqual(
        s.sources.map((x) => [x.path, Boolean(x.skipped)]),
        [
          ['production.log.1', true],
          ['production.log', false],
        ],
      );
      assert.equal(s.requests.total, 10);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('says why log/production.log may be missing and how to point Upkeep at the logs', async () => {
    const folder = await tempFolder();
    try {
      const s = await summarizeLogs({ workspace: folder, sources: ['log/production.log'], clock });
      assert.equal(s.sources.length, 1);
      assert.equal(s.sources[0].missing, true);
      assert.match(s.sources[0].error ?? '', /log\/production\.log does not exist/);
      assert.match(s.sources[0].error ?? '', /Rails 7\.1 and later log to STDOUT/);
      assert.match(s.sources[0].error ?? '', /upkeep\.logs\.sources/);
      assert.equal(s.requests.total, 0);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('stops with a cancelled error when the signal aborts', async () => {
    const controller = new AbortController();
    await assert.rejects(
      summarizeLogs({
        workspace: FIXTURES,
        sources: ['rails7_development_ansi.log'],
        clock,
        signal: controller.signal,
        chunkBytes: 1024,
        afterChunk: async () => controller.abort(),
      }),
      (error: unknown) => UpkeepError.is(error, 'cancelled'),
    );
  });

  it('rejects an unknown time zone as a configuration error', async () => {
    const summary = (surface?: 'editor'): Promise<unknown> =>
      summarizeLogs({
        workspace: FIXTURES,
        sources: ['rails22.log'],
        clock,
        timeZone: 'Mars/Olympus',
        surface,
      });
    await assert.rejects(
      summary(),
      (error: unknown) =>
        UpkeepError.is(error, 'config') &&
        error.message === '"Mars/Olympus" is not a time zone this system knows.' &&
        /upkeep\.logs\.timeZone or --time-zone/.test(error.hint ?? ''),
    );
    // The editor has no --time-zone: the setting alone.
    await assert.rejects(
      summary('editor'),
      (error: unknown) =>
        UpkeepError.is(error, 'config') &&
        error.hint === 'Use an IANA name such as Europe/Berlin or UTC in upkeep.logs.timeZone.',
    );
  });
});

describe('files changing while they are read', () => {
  const request = (i: number): string =>
    `Started GET "/n/${i}" for 127.0.0.1 at 2026-12-04 11:00:00 +0000\n` +
    `Processing by NController#show as HTML\n` +
    `Completed 200 OK in ${i % 100}ms (Views: 1.0ms | ActiveRecord: 1.0ms)\n`;
  const log = (count: number): string =>
    Array.from({ length: count }, (_v, i) => request(i)).join('');

  it('a file that grows is read as the snapshot it was when reading began', async () => {
    const folder = await tempFolder();
    try {
      const file = path.join(folder, 'production.log');
      await fs.writeFile(file, log(2000));
      const expected = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        clock,
      });
      let chunks = 0;
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        clock,
        chunkBytes: 16 * 1024,
        afterChunk: async () => {
          chunks++;
          await fs.appendFile(file, log(50));
        },
      });
      assert.ok(chunks > 5);
      assert.equal(s.requests.total, 2000);
      assert.deepEqual(s.statuses, expected.statuses);
      assert.equal(s.duration.meanMs, expected.duration.meanMs);
      assert.deepEqual(s.warnings, []);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it(
    'a file truncated while read gives a consistent summary of what was read, ' + 'and says so',
    async () => {
      const folder = await tempFolder();
      try {
        const file = path.join(folder, 'production.log');
        await fs.writeFile(file, log(2000));
        let chunks = 0;
        const s = await summarizeLogs({
          workspace: folder,
          sources: ['production.log'],
          clock,
          chunkBytes: 16 * 1024,
          afterChunk: async () => {
            if (++chunks === 3) await fs.truncate(file, 0);
          },
        });
        // Three chunks of 16 KB hold whole requests up to the cut; none is double counted.
        assert.ok(s.requests.total > 100 && s.requests.total < 2000, String(s.requests.total));
        assert.equal(s.requests.completed + s.requests.incomplete, s.requests.total);
        assert.ok(s.requests.incomplete <= 1);
        assert.equal(s.sources[0].bytesRead, 3 * 16 * 1024);
        assert.match(s.warnings.join('\n'), /became shorter while it was read/);
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    },
  );

  it('a file rotated (renamed and replaced) while read is read to its end', async () => {
    const folder = await tempFolder();
    try {
      const file = path.join(folder, 'production.log');
      await fs.writeFile(file, log(2000));
      let rotated = false;
      const s = await summarizeLogs({
        workspace: folder,
        sources: ['production.log'],
        clock,
        chunkBytes: 16 * 1024,
        afterChunk: async () => {
          if (rotated) return;
          rotated = true;
          await fs.rename(file, `${file}.1`);
          await fs.writeFile(file, log(5));
        },
      });
      assert.equal(s.requests.total, 2000);
      assert.deepEqual(s.warnings, []);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
