/**
 * `Upkeep: Run Backup Recovery Drill…`: picks the dump (the newest backup by default), shows the
 * drill target and the dump in a modal confirmation, runs the drill with progress and cancel, and
 * records its time as the result of `backups.recoveryDrill`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findNewestBackup } from '../../core/checks/backupChecks';
import {
  drillConfirmationDetail,
  planRecoveryDrill,
  urlHasPassword,
} from '../../core/checks/drillPlan';
import { drillResult, runRecoveryDrill } from '../../core/checks/recoveryDrill';
import { UpkeepError, describeError } from '../../core/util/errors';
import { settingNamed } from '../../core/util/settingNamed';
import { unlinked } from '../../core/util/unlinked';
import type { Services, StoredPassword } from '../services';

export function registerRecoveryDrillCommand(services: Services): void {
  const log = services.log.child('drill');

  const command = async (): Promise<void> => {
    const workspace = services.workspaceFolder;
    if (!workspace) return;
    if (!services.trusted) {
      void vscode.window.showWarningMessage(
        'Upkeep: the recovery drill waits for workspace trust.',
      );
      return;
    }
    const settings = services.settings();
    const targetUrl = settings.backups.drillTargetUrl;
    if (!targetUrl) {
      const choice = await vscode.window.showWarningMessage(
        'Upkeep: set upkeep.backups.drillTargetUrl to a server ' +
          'where the drill may create and drop a scratch database.',
        'Open Settings',
      );
      if (choice) {
        void vscode.commands.executeCommand(
          'workbench.action.openSettings',
          'upkeep.backups.drillTargetUrl',
        );
      }
      return;
    }

    // The dump: the newest backup by pattern, or one the user picks.
    const newest = settings.backups.pattern
      ? await findNewestBackup(workspace.uri.fsPath, settings.backups.pattern)
      : undefined;
    let dumpFile = newest?.file;
    if (!dumpFile) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Upkeep: pick the backup (pg_dump custom format) to restore',
        canSelectMany: false,
        defaultUri: workspace.uri,
      });
      dumpFile = picked?.[0]?.fsPath;
    }
    if (!dumpFile) return;

    // The monitored server as the database checks find it, compared with the target by the
    // same core code `upkeep drill` uses.
    let plan;
    try {
      const stored = await services.storedPassword().catch(() => ({}) as StoredPassword);
      plan = await planRecoveryDrill({
        ...stored,
        workspace: workspace.uri.fsPath,
        settings,
        env: process.env,
        trusted: services.trusted,
        dumpFile,
        targetUrl,
        now: services.clock.now(),
        surface: 'editor',
      });
    } catch (error) {
      showDrillError(`Upkeep: ${describeError(error)}`, error);
      return;
    }
    const { monitoredUrl, onMonitoredServer } = plan;
    const target = plan.targetDescription;
    // The exact statements, with the scratch database's name, as the maintenance modal shows SQL;
    // the dump's age and database, so an old dump or another database's is confirmed knowingly.
    const detail = drillConfirmationDetail(plan, workspace.uri.fsPath);
    const confirm = onMonitoredServer ? 'Run Drill on the Monitored Server' : 'Run Drill';
    const answer = await vscode.window.showWarningMessage(
      'Run the backup recovery drill?',
      { modal: true, detail },
      confirm,
    );
    if (answer !== confirm) return;

    let password: string | undefined;
    if (!urlHasPassword(targetUrl) && !process.env.PGPASSWORD) {
      password = await vscode.window.showInputBox({
        title: `Password for ${target}`,
        prompt: 'Leave empty when the server needs none.',
        password: true,
        ignoreFocusOut: true,
      });
      if (password === undefined) return;
    }

    try {
      const record = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'Upkeep: recovery drill',
          cancellable: true,
        },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() =>
            controller.abort(new UpkeepError('cancelled', 'Cancelled.')),
          );
          progress.report({
            message: unlinked(`restoring ${path.basename(dumpFile)} on ${target}`),
          });
          return runRecoveryDrill({
            dumpFile,
            targetUrl,
            confirmed: true,
            password: password || undefined,
            monitoredUrl,
            monitoredSystemId: plan.monitoredSystemId,
            allowMonitoredServer: onMonitoredServer,
            scratchDatabase: plan.scratchDatabase,
            signal: controller.signal,
            log,
            clock: services.clock,
            workspace: workspace.uri.fsPath,
          });
        },
      );
      const result = drillResult(record);
      await services.results.record([result]);
      const show =
        result.outcome === 'pass'
          ? vscode.window.showInformationMessage
          : vscode.window.showErrorMessage;
      const verdict = result.outcome === 'pass' ? 'passed' : 'failed';
      void show(`Upkeep: recovery drill ${verdict}: ${result.summary}`);
    } catch (error) {
      // Cancel is the user's own doing: no error and nothing recorded. The hint names a scratch
      // database the drill could not drop.
      if (UpkeepError.is(error, 'cancelled')) {
        const left = error.hint ? ` ${error.hint}` : '';
        log.info(`recovery drill: cancelled${left}`);
        void vscode.window.showInformationMessage(
          unlinked(`Upkeep: recovery drill cancelled; nothing was recorded.${left}`),
        );
        return;
      }
      log.error(`recovery drill: ${describeError(error)}`);
      showDrillError(`Upkeep: recovery drill did not run: ${describeError(error)}`, error);
    }
  };

  services.track(vscode.commands.registerCommand('upkeep.runRecoveryDrill', command));
}

/** An error naming a setting (the drill target, the backups' pattern) opens it in one click. */
function showDrillError(message: string, error: unknown): void {
  const setting = settingNamed(error);
  const buttons = setting ? [OPEN_SETTINGS] : [];
  void vscode.window.showErrorMessage(unlinked(message), ...buttons).then((choice) => {
    if (choice === OPEN_SETTINGS && setting) {
      void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    }
  });
}

const OPEN_SETTINGS = 'Open Settings';
