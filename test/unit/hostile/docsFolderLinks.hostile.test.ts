/**
 * The docs checks find README.md and docs/**.md in untrusted workspaces too: a repo's links in
 * docs/ must neither send the walk round in circles nor out of the workspace.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDocs } from '../../../src/core/checks/docsChecks';

describe('links in a repo docs folder (security review)', () => {
  let workspace: string;
  let outside: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-docs-links-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-docs-outside-'));
    await fs.mkdir(path.join(workspace, 'docs/guides'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'README.md'), '# App\n');
    await fs.writeFile(path.join(workspace, 'docs/guides/deploy.md'), '# Deploy\n');
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('does not walk links back up the folder', async function () {
    // Walked again at every depth up to the system's 40 links: two of them never finished.
    this.timeout(20_000);
    await fs.symlink('.', path.join(workspace, 'docs/loop'));
    await fs.symlink('..', path.join(workspace, 'docs/guides/up'));
    assert.deepEqual(await findDocs(workspace), ['README.md', 'docs/guides/deploy.md']);
  });

  it('reads no doc outside the workspace, through a linked folder or file', async () => {
    await fs.writeFile(path.join(outside, 'private.md'), '# Not the repo’s\n');
    await fs.symlink(outside, path.join(workspace, 'docs/elsewhere'));
    await fs.symlink(path.join(outside, 'private.md'), path.join(workspace, 'docs/notes.md'));
    assert.deepEqual(await findDocs(workspace), ['README.md', 'docs/guides/deploy.md']);
  });

  it('reads a linked doc that lies in the workspace', async () => {
    await fs.symlink('guides/deploy.md', path.join(workspace, 'docs/DEPLOY.md'));
    await fs.symlink(path.join(workspace, 'docs'), path.join(workspace, 'docs/self'));
    assert.deepEqual(await findDocs(workspace), [
      'README.md',
      'docs/DEPLOY.md',
      'docs/guides/deploy.md',
    ]);
  });
});
