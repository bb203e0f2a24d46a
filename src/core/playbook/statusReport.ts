/**
 * Where each maintenance task stands, as `upkeep status` reports it: the tree's due, overdue,
 * done and snoozed (the same `taskStatus` and lead times), with the owner and the last
 * completion, as stable JSON (docs/status-json.md) and as text for a cron mail. Pure: the
 * command reads the playbook, the state file and the clock, and hands them here.
 */
import * as path from 'node:path';
import type { BugReportSummary } from '../templates/reports';
import { reportState } from '../templates/reports';
import type { SeverityId } from '../templates/severity';
import { printable, printableLine } from '../util/printable';
import { plural } from '../util/plural';
import type { PeriodUnit, Playbook, RecordField, Task, Tier, TierId } from './model';
import { tasksOfTier } from './model';
import type { TaskStatus } from './schedule';
import {
  describeTaskStatus,
  formatLocalDate,
  isDueSoon,
  localDateOf,
  parseLocalDate,
  periodAt,
  STAMPED_AHEAD_NOTE,
  stampedAhead,
  stateInstant,
  taskStatus,
  wallTime,
  weekdayOf,
} from './schedule';
import type { OwnerChange, PlaybookState, TaskState } from './state';
import { completionEntry, describeOwnerChange, lastOwnerChange, taskEntry } from './state';

export const STATUS_SCHEMA_VERSION = 1;

/**
 * `due` is due soon (the badge's count: today for a daily task, within 2 days for a weekly one,
 * within 7 days for a rarer one), not merely open this period: a monthly task on the 4th is
 * "due in 27 days" and fails nothing.
 */
export type StatusFailOn = 'overdue' | 'due' | 'never';

/** A task's state in the report; `unknown` when the command cannot see the checklist state. */
export type TaskStateName =
  'overdue' | 'dueSoon' | 'dueLater' | 'done' | 'snoozed' | 'onDemand' | 'unknown';

const STATE_NAMES: readonly TaskStateName[] = [
  'overdue',
  'dueSoon',
  'dueLater',
  'done',
  'snoozed',
  'onDemand',
  'unknown',
];

export interface LastDone {
  /** ISO 8601; null when the file's time is not one. */
  at: string | null;
  by: string;
  /**
   * The period it counts for: the one its time falls in, in the zone read here, as the tree
   * counts it; the key its writer filed it under when its time is no time or still to come.
   */
  period: string;
  /** What was found or done, from the completion's history entry. */
  note: string | null;
  /** Values asked for on completion (the recovery time), by record id. */
  values: Record<string, string>;
}

/** The last owner change Set Owner… kept in the history: when, by whom, from whom to whom. */
export interface OwnerChanged extends OwnerChange {
  /** ISO 8601; null when the file's time is not one. */
  at: string | null;
  by: string;
}

export interface TaskReport {
  id: string;
  title: string;
  team: string;
  owner: string | null;
  state: TaskStateName;
  /** The tree row's words ("overdue 3 days", "due today · 1/2"): for people, not for parsing. */
  description: string;
  /** Due soon or later: calendar days until the period's last day (0 = today). */
  dueInDays: number | null;
  /** Overdue: the end of the first period that went by without it, and days since. */
  overdueSince: string | null;
  overdueDays: number | null;
  /** Overdue: the key of that period (`2026-W48`). */
  missedPeriod: string | null;
  snoozedUntil: string | null;
  snoozeReason: string | null;
  lastDone: LastDone | null;
  ownerChanged: OwnerChanged | null;
  /** Whether the state file names the task at all (done, snoozed, ticked or reset once). */
  recorded: boolean;
  /** Ticked items of this period's checklist; ticked is null when the state is unknown. */
  checklist: { ticked: number | null; items: number };
}

export interface TierReport {
  id: TierId;
  title: string;
  team: string;
  period: PeriodUnit;
  /** The current period; null for on-demand work. */
  periodKey: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  /** The period's last calendar day, `YYYY-MM-DD`: when its tasks are due by. */
  lastDay: string | null;
  tasks: TaskReport[];
}

