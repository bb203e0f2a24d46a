/**
 * `.vscode/settings.json` as editors leave it and VS Code reads it: saved with a byte order mark
 * (Notepad, some Windows editors), or empty, or holding only a comment. The editor reads all of
 * them; `upkeep check` stopped with exit 2 on each ("a character that is not JSON" at line 1,
 * column 1; "a value is missing").
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspaceSettings } from '../../../src/core/checks/workspaceSettings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

async function settingsFrom(text: string): Promise<unknown> {
  const workspace = await tempFolder('upkeep-settings-edges-');
  await fs.mkdir(path.join(workspace, '.vscode'));
  await fs.writeFile(path.join(workspace, '.vscode/settings.json'), text);
  return loadWorkspaceSettings(workspace, { trusted: true }).catch((error: unknown) => error);
}

describe('.vscode/settings.json as editors save it', () => {
  it('reads a file that starts with a byte order mark', async () => {
    const settings = await settingsFrom('\ufeff{ "upkeep.checks.parallelism": 2 }\n');
    assert.ok(!(settings instanceof Error), String(settings));
    assert.equal((settings as { checks: { parallelism: number } }).checks.parallelism, 2);
  });

  for (const [name, text] of [
    ['empty', ''],
    ['blank', '  \n'],
    ['only a comment', '// settings go here\n'],
    ['a byte order mark alone', '\ufeff'],
  ]) {
    it(`reads a settings file that is ${name} as no settings`, async () => {
      const settings = await settingsFrom(text);
      assert.ok(!(settings instanceof Error), String(settings));
      assert.equal((settings as { checks: { parallelism: number } }).checks.parallelism, 4);
    });
  }

  it('still refuses a byte order mark in the middle, or broken JSON', async () => {
    for (const text of ['{ \ufeff"upkeep.checks.parallelism": 2 }', '{ "upkeep.checks": ']) {
      const error = await settingsFrom(text);
      assert.ok(UpkeepError.is(error, 'config'), String(error));
    }
  });
});
