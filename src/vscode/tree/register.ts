/**
 * Wires the playbook feature into the editor: the Maintenance tree with its checkboxes, badge and
 * status bar item, the tree commands, the Problems-panel diagnostics of `.upkeep/playbook.yaml`,
 * the schema for the YAML language server, and `services.playbook` for the other features.
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { listReports, reportFilesGlob, reportState } from '../../core/templates/reports';
import { isTaskOf } from '../../core/playbook/model';
import { countAttention, describeAttention } from '../../core/playbook/schedule';
import { coalesce } from '../../core/util/coalesce';
import { UpkeepError, describeError } from '../../core/util/errors';
import { plural } from '../../core/util/plural';
import type { Services } from '../services';
import { appFolderNote } from '../../core/util/appFolder';
import { multiRootNote } from '../multiRoot';
import { HISTORY_SCHEME, historyProvider, registerTreeCommands, setItem } from './commands';
import type { TreeCommandContext } from './commands';
import { PlaybookController } from './playbookController';
import type { PlaybookNode } from './playbookTree';
import { PlaybookTreeProvider } from './playbookTree';
import { watchFiles } from '../fileWatch';
import { markWalkthroughStep } from '../walkthrough';

const VIEW_ID = 'upkeep.maintenance';
const TEAM_KEY = 'upkeep.tree.team';
/** Descriptions say "2 min ago" and "due today": redraw often enough that they stay true. */
const REDRAW_MS = 60_000;
/** How long the view waits for more check results before it redraws. */
const RESULTS_REDRAW_MS = 150;
/** How long the bug reports wait for more changes to the bug folder before they are read. */
const REPORTS_RELOAD_MS = 250;
const RESTRICTED_NOTE =
  'Restricted Mode: Upkeep runs no command of the repo and reads no database setting from ' +
  'its files until you trust this folder.';

