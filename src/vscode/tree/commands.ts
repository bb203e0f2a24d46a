/**
 * The tree's commands: tick an item, mark a task done, snooze, reset, set its owner, show
 * history, open the guideline section, filter by team, refresh and open the repo playbook. Each
 * works from the tree's context menu and, without an argument, from the command palette via a
 * quick pick.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Task } from '../../core/playbook/model';
import { filterChoices } from '../../core/playbook/model';
import { plural } from '../../core/util/plural';
import { unlinked } from '../../core/util/unlinked';
import { findHeadingLine } from '../../core/playbook/guidelines';
import { GUIDELINES_FILE } from '../../core/playbook/defaultPlaybook';
import { PLAYBOOK_FILE } from '../../core/playbook/loader';
import {
  addDays,
  describeTaskStatus,
  formatLocalDate,
  localDateOf,
  parseLocalDate,
  daysBetween,
} from '../../core/playbook/schedule';
import {
  markDone,
  resetTask,
  setItemChecked,
  snoozeTask,
  taskEntry,
} from '../../core/playbook/state';
import { snoozeChoices } from '../../core/playbook/snoozeChoices';
import { writeStarterPlaybook } from '../../core/playbook/starter';
import { historyMarkdown } from '../../core/playbook/history';
import type { Services } from '../services';
import type { PlaybookController } from './playbookController';
import type { ItemNode, PlaybookNode, PlaybookTreeProvider } from './playbookTree';
import { checkFailures, pickText } from './checkFailures';
import { setTaskOwnerCommand, UnsavedOwnerChanges } from './setOwner';

export const HISTORY_SCHEME = 'upkeep-history';

export interface TreeCommandContext {
  services: Services;
  controller: PlaybookController;
  tree: PlaybookTreeProvider;
  /** Re-renders the tree, the badge and the status bar. */
  refresh(): void;
  /** Applies the team filter. */
  setTeam(team: string | undefined): Promise<void>;
}

export function registerTreeCommands(context: TreeCommandContext): void {
  const { services } = context;
  const command = (id: string, run: (...args: unknown[]) => Promise<unknown> | unknown): void => {
    services.track(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await run(...args);
        } catch (error) {
          services.log.child('tree').error(`${id}: ${String(error)}`);
          void vscode.window.showErrorMessage(
            unlinked(`Upkeep: ${(error as Error).message ?? error}`),
          );
        }
      }),
    );
  };

  command('upkeep.toggleItem', (node) => toggleItem(context, node as ItemNode));
  command('upkeep.markTaskDone', (node) => markTaskDone(context, node));
  command('upkeep.snoozeTask', (node) => snooze(context, node));
  command('upkeep.resetTask', (node) => reset(context, node));
  const unsavedOwners = new UnsavedOwnerChanges(context);
  command('upkeep.setTaskOwner', async (node) => {
    const task = await resolveTask(context, node, 'Set the owner of which task?');
    if (task) await setTaskOwnerCommand(context, task, unsavedOwners);
  });
  command('upkeep.showTaskHistory', (node) => showHistory(context, node));
  command('upkeep.openGuideline', (node) => openGuideline(context, node));
  // The rows' menus: the same, without "…", as they act on the row at once.
  command('upkeep.showThisTaskHistory', (node) => showHistory(context, node));
  command('upkeep.openThisGuideline', (node) => openGuideline(context, node));
  command('upkeep.filterByTeam', () => filterByTeam(context));
  command('upkeep.refresh', async () => {
    await context.controller.reloadPlaybook();
    await context.controller.reloadState();
    context.refresh();
  });
  command('upkeep.openPlaybook', () => openPlaybook(context));
}

