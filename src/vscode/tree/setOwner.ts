/**
 * Set Owner…: who does a task, written where owners live, the repo playbook's `owner:`. Asks
 * for the owner with suggestions, then changes only that line of `.upkeep/playbook.yaml`
 * (src/core/playbook/ownerEdit.ts), or creates the file with that one override.
 *
 * Allowed in Restricted Mode: it runs nothing from the repo, it only writes a file of the repo
 * at the user's request, as the editor itself does there. The write is refused when the file or
 * its folder links elsewhere (ownerEdit checks), and the git name it suggests is read as the
 * tree reads it in an untrusted folder, from the user's global config only.
 */
import * as vscode from 'vscode';
import type { Task } from '../../core/playbook/model';
import { PLAYBOOK_FILE } from '../../core/playbook/loader';
import { recordOwnerChange, type OwnerChange } from '../../core/playbook/state';
import {
  ownerProblem,
  parseChecked,
  PlaybookEditError,
  readPlaybookForEdit,
  setTaskOwner,
  setTaskOwnerInFile,
} from '../../core/playbook/ownerEdit';
import { describeError } from '../../core/util/errors';
import { unlinked } from '../../core/util/unlinked';
import type { TreeCommandContext } from './commands';

interface OwnerItem extends vscode.QuickPickItem {
  /** The owner to write; undefined clears it; absent for an entry that cannot be accepted. */
  choice?: { owner: string | undefined };
}

/**
 * Owner changes put into the open playbook's unsaved text. They go into the tasks' history when
 * that text is saved still holding them: one discarded, reverted or edited away leaves no record
 * of a change that never happened.
 */
export class UnsavedOwnerChanges {
  /** By task id, with the playbook the change went into. */
  private readonly pending = new Map<string, { task: Task; change: OwnerChange; uri: string }>();

  constructor(private readonly context: TreeCommandContext) {
    context.services.track(
      vscode.workspace.onDidSaveTextDocument((document) => void this.saved(document)),
    );
  }

  /** A second change of the same task before a save is one change, from the first owner. */
  add(task: Task, change: OwnerChange, playbook: vscode.Uri): void {
    const uri = playbook.toString();
    const earlier = this.pending.get(task.id);
    const from = earlier?.uri === uri ? earlier.change.from : change.from;
    this.pending.set(task.id, { task, change: { from, to: change.to }, uri });
  }

  private async saved(document: vscode.TextDocument): Promise<void> {
    const uri = document.uri.toString();
    const changes = [...this.pending.values()].filter((pending) => pending.uri === uri);
    const text = document.getText();
    for (const { task, change } of changes) {
      this.pending.delete(task.id);
      if (change.from === change.to || !savedWithOwner(text, task, change.to)) continue;
      await this.context.controller.change(task, (state, at) =>
        recordOwnerChange(state, task.id, at, change),
      );
    }
  }
}

/** Whether the saved playbook text gives the task that owner (null: none). */
function savedWithOwner(text: string, task: Task, owner: string | null): boolean {
  try {
    return setTaskOwner(text, task.id, owner ?? undefined) === undefined;
  } catch {
    // Saved broken: the tree shows the error, and the owner is not known to be in effect.
    return false;
  }
}

/** Asks for the task's new owner and writes it; the tree follows the file. */
export async function setTaskOwnerCommand(
  context: TreeCommandContext,
  task: Task,
  unsaved: UnsavedOwnerChanges,
): Promise<void> {
  const folder = context.services.workspaceFolder;
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Upkeep: open the folder of a Rails app first.');
    return;
  }
  const log = context.services.log.child('playbook');
  let where: Written['where'];
  let previous: string | undefined;
  let owner: string | undefined;
  try {
    // A file that cannot be edited is said before the owner is typed, not after.
    parseChecked((await currentText(folder.uri)) ?? '');
    const picked = await askOwner(context, task);
    if (!picked) return;
    owner = picked.owner;
    ({ where, previous } = await writeOwner(folder.uri, task, owner));
  } catch (error) {
    if (PlaybookEditError.isEditError(error) && error.position) {
      // A broken file is the maintainer's to fix: show where, and write nothing.
      await showPlaybookAt(folder.uri, error.position);
    }
    log.warn(`${task.id}: owner not changed: ${describeError(error)}`);
    void vscode.window.showErrorMessage(unlinked(`Upkeep: ${describeError(error)}`));
    return;
  }
  await context.controller.reloadPlaybook();

  const by = await context.controller.user();
  const what = owner === undefined ? 'cleared' : `set to "${owner}"`;
  log.info(`${task.id}: owner ${what} by ${by} in ${PLAYBOOK_FILE} (${where})`);
  // The task's history keeps who changed it, when, and from whom: the playbook keeps only the
  // owner, and its git log only once committed. From the text changed, which may not be the one
  // the choice was made on (a pull while the quick pick was open).
  const change = { from: previous ?? null, to: owner ?? null };
  if (where === 'file') {
    await context.controller.change(task, (state, at) =>
      recordOwnerChange(state, task.id, at, change),
    );
  } else if (where === 'unsaved') {
    unsaved.add(task, change, vscode.Uri.joinPath(folder.uri, PLAYBOOK_FILE));
  }
  const says = owner === undefined ? `has no owner (team: ${task.team})` : `is owned by ${owner}`;
  const message = {
    file: `Upkeep: ${task.title} ${says} now (${PLAYBOOK_FILE}).`,
    unsaved:
      `Upkeep: ${task.title} ${says} now in the open ${PLAYBOOK_FILE}, which has unsaved ` +
      'changes: save it to keep them.',
    none: `Upkeep: ${task.title} already ${says} in ${PLAYBOOK_FILE}.`,
  }[where];
  void vscode.window.showInformationMessage(unlinked(message));
}

