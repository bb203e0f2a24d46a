/** Following files the extension reads: created, changed and deleted all mean "read again". */
import * as vscode from 'vscode';

/** A watcher that calls `onChange` for any file matching `pattern`; dispose it to stop. */
export function watchFiles(
  pattern: vscode.RelativePattern,
  onChange: () => void,
): vscode.FileSystemWatcher {
  const watcher = vscode.workspace.createFileSystemWatcher(pattern);
  watcher.onDidCreate(onChange);
  watcher.onDidChange(onChange);
  watcher.onDidDelete(onChange);
  return watcher;
}
