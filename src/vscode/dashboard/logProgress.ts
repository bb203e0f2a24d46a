/**
 * The dashboard's log read, visible and stoppable: a read still running after a moment shows a
 * notification naming the files, with Cancel. Cancel stops that read alone (the refresh's other
 * sections go on) and the Logs section says it was cancelled instead of showing a summary.
 */
import * as vscode from 'vscode';
import { describeLogRead } from '../../core/dashboard/logRead';
import { workspaceLabel } from '../../core/logs/parallel';
import { resolveSources } from '../../core/logs/sources';
import { UpkeepError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { unlinked } from '../../core/util/unlinked';

/** Quicker reads (most windows of most logs) come and go without a notification. */
export const NOTIFY_AFTER_MS = 1000;

export interface LogReadOptions {
  workspace: string;
  sources: string[];
  confineToWorkspace: boolean;
  /** The refresh's signal: a newer refresh or a closed dashboard stops the read too. */
  signal: AbortSignal;
  log: Logger;
}

/** Runs `read` on a signal of its own, which the refresh and the notification's Cancel abort. */
export async function readLogsWithProgress<T>(
  options: LogReadOptions,
  read: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const follow = (): void => controller.abort(options.signal.reason);
  if (options.signal.aborted) follow();
  options.signal.addEventListener('abort', follow, { once: true });
  let what: string | undefined;
  let cancelledByUser = false;

  const reading = read(controller.signal);
  const settled = reading.then(
    () => undefined,
    () => undefined,
  );
  const timer = setTimeout(() => {
    void notify();
  }, NOTIFY_AFTER_MS);

  async function notify(): Promise<void> {
    const { files } = await resolveSources(options.workspace, options.sources, {
      confineToWorkspace: options.confineToWorkspace,
    }).catch(() => ({ files: [] }));
    what = describeLogRead(files, workspaceLabel(options.workspace));
    if (controller.signal.aborted || (await isSettled(settled))) return;
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: unlinked(`Upkeep: reading ${what} for the dashboard`),
        cancellable: true,
      },
      async (_progress, token) => {
        token.onCancellationRequested(() => {
          cancelledByUser = true;
          options.log.info(`logs: reading ${what} cancelled from its notification`);
          controller.abort(new UpkeepError('cancelled', 'Cancelled.'));
        });
        await settled;
      },
    );
  }

  try {
    return await reading;
  } catch (error) {
    if (!cancelledByUser) throw error;
    throw new UpkeepError('cancelled', `Reading ${what ?? 'the logs'} was cancelled.`);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', follow);
  }
}

/** Whether `promise` has settled already, without waiting for it. */
async function isSettled(promise: Promise<void>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise, Promise.resolve(pending)])) !== pending;
}
