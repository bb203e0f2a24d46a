/**
 * Unquoted values in config/database.yml read as Rails reads them: Psych resolves YAML 1.1's
 * types, where `0123` is octal and `0189` is text, `1.0` a Float and `off` false. Read with
 * YAML 1.2's instead, Upkeep sent another password, user or database than the app does.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { psychPlainScalar } from '../../../src/core/util/psychScalar';
import { tempFolder } from '../../support/tempFolders';

async function connectionOf(values: string): Promise<Record<string, unknown>> {
  const workspace = await tempFolder('upkeep-yml-scalars-');
  await fs.mkdir(path.join(workspace, 'config'));
  await fs.writeFile(
    path.join(workspace, 'config/database.yml'),
    `development:\n  adapter: postgresql\n  host: 127.0.0.1\n${values}`,
  );
  const resolved = await resolveConnection({
    workspace,
    settings: resolveSettings({}),
    env: {},
    trusted: true,
    surface: 'cli',
  });
  return resolved.config as Record<string, unknown>;
}

describe('database.yml: unquoted values as Psych reads them', () => {
  it('a password, user and database send the text Rails sends', async () => {
    const config = await connectionOf(
      '  password: 0123\n  username: 0189\n  database: 1.0\n  port: 5_432\n',
    );
    // Psych: 0123 is octal, 83; 0189 is no number; 1.0 is the Float Ruby writes "1.0".
    assert.equal(config.password, '83');
    assert.equal(config.user, '0189');
    assert.equal(config.database, '1.0');
    assert.equal(config.port, 5432);

    const words = await connectionOf('  password: Off\n  username: :deploy\n  database: 1e3\n');
    assert.equal(words.password, 'false');
    assert.equal(words.user, 'deploy');
    assert.equal(words.database, '1e3');
  });

  it('reads each plain scalar as Psych::ScalarScanner does', () => {
    const cases: [string, unknown][] = [
      ['', null],
      ['~', null],
      ['nUlL', null],
      ['yes', true],
      ['ON', true],
      ['y', 'y'],
      ['no', false],
      ['offx', 'offx'],
      ['0', 0],
      ['00', 0],
      ['0755', 493],
      ['-0755', -493],
      ['0189', '0189'],
      ['0o17', '0o17'],
      ['0b101', 5],
      ['0x1F', 31],
      ['1_000', 1000],
      ['1,000', 1000],
      ['+12', 12],
      ['1.0', '1.0'],
      ['1.', '1.0'],
      ['.5', '0.5'],
      ['-1.50', '-1.5'],
      ['1.0e+20', '1.0e+20'],
      ['1.5e-5', '1.5e-05'],
      ['1e3', '1e3'],
      ['.', '.'],
      ['.Inf', 'Infinity'],
      ['-.inf', '-Infinity'],
      ['.NaN', 'NaN'],
      ['1:30', 5400],
      ['12:30:45', 45045],
      [':deploy', 'deploy'],
      [':"a b"', 'a b'],
      ['2026-01-01', undefined],
      ['postgres://db/app', 'postgres://db/app'],
      ['secret', 'secret'],
    ];
    for (const [text, value] of cases) {
      assert.deepEqual(psychPlainScalar(text), value, JSON.stringify(text));
    }
  });
});
