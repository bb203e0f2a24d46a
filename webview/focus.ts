/**
 * Keeps the keyboard's place when a part of the page is drawn anew (a section at each refresh,
 * the timer's too): the focus goes back to the same control in the new content, not to the
 * page's start, where a keyboard or screen reader user would lose their place.
 */

/** What the keyboard stops on in a section, as styles.css and the tables make it. */
const FOCUSABLE =
  'button, summary, a[href], [tabindex]:not([tabindex="-1"]), ' +
  'vscode-button, vscode-single-select, vscode-textfield, .u-legend th[role="button"]';

/**
 * A control told apart from others by what it is and says, and the table or chart it is in. A
 * chart's label holds its figures, which a refresh changes: its `data-focus-id` names it instead.
 */
function keyOf(element: Element): string {
  const within = element.closest('[data-focus-id], table, figure, article');
  const place = within?.getAttribute('data-focus-id') ?? within?.getAttribute('aria-label') ?? '';
  const caption = element.closest('table')?.caption?.textContent ?? '';
  const name =
    element.getAttribute('data-focus-id') ??
    element.getAttribute('aria-label') ??
    element.textContent?.trim() ??
    '';
  return [element.tagName, place, caption, name].join('\u0000');
}

/**
 * Runs `redraw`, which replaces what is in `root`; if the focus was inside, puts it on the
 * control of the same kind, name and place after, else on the section's heading, without
 * scrolling: the page stays where the user had it.
 */
export function keepingFocus(root: HTMLElement, heading: HTMLElement, redraw: () => void): void {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !root.contains(active)) {
    redraw();
    return;
  }
  const key = keyOf(active);
  const alike = (): HTMLElement[] =>
    Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((e) => keyOf(e) === key);
  const index = alike().indexOf(active);
  redraw();
  const again = alike();
  const target = again[Math.min(Math.max(index, 0), again.length - 1)];
  if (target) {
    target.focus({ preventScroll: true });
    return;
  }
  // The control is gone (a section now in error): the heading keeps the place, and is said.
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}
