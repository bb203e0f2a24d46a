/**
 * A cron user whose home Upkeep cannot write in: db.growth cannot keep its size snapshot. That
 * is a configuration gap (the cache folder to set), so the quarterly run exits 2, as for a
 * missing password; it exited 1, as if the database had a problem. The home here is a file in
 * the test's temporary folder (the tests run as root, whom permissions do not stop).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { createDatabase, embeddedServer } from '../../support/postgres';
import { tempFolderWith } from '../../support/tempFolders';

interface Report {
  exitCode: number;
  results: { checkId: string; outcome: string; summary: string; details?: string }[];
}

describe('db.growth with a cache folder it cannot write', function () {
  this.timeout(120_000);
  let url: string;
  let workspace: string;

  before(async () => {
    url = await createDatabase(await embeddedServer(), 'growth_cache');
    workspace = await tempFolderWith('upkeep-growth-cache-', {
      Gemfile: "source 'https://rubygems.org'\n",
      'not-a-folder': 'a file where the home should be\n',
    });
  });

  const growth = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; report: Report }> =>
    runCli(['check', '--workspace', workspace, '--check', 'db.growth', '--format', 'json'], {
      DATABASE_URL: url,
      ...env,
    }).then((run) => {
      assert.ok(run.stdout, run.stderr);
      return { code: run.code, report: JSON.parse(run.stdout) as Report };
    });

  it('an unwritable HOME exits 2 and names the folder and XDG_CACHE_HOME', async () => {
    const home = path.join(workspace, 'not-a-folder');
    const { code, report } = await growth({ HOME: home });
    const result = report.results.find((r) => r.checkId === 'db.growth');
    assert.equal(result?.outcome, 'error', JSON.stringify(report));
    assert.equal(code, 2, JSON.stringify(report));
    assert.equal(report.exitCode, 2);
    const text = `${result.summary}\n${result.details ?? ''}`;
    assert.ok(text.includes(`${home} is a file, not a folder`), text);
    assert.match(text, /XDG_CACHE_HOME/);
  });

  it('an unwritable XDG_CACHE_HOME does the same', async () => {
    const cache = path.join(workspace, 'not-a-folder', 'cache');
    const { code, report } = await growth({ XDG_CACHE_HOME: cache });
    assert.equal(code, 2, JSON.stringify(report));
    const result = report.results.find((r) => r.checkId === 'db.growth');
    assert.match(`${result?.summary}\n${result?.details}`, /XDG_CACHE_HOME/);
  });

  it('upkeep db exits 2 for it too, its growth card marked a configuration problem', async () => {
    const home = path.join(workspace, 'not-a-folder');
    const run = await runCli(
      ['db', '--workspace', workspace, '--card', 'growth', '--format', 'json'],
      { DATABASE_URL: url, HOME: home },
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const output = JSON.parse(run.stdout) as {
      cards: { id: string; state: string; fix?: string; configProblem?: boolean }[];
    };
    const [card] = output.cards;
    assert.equal(card.state, 'error');
    assert.equal(card.configProblem, true);
    assert.match(card.fix ?? '', /XDG_CACHE_HOME/);
  });

  it('a writable cache keeps the snapshot and passes', async () => {
    const cache = path.join(workspace, 'cache');
    const { code, report } = await growth({ XDG_CACHE_HOME: cache });
    assert.equal(code, 0, JSON.stringify(report));
    await fs.stat(path.join(cache, 'upkeep', 'db-snapshots.json'));
  });
});
