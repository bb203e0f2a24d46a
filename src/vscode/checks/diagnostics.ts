/**
 * Puts check findings into the Problems panel (the `upkeep` diagnostic collection) at their file
 * and line. Each check's findings replace that check's previous ones; other checks' stay.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckResult, Finding } from '../../core/checks/types';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * The Problems panel's source column: "Upkeep: " once, then the check id for Upkeep's own
 * findings (tagged like "upkeep logs") or the tool that found it ("Upkeep: brakeman").
 */
export function diagnosticSource(checkId: string, findingSource?: string): string {
  const tool = findingSource?.trim();
  const own = !tool || /^upkeep\b/i.test(tool);
  return `Upkeep: ${own ? checkId : tool}`;
}

export class CheckDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('upkeep');
  /** checkId → file URI string → that check's diagnostics there. */
  private readonly byCheck = new Map<string, Map<string, vscode.Diagnostic[]>>();

  constructor(private readonly workspace: vscode.Uri) {}

  /** Replaces the diagnostics of the checks these results belong to. */
  update(results: CheckResult[]): void {
    const touched = new Set<string>();
    for (const result of results) {
      for (const uri of this.byCheck.get(result.checkId)?.keys() ?? []) touched.add(uri);
      const files = new Map<string, vscode.Diagnostic[]>();
      for (const finding of result.findings ?? []) {
        if (!finding.file) continue;
        const uri = this.uriOf(finding.file);
        if (!uri) continue;
        const key = uri.toString();
        const list = files.get(key) ?? [];
        list.push(this.toDiagnostic(finding, result.checkId));
        files.set(key, list);
        touched.add(key);
      }
      this.byCheck.set(result.checkId, files);
    }
    for (const key of touched) {
      const all = [...this.byCheck.values()].flatMap((files) => files.get(key) ?? []);
      this.collection.set(vscode.Uri.parse(key), all);
    }
  }

  /**
   * Findings that point outside the workspace are not shown: a report must not aim us elsewhere.
   */
  private uriOf(file: string): vscode.Uri | undefined {
    const absolute = path.resolve(this.workspace.fsPath, file);
    const relative = path.relative(this.workspace.fsPath, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return vscode.Uri.joinPath(this.workspace, ...relative.split(path.sep));
  }

  private toDiagnostic(finding: Finding, checkId: string): vscode.Diagnostic {
    const line = Math.max(0, (finding.line ?? 1) - 1);
    const column = Math.max(0, (finding.column ?? 1) - 1);
    // Without a column the whole line is marked; the editor clips the range to the line's end.
    const range = finding.column
      ? new vscode.Range(line, column, line, column + 1)
      : new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
    const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
    diagnostic.source = diagnosticSource(checkId, finding.source);
    if (finding.code) diagnostic.code = finding.code;
    return diagnostic;
  }

  dispose(): void {
    this.collection.dispose();
  }
}
