/**
 * Gzipped logs as they are found on servers: several members in one file (logrotate, `cat a.gz
 * b.gz`), bytes after the last member, a damaged checksum, a cut archive, an empty one, a .gz
 * that is plain text, a rotated log compressed without the .gz name, and a .gz that holds no
 * text log. Each gives a correct summary or a clear reason, from real files.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { gzipSync } from 'node:zlib';
import { crc32Here } from '../../../src/core/logs/gzipMembers';
import { summarizeLogs, type LogSummary } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { cpuMsAsync } from '../../support/growth';
import { tempFolder } from '../../support/tempFolders';

const NOW = '2026-12-04T12:00:00Z';

/** A Rails 7 production log: `requests` requests a minute apart, ending at `end`. */
function productionLog(requests: number, end: Date, tag: string): string {
  const lines: string[] = [];
  for (let i = requests - 1; i >= 0; i--) {
    const at = new Date(end.getTime() - i * 60_000);
    const stamp = at.toISOString().replace('Z', '');
    const id = `${tag}${i.toString(16).padStart(6, '0')}-0000-4000-8000-000000000100`;
    const prefix = `I, [${stamp} #100]  INFO -- : [${id}]`;
    lines.push(
      `${prefix} Started GET "/items/${i}" for 10.0.0.${i % 200} at ` +
        `${at.toISOString().slice(0, 19).replace('T', ' ')} +0000`,
      `${prefix} Processing by ItemsController#show as HTML`,
      `${prefix} Completed 200 OK in ${10 + (i % 90)}ms (Views: 5.0ms | ActiveRecord: 2.0ms)`,
    );
  }
  return lines.join('\n') + '\n';
}

const end = new Date(NOW);
const older = productionLog(10, new Date(end.getTime() - 3_600_000), 'a');
const newer = productionLog(20, end, 'b');

function summarize(folder: string, sources: string[]): Promise<LogSummary> {
  return summarizeLogs({ workspace: folder, sources, clock: fixedClock(NOW), timeZone: 'UTC' });
}

