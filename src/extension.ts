/**
 * Activation: builds the shared services and lets each feature register its views and commands.
 * Nothing here does work of its own; the features live in `src/vscode/`, the logic in `src/core/`.
 */
import * as vscode from 'vscode';
import { Services } from './vscode/services';
import { registerPlaybookView } from './vscode/tree/register';
import { registerCheckCommands } from './vscode/checks/register';
import { followSavedResults } from './vscode/checks/savedResults';
import { registerDashboard } from './vscode/dashboard/register';
import { registerDatabaseCommands } from './vscode/db/register';
import { registerTemplateCommands } from './vscode/templates/register';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Upkeep', { log: true });
  const services = new Services(context, output);
  context.subscriptions.push(services);
  const started = Date.now();

  context.subscriptions.push(
    vscode.commands.registerCommand('upkeep.showOutput', () => output.show()),
  );
  followSavedResults(services);
  registerCheckCommands(services);
  registerPlaybookView(services);
  registerDashboard(services);
  registerDatabaseCommands(services);
  registerTemplateCommands(services);

  services.log.child('Extension').info(`activated in ${Date.now() - started} ms`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
