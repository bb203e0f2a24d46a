/**
 * The check engine: runs check definitions in parallel up to a limit, each with its own timeout
 * and the run's cancellation, and turns every outcome (including a throw) into a CheckResult.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Clock } from '../util/clock';
import { describeError, UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { redactSecrets } from '../util/logger';
import { environmentPasswords } from '../db/connection';
import type { Surface } from '../db/connection';
import type { UpkeepSettings } from '../settings';
import { defaultSettings } from '../settings';
import { sanitizeFinding } from './findings';
import type { CheckContext, CheckDefinition, CheckReport, CheckResult, ResultLog } from './types';

/** What the caller knows about the workspace; the engine adds signal, log scope and sharing. */
export interface RunContextOptions {
  workspace: string;
  settings: UpkeepSettings;
  clock: Clock;
  log: Logger;
  trusted: boolean;
  databasePassword?: string;
  databasePasswordServer?: string;
  /** Where the results are read; `any` when unset. */
  surface?: Surface;
  results?: ResultLog;
  env?: Record<string, string | undefined>;
  /** More values no report or log line may show (the CLI: the database's password). */
  secrets?: string[];
}

export interface RunProgress {
  done: number;
  total: number;
  /** The check that just finished. */
  result: CheckResult;
}

export interface RunOptions {
  /** How many checks run at once; `settings.checks.parallelism` when unset. */
  parallelism?: number;
  /**
   * Per check, for every check when given (the CLI's --timeout). When unset, a definition's own
   * timeout (the test suite needs longer) and then `settings.checks.timeoutSeconds` apply.
   */
  timeoutMs?: number;
  onProgress?: (progress: RunProgress) => void;
  /** Cancels the whole run: running checks are aborted, waiting ones are skipped. */
  signal?: AbortSignal;
  /**
   * Called once after every check has finished, with the run's shared map, so the owners of
   * shared resources (the database session) can close them.
   */
  onFinished?: (shared: Map<string, Promise<unknown>>) => Promise<void>;
}

/** The longest delay a Node timer keeps; see runOne. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The summary of a check that needs trust in an untrusted folder. What says it waits is the
 * result's `waitsForTrust`; results kept before that field say it only here (see
 * `withFlagsFromSummary`).
 */
export const UNTRUSTED_SUMMARY = 'waits for workspace trust';
/**
 * The summary of a check a cancelled run stopped while it ran. What says it was cancelled is the
 * result's `cancelled`; results kept before that field say it only here (see
 * `withFlagsFromSummary`).
 */
