/**
 * The check commands of the editor: run a tier's, a task's, one or the due checks with progress
 * and cancel, record the results (the tree listens), put findings in the Problems panel, and run
 * the backup recovery drill after a modal confirmation.
 */
import * as vscode from 'vscode';
import {
  checksForTask,
  checksForTasks,
  checksForTier,
  closeSharedResources,
  createRegistry,
  withDatabaseHealth,
  settingsForPlaybook,
} from '../../core/checks/registry';
import { runChecks } from '../../core/checks/runner';
import { connectionPassword } from '../../core/db/knownPasswords';
import type { CheckDefinition, CheckResult } from '../../core/checks/types';
import { defaultPlaybook } from '../../core/playbook/defaultPlaybook';
import type { Playbook, TierId } from '../../core/playbook/model';
import { TIER_IDS, findTier } from '../../core/playbook/model';
import { describeError } from '../../core/util/errors';
import { plural } from '../../core/util/plural';
import { unlinked } from '../../core/util/unlinked';
import type { Services, StoredPassword } from '../services';
import { CheckDiagnostics } from './diagnostics';
import { registerRecoveryDrillCommand } from './recoveryDrillCommand';
import {
  againWithPassword,
  OPEN_DASHBOARD,
  progressMessage,
  SET_PASSWORD,
  SHOW_OUTPUT,
  SHOW_PROBLEMS,
  summarizeRun,
} from './runSummary';
import { pickText } from '../tree/checkFailures';

/** What the tree passes to the run commands (palette calls pass nothing and get a quick pick). */
export type RunTarget =
  | { kind: 'tier'; tierId: TierId }
  | { kind: 'task'; taskId: string }
  | { kind: 'check'; checkId: string };

const TIER_COMMANDS: [string, TierId][] = [
  ['upkeep.runDailyChecks', 'daily'],
  ['upkeep.runWeeklyChecks', 'weekly'],
  ['upkeep.runMonthlyChecks', 'monthly'],
  ['upkeep.runQuarterlyChecks', 'quarterly'],
  ['upkeep.runAnnualChecks', 'annual'],
];

