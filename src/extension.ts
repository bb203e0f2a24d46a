/**
 * Activation: builds the shared services and lets each feature register its views and commands.
 * Nothing here does work of its own; the features live in `src/vscode/`, the logic in `src/core/`.
 * Another app folder chosen (or the one in use leaving the workspace) starts them over on it.
 */
import * as vscode from 'vscode';
import { Services } from './vscode/services';
import { currentAppFolder, followAppFolder } from './vscode/appFolder';
import { registerPlaybookView } from './vscode/tree/register';
import { registerCheckCommands } from './vscode/checks/register';
import { followSavedResults } from './vscode/checks/savedResults';
import { DashboardPanel } from './vscode/dashboard/panel';
import { registerDashboard } from './vscode/dashboard/register';
import { registerDatabaseCommands } from './vscode/db/register';
import { registerTemplateCommands } from './vscode/templates/register';
import { defaultOwnQueryIdsFile } from './core/checks/dbChecks';
import { keepOwnQueryIdsIn } from './core/db/ownQueryIds';
import { followWalkthroughProgress, restoreWalkthroughProgress } from './vscode/walkthrough';

export function activate(context: vscode.ExtensionContext): void {
  // Shared with the CLI: Slowest queries leaves out what either ran (a cron job's checks too).
  keepOwnQueryIdsIn(defaultOwnQueryIdsFile());
  const output = vscode.window.createOutputChannel('Upkeep', { log: true });
  context.subscriptions.push(output);
  restoreWalkthroughProgress(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('upkeep.showOutput', () => output.show()),
  );

  let services: Services | undefined;
  const start = (dashboard?: ReturnType<typeof DashboardPanel.release>): void => {
    const started = Date.now();
    services = new Services(context, output, currentAppFolder(context));
    followSavedResults(services);
    registerCheckCommands(services);
    registerPlaybookView(services);
    registerDashboard(services, dashboard);
    registerDatabaseCommands(services);
    registerTemplateCommands(services);
    // After the playbook view: the daily checks it counts are those of the repo's playbook.
    followWalkthroughProgress(services);
    services.log
      .child('extension')
      .info(
        `activated on ${services.workspaceFolder?.name ?? 'no folder'} ` +
          `in ${Date.now() - started} ms`,
      );
  };
  start();

  context.subscriptions.push(
    followAppFolder(
      context,
      services!.log.child('extension'),
      () => services?.workspaceFolder,
      () => {
        // The open dashboard stays where it is and shows the new folder's data.
        const dashboard = DashboardPanel.release();
        services?.dispose();
        start(dashboard);
      },
    ),
    { dispose: () => services?.dispose() },
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
