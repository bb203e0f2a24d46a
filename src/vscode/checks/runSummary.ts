/**
 * The notification a check run ends with: what came out, why when a single check ran, and only
 * the follow-up buttons that lead somewhere. Free of `vscode` so a unit test can read it.
 */
import type { CheckDefinition, CheckResult } from '../../core/checks/types';
import { firstFew } from '../../core/util/firstFew';

export const SHOW_PROBLEMS = 'Show Problems';
export const OPEN_DASHBOARD = 'Open Dashboard';
export const SHOW_OUTPUT = 'Show Output';
export const SET_PASSWORD = 'Set Password…';

/** How many checks that did not finish the message names; more read "and N more". */
const UNFINISHED_NAMED = 3;

export interface RunSummary {
  message: string;
  /**
   * An error when the database refused the login, a warning when a check failed or warned,
   * information otherwise.
   */
  severity: 'error' | 'warning' | 'information';
  /** The buttons to offer, in order. */
  actions: string[];
}

/**
 * `added` are the titles of checks the run added to the label's own (Database connectivity, run
 * first with a tier's database checks): the dashboard counts a tier's own checks, so the message
 * counts them apart, as in "Weekly checks (21 and Database connectivity)".
 */
export function summarizeRun(
  label: string,
  results: CheckResult[],
  added: string[] = [],
): RunSummary {
  const count = (outcome: CheckResult['outcome']): number =>
    results.filter((r) => r.outcome === outcome).length;
  const failed = count('fail') + count('error');
  const refused = results.some((r) => r.values?.loginRefused === true);
  // A refused login leaves every database check unrun, and an error with a button stays on
  // screen until dismissed: a warning's toast hid after 10 s, and Set Password… with it.
  const severity = refused ? 'error' : failed || count('warn') ? 'warning' : 'information';

  // Counts alone ("0 pass, 0 warn, 0 fail, 1 skipped") leave a maintainer guessing why.
  const [only] = results;
  let message: string;
  if (results.length === 1 && only) {
    // A label that already names the check ("Database connectivity again with the new
    // password") is not followed by its title again.
    const named = label === only.title || label.startsWith(`${only.title} `);
    const name = named ? label : `${label}: ${only.title}`;
    message = `Upkeep: ${name}: ${outcomeWord(only)}`;
    message += ` — ${only.summary.replace(/\.$/, '')}.`;
  } else {
    const parts = [
      `${count('pass')} pass`,
      `${count('warn')} warn`,
      `${failed} fail`,
      `${count('skipped')} skipped`,
    ];
    const waiting = results.filter((r) => r.waitsForTrust).length;
    const trust = waiting ? ` ${waiting} wait for workspace trust.` : '';
    // Counts alone after Cancel read like a run that finished: say it stopped, and which checks
    // (the tree keeps their last results, so it does not say).
    const stopped = results.filter((r) => r.cancelled).map((r) => r.title);
    const how = stopped.length ? ' cancelled' : '';
    const unfinished = stopped.length
      ? ` (${stopped.length} did not finish: ${firstFew(stopped, UNFINISHED_NAMED, ' and ')})`
      : '';
    const own = results.length - added.length;
    const counted = added.length && own > 0 ? ` (${own} and ${added.join(' and ')})` : '';
    message = `Upkeep: ${label}${counted}${how}: ${parts.join(', ')}${unfinished}.${trust}`;
  }

  // Only findings with a file reach the Problems panel; the rest are read on the dashboard.
  const atFile = (r: CheckResult): boolean => (r.findings ?? []).some((f) => !!f.file);
  const flagged = results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'skipped');
  const actions: string[] = [];
  // A password is the one thing to do then, whatever else the run found.
  if (refused) actions.push(SET_PASSWORD);
  if (results.some(atFile)) actions.push(SHOW_PROBLEMS);
  if (flagged.some((r) => !atFile(r))) actions.push(OPEN_DASHBOARD);
  actions.push(SHOW_OUTPUT);
  return { message, severity, actions };
}

/**
 * What Set Password… runs again once a password is saved, when the run's login was refused: the
 * run's checks a password changes (health.database and those reading the database), so the
 * tree and the dashboard stop showing the refusal. Nothing when no login was refused.
 */
export function againWithPassword(
  definitions: CheckDefinition[],
  results: CheckResult[],
): CheckDefinition[] {
  const refused = new Set(
    results.filter((r) => r.values?.loginRefused === true).map((r) => r.checkId),
  );
  if (!refused.size) return [];
  return definitions.filter((d) => refused.has(d.id) || d.needsDatabase === true);
}

/** The progress line while a run goes on: how far, and the check just finished by its title. */
export function progressMessage(done: number, total: number, result: CheckResult): string {
  return `${done}/${total} · ${result.title}: ${outcomeWord(result)}`;
}

/** An error is a failure to the maintainer; the output channel keeps the difference. */
function outcomeWord(result: CheckResult): string {
  return result.outcome === 'error' ? 'fail' : result.outcome;
}
