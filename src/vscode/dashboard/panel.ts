/**
 * The dashboard's WebviewPanel: loads the page under a strict CSP, waits for the webview's
 * 'ready' before posting anything, validates every message from it (its shape, then that it names
 * what the page was shown), and runs refreshes (manual, on a window change, on a timer) with one
 * AbortController each, so a new refresh cancels the old, at most one start per second.
 */
import * as vscode from 'vscode';
import { createNonce, dashboardHtml } from '../../core/dashboard/html';
import { resolveInsideWorkspace, safeExternalUrl } from '../../core/dashboard/links';
import type { DashboardSnapshot, DashboardSources } from '../../core/dashboard/loader';
import { loadDashboard, replayMessages, sectionMessage } from '../../core/dashboard/loader';
import { Refresher } from '../../core/dashboard/refresher';
import { RequestGate } from '../../core/dashboard/requestGate';
import { computeAlerts } from '../../core/dashboard/alerts';
import type {
  HostMessage,
  LogWindow,
  SectionId,
  WebviewMessage,
} from '../../core/dashboard/protocol';
import { parseLogWindow, parseWebviewMessage } from '../../core/dashboard/protocol';
import { describeError } from '../../core/util/errors';
import { dashboardTitle } from '../multiRoot';
import type { Logger } from '../../core/util/logger';
import type { Services } from '../services';
import { isPasswordKey } from '../services';
import { currentHealth } from './sources';
import { watchFiles } from '../fileWatch';

export const VIEW_TYPE = 'upkeep.dashboard';
/** Auto-refresh never runs more often than this, whatever the setting says. */
const MIN_AUTO_REFRESH_SECONDS = 5;
/** A webview shown again within this time gets the data it had instead of a new refresh. */
const REPLAY_MAX_AGE_MS = 5 * 60_000;
/**
 * Refreshes (each a database connection and a read of the logs) and replays start at most this
 * often, however fast the page asks: a compromised page could ask in a loop.
 */
const MIN_GAP_MS = 1000;
/** Settings the shown data comes from: a change makes what the dashboard shows out of date. */
const DATA_SETTINGS = ['upkeep.database', 'upkeep.logs', 'upkeep.thresholds'];

export interface DashboardActions {
  saveReport(snapshot: DashboardSnapshot | undefined): Promise<void>;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;

  private ready = false;
  private readonly gate = new RequestGate();
  private lastReplay = -Infinity;
  private refusals = 0;
  private disposed = false;
  private readonly refresher: Refresher;
  private window: LogWindow;
  private snapshot: DashboardSnapshot | undefined;
  /** The snapshot whose report the page last saved. */
  private savedSnapshot: DashboardSnapshot | undefined;
  /** The snapshot was loaded from settings changed since: it is not shown again as it is. */
  private stale = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: Logger;

