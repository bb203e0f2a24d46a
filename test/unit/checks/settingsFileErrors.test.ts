/**
 * A broken `.vscode/settings.json` stops `upkeep check`, `logs` and `db` before they run: the
 * message must say in words what is wrong and where, not the JSON parser's internal code
 * ("CloseBracketExpected").
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadWorkspaceSettings } from '../../../src/core/checks/workspaceSettings';
import { UpkeepError } from '../../../src/core/util/errors';

async function messageFor(text: string): Promise<string> {
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-settings-error-'));
  try {
    await fs.mkdir(path.join(workspace, '.vscode'));
    await fs.writeFile(path.join(workspace, '.vscode/settings.json'), text);
    const error = await loadWorkspaceSettings(workspace, { trusted: true }).then(
      () => assert.fail('read a broken file'),
      (caught: unknown) => caught,
    );
    assert.ok(UpkeepError.is(error, 'config'));
    return error.message;
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

describe('a broken .vscode/settings.json', () => {
  it('names what is missing in words, with the line and column', async () => {
    assert.equal(
      await messageFor('{\n  "upkeep.logs.sources": [\n'),
      '.vscode/settings.json line 3, column 1: a ] is missing (an array is not closed).',
    );
    assert.equal(
      await messageFor('{\n  "upkeep.health.url" "https://example.com"\n}\n'),
      '.vscode/settings.json line 2, column 23: a : is missing after a property name.',
    );
    assert.equal(
      await messageFor('{\n  "a": 1\n  "b": 2\n}\n'),
      '.vscode/settings.json line 3, column 3: a comma is missing between two entries.',
    );
  });
});
