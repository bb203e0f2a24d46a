/**
 * `upkeep logs [FILE|GLOB|- ...]`: the log summary for a window, as text or as the stable JSON
 * of docs/logs-json.md. With no files it reads the workspace's `upkeep.logs.sources`; `-` reads
 * standard input (`docker logs web 2>&1 | upkeep logs -`, for Rails 7.1+ logging to STDOUT).
 * Exit 0 when something was read, 2 for bad usage, when no source could be read, or when
 * cancelled.
 */
import { fstatSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { printable, printableJson } from '../core/util/printable';
import { loadWorkspaceSettings } from '../core/checks/workspaceSettings';
import { cancelOnSignals } from './cancelSignals';
import { cliLogger, warnLine, writeCommandError } from './cliLogger';
import { askedForJson, nonEmpty, refusedFlagMessage, workspaceOption } from './options';
import { requireWorkspaceFolder, resolveWorkspace } from './workspaceFolder';
import { STDIN_SOURCE, summarizeLogs } from '../core/logs/summary';
import { formatSummaryText } from '../core/logs/textReport';
import { parseWindow } from '../core/logs/window';
import { systemClock } from '../core/util/clock';
import { hideSecretsIn } from '../core/util/logger';
import { UpkeepError } from '../core/util/errors';
import { databasePasswords } from '../core/db/knownPasswords';

const EXIT_USAGE = 2;

interface LogsOptions {
  window?: string;
  format: 'text' | 'json';
  workspace?: string;
  timeZone?: string;
  verbose?: boolean;
}

export function registerLogsCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('logs')
    .description('Summarize Rails logs: requests, errors, durations, slow requests, security')
    .argument(
      '[sources...]',
      "log files or globs, - for standard input (default: the workspace's upkeep.logs.sources)",
    )
    .option(
      '--window <window>',
      'a duration (30m, 1h, 24h, 7d, 2w), a range FROM..TO of ISO dates, or all (the default)',
      nonEmpty,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .addOption(workspaceOption())
    .option('--time-zone <zone>', 'IANA zone for timestamps without an offset', nonEmpty)
    .option('--verbose', 'log progress to stderr')
    .action(async (sources: string[], options: LogsOptions) => {
      setExitCode(await runLogs(sources, options));
    });
}

/**
 * The JSON of an `upkeep logs --format json` stopped before it read any log (bad usage, a bad
 * window or zone, a cancel): `schema`, `generatedAt` and `stopped`, which says why (see
 * docs/logs-json.md), so a script reading the JSON gets a document, not an empty file.
 */
function stoppedJson(code: string, message: string, hint?: string): string {
  const stopped = { code, message, ...(hint ? { hint } : {}) };
  return `${printableJson({ schema: 1, generatedAt: new Date().toISOString(), stopped })}\n`;
}

/** The stopped JSON of `upkeep logs --format json` whose flags commander refused. */
export function logsUsageReport(args: readonly string[], message: string): string | undefined {
  return askedForJson(args) ? stoppedJson('usage', refusedFlagMessage('logs', message)) : undefined;
}

async function runLogs(given: string[], options: LogsOptions): Promise<number> {
  const stop = (code: string, message: string, hint?: string): void => {
    if (options.format === 'json') process.stdout.write(stoppedJson(code, message, hint));
  };
  // Like upkeep check and db: warnings and errors always reach stderr, progress with --verbose.
  const log = cliLogger(options.verbose === true, 'logs');
  // Ctrl-C, SIGTERM or SIGHUP stops the read (its worker threads too) and prints nothing of a
  // summary: half a log's figures would read as the whole window's.
  const cancel = cancelOnSignals();
  try {
    const workspace = await resolveWorkspace(options.workspace, process.cwd());
    // The current folder, without --workspace, is needed for its settings and relative files:
    // one whose path is not UTF-8 is named so, not as a missing log. Absolute files and - are not.
    const relative = given.some((source) => source !== STDIN_SOURCE && !path.isAbsolute(source));
    if (options.workspace !== undefined || given.length === 0 || relative) {
      await requireWorkspaceFolder(workspace, 'logs');
    }
    const settings = await loadWorkspaceSettings(workspace, { trusted: true, warn: warnLine });
    // Files named on the command line are relative to where the command runs.
    const sources = given.length
      ? given.map((source) =>
          source === STDIN_SOURCE || path.isAbsolute(source) ? source : path.resolve(source),
        )
      : settings.logs.sources;
    // `-` on the command line, or in upkeep.logs.sources for an app whose log is piped.
    const stdin = sources.includes(STDIN_SOURCE);
    if (stdin && process.stdin.isTTY) {
      // Waiting for a log typed by hand would look like a hang.
      const message =
        '- reads standard input, which is a terminal here; pipe a log into it, ' +
        'e.g. docker logs web 2>&1 | upkeep logs -';
      stop('usage', message);
      process.stderr.write(`upkeep logs: ${message}\n`);
      return EXIT_USAGE;
    }
    if (stdin && stdinIsFolder()) {
      // `upkeep logs - < log`: reading a folder gives no bytes, which read as an empty pipe.
      const message =
        '- reads standard input, and standard input is a folder, not a log; ' +
        'name the log files instead, e.g. upkeep logs log/*.log';
      stop('usage', message);
      process.stderr.write(`upkeep logs: ${message}\n`);
      return EXIT_USAGE;
    }
    const read = await summarizeLogs({
      workspace,
      sources,
      window: options.window ? parseWindow(options.window, systemClock) : undefined,
      timeZone: options.timeZone ?? settings.logs.timeZone,
      slowRequestMs: settings.thresholds.slowRequestMs,
      clock: systemClock,
      stdin: stdin ? process.stdin : undefined,
      signal: cancel.signal,
      log,
      surface: 'cli',
      namedSources: given.length > 0,
    });
    // An exception the app logged may hold the database password (a driver's error, a debug
    // line): hidden as upkeep check hides it in what the log checks quote.
    const summary = hideSecretsIn(
      read,
      await databasePasswords({ workspace, settings, trusted: true, env: process.env }),
    );

    const readable = summary.sources.some((s) => s.path && !s.error);
    if (options.format === 'json') {
      process.stdout.write(`${printableJson(summary)}\n`);
    } else if (readable) {
      process.stdout.write(formatSummaryText(summary));
    }
    if (readable) {
      // What the report says it worked around (a source that could not be read, lines cut
      // short, junk after a .gz's data) goes to stderr too, in either format, worded as upkeep
      // check and db word their own: a cron job that keeps stdout in a file still mails it.
      // The report keeps it as well, for a script that greps stdout.
      const unread = summary.sources.flatMap((s) => (s.error ? [s.error] : []));
      for (const warning of new Set([...unread, ...summary.warnings])) {
        process.stderr.write(`upkeep logs: warning: ${printable(warning)}\n`);
      }
      return 0;
    }
    for (const s of summary.sources) {
      if (s.error) process.stderr.write(`upkeep logs: ${printable(s.error)}\n`);
    }
    if (summary.sources.length === 0) process.stderr.write('upkeep logs: no log sources given.\n');
    return EXIT_USAGE;
  } catch (error) {
    if (cancel.received) {
      stop('cancelled', `cancelled (${cancel.received}); no summary printed.`);
      process.stderr.write(`upkeep logs: cancelled (${cancel.received}); no summary printed.\n`);
      return EXIT_USAGE;
    }
    if (UpkeepError.is(error)) stop(error.code, error.message, error.hint);
    else stop('internal', error instanceof Error ? error.message : String(error));
    writeCommandError('logs', error);
    return EXIT_USAGE;
  } finally {
    cancel.stop();
  }
}

/** Whether standard input is a folder (`< log`); false when it cannot be told. */
function stdinIsFolder(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false;
  }
}
