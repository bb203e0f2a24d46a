/**
 * The Maintenance tree: tier → task → checklist items (with checkboxes) and checks (with their
 * last result). Elements are the plain node objects that commands receive as their argument.
 */
import * as vscode from 'vscode';
import type { CheckResult, ResultLog } from '../../core/checks/types';
import type { CheckRegistry } from '../../core/checks/registry';
import { createRegistry } from '../../core/checks/registry';
import type { Severity, Task, Tier, TierId } from '../../core/playbook/model';
import { isTaskOf, tasksOfTier } from '../../core/playbook/model';
import { PLAYBOOK_FILE } from '../../core/playbook/loader';
import type { TaskStatus } from '../../core/playbook/schedule';
import {
  countAttention,
  describeAge,
  describeAttention,
  describeDueSoon,
  describeInstant,
  describeLastDone,
  isDueSoon,
} from '../../core/playbook/schedule';
import { formatMs } from '../../core/util/figures';
import { plural } from '../../core/util/plural';
import {
  completionEntry,
  describeOwnerChange,
  lastOwnerChange,
  taskEntry,
  tickOf,
} from '../../core/playbook/state';
import type { BugReportSummary } from '../../core/templates/reports';
import { codeBlock } from '../../core/templates/markdown';
import { describeOpenReports, reportState } from '../../core/templates/reports';
import { printable } from '../../core/util/printable';
import type { PlaybookController } from './playbookController';
import {
  checkFailures,
  describeCheckFailures,
  describeTaskRow,
  describeTickRow,
  describeTierRow,
  hoverText,
  rowText,
} from './checkFailures';

export type TierNode = { kind: 'tier'; tierId: TierId };
export type TaskNode = { kind: 'task'; taskId: string };
export type ItemNode = { kind: 'item'; taskId: string; itemId: string };
export type CheckNode = { kind: 'check'; checkId: string; taskId: string };
export type SeverityNode = { kind: 'severity'; severityId: Severity['id'] };
export type ProblemsNode = { kind: 'problems' };
/** An open bug report under On demand, until its `Status:` line says it is done. */
export type ReportNode = { kind: 'report'; file: string };
export type PlaybookNode =
  TierNode | TaskNode | ItemNode | CheckNode | SeverityNode | ProblemsNode | ReportNode;

const STATUS_ICONS: Record<TaskStatus['kind'], [string, string | undefined]> = {
  done: ['pass-filled', 'testing.iconPassed'],
  due: ['circle-large-outline', 'list.warningForeground'],
  overdue: ['warning', 'list.errorForeground'],
  snoozed: ['watch', 'disabledForeground'],
  onDemand: ['tools', undefined],
};

const OUTCOME_ICONS: Record<CheckResult['outcome'], [string, string]> = {
  pass: ['pass', 'testing.iconPassed'],
  warn: ['warning', 'list.warningForeground'],
  fail: ['error', 'testing.iconFailed'],
  error: ['alert', 'errorForeground'],
  skipped: ['circle-slash', 'disabledForeground'],
};

function icon(name: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(name, color ? new vscode.ThemeColor(color) : undefined);
}

export class PlaybookTreeProvider implements vscode.TreeDataProvider<PlaybookNode> {
  private readonly emitter = new vscode.EventEmitter<PlaybookNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private registry: CheckRegistry | undefined;
  /** Only this team's tasks (or this owner's) are shown; undefined shows all. */
  team: string | undefined;
  /** Bug reports in the repo, newest list from `listReports`; open ones show under On demand. */
  reports: BugReportSummary[] = [];
  /** False with no folder open: the tree stays empty so the view's welcome asks for one. */
  folderOpen = true;

  constructor(
    private readonly controller: PlaybookController,
    private readonly results: ResultLog,
    private readonly now: () => Date,
  ) {}

