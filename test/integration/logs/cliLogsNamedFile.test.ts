/**
 * `upkeep logs FILE` with a file that is not there: the path was mistyped, so the command says
 * to check it. The advice for a log kept elsewhere (Rails 7.1 logging to STDOUT, the
 * upkeep.logs.sources setting, "pass files") is for the setting's sources, read without FILE.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

describe('upkeep logs names a mistyped file as such', function () {
  this.timeout(60_000);

  it('says to check the path of a file named on the command line', async () => {
    const workspace = await tempFolderWith('upkeep-logs-named-', {
      Gemfile: "source 'https://rubygems.org'\n",
      'log/production.log': '',
    });
    const typo = path.join(workspace, 'log/prodution.log');
    const run = await runCli(['logs', typo, '--workspace', workspace]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stderr, `upkeep logs: ${typo} does not exist: check the path.\n`);
  });

  it("keeps the advice on where logs go for the setting's sources", async () => {
    const workspace = await tempFolderWith('upkeep-logs-named-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    const run = await runCli(['logs', '--workspace', workspace]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /log\/production\.log does not exist \(in /);
    assert.match(run.stderr, /Rails 7\.1 and later log to STDOUT/);
  });
});