/** An open bug report in the bug folder, as the tree's On demand tier lists it. */
export interface BugReportEntry {
  /** Relative to the workspace, with `/`. */
  file: string;
  title: string;
  severity: SeverityId | null;
  /** ISO 8601 times from the report's lines; null when it has none. */
  createdAt: string | null;
  responseDueAt: string | null;
  /** `overdue`: its response due time has passed. */
  state: 'open' | 'overdue';
}

export interface BugReportsReport {
  /** The open reports, soonest response first; under --overdue only the overdue ones. */
  reports: BugReportEntry[];
  open: number;
  overdue: number;
  /** Why the bug folder could not be read (a link out of the workspace); null when it was. */
  problem: string | null;
}

export interface StateSource {
  /** False when the command cannot see the checklist state: every periodic task is unknown. */
  known: boolean;
  location: 'workspaceStorage' | 'repository';
  /** The repository's state file; null while the state is kept in the editor's storage. */
  file: string | null;
  /** The file is not there: nothing was recorded in the repository yet. */
  missing: boolean;
  /** Why the state is unknown, in a sentence. */
  problem: string | null;
}

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  tool: 'upkeep';
  workspace: string;
  generatedAt: string;
  timeZone: { name: string; source: 'flag' | 'setting' | 'machine' };
  state: StateSource;
  selection: { tiers: TierId[]; overdueOnly: boolean };
  failOn: StatusFailOn;
  /** Over the selected tiers, whatever --overdue lists. */
  counts: Record<TaskStateName, number>;
  exitCode: number;
  tiers: TierReport[];
  /** Open bug reports, with the On demand tier; null when that tier is not selected. */
  bugReports: BugReportsReport | null;
}

export interface StatusInput {
  playbook: Playbook;
  /** Undefined when the state cannot be seen (`state.known` false). */
  state: PlaybookState | undefined;
  stateSource: StateSource;
  now: Date;
  timeZone: StatusReport['timeZone'];
  workspace: string;
  tiers: TierId[];
  overdueOnly: boolean;
  failOn: StatusFailOn;
  /** The playbook has errors: what they name is left out, so a clean answer is no answer. */
  playbookErrors: boolean;
  /** The bug folder's reports (`listReports`), or why they could not be read. */
  bugReports?: { reports: BugReportSummary[]; problem?: string };
}

/** The report, its counts and its exit code: 0 fine, 1 overdue (or due), 2 cannot tell. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const zone = input.timeZone.name;
  const tiers: TierReport[] = [];
  for (const tier of input.playbook.tiers.filter((t) => input.tiers.includes(t.id))) {
    const period = tier.period === 'none' ? undefined : periodAt(tier.period, input.now, zone);
    const tasks = tasksOfTier(input.playbook, tier.id).map((task) => taskReport(task, tier, input));
    tiers.push({
      id: tier.id,
      title: tier.title,
      team: tier.team,
      period: tier.period,
      periodKey: period?.key ?? null,
      periodStart: period?.start.toISOString() ?? null,
      periodEnd: period?.end.toISOString() ?? null,
      lastDay: period
        ? formatLocalDate(localDateOf(new Date(period.end.getTime() - 1), zone))
        : null,
      tasks,
    });
  }
  const counts = countStates(tiers.flatMap((tier) => tier.tasks));
  if (input.overdueOnly) for (const tier of tiers) tier.tasks = tier.tasks.filter(needsLook);
  const bugReports = input.tiers.includes('onDemand') ? bugReportsOf(input) : null;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    tool: 'upkeep',
    workspace: input.workspace,
    generatedAt: input.now.toISOString(),
    timeZone: input.timeZone,
    state: input.stateSource,
    selection: { tiers: tiers.map((tier) => tier.id), overdueOnly: input.overdueOnly },
    failOn: input.failOn,
    counts,
    exitCode: statusExitCode(counts, bugReports, input),
    tiers,
    bugReports,
  };
}

function countStates(tasks: readonly TaskReport[]): Record<TaskStateName, number> {
  const counts = Object.fromEntries(STATE_NAMES.map((name) => [name, 0])) as Record<
    TaskStateName,
    number
  >;
  for (const task of tasks) counts[task.state]++;
  return counts;
}

/** The open reports, as the tree counts them under On demand (reportState at the same now). */
function bugReportsOf(input: StatusInput): BugReportsReport {
  const given = input.bugReports ?? { reports: [] };
  const open: BugReportEntry[] = [];
  for (const report of given.reports) {
    const state = reportState(report, input.now);
    if (state === 'done') continue;
    open.push({
      file: path.relative(input.workspace, report.file).split(path.sep).join('/'),
      title: report.title,
      severity: report.severity ?? null,
      createdAt: report.createdAt?.toISOString() ?? null,
      responseDueAt: report.dueAt?.toISOString() ?? null,
      state,
    });
  }
  const overdue = open.filter((report) => report.state === 'overdue');
  return {
    reports: input.overdueOnly ? overdue : open,
    open: open.length,
    overdue: overdue.length,
    problem: given.problem ?? null,
  };
}