/** The task a command is about: the tree node it was invoked on, or one the user picks. */
async function resolveTask(
  context: TreeCommandContext,
  node: unknown,
  placeHolder: string,
  filter: (task: Task) => boolean = () => true,
): Promise<Task | undefined> {
  const given = node as PlaybookNode | undefined;
  if (given && (given.kind === 'task' || given.kind === 'item' || given.kind === 'check')) {
    return context.controller.task(given.taskId);
  }
  const { controller } = context;
  const now = context.services.clock.now();
  const picks = controller
    .current()
    .tasks.filter((task) => !task.disabled && filter(task))
    .map((task) => ({
      // The repo's text, as on the tree's rows: one printable line each.
      label: pickText(task.title),
      description: describeTaskStatus(controller.statusOf(task), now, controller.timeZone),
      detail: pickText(`${controller.tierOf(task)?.title ?? task.tier} · ${task.team}`),
      task,
    }));
  const picked = await vscode.window.showQuickPick(picks, { placeHolder, matchOnDetail: true });
  return picked?.task;
}

async function toggleItem(context: TreeCommandContext, node: ItemNode | undefined): Promise<void> {
  if (!node || node.kind !== 'item') return;
  const task = context.controller.task(node.taskId);
  if (!task) return;
  const checked = context.controller.statusOf(task).checkedItems.includes(node.itemId);
  await setItem(context, task, node.itemId, !checked);
}

/** Ticks or unticks an item; the last tick completes the task for the period. */
export async function setItem(
  context: TreeCommandContext,
  task: Task,
  itemId: string,
  checked: boolean,
): Promise<void> {
  const checks = context.controller.checkResults(task);
  const outcome: { value: ReturnType<typeof setItemChecked> } = { value: 'changed' };
  await context.controller.change(task, (state, change) => {
    outcome.value = setItemChecked(state, task, itemId, checked, change, checks);
  });
  context.services.log
    .child('tree')
    .info(`${task.id}: item ${itemId} ${checked ? 'ticked' : 'unticked'} (${outcome.value})`);
  if (outcome.value === 'completed') {
    void vscode.window.setStatusBarMessage(`$(pass) ${task.title}: done for this period`, 4000);
    warnOfFailingChecks(context, task);
  }
}

/**
 * After a task is marked done: a warning, not modal and not blocking, when some of its checks
 * still fail. Done is the maintainer's call (a known, accepted failure is common), but the
 * failure should not pass unseen; the row keeps showing it until the check passes.
 */
function warnOfFailingChecks(context: TreeCommandContext, task: Task): boolean {
  const { failing } = checkFailures(task, context.services.results);
  if (!failing.length) return false;
  const titles = failing.map((id) => context.services.results.latest(id)?.title ?? id);
  void vscode.window.showWarningMessage(
    unlinked(
      `Upkeep: ${task.title} is marked done with ${plural(failing.length, 'check')} failing ` +
        `(${titles.join(', ')}). Its row keeps showing the failure until the check passes.`,
    ),
  );
  return true;
}

