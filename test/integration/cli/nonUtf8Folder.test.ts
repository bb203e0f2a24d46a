/**
 * The built `upkeep` run inside a folder whose name is not UTF-8 (`app-\xff`, an old Latin-1
 * checkout): Node.js reads such a name with U+FFFD in place of the bytes and cannot open the
 * path it makes, so the commands must say that, not that the folder does not exist, and a link
 * with a UTF-8 name must work. Run `npm run build` first.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliRun } from '../../support/cli';
import { watchCli } from '../../support/cli';

const CLI = path.join(__dirname, '../../../dist/cli.js');

/** Runs `upkeep ARGS` from a shell that cds into `folder`'s bytes first, as cron would. */
function upkeepIn(folder: Buffer, args: string[]): Promise<CliRun> {
  const octal = [...folder].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
  const child = spawn(
    '/bin/sh',
    ['-c', `cd "$(printf '${octal}')" && exec "$0" "$@"`, process.execPath, CLI, ...args],
    { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), TZ: 'UTC' } },
  );
  return watchCli(child).exited;
}

describe('upkeep in a folder whose name is not UTF-8', function () {
  this.timeout(60_000);
  let parent: string;
  let app: Buffer;

  before(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-latin1-'));
    app = Buffer.concat([Buffer.from(`${parent}/app-`), Buffer.from([0xff])]);
    await fs.mkdir(app);
    await fs.writeFile(Buffer.concat([app, Buffer.from('/Gemfile')]), "source 'x'\n");
  });
  after(async () => {
    await fs.rm(parent, { recursive: true, force: true });
  });

  for (const command of ['check', 'status', 'db', 'drill', 'logs']) {
    it(`upkeep ${command} says the name is not UTF-8, and how to run it`, async () => {
      const run = await upkeepIn(app, [command]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /The path of the workspace folder .*app-\uFFFD is not valid UTF-8/,
        run.stderr,
      );
      assert.match(run.stderr, /give --workspace a symbolic link to it/);
      assert.doesNotMatch(run.stderr, /does not exist/);
    });
  }

  it('upkeep logs reads a log named by its absolute path from there', async () => {
    const log = path.join(parent, 'production.log');
    await fs.writeFile(
      log,
      'I, [2026-12-01T10:00:00.000000 #1]  INFO -- : [r1] Started GET "/" for 127.0.0.1 at ' +
        '2026-12-01 10:00:00 +0000\n',
    );
    const run = await upkeepIn(app, ['logs', log, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /not valid UTF-8/);
  });

  it('a link with a UTF-8 name to it works as --workspace', async () => {
    const link = path.join(parent, 'app-link');
    await fs.symlink(app, link);
    const run = await upkeepIn(app, ['status', '--workspace', link, '--fail-on', 'never']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith(`Maintenance status of ${link} `), run.stdout);
  });
});
