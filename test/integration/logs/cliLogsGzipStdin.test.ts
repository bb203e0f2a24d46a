/**
 * The built `upkeep logs -` fed a gzip on standard input (`ssh web cat production.log.1.gz |
 * upkeep logs -`): read through zlib as a .gz file is, every member of it, and a damaged one
 * named as a damaged .gz file is, with the same exit code. It said to decompress it first.
 * Needs `node esbuild.mjs` first.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { watchCli, type CliRun } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const LOG = path.join(ROOT, 'test/fixtures/logs/rails52_production_tagged.log');

interface Summary {
  sources: { path?: string; error?: string; gzip: boolean; lines: number }[];
  requests: { total: number };
  warnings: string[];
}

/** The built CLI's `upkeep logs ARGS --format json`, with `input` on its standard input. */
function logs(folder: string, args: string[], input?: Buffer): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    [CLI, 'logs', ...args, '--format', 'json', '--workspace', folder, '--time-zone', 'UTC'],
    { cwd: folder, env: { PATH: process.env.PATH, HOME: os.tmpdir() } },
  );
  const run = watchCli(child);
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? Buffer.alloc(0));
  return run.exited;
}

describe('upkeep logs - on gzip-compressed standard input', function () {
  this.timeout(60_000);
  let folder: string;
  let text: Buffer;

  before(async () => {
    folder = await tempFolder('upkeep-logs-gzip-stdin-');
    await fs.writeFile(path.join(folder, 'Gemfile'), "source 'https://rubygems.org'\n");
    text = await fs.readFile(LOG);
  });

  it('reads every member of it, as it reads the plain log', async () => {
    const plain = await logs(folder, ['-'], text);
    assert.equal(plain.code, 0, plain.stderr);
    const expected = JSON.parse(plain.stdout) as Summary;
    assert.ok(expected.requests.total > 0);

    // Two members, cut mid-line, as logrotate's appends or `cat a.gz b.gz` give.
    const half = text.length >> 1;
    const archive = Buffer.concat([
      gzipSync(text.subarray(0, half)),
      gzipSync(text.subarray(half)),
    ]);
    const run = await logs(folder, ['-'], archive);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const summary = JSON.parse(run.stdout) as Summary;
    assert.equal(summary.sources[0].error, undefined);
    assert.equal(summary.sources[0].gzip, true);
    assert.equal(summary.sources[0].lines, expected.sources[0].lines);
    assert.deepEqual(summary.requests, expected.requests);
    assert.deepEqual(summary.warnings, expected.warnings);
  });

  it('names damaged gzip as it names a damaged .gz file, with its exit code', async () => {
    const archive = gzipSync(text);
    // The deflate data after the header, garbled: no line comes out of it.
    const damaged = Buffer.from(archive);
    damaged.fill(0xff, 10, 60);
    await fs.writeFile(path.join(folder, 'damaged.log.gz'), damaged);
    const file = await logs(folder, ['damaged.log.gz']);
    const piped = await logs(folder, ['-'], damaged);
    assert.equal(piped.code, file.code, piped.stderr);
    assert.equal(piped.code, 2);
    const fromFile = (JSON.parse(file.stdout) as Summary).sources[0].error ?? '';
    const fromPipe = (JSON.parse(piped.stdout) as Summary).sources[0].error ?? '';
    assert.match(fromFile, /^Could not read all of damaged\.log\.gz: its gzip data is damaged/);
    assert.equal(fromPipe, fromFile.replace('damaged.log.gz', 'standard input'));
    assert.equal(piped.stderr, `upkeep logs: ${fromPipe}\n`);
  });
});