/** What --overdue lists: overdue and due soon (the badge's tasks), or a periodic unknown one. */
/** The states --overdue lists (see `needsLook`). */
const LISTED_UNDER_OVERDUE: ReadonlySet<TaskStateName> = new Set(['overdue', 'dueSoon', 'unknown']);

function needsLook(task: TaskReport): boolean {
  return LISTED_UNDER_OVERDUE.has(task.state);
}

function statusExitCode(
  counts: Record<TaskStateName, number>,
  bugReports: BugReportsReport | null,
  input: StatusInput,
): number {
  if (input.failOn === 'never') return 0;
  // A bug report past its response time is overdue whatever the checklist state says.
  if (bugReports?.overdue) return 1;
  // Asked whether the team is behind and unable to look: no answer is no "fine".
  if (!input.stateSource.known) return 2;
  if (counts.overdue) return 1;
  if (input.failOn === 'due' && counts.dueSoon) return 1;
  return input.playbookErrors ? 2 : 0;
}

function taskReport(task: Task, tier: Tier, input: StatusInput): TaskReport {
  const zone = input.timeZone.name;
  const base = {
    id: task.id,
    title: task.title,
    team: task.team,
    owner: task.owner ?? null,
    // Set below; here so that the JSON lists them right after the names.
    state: 'unknown' as TaskStateName,
    description: '',
    dueInDays: null,
    overdueSince: null,
    overdueDays: null,
    missedPeriod: null,
    snoozedUntil: null,
    snoozeReason: null,
  };
  if (!input.state) {
    const onDemand = tier.period === 'none';
    return {
      ...base,
      state: onDemand ? 'onDemand' : 'unknown',
      description: onDemand ? 'on demand' : 'state unknown',
      lastDone: null,
      ownerChanged: null,
      recorded: false,
      checklist: { ticked: null, items: task.items.length },
    };
  }

  // The tree reads the same stored state through the same function (PlaybookController).
  const stored = taskEntry(input.state, task.id);
  const status = taskStatus(tier, stored, input.now, zone);
  const overdueSince = status.kind === 'overdue' ? status.overdueSince : undefined;
  return {
    ...base,
    state: stateName(status),
    description: describeTaskStatus(status, input.now, zone, task.items.length),
    dueInDays: status.kind === 'due' ? (status.dueInDays ?? 0) : null,
    overdueSince: overdueSince?.toISOString() ?? null,
    overdueDays: status.kind === 'overdue' ? (status.overdueDays ?? 1) : null,
    missedPeriod: status.missedPeriod ?? null,
    snoozedUntil: status.snoozedUntil ?? null,
    snoozeReason: status.snoozeReason ?? null,
    lastDone: lastDone(stored, tier, input.now, zone),
    ownerChanged: ownerChanged(stored),
    recorded: stored !== undefined,
    checklist: { ticked: status.checkedItems.length, items: task.items.length },
  };
}

