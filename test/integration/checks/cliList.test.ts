/**
 * `upkeep check --list`: every check the run could select, with its title and the tiers that run
 * it, as text or JSON, exiting 0 (the list appeared only in the error for an unknown id).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

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

  it('refuses --format junit, which has no list', async () => {
    const run = await runCli(['check', '--list', '--format', 'junit', '--workspace', folder]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--list prints text or json/);
    assert.equal(run.stdout, '');
  });
});