export const CANCELLED_SUMMARY = 'cancelled';
/** The summary of a check a cancelled run never started. */
export const NOT_STARTED_SUMMARY = 'cancelled before it started';

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${formatSeconds(ms)}`);
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The most checks at once a setting may ask for (sanitizeSettings holds it to this too). */
export const MAX_PARALLELISM = 16;

/**
 * A limit from the settings when it is a number in [min, max], else the default: a caller may
 * hand on whatever a settings file holds ("x" ran no check, -1 timed out every one).
 */
function within(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && value >= min && value <= max ? value : fallback;
}

/**
 * Runs the checks and returns one result per definition, in the order given. Never throws for
 * a check's sake: a throw is an `error` result, a timeout an `error`, a cancel a `skipped`.
 */
export async function runChecks(
  definitions: CheckDefinition[],
  options: RunContextOptions,
  run: RunOptions = {},
): Promise<CheckResult[]> {
  const defaults = defaultSettings.checks;
  const { checks } = options.settings;
  // The caller's own --parallelism has no upper bound; only the setting's range applies to it.
  const parallelism =
    run.parallelism === undefined
      ? within(checks.parallelism, 1, MAX_PARALLELISM, defaults.parallelism)
      : within(run.parallelism, 1, Infinity, defaults.parallelism);
  const maxSeconds = MAX_TIMER_MS / 1000;
  const defaultTimeout =
    within(checks.timeoutSeconds, 1, maxSeconds, defaults.timeoutSeconds) * 1000;
  const shared = new Map<string, Promise<unknown>>();
  const secrets = knownSecrets(options);
  const log = options.log.child('checks');
  const results: CheckResult[] = new Array(definitions.length);
  let next = 0;
  let done = 0;

  const worker = async (): Promise<void> => {
    while (next < definitions.length) {
      const index = next++;
      const definition = definitions[index];
      const result = await runOne(definition, options, shared, secrets, log, {
        timeoutMs: run.timeoutMs ?? definition.timeoutMs ?? defaultTimeout,
        signal: run.signal,
      });
      results[index] = result;
      done++;
      log.info(
        `${result.checkId}: ${result.outcome} in ${result.durationMs} ms — ${result.summary}`,
      );
      run.onProgress?.({ done, total: definitions.length, result });
    }
  };
  const workers = Math.min(parallelism, definitions.length);
  // Each running check listens to the caller's signal; past 10 listeners Node warns of a leak.
  if (run.signal && getMaxListeners(run.signal) < workers + 10) {
    setMaxListeners(workers + 10, run.signal);
  }
  await Promise.all(Array.from({ length: workers }, worker));

  if (run.onFinished) {
    await run.onFinished(shared).catch((error: unknown) => {
      log.warn(`closing shared resources failed: ${describeError(error)}`);
    });
  }
  // A check that finished before the database session opened did not know its password yet.
  return results.map((result, index) =>
    withoutSecrets(result, secretsOf(definitions[index], secrets)),
  );
}

const NO_SECRETS: ReadonlySet<string> = new Set();

/**
 * The secrets to hide, word for word, in what a check reports: only a check that runs the repo's
 * code (a tool, a custom check) or quotes the app's logs reports text Upkeep did not write.
 * Upkeep's own texts never hold a password, and a password that is also a common word
 * ("postgres") would turn them into `***`.
 */
function secretsOf(definition: CheckDefinition, secrets: Set<string>): ReadonlySet<string> {
  return definition.needsTrust || definition.quotesOthersText ? secrets : NO_SECRETS;
}

/** The passwords a tool or a custom check could print: the run's own, and the environment's. */
function knownSecrets(options: RunContextOptions): Set<string> {
  const env = options.env ?? process.env;
  const values = [options.databasePassword, ...environmentPasswords(env)];
  return new Set([...values, ...(options.secrets ?? [])].filter((value) => value !== undefined));
}

/** Hides the secrets in every line, those added to the set later too. */
function hidingLogger(log: Logger, secrets: ReadonlySet<string>): Logger {
  const hide = (text: string): string => redactSecrets(text, secrets);
  return {
    debug: (message) => log.debug(hide(message)),
    info: (message) => log.info(hide(message)),
    warn: (message) => log.warn(hide(message)),
    error: (message) => log.error(hide(message)),
    child: (component) => hidingLogger(log.child(component), secrets),
  };
}

/** The report's texts without connection strings' passwords and without the run's secrets. */
function withoutSecrets<T extends CheckReport>(report: T, secrets: ReadonlySet<string>): T {
  const hide = (text: string): string => redactSecrets(text, secrets);
  const values = report.values
    ? Object.fromEntries(
        Object.entries(report.values).map(([name, value]) => [
          name,
          typeof value === 'string' ? hide(value) : value,
        ]),
      )
    : undefined;
  return {
    ...report,
    summary: hide(report.summary),
    ...(report.details !== undefined ? { details: hide(report.details) } : {}),
    ...(values ? { values } : {}),
    ...(report.findings
      ? { findings: report.findings.map((f) => ({ ...f, message: hide(f.message) })) }
      : {}),
  };
}

async function runOne(
  definition: CheckDefinition,
  options: RunContextOptions,
  shared: Map<string, Promise<unknown>>,
  secrets: Set<string>,
  log: Logger,
  limits: { timeoutMs: number; signal?: AbortSignal },
): Promise<CheckResult> {
  const startedAt = options.clock.now();
  const started = performance.now();
  const finish = (report: CheckReport): CheckResult => ({
    ...withoutSecrets(report, secretsOf(definition, secrets)),
    checkId: definition.id,
    title: definition.title,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  const cancelled = (summary: string): CheckResult => ({
    ...finish({ outcome: 'skipped', summary }),
    cancelled: true,
  });

  if (limits.signal?.aborted) return cancelled(NOT_STARTED_SUMMARY);
  if (definition.needsTrust && !options.trusted) {
    return { ...finish({ outcome: 'skipped', summary: UNTRUSTED_SUMMARY }), waitsForTrust: true };
  }

  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(limits.signal?.reason);
  limits.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // A Node timer fires at once past 2^31-1 ms (24.8 days): a longer timeout is that long.
  const timer = setTimeout(
    () => controller.abort(new CheckTimeout(limits.timeoutMs)),
    Math.min(limits.timeoutMs, MAX_TIMER_MS),
  );

  // A check that ignores its signal must still not hold up the run: race it against the abort.
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    });
  });
  aborted.catch(() => undefined);

  const context: CheckContext = {
    workspace: options.workspace,
    settings: options.settings,
    clock: options.clock,
    signal: controller.signal,
    log: hidingLogger(log.child(definition.id), secretsOf(definition, secrets)),
    trusted: options.trusted,
    databasePassword: options.databasePassword,
    databasePasswordServer: options.databasePasswordServer,
    surface: options.surface,
    shared,
    results: options.results,
    env: options.env,
    secrets,
  };

  try {
    const report = await Promise.race([definition.run(context), aborted]);
    return finish(normalize(report));
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof CheckTimeout) {
      return finish({
        outcome: 'error',
        summary: reason.message + connectionHint(definition, options.settings, limits.timeoutMs),
        values: { timedOut: true },
      });
    }
    if (limits.signal?.aborted) return cancelled(CANCELLED_SUMMARY);
    if (UpkeepError.is(error, 'untrusted')) {
      return finish({ outcome: 'skipped', summary: firstLine(error.message), waitsForTrust: true });
    }
    return finish({
      outcome: 'error',
      summary: firstLine(describeError(error)),
      ...(UpkeepError.is(error, 'config') ? { configProblem: true } : {}),
    });
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Why a database check may have timed out, when its limit is within what connecting may take
 * (`--timeout 3` against a 5 s connect timeout): every database check then timed out for the
 * connection's sake, which health.database's own message would not say.
 */
function connectionHint(
  definition: CheckDefinition,
  settings: UpkeepSettings,
  timeoutMs: number,
): string {
  const connectMs = settings.database.connectTimeoutMs;
  const usesDatabase = definition.needsDatabase || definition.id === 'health.database';
  if (!usesDatabase || !(timeoutMs <= connectMs)) return '';
  return (
    `, within the ${formatSeconds(connectMs)} connecting to the database may take ` +
    '(upkeep.database.connectTimeoutMs): give checks a longer timeout'
  );
}

/** Guards against a check returning something malformed; the tree and CLI rely on the shape. */
function normalize(report: CheckReport): CheckReport {
  if (!report || typeof report !== 'object' || typeof report.outcome !== 'string') {
    return { outcome: 'error', summary: 'the check returned no report' };
  }
  const findings = Array.isArray(report.findings)
    ? report.findings.map(sanitizeFinding)
    : undefined;
  return {
    ...report,
    summary: firstLine(String(report.summary ?? '')),
    ...(findings ? { findings } : {}),
  };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0].trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