function stateName(status: TaskStatus): TaskStateName {
  if (status.kind === 'due') return isDueSoon(status) ? 'dueSoon' : 'dueLater';
  return status.kind;
}

/**
 * The last completion, with the note and values its history entry kept. On-demand work keeps no
 * completion (each run leaves a fresh checklist): its last run is its history's last `done`.
 */
function lastDone(
  stored: TaskState | undefined,
  tier: Tier,
  now: Date,
  zone: string,
): LastDone | null {
  const onDemand = tier.period === 'none';
  const done =
    stored?.done ??
    (onDemand ? stored?.history.filter((item) => item.action === 'done').at(-1) : undefined);
  if (!stored || !done) return null;
  const entry = completionEntry(stored, done);
  const at = stateInstant(done.at);
  // A completion filed in another zone may fall in another period here (08:00 on 1 March in
  // Tokyo is February in London): said as the period taskStatus counts it for.
  const counted =
    at && tier.period !== 'none' && !stampedAhead(done.at, now)
      ? periodAt(tier.period, at, zone).key
      : done.periodKey;
  return {
    at: at ? at.toISOString() : null,
    by: done.by,
    period: counted,
    note: entry?.note ?? null,
    values: { ...(entry?.values ?? {}) },
  };
}

function ownerChanged(stored: TaskState | undefined): OwnerChanged | null {
  const entry = lastOwnerChange(stored);
  if (!entry) return null;
  const at = stateInstant(entry.at);
  const { from, to } = entry.owner;
  return { at: at ? at.toISOString() : null, by: entry.by, from, to };
}

const LABELS: Record<TaskStateName | 'open', string> = {
  open: 'open',
  overdue: 'overdue',
  dueSoon: 'due soon',
  dueLater: 'due later',
  done: 'done',
  snoozed: 'snoozed',
  onDemand: 'on demand',
  unknown: 'unknown',
};

const LABEL_WIDTH = 10;
/**
 * A fact line's length in the text report: a note or reason from a committed state file may be
 * a megabyte, mailed by cron every week. The JSON keeps it whole.
 */
const MAX_FACT_LENGTH = 500;

/**
 * The text report: a header with the time, the zone and where the state came from, then each
 * tier with its tasks, a line each and the facts under it, then the counts. Every name and note
 * from the playbook or the state file goes through printable(): a committed state file is the
 * repo's to write.
 */
export function formatStatusText(report: StatusReport, playbook?: Playbook): string {
  const zone = report.timeZone.name;
  const now = new Date(report.generatedAt);
  const out: string[] = [];
  const zoneSource =
    report.timeZone.source === 'flag'
      ? '--time-zone'
      : report.timeZone.source === 'setting'
        ? 'upkeep.schedule.timeZone'
        : "this machine's zone";
  out.push(
    `Maintenance status of ${printable(report.workspace)} at ${formatWall(now, zone)} ` +
      `(${printable(zone)}, ${zoneSource})`,
  );
  const source = report.state;
  if (!source.known) out.push(`Checklist state: unknown: ${printable(source.problem ?? '')}`);
  else if (source.missing) out.push(`Checklist state: ${printable(source.file ?? '')} (not there)`);
  else out.push(`Checklist state: ${printable(source.file ?? '')}`);

  for (const tier of report.tiers) {
    // Under --overdue a tier that is never due (On demand) lists nothing: its heading alone read
    // as if something under it had been cut off.
    const reports = tier.id === 'onDemand' ? report.bugReports : null;
    const reportsToList = reports && (reports.reports.length || reports.problem);
    if (report.selection.overdueOnly && !tier.periodKey && !tier.tasks.length && !reportsToList) {
      continue;
    }
    out.push('', tierHeading(tier, report));
    // Under --overdue the heading already says the tier has nothing to list.
    if (!tier.tasks.length && !report.selection.overdueOnly) out.push('  no enabled tasks');
    for (const task of tier.tasks) {
      const who = task.owner ? `owner ${task.owner}` : task.team;
      out.push(
        `  ${LABELS[task.state].padEnd(LABEL_WIDTH)} ${printable(task.id)}  ` +
          `${printable(task.title)} (${printable(who)})`,
      );
      const records = playbook?.tasks.find((candidate) => candidate.id === task.id)?.records;
      for (const fact of taskFacts(task, tier, report, records)) {
        out.push(`  ${''.padEnd(LABEL_WIDTH)}   ${printableLine(fact, MAX_FACT_LENGTH)}`);
      }
    }
    if (reports) out.push(...bugReportLines(reports, report));
  }
  out.push('', `${countsFooter(report)}${describeBugCounts(report.bugReports)}.`);
  const unrecorded = report.tiers
    .flatMap((tier) => tier.tasks)
    .filter((task) => !task.recorded && task.state !== 'onDemand' && task.state !== 'unknown');
  if (unrecorded.length) {
    // The editor counts such a task from when it first showed it, which it keeps on its machine.
    out.push(
      `${plural(unrecorded.length, 'task')} listed ${unrecorded.length === 1 ? 'is' : 'are'} ` +
        'not in the state file (never done, snoozed or ticked with the state in the ' +
        'repository): due here, never overdue.',
    );
  }
  return `${out.join('\n')}\n`;
}

