/**
 * Which workspace folder is the Rails app, in a window of several: Upkeep: Choose App Folder…
 * asks and remembers the answer for this workspace; the folder in use leaving the workspace
 * falls back to the first. Either way Upkeep starts over on the new folder (see extension.ts).
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/util/logger';
import { unlinked } from '../core/util/unlinked';
import { appFolderIndex, leftWorkspace } from './multiRoot';

/** workspaceState key: the chosen folder's URI. */
const APP_FOLDER_KEY = 'upkeep.appFolder';

/** The folder Upkeep works on now: the remembered one while it is open, else the first. */
export function currentAppFolder(
  context: vscode.ExtensionContext,
): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const remembered = context.workspaceState.get<string>(APP_FOLDER_KEY);
  return folders[
    appFolderIndex(
      folders.map((folder) => folder.uri.toString()),
      remembered,
    )
  ];
}

/**
 * Registers the command and follows the workspace's folders; `restart` is called whenever the
 * folder Upkeep works on is another than `inUse()`.
 */
export function followAppFolder(
  context: vscode.ExtensionContext,
  log: Logger,
  inUse: () => vscode.WorkspaceFolder | undefined,
  restart: () => void,
): vscode.Disposable {
  const switchIfChanged = (): boolean => {
    const next = currentAppFolder(context);
    if (next?.uri.toString() === inUse()?.uri.toString()) return false;
    log.info(`works on ${next?.name ?? 'no folder'} now (was ${inUse()?.name ?? 'none'})`);
    restart();
    return true;
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('upkeep.chooseAppFolder', async () => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length < 2) {
        void vscode.window.showInformationMessage(
          folders.length
            ? unlinked(`Upkeep works on ${folders[0].name}, the only folder of this window.`)
            : 'Open the folder of a Rails app first.',
        );
        return;
      }
      const picked = await vscode.window.showWorkspaceFolderPick({
        placeHolder: `The Rails app Upkeep works on (now ${inUse()?.name ?? 'none'})`,
      });
      if (!picked) return;
      await context.workspaceState.update(APP_FOLDER_KEY, picked.uri.toString());
      switchIfChanged();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders((event) => {
      const used = inUse();
      const uris = (folders: readonly vscode.WorkspaceFolder[]): string[] =>
        folders.map((folder) => folder.uri.toString());
      const removed =
        used && leftWorkspace(used.uri.toString(), uris(event.removed), uris(event.added));
      // Forgotten, so that adding it back later does not take Upkeep away from the one in use.
      if (removed) void context.workspaceState.update(APP_FOLDER_KEY, undefined);
      if (!switchIfChanged() || !removed) return;
      const next = currentAppFolder(context);
      void vscode.window.showInformationMessage(
        unlinked(
          `${used.name} left the workspace: Upkeep works on ${next?.name ?? 'no folder'} now.`,
        ),
      );
    }),
  );
}
