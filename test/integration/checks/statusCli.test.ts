/**
 * `upkeep status` as a user runs it: the built dist/cli.js spawned on temporary workspaces with a
 * real .vscode/settings.json, .upkeep/playbook.yaml and .upkeep/state.json, the clock fixed with
 * UPKEEP_NOW. The text and JSON reports, --tier, --overdue, --fail-on, the time zone, a state kept
 * in the editor's storage, broken and hostile state files, and the tree's own answer for the
 * same file.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, openSync, closeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPlaybook } from '../../../src/core/playbook/loader';
import { tasksOfTier } from '../../../src/core/playbook/model';
import { countAttention, taskStatus } from '../../../src/core/playbook/schedule';
import { taskEntry } from '../../../src/core/playbook/state';
import type { TaskState } from '../../../src/core/playbook/state';
import { readStateFile } from '../../../src/core/playbook/stateStore';
import type { StatusReport, TaskReport } from '../../../src/core/playbook/statusReport';
import { describeTaskRow } from '../../../src/vscode/tree/checkFailures';

const ROOT = path.join(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

/** Monday 2026-12-07, 10:00 in Berlin. */
const NOW = '2026-12-07T09:00:00Z';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function upkeep(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'status', ...args], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TZ: 'UTC',
        UPKEEP_NOW: NOW,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const REPOSITORY = {
  'upkeep.state.location': 'repository',
  'upkeep.schedule.timeZone': 'Europe/Berlin',
};

const history = (periodKey: string, at: string, by: string, note?: string): unknown => ({
  action: 'done',
  periodKey,
  at,
  by,
  items: [],
  checks: [],
  ...(note ? { note } : {}),
});

/** A task tracked since October and done once, as the state file keeps it. */
const doneTask = (periodKey: string, at: string, by: string, entries: unknown[] = []): unknown => ({
  since: '2026-10-01T08:00:00Z',
  ticks: {},
  done: { periodKey, at, by },
  history: entries,
});

/** One task in each state the tree shows, at NOW in Berlin. */
const RICH_STATE = {
  version: 1,
  tasks: {
    // Last done in week 46: week 47 went by without it, overdue since Mon 2026-11-23.
    'weekly.database': {
      since: '2026-10-01T08:00:00Z',
      periodKey: '2026-W46',
      ticks: {},
      done: { periodKey: '2026-W46', at: '2026-11-12T09:30:00Z', by: 'Ann' },
      history: [
        history('2026-W46', '2026-11-12T09:30:00Z', 'Ann', 'vacuumed bookings'),
        // Set Owner… gave it to Dana, who has not got to it yet.
        {
          action: 'owner',
          periodKey: '2026-W48',
          at: '2026-11-26T10:15:00Z',
          by: 'Pat',
          items: [],
          checks: [],
          owner: { from: null, to: 'Dana' },
        },
      ],
    },
    'daily.health': {
      since: '2026-10-01T08:00:00Z',
      periodKey: '2026-12-07',
      ticks: {},
      done: { periodKey: '2026-12-07', at: '2026-12-07T07:10:00Z', by: 'Bob' },
      history: [history('2026-12-07', '2026-12-07T07:10:00Z', 'Bob')],
    },
    // Done yesterday: due today, not overdue.
    'daily.logs': doneTask('2026-12-06', '2026-12-06T18:00:00Z', 'Bob'),
    // Done on Friday: Saturday went by without it.
    'daily.performance': doneTask('2026-12-04', '2026-12-04T08:00:00Z', 'Cem'),
    'monthly.backups': {
      since: '2026-10-01T08:00:00Z',
      ticks: {},
      snoozedUntil: '2026-12-20',
      snoozeReason: 'waiting for the new bucket',
      history: [],
    },
    // Done last week, one item ticked this week.
    'weekly.queries': {
      since: '2026-10-01T08:00:00Z',
      periodKey: '2026-W50',
      ticks: { slowQueries: { at: '2026-12-07T08:00:00Z', by: 'Ann' } },
      done: { periodKey: '2026-W49', at: '2026-12-01T10:00:00Z', by: 'Ann' },
      history: [],
    },
    // Tracked since 2025, never done: the whole of 2025 went by without it.
    'annual.planning': { since: '2025-03-01T08:00:00Z', ticks: {}, history: [] },
    // A snooze that ran out this month: due by the month's end, not overdue.
    'monthly.securityUpdates': {
      since: '2026-10-01T08:00:00Z',
      ticks: {},
      snoozedUntil: '2026-12-01',
      history: [],
    },
    'onDemand.bugFix': {
      since: '2026-10-01T08:00:00Z',
      periodKey: 'onDemand',
      ticks: { reproduce: { at: '2026-12-07T08:30:00Z', by: 'Cem' } },
      history: [],
    },
  },
};

const PLAYBOOK = `version: 1
tasks:
  - id: weekly.database
    owner: Dana
`;

function parseReport(run: CliRun): StatusReport {
  return JSON.parse(run.stdout) as StatusReport;
}

function findTask(report: StatusReport, id: string): TaskReport | undefined {
  return report.tiers.flatMap((tier) => tier.tasks).find((task) => task.id === id);
}

