/**
 * The built `upkeep` run by a user with no home folder: no HOME, and no entry in the system's
 * user list, as in a container started under an arbitrary uid (`docker run --user 54321`,
 * OpenShift). Every command, `--help` included, crashed at start with Node's
 * "uv_os_homedir returned ENOENT" stack trace and exit 1. The commands must run; db.growth,
 * which keeps its size snapshots in the home's cache, says why it cannot, as for a cache folder
 * it cannot write. Needs root (to run as that uid) and `npm run build` first.
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
/** A uid and gid /etc/passwd and /etc/group do not list. */
const NOBODY_LISTED = 54321;

function upkeepWithoutHome(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    uid: NOBODY_LISTED,
    gid: NOBODY_LISTED,
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
  });
  return watchCli(child).exited;
}

describe('upkeep run by a user with no home folder', function () {
  this.timeout(120_000);
  let workspace: string;
  let url: string;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    url = await createDatabase(await embeddedServer(), 'nohome');
    workspace = await tempFolder('upkeep-nohome-');
    await fs.chmod(workspace, 0o755);
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });

  it('runs every command, --help and status included', async () => {
    const help = await upkeepWithoutHome(['--help'], {}, workspace);
    assert.equal(help.code, 0, help.stderr);
    const status = await upkeepWithoutHome(['status', '--fail-on', 'never'], {}, workspace);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^Maintenance status of /);
    // bundler-audit keeps its advisories under ~ too: none to judge, as when there are none.
    const advisories = await upkeepWithoutHome(
      ['check', '--check', 'tools.advisoryDatabase'],
      {},
      workspace,
    );
    assert.equal(advisories.code, 0, advisories.stdout + advisories.stderr);
    assert.match(advisories.stdout, /tools\.advisoryDatabase\s+SKIPPED\s+.*no home folder/);
    assert.doesNotMatch(
      help.stderr + status.stderr + advisories.stdout,
      /uv_os_homedir|SystemError/,
    );
  });

  it('db.growth says it has nowhere to keep snapshots (exit 2); the other checks run', async () => {
    const run = await upkeepWithoutHome(
      ['check', '--check', 'db.growth', '--check', 'db.connections', '--format', 'json'],
      { DATABASE_URL: url },
      workspace,
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    type Result = { checkId: string; outcome: string; summary: string; details?: string };
    const results = (JSON.parse(run.stdout) as { results: Result[] }).results;
    const result = (id: string): Result | undefined => results.find((r) => r.checkId === id);
    assert.equal(result('health.database')?.outcome, 'pass', run.stdout);
    assert.equal(result('db.connections')?.outcome, 'pass', run.stdout);
    assert.equal(result('db.growth')?.outcome, 'error', run.stdout);
    assert.match(result('db.growth')?.summary ?? '', /this user has no home folder/);
    assert.match(result('db.growth')?.details ?? '', /Set XDG_CACHE_HOME \(or HOME\)/);

    // With a cache folder named, the same user keeps them.
    const cache = await tempFolder('upkeep-nohome-cache-');
    await fs.chmod(cache, 0o777);
    const kept = await upkeepWithoutHome(
      ['check', '--check', 'db.growth', '--format', 'json'],
      { DATABASE_URL: url, XDG_CACHE_HOME: cache },
      workspace,
    );
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    await fs.stat(path.join(cache, 'upkeep/db-snapshots.json'));
  });

  it('upkeep db shows the growth card in error, the others as they are', async () => {
    const run = await upkeepWithoutHome(
      ['db', '--card', 'growth', '--card', 'connectivity', '--format', 'json'],
      { DATABASE_URL: url },
      workspace,
    );
    const cards = (JSON.parse(run.stdout) as { cards: { id: string; state: string }[] }).cards;
    assert.deepEqual(
      cards.map((card) => `${card.id} ${card.state}`),
      ['connectivity ok', 'growth error'],
    );
    assert.equal(run.code, 2, run.stderr);
  });
});
