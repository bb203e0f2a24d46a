/**
 * What a check is and what it returns. Every surface (tree, Problems panel, dashboard, CLI)
 * reads these shapes; the JSON of `CheckResult` is part of the CLI's stable output.
 */
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { UpkeepSettings } from '../settings';
import type { Surface } from '../db/connection';

export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

/** A point in the repo that a check found, for the Problems panel and the CLI. */
export interface Finding {
  message: string;
  severity: 'error' | 'warning' | 'info';
  /** Workspace-relative path. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The tool or check that found it, e.g. `brakeman`. */
  source?: string;
  code?: string;
}

export type MeasuredValue = number | string | boolean | null;

/** What a check's `run` returns. */
export interface CheckReport {
  outcome: CheckOutcome;
  /** One line, shown in the tree and the CLI table. */
  summary: string;
  details?: string;
  values?: Record<string, MeasuredValue>;
  findings?: Finding[];
  /**
   * The check could not run because of how Upkeep is set up (a missing password, a broken
   * setting), not because of what it checks: `upkeep check` exits 2 when only such remain.
   */
  configProblem?: boolean;
  /**
   * The folder is not trusted and the check stopped short of what waits for trust (a tool the
   * repo names, a file linked out of the folder): it did not run, or ran only in part, and can
   * run whole once the folder is trusted. The check engine sets it on a check that needs trust
   * and on a check that threw an `untrusted` error; a built-in check that returns early sets it
   * itself. Not a summary text: a custom check may say "waits for workspace trust" of its own.
   */
  waitsForTrust?: boolean;
}

/** A report with its identity and timing, as kept and shown. */
export interface CheckResult extends CheckReport {
  checkId: string;
  title: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /**
   * The run was cancelled before this check finished (outcome `skipped`, no verdict on what it
   * checks). Set by the check engine alone: a summary that says "cancelled" may be a check's own.
   */
  cancelled?: boolean;
}

export interface CheckContext {
  /** Absolute path of the workspace folder. */
  workspace: string;
  settings: UpkeepSettings;
  clock: Clock;
  signal: AbortSignal;
  log: Logger;
  /** False in an untrusted workspace: nothing from the repo may run. */
  trusted: boolean;
  /** The database password from the editor's secret storage, when one is kept. */
  databasePassword?: string;
  /** The server that password was set for; it goes to no other (see ResolveOptions). */
  databasePasswordServer?: string;
  /** Where the results are read (the CLI, the editor), so hints name what works there. */
  surface?: Surface;
  /** Work several checks of one run share (a parsed log, one database session). */
  shared: Map<string, Promise<unknown>>;
  /** Earlier results, for checks that report on a past manual action (the recovery drill). */
  results?: ResultLog;
  /** Environment for spawned tools; `process.env` when unset (tests point PATH at fakes). */
  env?: Record<string, string | undefined>;
  /**
   * The passwords of this run, hidden from every report (a tool may print its connection). A
   * check that learns one adds it: the database checks, the password they connect with.
   */
  secrets?: Set<string>;
}

export interface CheckDefinition {
  id: string;
  title: string;
  description?: string;
  /** Runs something from the repo (a tool, a repo command, repo SQL, a repo database URL). */
  needsTrust?: boolean;
  /**
   * Its report quotes text Upkeep did not write (the app's log lines and exception messages):
   * the run's passwords are hidden in it word for word, as in what a tool prints.
   */
  quotesOthersText?: boolean;
  /**
   * Reads the monitored database through the run's shared session, and skips (pointing at
   * health.database) when it cannot be reached.
   */
  needsDatabase?: boolean;
  /** Overrides the run's timeout for this check. */
  timeoutMs?: number;
  /** Where it comes from: built in, or a custom check of the repo's playbook. */
  origin?: 'builtin' | 'playbook';
  run(context: CheckContext): Promise<CheckReport>;
}

/** The kept results of past runs; the tree, the dashboard and trends read it. */
export interface ResultLog {
  latest(checkId: string): CheckResult | undefined;
  /** Every check's latest result. */
  allLatest(): CheckResult[];
  /** Older first, bounded. */
  history(checkId: string): CheckResult[];
  /** Keeps the results, all but those a cancel stopped (`isKept`): they found nothing. */
  record(results: CheckResult[]): Promise<void>;
  /** Called after `record` with what it kept; returns a function that unsubscribes. */
  onDidChange(listener: (results: CheckResult[]) => void): () => void;
  /** Where a result came from, for logs that show another writer's results beside their own. */
  originOf?(result: CheckResult): ResultOrigin;
}

/** `commandLine`: saved in the workspace by `upkeep check --save` or `upkeep drill --save`. */
export type ResultOrigin = 'editor' | 'commandLine';
