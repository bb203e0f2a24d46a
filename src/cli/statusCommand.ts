/**
 * `upkeep status`: the maintenance tasks with what the editor's tree shows for each (due,
 * overdue, done by whom, snoozed until when and why, owner), read from the repository's
 * `.upkeep/state.json`, for a cron mail of what is overdue and a CI job that fails when the team
 * falls behind. Exit 0 fine, 1 overdue (or due soon, with --fail-on due), 2 usage,
 * configuration, or a state it cannot see while asked to judge. It never writes the state file.
 */
import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadWorkspaceSettings } from '../core/checks/workspaceSettings';
import { loadPlaybook } from '../core/playbook/loader';
import { TIER_IDS } from '../core/playbook/model';
import { readStateFile, REPO_STATE_FILE, stateFilePath } from '../core/playbook/stateStore';
import type { PlaybookState } from '../core/playbook/state';
import type { StateSource, StatusFailOn, StatusReport } from '../core/playbook/statusReport';
import { buildStatusReport, formatStatusText } from '../core/playbook/statusReport';
import type { UpkeepSettings } from '../core/settings';
import type { BugReportSummary } from '../core/templates/reports';
import { listReports } from '../core/templates/reports';
import { describeError, UpkeepError } from '../core/util/errors';
import { plural } from '../core/util/plural';
import { printable, printableJson } from '../core/util/printable';
import { checkTimeZone, machineTimeZone } from '../core/util/timeZone';
import { cliLogger, logPlaybookProblems, warnLine, writeCommandError } from './cliLogger';
import { collect, nonEmpty, tierIds, workspaceOption } from './options';
import { requireWorkspaceFolder, resolveWorkspace } from './workspaceFolder';

const EXIT_USAGE = 2;

/**
 * An ISO 8601 instant to judge at instead of the clock: for tests, and to reproduce a report
 * (the state file is still read as it is now).
 */
const NOW_VARIABLE = 'UPKEEP_NOW';

interface StatusOptions {
  tier?: string[];
  format: 'text' | 'json';
  overdue?: boolean;
  failOn: StatusFailOn;
  workspace?: string;
  timeZone?: string;
}

export function registerStatusCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('status')
    .description('List the maintenance tasks: overdue, due, done (when, by whom), snoozed, owner')
    .option('--tier <id>', `only a tier's tasks (${TIER_IDS.join(', ')}); repeatable`, collect)
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .option('--overdue', 'list only the tasks overdue or due soon (what the badge counts)')
    .addOption(
      new Option('--fail-on <state>', 'exit 1 when a task is overdue, or due soon too, or never')
        .choices(['overdue', 'due', 'never'])
        .default('overdue'),
    )
    .addOption(workspaceOption())
    .option(
      '--time-zone <zone>',
      "IANA zone of the team's days and weeks (default: upkeep.schedule.timeZone, else this " +
        "machine's)",
      nonEmpty,
    )
    .action(async (options: StatusOptions) => {
      try {
        setExitCode(await runStatus(options));
      } catch (error) {
        writeCommandError('status', error);
        setExitCode(EXIT_USAGE);
      }
    });
}

async function runStatus(options: StatusOptions): Promise<number> {
  const now = clockNow();
  const workspace = await resolveWorkspace(options.workspace, process.cwd());
  await requireWorkspaceFolder(workspace, 'status');
  const tiers = tierIds(options.tier ?? [...TIER_IDS]);
  // The location and the zone are no restricted settings: nothing runs, nothing is reached.
  const settings = await loadWorkspaceSettings(workspace, { trusted: true, warn: warnLine });
  const timeZone = scheduleZone(options.timeZone, settings);

  const { playbook, problems } = await loadPlaybook({
    workspace,
    thresholds: settings.thresholds,
  });
  const playbookErrors = logPlaybookProblems(problems, cliLogger(false)) > 0;

  const { state, source, notes } = await readState(workspace, settings);
  const report = buildStatusReport({
    bugReports: tiers.includes('onDemand')
      ? await readBugReports(workspace, settings, timeZone.name)
      : undefined,
    playbook,
    state,
    stateSource: source,
    now,
    timeZone,
    workspace,
    tiers,
    overdueOnly: options.overdue === true,
    failOn: options.failOn,
    playbookErrors,
  });

  process.stdout.write(
    options.format === 'json' ? `${printableJson(report)}\n` : formatStatusText(report, playbook),
  );
  for (const note of notes) process.stderr.write(`upkeep status: ${printable(note)}\n`);
  const why = exitReason(report, playbookErrors);
  if (why) process.stderr.write(`upkeep status: ${why}\n`);
  return report.exitCode;
}

/** The bug folder's reports, as the tree lists them; a folder that links out is named. */
async function readBugReports(
  workspace: string,
  settings: UpkeepSettings,
  timeZone: string,
): Promise<{ reports: BugReportSummary[]; problem?: string }> {
  try {
    return { reports: await listReports(workspace, settings, timeZone) };
  } catch (error) {
    return { reports: [], problem: describeError(error) };
  }
}

