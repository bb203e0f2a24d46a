/**
 * Shows in the editor the results `upkeep check --save` and `upkeep drill --save` keep in the
 * workspace's `.upkeep/results.json` (a cron job, a terminal): read once the folder is trusted,
 * and again when the file changes. The editor never writes, renames or creates that file.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SAVED_RESULTS_FILE } from '../../core/checks/savedResults';
import { describeError } from '../../core/util/errors';
import type { Services } from '../services';
import { watchFiles } from '../fileWatch';

/** A CLI run with `--save` writes once per check batch; one read after it settles. */
const DEBOUNCE_MS = 500;
/** Watchers miss events (network drives, a busy machine); a stat this often is all it costs. */
const POLL_MS = 5000;

export function followSavedResults(services: Services): void {
  const folder = services.workspaceFolder;
  if (!folder) return;
  const log = services.log.child('checks');
  if (services.trusted) {
    follow();
    return;
  }
  // A committed file could pass the drill check or hide a failure: nothing is read until trust.
  log.info(`Restricted Mode: ${SAVED_RESULTS_FILE} is not read until you trust this folder`);
  const trust = services.track(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      trust.dispose();
      follow();
    }),
  );

  function follow(): void {
    const file = path.join(folder!.uri.fsPath, SAVED_RESULTS_FILE);
    const read = (): Promise<void> =>
      services.results
        .readSaved({ file, label: SAVED_RESULTS_FILE, log, now: services.clock.now() })
        .catch((error: unknown) => {
          log.warn(`${SAVED_RESULTS_FILE} could not be read: ${describeError(error)}`);
        });

    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => void read(), DEBOUNCE_MS);
    };
    services.track(watchFiles(new vscode.RelativePattern(folder!, SAVED_RESULTS_FILE), schedule));
    // An unchanged file costs one stat: readSaved compares its time, size and inode first.
    const poll = setInterval(() => void read(), POLL_MS);
    services.track({
      dispose: () => {
        clearInterval(poll);
        clearTimeout(timer);
      },
    });
    void read();
  }
}
