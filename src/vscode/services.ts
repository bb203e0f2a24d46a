/**
 * What every editor-side feature shares: the log channel, settings, trust, secrets, the
 * workspace folder and the kept check results. Built once in `activate`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Clock } from '../core/util/clock';
import { systemClock } from '../core/util/clock';
import type { Logger } from '../core/util/logger';
import { createLogger } from '../core/util/logger';
import type { UpkeepSettings } from '../core/settings';
import { resolveSettings } from '../core/settings';
import { sanitizeSettings } from '../core/checks/workspaceSettings';
import { FileResultLog, MemoryResultLog } from '../core/checks/resultLog';
import { CombinedResultLog } from '../core/checks/savedResults';
import type { Playbook } from '../core/playbook/model';
import { printableLine } from '../core/util/printable';
import { checkTimeZone, machineTimeZone } from '../core/util/timeZone';
import { carryOverEarlierStorage, folderStorageDir } from './multiRoot';

/** The current playbook and its changes (defaults merged with the repo's file). */
export interface PlaybookSource {
  current(): Playbook;
  onDidChange: vscode.Event<Playbook>;
}

/** Earlier versions kept the password alone, for whichever server Upkeep connected to. */
const LEGACY_PASSWORD_KEY = 'upkeep.database.password';
/** The password with the server it was set for (`user@host:port`), as JSON. */
const PASSWORD_KEY = 'upkeep.database.passwordForServer';

/** Whether a secret storage key is one the database password is kept under. */
export function isPasswordKey(key: string): boolean {
  return key === PASSWORD_KEY || key === LEGACY_PASSWORD_KEY;
}

/** What resolveConnection takes from secret storage. */
export interface StoredPassword {
  password?: string;
  passwordServer?: string;
}

export class Services implements vscode.Disposable {
  readonly log: Logger;
  readonly clock: Clock = systemClock;
  /**
   * Kept check results; the tree and the dashboard listen to it. The editor's own are persisted
   * under the extension's workspace storage (never in the repo), so they survive a reload; in a
   * trusted folder those the CLI saved in `.upkeep/results.json` show beside them, read only.
   */
  readonly results: CombinedResultLog;
  /** The loaded playbook; set by the playbook feature, read by the checks and the dashboard. */
  playbook: PlaybookSource | undefined;
  /**
   * Where the app's checklist state and the editor's check results are kept, never in the repo:
   * the extension's workspace storage, and in a window of several folders a folder of it per
   * app (found by the folder's address, whatever its name), so that beta's tasks never show as
   * done with alpha's ticks.
   */
  readonly storageUri: vscode.Uri | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The unknown zone last warned about, so a bad setting is logged once, not per redraw. */
  private warnedZone: string | undefined;

  /**
   * @param workspaceFolder the Rails app's folder, for the whole life of these services: another
   *   choice (or the folder leaving the workspace) builds new ones (see extension.ts).
   */
  constructor(
    readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
    readonly workspaceFolder: vscode.WorkspaceFolder | undefined,
  ) {
    this.log = createLogger((level, line) => output[level](line));
    const storage = appStorage(context.storageUri, workspaceFolder);
    this.storageUri = storage;
    const root = context.storageUri;
    if (storage && root && storage !== root && workspaceFolder?.index === 0) {
      // Earlier versions kept the first folder's state in the storage root.
      const carried = carryOverEarlierStorage(root.fsPath, storage.fsPath);
      if (carried.length) this.log.info(`kept ${carried.join(', ')} for ${workspaceFolder.name}`);
    }
    this.results = new CombinedResultLog(
      storage
        ? FileResultLog.create(vscode.Uri.joinPath(storage, 'results.json').fsPath, (problem) =>
            this.log.child('checks').warn(problem),
          )
        : new MemoryResultLog(),
    );
  }

