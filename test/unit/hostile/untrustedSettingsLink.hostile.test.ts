/**
 * The CLI's `.vscode/settings.json` in an untrusted workspace: one that links out of it (to the
 * user's own settings, or another app's) is not read, as no other repo file that links out is;
 * the defaults apply and a warning says why. A trusted workspace still follows the link.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspaceSettings } from '../../../src/core/checks/workspaceSettings';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

describe('a .vscode/settings.json linked out of an untrusted workspace', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    const parent = await tempFolder('upkeep-settings-link-');
    workspace = path.join(parent, 'app');
    const outside = path.join(parent, 'private');
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(
      path.join(outside, 'settings.json'),
      '{ "upkeep.thresholds.slowRequestMs": 1234 }\n',
    );
    await fs.symlink(
      path.join(outside, 'settings.json'),
      path.join(workspace, '.vscode/settings.json'),
    );
  });

  it('is not read: the defaults apply, and a warning says why', async () => {
    const warnings: string[] = [];
    const settings = await loadWorkspaceSettings(workspace, {
      trusted: false,
      warn: (message) => warnings.push(message),
    });
    assert.equal(settings.thresholds.slowRequestMs, 1000);
    assert.deepEqual(warnings, [
      '.vscode/settings.json links outside the workspace; its settings wait for workspace ' +
        'trust, and the defaults apply.',
    ]);
  });

  it('is read in a trusted workspace', async () => {
    const settings = await loadWorkspaceSettings(workspace, { trusted: true });
    assert.equal(settings.thresholds.slowRequestMs, 1234);
  });

  it('is named on stderr by upkeep check --untrusted', async () => {
    const out = await runCli([
      ...['check', '--workspace', workspace, '--untrusted', '--check', 'repo.uncommitted'],
    ]);
    assert.match(
      out.stderr,
      /\.vscode\/settings\.json links outside the workspace; its settings wait for workspace/,
    );
  });
});
