/**
 * The guard every check reads a repo file through, on paths whose absence is what they would
 * tell: in an untrusted workspace a dangling link out of it, or a missing file under a folder
 * linked out of it, waits for trust like a link to a file that is there, so a check's outcome
 * never says whether a file of the user's exists.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readWorkspaceFile } from '../../../src/core/checks/files';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

describe('readWorkspaceFile on paths that lead out of the workspace to nothing', () => {
  let workspace: string;

  before(async () => {
    const parent = await tempFolder('upkeep-guard-');
    workspace = path.join(parent, 'app');
    const outside = path.join(parent, 'private');
    await fs.mkdir(path.join(workspace, 'db'), { recursive: true });
    await fs.mkdir(outside);
    await fs.symlink(path.join(outside, 'missing.rb'), path.join(workspace, 'db/schema.rb'));
    // A chain: a link inside to a dangling link inside, which leads out.
    await fs.symlink(path.join(outside, 'gone.sql'), path.join(workspace, 'db/last.sql'));
    await fs.symlink('last.sql', path.join(workspace, 'db/structure.sql'));
    await fs.symlink(outside, path.join(workspace, 'config'));
  });

  const untrusted = (relative: string): Promise<string | undefined> =>
    readWorkspaceFile({ workspace, trusted: false }, relative);

  for (const relative of [
    'db/schema.rb',
    'db/structure.sql',
    'config/environments/production.rb',
  ]) {
    it(`waits for trust on ${relative}`, async () => {
      await assert.rejects(
        untrusted(relative),
        (error: unknown) =>
          UpkeepError.is(error) &&
          error.code === 'untrusted' &&
          error.message === `${relative} links outside the workspace; waits for workspace trust`,
      );
    });
  }

  it('reads a missing file inside as missing; a trusted workspace follows links', async () => {
    assert.equal(await untrusted('db/seeds.rb'), undefined);
    assert.equal(await readWorkspaceFile({ workspace, trusted: true }, 'db/schema.rb'), undefined);
  });
});
