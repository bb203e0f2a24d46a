/**
 * Runs `action` once, `delayMs` after the first of a burst of calls. A run of checks reports
 * each result as it comes: redrawing the Maintenance view's tree, badge and title for each one
 * rebuilt the title bar thousands of times in a couple of seconds, and its Cancel button could
 * not be clicked meanwhile.
 */
export interface Coalesced {
  (): void;
  /** Drops a call still waiting. */
  dispose(): void;
}

export function coalesce(action: () => void, delayMs: number): Coalesced {
  let pending: ReturnType<typeof setTimeout> | undefined;
  const call = (): void => {
    pending ??= setTimeout(() => {
      pending = undefined;
      action();
    }, delayMs);
  };
  return Object.assign(call, {
    dispose(): void {
      if (pending) clearTimeout(pending);
      pending = undefined;
    },
  });
}
