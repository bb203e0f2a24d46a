/**
 * `upkeep check --list`: every check the run could select, with its title and the tiers that run
 * it, as text or JSON, exiting 0 (the list appeared only in the error for an unknown id), or 2
 * when the playbook has an error.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

interface Listed {
  id: string;
  title: string;
  tiers: string[];
  tasks: string[];
  origin: string;
}

describe('upkeep check --list', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-list-'));
    await fs.writeFile(path.join(folder, 'Gemfile'), "source 'https://rubygems.org'\n");
    await fs.mkdir(path.join(folder, '.upkeep'));
    await fs.writeFile(
      path.join(folder, '.upkeep/playbook.yaml'),
      'checks:\n  - id: custom.activeUsers\n    title: Users past step 3\n    kind: sql\n' +
        '    sql: SELECT count(*) AS users FROM users\n',
    );
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('prints each check with its tiers and title, and exits 0', async () => {
    const run = await runCli(['check', '--list', '--workspace', folder]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^CHECK +TIERS +TITLE$/);
    const row = (id: string): string | undefined => lines.find((l) => l.startsWith(`${id} `));
    assert.match(row('health.database') ?? '', /^health\.database +daily +Database connectivity$/);
    assert.match(row('logs.errorsLastHour') ?? '', / daily,onDemand +Errors in the last hour$/);
    assert.match(row('db.vacuum') ?? '', / weekly +/);
    assert.match(row('custom.activeUsers') ?? '', / - +Users past step 3$/);
    assert.match(lines.at(-1) ?? '', /^\d+ checks; run one with upkeep check --check ID$/);
  });

  it('prints the same as JSON with --format json', async () => {
    const run = await runCli(['check', '--list', '--format', 'json', '--workspace', folder]);
    assert.equal(run.code, 0, run.stderr);
    const { schemaVersion, checks } = JSON.parse(run.stdout) as {
      schemaVersion: number;
      checks: Listed[];
    };
    assert.equal(schemaVersion, 1);
    const byId = new Map(checks.map((check) => [check.id, check]));
    assert.deepEqual(byId.get('health.database'), {
      id: 'health.database',
      title: 'Database connectivity',
      tiers: ['daily'],
      tasks: ['daily.health'],
      origin: 'builtin',
    });
    assert.deepEqual(byId.get('custom.activeUsers'), {
      id: 'custom.activeUsers',
      title: 'Users past step 3',
      tiers: [],
      tasks: [],
      origin: 'playbook',
    });
  });

  it('exits 2 when the playbook has an error, after the list: a CI step lints it', async () => {
    const broken = await tempFolderWith('upkeep-list-broken-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.upkeep/playbook.yaml':
        'checks:\n  - id: custom.ok\n    title: Fine\n    kind: shell\n    command: "true"\n' +
        '  - id: custom.bad\n    title: Bad\n    kind: nosuch\n',
    });
    const text = await runCli(['check', '--list', '--workspace', broken]);
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stdout, /^custom\.ok +- +Fine$/m);
    assert.doesNotMatch(text.stdout, /custom\.bad/);
    assert.match(text.stderr, /playbook\.yaml:8:\d+: Check "custom\.bad": kind must be one of/);
    assert.ok(
      text.stderr.endsWith(
        'upkeep check: .upkeep/playbook.yaml has 1 error (above): what it names is not in ' +
          'the list, exit code 2.\n',
      ),
      text.stderr,
    );

    const json = await runCli(['check', '--list', '--format', 'json', '--workspace', broken]);
    assert.equal(json.code, 2, json.stderr);
    const listed = JSON.parse(json.stdout) as {
      checks: Listed[];
      problems?: { kind: string; message: string }[];
    };
    assert.ok(listed.checks.some((check) => check.id === 'custom.ok'));
    assert.equal(listed.problems?.length, 1);
    assert.equal(listed.problems?.[0].kind, 'playbook');
    assert.match(listed.problems?.[0].message ?? '', /^\.upkeep\/playbook\.yaml:8:\d+: /);
  });

  it('refuses --format junit, which has no list', async () => {
    const run = await runCli(['check', '--list', '--format', 'junit', '--workspace', folder]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--list prints text or json/);
    assert.equal(run.stdout, '');
  });
});
