/**
 * Shows Explain Query's plans as read-only text documents (`upkeep-plan:` scheme): nothing to
 * escape, nothing to save, and the editor's own search and theme apply.
 */
import * as vscode from 'vscode';

export const PLAN_SCHEME = 'upkeep-plan';

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly plans = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.plans.get(uri.path) ?? '-- This plan is no longer kept; run Explain Query again.\n';
  }

  /** Opens a new read-only document holding `text`. */
  async show(text: string): Promise<void> {
    const name = `/plan-${++this.counter}.txt`;
    this.plans.set(name, text);
    // Keep the last few plans only; an old tab shows a note instead.
    if (this.plans.size > 20) this.plans.delete(this.plans.keys().next().value as string);
    const document = await vscode.workspace.openTextDocument(
      vscode.Uri.from({ scheme: PLAN_SCHEME, path: name }),
    );
    await vscode.window.showTextDocument(document, {
      preview: false,
      viewColumn: vscode.ViewColumn.Beside,
    });
  }

  dispose(): void {
    this.changed.dispose();
    this.plans.clear();
  }
}