/** Why the command exits 2, or 1, in a line for stderr; nothing when it exits 0. */
function exitReason(report: StatusReport, playbookErrors: boolean): string | undefined {
  if (report.exitCode === 2 && !report.state.known) {
    return (
      `exit code 2: with the state unknown, whether a task is overdue cannot be told ` +
      `(--fail-on never lists the tasks and exits 0).`
    );
  }
  if (report.exitCode === 2 && playbookErrors) {
    return (
      'exit code 2: .upkeep/playbook.yaml has errors (above), and what they name was left ' +
      'out of the status.'
    );
  }
  if (report.exitCode === 1) {
    const { overdue, dueSoon } = report.counts;
    const due = report.failOn === 'due' && dueSoon ? `, ${dueSoon} due soon` : '';
    const late = report.bugReports?.overdue
      ? `, ${plural(report.bugReports.overdue, 'bug report')} past its response time`
      : '';
    return `exit code 1: ${overdue} overdue${due}${late}.`;
  }
  return undefined;
}

/** The clock, or the instant UPKEEP_NOW names. */
function clockNow(): Date {
  const given = process.env[NOW_VARIABLE];
  if (given === undefined || given === '') return new Date();
  const instant = new Date(given);
  // Without Z or an offset, Date reads it in the machine's zone: another instant under each TZ.
  const zoned = /^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/i.test(given);
  if (!zoned || Number.isNaN(instant.getTime())) {
    throw new UpkeepError(
      'config',
      `${NOW_VARIABLE} is "${given}", which is not an ISO 8601 instant.`,
      `Give one with Z or an offset, such as 2026-12-07T08:00:00Z, or unset ${NOW_VARIABLE} ` +
        'to use the clock.',
    );
  }
  return instant;
}

/** --time-zone, else upkeep.schedule.timeZone, else this machine's: as the editor picks it. */
function scheduleZone(
  flag: string | undefined,
  settings: UpkeepSettings,
): StatusReport['timeZone'] {
  if (flag !== undefined) {
    const name = checkTimeZone(
      flag,
      '--time-zone takes an IANA name such as Europe/Berlin, America/New_York or UTC.',
    );
    return { name, source: 'flag' };
  }
  const configured = settings.schedule.timeZone?.trim();
  if (configured) {
    // The editor falls back to its machine's zone with a warning in its log; a cron line or a
    // CI job would judge a different day without a word, so this is a configuration error.
    const name = checkTimeZone(
      configured,
      'Fix upkeep.schedule.timeZone in .vscode/settings.json (an IANA name such as ' +
        'Europe/Berlin), or give --time-zone.',
    );
    return { name, source: 'setting' };
  }
  return { name: machineTimeZone(), source: 'machine' };
}

interface StateRead {
  state: PlaybookState | undefined;
  source: StateSource;
  /** What stderr says about it: why it is unknown, or that the file is not there. */
  notes: string[];
}

/** The repository's state file, read as it is; never moved, fixed or created. */
async function readState(workspace: string, settings: UpkeepSettings): Promise<StateRead> {
  const location = settings.state.location;
  if (location !== 'repository') {
    // A user-level or .code-workspace setting says repository to the editor, not to the CLI.
    const left = await fs.stat(stateFilePath('repository', { workspace })).then(
      () => [
        `${REPO_STATE_FILE} is in the workspace but was not read: this command reads only the ` +
          `workspace's .vscode/settings.json, where upkeep.state.location is not "repository" ` +
          '(a user or .code-workspace setting is not read).',
      ],
      () => [],
    );
    return {
      state: undefined,
      source: {
        known: false,
        location,
        file: null,
        missing: false,
        problem:
          "kept in the editor's storage, which this command cannot read. Set " +
          `"upkeep.state.location": "repository" in .vscode/settings.json to keep it in ` +
          `${REPO_STATE_FILE}, to commit.`,
      },
      notes: [
        "the checklist state is kept in the editor's storage, on the machine the editor runs " +
          'on (upkeep.state.location is workspaceStorage, the default), where this command ' +
          'cannot read it: the tasks are listed with their periods and their state unknown. ' +
          `To share it with the team and the command line, set "upkeep.state.location": ` +
          `"repository" in .vscode/settings.json: the editor then keeps it in ` +
          `${REPO_STATE_FILE}, to commit (from then on: what is kept so far stays where it is).`,
        ...left,
      ],
    };
  }

  const file = stateFilePath('repository', { workspace });
  const found = await readStateFile(file);
  if (!found.ok) {
    return {
      state: undefined,
      source: {
        known: false,
        location,
        file,
        missing: false,
        problem: `${REPO_STATE_FILE} cannot be read: ${found.reason}.`,
      },
      notes: [
        found.newer !== undefined
          ? `${file} cannot be read (${found.reason}); nothing was changed. Update Upkeep to ` +
            'read it: the editor leaves it as it is too.'
          : found.conflict
            ? `${file} cannot be read (${found.reason}); nothing was changed. Resolve the ` +
              "merge, keeping both sides' tasks and history: the editor leaves it as it is " +
              'until then.'
            : `${file} cannot be read (${found.reason}); nothing was changed. Fix it (git ` +
              `checkout -- ${REPO_STATE_FILE}): the editor moves a broken file aside as ` +
              'state.json.corrupt-<time> and starts a fresh state.',
      ],
    };
  }
  const missing = found.missing === true;
  return {
    state: found.state,
    source: { known: true, location, file, missing, problem: null },
    notes: missing
      ? [
          `${file} is not there: nothing was done, snoozed or ticked since the state moved to ` +
            'the repository (or the file is not committed). Every task reads due, none overdue.',
        ]
      : [],
  };
}
