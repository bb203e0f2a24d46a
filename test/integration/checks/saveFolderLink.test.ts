/**
 * `--save` without a file name writes `.upkeep/results.json`, and a repo may commit `.upkeep`
 * as a link to a folder of the user's: the run renamed a `results.json` it found there aside
 * and wrote its own, outside the workspace, even with `--untrusted`. The editor's state store
 * and the starter playbook refuse such a folder; `upkeep check` and `upkeep drill` do too, before
 * anything runs, and a file named with `--save` is still written where it is named.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolder, tempFolderWith } from '../../support/tempFolders';

describe('upkeep check --save with .upkeep linked outside the workspace', function () {
  this.timeout(60_000);

  async function linkedWorkspace(): Promise<{ workspace: string; outside: string }> {
    const workspace = await tempFolderWith('upkeep-save-folder-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    const outside = await tempFolder('upkeep-users-folder-');
    await fs.writeFile(path.join(outside, 'results.json'), '{"mine": true}\n');
    await fs.symlink(outside, path.join(workspace, '.upkeep'));
    return { workspace, outside };
  }

  for (const untrusted of [false, true]) {
    it(`refuses to save there${untrusted ? ' (--untrusted)' : ''}, touching nothing`, async () => {
      const { workspace, outside } = await linkedWorkspace();
      const run = await runCli([
        ...['check', '--workspace', workspace, '--check', 'host.diskSpace', '--save'],
        ...(untrusted ? ['--untrusted'] : []),
      ]);

      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /\.upkeep links to .*, outside the workspace/, run.stderr);
      assert.doesNotMatch(run.stdout, /host\.diskSpace/, 'no check ran');
      assert.deepEqual(await fs.readdir(outside), ['results.json']);
      assert.equal(
        await fs.readFile(path.join(outside, 'results.json'), 'utf8'),
        '{"mine": true}\n',
      );
    });
  }

  it('saves to a file named with --save, wherever the user names it', async () => {
    const { workspace, outside } = await linkedWorkspace();
    const named = path.join(outside, 'upkeep.json');
    const run = await runCli([
      ...['check', '--workspace', workspace, '--check', 'host.diskSpace', '--save', named],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(await fs.readFile(named, 'utf8'), /host\.diskSpace/);
  });
});
