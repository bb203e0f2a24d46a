/**
 * Ticks the Get Started walkthrough's steps for what the user has done, whenever and wherever it
 * was done: a command from the palette, the tree or the dashboard, a setting, or a file the CLI
 * or a teammate wrote. The editor counts a step's `onCommand:` and `onView:` events only once
 * its walkthrough service has registered the step, which is when a walkthrough is first shown:
 * work done before that was never counted. So the extension keeps what was done in its global
 * state and sets a context key for each step. The steps complete on `onContext:` with that key
 * *and* the walkthrough being the active editor (`activeEditor == gettingStartedPage`): the
 * editor ticks a step when such an expression turns true, but one already true as the step
 * registers is only noted as seen, never ticked, and the walkthrough becomes the active editor
 * only after it registered its steps. No public API reads or sets a step's progress.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checksForTier, createRegistry } from '../core/checks/registry';
import { defaultPlaybook } from '../core/playbook/defaultPlaybook';
import { PLAYBOOK_FILE } from '../core/playbook/loader';
import { watchFiles } from './fileWatch';
import { isPasswordKey, type Services, type StoredPassword } from './services';

/** The steps this module ticks, by the context key their `completionEvents` name. */
export const WALKTHROUGH_KEYS = {
  database: 'upkeep.walkthrough.databaseSetUp',
  checks: 'upkeep.walkthrough.dailyChecksRun',
  tree: 'upkeep.walkthrough.treeShown',
  dashboard: 'upkeep.walkthrough.dashboardOpened',
  playbook: 'upkeep.walkthrough.playbookWritten',
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_KEYS;

/** Sets the context keys of the steps done in an earlier session (called on activation). */
export function restoreWalkthroughProgress(context: vscode.ExtensionContext): void {
  for (const key of Object.values(WALKTHROUGH_KEYS)) {
    if (context.globalState.get<boolean>(key)) {
      void vscode.commands.executeCommand('setContext', key, true);
    }
  }
}

/** Records that the user did what `step` asks, for this session and the next ones. */
export function markWalkthroughStep(context: vscode.ExtensionContext, step: WalkthroughStep): void {
  const key = WALKTHROUGH_KEYS[step];
  void vscode.commands.executeCommand('setContext', key, true);
  if (!context.globalState.get<boolean>(key)) void context.globalState.update(key, true);
}

/** The settings Configure Database Connection and Select Rails Environment write. */
const DATABASE_SETTINGS = ['database.url', 'database.railsEnvironment', 'database.name'];

/**
 * Ticks the steps whose work shows in the app folder, now and as it changes: the database
 * configured (a connection setting, a stored password) or reached by a check, every daily check
 * run (by the editor, or by `upkeep check --save`), and a repo playbook written. Opening the
 * connection picker is not connecting (it may be cancelled): a connection test that reached the
 * database ticks that step from src/vscode/db/register.ts.
 */
export function followWalkthroughProgress(services: Services): void {
  const { context, results, workspaceFolder: folder } = services;
  const mark = (step: WalkthroughStep): void => markWalkthroughStep(context, step);
  // Once done, a step stays done: nothing to look at again on each result or change.
  const done = (step: WalkthroughStep): boolean =>
    context.globalState.get<boolean>(WALKTHROUGH_KEYS[step]) === true;

  const database = async (): Promise<void> => {
    if (done('database')) return;
    const config = vscode.workspace.getConfiguration('upkeep', folder?.uri);
    const set = DATABASE_SETTINGS.some((key) => {
      const found = config.inspect(key);
      return [found?.globalValue, found?.workspaceValue, found?.workspaceFolderValue].some(
        (value) => value !== undefined,
      );
    });
    const reached = results.latest('health.database')?.outcome === 'pass';
    const stored = await services.storedPassword().catch((): StoredPassword => ({}));
    if (set || reached || stored.password !== undefined) mark('database');
  };

  const checks = (): void => {
    if (done('checks')) return;
    const book = services.playbook?.current() ?? defaultPlaybook();
    const daily = checksForTier(book, 'daily', createRegistry(book));
    const run = (id: string): boolean => {
      const result = results.latest(id);
      return !!result && !result.cancelled;
    };
    if (daily.length && daily.every((definition) => run(definition.id))) mark('checks');
  };

  const playbook = (): void => {
    if (done('playbook') || !folder) return;
    if (existsSync(path.join(folder.uri.fsPath, PLAYBOOK_FILE))) mark('playbook');
  };

  const all = (): void => {
    void database();
    checks();
    playbook();
  };
  all();
  services.track({ dispose: results.onDidChange(all) });
  if (services.playbook) services.track(services.playbook.onDidChange(all));
  services.track(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('upkeep.database')) void database();
    }),
  );
  services.track(
    context.secrets.onDidChange((event) => {
      if (isPasswordKey(event.key)) void database();
    }),
  );
  if (folder) {
    services.track(watchFiles(new vscode.RelativePattern(folder, PLAYBOOK_FILE), playbook));
  }
}