interface Written {
  where: 'file' | 'unsaved' | 'none';
  /** The owner the changed text gave the task before; undefined for none. */
  previous?: string;
}

/**
 * Writes the owner; says whether the file on disk changed, the open editor's unsaved text, or
 * nothing (it already said so), and the owner before the change.
 *
 * Why two ways: a playbook open with unsaved edits must not be clobbered, nor saved for the
 * user (that would write their half-done edits too), so the change goes into that document as
 * an edit of its text, on top of theirs, undoable, and the tree (which reads unsaved text) shows
 * it at once. Otherwise the file on disk is changed (re-read just before the write, redone if
 * it changed, renamed into place); an open editor without unsaved edits reloads it by itself.
 */
async function writeOwner(
  folderUri: vscode.Uri,
  task: Task,
  owner: string | undefined,
): Promise<Written> {
  const workspace = folderUri.fsPath;
  const uri = vscode.Uri.joinPath(folderUri, PLAYBOOK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const open = openPlaybook(folderUri);
    if (!open?.isDirty) {
      const { changed, previous } = await setTaskOwnerInFile(workspace, task.id, owner);
      return changed ? { where: 'file', previous } : { where: 'none' };
    }
    // The file's own checks (no link out, a regular file) hold for the save to come too.
    await readPlaybookForEdit(workspace);
    const version = open.version;
    const change = setTaskOwner(open.getText(), task.id, owner);
    if (!change) return { where: 'none' };
    // Typed into while the file was checked: made again on the new text.
    if (open.version !== version) continue;
    const { offset, length, insert } = change.splice;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      uri,
      new vscode.Range(open.positionAt(offset), open.positionAt(offset + length)),
      insert,
    );
    if (!(await vscode.workspace.applyEdit(edit))) {
      throw new PlaybookEditError(
        'refused',
        `The editor did not take the change to ${PLAYBOOK_FILE}.`,
      );
    }
    return { where: 'unsaved', previous: change.previous };
  }
  throw new PlaybookEditError(
    'refused',
    `${PLAYBOOK_FILE} kept changing in the editor while Upkeep wrote the owner; ` +
      'nothing was written.',
    'Try again in a moment.',
  );
}

/** The playbook's text as the tree reads it: the editor's when unsaved, else the file's. */
async function currentText(folderUri: vscode.Uri): Promise<string | undefined> {
  const open = openPlaybook(folderUri);
  const { text } = await readPlaybookForEdit(folderUri.fsPath);
  return open?.isDirty ? open.getText() : text;
}

function openPlaybook(folderUri: vscode.Uri): vscode.TextDocument | undefined {
  const uri = vscode.Uri.joinPath(folderUri, PLAYBOOK_FILE).toString();
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri);
}

async function showPlaybookAt(
  folderUri: vscode.Uri,
  { line, column }: { line: number; column: number },
): Promise<void> {
  const document = await vscode.workspace.openTextDocument(
    vscode.Uri.joinPath(folderUri, PLAYBOOK_FILE),
  );
  const position = new vscode.Position(Math.max(line - 1, 0), Math.max(column - 1, 0));
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(position, position),
  });
}

/**
 * The owner typed or picked: prefilled with the current one, the owners the playbook names and
 * the git user as suggestions, and No owner to go back to the default (the tier's team).
 */
async function askOwner(
  context: TreeCommandContext,
  task: Task,
): Promise<{ owner: string | undefined } | undefined> {
  const me = await context.controller.user();
  const counts = new Map<string, number>();
  for (const other of context.controller.current().tasks) {
    if (other.owner && !ownerProblem(other.owner)) {
      counts.set(other.owner, (counts.get(other.owner) ?? 0) + 1);
    }
  }
  const suggestions: OwnerItem[] = [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => ({
      label: name,
      description: [
        name === task.owner
          ? 'current owner'
          : `owner of ${count === 1 ? '1 task' : `${count} tasks`}`,
        name === me ? 'you' : '',
      ]
        .filter(Boolean)
        .join(' · '),
      choice: { owner: name },
    }));
  if (!counts.has(me) && !ownerProblem(me)) {
    suggestions.unshift({ label: me, description: 'you (git user.name)', choice: { owner: me } });
  }
  const clear: OwnerItem = {
    label: 'No owner',
    description: `back to the default: ${task.team}`,
    alwaysShow: true,
    choice: { owner: undefined },
  };

  const pick = vscode.window.createQuickPick<OwnerItem>();
  pick.title = `Owner of ${task.title}`;
  pick.placeholder = `A person or a team; empty for none (the tier's team, ${task.team})`;
  pick.value = task.owner ?? '';
  pick.ignoreFocusOut = true;
  const itemsFor = (value: string): OwnerItem[] => {
    const typed = value.trim();
    const items: OwnerItem[] = [];
    if (typed && !counts.has(typed) && typed !== me) {
      const problem = ownerProblem(typed);
      items.push(
        problem
          ? { label: `$(error) ${problem}`, alwaysShow: true }
          : { label: typed, description: 'new owner', alwaysShow: true, choice: { owner: typed } },
      );
    }
    if (task.owner) items.push(clear);
    return [...items, ...suggestions];
  };
  pick.items = itemsFor(pick.value);
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: { owner: string | undefined } | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidChangeValue((value) => {
      pick.items = itemsFor(value);
    });
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item?.choice) return done(item.choice);
      // Nothing listed for an empty box: Enter means no owner.
      if (!item && !pick.value.trim()) return done({ owner: undefined });
    });
    pick.onDidHide(() => done(undefined));
    pick.show();
  });
}
