/**
 * "Open Repo Playbook" writes the commented starter when there is no playbook: never over one
 * that exists, and in a checkout it cannot write to, with a message saying so.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { STARTER_PLAYBOOK, writeStarterPlaybook } from '../../../src/core/playbook/starter';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

describe('the starter playbook file', () => {
  it('is written once and never over an existing playbook', async () => {
    const workspace = await tempFolder('upkeep-starter-');
    const file = path.join(workspace, '.upkeep/playbook.yaml');
    assert.equal(await writeStarterPlaybook(workspace), true);
    assert.equal(await fs.readFile(file, 'utf8'), STARTER_PLAYBOOK);
    await fs.writeFile(file, 'tasks: []\n');
    assert.equal(await writeStarterPlaybook(workspace), false);
    assert.equal(await fs.readFile(file, 'utf8'), 'tasks: []\n');
  });

  it('says why it could not be written, and writes nothing', async () => {
    // Root writes anywhere, so a file named .upkeep stands in for a read-only checkout; mkdir
    // failed there with EEXIST, which was taken for "the playbook exists".
    const workspace = await tempFolder('upkeep-starter-');
    await fs.writeFile(path.join(workspace, '.upkeep'), 'not a folder');
    await assert.rejects(writeStarterPlaybook(workspace), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'refused'));
      assert.match(error.message, /^Could not create .*\.upkeep\/playbook\.yaml \(E[A-Z]+/);
      assert.match(error.hint ?? '', /writable/);
      return true;
    });
    assert.equal(await fs.readFile(path.join(workspace, '.upkeep'), 'utf8'), 'not a folder');
  });

  it('writes nothing through a .upkeep that links out of the workspace', async () => {
    // The repo's .upkeep may link to any folder of the user's (allowed in Restricted Mode).
    const workspace = await tempFolder('upkeep-starter-');
    const outside = await tempFolder('upkeep-starter-outside-');
    await fs.symlink(outside, path.join(workspace, '.upkeep'));
    await assert.rejects(writeStarterPlaybook(workspace), /links to .*outside the workspace/);
    assert.deepEqual(await fs.readdir(outside), []);
  });
});
