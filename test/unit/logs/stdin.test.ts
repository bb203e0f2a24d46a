/**
 * Standard input as a log source (`upkeep logs -`, for `docker logs web | upkeep logs -` when
 * Rails 7.1+ logs to STDOUT): the same figures as the file, whatever the chunks, after the
 * files when both are given, and a clear word for what cannot be read.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { LogSummary } from '../../../src/core/logs/summary';
import { formatSummaryText } from '../../../src/core/logs/textReport';
import { silentLogger } from '../../../src/core/util/logger';
import { FIXTURES, summarizeFixture } from './helpers';

const FILE = 'rails52_production_tagged.log';

/** The figures, without what names the source. */
function figures(summary: LogSummary): unknown {
  const { generatedAt, sources, ...rest } = summary;
  void generatedAt;
  void sources;
  return JSON.parse(JSON.stringify(rest).replaceAll(`"file":"${FILE}"`, '"file":"-"'));
}

/** `bytes` cut into pieces of `size` bytes, splitting lines anywhere. */
function pieces(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('log summary of standard input', () => {
  let bytes: Buffer;
  let fromFile: LogSummary;

  before(async () => {
    bytes = await fs.readFile(path.join(FIXTURES, FILE));
    fromFile = await summarizeFixture(FILE);
    assert.ok(fromFile.requests.total > 0);
  });

  for (const size of [1 << 20, 97, 1]) {
    it(`gives the file's figures from chunks of ${size} bytes`, async () => {
      const summary = await summarizeFixture('-', { stdin: pieces(bytes, size) });
      assert.deepEqual(figures(summary), figures(fromFile));
      const [source] = summary.sources;
      assert.equal(source.pattern, '-');
      assert.equal(source.path, '-');
      assert.equal(source.stdin, true);
      assert.equal(source.bytes, bytes.length);
      assert.equal(source.bytesRead, bytes.length);
      assert.equal(source.lines, fromFile.sources[0].lines);
      // Locations name standard input, with the line numbers it came with.
      assert.equal(summary.slowest[0].file, '-');
      assert.equal(summary.slowest[0].line, fromFile.slowest[0].line);
      assert.match(formatSummaryText(summary), /source standard input \(/);
    });
  }

  it('names it - in locations when run from a folder inside the workspace', async () => {
    // `upkeep logs -` in the app's log/ folder: `-` is no file there to make relative.
    const summary = await summarizeFixture('-', {
      stdin: pieces(bytes, 1 << 16),
      workspace: path.dirname(process.cwd()),
    });
    assert.equal(summary.slowest[0].file, '-');
    assert.equal(summary.sources[0].path, '-');
  });

  it('reads standard input after the files given with it', async () => {
    const summary = await summarizeFixture(['security.log', '-'], {
      stdin: pieces(bytes, 4096),
    });
    const alone = await summarizeFixture('security.log');
    assert.deepEqual(
      summary.sources.map((s) => s.pattern),
      ['security.log', '-'],
    );
    assert.equal(summary.requests.total, alone.requests.total + fromFile.requests.total);
  });

  for (const size of [1 << 16, 1]) {
    it(`reads gzip-compressed input in chunks of ${size} bytes as the file`, async () => {
      // Two members, as logrotate's appends or `cat a.gz b.gz` give; a slow pipe (ssh, a busy
      // docker daemon) may hand over the magic bytes one by one.
      const half = bytes.length >> 1;
      const archive = Buffer.concat([
        gzipSync(bytes.subarray(0, half)),
        gzipSync(bytes.subarray(half)),
      ]);
      const summary = await summarizeFixture('-', { stdin: pieces(archive, size) });
      assert.deepEqual(figures(summary), figures(fromFile));
      const [source] = summary.sources;
      assert.equal(source.error, undefined);
      assert.equal(source.gzip, true);
      assert.equal(source.bytes, archive.length);
      assert.equal(source.bytesRead, bytes.length);
      assert.match(formatSummaryText(summary), /source standard input \([^)]*, gzip\)/);
    });
  }

  it('ignores bytes after the last gzip member with a word, as a .gz file', async () => {
    const archive = Buffer.concat([gzipSync(bytes), Buffer.from('not gzip\n')]);
    const summary = await summarizeFixture('-', { stdin: pieces(archive, 4096) });
    assert.equal(summary.requests.total, fromFile.requests.total);
    assert.equal(summary.sources[0].error, undefined);
    assert.equal(
      summary.sources[0].warning,
      'standard input: the 9 bytes after its last gzip member are not gzip data and were ' +
        'ignored, as gzip does.',
    );
  });

  it('keeps the lines before damaged gzip input, and says where it stopped', async () => {
    const whole = gzipSync(bytes);
    const damaged = Buffer.concat([gzipSync(bytes.subarray(0, 9000)), whole.subarray(0, 300)]);
    const summary = await summarizeFixture('-', { stdin: pieces(damaged, 1000) });
    assert.ok(summary.requests.total > 0 && summary.requests.total < fromFile.requests.total);
    assert.match(
      summary.sources[0].error ?? '',
      /^Could not read all of standard input: it ends before its gzip data does \(cut short\); /,
    );
  });

  it('judges the text inside gzip input: compressed twice is no log', async () => {
    const summary = await summarizeFixture('-', { stdin: pieces(gzipSync(gzipSync(bytes)), 512) });
    assert.match(
      summary.sources[0].error ?? '',
      /^Standard input does not look like a text log: it starts as gzip-compressed data/,
    );
  });

  it('says in its progress line that it read standard input', async () => {
    const lines: string[] = [];
    const log = { ...silentLogger, info: (line: string) => lines.push(line) };
    await summarizeFixture(['security.log', '-'], { stdin: pieces(bytes, 4096), log });
    assert.match(lines.join('\n'), /^read 1 file and standard input, \d+ lines, /m);
    await summarizeFixture('-', { stdin: pieces(bytes, 4096), log });
    assert.match(lines.join('\n'), /^read standard input, \d+ lines, /m);
  });

  it('says so when nothing came through the pipe', async () => {
    // ssh or docker logs that failed: their error went to the terminal, the pipe stayed empty.
    const summary = await summarizeFixture('-', { stdin: Readable.from([]) });
    assert.equal(summary.sources[0].bytes, 0);
    // An error, so that upkeep logs exits 2 when it read nothing else.
    assert.equal(
      summary.sources[0].error,
      'Standard input was empty: did the command before | fail?',
    );
    assert.ok(
      summary.warnings.includes('Standard input was empty: did the command before | fail?'),
      summary.warnings.join('\n'),
    );
  });

  it('calls - unreadable where nothing feeds it (the dashboard, the checks)', async () => {
    const summary = await summarizeFixture([FILE, '-']);
    assert.equal(summary.requests.total, fromFile.requests.total);
    const stdin = summary.sources.find((s) => s.pattern === '-');
    assert.match(stdin?.error ?? '', /read by upkeep logs only; name a log file instead/);
  });

  it('keeps what came before a stream that fails, and says where it stopped', async () => {
    const half = bytes.subarray(0, bytes.indexOf(10, bytes.length >> 1) + 1);
    async function* failing(): AsyncIterable<Buffer> {
      yield half;
      throw new Error('the pipe broke');
    }
    const summary = await summarizeFixture('-', { stdin: failing() });
    assert.ok(summary.requests.total > 0 && summary.requests.total < fromFile.requests.total);
    assert.match(summary.sources[0].error ?? '', /Could not read all of standard input: the pipe/);
  });
});
