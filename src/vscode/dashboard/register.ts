/**
 * Registers the dashboard: "Open Dashboard", "Save Maintenance Report", and the serializer that
 * restores the panel after a reload (activation event `onWebviewPanel:upkeep.dashboard`).
 */
import * as vscode from 'vscode';
import type { DashboardSnapshot } from '../../core/dashboard/loader';
import type { LogWindow } from '../../core/dashboard/protocol';
import { loadDashboard } from '../../core/dashboard/loader';
import { buildReport, writeReport } from '../../core/dashboard/report';
import { readGitInfo } from '../../core/templates/gitInfo';
import { describeError } from '../../core/util/errors';
import { unlinked } from '../../core/util/unlinked';
import type { Services } from '../services';
import { DashboardPanel, VIEW_TYPE, type DashboardActions } from './panel';
import { editorSources } from './sources';
import { markWalkthroughStep } from '../walkthrough';

/** `dashboard`: the open dashboard of the services these replace, to show this folder's data. */
export function registerDashboard(
  services: Services,
  dashboard?: { panel: vscode.WebviewPanel; window: LogWindow },
): void {
  const log = services.log.child('dashboard');
  const sources = editorSources(services);
  const actions: DashboardActions = {
    saveReport: (snapshot) => saveReport(services, snapshot),
  };

  if (dashboard) {
    DashboardPanel.adopt(dashboard.panel, services, sources, actions, { window: dashboard.window });
  }
  services.track(
    vscode.commands.registerCommand('upkeep.openDashboard', async () => {
      await DashboardPanel.show(services, sources, actions);
      markWalkthroughStep(services.context, 'dashboard');
    }),
  );
  services.track(
    vscode.commands.registerCommand('upkeep.saveReport', async () => {
      await saveReport(services, DashboardPanel.latestSnapshot());
    }),
  );
  services.track(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        log.debug('restoring the dashboard after a reload');
        DashboardPanel.adopt(panel, services, sources, actions, state);
        markWalkthroughStep(services.context, 'dashboard');
      },
    }),
  );
}

/**
 * Writes the Markdown report from the open dashboard's data, or loads the data first (last 24
 * hours) when no dashboard is open, then opens the new file.
 */
async function saveReport(
  services: Services,
  snapshot: DashboardSnapshot | undefined,
): Promise<void> {
  const log = services.log.child('dashboard');
  const folder = services.workspaceFolder;
  if (!folder) {
    void vscode.window.showErrorMessage(
      'Open the folder of a Rails app to save a maintenance report.',
    );
    return;
  }
  try {
    const file = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Saving the maintenance report…',
        cancellable: true,
      },
      async (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const data =
          snapshot ??
          (await loadDashboard(editorSources(services), { kind: '24h' }, controller.signal));
        if (controller.signal.aborted) return undefined;
        const { author } = await readGitInfo(folder.uri.fsPath, { trusted: services.trusted, log });
        const now = services.clock.now();
        const markdown = buildReport({
          generatedAt: now,
          author,
          workspaceName: services.folderName ?? folder.name,
          window: data.window,
          sections: data.sections,
          errors: data.errors,
        });
        return writeReport(folder.uri.fsPath, markdown, now);
      },
    );
    if (!file) return;
    log.info(`report saved to ${vscode.workspace.asRelativePath(file)}`);
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  } catch (error) {
    log.error(`saving the report failed: ${describeError(error)}`);
    void vscode.window.showErrorMessage(
      unlinked(`Could not save the maintenance report: ${describeError(error)}`),
    );
  }
}