  /** Opens the dashboard, or brings the open one to the front. */
  static async show(
    services: Services,
    sources: DashboardSources,
    actions: DashboardActions,
  ): Promise<DashboardPanel> {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    // A dashboard a reload restored stays an empty tab until it is shown, and showing it later
    // would take over from (and close) the one opened here: close it first.
    const restored = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter(
        (tab) =>
          tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(VIEW_TYPE),
      );
    if (restored.length) await vscode.window.tabGroups.close(restored);
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Upkeep Dashboard',
      vscode.ViewColumn.Active,
      DashboardPanel.options(services),
    );
    return DashboardPanel.adopt(panel, services, sources, actions, undefined);
  }

  /** Takes over a panel the editor restored after a reload (see the serializer). */
  static adopt(
    panel: vscode.WebviewPanel,
    services: Services,
    sources: DashboardSources,
    actions: DashboardActions,
    state: unknown,
  ): DashboardPanel {
    DashboardPanel.current?.dispose();
    const window = parseLogWindow((state as { window?: unknown } | undefined)?.window) ?? {
      kind: '24h' as const,
    };
    DashboardPanel.current = new DashboardPanel(panel, services, sources, actions, window);
    return DashboardPanel.current;
  }

  /**
   * Lets go of the open dashboard without closing its tab, for services built anew (another app
   * folder) to adopt with `adopt`; the tab then shows the new folder's data.
   */
  static release(): { panel: vscode.WebviewPanel; window: LogWindow } | undefined {
    const current = DashboardPanel.current;
    if (!current) return undefined;
    current.teardown(false);
    return { panel: current.panel, window: current.window };
  }

  /**
   * The monitored database changed under the open dashboard (maintenance Upkeep ran): shown, it
   * reloads at once, as after a settings change; hidden, when shown again. Its Dead rows card
   * went on counting the rows a VACUUM had just removed until Refresh.
   */
  static databaseChanged(): void {
    DashboardPanel.current?.onSettingsChanged();
  }

  /** The open dashboard's last loaded data, for "Save as Report". */
  static latestSnapshot(): DashboardSnapshot | undefined {
    return DashboardPanel.current?.snapshot;
  }

  private static options(services: Services): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const root = services.context.extensionUri;
    return {
      enableScripts: true,
      // The page has no form; a page running hostile script gets none either.
      enableForms: false,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(root, 'dist', 'webview'),
        vscode.Uri.joinPath(root, 'media'),
      ],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    private readonly sources: DashboardSources,
    private readonly actions: DashboardActions,
    window: LogWindow,
  ) {
    this.window = window;
    this.log = services.log.child('dashboard');
    // A hidden panel is not refreshed by the timer; it reloads and says 'ready' when shown.
    this.refresher = new Refresher(
      (signal, refreshId) => this.load(signal, refreshId),
      () => this.ready && this.panel.visible,
      { minGapMs: MIN_GAP_MS },
    );
    this.showFolder();
    panel.webview.options = DashboardPanel.options(services);
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'upkeep.svg');
    panel.webview.html = this.html();

    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => {
        void this.onMessage(message);
      }),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; when shown again it reloads and says 'ready' anew.
        if (!panel.visible) this.ready = false;
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('upkeep.dashboard.autoRefreshSeconds')) this.schedule();
        // The page shows times in the schedule's zone: told first, then shown anew.
        if (event.affectsConfiguration('upkeep.schedule.timeZone')) {
          this.showFolder();
          this.onSettingsChanged();
        }
        if (DATA_SETTINGS.some((section) => event.affectsConfiguration(section))) {
          this.onSettingsChanged();
        }
      }),
      // The database password lives in secret storage.
      services.context.secrets.onDidChange((event) => {
        if (isPasswordKey(event.key)) this.onSettingsChanged();
      }),
      // Another folder beside this one (or none left): the tab and the header say so.
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.showFolder()),
    );
    // The files the connection is read from when no setting names it.
    const folder = services.workspaceFolder;
    if (folder) {
      const pattern = new vscode.RelativePattern(folder, '{config/database.yml,.env}');
      this.disposables.push(watchFiles(pattern, () => this.onSettingsChanged()));
    }
    const unsubscribe = services.results.onDidChange(() => this.onResults());
    this.disposables.push({ dispose: unsubscribe });
    this.schedule();
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (name: string): string =>
      webview
        .asWebviewUri(
          vscode.Uri.joinPath(this.services.context.extensionUri, 'dist', 'webview', name),
        )
        .toString();
    return dashboardHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dashboard.js'),
      styleUri: asset('dashboard.css'),
      codiconUri: asset('codicon.css'),
    });
  }

  private init(): HostMessage {
    return {
      type: 'init',
      window: this.window,
      autoRefreshSeconds: this.autoRefreshSeconds(),
      workspaceName: this.services.folderName ?? '',
      folderCount: vscode.workspace.workspaceFolders?.length ?? 0,
      trusted: this.services.trusted,
      timeZone: this.services.scheduleTimeZone(),
    };
  }

  /** The tab's title and the header name the app folder, and offer another when there is one. */
  private showFolder(): void {
    this.panel.title = dashboardTitle(
      this.services.folderName,
      vscode.workspace.workspaceFolders?.length ?? 0,
    );
    this.post(this.init());
  }

  private post(message: HostMessage): void {
    // Nothing goes out before the webview has said it listens.
    if (!this.ready) return;
    this.gate.record(message);
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.refused('a malformed message');
      return;
    }
    try {
      const verdict = await this.gate.admit(message, () => this.handle(message));
      if (verdict === 'notOffered') this.refused(`a ${message.type} of something not shown`);
      if (verdict === 'busy') this.log.debug(`${message.type} ignored: the last one still runs`);
    } catch (error) {
      this.log.error(`${message.type} failed: ${describeError(error)}`);
      this.post({ type: 'notice', level: 'error', message: describeError(error) });
    }
  }

  /** Logs the first refusal and then every thousandth: a page in a loop must not flood the log. */
  private refused(what: string): void {
    this.refusals++;
    if (this.refusals === 1 || this.refusals % 1000 === 0) {
      this.log.warn(`ignored ${what} from the dashboard webview (${this.refusals} refused so far)`);
    }
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (message.state) this.window = message.state.window;
        this.post(this.init());
        // A webview shown again (it is torn down while hidden) gets the recent data at once.
        if (this.replay()) return;
        await this.refresh();
        return;
      case 'refresh':
        await this.refresh();
        return;
      case 'setWindow':
        this.window = message.window;
        await this.refresh();
        return;
      case 'openLocation':
        await this.openLocation(message.file, message.line);
        return;
      case 'explainQuery':
        await vscode.commands.executeCommand('upkeep.explainQuery', message.sql);
        return;
      case 'openLink': {
        const url = safeExternalUrl(message.url);
        if (!url) {
          this.log.warn('refused to open a link that is not http(s)');
          void vscode.window.showWarningMessage('Upkeep opens only http and https links.');
          return;
        }
        await vscode.env.openExternal(vscode.Uri.parse(url.toString(), true));
        return;
      }
      case 'chooseFolder':
        await vscode.commands.executeCommand('upkeep.chooseAppFolder');
        return;
      case 'configureDatabase':
        // The section reloads by itself once a setting changes (onSettingsChanged).
        await vscode.commands.executeCommand('upkeep.configureDatabase');
        return;
      case 'newBugReport':
        // The title of an exception row the page was shown (the gate checked it), with what the
        // row showed; the command asks the severity and writes the report.
        await vscode.commands.executeCommand('upkeep.newBugReport', {
          title: message.title,
          evidence: this.gate.bugEvidence(message.title, this.services.scheduleTimeZone()),
        });
        return;
      case 'saveReport':
        // The same data is saved once from the page: one in a loop wrote a file per message.
        if (this.snapshot && this.snapshot === this.savedSnapshot) {
          this.post({
            type: 'notice',
            level: 'info',
            message: 'The report of this data is saved already; Refresh to save a newer one.',
          });
          return;
        }
        await this.actions.saveReport(this.snapshot);
        this.savedSnapshot = this.snapshot;
        return;
    }
  }

  private async openLocation(file: string, line: number | undefined): Promise<void> {
    const workspace = this.services.workspaceFolder?.uri.fsPath;
    const resolved = workspace ? await resolveInsideWorkspace(workspace, file) : undefined;
    if (!resolved) {
      this.log.warn('refused to open a file outside the workspace (or missing)');
      void vscode.window.showWarningMessage(
        'Upkeep opens only existing files inside the workspace folder.',
      );
      return;
    }
    const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(resolved), {
      selection: new vscode.Range(position, position),
      preview: true,
    });
  }

  /** Starts a refresh and cancels the one still running. Resolves when this one is done. */
  refresh(): Promise<void> {
    return this.refresher.refresh();
  }

  private async load(signal: AbortSignal, refreshId: number): Promise<void> {
    const started = Date.now();
    this.post({ type: 'refreshStarted', refreshId, window: this.window });
    const snapshot = await loadDashboard(this.sources, this.window, signal, (event) =>
      this.post(sectionMessage(refreshId, event)),
    );
    if (signal.aborted) return;
    this.snapshot = snapshot;
    this.stale = false;
    this.post({ type: 'refreshDone', refreshId, at: new Date().toISOString() });
    const failed = Object.keys(snapshot.errors).filter(
      (section) => !snapshot.cancelled.includes(section as SectionId),
    );
    this.log.info(
      `refreshed (${this.window.kind}) in ${Date.now() - started} ms` +
        `${failed.length ? `; failed: ${failed.join(', ')}` : ''}` +
        `${snapshot.cancelled.length ? `; cancelled: ${snapshot.cancelled.join(', ')}` : ''}`,
    );
  }

  /** Posts the last refresh's data again when it is recent and for the same window. */
  private replay(): boolean {
    const snapshot = this.snapshot;
    if (!snapshot?.finishedAt || this.stale) return false;
    // Each replay posts every section again; a page saying 'ready' in a loop gets a refresh.
    if (Date.now() - this.lastReplay < MIN_GAP_MS) return false;
    if (JSON.stringify(snapshot.window) !== JSON.stringify(this.window)) return false;
    if (Date.now() - snapshot.finishedAt.getTime() > REPLAY_MAX_AGE_MS) return false;
    this.lastReplay = Date.now();
    const refreshId = this.refresher.currentId;
    this.post({ type: 'refreshStarted', refreshId, window: this.window });
    for (const message of replayMessages(snapshot, refreshId)) this.post(message);
    this.post({ type: 'refreshDone', refreshId, at: snapshot.finishedAt.toISOString() });
    return true;
  }

  /**
   * Another database, environment, password, database.yml, log source or threshold: a visible
   * dashboard reloads at once (it went on showing the old database, or its error, until
   * Refresh); a hidden one when shown.
   */
  private onSettingsChanged(): void {
    this.stale = true;
    if (this.ready && this.panel.visible) void this.refresh();
  }

  /** New check results update Health and Alerts in place, without a full refresh. */
  private onResults(): void {
    if (!this.ready || !this.snapshot) return;
    const health = currentHealth(this.services);
    this.snapshot.sections.health = health;
    const alerts = computeAlerts({
      thresholds: this.sources.thresholds(),
      logs: this.snapshot.sections.logs,
      health,
      database: this.snapshot.sections.database,
    });
    this.snapshot.sections.alerts = { alerts };
    this.post({
      type: 'sectionData',
      refreshId: this.refresher.currentId,
      section: 'health',
      data: health,
    });
    this.post({
      type: 'sectionData',
      refreshId: this.refresher.currentId,
      section: 'alerts',
      data: { alerts },
    });
  }

  private autoRefreshSeconds(): number {
    const seconds = vscode.workspace
      .getConfiguration('upkeep', this.services.workspaceFolder?.uri)
      .get<number>('dashboard.autoRefreshSeconds', 0);
    return Number.isFinite(seconds) && seconds > 0
      ? Math.max(MIN_AUTO_REFRESH_SECONDS, seconds)
      : 0;
  }

  private schedule(): void {
    this.refresher.schedule(this.autoRefreshSeconds() * 1000);
  }

  dispose(): void {
    this.teardown(true);
  }

  /** Stops refreshing and listening; closes the tab unless another DashboardPanel takes it. */
  private teardown(closePanel: boolean): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.refresher.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    if (closePanel) this.panel.dispose();
  }
}
