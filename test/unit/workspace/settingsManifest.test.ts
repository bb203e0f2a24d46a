/**
 * The settings package.json declares against the ones the code reads: each `upkeep.*` key set in
 * a real `.vscode/settings.json` reaches the settings the checks get (and none is read that the
 * manifest does not declare), with the manifest's defaults, minimums and maximums.
 */
import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspaceSettings } from '../../../src/core/checks/workspaceSettings';
import { defaultSettings } from '../../../src/core/settings';
import type { UpkeepSettings } from '../../../src/core/settings';
import { tempFolder } from '../../support/tempFolders';

interface Declared {
  type: string;
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'),
) as { contributes: { configuration: { properties: Record<string, Declared> }[] } };
const declared: Record<string, Declared> = Object.assign(
  {},
  ...[manifest.contributes.configuration].flat().map((part) => part.properties),
);

/** Read by the dashboard panel alone (src/vscode/dashboard/panel.ts), not a check's setting. */
const EDITOR_ONLY = ['upkeep.dashboard.autoRefreshSeconds'];

/** A valid value other than the default, for the manifest's type. */
function otherValue(key: string, setting: Declared): unknown {
  if (setting.enum) return setting.enum.find((value) => value !== setting.default);
  if (setting.type === 'boolean') return !setting.default;
  if (setting.type === 'number') return (setting.minimum ?? 0) + 7;
  if (setting.type === 'array') return ['log/other.log'];
  if (/timeZone$/.test(key)) return 'America/New_York';
  if (/Url$|\.url$/.test(key)) return 'postgres://app@127.0.0.1:5433/app';
  return `value of ${key}`;
}

/** `upkeep.a.b` in the settings shape. */
function at(settings: UpkeepSettings, key: string): unknown {
  const [section, name] = key.replace(/^upkeep\./, '').split('.');
  return (settings as unknown as Record<string, Record<string, unknown>>)[section]?.[name];
}

async function settingsWith(values: Record<string, unknown>): Promise<UpkeepSettings> {
  const folder = await tempFolder('upkeep-settings-');
  await fs.mkdir(path.join(folder, '.vscode'));
  await fs.writeFile(path.join(folder, '.vscode/settings.json'), JSON.stringify(values));
  return loadWorkspaceSettings(folder, { trusted: true });
}

describe('package.json settings against the settings the code reads', () => {
  const keys = Object.keys(declared).filter((key) => !EDITOR_ONLY.includes(key));

  it('reads every declared setting, and no other', async () => {
    const values = Object.fromEntries(keys.map((key) => [key, otherValue(key, declared[key])]));
    const settings = await settingsWith(values);
    for (const key of keys) assert.deepEqual(at(settings, key), values[key], key);

    const read = Object.entries(settings).flatMap(([section, fields]) =>
      Object.keys(fields as object).map((name) => `upkeep.${section}.${name}`),
    );
    assert.deepEqual(read.filter((key) => !keys.includes(key)).sort(), []);
  });

  it('declares the defaults the code uses', () => {
    for (const key of keys) {
      assert.deepEqual(declared[key].default, at(defaultSettings, key), key);
    }
  });

  it("keeps a number at the manifest's minimum and maximum, and not past them", async () => {
    for (const key of keys.filter((name) => declared[name].type === 'number')) {
      const { minimum, maximum } = declared[key];
      const fallback = at(defaultSettings, key);
      for (const [value, kept] of [
        [minimum, true],
        [maximum, true],
        [minimum === undefined ? undefined : minimum - 1, false],
        [maximum === undefined ? undefined : maximum + 1, false],
      ] as const) {
        if (value === undefined) continue;
        const read = at(await settingsWith({ [key]: value }), key);
        assert.equal(read, kept ? value : fallback, `${key}: ${value}`);
      }
    }
  });

  it('declares a minimum or maximum wherever the code refuses a number past one', async () => {
    for (const key of keys.filter((name) => declared[name].type === 'number')) {
      // The editor only warns about a value past a declared bound; one it does not declare
      // went unwarned while the code used the default instead.
      if (at(await settingsWith({ [key]: -1 }), key) !== -1) {
        assert.notEqual(declared[key].minimum, undefined, `${key} has a minimum`);
      }
      if (at(await settingsWith({ [key]: 2 ** 40 }), key) !== 2 ** 40) {
        assert.notEqual(declared[key].maximum, undefined, `${key} has a maximum`);
      }
    }
  });
});
