/**
 * The editor side of the playbook: loads it (defaults + `.upkeep/playbook.yaml`), reports its
 * problems in the Problems panel, keeps the checklist state in the configured store, and tells
 * the tree, the badge and the other features when either changes.
 */
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { Playbook, Task, Tier } from '../../core/playbook/model';
import { findTier } from '../../core/playbook/model';
import { defaultPlaybook } from '../../core/playbook/defaultPlaybook';
import type { PlaybookProblem } from '../../core/playbook/loader';
import { loadPlaybook, PLAYBOOK_FILE } from '../../core/playbook/loader';
import type { TaskStatus } from '../../core/playbook/schedule';
import { taskStatus } from '../../core/playbook/schedule';
import type {
  ChangeContext,
  HistoryCheck,
  PlaybookState,
  TaskState,
} from '../../core/playbook/state';
import { changeContext, emptyState, taskEntry } from '../../core/playbook/state';
import { StatusMemo } from '../../core/playbook/statusMemo';
import type { StateLocation } from '../../core/playbook/stateStore';
import { REPO_STATE_FILE, StateStore, stateFilePath } from '../../core/playbook/stateStore';
import { maintainerName } from '../../core/playbook/gitUser';
import { describeError, UpkeepError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { unlinked } from '../../core/util/unlinked';
import type { PlaybookSource, Services } from '../services';
import { watchFiles } from '../fileWatch';

const FIRST_SEEN_KEY = 'upkeep.playbook.firstSeen';
const POLL_MS = 4000;

/**
 * What the tree offers the other features beyond `PlaybookSource`: the check engine's "run all
 * due checks" asks it which tasks are due.
 */
export interface PlaybookTracker extends PlaybookSource {
  /**
   * Ids of enabled tasks still open this period: overdue, due soon or due later. Their checks
   * are worth running early; the badge counts only the overdue and due soon ones.
   */
  dueTaskIds(): string[];
  statusOf(task: Task): TaskStatus;
}

export class PlaybookController implements PlaybookTracker, vscode.Disposable {
  private playbook: Playbook = defaultPlaybook();
  private problems: PlaybookProblem[] = [];
  private stateValue: PlaybookState = emptyState();
  private store: StateStore | undefined;
  private userName: Promise<string> | undefined;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('upkeep-playbook');
  private readonly playbookEmitter = new vscode.EventEmitter<Playbook>();
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: Logger;
  private stateWatcher: vscode.Disposable | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** The playbook's tasks by id, for the tree's rows (a search per row was quadratic). */
  private tasksById = new Map<string, Task>();
  private readonly statuses = new StatusMemo((task, now, zone) =>
    taskStatus(this.tierOf(task)!, this.stateOf(task), now, zone),
  );

  readonly onDidChange = this.playbookEmitter.event;
  /** Ticks, completions, snoozes: from this window or another one writing the same file. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** The team's zone (`upkeep.schedule.timeZone`, else this machine's), read afresh each time. */
  get timeZone(): string {
    return this.services.scheduleTimeZone();
  }

  constructor(private readonly services: Services) {
    this.log = services.log.child('playbook');
    this.disposables.push(this.diagnostics, this.playbookEmitter, this.stateEmitter);
  }

  current(): Playbook {
    return this.playbook;
  }

  currentProblems(): PlaybookProblem[] {
    return this.problems;
  }

  state(): PlaybookState {
    return this.stateValue;
  }

  get workspace(): string | undefined {
    return this.services.workspaceFolder?.uri.fsPath;
  }

  get playbookUri(): vscode.Uri | undefined {
    const folder = this.services.workspaceFolder;
    return folder && vscode.Uri.joinPath(folder.uri, PLAYBOOK_FILE);
  }

  /** Loads everything and starts following the files. */
  async start(): Promise<void> {
    await this.reloadPlaybook();
    await this.openStore();
    this.watch();
  }

  private watch(): void {
    const folder = this.services.workspaceFolder;
    if (folder) {
      // A glob (not the bare path) puts this on the workspace's recursive watcher, which also
      // sees the file when its `.upkeep` folder is created after the watch started.
      const pattern = new vscode.RelativePattern(folder, '.upkeep/playbook.{yaml,yml}');
      this.disposables.push(watchFiles(pattern, () => this.scheduleReload()));
    }
    this.disposables.push(
      // Problems follow the text as it is typed, before it is saved.
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.isPlaybookDocument(event.document)) this.scheduleReload();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (this.isPlaybookDocument(document)) this.scheduleReload();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('upkeep.state.location')) void this.openStore();
        if (event.affectsConfiguration('upkeep.thresholds')) this.scheduleReload();
        // Due, overdue and done are read in the new zone: redraw the tree, badge and status bar.
        if (event.affectsConfiguration('upkeep.schedule.timeZone')) {
          this.statuses.clear();
          this.stateEmitter.fire();
        }
      }),
      // Another window may have written the state while this one was in the background.
      vscode.window.onDidChangeWindowState((windowState) => {
        if (windowState.focused) void this.reloadStateIfChanged();
      }),
    );
    // File watchers miss events (network drives, a busy machine, folders created after the
    // watch started; seen in code-server under load), so the two files' stamps are also
    // compared every few seconds. A stat each is all it costs.
    const timer = setInterval(() => void this.pollFiles(), POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  private readonly stamps = new Map<string, string>();

  /** Notes a file's stamp; true when it differs from the one noted before. */
  private async stamp(file: string | undefined): Promise<boolean> {
    if (!file) return false;
    const stat = await fs.stat(file).catch(() => undefined);
    // A write renames a new file over the old one: a new inode, whatever its time and size.
    const value = stat ? `${stat.ino}:${stat.mtimeMs}:${stat.size}` : 'missing';
    const changed = this.stamps.has(file) && this.stamps.get(file) !== value;
    this.stamps.set(file, value);
    return changed;
  }

  private async pollFiles(): Promise<void> {
    if (await this.stamp(this.playbookUri?.fsPath)) this.scheduleReload();
    await this.reloadStateIfChanged();
  }

  /**
   * Reads the state again when the file is not the one last read or written here. A state with
   * a long history is tens of megabytes parsed on the extension host: this window's own writes
   * (the watcher reports each) and every return of the focus read it again for nothing.
   */
  private async reloadStateIfChanged(): Promise<void> {
    if (await this.stamp(this.store?.file)) await this.reloadState();
  }

  private isPlaybookDocument(document: vscode.TextDocument): boolean {
    const uri = this.playbookUri;
    return !!uri && document.uri.toString() === uri.toString();
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reloadPlaybook(), 250);
  }

  /**
   * Reads the playbook again: from the open editor when it has unsaved edits, else from disk (an
   * editor without unsaved edits may not have caught up yet with a change written to disk).
   */
  async reloadPlaybook(): Promise<void> {
    const workspace = this.workspace;
    const uri = this.playbookUri;
    if (!workspace || !uri) {
      this.setPlaybook(defaultPlaybook(), []);
      return;
    }
    await this.stamp(uri.fsPath);
    const open = vscode.workspace.textDocuments.find((document) =>
      this.isPlaybookDocument(document),
    );
    try {
      const loaded = await loadPlaybook({
        workspace,
        fileText: open?.isDirty ? open.getText() : undefined,
        // Checklist titles quote the thresholds in force ("Average response time under 2 s").
        thresholds: this.services.settings().thresholds,
        trusted: this.services.trusted,
      });
      this.setPlaybook(loaded.playbook, loaded.problems);
    } catch (error) {
      this.log.error(`Cannot load the playbook: ${describeError(error)}`);
      this.setPlaybook(defaultPlaybook(), []);
    }
  }

  private setPlaybook(playbook: Playbook, problems: PlaybookProblem[]): void {
    this.playbook = playbook;
    this.tasksById = new Map();
    // The first of an id, as findTask gives.
    for (const task of playbook.tasks) {
      if (!this.tasksById.has(task.id)) this.tasksById.set(task.id, task);
    }
    this.problems = problems;
    const uri = this.playbookUri;
    this.diagnostics.clear();
    if (uri && problems.length) this.diagnostics.set(uri, problems.map(toDiagnostic));
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    this.log.info(
      `playbook: ${playbook.tasks.filter((task) => !task.disabled).length} tasks, ` +
        `${playbook.customChecks.length} custom checks` +
        (problems.length
          ? `; ${PLAYBOOK_FILE} has ${errors} errors, ${problems.length - errors} warnings`
          : ''),
    );
    this.playbookEmitter.fire(playbook);
  }

  private location(): StateLocation {
    const value = vscode.workspace
      .getConfiguration('upkeep', this.services.workspaceFolder?.uri)
      .get<string>('state.location');
    return value === 'repository' ? 'repository' : 'workspaceStorage';
  }

  /** Opens the store the `upkeep.state.location` setting names and follows its file. */
  async openStore(): Promise<void> {
    this.stateWatcher?.dispose();
    const workspace = this.workspace;
    const storageDir = this.services.storageUri?.fsPath;
    if (!workspace) {
      this.store = undefined;
      this.stateValue = emptyState();
      this.stateEmitter.fire();
      return;
    }
    const location = this.location();
    const file = stateFilePath(location, { workspace, storageDir });
    this.store = new StateStore({
      file,
      root: file === stateFilePath('repository', { workspace }) ? workspace : undefined,
      log: this.log,
      onCorrupt: (report) => {
        void vscode.window.showWarningMessage(
          unlinked(
            `Upkeep: the checklist state file was broken (${report.reason}). It was kept as ` +
              `${vscode.workspace.asRelativePath(report.backup)} and a fresh state started.`,
          ),
        );
      },
    });
    const base =
      location === 'repository' || !storageDir
        ? new vscode.RelativePattern(this.services.workspaceFolder!, REPO_STATE_FILE)
        : new vscode.RelativePattern(vscode.Uri.file(storageDir), 'state.json');
    this.stateWatcher = watchFiles(base, () => void this.reloadStateIfChanged());
    this.log.info(`checklist state: ${file}`);
    await this.reloadState();
  }

  async reloadState(): Promise<void> {
    if (!this.store) return;
    try {
      const started = Date.now();
      await this.stamp(this.store.file);
      this.stateValue = await this.store.read();
      const tasks = Object.keys(this.stateValue.tasks).length;
      this.log.info(`checklist state read (${tasks} tasks) in ${Date.now() - started} ms`);
      this.stateEmitter.fire();
    } catch (error) {
      this.log.error(`Cannot read the checklist state: ${describeError(error)}`);
      // A state a newer Upkeep wrote is refused and left as it is: the tree keeps nothing of it.
      if (UpkeepError.is(error, 'refused')) {
        void vscode.window.showWarningMessage(unlinked(`Upkeep: ${describeError(error)}`));
      }
    }
  }

  /** The git user name, asked once per window. */
  user(): Promise<string> {
    this.userName ??= maintainerName(this.workspace ?? process.cwd(), this.services.trusted);
    return this.userName;
  }

  /** Applies a change to the freshest stored state and shows the result. */
  async change(
    task: Task,
    apply: (state: PlaybookState, context: ChangeContext) => void,
  ): Promise<boolean> {
    if (!this.store) {
      void vscode.window.showWarningMessage('Upkeep: open a folder to keep checklist progress.');
      return false;
    }
    const tier = findTier(this.playbook, task.tier);
    if (!tier) return false;
    const now = this.services.clock.now();
    const context = changeContext(tier, now, await this.user(), this.timeZone);
    try {
      this.stateValue = await this.store.update((state) => {
        // A task first tracked now keeps the moment this window first saw it.
        const firstSeen = this.firstSeenOf(task.id);
        apply(state, context);
        const entry = taskEntry(state, task.id);
        if (firstSeen && entry && firstSeen < entry.since) entry.since = firstSeen;
      });
      await this.stamp(this.store.file);
      this.stateEmitter.fire();
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(
        unlinked(`Upkeep: could not save: ${describeError(error)}`),
      );
      return false;
    }
  }

  /** The latest result of each of the task's checks, for the history. */
  checkResults(task: Task): HistoryCheck[] {
    return task.checks.flatMap((checkId) => {
      const result = this.services.results.latest(checkId);
      return result
        ? [
            {
              checkId,
              outcome: result.outcome,
              summary: result.summary,
              startedAt: result.startedAt,
            },
          ]
        : [];
    });
  }

  /**
   * When this window first saw each task. Kept in the editor's workspace state rather than the
   * state file, so that merely opening a repo never writes to its `.upkeep/state.json`.
   */
  private firstSeen(): Record<string, string> {
    return this.services.context.workspaceState.get<Record<string, string>>(FIRST_SEEN_KEY, {});
  }

  /** When this window first saw the task; an own key only, as task ids may be `toString`. */
  private firstSeenOf(taskId: string): string | undefined {
    const seen = this.firstSeen();
    return Object.hasOwn(seen, taskId) ? seen[taskId] : undefined;
  }

  /** Notes the tasks seen for the first time; a task never done is due from then on. */
  async noteTasksSeen(): Promise<void> {
    const seen: Record<string, string> = Object.assign(Object.create(null), this.firstSeen());
    const now = this.services.clock.now().toISOString();
    let changed = false;
    for (const task of this.playbook.tasks) {
      if (!seen[task.id]) {
        seen[task.id] = now;
        changed = true;
      }
    }
    if (!changed) return;
    await this.services.context.workspaceState.update(FIRST_SEEN_KEY, seen);
    // A task never done is due from when it was first seen: its status may read otherwise now.
    this.statuses.clear();
  }

  tierOf(task: Task): Tier | undefined {
    return findTier(this.playbook, task.tier);
  }

  task(taskId: string): Task | undefined {
    return this.tasksById.get(taskId);
  }

  statusOf(task: Task): TaskStatus {
    return this.statuses.statusOf(task, {
      now: this.services.clock.now(),
      zone: this.timeZone,
      state: this.stateValue,
      playbook: this.playbook,
    });
  }

  /** The task's stored state, or for one never changed, since when this window has seen it. */
  stateOf(task: Task): TaskState | undefined {
    const stored = taskEntry(this.stateValue, task.id);
    const since = stored?.since ?? this.firstSeenOf(task.id);
    return stored ?? (since ? { since, ticks: {}, history: [] } : undefined);
  }

  dueTaskIds(): string[] {
    return this.playbook.tasks
      .filter((task) => !task.disabled && isOpen(this.statusOf(task)))
      .map((task) => task.id);
  }

  dispose(): void {
    clearTimeout(this.reloadTimer);
    this.stateWatcher?.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

function isOpen(status: TaskStatus): boolean {
  return status.kind === 'due' || status.kind === 'overdue';
}

function toDiagnostic(problem: PlaybookProblem): vscode.Diagnostic {
  const range = new vscode.Range(
    problem.line - 1,
    problem.column - 1,
    problem.endLine - 1,
    Math.max(problem.endColumn - 1, problem.endLine === problem.line ? problem.column : 0),
  );
  const severity =
    problem.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(range, problem.message, severity);
  diagnostic.source = 'Upkeep';
  return diagnostic;
}
