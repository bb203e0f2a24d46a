/**
 * Ticks the Get Started walkthrough's steps for what the user has done, whenever it was done.
 * The editor counts a step's `onCommand:` and `onView:` events only once its walkthrough
 * service has registered the step, which is when a walkthrough is first shown: a tree looked at
 * or a dashboard opened before that was never counted. So the extension keeps what was done in
 * its global state and sets a context key for each. The steps complete on `onContext:` with
 * that key *and* the walkthrough being the active editor: the editor ticks a step when such an
 * expression turns true, not when it is true already as the step registers, and the walkthrough
 * becomes the active editor only after it registered its steps.
 */
import * as vscode from 'vscode';

/** The steps this module ticks, by the context key their `completionEvents` name. */
export const WALKTHROUGH_KEYS = {
  tree: 'upkeep.walkthrough.treeShown',
  dashboard: 'upkeep.walkthrough.dashboardOpened',
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_KEYS;

/** Sets the context keys of the steps done in an earlier session (called on activation). */
export function restoreWalkthroughProgress(context: vscode.ExtensionContext): void {
  for (const key of Object.values(WALKTHROUGH_KEYS)) {
    if (context.globalState.get<boolean>(key)) {
      void vscode.commands.executeCommand('setContext', key, true);
    }
  }
}

/** Records that the user did what `step` asks, for this session and the next ones. */
export function markWalkthroughStep(context: vscode.ExtensionContext, step: WalkthroughStep): void {
  const key = WALKTHROUGH_KEYS[step];
  void vscode.commands.executeCommand('setContext', key, true);
  if (!context.globalState.get<boolean>(key)) void context.globalState.update(key, true);
}