describe('gzipped log sources', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await tempFolder('upkeep-gzip-');
  });

  async function write(name: string, data: Buffer | string): Promise<void> {
    await fs.writeFile(path.join(folder, name), data);
  }

  it('reads every member of a .gz made of several (logrotate, cat a.gz b.gz)', async () => {
    await write('production.log.1.gz', Buffer.concat([gzipSync(older), gzipSync(newer)]));
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.requests.total, 30);
    assert.equal(s.sources[0].lines, 90);
    assert.equal(s.sources[0].error, undefined);
  });

  it('reads all of a .gz with bytes after its last member, saying they were ignored', async () => {
    await write('production.log.1.gz', Buffer.concat([gzipSync(newer), Buffer.from('junk\0\n')]));
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.requests.total, 20);
    assert.equal(s.sources[0].error, undefined);
    assert.equal(
      s.sources[0].warning,
      'production.log.1.gz: the 6 bytes after its last gzip member are not gzip data and ' +
        'were ignored, as gzip does.',
    );
  });

  it('takes trailing zero bytes (padding) after the last member in silence', async () => {
    await write('production.log.1.gz', Buffer.concat([gzipSync(newer), Buffer.alloc(512)]));
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.requests.total, 20);
    assert.equal(s.sources[0].warning, undefined);
    assert.equal(s.sources[0].error, undefined);
  });

  it('keeps the lines of a .gz whose checksum is wrong, and says it is damaged', async () => {
    const gz = gzipSync(newer);
    gz[gz.length - 6] ^= 0xff;
    await write('production.log.1.gz', gz);
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.sources[0].lines, 60);
    assert.equal(s.requests.total, 20);
    assert.match(s.sources[0].error ?? '', /checksum \(CRC-32\) does not match: it is damaged/);
  });

  it('says a .gz whose stored length is wrong is damaged', async () => {
    const gz = gzipSync(newer);
    gz[gz.length - 2] ^= 0xff;
    await write('production.log.1.gz', gz);
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.sources[0].lines, 60);
    assert.match(s.sources[0].error ?? '', /stored length does not match: it is damaged/);
  });

  it('keeps the whole lines of a cut .gz (being written, or a full disk)', async () => {
    const gz = gzipSync(newer);
    await write('production.log.1.gz', gz.subarray(0, gz.length - 20));
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.ok(s.sources[0].lines > 0 && s.sources[0].lines < 60, String(s.sources[0].lines));
    assert.match(s.sources[0].error ?? '', /ends before its gzip data does \(cut short\)/);
  });

  it('reads an empty .gz as an empty log', async () => {
    await write('production.log.1.gz', '');
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.sources[0].error, undefined);
    assert.equal(s.sources[0].lines, 0);
  });

  it('reads a .gz that is plain text as the log it is', async () => {
    await write('production.log.1.gz', newer);
    const s = await summarize(folder, ['production.log.1.gz']);
    assert.equal(s.sources[0].error, undefined);
    assert.equal(s.sources[0].gzip, false);
    assert.equal(s.requests.total, 20);
  });

  it('reads a rotated log compressed without the .gz name as gzip', async () => {
    await write('production.log.2', gzipSync(older));
    await write('production.log.1', newer);
    const s = await summarize(folder, ['production.log.*']);
    assert.deepEqual(
      s.sources.map((x) => [x.path, x.gzip, x.error]),
      [
        ['production.log.2', true, undefined],
        ['production.log.1', false, undefined],
      ],
    );
    assert.equal(s.requests.total, 30);
  });

  it('reads a .gz through a symbolic link, in its place among the rotated logs', async () => {
    await fs.mkdir(path.join(folder, 'archive'));
    await write('archive/production.log.2.gz', gzipSync(older));
    await fs.symlink('archive/production.log.2.gz', path.join(folder, 'production.log.2.gz'));
    await write('production.log.1', newer);
    const s = await summarize(folder, ['production.log.*']);
    assert.deepEqual(
      s.sources.map((x) => [x.path, x.lines]),
      [
        ['production.log.2.gz', 30],
        ['production.log.1', 60],
      ],
    );
    assert.equal(s.span.first, new Date(end.getTime() - 3_600_000 - 9 * 60_000).toISOString());
  });

  it('says a .gz linked to a moved archive is a link, not that it does not exist', async () => {
    await fs.symlink('archive/production.log.2.gz', path.join(folder, 'production.log.2.gz'));
    const s = await summarize(folder, ['production.log.2.gz']);
    assert.equal(
      s.sources[0].error,
      `${path.join(folder, 'production.log.2.gz')} is a symbolic link to ` +
        'archive/production.log.2.gz, which does not exist: point the link or the setting at ' +
        'the log where it is now.',
    );
    assert.equal(s.sources[0].missing, undefined);
  });

  it('refuses a .gz that holds no text log, as it does a plain file', async () => {
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 7)]);
    await write('image.log.gz', gzipSync(png));
    await write('twice.log.gz', gzipSync(gzipSync(newer)));
    const s = await summarize(folder, ['image.log.gz', 'twice.log.gz']);
    assert.equal(
      s.sources[0].error,
      'image.log.gz does not look like a text log: it starts as a PNG image, so it was not ' +
        'read. Name the log file itself, or leave this file out of upkeep.logs.sources.',
    );
    assert.match(s.sources[1].error ?? '', /^twice\.log\.gz does not look like a text log: it /);
    assert.match(s.sources[1].error ?? '', /starts as gzip-compressed data/);
    assert.equal(s.sources[0].lines + s.sources[1].lines, 0);
  });
});

