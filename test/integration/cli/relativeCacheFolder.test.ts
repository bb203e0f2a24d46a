/**
 * The built `upkeep` run with a relative XDG_CACHE_HOME or HOME (`HOME=app` in a unit file, a
 * typo in a crontab): the size snapshots went to `./cache/upkeep` or `./app/.cache/upkeep`
 * under the current folder, often the app's checkout. The XDG Base Directory spec says a
 * relative XDG_* path is invalid and must be ignored; a relative HOME names no home either.
 * Run `npm run build` first.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CliRun } from '../../support/cli';
import { watchCli } from '../../support/cli';
import { createDatabase, embeddedServer } from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

const CLI = path.join(__dirname, '../../../dist/cli.js');

function upkeepIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
  });
  return watchCli(child).exited;
}

describe('upkeep with a relative XDG_CACHE_HOME or HOME', function () {
  this.timeout(120_000);
  let url: string;
  let home: string;
  let cwd: string;
  const growth = ['db', '--card', 'growth', '--format', 'json'];

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'relcache');
    home = await tempFolder('upkeep-relhome-');
  });
  beforeEach(async () => {
    cwd = await tempFolder('upkeep-relcwd-');
  });

  it('ignores a relative XDG_CACHE_HOME and keeps the snapshots under HOME', async () => {
    const run = await upkeepIn(cwd, growth, {
      DATABASE_URL: url,
      XDG_CACHE_HOME: 'cache',
      HOME: home,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await fs.readdir(cwd), []);
    await fs.stat(path.join(home, '.cache/upkeep/db-snapshots.json'));
  });

  it('takes a relative HOME for no home: nothing is written under the current folder', async () => {
    for (const env of [{ HOME: 'app' }, { HOME: 'app', XDG_CACHE_HOME: '.cache' }]) {
      const run = await upkeepIn(cwd, growth, { DATABASE_URL: url, ...env });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      const cards = (JSON.parse(run.stdout) as { cards: { state: string; summary: string }[] })
        .cards;
      assert.equal(cards[0].state, 'error', run.stdout);
      assert.match(cards[0].summary, /no home folder .*HOME is a relative path/, run.stdout);
      assert.deepEqual(await fs.readdir(cwd), [], JSON.stringify(env));
    }
  });
});