/** Reads an id from a tree item or a plain string argument. */
function argumentId(argument: unknown, key: 'tierId' | 'taskId' | 'checkId'): string | undefined {
  if (typeof argument === 'string') return argument;
  if (argument && typeof argument === 'object' && key in argument) {
    const value = (argument as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Optional hook of the playbook feature: ids of the tasks due or overdue now. */
interface DueTaskSource {
  dueTaskIds?(): string[];
}

export function registerCheckCommands(services: Services): void {
  const log = services.log.child('checks');
  const running = new Set<AbortController>();
  const workspace = services.workspaceFolder;
  const diagnostics = workspace ? services.track(new CheckDiagnostics(workspace.uri)) : undefined;
  // Another app folder chosen: this folder's running checks stop with its services (Cancel
  // Running Checks, registered anew, would not reach them).
  services.track({
    dispose: () => {
      for (const controller of running) controller.abort();
    },
  });

  const playbook = (): Playbook => services.playbook?.current() ?? defaultPlaybook();
  const registry = (): ReturnType<typeof createRegistry> => createRegistry(playbook());

  const run = async (
    label: string,
    definitions: CheckDefinition[],
    added: string[] = [],
  ): Promise<CheckResult[]> => {
    if (!workspace) {
      void vscode.window.showWarningMessage(
        'Upkeep: open the folder of a Rails app to run checks.',
      );
      return [];
    }
    if (!definitions.length) {
      void vscode.window.showInformationMessage(unlinked(`Upkeep: ${label} has no checks.`));
      return [];
    }
    const controller = new AbortController();
    running.add(controller);
    void vscode.commands.executeCommand('setContext', 'upkeep.checksRunning', true);
    const settings = settingsForPlaybook(services.settings(), playbook());
    log.info(
      `${label}: ${definitions.length} check${definitions.length === 1 ? '' : 's'}` +
        (services.trusted ? '' : ' (untrusted workspace)'),
    );

    try {
      const results = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: unlinked(`Upkeep: ${label}`),
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const stored = await services.storedPassword().catch(() => ({}) as StoredPassword);
          // What a tool or an app's logged exception could print, .env's and database.yml's too.
          const secrets = await connectionPassword({
            workspace: workspace.uri.fsPath,
            settings,
            trusted: services.trusted,
            env: process.env,
            ...stored,
          });
          return runChecks(
            definitions,
            {
              workspace: workspace.uri.fsPath,
              settings,
              clock: services.clock,
              log: services.log,
              trusted: services.trusted,
              databasePassword: stored.password,
              databasePasswordServer: stored.passwordServer,
              results: services.results,
              surface: 'editor',
              secrets,
            },
            {
              signal: controller.signal,
              onFinished: closeSharedResources,
              onProgress: ({ done, total, result }) => {
                progress.report({
                  increment: 100 / total,
                  message: unlinked(progressMessage(done, total, result)),
                });
                // Recorded one by one so the tree and the Problems panel (listening) follow the
                // run.
                services.results.record([result]).catch((error: unknown) => {
                  log.warn(
                    `could not keep the result of ${result.checkId}: ${describeError(error)}`,
                  );
                });
              },
            },
          );
        },
      );
      announce(label, results, definitions, added);
      return results;
    } finally {
      running.delete(controller);
      if (!running.size) {
        void vscode.commands.executeCommand('setContext', 'upkeep.checksRunning', false);
      }
    }
  };

  const announce = (
    label: string,
    results: CheckResult[],
    definitions: CheckDefinition[],
    added: string[],
  ): void => {
    const { message, severity, actions } = summarizeRun(label, results, added);
    const show = {
      error: vscode.window.showErrorMessage,
      warning: vscode.window.showWarningMessage,
      information: vscode.window.showInformationMessage,
    }[severity];
    void show(message, ...actions).then((choice) => {
      if (choice === SHOW_PROBLEMS) {
        void vscode.commands.executeCommand('workbench.actions.view.problems');
      }
      if (choice === OPEN_DASHBOARD) void vscode.commands.executeCommand('upkeep.openDashboard');
      if (choice === SHOW_OUTPUT) services.output.show(true);
      if (choice === SET_PASSWORD) {
        void setPasswordAndRunAgain(label, againWithPassword(definitions, results));
      }
    });
  };

  // The refusal stayed on show in the tree and the dashboard's alerts after the password was
  // set, with nothing saying whether the new one worked: those checks run again with it.
  const setPasswordAndRunAgain = async (
    label: string,
    definitions: CheckDefinition[],
  ): Promise<void> => {
    const saved = await vscode.commands.executeCommand<boolean>('upkeep.setDatabasePassword');
    // Named a re-run: its counts are of the checks run again, not of the whole first run.
    if (saved === true && definitions.length) {
      await run(`${label} again with the new password`, definitions);
    }
  };

  // Database connectivity runs first with the database checks; the summary counts it apart from
  // the label's own checks, which the dashboard's tier group counts.
  const runWithHealth = (
    label: string,
    own: CheckDefinition[],
    all: ReturnType<typeof createRegistry>,
  ): Promise<CheckResult[]> => {
    const definitions = withDatabaseHealth(own, all);
    const added = definitions.filter((d) => !own.includes(d)).map((d) => d.title);
    return run(label, definitions, added);
  };

  const runTier = async (tier: TierId): Promise<CheckResult[]> => {
    const book = playbook();
    const title = findTier(book, tier)?.title ?? tier;
    const all = registry();
    return runWithHealth(`${title} checks`, checksForTier(book, tier, all), all);
  };

  const pickTier = async (): Promise<TierId | undefined> => {
    const book = playbook();
    const picked = await vscode.window.showQuickPick(
      TIER_IDS.map((id) => ({ label: findTier(book, id)?.title ?? id, id })),
      { title: "Upkeep: Run Tier's Checks", placeHolder: 'Which tier?' },
    );
    return picked?.id;
  };

  const register = (command: string, handler: (...args: unknown[]) => unknown): void => {
    services.track(vscode.commands.registerCommand(command, handler));
  };

  for (const [command, tier] of TIER_COMMANDS) register(command, () => runTier(tier));

  register('upkeep.runTierChecks', async (argument?: unknown) => {
    const tier = (argumentId(argument, 'tierId') as TierId | undefined) ?? (await pickTier());
    if (!tier) return [];
    if (!TIER_IDS.includes(tier)) {
      void vscode.window.showErrorMessage(`Upkeep: unknown tier "${tier}".`);
      return [];
    }
    return runTier(tier);
  });

  const runTaskChecks = async (argument?: unknown) => {
    const book = playbook();
    let taskId = argumentId(argument, 'taskId');
    if (!taskId) {
      const picked = await vscode.window.showQuickPick(
        book.tasks
          .filter((task) => !task.disabled && task.checks.length)
          .map((task) => {
            // The tier as the tree names it ("On demand", not its id "onDemand").
            const tier = findTier(book, task.tier)?.title ?? task.tier;
            return {
              label: pickText(task.title),
              description: `${pickText(tier)} · ${plural(task.checks.length, 'check')}`,
              id: task.id,
            };
          }),
        {
          title: "Upkeep: Run Task's Checks",
          placeHolder: "Run which task's checks?",
          matchOnDescription: true,
        },
      );
      taskId = picked?.id;
    }
    if (!taskId) return [];
    const all = registry();
    const definitions = checksForTask(book, taskId, all);
    if (!definitions) {
      void vscode.window.showErrorMessage(
        unlinked(`Upkeep: the playbook has no task "${taskId}".`),
      );
      return [];
    }
    const title = book.tasks.find((task) => task.id === taskId)?.title ?? taskId;
    return runWithHealth(title, definitions, all);
  };

  const runCheck = async (argument?: unknown) => {
    const all = registry();
    let checkId = argumentId(argument, 'checkId');
    if (!checkId) {
      const picked = await vscode.window.showQuickPick(
        all.all().map((definition) => ({
          label: pickText(definition.title),
          description: pickText(definition.id),
          detail: definition.description && pickText(definition.description, 1000),
          id: definition.id,
        })),
        {
          title: 'Upkeep: Run Check',
          placeHolder: 'Run which check?',
          matchOnDescription: true,
          matchOnDetail: true,
        },
      );
      checkId = picked?.id;
    }
    if (!checkId) return [];
    const definition = all.get(checkId);
    if (!definition) {
      void vscode.window.showErrorMessage(unlinked(`Upkeep: there is no check "${checkId}".`));
      return [];
    }
    return run(definition.title, [definition]);
  };

  // From the palette each asks which task or check ("…" in its title); the tree's row commands
  // (no "…") run the row's at once, and ask only when called without one.
  register('upkeep.runTaskChecks', runTaskChecks);
  register('upkeep.runThisTaskChecks', runTaskChecks);
  register('upkeep.runCheck', runCheck);
  register('upkeep.runThisCheck', runCheck);
  // The key on a check row whose login was refused: the run's notification has gone by then.
  register('upkeep.setPasswordAndRunCheck', async (argument?: unknown) => {
    const saved = await vscode.commands.executeCommand<boolean>('upkeep.setDatabasePassword');
    return saved === true ? runCheck(argument) : [];
  });

  register('upkeep.runDueChecks', async () => {
    const book = playbook();
    const all = registry();
    const due = (services.playbook as DueTaskSource | undefined)?.dueTaskIds?.();
    if (due) return runWithHealth('Due checks', checksForTasks(book, due, all), all);
    // Without the schedule, every tier that repeats counts as due.
    const tiers = TIER_IDS.filter((id) => id !== 'onDemand');
    const ids = new Map<string, CheckDefinition>();
    for (const tier of tiers) {
      for (const definition of checksForTier(book, tier, all)) {
        ids.set(definition.id, definition);
      }
    }
    return runWithHealth('Due checks', [...ids.values()], all);
  });

  register('upkeep.cancelChecks', () => {
    if (!running.size) {
      void vscode.window.showInformationMessage('Upkeep: no checks are running.');
      return;
    }
    for (const controller of running) controller.abort();
    log.info('checks cancelled by the user');
  });

  registerRecoveryDrillCommand(services);

  // Results kept from before a reload show in the Problems panel again.
  const kept = services.results.allLatest();
  if (kept.length) diagnostics?.update(kept);
  services.track({
    dispose: services.results.onDidChange((results) => diagnostics?.update(results)),
  });

  services.track(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const waiting = services.results.allLatest().filter((result) => result.waitsForTrust);
      log.info(`workspace trusted; ${waiting.length} checks waited for trust`);
      if (!waiting.length) return;
      void vscode.window
        .showInformationMessage(
          `Upkeep: ${waiting.length} checks waited for workspace trust.`,
          'Run Them',
        )
        .then((choice) => {
          if (choice !== 'Run Them') return;
          const all = registry();
          const definitions = waiting
            .map((result) => all.get(result.checkId))
            .filter((d): d is CheckDefinition => !!d);
          return run('Checks that waited for trust', definitions);
        });
    }),
  );
}