describe('gzip members', () => {
  it('reads headers with every optional field (gzip names the file it compressed)', async () => {
    const folder = await tempFolder('upkeep-gzip-');
    const plain = gzipSync(newer);
    const fields = Buffer.concat([
      Buffer.from([4, 0, 0x41, 0x42, 2, 0]), // FEXTRA: 4 bytes of a subfield
      Buffer.from('production.log\0', 'latin1'),
      Buffer.from('rotated by logrotate\0', 'latin1'),
    ]);
    const header = Buffer.concat([plain.subarray(0, 10), fields]);
    header[3] = 4 | 8 | 16 | 2;
    const headerCrc = Buffer.alloc(2);
    headerCrc.writeUInt16LE(crc32Here(header) & 0xffff);
    const member = Buffer.concat([header, headerCrc, plain.subarray(10)]);
    const damaged = Buffer.from(member);
    damaged[header.length] ^= 1;
    await fs.writeFile(path.join(folder, 'fields.log.gz'), member);
    await fs.writeFile(path.join(folder, 'damaged.log.gz'), damaged);
    const s = await summarize(folder, ['fields.log.gz', 'damaged.log.gz']);
    const [whole, hurt] = ['fields.log.gz', 'damaged.log.gz'].map((name) =>
      s.sources.find((source) => source.path === name),
    );
    assert.equal(whole?.error, undefined);
    assert.equal(whole?.lines, 60);
    assert.match(hurt?.error ?? '', /its gzip header is damaged/);
    assert.equal(s.requests.total, 20);
  });

  it('reads a log gzipped a line at a time in about the time of one member', async () => {
    const folder = await tempFolder('upkeep-gzip-');
    const lines = newer.split('\n').slice(0, -1);
    const log = Array.from({ length: 5_000 }, (_, i) => `${lines[i % lines.length]}\n`);
    const members: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) members.push(gzipSync(''));
    for (const line of log) members.push(gzipSync(line));
    await fs.writeFile(path.join(folder, 'lines.log.gz'), Buffer.concat(members));
    await fs.writeFile(path.join(folder, 'one.log.gz'), gzipSync(log.join('')));
    // A zlib stream per member took about 9 s here (a third of a millisecond each), some 200×
    // the one member; read as it is now, about 12×. The best of three each, in CPU time.
    const best = async (name: string): Promise<number> => {
      let least = Infinity;
      for (let run = 0; run < 3; run++) {
        least = Math.min(least, await cpuMsAsync(() => summarize(folder, [name])));
      }
      return least;
    };
    await best('one.log.gz');
    const ratio = (await best('lines.log.gz')) / Math.max(await best('one.log.gz'), 1);
    assert.ok(ratio < 60, `25,000 members took ${ratio.toFixed(1)}× the time of one`);
    const s = await summarize(folder, ['lines.log.gz']);
    assert.equal(s.sources[0].lines, 5000);
    assert.equal(s.sources[0].error, undefined);
  });

  for (const first of [true, false]) {
    const where = first ? 'after the log' : 'before the log (the probe for text)';
    it(`stops at once on abort in a long run of empty members ${where}`, async () => {
      await abortInEmptyMembers(first);
    });
  }

  async function abortInEmptyMembers(logFirst: boolean): Promise<void> {
    const folder = await tempFolder('upkeep-gzip-');
    const empties = Buffer.concat(Array(3_000_000).fill(gzipSync('')));
    const log = gzipSync(newer);
    await fs.writeFile(
      path.join(folder, 'empty.log.gz'),
      Buffer.concat(logFirst ? [log, empties] : [empties, log]),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const tookMs = await cpuMsAsync(() =>
      assert.rejects(
        summarizeLogs({
          workspace: folder,
          sources: ['empty.log.gz'],
          clock: fixedClock(NOW),
          timeZone: 'UTC',
          signal: controller.signal,
        }),
        (error: Error) => /abort|cancel/i.test(`${error.name} ${error.message}`),
      ),
    );
    // Stopped, it takes under 100 ms of CPU; read to the end, some 5 s.
    assert.ok(tookMs < 2500, `${tookMs} ms`);
  }

  it('computes CRC-32 as zlib does, for node versions without zlib.crc32', () => {
    const data = Buffer.from(newer);
    const zlibCrc = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
    if (!zlibCrc) return;
    assert.equal(crc32Here(data), zlibCrc(data));
    assert.equal(crc32Here(data.subarray(100), crc32Here(data.subarray(0, 100))), zlibCrc(data));
    assert.equal(crc32Here(Buffer.alloc(0)), 0);
  });
});