  refresh(): void {
    this.registry = undefined;
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  /** The enabled tasks of a tier that pass the team filter. */
  visibleTasks(tierId: TierId): Task[] {
    const tasks = tasksOfTier(this.controller.current(), tierId);
    const team = this.team;
    return team ? tasks.filter((task) => isTaskOf(task, team)) : tasks;
  }

  visibleTiers(): Tier[] {
    return this.controller.current().tiers.filter((tier) => this.visibleTasks(tier.id).length > 0);
  }

  getChildren(node?: PlaybookNode): PlaybookNode[] {
    if (!node) {
      if (!this.folderOpen) return [];
      const problems: PlaybookNode[] = this.controller.currentProblems().length
        ? [{ kind: 'problems' }]
        : [];
      return [
        ...problems,
        ...this.visibleTiers().map((tier): TierNode => ({ kind: 'tier', tierId: tier.id })),
      ];
    }
    if (node.kind === 'tier') {
      const tasks = this.visibleTasks(node.tierId).map((task): TaskNode => ({
        kind: 'task',
        taskId: task.id,
      }));
      const severities =
        node.tierId === 'onDemand'
          ? this.controller.current().severities.map((severity): SeverityNode => ({
              kind: 'severity',
              severityId: severity.id,
            }))
          : [];
      const reports =
        node.tierId === 'onDemand'
          ? this.reports
              .filter((report) => !report.done)
              .map((report): ReportNode => ({ kind: 'report', file: report.file }))
          : [];
      return [...tasks, ...reports, ...severities];
    }
    if (node.kind === 'task') {
      const task = this.controller.task(node.taskId);
      if (!task) return [];
      return [
        ...task.items.map((item): ItemNode => ({ kind: 'item', taskId: task.id, itemId: item.id })),
        ...task.checks.map((checkId): CheckNode => ({ kind: 'check', checkId, taskId: task.id })),
      ];
    }
    return [];
  }

  getParent(node: PlaybookNode): PlaybookNode | undefined {
    if (node.kind === 'item' || node.kind === 'check') return { kind: 'task', taskId: node.taskId };
    if (node.kind === 'task') {
      const task = this.controller.task(node.taskId);
      return task && { kind: 'tier', tierId: task.tier };
    }
    if (node.kind === 'severity' || node.kind === 'report') {
      return { kind: 'tier', tierId: 'onDemand' };
    }
    return undefined;
  }

  getTreeItem(node: PlaybookNode): vscode.TreeItem {
    switch (node.kind) {
      case 'tier':
        return this.tierItem(node);
      case 'task':
        return this.taskItem(node);
      case 'item':
        return this.itemItem(node);
      case 'check':
        return this.checkItem(node);
      case 'severity':
        return this.severityItem(node);
      case 'problems':
        return this.problemsItem();
      case 'report':
        return this.reportItem(node);
    }
  }

  private tierItem(node: TierNode): vscode.TreeItem {
    const tier = this.controller.current().tiers.find((candidate) => candidate.id === node.tierId)!;
    const statuses = this.visibleTasks(tier.id).map((task) => this.controller.statusOf(task));
    const { overdue, dueSoon, dueLater } = countAttention(statuses);
    // A task whose checks fail is worth a look even if the tier is otherwise quiet.
    const failingTasks = this.visibleTasks(tier.id).filter(
      (task) => checkFailures(task, this.results).failing.length > 0,
    ).length;
    // Open bug reports show under On demand: the row counts them, as it counts due tasks.
    const reports = tier.id === 'onDemand' ? this.reports : [];
    const lateReports = reports.filter((r) => reportState(r, this.now()) === 'overdue').length;
    const counts = [
      describeAttention({ overdue, dueSoon, dueLater }),
      failingTasks && `${failingTasks} with failing checks`,
      describeOpenReports(reports, this.now()),
    ]
      .filter(Boolean)
      .join(', ');
    // The title and team may come from the repo playbook: one printable line each.
    const title = rowText(tier.title);
    const team = rowText(tier.team);
    const item = new vscode.TreeItem(
      title,
      // Failing checks colour the row but do not expand it: the tree keeps its layout.
      overdue || dueSoon
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `tier:${tier.id}`;
    item.description = describeTierRow(
      { overdue, dueSoon, dueLater },
      failingTasks,
      describeOpenReports(reports, this.now()),
      tier.team,
    );
    item.contextValue = 'tier';
    item.iconPath =
      overdue || failingTasks || lateReports
        ? icon('calendar', 'list.errorForeground')
        : dueSoon
          ? icon('calendar', 'list.warningForeground')
          : icon('calendar');
    const later = dueLater ? ` ${plural(dueLater, 'task')} due later this ${tier.period}.` : '';
    const meaning =
      tier.period === 'none' ? '' : `\n\nDue soon here means ${describeDueSoon(tier.period)}.`;
    item.tooltip = new vscode.MarkdownString(
      `**${hoverText(title)}** — ${hoverText(team)}\n\n` +
        `${counts || 'Nothing overdue or due soon.'}${later}${meaning}`,
    );
    item.accessibilityInformation = {
      label: `${title} tier, ${team}, ${counts || 'nothing overdue or due soon'}`,
    };
    return item;
  }

  private taskItem(node: TaskNode): vscode.TreeItem {
    const task = this.controller.task(node.taskId);
    if (!task) return new vscode.TreeItem(node.taskId);
    const status = this.controller.statusOf(task);
    const now = this.now();
    const title = rowText(task.title);
    const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `task:${task.id}`;
    // Failing checks outrank the status icon, done or not: the description still says which.
    const failures = checkFailures(task, this.results);
    const failing = describeCheckFailures(failures);
    item.description = describeTaskRow(task, status, this.results, now, this.controller.timeZone);
    // The task id lets menus offer a task's own actions (New Bug Report on the bug-fix workflow).
    item.contextValue = `task.${status.kind}.${task.id}`;
    item.iconPath = failing
      ? icon('error', 'list.errorForeground')
      : status.kind === 'due' && !isDueSoon(status)
        ? icon('circle-large-outline')
        : icon(...STATUS_ICONS[status.kind]);

    const lines = [`**${hoverText(title)}** — ${hoverText(item.description)}`, ''];
    lines.push(
      `Team: ${hoverText(task.team)}${task.owner ? ` · Owner: ${hoverText(task.owner)}` : ''}`,
    );
    const ownerChange = lastOwnerChange(this.controller.stateOf(task));
    if (ownerChange) {
      const at = describeInstant(new Date(ownerChange.at), now, this.controller.timeZone);
      const change = describeOwnerChange(ownerChange.owner);
      lines.push(hoverText(`Owner changed ${at} by ${ownerChange.by}: ${change}`));
    }
    if (task.description) lines.push('', hoverText(task.description));
    if (status.period) lines.push('', `Period: ${status.period.key}`);
    // What the next on call asks first: since when it is late, and who did it last.
    for (const fact of describeLastDone(
      status,
      this.controller.stateOf(task),
      now,
      this.controller.timeZone,
    )) {
      lines.push(hoverText(fact));
    }
    // What Mark Task Done… asked for ("What was found or done?"), kept with the completion.
    const note = status.kind === 'done' ? completionEntry(this.controller.stateOf(task))?.note : '';
    if (note) lines.push(hoverText(`Note: ${note}`));
    if (status.kind === 'due' && status.period) {
      const soon = describeDueSoon(status.period.unit);
      lines.push(
        isDueSoon(status)
          ? `Due soon (${soon}): counted in the badge and the status bar.`
          : `Due later: counted as due soon once ${soon}.`,
      );
    }
    if (task.items.length) {
      lines.push(`Checklist: ${status.checkedItems.length}/${task.items.length} ticked`);
    }
    // By their titles, as the rows under the task name them.
    if (task.checks.length) lines.push(`Checks: ${this.checkTitles(task.checks)}`);
    if (failures.failing.length) lines.push(`Failing: ${this.checkTitles(failures.failing)}`);
    if (task.guideline) lines.push('', `Guideline: ${hoverText(task.guideline.section)}`);
    item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    item.accessibilityInformation = { label: `${title}, ${item.description}` };
    return item;
  }

  private itemItem(node: ItemNode): vscode.TreeItem {
    const task = this.controller.task(node.taskId);
    const checklistItem = task?.items.find((candidate) => candidate.id === node.itemId);
    if (!task || !checklistItem) return new vscode.TreeItem(node.itemId);
    const status = this.controller.statusOf(task);
    const checked = status.checkedItems.includes(checklistItem.id);
    const title = rowText(checklistItem.title);
    const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.None);
    item.id = `item:${task.id}/${checklistItem.id}`;
    item.contextValue = 'item';
    item.checkboxState = {
      state: checked
        ? vscode.TreeItemCheckboxState.Checked
        : vscode.TreeItemCheckboxState.Unchecked,
      tooltip: checked ? 'Untick' : 'Tick when done',
      accessibilityInformation: {
        label: `${title}, ${checked ? 'done' : 'not done'}`,
      },
    };
    const tick = checked
      ? tickOf(taskEntry(this.controller.state(), task.id), checklistItem.id)
      : undefined;
    if (tick) {
      item.description = describeTickRow(tick, this.now(), this.controller.timeZone);
    } else if (!checklistItem.checks?.length) {
      item.description = 'manual';
    }
    // The row is what a screen reader reads (its checkbox is not focused): it says the state.
    const state = checked ? 'done' : 'not done';
    item.accessibilityInformation = {
      label: [title, state, item.description].filter(Boolean).join(', '),
    };
    // Enter (and a click on the label) toggles the item too, so no mouse is needed.
    item.command = { command: 'upkeep.toggleItem', title: 'Toggle', arguments: [node] };
    const checks = checklistItem.checks?.length
      ? `Checks: ${this.checkTitles(checklistItem.checks)}`
      : 'Manual: no check covers this item.';
    item.tooltip = new vscode.MarkdownString(`${hoverText(title)}\n\n${checks}`);
    return item;
  }

  /** Check titles for a hover, as the check rows show them; an unknown id as it is. */
  private checkTitles(ids: readonly string[]): string {
    this.registry ??= createRegistry(this.controller.current());
    const registry = this.registry;
    const title = (id: string): string =>
      registry.get(id)?.title ?? this.results.latest(id)?.title ?? id;
    return ids.map((id) => hoverText(rowText(title(id)))).join(', ');
  }

  private checkItem(node: CheckNode): vscode.TreeItem {
    this.registry ??= createRegistry(this.controller.current());
    const result = this.results.latest(node.checkId);
    const definition = this.registry.get(node.checkId);
    const title = rowText(definition?.title ?? result?.title ?? node.checkId);
    const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.None);
    item.id = `check:${node.taskId}/${node.checkId}`;
    item.contextValue = 'check';
    // "check" first: a checklist item often has the same title ("Database connectivity").
    const heading =
      `**Check: ${hoverText(title)}** \`${node.checkId}\`` +
      (definition?.description ? `\n\n${hoverText(definition.description)}` : '');
    if (!result) {
      item.description = 'check · not run yet';
      item.iconPath = icon('circle-outline');
      item.tooltip = new vscode.MarkdownString(`${heading}\n\nNot run yet.`);
      item.accessibilityInformation = { label: `Check ${title}: not run yet` };
      return item;
    }
    const age = describeAge(new Date(result.startedAt), this.now());
    item.description = `check · ${result.outcome} · ${age}`;
    item.iconPath = icon(...OUTCOME_ICONS[result.outcome]);
    // The run's Set Password… is gone once its notification is: the row offers it as long as
    // its result says the login was refused (see the view/item/context menus).
    const refused = result.values?.loginRefused === true;
    if (refused) item.contextValue = 'check.loginRefused';
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`${heading}\n\n`);
    tooltip.appendMarkdown(`${result.outcome.toUpperCase()}: ${hoverText(result.summary)}\n\n`);
    // Not appendCodeblock: its fence can be closed by an indented one in the output.
    if (result.details) {
      tooltip.appendMarkdown(`${codeBlock(result.details.slice(0, 2000), 'text')}\n`);
    }
    // In the schedule's zone, named, as the task rows and the dashboard give their times: the
    // editor machine's clock (UTC on code-server) read as the team's.
    const zone = this.controller.timeZone;
    const ranAt = `${new Date(result.startedAt).toLocaleString(undefined, {
      timeZone: zone,
      dateStyle: 'medium',
      timeStyle: 'short',
    })} ${zone}`;
    // A run saved by `upkeep check --save` (cron, a terminal) shows beside the editor's own.
    const from = this.results.originOf?.(result) === 'commandLine' ? ', from the command line' : '';
    tooltip.appendMarkdown(`\n\nRan ${age} (${ranAt}), took ${formatMs(result.durationMs)}${from}`);
    if (refused) tooltip.appendMarkdown('\n\nSet Database Password… (the key) runs it again.');
    item.tooltip = tooltip;
    item.accessibilityInformation = {
      label: `Check ${title}: ${result.outcome}, ${age}${from}. ${result.summary}`,
    };
    return item;
  }

  private reportItem(node: ReportNode): vscode.TreeItem {
    const report = this.reports.find((candidate) => candidate.file === node.file);
    if (!report) return new vscode.TreeItem(node.file);
    const now = this.now();
    const state = reportState(report, now);
    const title = rowText(report.title);
    const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.None);
    item.id = `report:${report.file}`;
    item.contextValue = 'report';
    // The playbook's title ("High"), as the severity rows above show it, not the id.
    const label = this.controller
      .current()
      .severities.find((candidate) => candidate.id === report.severity)?.title;
    const severity = report.severity ? `${label ?? report.severity} · ` : '';
    const due = report.dueAt
      ? `${state === 'overdue' ? 'response overdue since' : 'respond by'} ${describeInstant(
          report.dueAt,
          now,
          this.controller.timeZone,
        )}`
      : 'open';
    item.description = severity + due;
    item.iconPath = icon('bug', state === 'overdue' ? 'list.errorForeground' : undefined);
    item.tooltip = `${title}\n${item.description}\n${printable(report.file)}`;
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [vscode.Uri.file(report.file)],
    };
    item.accessibilityInformation = { label: `Bug report ${title}, ${item.description}` };
    return item;
  }

  private severityItem(node: SeverityNode): vscode.TreeItem {
    const severity = this.controller
      .current()
      .severities.find((candidate) => candidate.id === node.severityId)!;
    const item = new vscode.TreeItem(`${severity.title}: respond ${severity.responseTime}`);
    item.id = `severity:${severity.id}`;
    item.description = severity.examples;
    item.contextValue = 'severity';
    const colors: Record<Severity['id'], string | undefined> = {
      critical: 'errorForeground',
      high: 'list.warningForeground',
      medium: undefined,
      low: 'disabledForeground',
    };
    item.iconPath = icon('flame', colors[severity.id]);
    item.tooltip =
      `${severity.title} — response time ${severity.responseTime}. ` + `${severity.examples}.`;
    return item;
  }

  private problemsItem(): vscode.TreeItem {
    const problems = this.controller.currentProblems();
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    const item = new vscode.TreeItem(
      `${PLAYBOOK_FILE}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    );
    item.id = 'problems';
    item.description = 'the rest still loads';
    item.contextValue = 'problems';
    item.iconPath = icon(
      errors ? 'error' : 'warning',
      errors ? 'errorForeground' : 'list.warningForeground',
    );
    item.tooltip = problems
      .slice(0, 10)
      .map((problem) => `${problem.line}:${problem.column} ${problem.message}`)
      .join('\n');
    item.command = { command: 'upkeep.openPlaybook', title: 'Open Repo Playbook' };
    return item;
  }
}
