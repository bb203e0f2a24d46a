/**
 * The signals that cancel a running command: Ctrl-C (SIGINT), a CI job's timeout or
 * `timeout(1)` (SIGTERM), and the terminal or ssh session the command was started from going
 * away (SIGHUP). Each command cancels its work on them instead of dying at once, which would
 * leave its tools, its pg_restore or its query running without it.
 */
import { UpkeepError } from '../core/util/errors';

const CANCEL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SignalCancel {
  /** Aborted, with a `cancelled` UpkeepError naming the signal, on the first of them. */
  readonly signal: AbortSignal;
  /** The signal that cancelled the command, once one did. */
  readonly received: NodeJS.Signals | undefined;
  /** Stops listening; call it when the command ends. */
  stop(): void;
}

/** Listens for those signals until `stop`: the first one aborts `signal`. */
export function cancelOnSignals(): SignalCancel {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const cancel = (signal: NodeJS.Signals): void => {
    received = signal;
    controller.abort(new UpkeepError('cancelled', `Cancelled (${signal}).`));
  };
  for (const signal of CANCEL_SIGNALS) process.once(signal, cancel);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    stop() {
      for (const signal of CANCEL_SIGNALS) process.removeListener(signal, cancel);
    },
  };
}
