/**
 * The signals that cancel a running command: Ctrl-C (SIGINT), a CI job's timeout or
 * `timeout(1)` (SIGTERM), and the terminal or ssh session the command was started from going
 * away (SIGHUP). Each command cancels its work on them instead of dying at once, which would
 * leave its tools, its pg_restore or its query running without it.
 */
const CANCEL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Calls `cancel` on the first of those signals; returns the function that stops listening. */
export function onCancelSignal(cancel: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of CANCEL_SIGNALS) process.once(signal, cancel);
  return () => {
    for (const signal of CANCEL_SIGNALS) process.removeListener(signal, cancel);
  };
}
