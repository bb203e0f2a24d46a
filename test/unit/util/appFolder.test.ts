/**
 * Whether the opened folder is the Rails app, and when it is not, which folders below it are
 * (a monorepo's apps/web): the CLI's warning and the Maintenance view's note name them.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appFolderNote, nestedRailsApps } from '../../../src/core/util/appFolder';
import { tempFolder } from '../../support/tempFolders';

async function folderWith(files: string[]): Promise<string> {
  const root = await tempFolder('upkeep-appfolder-');
  for (const file of files) {
    await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await fs.writeFile(path.join(root, file), '');
  }
  return root;
}

describe('the Rails app folder', () => {
  it('says nothing about a Rails app folder', async () => {
    assert.equal(await appFolderNote(await folderWith(['config/database.yml'])), undefined);
    assert.equal(await appFolderNote(await folderWith(['Gemfile'])), undefined);
  });

  it("names a monorepo's apps, nearest first, skipping dependencies and dot-folders", async () => {
    const root = await folderWith([
      'apps/web/config/database.yml',
      'services/api/v2/config/database.yml',
      'node_modules/some-gem/config/database.yml',
      '.git/config/database.yml',
      'admin/config/database.yml',
      'README.md',
    ]);
    assert.deepEqual(await nestedRailsApps(root), ['admin', 'apps/web', 'services/api/v2']);
    assert.equal(
      await appFolderNote(root),
      'This folder has no Gemfile and no config/database.yml. admin, apps/web and ' +
        'services/api/v2 have a config/database.yml: open one of them as the folder ' +
        'to maintain its app.',
    );
  });

  it('asks whether a folder with no app at all is the Rails app', async () => {
    assert.equal(
      await appFolderNote(await folderWith(['README.md'])),
      'This folder has no Gemfile and no config/database.yml: is it the Rails app? ' +
        'The database and log checks will skip.',
    );
  });
});
