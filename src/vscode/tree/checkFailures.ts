/**
 * Which of a task's checks are failing now (latest result fail or error), so a collapsed tree
 * still shows failures on the task and tier rows, and the text of the rows and hovers that a
 * repo wrote. Kept free of `vscode` so unit tests import it.
 */
import type { CheckResult, ResultLog } from '../../core/checks/types';
import type { Task } from '../../core/playbook/model';
import type { TaskStatus } from '../../core/playbook/schedule';
import {
  describeAttention,
  describeInstant,
  describeTaskStatus,
} from '../../core/playbook/schedule';
import { iconsAsText, printable, printableLine } from '../../core/util/printable';

/** A row's description at most: the rest of a long snooze reason is in the history. */
const MAX_ROW_LENGTH = 200;

/**
 * A row's label, or text in its description, that a repo wrote (a task's, a checklist item's or
 * a check's title, a tier's team): one printable line, cut as the descriptions are.
 */
export function rowText(text: string): string {
  return printableLine(text, MAX_ROW_LENGTH);
}

/** rowText() for a quick pick, where `$(name)` would be drawn as an icon. */
export function pickText(text: string, maxLength = MAX_ROW_LENGTH): string {
  return iconsAsText(printableLine(text, maxLength));
}

/**
 * Text from the repo's playbook and state file goes into Markdown tooltips: one printable line
 * (no bidi control turning it around), kept literal. The colon is escaped too: a bare URL is
 * otherwise taken raw as an autolink, backslashes included (`(https://x.org/a\)` kept one and
 * linked to it), whereas `https\://` is plain text that reads as typed, as `www\.` already is.
 * And the `&`: a character reference (`&rlm;`) is decoded to the character it names.
 */
export function hoverText(text: string): string {
  return printable(text).replace(/[\\`*_{}[\]()#+\-.!|<>:&]/g, '\\$&');
}

export interface CheckFailures {
  /** Check ids whose latest result failed or errored, in the task's order. */
  failing: string[];
  /** How many of them errored (could not run) rather than found a problem. */
  errored: number;
}

const FAILING: ReadonlySet<CheckResult['outcome']> = new Set(['fail', 'error']);

/** The task's own checks and its checklist items' checks, each counted once. */
export function checkIdsOfTask(task: Task): string[] {
  return [...new Set([...task.checks, ...task.items.flatMap((item) => item.checks ?? [])])];
}

export function checkFailures(task: Task, results: Pick<ResultLog, 'latest'>): CheckFailures {
  const failing: string[] = [];
  let errored = 0;
  for (const checkId of checkIdsOfTask(task)) {
    const outcome = results.latest(checkId)?.outcome;
    if (!outcome || !FAILING.has(outcome)) continue;
    failing.push(checkId);
    if (outcome === 'error') errored++;
  }
  return { failing, errored };
}

/** "2 checks failing", or '' when none fail. */
export function describeCheckFailures(failures: CheckFailures): string {
  const count = failures.failing.length;
  if (count === 0) return '';
  return `${count} ${count === 1 ? 'check' : 'checks'} failing`;
}

/**
 * A task row's description: "due today · 1/2", "done 09:12 by Ann · 1 check failing", then
 * "owner Bob" when the playbook names one. A done task keeps its failing checks too: ticking
 * every item does not make a check pass, and the row is where a maintainer looks next time.
 * The reason and the name come from a state file a repo may commit: one printable line.
 */
export function describeTaskRow(
  task: Task,
  status: TaskStatus,
  results: Pick<ResultLog, 'latest'>,
  now: Date,
  timeZone: string,
): string {
  const row = [
    describeTaskStatus(status, now, timeZone, task.items.length),
    describeCheckFailures(checkFailures(task, results)),
    // A repo playbook names who does the task; the tree is where the team looks for it.
    task.owner ? `owner ${task.owner}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return rowText(row);
}

/**
 * A tier row's description: what needs doing first ("1 overdue, 3 due soon, 2 failing", the open
 * bug reports), then the team. A sidebar at its default width cuts the end of the row; the
 * tooltip says it all in full ("2 with failing checks", the team, what due soon means).
 */
export function describeTierRow(
  attention: Parameters<typeof describeAttention>[0],
  failingTasks: number,
  openReports: string,
  team: string,
): string {
  const state = [
    describeAttention(attention),
    failingTasks ? `${failingTasks} failing` : '',
    openReports,
  ]
    .filter(Boolean)
    .join(', ');
  return [state, rowText(team)].filter(Boolean).join(' · ');
}

/**
 * A ticked checklist item's description: "09:12 by Ann". The name comes from a state file a
 * repo may commit: one printable line, as on the task's row.
 */
export function describeTickRow(
  tick: { at: string; by: string },
  now: Date,
  timeZone: string,
): string {
  const at = describeInstant(new Date(tick.at), now, timeZone);
  return rowText(`${at} by ${tick.by}`);
}