  /**
   * The app folder's name as the workspace shows it now: an editor that reports a rename as the
   * folder removed and added gives a new folder object, while `workspaceFolder` is the first.
   */
  get folderName(): string | undefined {
    const uri = this.workspaceFolder?.uri.toString();
    const open = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === uri);
    return open?.name ?? this.workspaceFolder?.name;
  }

  /**
   * The zone the team's days, weeks and months run in: `upkeep.schedule.timeZone`, else this
   * machine's. A remote editor (SSH, code-server) runs on a machine often on UTC, whose midnight
   * is not the team's. An unknown name is logged once and the machine's zone used.
   */
  scheduleTimeZone(): string {
    const value = vscode.workspace
      .getConfiguration('upkeep', this.workspaceFolder?.uri)
      .get<unknown>('schedule.timeZone');
    // A hand-edited settings file may hold anything here; only text names a zone.
    const configured = typeof value === 'string' ? value.trim() : '';
    if (!configured) return machineTimeZone();
    try {
      return checkTimeZone(configured);
    } catch {
      if (this.warnedZone !== configured) {
        this.warnedZone = configured;
        this.log.warn(
          `upkeep.schedule.timeZone: "${printableLine(configured, 80)}" is not a time zone ` +
            'this system knows; ' +
            `using this machine's (${machineTimeZone()}). Use an IANA name such as ` +
            'Europe/Berlin or America/New_York.',
        );
      }
      return machineTimeZone();
    }
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  settings(scope?: vscode.Uri): UpkeepSettings {
    const config = vscode.workspace.getConfiguration('upkeep', scope ?? this.workspaceFolder?.uri);
    const get = <T>(key: string): T | undefined => config.get<T>(key);
    return sanitizeSettings(
      resolveSettings({
        database: {
          url: get('database.url') || undefined,
          railsEnvironment: get('database.railsEnvironment'),
          name: get('database.name') || undefined,
          statementTimeoutMs: get('database.statementTimeoutMs'),
          lockTimeoutMs: get('database.lockTimeoutMs'),
          connectTimeoutMs: get('database.connectTimeoutMs'),
          production: get('database.production'),
        },
        logs: { sources: get('logs.sources'), timeZone: get('logs.timeZone') || undefined },
        thresholds: {
          avgResponseTimeMs: get('thresholds.avgResponseTimeMs'),
          errorRatePercent: get('thresholds.errorRatePercent'),
          errorRateAlertPercent: get('thresholds.errorRateAlertPercent'),
          memoryMb: get('thresholds.memoryMb'),
          slowRequestMs: get('thresholds.slowRequestMs'),
        },
        health: {
          url: get('health.url') || undefined,
          signInPath: get<string>('health.signInPath') || undefined,
        },
        checks: {
          parallelism: get('checks.parallelism'),
          timeoutSeconds: get('checks.timeoutSeconds'),
        },
        backups: {
          pattern: get('backups.pattern') || undefined,
          maxAgeHours: get('backups.maxAgeHours'),
          drillTargetUrl: get('backups.drillTargetUrl') || undefined,
        },
        templates: {
          bugFolder: get('templates.bugFolder'),
          featureFolder: get('templates.featureFolder'),
        },
        // The same keys as the CLI reads; the schedule's zone is checked by scheduleTimeZone().
        schedule: { timeZone: get<string>('schedule.timeZone') || undefined },
        state: { location: get('state.location') },
      }),
    );
  }

  /**
   * The kept password and the server it belongs to. Secret storage is the editor's, shared by
   * every folder: without the server, a repo's database.yml naming its own host got the password.
   */
  async storedPassword(): Promise<StoredPassword> {
    const kept = await this.context.secrets.get(PASSWORD_KEY);
    if (kept) {
      try {
        const { password, server } = JSON.parse(kept) as { password?: unknown; server?: unknown };
        if (typeof password === 'string' && typeof server === 'string') {
          return { password, passwordServer: server };
        }
      } catch {
        // Not ours to read: treated as no password.
      }
      return {};
    }
    const legacy = await this.context.secrets.get(LEGACY_PASSWORD_KEY);
    return legacy ? { password: legacy } : {};
  }

  /** Keeps `password` for `server` only (passwordServerOf); undefined forgets it. */
  async setDatabasePassword(password: string | undefined, server?: string): Promise<void> {
    await this.context.secrets.delete(LEGACY_PASSWORD_KEY);
    if (password && server) {
      await this.context.secrets.store(PASSWORD_KEY, JSON.stringify({ password, server }));
    } else if (password) {
      // No server known yet (nothing configured): kept as before, for the first one used.
      await this.context.secrets.delete(PASSWORD_KEY);
      await this.context.secrets.store(LEGACY_PASSWORD_KEY, password);
    } else {
      await this.context.secrets.delete(PASSWORD_KEY);
    }
  }

  track<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
  }
}

/** The storage of `folder`'s state and results: see Services.storageUri. */
function appStorage(
  storage: vscode.Uri | undefined,
  folder: vscode.WorkspaceFolder | undefined,
): vscode.Uri | undefined {
  if (!storage || !folder || !vscode.workspace.workspaceFile) return storage;
  const folders = vscode.Uri.joinPath(storage, 'folders');
  const dir = folderStorageDir(folders.fsPath, folder.name, folder.uri.toString());
  return vscode.Uri.joinPath(folders, path.basename(dir));
}
