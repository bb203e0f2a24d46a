/**
 * `upkeep logs` named a file that is no text log: a real pg_dump custom-format dump and a PNG.
 * Read as lines, each was an empty log and exit 0. Now it is a source that could not be read,
 * as a journal file is: its `error` and a warning say what it looks like, and the command exits
 * 2 when no other source was read. A log that opens with a hole of NUL bytes is still read.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli, startCli } from '../../support/cli';
import { admin, createDatabase, debianServer, pgDump } from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

const ROOT = path.resolve(__dirname, '../../..');

interface Summary {
  sources: { path?: string; error?: string; lines: number }[];
  requests: { total: number };
  warnings: string[];
}

describe('upkeep logs on a file that is no text log', function () {
  this.timeout(120_000);
  let folder: string;
  let dump: string;
  let image: string;
  let log: string;

  before(async () => {
    folder = await tempFolder('upkeep-logs-not-text-');
    await fs.writeFile(path.join(folder, 'Gemfile'), "source 'https://rubygems.org'\n");
    const url = await createDatabase(await debianServer(), 'logs_not_text');
    await admin(url, 'CREATE TABLE users (id serial PRIMARY KEY, email text)');
    dump = path.join(folder, 'app.dump');
    pgDump(url, dump);
    image = path.join(folder, 'shot.png');
    await fs.copyFile(path.join(ROOT, 'docs/images/dashboard-dark.png'), image);
    log = path.join(folder, 'production.log');
    await fs.copyFile(path.join(ROOT, 'test/fixtures/logs/crlf.log'), log);
  });

  const logs = (args: string[]): ReturnType<typeof runCli> =>
    runCli(['logs', ...args, '--workspace', folder]);

  it('says a pg_dump custom-format dump is no text log, and exits 2', async () => {
    const run = await logs([dump, '--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    const summary = JSON.parse(run.stdout) as Summary;
    const said =
      // Named from the workspace, as every source inside it is.
      'app.dump does not look like a text log: it starts as a pg_dump custom-format dump, so ' +
      'it was not read. Name the log file itself, or leave this file out of ' +
      'upkeep.logs.sources.';
    assert.equal(summary.sources[0].error, said);
    assert.deepEqual(summary.warnings, [said]);
    assert.equal(summary.sources[0].lines, 0);
    assert.equal(run.stderr, `upkeep logs: ${said}\n`);
  });

  it('says so of a dump piped into upkeep logs -', async () => {
    const piped = startCli(['logs', '-', '--format', 'json', '--workspace', folder]);
    piped.child.stdin.on('error', () => undefined);
    piped.child.stdin.end(await fs.readFile(dump));
    const run = await piped.exited;
    assert.equal(run.code, 2, run.stderr);
    const summary = JSON.parse(run.stdout) as Summary;
    assert.equal(
      summary.sources[0].error,
      'Standard input does not look like a text log: it starts as a pg_dump custom-format ' +
        'dump, so it was not read. Pipe the log itself into upkeep logs -.',
    );
  });

  it('names a PNG so in the text report beside a log that was read (exit 0)', async () => {
    const alone = await logs([image]);
    assert.equal(alone.code, 2, alone.stderr);
    assert.equal(alone.stdout, '');
    assert.match(alone.stderr, /shot\.png does not look like a text log: .*it starts as a PNG/);

    const beside = await logs([image, log]);
    assert.equal(beside.code, 0, beside.stderr);
    assert.match(beside.stdout, /^ {2}! .*shot\.png does not look like a text log: /m);
    assert.match(beside.stdout, /^warning: .*shot\.png does not look like a text log: /m);
    assert.match(beside.stdout, /^Requests +[1-9]/m);
  });

  it('reads a log that opens with NUL bytes (written on after a copytruncate)', async () => {
    const holed = path.join(folder, 'holed.log');
    const text = await fs.readFile(log);
    await fs.writeFile(holed, Buffer.concat([Buffer.alloc(6000), text]));
    const run = await logs([holed, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as Summary;
    assert.equal(summary.sources[0].error, undefined);
    assert.ok(summary.requests.total > 0, run.stdout);
    assert.doesNotMatch(run.stdout, /does not look like a text log/);
  });

  it("reads a log with a crash's block of NULs and stray bytes; refuses random bytes", async () => {
    // A file system after a crash leaves whole blocks of NULs amid the lines; a stray byte or
    // two is corruption a line parser reads past. Either refused the whole log.
    const text = await fs.readFile(log);
    const damaged = path.join(folder, 'damaged.log');
    const cut = text.indexOf('\n', 300) + 1;
    await fs.writeFile(
      damaged,
      Buffer.concat([text.subarray(0, cut), Buffer.alloc(1024), Buffer.from('\0\x01'), text]),
    );
    const read = await logs([damaged, '--format', 'json']);
    assert.equal(read.code, 0, read.stderr);
    const summary = JSON.parse(read.stdout) as Summary;
    assert.equal(summary.sources[0].error, undefined);
    assert.ok(summary.requests.total > 0, read.stdout);

    const noise = path.join(folder, 'noise.bin');
    let seed = 11;
    const bytes = Buffer.alloc(8192, 0).map(() => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 16;
    });
    await fs.writeFile(noise, bytes);
    const refused = await logs([noise, '--format', 'json']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      (JSON.parse(refused.stdout) as Summary).sources[0].error ?? '',
      /^noise\.bin does not look like a text log: \d+ % of its first 4 KB are NUL or control /,
    );
  });
});
