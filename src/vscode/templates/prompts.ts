/**
 * The questions the template commands ask: a title (validated as it is typed, with the file name
 * it will get) and a severity tier with the guidelines' response times.
 */
import * as vscode from 'vscode';
import { cleanTitle, validateTitle } from '../../core/templates/scaffold';
import type { SeverityId } from '../../core/templates/severity';
import { DEFAULT_SEVERITY, SEVERITIES } from '../../core/templates/severity';
import { slugify } from '../../core/templates/slug';
import { unlinked } from '../../core/util/unlinked';

export interface TitleQuestion {
  step: string;
  prompt: string;
  placeHolder: string;
  /** The file a title would become, shown under the box while typing. */
  fileName: (slug: string) => string;
  /**
   * A title the caller proposes (an exception row of the dashboard): shown in the box to confirm
   * or edit, never written without being seen; Escape still cancels.
   */
  initial?: string;
}

/** The cleaned title, or undefined when the person cancelled. */
export async function askTitle(question: TitleQuestion): Promise<string | undefined> {
  const title = await vscode.window.showInputBox({
    title: question.step,
    prompt: question.prompt,
    placeHolder: question.placeHolder,
    value: question.initial,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const problem = validateTitle(value);
      if (problem) return problem;
      return {
        // Linked text: the folder comes from a setting the repo may give.
        message: unlinked(
          `Creates ${question.fileName(slugify(cleanTitle(value)))} (never replaces a file)`,
        ),
        severity: vscode.InputBoxValidationSeverity.Info,
      };
    },
  });
  return title === undefined ? undefined : cleanTitle(title);
}

interface SeverityItem extends vscode.QuickPickItem {
  id: SeverityId;
}

/**
 * One of the guidelines' tiers, or undefined when the person cancelled. The list reads Critical
 * to Low, but Medium is pre-selected: a bare Enter must not file a 1-hour Critical bug.
 */
export async function askSeverity(step: string): Promise<SeverityId | undefined> {
  const items: SeverityItem[] = SEVERITIES.map((severity) => ({
    id: severity.id,
    label: severity.label,
    description: `response within ${severity.responseTime}`,
    detail: severity.impact,
  }));
  // showQuickPick cannot pre-select an item, so this builds the quick pick itself.
  const pick = vscode.window.createQuickPick<SeverityItem>();
  pick.title = step;
  pick.placeholder = 'Severity: how soon must someone respond?';
  pick.ignoreFocusOut = true;
  pick.matchOnDetail = true;
  pick.items = items;
  pick.activeItems = items.filter((item) => item.id === DEFAULT_SEVERITY);
  try {
    return await new Promise<SeverityId | undefined>((resolve) => {
      pick.onDidAccept(() => {
        resolve(pick.selectedItems[0]?.id ?? pick.activeItems[0]?.id);
        pick.hide();
      });
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}
