/**
 * A repo's `.upkeep/playbook.yaml` committed as a link to a YAML file of the user's (a cloud
 * config, another app's secrets): in an untrusted workspace its keys, ids and titles went into
 * the tree and the Problems panel, as the bug folder's headings would (see listReports). It is
 * not read there; a trusted folder follows the link, as a monorepo shares one playbook.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPlaybook, PLAYBOOK_FILE } from '../../../src/core/playbook/loader';
import { findTask } from '../../../src/core/playbook/model';
import { runCli } from '../../support/cli';

describe('a repo playbook that links out of the workspace', function () {
  this.timeout(60_000);
  let workspace: string;
  let outside: string;
  const PRIVATE =
    'cloud_secret_key: PRIVATE-VALUE\ntasks:\n  - id: private-task\n    title: PRIVATE TITLE\n' +
    '    tier: daily\n';

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-playbook-link-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-playbook-private-'));
    await fs.writeFile(path.join(outside, 'cloud.yaml'), PRIVATE);
    await fs.writeFile(path.join(workspace, 'Gemfile'), '');
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.symlink(path.join(outside, 'cloud.yaml'), path.join(workspace, PLAYBOOK_FILE));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('is not read untrusted: the default playbook, and why', async () => {
    const { playbook, problems } = await loadPlaybook({ workspace, trusted: false });
    assert.equal(findTask(playbook, 'private-task'), undefined);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].severity, 'error');
    assert.match(problems[0].message, /links outside the workspace/);
    assert.match(problems[0].message, /the default playbook is used/);
    assert.doesNotMatch(problems[0].message, /PRIVATE|cloud_secret/);
  });

  it('is read in a trusted folder', async () => {
    const { playbook } = await loadPlaybook({ workspace, trusted: true });
    assert.equal(findTask(playbook, 'private-task')?.title, 'PRIVATE TITLE');
  });

  it('is not read by upkeep check --untrusted', async () => {
    const run = await runCli(['check', '--list', '--untrusted', '--workspace', workspace]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /links outside the workspace/);
    assert.doesNotMatch(run.stdout + run.stderr, /PRIVATE|private-task|cloud_secret/);
  });
});