/** The line of a task in the text report and the lines under it. */
function taskBlock(text: string, id: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(` ${id} `));
  assert.ok(start >= 0, `no line for ${id} in:\n${text}`);
  const block = [lines[start]];
  for (const line of lines.slice(start + 1)) {
    if (!/^ {15}\S/.test(line)) break;
    block.push(line);
  }
  return block.join('\n');
}

describe('upkeep status (CLI)', function () {
  this.timeout(120_000);
  let folder: string;
  let count = 0;

  before(async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-status-'));
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  /** A Rails-like folder with the given settings, state file text or object, and playbook. */
  async function workspace(
    options: { settings?: object; state?: string | object; playbook?: string } = {},
  ): Promise<string> {
    const dir = path.join(folder, `app${++count}`);
    await fs.mkdir(path.join(dir, '.vscode'), { recursive: true });
    await fs.mkdir(path.join(dir, '.upkeep'), { recursive: true });
    await fs.writeFile(path.join(dir, 'Gemfile'), "source 'https://rubygems.org'\n");
    await fs.writeFile(
      path.join(dir, '.vscode/settings.json'),
      JSON.stringify(options.settings ?? REPOSITORY, null, 2),
    );
    if (options.playbook !== undefined) {
      await fs.writeFile(path.join(dir, '.upkeep/playbook.yaml'), options.playbook);
    }
    if (options.state !== undefined) {
      const text =
        typeof options.state === 'string' ? options.state : JSON.stringify(options.state);
      await fs.writeFile(path.join(dir, '.upkeep/state.json'), text);
    }
    return dir;
  }

  it('lists open bug reports under On demand; one past its response time exits 1', async () => {
    const dir = await workspace({ state: { version: 1, tasks: {} } });
    const bugs = path.join(dir, 'docs/maintenance/bugs');
    await fs.mkdir(bugs, { recursive: true });
    const report = (title: string, severity: string, due: string, status = 'Open'): string =>
      `# Bug: ${title}\n\n- Severity: ${severity}\n- Response due: ${due}\n` +
      `- Reported: 2026-12-01 08:00 +00:00 by Ann\n- Status: ${status}\n`;
    await fs.writeFile(
      path.join(bugs, '2026-12-01-login.md'),
      report('Login fails \u202e for SSO users', 'High', '2026-12-01 12:00 +00:00'),
    );
    await fs.writeFile(
      path.join(bugs, '2026-12-06-export.md'),
      report('CSV export slow', 'Low', '2026-12-13 08:00 +00:00'),
    );
    await fs.writeFile(
      path.join(bugs, '2026-11-20-typo.md'),
      report('Typo on sign-up', 'Low', '2026-11-27 08:00 +00:00', 'Fixed'),
    );

    const text = await upkeep(['--workspace', dir, '--tier', 'onDemand', '--time-zone', 'UTC']);
    assert.equal(text.code, 1, text.stderr);
    const lines = text.stdout.split('\n');
    const heading = lines.findIndex((line) => line.startsWith('  Bug reports:'));
    assert.deepEqual(lines.slice(heading, heading + 3), [
      '  Bug reports: 2 open, 1 response overdue',
      // The right-to-left override is the repo's text: it reaches no terminal.
      '  overdue    docs/maintenance/bugs/2026-12-01-login.md  Login fails   for SSO ' +
        'users (high, response was due 2026-12-01 12:00)',
      '  open       docs/maintenance/bugs/2026-12-06-export.md  CSV export slow (low, ' +
        'response due 2026-12-13 08:00)',
    ]);
    assert.match(text.stdout, /; 2 open bug reports, 1 response overdue\.\n/);
    assert.match(text.stderr, /exit code 1: 0 overdue, 1 bug report past its response time\./);

    const json = parseReport(
      await upkeep(['--workspace', dir, '--tier', 'onDemand', '--format', 'json', '--overdue']),
    );
    assert.deepEqual(json.bugReports, {
      reports: [
        {
          file: 'docs/maintenance/bugs/2026-12-01-login.md',
          title: 'Login fails \u202e for SSO users',
          severity: 'high',
          createdAt: '2026-12-01T08:00:00.000Z',
          responseDueAt: '2026-12-01T12:00:00.000Z',
          state: 'overdue',
        },
      ],
      open: 2,
      overdue: 1,
      problem: null,
    });
    assert.equal(json.exitCode, 1);
    const never = await upkeep(['--workspace', dir, '--tier', 'onDemand', '--fail-on', 'never']);
    assert.equal(never.code, 0, never.stderr);
    // Without the On demand tier, no bug reports: its tasks and reports are left out alike.
    const weekly = parseReport(
      await upkeep(['--workspace', dir, '--tier', 'weekly', '--format', 'json']),
    );
    assert.equal(weekly.bugReports, null);

    // A bug folder that links out of the workspace is named, not read.
    await fs.rm(bugs, { recursive: true });
    await fs.symlink(folder, bugs);
    const linked = await upkeep(['--workspace', dir, '--tier', 'onDemand']);
    assert.equal(linked.code, 0, linked.stderr);
    assert.match(linked.stdout, /^ {2}Bug reports: not read: .*outside/m);
  });

  it('prints each tier: overdue since, due, done by whom, snoozed, owner', async () => {
    const dir = await workspace({ state: RICH_STATE, playbook: PLAYBOOK });
    const run = await upkeep(['--workspace', dir]);

    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        '^Maintenance status of .* at 2026-12-07 10:00 ' +
          '\\(Europe/Berlin, upkeep\\.schedule\\.timeZone\\)',
      ),
    );
    assert.match(run.stdout, /Checklist state: .*\.upkeep\/state\.json\n/);
    assert.match(
      run.stdout,
      /Weekly \(Development Team, 2026-W50, due by Sun 2026-12-13\): 1 overdue\n/,
    );
    const database = taskBlock(run.stdout, 'weekly.database');
    assert.match(
      database,
      /^ {2}overdue {4}weekly\.database {2}Database maintenance \(owner Dana\)/,
    );
    assert.match(
      database,
      /overdue 15 days, since Mon 2026-11-23: week 2026-W47 went by without it/,
    );
    assert.match(database, /last done 2026-11-12 10:30 by Ann \(2026-W46\): vacuumed bookings/);
    assert.match(
      database,
      /\n {15}owner changed 2026-11-26 11:15 by Pat: no owner \(the tier's team\) → Dana$/,
    );
    assert.match(taskBlock(run.stdout, 'daily.health'), /done 2026-12-07 08:10 by Bob$/);
    assert.match(taskBlock(run.stdout, 'daily.logs'), /due soon .*\n.*due today \(by Mon/);
    assert.match(
      taskBlock(run.stdout, 'daily.performance'),
      /overdue 2 days, since Sun 2026-12-06: day 2026-12-05 went by without it/,
    );
    assert.match(
      taskBlock(run.stdout, 'monthly.backups'),
      /snoozed until 2026-12-20: waiting for the new bucket/,
    );
    assert.match(taskBlock(run.stdout, 'weekly.queries'), /due in 6 days · 1\/\d+ \(by Sun/);
    assert.match(
      taskBlock(run.stdout, 'annual.planning'),
      /since Thu 2026-01-01: year 2025 went by without it/,
    );
    assert.match(taskBlock(run.stdout, 'daily.security'), /never done \(not in the state file\)/);
    assert.match(
      run.stdout,
      /\n3 overdue, 2 due soon, \d+ due later, 1 done, 1 snoozed, 3 on demand\.\n/,
    );
    assert.match(run.stderr, /exit code 1: 3 overdue\./);
  });

  it('prints stable JSON with schemaVersion, the exit code and each fact as data', async () => {
    const dir = await workspace({ state: RICH_STATE, playbook: PLAYBOOK });
    const run = await upkeep(['--workspace', dir, '--format', 'json']);

    assert.equal(run.code, 1, run.stderr);
    const report = parseReport(run);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.exitCode, 1);
    assert.equal(report.generatedAt, '2026-12-07T09:00:00.000Z');
    assert.deepEqual(report.timeZone, { name: 'Europe/Berlin', source: 'setting' });
    assert.equal(report.state.known, true);
    assert.equal(report.state.file, path.join(dir, '.upkeep/state.json'));
    assert.equal(report.failOn, 'overdue');
    assert.equal(report.counts.overdue, 3);
    assert.equal(report.counts.dueSoon, 2);
    assert.equal(report.counts.onDemand, 3);
    assert.deepEqual(
      report.tiers.map((tier) => tier.id),
      ['daily', 'weekly', 'monthly', 'quarterly', 'annual', 'onDemand'],
    );
    const weekly = report.tiers.find((tier) => tier.id === 'weekly')!;
    assert.equal(weekly.periodKey, '2026-W50');
    assert.equal(weekly.lastDay, '2026-12-13');

    assert.deepEqual(findTask(report, 'weekly.database'), {
      id: 'weekly.database',
      title: 'Database maintenance',
      team: 'Development Team',
      owner: 'Dana',
      state: 'overdue',
      description: 'overdue 15 days',
      dueInDays: null,
      // Monday 00:00 in Berlin.
      overdueSince: '2026-11-22T23:00:00.000Z',
      overdueDays: 15,
      missedPeriod: '2026-W47',
      snoozedUntil: null,
      snoozeReason: null,
      lastDone: {
        at: '2026-11-12T09:30:00.000Z',
        by: 'Ann',
        period: '2026-W46',
        note: 'vacuumed bookings',
        values: {},
      },
      ownerChanged: { at: '2026-11-26T10:15:00.000Z', by: 'Pat', from: null, to: 'Dana' },
      recorded: true,
      checklist: { ticked: 0, items: findTask(report, 'weekly.database')!.checklist.items },
    });
    const backups = findTask(report, 'monthly.backups')!;
    assert.equal(backups.state, 'snoozed');
    assert.equal(backups.snoozedUntil, '2026-12-20');
    assert.equal(backups.snoozeReason, 'waiting for the new bucket');
    assert.equal(findTask(report, 'monthly.securityUpdates')!.state, 'dueLater');
    assert.equal(findTask(report, 'monthly.securityUpdates')!.dueInDays, 24);
    assert.equal(findTask(report, 'daily.logs')!.state, 'dueSoon');
    assert.equal(findTask(report, 'daily.health')!.state, 'done');
    assert.equal(findTask(report, 'weekly.queries')!.checklist.ticked, 1);
    const security = findTask(report, 'daily.security')!;
    assert.equal(security.recorded, false);
    assert.equal(security.state, 'dueSoon');
    assert.equal(
      findTask(report, 'onDemand.bugFix')!.description.startsWith('in progress 1/'),
      true,
    );
  });

  it('agrees with the tree: same row text and badge counts at each instant', async () => {
    const dir = await workspace({ state: RICH_STATE, playbook: PLAYBOOK });
    const { playbook } = await loadPlaybook({ workspace: dir });
    const read = await readStateFile(path.join(dir, '.upkeep/state.json'));
    assert.ok(read.ok);
    const noResults = { latest: () => undefined };
    const instants = [
      NOW,
      '2026-12-05T22:59:59Z', // Saturday, a second before Sunday in Berlin
      '2026-12-06T23:00:00Z', // Monday 00:00 in Berlin, a new week
      '2026-12-31T23:30:00Z', // New Year in Berlin, still 2026 in UTC
      '2027-02-15T12:00:00Z',
    ];
    for (const instant of instants) {
      const run = await upkeep(['--workspace', dir, '--format', 'json', '--fail-on', 'never'], {
        UPKEEP_NOW: instant,
      });
      assert.equal(run.code, 0, run.stderr);
      const report = parseReport(run);
      const now = new Date(instant);
      const statuses = [];
      for (const tier of playbook.tiers) {
        for (const task of tasksOfTier(playbook, tier.id)) {
          // What PlaybookController.statusOf and the tree's row make of the same stored state
          // (a task the file names; the editor's first sight of the others stays on its machine).
          const status = taskStatus(tier, taskEntry(read.state, task.id), now, 'Europe/Berlin');
          statuses.push(status);
          const row = describeTaskRow(task, status, noResults, now, 'Europe/Berlin');
          const cli = findTask(report, task.id)!;
          const cliRow = [cli.description, cli.owner ? `owner ${cli.owner}` : '']
            .filter(Boolean)
            .join(' · ');
          assert.equal(cliRow, row, `${task.id} at ${instant}`);
          assert.equal(
            cli.state.startsWith('due') ? 'due' : cli.state,
            status.kind,
            `${task.id} at ${instant}`,
          );
        }
      }
      const badge = countAttention(statuses);
      assert.equal(report.counts.overdue, badge.overdue, instant);
      assert.equal(report.counts.dueSoon, badge.dueSoon, instant);
      assert.equal(report.counts.dueLater, badge.dueLater, instant);
    }
  });

  it('reads a playbook of anchors and merges, and a future completion, as the tree', async () => {
    // A shared state file written by a laptop whose clock ran months ahead: the task was kept
    // from going overdue until March; the tree and the command now both say overdue.
    const playbook = [
      'tasks:',
      '  - &jobs',
      '    id: weekly.sidekiq',
      '    tier: weekly',
      '    title: Sidekiq queues',
      '    owner: &lead Dana',
      '  - <<: *jobs',
      '    id: weekly.mailers',
      '    title: Mailers',
      '  - id: daily.logs',
      '    owner: *lead',
      '',
    ].join('\n');
    const ahead = doneTask('2027-W10', '2027-03-08T12:00:00Z', 'Skewed Laptop');
    const state = { version: 1, tasks: { 'weekly.sidekiq': ahead } };
    const dir = await workspace({ state, playbook });
    const run = await upkeep(['--workspace', dir, '--tier', 'weekly', '--tier', 'daily']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.includes('.upkeep/playbook.yaml'), false, run.stderr);
    const sidekiq = taskBlock(run.stdout, 'weekly.sidekiq');
    assert.match(sidekiq, /^ {2}overdue +weekly\.sidekiq +Sidekiq queues \(owner Dana\)/);
    assert.match(sidekiq, /week 2026-W40 went by without it/);
    assert.match(
      sidekiq,
      /last done 2027-03-08 13:00 by Skewed Laptop, a time still to come \(a clock was wrong\)/,
    );
    assert.match(taskBlock(run.stdout, 'weekly.mailers'), /Mailers \(owner Dana\)/);
    assert.match(taskBlock(run.stdout, 'daily.logs'), /Log monitoring \(owner Dana\)/);

    const { playbook: loaded } = await loadPlaybook({ workspace: dir });
    const weekly = loaded.tiers.find((tier) => tier.id === 'weekly')!;
    const status = taskStatus(weekly, ahead as TaskState, new Date(NOW), 'Europe/Berlin');
    assert.deepEqual([status.kind, status.missedPeriod], ['overdue', '2026-W40']);
  });

  it('names recorded values by their title and keeps the last run of on-demand work', async () => {
    const dir = await workspace({
      state: {
        version: 1,
        tasks: {
          'annual.disasterRecovery': {
            since: '2025-10-01T08:00:00Z',
            ticks: {},
            done: { periodKey: '2026', at: '2026-03-10T14:00:00Z', by: 'Eve' },
            history: [
              {
                ...(history(
                  '2026',
                  '2026-03-10T14:00:00Z',
                  'Eve',
                  'restored on the spare',
                ) as object),
                values: { recoveryMinutes: '42' },
              },
            ],
          },
          // A finished run of on-demand work leaves no completion, only its history.
          'onDemand.bugFix': {
            since: '2026-10-01T08:00:00Z',
            periodKey: 'onDemand',
            ticks: { reproduce: { at: '2026-12-07T08:30:00Z', by: 'Cem' } },
            history: [history('onDemand', '2026-12-02T16:00:00Z', 'Cem', 'fixed #412')],
          },
        },
      },
    });
    const run = await upkeep(['--workspace', dir, '--tier', 'annual', '--tier', 'onDemand']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      taskBlock(run.stdout, 'annual.disasterRecovery'),
      /done 2026-03-10 15:00 by Eve: restored on the spare \[Recovery time 42 minutes\]$/,
    );
    const bugFix = taskBlock(run.stdout, 'onDemand.bugFix');
    assert.match(bugFix, /in progress 1\/\d+\n.*last done 2026-12-02 17:00 by Cem: fixed #412$/);

    const json = parseReport(
      await upkeep([
        '--workspace',
        dir,
        '--format',
        'json',
        '--tier',
        'annual',
        '--tier',
        'onDemand',
      ]),
    );
    assert.deepEqual(findTask(json, 'annual.disasterRecovery')!.lastDone!.values, {
      recoveryMinutes: '42',
    });
    assert.equal(findTask(json, 'onDemand.bugFix')!.lastDone!.period, 'onDemand');
  });

  it('--fail-on due exits 1 for a task due soon, overdue does not, never exits 0', async () => {
    // Everything done this period but one daily task done yesterday: due today, not overdue.
    const dir = await workspace({
      state: {
        version: 1,
        tasks: {
          'daily.health': doneTask('2026-12-06', '2026-12-06T18:00:00Z', 'Bob'),
        },
      },
    });
    const due = await upkeep(['--workspace', dir, '--tier', 'daily', '--fail-on', 'due']);
    assert.equal(due.code, 1, due.stderr);
    assert.match(due.stderr, /exit code 1: 0 overdue, 4 due soon\./);
    const overdue = await upkeep(['--workspace', dir, '--tier', 'daily']);
    assert.equal(overdue.code, 0, overdue.stderr);
    assert.equal(overdue.stderr, '');

    const behind = await workspace({ state: RICH_STATE });
    const never = await upkeep(['--workspace', behind, '--fail-on', 'never']);
    assert.equal(never.code, 0, never.stderr);
    assert.match(never.stdout, /3 overdue/);
  });

  it('--overdue lists overdue or due soon; --tier limits tiers and exit', async () => {
    const dir = await workspace({ state: RICH_STATE, playbook: PLAYBOOK });
    const run = await upkeep([
      '--workspace',
      dir,
      '--overdue',
      '--tier',
      'weekly',
      '--tier',
      'monthly',
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stdout, /^Daily/m);
    assert.match(run.stdout, /^ {2}overdue {4}weekly\.database/m);
    assert.doesNotMatch(run.stdout, /weekly\.queries|monthly\.backups|due later {2}/);
    assert.match(run.stdout, /Monthly \(.*\): nothing overdue or due soon\n\n/);
    // The footer counts what it lists, and names what it left out.
    assert.match(run.stdout, /\n\d+ overdue(, \d+ due soon)? \(not listed: \d+ due later/);
    // On demand is never due: under --overdue its heading stood alone, over nothing.
    const all = await upkeep(['--workspace', dir, '--overdue']);
    assert.match(all.stdout, /^Annual \(/m);
    assert.doesNotMatch(all.stdout, /^On demand/m);

    const json = parseReport(
      await upkeep(['--workspace', dir, '--overdue', '--format', 'json', '--tier', 'daily']),
    );
    assert.deepEqual(json.selection, { tiers: ['daily'], overdueOnly: true });
    assert.deepEqual(
      json.tiers[0].tasks.map((task) => `${task.id} ${task.state}`),
      ['daily.logs dueSoon', 'daily.performance overdue', 'daily.security dueSoon'],
    );

    // Only the monthly tier: nothing there is overdue.
    const monthly = await upkeep(['--workspace', dir, '--tier', 'monthly']);
    assert.equal(monthly.code, 0, monthly.stderr);

    const unknown = await upkeep(['--workspace', dir, '--tier', 'weekley']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown tier "weekley"; choose from daily, weekly/);
  });

  it('judges days in the zone: --time-zone, then the setting, then the machine', async () => {
    // Last done in week 48. At 03:00 UTC on Monday 12-07 it is still Sunday in New York: week
    // 49 is not over there, while in UTC it went by without the task.
    const state = {
      version: 1,
      tasks: {
        'weekly.database': doneTask('2026-W48', '2026-11-25T12:00:00Z', 'Ann'),
      },
    };
    const env = { UPKEEP_NOW: '2026-12-07T03:00:00Z' };
    const args = ['--tier', 'weekly', '--format', 'json'];
    const york = await workspace({
      settings: { ...REPOSITORY, 'upkeep.schedule.timeZone': 'America/New_York' },
      state,
    });
    const bySetting = await upkeep(['--workspace', york, ...args], env);
    assert.equal(bySetting.code, 0, bySetting.stderr);
    assert.equal(findTask(parseReport(bySetting), 'weekly.database')!.state, 'dueSoon');
    assert.deepEqual(parseReport(bySetting).timeZone, {
      name: 'America/New_York',
      source: 'setting',
    });

    const byFlag = await upkeep(['--workspace', york, ...args, '--time-zone', 'UTC'], env);
    assert.equal(byFlag.code, 1, byFlag.stderr);
    assert.equal(findTask(parseReport(byFlag), 'weekly.database')!.overdueDays, 1);

    const machine = await workspace({
      settings: { 'upkeep.state.location': 'repository' },
      state,
    });
    const utc = await upkeep(['--workspace', machine, ...args], env);
    assert.equal(utc.code, 1, utc.stderr);
    assert.deepEqual(parseReport(utc).timeZone, { name: 'UTC', source: 'machine' });
    const yorkMachine = await upkeep(['--workspace', machine, ...args], {
      ...env,
      TZ: 'America/New_York',
    });
    assert.equal(yorkMachine.code, 0, yorkMachine.stderr);

    const badFlag = await upkeep(['--workspace', york, '--time-zone', 'Mars/Olympus'], env);
    assert.equal(badFlag.code, 2);
    assert.match(
      badFlag.stderr,
      /"Mars\/Olympus" is not a time zone this system knows\.\n--time-zone/,
    );
    const badSetting = await workspace({
      settings: { ...REPOSITORY, 'upkeep.schedule.timeZone': 'Europe/Berln' },
      state,
    });
    const refused = await upkeep(['--workspace', badSetting]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /"Europe\/Berln" is not a time zone.*\nFix upkeep\.schedule\.timeZone/,
    );
    assert.equal(refused.stdout, '');
  });

  it('reads settings nested or flat; a wrong type is the default, as in the editor', async () => {
    const nested = await workspace({
      settings: { upkeep: { state: { location: 'repository' }, schedule: { timeZone: 42 } } },
      state: RICH_STATE,
    });
    const run = parseReport(await upkeep(['--workspace', nested, '--format', 'json']));
    assert.equal(run.state.known, true);
    assert.deepEqual(run.timeZone, { name: 'UTC', source: 'machine' });

    for (const location of [true, 'repo', ['repository']]) {
      const odd = await workspace({
        settings: { 'upkeep.state.location': location },
        state: RICH_STATE,
      });
      const report = parseReport(await upkeep(['--workspace', odd, '--format', 'json']));
      assert.equal(report.state.location, 'workspaceStorage', JSON.stringify(location));
      assert.equal(report.state.known, false);
    }
  });

  it("says state in the editor's storage cannot be seen; tasks listed unknown", async () => {
    const dir = await workspace({ settings: { 'upkeep.schedule.timeZone': 'Europe/Berlin' } });
    const run = await upkeep(['--workspace', dir]);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /Checklist state: unknown: kept in the editor's storage/);
    assert.match(run.stdout, /"upkeep\.state\.location": "repository"/);
    assert.match(run.stdout, /Weekly \(Development Team, 2026-W50, due by Sun 2026-12-13\)\n/);
    assert.match(run.stdout, /^ {2}unknown {4}weekly\.database {2}Database maintenance/m);
    assert.match(run.stdout, /^ {2}on demand {2}onDemand\.bugFix/m);
    assert.match(run.stderr, /upkeep\.state\.location is workspaceStorage/);
    assert.match(
      run.stderr,
      /set "upkeep\.state\.location": "repository" in \.vscode\/settings\.json/,
    );
    assert.match(run.stderr, /exit code 2: with the state unknown/);

    const listed = await upkeep(['--workspace', dir, '--fail-on', 'never', '--format', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const report = parseReport(listed);
    assert.equal(report.state.known, false);
    assert.equal(report.state.location, 'workspaceStorage');
    assert.equal(report.state.file, null);
    assert.equal(report.exitCode, 0);
    assert.equal(findTask(report, 'daily.health')!.state, 'unknown');
    assert.equal(findTask(report, 'daily.health')!.checklist.ticked, null);
    assert.equal(report.counts.unknown, 22);

    // A state file left in the repo while the setting says the editor's storage is not read.
    const stale = await workspace({ settings: {}, state: RICH_STATE });
    const ignored = await upkeep(['--workspace', stale, '--format', 'json']);
    assert.equal(ignored.code, 2);
    assert.equal(parseReport(ignored).state.known, false);
    assert.match(ignored.stderr, /\.upkeep\/state\.json is in the workspace but was not read/);
    assert.doesNotMatch(run.stderr, /is in the workspace/);
  });

  it('a state file not there yet: every task due, none overdue, and stderr says why', async () => {
    const dir = await workspace();
    const run = await upkeep(['--workspace', dir, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = parseReport(run);
    assert.equal(report.state.missing, true);
    assert.equal(report.counts.overdue, 0);
    assert.match(run.stderr, /state\.json is not there: nothing was done, snoozed or ticked/);
    await assert.rejects(fs.stat(path.join(dir, '.upkeep/state.json')));
  });

  it('cuts a megabyte note to one short line in the text; the JSON keeps it whole', async () => {
    const note = `found ${'x'.repeat(1_000_000)}`;
    const dir = await workspace({
      state: {
        version: 1,
        tasks: {
          'weekly.database': doneTask('2026-W46', '2026-11-12T09:30:00Z', 'Ann', [
            history('2026-W46', '2026-11-12T09:30:00Z', 'Ann', note),
          ]),
        },
      },
    });
    const run = await upkeep(['--workspace', dir]);
    const longest = Math.max(...run.stdout.split('\n').map((line) => line.length));
    assert.ok(longest <= 600, `a line of ${longest} characters`);
    assert.match(taskBlock(run.stdout, 'weekly.database'), /by Ann \(2026-W46\): found x+…$/m);

    const json = parseReport(await upkeep(['--workspace', dir, '--format', 'json']));
    assert.equal(findTask(json, 'weekly.database')!.lastDone!.note, note);
  });

  it('a broken or hostile state file is named with why, left as it is, no crash', async () => {
    const cases: [string, string | (() => Promise<void>), RegExp][] = [
      [
        'merge',
        '{ "version": 1, "tasks": {\n<<<<<<< HEAD\n',
        /not valid JSON \(git merge conflict markers\)/,
      ],
      ['empty', '', /the file is empty/],
      ['array', '[1, 2]', /not a JSON object/],
      ['version', '{ "version": 7, "tasks": {} }', /unknown version 7/],
      [
        'types',
        '{ "version": 1, "tasks": { "daily.health": { "since": 5 } } }',
        /task "daily\.health" has no "since"/,
      ],
      [
        'history',
        JSON.stringify({
          version: 1,
          tasks: { 'daily.health': { since: 'x', ticks: {}, history: [{ action: 'done' }] } },
        }),
        /broken history entry \(number 1\)/,
      ],
    ];
    for (const [name, text, reason] of cases) {
      const dir = await workspace({ state: text as string });
      const file = path.join(dir, '.upkeep/state.json');
      const run = await upkeep(['--workspace', dir]);
      assert.equal(run.code, 2, `${name}: ${run.stderr}`);
      assert.match(
        run.stdout,
        /Checklist state: unknown: \.upkeep\/state\.json cannot be read/,
        name,
      );
      assert.match(run.stderr, reason, name);
      assert.match(run.stderr, /nothing was changed/, name);
      assert.doesNotMatch(run.stderr, /\n\s+at /, `${name}: a stack trace`);
      // Read only: never moved aside or rewritten, as the editor would.
      assert.equal(await fs.readFile(file, 'utf8'), text, name);
      assert.deepEqual(await fs.readdir(path.join(dir, '.upkeep')), ['state.json'], name);
      const never = await upkeep(['--workspace', dir, '--fail-on', 'never']);
      assert.equal(never.code, 0, `${name}: ${never.stderr}`);
    }
  });

  it('a huge state file, a FIFO or a link to /dev/zero is refused, not read', async () => {
    const huge = await workspace();
    const hugeFile = path.join(huge, '.upkeep/state.json');
    await fs.writeFile(hugeFile, '');
    await fs.truncate(hugeFile, 65 * 1024 * 1024);
    const big = await upkeep(['--workspace', huge]);
    assert.equal(big.code, 2, big.stderr);
    assert.match(big.stderr, /state\.json cannot be read \(.*(larger|too large|MB)/);

    const fifo = await workspace();
    assert.equal(spawnSync('mkfifo', [path.join(fifo, '.upkeep/state.json')]).status, 0);
    const pipe = await upkeep(['--workspace', fifo]);
    assert.equal(pipe.code, 2, pipe.stderr);
    assert.match(pipe.stderr, /state\.json cannot be read/);

    const zero = await workspace();
    await fs.symlink('/dev/zero', path.join(zero, '.upkeep/state.json'));
    const device = await upkeep(['--workspace', zero]);
    assert.equal(device.code, 2, device.stderr);
    assert.match(device.stderr, /state\.json cannot be read/);
  });

  it('times and dates that are not times and dates read as unknown, no crash', async () => {
    const dir = await workspace({
      state: {
        version: 1,
        tasks: {
          'weekly.database': {
            since: 'last spring',
            ticks: {},
            done: { periodKey: '2026-W40', at: 'yesterday-ish', by: 'Ann' },
            history: [],
          },
          'monthly.backups': {
            since: '2026-13-45T99:00:00Z',
            ticks: {},
            snoozedUntil: '2026-02-31',
            history: [],
          },
          // Times that are valid ISO text but no calendar date here (the first threw a
          // RangeError, the second read as the year 501).
          'weekly.queries': { since: '+275760-09-13T00:00:00.000Z', ticks: {}, history: [] },
          'monthly.caching': {
            since: '2026-01-01T00:00:00Z',
            ticks: {},
            done: { periodKey: '2026-12', at: '-000500-06-01T00:00:00Z', by: 'Bo' },
            history: [],
          },
        },
      },
    });
    const text = await upkeep(['--workspace', dir, '--tier', 'weekly', '--tier', 'monthly']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(taskBlock(text.stdout, 'weekly.database'), /last done at an unknown time by Ann/);
    assert.match(taskBlock(text.stdout, 'monthly.backups'), /due later/);
    const json = parseReport(
      await upkeep(['--workspace', dir, '--format', 'json', '--tier', 'weekly']),
    );
    assert.equal(findTask(json, 'weekly.database')!.lastDone!.at, null);
    assert.match(taskBlock(text.stdout, 'weekly.queries'), /due/);
    assert.match(taskBlock(text.stdout, 'monthly.caching'), /done at an unknown time by Bo/);
    const monthly = parseReport(
      await upkeep(['--workspace', dir, '--format', 'json', '--tier', 'monthly']),
    );
    assert.equal(findTask(monthly, 'monthly.caching')!.lastDone!.at, null);
  });

  it('control characters in names, notes and reasons never reach the terminal', async () => {
    const evil = 'Ann\u001b[2J\rroot\u202e\u0007';
    const dir = await workspace({
      playbook: 'version: 1\ntasks:\n  - id: weekly.database\n    owner: "Dana\\e[31m\\r"\n',
      state: {
        version: 1,
        tasks: {
          'weekly.database': doneTask('2026-W46', '2026-11-12T09:30:00Z', evil, [
            history('2026-W46', '2026-11-12T09:30:00Z', evil, 'ok\nFAKE LINE\u009b'),
          ]),
          'monthly.backups': {
            since: '2026-10-01T08:00:00Z',
            ticks: {},
            snoozedUntil: '2026-12-20',
            snoozeReason: 'later\u001b]0;title\u0007',
            history: [],
          },
        },
      },
    });
    const run = await upkeep(['--workspace', dir]);
    assert.equal(run.code, 1, run.stderr);
    const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    assert.doesNotMatch(run.stdout, unsafe);
    assert.doesNotMatch(run.stderr, unsafe);
    assert.doesNotMatch(run.stdout, /^FAKE LINE/m);
    assert.match(taskBlock(run.stdout, 'weekly.database'), /by Ann \[2J root {2}.*ok FAKE LINE/);

    const json = parseReport(await upkeep(['--workspace', dir, '--format', 'json']));
    // JSON keeps the text as written (escaped), for a script to decide.
    assert.equal(findTask(json, 'weekly.database')!.lastDone!.by, evil);
    assert.equal(findTask(json, 'weekly.database')!.owner, 'Dana\u001b[31m\r');
  });

  it('a playbook error, a bad UPKEEP_NOW or a bad workspace exits 2', async () => {
    const dir = await workspace({
      state: { version: 1, tasks: {} },
      playbook: 'version: 1\ntasks:\n  - id: weekly.databse\n    owner: Dana\n',
    });
    const run = await upkeep(['--workspace', dir, '--tier', 'monthly']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^error: \.upkeep\/playbook\.yaml:3:/m);
    assert.match(run.stderr, /exit code 2: \.upkeep\/playbook\.yaml has errors/);

    const clock = await upkeep(['--workspace', dir], { UPKEEP_NOW: 'monday' });
    assert.equal(clock.code, 2);
    assert.match(clock.stderr, /UPKEEP_NOW is "monday", which is not an ISO 8601 instant/);
    // Without Z or an offset, Node read it in the machine's zone: one state, another answer
    // under each TZ.
    const local = await upkeep(['--workspace', dir], { UPKEEP_NOW: '2026-12-07T08:00' });
    assert.equal(local.code, 2);
    assert.match(
      local.stderr,
      /UPKEEP_NOW is "2026-12-07T08:00", which is not an ISO 8601 instant/,
    );
    assert.match(local.stderr, /with Z or an offset/);

    const gone = await upkeep(['--workspace', path.join(folder, 'nowhere')]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /The workspace folder .*nowhere does not exist/);
  });

  it('a playbook warning reads warn:, as in upkeep check, and the exit stays 0', async () => {
    const dir = await workspace({
      state: { version: 1, tasks: {} },
      playbook: 'version: 1\ntierz: {}\n',
    });
    const run = await upkeep(['--workspace', dir, '--tier', 'monthly']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warn: \.upkeep\/playbook\.yaml:2:1: Unknown key "tierz"/m);
  });

  it('--help lists flags and exit codes; a report that cannot be written exits 2', async () => {
    const help = await upkeep(['--help']);
    assert.equal(help.code, 0);
    for (const flag of [
      '--tier',
      '--format',
      '--overdue',
      '--fail-on',
      '--workspace',
      '--time-zone',
    ]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    assert.match(help.stdout, /Exit codes:\n {2}0 {2}nothing overdue/);
    assert.match(help.stdout, /\n {2}2 {2}bad usage or configuration/);
    assert.match(help.stdout, /docs\/status-json\.md/);

    const dir = await workspace({ state: RICH_STATE });
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI, 'status', '--workspace', dir], {
        env: { PATH: process.env.PATH ?? '', UPKEEP_NOW: NOW, TZ: 'UTC' },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 2, stderr);
      assert.match(stderr, /the report could not be written to standard output/);
    } finally {
      closeSync(full);
    }
  });
});
