/**
 * A hand-edited .vscode/settings.json whose Upkeep keys the commands cannot use: a number
 * written as a string, a value out of its range, a misspelled key. The editor underlines them;
 * the commands fell back to the defaults without a word, so a cron job ran with thresholds or
 * log sources nobody chose. Each is now named on stderr, without its value (a URL given as a
 * list may hold a password), and the run goes on as before.
 */
import { strict as assert } from 'node:assert';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

describe('settings the commands cannot use', function () {
  this.timeout(60_000);
  let workspace: string;
  let clean: string;

  before(async () => {
    workspace = await tempFolderWith('upkeep-settings-ignored-', {
      Gemfile: "source 'x'\n",
      'log/production.log': '',
      '.vscode/settings.json': `{
        // by hand on the server
        "upkeep.thresholds.errorRateAlertPercent": "5",
        "upkeep.checks.parallelism": 0,
        "upkeep.logs.source": ["log/other.log"],
        "upkeep": { "backups": { "maxAgeHour": 48 } },
        "upkeep.database.url": ["postgres://app:Hunter2-secret@db/app"],
        "upkeep.state.location": "repo",
        "upkeep.dashboard.autoRefreshSeconds": 30,
        "editor.tabSize": 2
      }`,
    });
    clean = await tempFolderWith('upkeep-settings-clean-', {
      Gemfile: "source 'x'\n",
      '.vscode/settings.json': JSON.stringify({
        'upkeep.thresholds.errorRateAlertPercent': 5,
        'upkeep.logs.sources': ['log/*.log'],
        'upkeep.dashboard.autoRefreshSeconds': 30,
        'upkeep.database.url': '',
      }),
    });
  });

  const expected = [
    'upkeep.thresholds.errorRateAlertPercent is a string, not a number: the default, 1, is used.',
    'upkeep.checks.parallelism is 0, outside 1 to 16: the default, 4, is used.',
    'upkeep.logs.source is no Upkeep setting (upkeep.logs.sources?): it is ignored.',
    'upkeep.backups.maxAgeHour is no Upkeep setting (upkeep.backups.maxAgeHours?): it is ignored.',
    'upkeep.database.url is a list, not a string: it is ignored.',
    'upkeep.state.location is "repo", not workspaceStorage or repository: ' +
      'the default, workspaceStorage, is used.',
  ];

  for (const command of [
    ['check', '--check', 'host.diskSpace'],
    ['status', '--fail-on', 'never'],
    ['logs'],
  ]) {
    it(`upkeep ${command[0]} names each one on stderr, and runs as before`, async () => {
      const run = await runCli([...command, '--workspace', workspace]);
      for (const line of expected) {
        assert.ok(run.stderr.includes(`warn: .vscode/settings.json: ${line}\n`), run.stderr);
      }
      assert.doesNotMatch(run.stderr + run.stdout, /Hunter2|autoRefresh|tabSize/);
      assert.equal(run.code, 0, run.stderr);
    });
  }

  it('says nothing of settings it can use, nor of the editor-only ones', async () => {
    const run = await runCli(['check', '--check', 'host.diskSpace', '--workspace', clean]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /settings\.json/);
  });
});