/** The On demand tier's bug reports: a line each, under a line that counts them. */
function bugReportLines(reports: BugReportsReport, report: StatusReport): string[] {
  if (reports.problem) return [`  Bug reports: not read: ${printableLine(reports.problem, 500)}`];
  if (!reports.open) return [];
  const zone = report.timeZone.name;
  const late = reports.overdue ? `, ${plural(reports.overdue, 'response')} overdue` : '';
  const lines = [`  Bug reports: ${reports.open} open${late}`];
  for (const entry of reports.reports) {
    const due = entry.responseDueAt
      ? `response ${entry.state === 'overdue' ? 'was ' : ''}due ` +
        formatWall(new Date(entry.responseDueAt), zone)
      : 'no response time';
    const facts = [entry.severity, due].filter(Boolean).join(', ');
    lines.push(
      `  ${LABELS[entry.state === 'overdue' ? 'overdue' : 'open'].padEnd(LABEL_WIDTH)} ` +
        printableLine(`${entry.file}  ${entry.title} (${facts})`, MAX_FACT_LENGTH),
    );
  }
  return lines;
}

function describeBugCounts(reports: BugReportsReport | null): string {
  if (!reports?.open) return '';
  const late = reports.overdue ? `, ${plural(reports.overdue, 'response')} overdue` : '';
  return `; ${plural(reports.open, 'open bug report')}${late}`;
}

function tierHeading(tier: TierReport, report: StatusReport): string {
  // Under --overdue the tier lists fewer tasks than it has; its heading counts what it lists.
  const counts = countStates(tier.tasks);
  const period = tier.periodKey
    ? `, ${tier.periodKey}, due by ${weekdayDate(tier.lastDay!)}`
    : ', on demand';
  const attention = [
    counts.overdue ? `${counts.overdue} overdue` : '',
    counts.dueSoon ? `${counts.dueSoon} due soon` : '',
  ].filter(Boolean);
  const summary =
    !report.state.known || !tier.periodKey
      ? ''
      : `: ${attention.join(', ') || 'nothing overdue or due soon'}`;
  return `${printable(tier.title)} (${printable(tier.team)}${period})${summary}`;
}