export function registerPlaybookView(services: Services): void {
  const log = services.log.child('tree');
  const controller = services.track(new PlaybookController(services));
  const tree = new PlaybookTreeProvider(controller, services.results, () => services.clock.now());
  services.track({ dispose: () => tree.dispose() });
  tree.team = services.context.workspaceState.get<string>(TEAM_KEY) || undefined;
  tree.folderOpen = !!services.workspaceFolder;
  // A folder that is not the app's (a monorepo's root): said once, naming the apps below.
  let appNote: string | undefined;
  // Why the bug reports are not listed (a bug folder that links out of the workspace).
  let reportsNote: string | undefined;

  const view = services.track(
    vscode.window.createTreeView<PlaybookNode>(VIEW_ID, {
      treeDataProvider: tree,
      showCollapseAll: true,
      // Items are ticked one by one; tasks have no checkbox to cascade from.
      manageCheckboxStateManually: true,
    }),
  );
  // The view may already be open: it is what activated Upkeep, or a reload restored it.
  if (view.visible) markWalkthroughStep(services.context, 'tree');
  services.track(
    view.onDidChangeVisibility(({ visible }) => {
      if (visible) markWalkthroughStep(services.context, 'tree');
    }),
  );
  const status = services.track(
    vscode.window.createStatusBarItem('upkeep.due', vscode.StatusBarAlignment.Left, 50),
  );
  status.name = 'Upkeep: tasks and bug responses overdue or due soon';
  status.command = { command: `${VIEW_ID}.focus`, title: 'Show the maintenance tasks' };

  const refresh = (): void => {
    tree.refresh();
    if (!tree.folderOpen) {
      // Tasks due with no app open would count toward nothing; the welcome asks for a folder.
      view.badge = undefined;
      status.hide();
      return;
    }
    const counts = countAttention(
      controller
        .current()
        .tasks.filter((task) => !task.disabled && (!tree.team || isTaskOf(task, tree.team)))
        .map((task) => controller.statusOf(task)),
    );
    // A bug whose response time has passed wants someone as much as an overdue task: the On
    // demand tier's row says so, and so do the badge and the status bar, wherever the tree is
    // scrolled. Reports have no owner, so a team filter leaves them counted.
    const now = services.clock.now();
    const lateResponses = tree.reports.filter(
      (report) => reportState(report, now) === 'overdue',
    ).length;
    const tasks = counts.overdue + counts.dueSoon;
    const count = tasks + lateResponses;
    const scope = tree.team ? ` for ${tree.team}` : '';
    // Tasks due later in their period are left out: see DUE_SOON_DAYS for the lead times.
    const tooltip = [
      tasks
        ? `${plural(tasks, 'maintenance task')} overdue or due soon: ` +
          `${describeAttention(counts)}${scope}`
        : `No maintenance task overdue or due soon${scope}`,
      lateResponses ? `${plural(lateResponses, 'open bug report')} past the response time` : '',
    ]
      .filter(Boolean)
      .join('; ');
    view.badge = count ? { value: count, tooltip } : undefined;
    // With several folders the title names the one Upkeep works on, and the note the others.
    const open = vscode.workspace.workspaceFolders ?? [];
    const folders = open.map((folder) => folder.name);
    const used = services.workspaceFolder?.uri.toString();
    const current = Math.max(
      0,
      open.findIndex((folder) => folder.uri.toString() === used),
    );
    view.description = folders.length > 1 ? folders[current] : undefined;
    // A fresh clone opens in Restricted Mode, where checks skip for reasons the rows alone
    // do not tell (config/database.yml unread reads as "no database configured").
    const notes = [
      multiRootNote(folders, current) ?? '',
      appNote ?? '',
      reportsNote ?? '',
      services.trusted ? '' : RESTRICTED_NOTE,
      tree.team ? `Showing ${tree.team} only.` : '',
    ].filter(Boolean);
    view.message = notes.length ? notes.join(' ') : undefined;
    const attention = describeAttention({ ...counts, lateResponses }, ' · ');
    status.text = `$(checklist) ${attention || 'nothing due soon'}`;
    status.tooltip = `${tooltip}. Open the Maintenance view.`;
    // Without a label a screen reader reads the icon's name: "checklist 3 due soon".
    status.accessibilityInformation = { label: status.tooltip };
    status.backgroundColor =
      counts.overdue || lateResponses
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    status.show();
    void vscode.commands.executeCommand(
      'setContext',
      'upkeep.treeEmpty',
      tree.visibleTiers().length === 0,
    );
    void vscode.commands.executeCommand('setContext', 'upkeep.teamFilter', tree.team ?? '');
  };

  const context: TreeCommandContext = {
    services,
    controller,
    tree,
    refresh,
    async setTeam(team) {
      tree.team = team;
      await services.context.workspaceState.update(TEAM_KEY, team);
      refresh();
    },
  };
  registerTreeCommands(context);
  const folder = services.workspaceFolder;
  if (folder?.uri.scheme === 'file') {
    void appFolderNote(folder.uri.fsPath).then((note) => {
      appNote = note;
      if (note) refresh();
    });
  }
  // A folder added after the first changes the note (a new first folder restarts the host).
  services.track(vscode.workspace.onDidChangeWorkspaceFolders(() => refresh()));
  services.track(
    vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, historyProvider(context)),
  );

  services.track(
    view.onDidChangeCheckboxState(async (event) => {
      for (const [node, state] of event.items) {
        if (node.kind !== 'item') continue;
        const task = controller.task(node.taskId);
        if (task) {
          await setItem(context, task, node.itemId, state === vscode.TreeItemCheckboxState.Checked);
        }
      }
    }),
  );
  services.track(
    controller.onDidChange(() => {
      refresh();
      // Tasks the repo playbook just added are due from now on, not from never.
      void controller.noteTasksSeen();
    }),
  );
  services.track(controller.onDidChangeState(() => refresh()));
  // Trusted, a playbook that links out of the folder is read too.
  services.track(vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.reloadPlaybook()));
  services.track(vscode.workspace.onDidGrantWorkspaceTrust(() => refresh()));
  // A run reports each check's result: one redraw for the results of a moment.
  const refreshForResults = coalesce(refresh, RESULTS_REDRAW_MS);
  const unsubscribe = services.results.onDidChange(refreshForResults);
  services.track({
    dispose: () => {
      unsubscribe();
      refreshForResults.dispose();
    },
  });
  const timer = setInterval(refresh, REDRAW_MS);
  services.track({ dispose: () => clearInterval(timer) });

  services.playbook = controller;
  void registerYamlSchema(services);
  watchBugReports(services, tree, (note) => {
    reportsNote = note;
    refresh();
  });

  controller
    .start()
    .then(async () => {
      await controller.noteTasksSeen();
      refresh();
      await vscode.commands.executeCommand('setContext', 'upkeep.ready', true);
      log.info(`Maintenance tree ready; ${controller.dueTaskIds().length} tasks open this period`);
    })
    .catch((error: unknown) => {
      log.error(`The playbook did not load: ${describeError(error)}`);
      void vscode.commands.executeCommand('setContext', 'upkeep.ready', true);
    });
}

