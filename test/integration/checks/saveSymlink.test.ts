/**
 * `.upkeep/results.json` as a symbolic link to a file kept across deploys (Capistrano's
 * linked_files does this): `--save` writes a new file and renames it over the path, so the link
 * became a plain file in the release folder and the shared file was never written again, with
 * no word. Following the link is no fix (a repo could point it at any file the cron user may
 * write), so the run says what happened and which path to give `--save` instead.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolder, tempFolderWith } from '../../support/tempFolders';

describe('upkeep check --save on a results file that is a symbolic link', function () {
  this.timeout(60_000);

  it('warns that the link is replaced and names the file to give --save', async () => {
    const workspace = await tempFolderWith('upkeep-save-link-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    const shared = path.join(await tempFolder('upkeep-save-shared-'), 'results.json');
    await fs.writeFile(shared, '{"version":1,"results":{}}\n');
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.symlink(shared, path.join(workspace, '.upkeep/results.json'));

    const run = await runCli([
      ...['check', '--workspace', workspace, '--check', 'host.diskSpace', '--save'],
    ]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /results\.json is a symbolic link to .*results\.json/, run.stderr);
    assert.ok(run.stderr.includes(`--save ${shared}`), run.stderr);
    // What it did is what it said: the shared file is as it was, the link a file now.
    assert.equal(await fs.readFile(shared, 'utf8'), '{"version":1,"results":{}}\n');
    assert.ok((await fs.lstat(path.join(workspace, '.upkeep/results.json'))).isFile());
  });
});