async function markTaskDone(context: TreeCommandContext, node: unknown): Promise<void> {
  const { controller } = context;
  const task = await resolveTask(
    context,
    node,
    'Mark which task done?',
    (candidate) => controller.statusOf(candidate).kind !== 'done',
  );
  if (!task) return;

  const values: Record<string, string> = {};
  for (const record of task.records ?? []) {
    const value = await vscode.window.showInputBox({
      title: `${task.title}: ${record.title}`,
      // A prompt is linked text too: `[label](command:…)` there would be a link.
      prompt: unlinked(
        `${record.title}${record.unit ? ` (${record.unit})` : ''}, kept in the task history`,
      ),
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim()) values[record.id] = value.trim();
  }
  // Weekly and rarer work (a review, an audit, a drill) is looked back on: what was found or
  // done goes with it. Daily work stays one click.
  let note: string | undefined;
  if (controller.tierOf(task)?.period !== 'day') {
    note = await vscode.window.showInputBox({
      title: `${task.title}: done`,
      prompt: 'What was found or done? Kept in the task history (optional: Enter to skip).',
      placeHolder: 'Removed 2 accounts of people who left',
      ignoreFocusOut: true,
    });
    if (note === undefined) return;
  }

  const checks = controller.checkResults(task);
  const saved = await controller.change(task, (state, change) =>
    markDone(state, task, change, {
      checks,
      values,
      tickAll: true,
      note,
    }),
  );
  if (saved && !warnOfFailingChecks(context, task)) {
    void vscode.window.showInformationMessage(unlinked(`Upkeep: ${task.title} marked done.`));
  }
}

async function snooze(context: TreeCommandContext, node: unknown): Promise<void> {
  const { controller } = context;
  const task = await resolveTask(context, node, 'Snooze which task?', (candidate) =>
    ['due', 'overdue'].includes(controller.statusOf(candidate).kind),
  );
  if (!task) return;

  const today = localDateOf(context.services.clock.now(), controller.timeZone);
  const options = snoozeChoices(today).map((option) => ({
    label: option.label,
    description: formatLocalDate(option.date),
  }));
  const picked = await vscode.window.showQuickPick(
    [...options, { label: 'Pick a date…', description: 'YYYY-MM-DD' }],
    { placeHolder: `Snooze "${task.title}" until…` },
  );
  if (!picked) return;
  let until = picked.description;
  if (picked.label === 'Pick a date…') {
    const typed = await vscode.window.showInputBox({
      title: `Snooze "${task.title}" until`,
      prompt: `The task is due again on this date (in ${controller.timeZone}).`,
      placeHolder: formatLocalDate(addDays(today, 7)),
      validateInput: (value) => {
        const date = parseLocalDate(value);
        if (!date) return 'A date as YYYY-MM-DD, for example 2026-12-24.';
        return daysBetween(today, date) > 0 ? undefined : 'Pick a date after today.';
      },
    });
    if (!typed) return;
    until = formatLocalDate(parseLocalDate(typed)!);
  }
  // Whoever finds the task snoozed (the next on call) reads why on its row and in the history.
  const reason = await vscode.window.showInputBox({
    title: `Snooze "${task.title}" until ${until}`,
    prompt: 'Why is it put off? Shown on the task until then and kept in its history (optional).',
    placeHolder: 'Waiting for the vendor’s patch',
    ignoreFocusOut: true,
  });
  if (reason === undefined) return;
  const saved = await controller.change(task, (state, change) =>
    snoozeTask(state, task.id, until, change, reason),
  );
  // Said like Mark Task Done: the row's new state can be out of sight.
  if (saved) {
    void vscode.window.showInformationMessage(
      unlinked(`Upkeep: ${task.title} snoozed until ${until}.`),
    );
  }
}

async function reset(context: TreeCommandContext, node: unknown): Promise<void> {
  const task = await resolveTask(context, node, 'Reset which task?');
  if (!task) return;
  const answer = await vscode.window.showWarningMessage(
    unlinked(`Reset "${task.title}"?`),
    {
      modal: true,
      detail: 'Clears this period’s ticks, completion and snooze. The history keeps a record.',
    },
    'Reset',
  );
  if (answer !== 'Reset') return;
  await context.controller.change(task, (state, change) => resetTask(state, task.id, change));
}

async function showHistory(context: TreeCommandContext, node: unknown): Promise<void> {
  let taskId: string | undefined;
  const given = node as PlaybookNode | undefined;
  if (given && (given.kind === 'task' || given.kind === 'item' || given.kind === 'check')) {
    taskId = given.taskId;
  } else {
    const all = { label: '$(history) All tasks', description: 'grouped by month', id: undefined };
    const picks = context.controller
      .current()
      .tasks.filter((task) => taskEntry(context.controller.state(), task.id)?.history.length)
      .map((task) => ({
        label: pickText(task.title),
        description: pickText(task.team),
        id: task.id as string | undefined,
      }));
    const picked = await vscode.window.showQuickPick([all, ...picks], {
      placeHolder: 'History of…',
    });
    if (!picked) return;
    taskId = picked.id;
  }
  await context.controller.reloadState();
  // The tab shows the last segment: the task's title, which the maintainer knows, not its id.
  const title = taskId ? (context.controller.task(taskId)?.title ?? taskId) : 'All tasks';
  const name = pickText(title).replace(/[/\\]/g, '-').slice(0, 80);
  const uri = vscode.Uri.from({
    scheme: HISTORY_SCHEME,
    path: `/${taskId ?? 'all'}/${name} history.md`,
    query: String(Date.now()),
  });
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: true });
}

