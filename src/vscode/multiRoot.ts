/**
 * Upkeep works on one Rails app per window: the first workspace folder. With several folders
 * open, the tree and the dashboard say which one, so nobody reads alpha's tasks as beta's.
 * No `vscode` import, so unit tests read these texts as they are.
 */

/** The tree's note when the window holds several folders; undefined with one or none. */
export function multiRootNote(names: readonly string[]): string | undefined {
  if (names.length < 2) return undefined;
  const others = names.slice(1);
  const list =
    others.length === 1
      ? others[0]
      : `${others.slice(0, -1).join(', ')} and ${others[others.length - 1]}`;
  return (
    `Upkeep works on ${names[0]}, the first of ${names.length} workspace folders; ` +
    `${list} ${others.length === 1 ? 'is' : 'are'} not covered. ` +
    'Open another app in a window of its own to maintain it.'
  );
}

/** The dashboard tab's title, naming the folder when there are several. */
export function dashboardTitle(names: readonly string[]): string {
  return names.length < 2 ? 'Upkeep Dashboard' : `Upkeep Dashboard: ${names[0]}`;
}