/**
 * Keeps the tree's list of bug reports (the On demand tier shows the open ones) in step with
 * the report folder: read at start, on any change to a report file, and when the folder setting
 * changes. `loaded` gets why none could be listed (the view shows it), or undefined.
 */
function watchBugReports(
  services: Services,
  tree: PlaybookTreeProvider,
  loaded: (note: string | undefined) => void,
) {
  const folder = services.workspaceFolder;
  if (!folder) return;
  const log = services.log.child('tree');
  let watcher: vscode.FileSystemWatcher | undefined;
  const load = async (): Promise<void> => {
    const started = Date.now();
    try {
      tree.reports = await listReports(folder.uri.fsPath, services.settings());
      log.info(`bug reports: ${tree.reports.length} listed in ${Date.now() - started} ms`);
      loaded(undefined);
    } catch (error) {
      tree.reports = [];
      log.warn(`Bug reports not listed: ${describeError(error)}`);
      // The folder setting or a link is the maintainer's to fix: the view says what to do.
      loaded(UpkeepError.is(error) ? describeError(error) : undefined);
    }
  };
  // A checkout or a pull writes many reports at once: one read for the burst, one at a time.
  const reread = coalesce(load, REPORTS_RELOAD_MS);
  const watch = (): void => {
    watcher?.dispose();
    const glob = reportFilesGlob(services.settings());
    watcher = watchFiles(new vscode.RelativePattern(folder, glob), reread);
    reread();
  };
  watch();
  services.track({
    dispose: () => {
      watcher?.dispose();
      reread.dispose();
    },
  });
  services.track(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('upkeep.templates')) watch();
    }),
  );
}

const SCHEMA_URI = 'upkeep-schema://schemas/playbook.schema.json';

interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => string | undefined,
  ): boolean;
}

/**
 * The manifest's `yamlValidation` already points the Red Hat YAML extension at the schema; this
 * also registers it through the extension's API, which covers workspaces where the file
 * association is overridden. Without that extension, the diagnostics of the loader still show.
 */
async function registerYamlSchema(services: Services): Promise<void> {
  const log = services.log.child('tree');
  const register = async (): Promise<boolean> => {
    const extension = vscode.extensions.getExtension<YamlExtensionApi>('redhat.vscode-yaml');
    if (!extension) return false;
    try {
      const api = await extension.activate();
      if (typeof api?.registerContributor !== 'function') return true;
      const schemaPath = vscode.Uri.joinPath(
        services.context.extensionUri,
        'media',
        'playbook.schema.json',
      );
      const schemaText = readFileSync(schemaPath.fsPath, 'utf8');
      api.registerContributor(
        'upkeep',
        (resource) =>
          /[\\/]\.upkeep[\\/]playbook\.ya?ml$/.test(resource) ? SCHEMA_URI : undefined,
        (uri) => (uri === SCHEMA_URI ? schemaText : undefined),
      );
      log.info('playbook schema registered with the YAML language server');
    } catch (error) {
      log.warn(
        `Could not register the playbook schema with the YAML extension: ${describeError(error)}`,
      );
    }
    return true;
  };
  if (await register()) return;
  const listener = vscode.extensions.onDidChange(async () => {
    if (await register()) listener.dispose();
  });
  services.track(listener);
}
