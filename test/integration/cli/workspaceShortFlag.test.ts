/**
 * `-w` is `--workspace` for every command, as `upkeep db` took it first: a cron line written for
 * one command works for the others, and each command's --help says so.
 */
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const COMMANDS = ['check', 'status', 'logs', 'drill', 'db'];

describe('-w for --workspace', function () {
  this.timeout(120_000);

  for (const command of COMMANDS) {
    it(`upkeep ${command} takes -w DIR and lists it in --help`, async () => {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /-w, --workspace <dir>/);

      const missing = path.join(os.tmpdir(), `upkeep-no-such-workspace-${process.pid}`);
      const run = await runCli([command, '-w', missing]);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.doesNotMatch(run.stderr, /unknown option/);
      assert.match(run.stderr, /The workspace folder .*upkeep-no-such-workspace-.* does not exist/);
    });
  }

  it('upkeep check -w DIR --format json with a flag it refuses names that folder', async () => {
    const workspace = await tempFolderWith('upkeep-w-', { Gemfile: "source 'x'\n" });
    const both = await runCli(['check', '-w', workspace, '--format', 'json', '--bogus']);
    const long = await runCli(['check', '--workspace', workspace, '--format', 'json', '--bogus']);
    assert.equal(both.code, 2, both.stderr);
    const strip = (text: string): string => text.replace(/"[0-9T:.-]+Z"/g, '"<time>"');
    assert.equal(strip(both.stdout), strip(long.stdout));
  });
});
