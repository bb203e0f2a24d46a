/**
 * What the CLI writes to a terminal about a hostile repository: a file name from a glob holds
 * escape sequences (an OSC title, a clipboard write), and no message may pass them on.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempFolderWith } from '../../support/tempFolders';

const ROOT = path.join(__dirname, '../../..');

describe('hostile names in CLI messages', function () {
  this.timeout(60_000);

  it('upkeep logs says a source could not be read without its escape sequences', async () => {
    const workspace = await tempFolderWith('upkeep-cli-output-', {
      '.vscode/settings.json': '{ "upkeep.logs.sources": ["log/*.log"] }',
      'log/.keep': '',
    });
    // A pipe, so the only match is a source that cannot be read and the message names it.
    execFileSync('mkfifo', [path.join(workspace, 'log', 'x\x1b]52;c;cHduZWQ=\x07\x1b[2J.log')]);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'logs', '--workspace', workspace],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, /is not a regular file/);
    assert.doesNotMatch(child.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('upkeep check names an unknown check without its escape sequences', async () => {
    const workspace = await tempFolderWith('upkeep-cli-output-', { Gemfile: '' });
    const child = spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'check'],
        ...['--check', 'x\x1b]0;PWNED\x07', '--workspace', workspace],
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, /PWNED/);
    assert.doesNotMatch(child.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  /** The CLI's stderr for `args`, each line checked for control characters. */
  const stderrOf = (args: string[]): { status: number | null; lines: string[] } => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } },
    );
    assert.doesNotMatch(child.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, child.stderr);
    return { status: child.status, lines: child.stderr.split('\n') };
  };
  const FORGED = 'x\nupkeep: all checks passed\x1b]0;PWNED\x07';

  it('every command says a missing workspace on its own lines, a forged one included', () => {
    for (const command of ['check', 'logs', 'db', 'drill', 'status']) {
      const { status, lines } = stderrOf([command, '--workspace', `/nonexistent/${FORGED}`]);
      assert.equal(status, 2, command);
      assert.ok(
        !lines.some((line) => line.startsWith('upkeep: all checks passed')),
        `${command}: ${lines.join('\n')}`,
      );
      assert.ok(
        lines.some((line) => line.includes('PWNED')),
        command,
      );
    }
  });

  it('upkeep status shows a forged tier and time zone on their own lines', () => {
    for (const args of [
      ['--tier', FORGED],
      ['--time-zone', FORGED],
    ]) {
      const { status, lines } = stderrOf(['status', '--workspace', ROOT, ...args]);
      assert.equal(status, 2, args[0]);
      assert.ok(!lines.some((line) => line.startsWith('upkeep: all checks passed')), args[0]);
      assert.ok(
        lines.some((line) => line.includes('PWNED')),
        args[0],
      );
    }
  });

  it("commander's own messages quote a flag without its escape sequences", () => {
    const { status, lines } = stderrOf(['check', `--bogus${FORGED}`]);
    assert.equal(status, 2);
    assert.ok(lines.some((line) => line.includes('unknown option') && line.includes('PWNED')));
  });

  for (const format of ['json', 'text']) {
    it(`upkeep logs --format ${format} writes each warning on one line`, async () => {
      const workspace = await tempFolderWith('upkeep-cli-output-', {
        'log/production.log':
          'I, [2026-12-04T10:00:00.000000 #1]  INFO -- : Started GET "/" for 127.0.0.1 at ' +
          '2026-12-04 10:00:00 +0000\n',
      });
      // A pipe named on the command line: read it cannot be, and the warning names it.
      const pipe = path.join(workspace, 'log', `${FORGED}.log`);
      execFileSync('mkfifo', [pipe]);
      const { status, lines } = stderrOf([
        ...['logs', '--format', format, '--workspace', workspace],
        ...[path.join(workspace, 'log', 'production.log'), pipe],
      ]);
      assert.equal(status, 0, lines.join('\n'));
      assert.ok(
        lines.some((line) => line.startsWith('upkeep logs: warning: ') && line.includes('PWNED')),
      );
      assert.ok(
        !lines.some((line) => line.startsWith('upkeep: all checks passed')),
        lines.join('\n'),
      );
    });
  }

  it('upkeep drill shows a forged --confirm and dump name on their own lines', async () => {
    const workspace = await tempFolderWith('upkeep-cli-output-', { Gemfile: '' });
    const dump = path.join(workspace, `${FORGED}.dump`);
    execFileSync('touch', [dump]);
    const { status, lines } = stderrOf([
      ...['drill', '--workspace', workspace, '--dump', dump],
      ...['--target', 'postgres://drill@127.0.0.1:1/postgres', '--confirm', FORGED],
    ]);
    assert.equal(status, 2, lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('  Dump:') && line.includes('PWNED')));
    assert.ok(
      !lines.some((line) => line.startsWith('upkeep: all checks passed')),
      lines.join('\n'),
    );
  });

  it('upkeep check --list --format json escapes C1 and bidi controls of a title', async () => {
    const title = 'Queue \u009b2J\u202egnp.exe';
    const workspace = await tempFolderWith('upkeep-cli-output-', {
      Gemfile: '',
      '.upkeep/playbook.yaml':
        `checks:\n  - id: custom.queue\n    title: ${JSON.stringify(title)}\n` +
        '    kind: shell\n    command: "true"\n',
    });
    const child = spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'check', '--list'],
        ...['--format', 'json', '--workspace', workspace],
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.doesNotMatch(child.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    const { checks } = JSON.parse(child.stdout) as { checks: { id: string; title: string }[] };
    assert.equal(checks.find((check) => check.id === 'custom.queue')?.title, title);
  });

  it('upkeep status --format json escapes C1 and bidi controls of a committed note', async () => {
    // A C1 CSI (U+009B) clears a UTF-8 terminal as ESC [ does; JSON.stringify leaves it raw.
    const reason = 'disk \u009b2J\u202egnp.exe\u2028x';
    const since = '2026-11-01T00:00:00Z';
    const state = {
      version: 1,
      tasks: {
        'weekly.database': {
          since,
          ticks: {},
          history: [],
          snoozedUntil: '2026-12-20',
          snoozeReason: reason,
        },
      },
    };
    const workspace = await tempFolderWith('upkeep-cli-output-', {
      '.vscode/settings.json': '{ "upkeep.state.location": "repository" }',
      '.upkeep/state.json': JSON.stringify(state),
    });
    const child = spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'status', '--format', 'json'],
        ...['--fail-on', 'never', '--workspace', workspace],
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, UPKEEP_NOW: '2026-12-05T10:00:00Z' } },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.doesNotMatch(child.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2028]/);
    // The same value once parsed: the escaping is JSON's own.
    const tasks = (JSON.parse(child.stdout) as { tiers: { tasks: { id: string }[] }[] }).tiers
      .flatMap((tier) => tier.tasks)
      .filter((task) => task.id === 'weekly.database');
    assert.deepEqual(
      tasks.map((task) => (task as { snoozeReason?: string }).snoozeReason),
      [reason],
    );
  });
});
