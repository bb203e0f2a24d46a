/**
 * Opens a freshly created document with its fields as snippet tab stops.
 *
 * Why this order: the core first writes the complete, plain text to disk (with the `wx` flag, so
 * nothing is overwritten). The editor then opens that file and replaces its whole text with a
 * snippet that resolves to exactly the same characters, only with tab stops on the fields. So the
 * file on disk is whole from the first moment (the On demand tier lists it even if the editor is
 * closed unsaved), and neither the disk nor the buffer ever holds raw `${1:...}` syntax: snippet
 * syntax exists only inside the editor's snippet session. Inserting a snippet into an empty file
 * instead would leave an empty report on disk until the first save.
 */
import * as vscode from 'vscode';

/**
 * Opens `file` and plays `snippet` over its text; false when the text on open differs from
 * `expected` (something rewrote it), in which case the file is left as it is, just opened.
 */
export async function openAsSnippet(
  file: string,
  expected: string,
  snippet: string,
): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (document.getText() !== expected) return false;

  const whole = new vscode.Range(document.positionAt(0), document.positionAt(expected.length));
  // keepWhitespace: a whole document needs no re-indenting; without it the editor could turn a
  // repo template's indentation into tabs and the buffer would differ from the file on disk.
  // The option exists from VS Code 1.88 on; our @types are 1.85, and older editors ignore it.
  const options: SnippetOptions = {
    undoStopBefore: false,
    undoStopAfter: false,
    keepWhitespace: true,
  };
  return editor.insertSnippet(new vscode.SnippetString(snippet), whole, options);
}

type SnippetOptions = NonNullable<Parameters<vscode.TextEditor['insertSnippet']>[2]> & {
  readonly keepWhitespace?: boolean;
};
