/**
 * A window with several workspace folders: Upkeep works on the one chosen (else the first), says
 * so, names the others it leaves alone, and keeps each app's state apart.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appFolderIndex,
  carryOverEarlierStorage,
  dashboardTitle,
  folderStorageDir,
  folderStorageName,
  leftWorkspace,
  multiRootNote,
} from '../../../src/vscode/multiRoot';

describe('several workspace folders', () => {
  it('says nothing with one folder or none', () => {
    assert.equal(multiRootNote([]), undefined);
    assert.equal(multiRootNote(['app']), undefined);
    assert.equal(dashboardTitle('app', 1), 'Upkeep Dashboard');
    assert.equal(dashboardTitle(undefined, 0), 'Upkeep Dashboard');
  });

  it('names the folder it works on and the ones it leaves alone', () => {
    assert.equal(
      multiRootNote(['alpha', 'beta', 'gamma']),
      'Upkeep works on alpha, one of 3 workspace folders; beta and gamma are not ' +
        'covered. Choose another with Upkeep: Choose App Folder…',
    );
    assert.equal(
      multiRootNote(['alpha', 'beta'], 1),
      'Upkeep works on beta, one of 2 workspace folders; alpha is not ' +
        'covered. Choose another with Upkeep: Choose App Folder…',
    );
    assert.equal(dashboardTitle('beta', 2), 'Upkeep Dashboard: beta');
  });

  it('works on the remembered folder while it is open, else on the first', () => {
    const uris = ['file:///apps/alpha', 'file:///apps/beta'];
    assert.equal(appFolderIndex(uris, 'file:///apps/beta'), 1);
    assert.equal(appFolderIndex(uris, undefined), 0);
    assert.equal(appFolderIndex(uris, 'file:///apps/removed'), 0);
    assert.equal(appFolderIndex([], 'file:///apps/beta'), 0);
  });

  it('takes a folder removed and added back at its address for renamed, not gone', () => {
    const beta = 'file:///apps/beta';
    assert.equal(leftWorkspace(beta, [beta], []), true);
    assert.equal(leftWorkspace(beta, [beta], [beta]), false);
    assert.equal(leftWorkspace(beta, ['file:///apps/alpha'], []), false);
    assert.equal(leftWorkspace(beta, [], [beta]), false);
  });

  it('keeps two folders of the same name apart in storage', () => {
    const one = folderStorageName('web', 'file:///apps/one/web');
    const two = folderStorageName('web', 'file:///apps/two/web');
    assert.match(one, /^web-[0-9a-f]{8}$/);
    assert.notEqual(one, two);
    assert.equal(one, folderStorageName('web', 'file:///apps/one/web'));
    assert.match(folderStorageName('../../etc', 'file:///x'), /^\.\._\.\._etc-[0-9a-f]{8}$/);
  });

  it("keeps a renamed folder's storage, found by its address", async () => {
    const folders = path.join(
      await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-storage-')),
      'folders',
    );
    try {
      const uri = 'file:///apps/beta';
      // Nothing kept yet, not even the folders folder: a new one under the name now.
      assert.equal(
        folderStorageDir(folders, 'beta', uri),
        path.join(folders, folderStorageName('beta', uri)),
      );
      const kept = path.join(folders, folderStorageName('beta', uri));
      await fs.mkdir(kept, { recursive: true });
      await fs.mkdir(path.join(folders, folderStorageName('alpha', 'file:///apps/alpha')));

      assert.equal(folderStorageDir(folders, 'Beta shop', uri), kept);
      assert.equal(folderStorageDir(folders, 'beta', uri), kept);
      // Another address under the same name is another app.
      assert.equal(
        folderStorageDir(folders, 'beta', 'file:///elsewhere/beta'),
        path.join(folders, folderStorageName('beta', 'file:///elsewhere/beta')),
      );
    } finally {
      await fs.rm(path.dirname(folders), { recursive: true, force: true });
    }
  });

  it("carries the first folder's earlier state and results into its storage, once", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-storage-'));
    try {
      await fs.writeFile(path.join(root, 'state.json'), '{"ticks":1}');
      await fs.writeFile(path.join(root, 'results.json'), '{"results":[]}');
      const alpha = path.join(root, 'folders', 'alpha-1a2b3c4d');
      assert.deepEqual(carryOverEarlierStorage(root, alpha), ['state.json', 'results.json']);
      assert.equal(await fs.readFile(path.join(alpha, 'state.json'), 'utf8'), '{"ticks":1}');

      // Its own storage exists from then on: later changes in the root are not taken again.
      await fs.writeFile(path.join(alpha, 'state.json'), '{"ticks":2}');
      assert.deepEqual(carryOverEarlierStorage(root, alpha), []);
      assert.equal(await fs.readFile(path.join(alpha, 'state.json'), 'utf8'), '{"ticks":2}');

      // Nothing earlier: no folder made.
      const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-storage-'));
      assert.deepEqual(carryOverEarlierStorage(empty, path.join(empty, 'folders', 'x')), []);
      assert.equal(await fs.stat(path.join(empty, 'folders')).catch(() => undefined), undefined);
      await fs.rm(empty, { recursive: true, force: true });
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