function taskFacts(
  task: TaskReport,
  tier: TierReport,
  report: StatusReport,
  records: RecordField[] = [],
): string[] {
  const zone = report.timeZone.name;
  const facts: string[] = [];
  // The tier's heading has the period; nothing else is known.
  if (task.state === 'unknown') return [];
  if (task.state === 'overdue' && task.overdueSince) {
    // The tree's tooltip says the same: since when, and which period went by without it.
    const since = formatLocalDate(localDateOf(new Date(task.overdueSince), zone));
    facts.push(
      `${task.description}, since ${weekdayDate(since)}: ` +
        `${tier.period} ${task.missedPeriod} went by without it`,
    );
  } else if (task.state === 'dueSoon' || task.state === 'dueLater') {
    facts.push(`${task.description} (by ${weekdayDate(tier.lastDay!)})`);
  } else if (task.state === 'snoozed' || (task.state === 'onDemand' && task.checklist.ticked)) {
    facts.push(task.description);
  }
  if (task.checklist.ticked && (task.state === 'overdue' || task.state === 'snoozed')) {
    facts.push(`checklist ${task.checklist.ticked}/${task.checklist.items} ticked`);
  }
  if (task.lastDone) {
    const now = new Date(report.generatedAt);
    facts.push(describeDone(task.lastDone, task.state === 'done', zone, records, now));
  } else if (task.state !== 'onDemand') {
    facts.push(task.recorded ? 'never done' : 'never done (not in the state file)');
  }
  const changed = task.ownerChanged;
  if (changed) {
    const when = changed.at ? formatWall(new Date(changed.at), zone) : 'at an unknown time';
    facts.push(`owner changed ${when} by ${changed.by}: ${describeOwnerChange(changed)}`);
  }
  return facts;
}

function describeDone(
  done: LastDone,
  thisPeriod: boolean,
  zone: string,
  records: RecordField[],
  now: Date,
): string {
  const when = done.at ? formatWall(new Date(done.at), zone) : 'at an unknown time';
  const ahead = done.at && stampedAhead(done.at, now) ? STAMPED_AHEAD_NOTE : '';
  // As the history shows them: "Recovery time 42 minutes" rather than the record's id.
  const values = Object.entries(done.values)
    .map(([key, value]) => {
      const record = records.find((candidate) => candidate.id === key);
      return `${record?.title ?? key} ${value}${record?.unit ? ` ${record.unit}` : ''}`;
    })
    .join(', ');
  return (
    `${thisPeriod ? 'done' : 'last done'} ${when} by ${done.by}${ahead}` +
    `${thisPeriod || done.period === 'onDemand' ? '' : ` (${done.period})`}` +
    `${done.note ? `: ${done.note}` : ''}${values ? ` [${values}]` : ''}`
  );
}

/**
 * The footer's counts. Under --overdue they still count every task (the JSON's `counts` do
 * too), so those the list left out are said to be: "9 due soon" over a list of 9 read as if
 * the 13 due later it also counted were somewhere above.
 */
function countsFooter(report: StatusReport): string {
  if (!report.selection.overdueOnly) return describeCounts(report.counts);
  const listed = STATE_NAMES.filter((name) => LISTED_UNDER_OVERDUE.has(name));
  const left = STATE_NAMES.filter((name) => !LISTED_UNDER_OVERDUE.has(name));
  const only = (names: TaskStateName[]): Record<TaskStateName, number> =>
    Object.fromEntries(
      STATE_NAMES.map((name) => [name, names.includes(name) ? report.counts[name] : 0]),
    ) as Record<TaskStateName, number>;
  const shown = left.some((name) => report.counts[name])
    ? ` (not listed: ${describeCounts(only(left))})`
    : '';
  const listedCounts = only(listed);
  const any = listed.some((name) => listedCounts[name]);
  return `${any ? describeCounts(listedCounts) : 'nothing overdue or due soon'}${shown}`;
}

/** "3 overdue, 2 due soon, 4 due later, 6 done, 1 snoozed, 3 on demand"; zeros left out. */
function describeCounts(counts: Record<TaskStateName, number>): string {
  const parts = STATE_NAMES.filter((name) => counts[name]).map(
    (name) => `${counts[name]} ${LABELS[name]}`,
  );
  return parts.length ? parts.join(', ') : plural(0, 'task');
}

/** "Sun 2026-12-06": a local date (`YYYY-MM-DD`) with its weekday. */
function weekdayDate(date: string): string {
  const local = parseLocalDate(date);
  return local ? `${weekdayOf(local)} ${date}` : date;
}

/** "2026-12-04 09:12": an instant on the zone's wall clock, whole, for a mail read later. */
function formatWall(instant: Date, zone: string): string {
  const wall = wallTime(instant, zone);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${formatLocalDate(wall)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}
