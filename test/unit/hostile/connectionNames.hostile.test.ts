/**
 * Names a repo's files give the connection (the Rails environment and the database name of its
 * `.vscode/settings.json`, the environments, databases and adapter of its `config/database.yml`)
 * quoted in a message: each in one short line, a list of them cut. A 300 KB environment name was
 * quoted whole, by `upkeep db` and by each database check of `upkeep check`.
 */
import { strict as assert } from 'node:assert';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolderWith } from '../../support/tempFolders';

const LONG = `\u001b]0;title\u0007${'E'.repeat(300_000)}`;
const DB = '  adapter: postgresql\n  host: 127.0.0.1\n';

async function message(yml: string, railsEnvironment: string, name?: string): Promise<string> {
  const workspace = await tempFolderWith('upkeep-names-', { 'config/database.yml': yml });
  const settings = resolveSettings({ database: { railsEnvironment, name } });
  try {
    await resolveConnection({ workspace, settings, env: {}, trusted: true });
  } catch (error) {
    assert.ok(UpkeepError.is(error, 'config'), String(error));
    return `${error.message} ${error.hint ?? ''}`;
  }
  assert.fail('resolved');
}

function short(text: string): void {
  assert.ok(text.length < 600, `${text.length} characters: ${text.slice(0, 200)}`);
  assert.doesNotMatch(text, /[\u0000-\u001f]/);
}

describe('hostile names in connection messages', () => {
  it('an environment of 300 KB that database.yml lacks', async () => {
    short(await message(`development:\n${DB}`, LONG));
  });

  it('20,000 environments, none the chosen one', async () => {
    const yml = Array.from({ length: 20_000 }, (_, i) => `env${i}:\n${DB}`).join('');
    short(await message(yml, 'production'));
  });

  it('a database of 300 KB that a multi-database environment lacks', async () => {
    const yml = `development:\n  primary:\n  ${DB.replace(/\n  /g, '\n    ')}`;
    short(await message(yml, 'development', LONG));
    short(await message(`development:\n${DB}`, 'development', LONG));
  });

  it('an adapter of 300 KB', async () => {
    short(await message(`development:\n  adapter: "${'x'.repeat(300_000)}"\n`, 'development'));
  });
});
