/**
 * A hostile `.vscode/settings.json` read by the CLI: a key such as `upkeep.__proto__.url` must
 * not reach Object.prototype, where every settings section would inherit it (an untrusted run
 * then fetched a health URL the repo chose).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  loadWorkspaceSettings,
  RESTRICTED_KEYS,
  settingsFromJson,
} from '../../../src/core/checks/workspaceSettings';
import { UpkeepError } from '../../../src/core/util/errors';
import { UNSAFE_CHAR } from '../../../src/core/util/printable';
import { checkTimeZone } from '../../../src/core/util/timeZone';

describe('hostile .vscode/settings.json keys', () => {
  afterEach(() => {
    // A failing run must not leave the pollution behind for the tests that follow.
    for (const key of ['url', 'drillTargetUrl', 'polluted']) {
      delete (Object.prototype as Record<string, unknown>)[key];
    }
  });

  it('upkeep.__proto__.* pollutes nothing and sets no restricted URL', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-settings-'));
    try {
      await fs.mkdir(path.join(workspace, '.vscode'));
      await fs.writeFile(
        path.join(workspace, '.vscode/settings.json'),
        JSON.stringify({
          'upkeep.__proto__.url': 'http://127.0.0.1:9/from-the-repo',
          'upkeep.__proto__.drillTargetUrl': 'postgres://x@127.0.0.1:9/x',
          'upkeep.constructor.prototype.polluted': 'yes',
          'upkeep.prototype.polluted': 'yes',
          'upkeep.backups.__proto__': ['drillTargetUrl'],
        }),
      );
      const settings = await loadWorkspaceSettings(workspace, { trusted: false });

      assert.equal(({} as Record<string, unknown>).url, undefined);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(settings.health.url, undefined);
      assert.equal(settings.database.url, undefined);
      assert.equal(settings.backups.drillTargetUrl, undefined);
      assert.equal(Object.getPrototypeOf(settings.backups), Object.prototype);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it('a nested "upkeep" object with __proto__ keys changes nothing either', () => {
    const json = JSON.parse(
      '{"upkeep": {"__proto__": {"url": "http://127.0.0.1:9/"}, "health": {"url": "http://a/"}}}',
    ) as Record<string, unknown>;
    const settings = settingsFromJson(json, { trusted: false });
    assert.equal(({} as Record<string, unknown>).url, undefined);
    assert.equal(settings.health.url, undefined);
    assert.equal(settings.database.url, undefined);
  });

  it('a settings file nested thousands deep gets a clear message, no stack overflow', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-settings-'));
    try {
      await fs.mkdir(path.join(workspace, '.vscode'));
      const file = path.join(workspace, '.vscode/settings.json');
      const deepObject = `{"upkeep": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
      const deepArray = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
      for (const text of [deepObject, deepArray]) {
        await fs.writeFile(file, text);
        await assert.rejects(
          loadWorkspaceSettings(workspace, { trusted: true }),
          (error: Error) => /nest/.test(error.message) && !/call stack/.test(error.message),
        );
      }
      // A deep value under an upkeep key is not a setting: the rest still loads.
      await fs.writeFile(file, JSON.stringify({ 'upkeep.health.url': 'http://127.0.0.1:9/' }));
      const settings = await loadWorkspaceSettings(workspace, { trusted: true });
      assert.equal(settings.health.url, 'http://127.0.0.1:9/');
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it('an untrusted repo cannot loosen the safeguards of the database the user configured', () => {
    // Restricted Mode then keeps the user's own values: a repo lifting lock_timeout would let
    // maintenance queue behind the app's locks, and production: false drops the typed name.
    const hostile = {
      'upkeep.database.lockTimeoutMs': 2_000_000_000,
      'upkeep.database.statementTimeoutMs': 2_000_000_000,
      'upkeep.database.production': false,
    };
    const untrusted = settingsFromJson(hostile, { trusted: false });
    assert.equal(untrusted.database.lockTimeoutMs, 1000);
    assert.equal(untrusted.database.statementTimeoutMs, 5000);
    const trusted = settingsFromJson(hostile, { trusted: true });
    assert.equal(trusted.database.lockTimeoutMs, 2_000_000_000);
  });

  it('restricts in the CLI exactly the settings the manifest restricts in the editor', async () => {
    const manifest = JSON.parse(
      await fs.readFile(path.join(__dirname, '../../../package.json'), 'utf8'),
    ) as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    assert.deepEqual(
      [...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(),
      RESTRICTED_KEYS.map((key) => `upkeep.${key}`).sort(),
    );
  });

  it('log sources that are not text are left out', () => {
    const mixed = settingsFromJson(
      { 'upkeep.logs.sources': [1, 'log/app.log', {}, null] },
      { trusted: true },
    );
    assert.deepEqual(mixed.logs.sources, ['log/app.log']);
    const none = settingsFromJson({ 'upkeep.logs.sources': [1, {}] }, { trusted: true });
    assert.deepEqual(none.logs.sources, ['log/production.log']);
  });

  it('optional texts of another type are unset, not handed on', () => {
    const settings = settingsFromJson(
      {
        'upkeep.health.url': true,
        'upkeep.backups.drillTargetUrl': 5,
        'upkeep.backups.pattern': 5,
        'upkeep.database.url': 5,
        'upkeep.database.name': [1],
        'upkeep.logs.timeZone': 5,
      },
      { trusted: true },
    );
    assert.equal(settings.health.url, undefined);
    assert.equal(settings.backups.drillTargetUrl, undefined);
    assert.equal(settings.backups.pattern, undefined);
    assert.equal(settings.database.url, undefined);
    assert.equal(settings.database.name, undefined);
    assert.equal(settings.logs.timeZone, undefined);
  });

  it('a time zone of 200 KB, or with controls, is named in one short line', () => {
    // upkeep status quoted upkeep.schedule.timeZone whole: a 16 MB settings file, 16 MB on stderr.
    for (const zone of ['A'.repeat(200_000), 'Europe/Berlin\u001b[2J\u202e']) {
      assert.throws(
        () => checkTimeZone(zone),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'config'));
          assert.ok(error.message.length < 200, `${error.message.length} characters`);
          assert.doesNotMatch(error.message, UNSAFE_CHAR);
          return true;
        },
      );
    }
  });
});
