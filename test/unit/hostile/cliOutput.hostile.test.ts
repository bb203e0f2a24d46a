/**
 * What the CLI writes to a terminal about a hostile repository: a file name from a glob holds
 * escape sequences (an OSC title, a clipboard write), and no message may pass them on.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempFolderWith } from '../../support/tempFolders';

const ROOT = path.join(__dirname, '../../..');

describe('hostile names in CLI messages', function () {
  this.timeout(60_000);

  it('upkeep logs says a source could not be read without its escape sequences', async () => {
    const workspace = await tempFolderWith('upkeep-cli-output-', {
      '.vscode/settings.json': '{ "upkeep.logs.sources": ["log/*.log"] }',
      'log/.keep': '',
    });
    // A pipe, so the only match is a source that cannot be read and the message names it.
    execFileSync('mkfifo', [path.join(workspace, 'log', 'x\x1b]52;c;cHduZWQ=\x07\x1b[2J.log')]);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'logs', '--workspace', workspace],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, /is not a regular file/);
    assert.doesNotMatch(child.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('upkeep check names an unknown check without its escape sequences', async () => {
    const workspace = await tempFolderWith('upkeep-cli-output-', { Gemfile: '' });
    const child = spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'check'],
        ...['--check', 'x\x1b]0;PWNED\x07', '--workspace', workspace],
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, /PWNED/);
    assert.doesNotMatch(child.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});