/** The read-only history documents. */
export function historyProvider(context: TreeCommandContext): vscode.TextDocumentContentProvider {
  return {
    provideTextDocumentContent(uri) {
      // `/<task id>/<title> history.md`; a tab restored from before the title was in the path
      // reads `/<task id>.md`.
      const name = (uri.path.split('/').find(Boolean) ?? 'all').replace(/\.md$/, '');
      const { controller } = context;
      const format = (iso: string): string =>
        new Date(iso).toLocaleString(undefined, {
          timeZone: controller.timeZone,
          dateStyle: 'medium',
          timeStyle: 'short',
        });
      return historyMarkdown(
        controller.current(),
        controller.state(),
        name === 'all' ? undefined : name,
        format,
        controller.timeZone,
      );
    },
  };
}

async function openGuideline(context: TreeCommandContext, node: unknown): Promise<void> {
  const { controller, services } = context;
  const given = node as PlaybookNode | undefined;
  let link;
  if (given?.kind === 'tier') {
    link = controller.current().tiers.find((tier) => tier.id === given.tierId)?.guideline;
  } else {
    const task = await resolveTask(context, node, 'Open the guideline section of which task?');
    link = task?.guideline;
  }
  if (!link) return;

  let uri: vscode.Uri;
  if (link.file) {
    const folder = services.workspaceFolder;
    if (!folder) return;
    uri = vscode.Uri.joinPath(folder.uri, link.file);
  } else {
    uri = vscode.Uri.joinPath(services.context.extensionUri, GUIDELINES_FILE);
  }
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    // A file is named only by the repo playbook: that name is what to correct.
    const next = link.file
      ? `, a guideline file named in ${PLAYBOOK_FILE}. Create it, or correct that name there.`
      : '.';
    void vscode.window.showWarningMessage(
      unlinked(`Upkeep: cannot open ${link.file ?? GUIDELINES_FILE}${next}`),
    );
    return;
  }
  const line = findHeadingLine(document.getText(), link.section);
  if (line === undefined) {
    void vscode.window.showInformationMessage(
      unlinked(
        `Upkeep: no heading "${link.section}" in ${link.file ?? 'the guidelines'}; opened the top.`,
      ),
    );
  }
  const position = new vscode.Position(line ?? 0, 0);
  const editor = await vscode.window.showTextDocument(document, {
    preview: true,
    selection: new vscode.Range(position, position),
  });
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.AtTop);
  // The shipped guidelines are the extension's own copy: an edit would be lost on update.
  if (!link.file) {
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  }
}

async function filterByTeam(context: TreeCommandContext): Promise<void> {
  const current = context.tree.team;
  const picks = [
    {
      label: 'All teams',
      description: current ? '' : 'showing',
      team: undefined as string | undefined,
    },
    // Owners set with Set Owner come after the tiers' teams; each shows the tasks it owns.
    ...filterChoices(context.controller.current()).map(({ name, kind }) => ({
      label: pickText(name),
      description: [kind === 'owner' ? 'owner' : '', name === current ? 'showing' : '']
        .filter(Boolean)
        .join(' · '),
      team: name,
    })),
  ];
  const picked = await vscode.window.showQuickPick(picks, { placeHolder: 'Show the tasks of…' });
  if (!picked) return;
  await context.setTeam(picked.team);
}

/** Opens `.upkeep/playbook.yaml`, writing the commented starter first if there is none. */
async function openPlaybook(context: TreeCommandContext): Promise<void> {
  const folder = context.services.workspaceFolder;
  if (!folder) {
    void vscode.window.showInformationMessage('Upkeep: open the folder of a Rails app first.');
    return;
  }
  const file = path.join(folder.uri.fsPath, PLAYBOOK_FILE);
  if (await writeStarterPlaybook(folder.uri.fsPath)) {
    context.services.log.child('playbook').info(`created ${PLAYBOOK_FILE} from the starter`);
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const first = context.controller.currentProblems()[0];
  const position = first
    ? new vscode.Position(first.line - 1, first.column - 1)
    : new vscode.Position(0, 0);
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(position, position),
  });
}
