/**
 * What the `upkeep` commands write to stderr beside their report: warnings and errors always,
 * progress and tool output with --verbose, each line redacted and made printable; the
 * playbook's problems at their line and column, and the error that stopped a command, as every
 * command words them.
 */
import type { PlaybookProblem } from '../core/playbook/loader';
import { describeError, UpkeepError } from '../core/util/errors';
import type { Logger } from '../core/util/logger';
import { createLogger } from '../core/util/logger';
import { printable, printableLines } from '../core/util/printable';

/** Lines to stderr: `warn: …` and `error: …` always, the rest with `verbose`. */
export function cliLogger(verbose: boolean, component?: string): Logger {
  return createLogger((level, line) => {
    if (!verbose && (level === 'debug' || level === 'info')) return;
    process.stderr.write(`${level === 'info' ? '' : `${level}: `}${printableLines(line)}\n`);
  }, component);
}

/** One `warn:` line to stderr, made printable: for what is said before a logger exists. */
export function warnLine(message: string): void {
  process.stderr.write(`warn: ${printable(message)}\n`);
}

/** Each problem as `error:` or `warn:` with its place in the file; returns how many are errors. */
export function logPlaybookProblems(problems: readonly PlaybookProblem[], log: Logger): number {
  for (const problem of problems) {
    const line = printable(playbookProblemLine(problem));
    if (problem.severity === 'error') log.error(line);
    else log.warn(line);
  }
  return problems.filter((problem) => problem.severity === 'error').length;
}

/** A playbook problem where it is: `.upkeep/playbook.yaml:LINE:COLUMN: message`. */
export function playbookProblemLine(problem: PlaybookProblem): string {
  return `.upkeep/playbook.yaml:${problem.line}:${problem.column}: ${problem.message}`;
}

/**
 * The error that stopped `upkeep <command>`: its message, then an UpkeepError's hint on a line
 * of its own, each made one line by `clean` (a name in them may hold a line break).
 */
export function writeCommandError(
  command: string,
  error: unknown,
  clean: (text: string) => string = printable,
): void {
  const message = error instanceof UpkeepError ? error.message : describeError(error);
  const hint = error instanceof UpkeepError && error.hint ? `\n${clean(error.hint)}` : '';
  process.stderr.write(`upkeep ${command}: ${clean(message)}${hint}\n`);
}
