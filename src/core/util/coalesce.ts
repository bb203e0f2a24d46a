/**
 * Runs `action` once, `delayMs` after the first of a burst of calls. A run of checks reports
 * each result as it comes: redrawing the Maintenance view's tree, badge and title for each one
 * rebuilt the title bar thousands of times in a couple of seconds, and its Cancel button could
 * not be clicked meanwhile.
 *
 * An action that returns a promise (a folder read again on a watcher's events) never runs twice
 * at once: calls while it runs start one more run after it ends, which sees everything they
 * were made for. A burst of n file events read the folder n times over, all at once, and the
 * read that ended last, not the newest, gave what was shown.
 */
export interface Coalesced {
  (): void;
  /** Drops a call still waiting, and the run asked for after the one under way. */
  dispose(): void;
}

export function coalesce(action: (() => void) | (() => Promise<void>), delayMs: number): Coalesced {
  let pending: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;

  const run = (): void => {
    pending = undefined;
    const done = action();
    // A plain function's value (a redraw's) is no run to wait for.
    if (!(done instanceof Promise)) return;
    running = true;
    void done
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          call();
        }
      });
  };
  const call = (): void => {
    if (running) {
      again = true;
      return;
    }
    pending ??= setTimeout(run, delayMs);
  };

  return Object.assign(call, {
    dispose(): void {
      if (pending) clearTimeout(pending);
      pending = undefined;
      again = false;
    },
  });
}
