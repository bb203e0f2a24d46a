/**
 * `upkeep check`: runs the same checks as the editor, headless, for cron and CI. Prints a table,
 * stable JSON or JUnit XML; exit 0 ok, 1 a check failed (or warned with --fail-on warn), 2 usage
 * or configuration error, or cancelled. Results are written to the repo only with --save.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { systemClock } from '../core/util/clock';
import { UpkeepError, describeError, fileErrorWithCode } from '../core/util/errors';
import { loadPlaybook } from '../core/playbook/loader';
import type { Playbook } from '../core/playbook/model';
import { TIER_IDS } from '../core/playbook/model';
import {
  checksForTask,
  checksForTier,
  closeSharedResources,
  createRegistry,
  settingsForPlaybook,
  withDatabaseHealth,
} from '../core/checks/registry';
import { checkListJson, formatCheckList, listChecks } from '../core/checks/checkList';
import type { FailOn, RunProblem } from '../core/checks/report';
import {
  exitCodeFor,
  failingResults,
  formatTable,
  toJsonReport,
  toJunit,
} from '../core/checks/report';
import { FileResultLog, MemoryResultLog } from '../core/checks/resultLog';
import { didYouMean } from '../core/util/closest';
import { plural } from '../core/util/plural';
import { printable } from '../core/util/printable';
import { SAVED_RESULTS_FILE } from '../core/checks/savedResults';
import { runChecks } from '../core/checks/runner';
import type { CheckDefinition, CheckResult, ResultLog } from '../core/checks/types';
import { looksLikeRailsApp, nestedRailsApps } from '../core/util/appFolder';
import type { SignalCancel } from './cancelSignals';
import { cancelOnSignals } from './cancelSignals';
import { connectionPassword } from '../core/db/knownPasswords';
import {
  cliLogger,
  logPlaybookProblems,
  playbookProblemLine,
  writeCommandError,
} from './cliLogger';
import { envOption, loadCliSettings } from './railsEnvironment';
import {
  collect,
  flagValues,
  refusedFlagMessage,
  savedResultsFile,
  tierIds,
  workspaceOption,
} from './options';
import { requireWorkspaceFolder, resolveWorkspace } from './workspaceFolder';

const EXIT_USAGE = 2;

interface CheckOptions {
  tier?: string[];
  task?: string[];
  check?: string[];
  format: 'text' | 'json' | 'junit';
  failOn: FailOn;
  workspace?: string;
  env?: string;
  timeout?: string;
  parallelism?: string;
  untrusted?: boolean;
  save?: string | boolean;
  verbose?: boolean;
  list?: boolean;
}

export function registerCheckCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description('Run maintenance checks (the daily tier when nothing is selected)')
    .option('--tier <id>', `run a tier's checks (${TIER_IDS.join(', ')}); repeatable`, collect)
    .option('--task <id>', "run a task's checks; repeatable", collect)
    .option('--check <id>', 'run one check by id; repeatable', collect)
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'junit'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <outcome>', 'lowest outcome that exits 1')
        .choices(['warn', 'fail'])
        .default('fail'),
    )
    .addOption(workspaceOption())
    .addOption(envOption())
    .option('--timeout <seconds>', 'per-check timeout, overriding upkeep.checks.timeoutSeconds')
    .option('--parallelism <n>', 'checks at once, overriding upkeep.checks.parallelism')
    .option(
      '--untrusted',
      'run nothing from the repo (no tools, no repo SQL, no URLs from its settings)',
    )
    .option(
      '--save [file]',
      `keep results in ${SAVED_RESULTS_FILE} (or the given file) for trends and the drill record`,
    )
    .option('--verbose', 'log each check and the tools\u2019 output to stderr')
    .option('--list', 'print the checks with their tiers and titles (text or json), run none')
    .action(async (options: CheckOptions) => {
      try {
        setExitCode(await runCheckCommand(options));
      } catch (error) {
        writeCommandError('check', error);
        // Thrown before any report was printed. A CI job that uploads the JUnit or reads the
        // JSON gets a document that says why, not an empty file it cannot parse.
        if (options.format !== 'text' && !options.list) {
          process.stdout.write(stoppedReport(options, error));
        }
        setExitCode(EXIT_USAGE);
      }
    });
}

/** The JSON or JUnit document of a run that bad usage or configuration stopped (exit 2). */
function stoppedReport(options: CheckOptions, error: unknown): string {
  const problems: RunProblem[] = [{ kind: 'stopped', message: printable(describeError(error)) }];
  const workspace = path.resolve(options.workspace ?? process.cwd());
  if (options.format === 'junit') {
    return toJunit([], {
      name: `upkeep ${path.basename(workspace)}`,
      problems,
      startedAt: systemClock.now().toISOString(),
      durationMs: 0,
    });
  }
  return toJsonReport({
    workspace,
    selection: {
      ...(options.tier ? { tier: options.tier.join(',') } : {}),
      ...(options.task ? { task: options.task.join(',') } : {}),
      ...(options.check ? { check: options.check.join(',') } : {}),
    },
    startedAt: systemClock.now().toISOString(),
    durationMs: 0,
    trusted: !options.untrusted,
    exitCode: EXIT_USAGE,
    problems,
    results: [],
  });
}

/**
 * The JSON or JUnit document of an `upkeep check` whose flags commander refused before the
 * command ran (an unknown flag, a value outside the choices, a missing value), so that a CI job
 * that uploads the report gets one that says why. The flags are read from the arguments as typed:
 * commander takes none after the first it does not know. Undefined for another command, the
 * text format or `--list`.
 */
export function usageErrorReport(args: readonly string[], message: string): string | undefined {
  if (args[0] !== 'check' || args.includes('--list')) return undefined;
  const format = flagValues(args, '--format').at(-1);
  if (format !== 'json' && format !== 'junit') return undefined;
  const listed = (flag: string): string[] | undefined => {
    const values = flagValues(args, flag);
    return values.length ? values : undefined;
  };
  const options: CheckOptions = {
    format,
    failOn: 'fail',
    workspace: flagValues(args, '--workspace', '-w').at(-1),
    tier: listed('--tier'),
    task: listed('--task'),
    check: listed('--check'),
    untrusted: args.includes('--untrusted'),
  };
  return stoppedReport(options, new Error(refusedFlagMessage('check', message)));
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UpkeepError('config', `${flag} must be a positive number, not "${text}"`);
  }
  return value;
}

/**
 * Ctrl-C, SIGTERM or SIGHUP cancels the run: running tools are killed with their children, the
 * rest is skipped. Listened for from the command's start to its end: one before the checks
 * cancels them all, one after them lets the report out. Without a listener the process died at
 * once, leaving a CI job's report file empty.
 */
async function runCheckCommand(options: CheckOptions): Promise<number> {
  const cancel = cancelOnSignals();
  try {
    return await runCheck(options, cancel);
  } finally {
    cancel.stop();
  }
}

async function runCheck(options: CheckOptions, cancel: SignalCancel): Promise<number> {
  const workspace = await resolveWorkspace(options.workspace, process.cwd());
  await requireWorkspaceFolder(workspace, 'check');
  const timeoutSeconds = positiveNumber(options.timeout, '--timeout');
  const parallelism = positiveNumber(options.parallelism, '--parallelism');
  if (parallelism !== undefined && !Number.isInteger(parallelism)) {
    throw new UpkeepError(
      'config',
      `--parallelism must be a whole number of checks, 1 or more, not "${options.parallelism}"`,
    );
  }
  const trusted = !options.untrusted;

  const log = cliLogger(options.verbose === true);
  if (!(await looksLikeRailsApp(workspace))) {
    // Run from the wrong folder, nearly every check skips and the run exits 0.
    const [app, ...more] = await nestedRailsApps(workspace);
    log.warn(
      app
        ? `${workspace} has no Gemfile and no config/database.yml; ${app} has a ` +
            `config/database.yml: run upkeep check --workspace ${path.join(workspace, app)}` +
            (more.length ? ` (or ${more.join(', ')})` : '')
        : `${workspace} has no Gemfile and no config/database.yml: is it the Rails app's ` +
            'folder? Run upkeep check there, or pass it with --workspace.',
    );
  }
  // The workspace's thresholds go in first: the playbook's titles quote them and its warnings
  // weigh its own against them (--list needs neither, and works with broken settings).
  const cliSettings = options.list
    ? undefined
    : await loadCliSettings(workspace, { trusted, env: options.env, processEnv: process.env });
  const { playbook, problems } = await loadPlaybook({
    workspace,
    thresholds: cliSettings?.thresholds,
    trusted,
  });
  const playbookErrors = logPlaybookProblems(problems, log);
  // The reports carry them too: a CI test report that reads green hides why the job exits 2.
  const runProblems: RunProblem[] = problems
    .filter((problem) => problem.severity === 'error')
    .map((problem) => ({ kind: 'playbook', message: playbookProblemLine(problem) }));
  if (!cliSettings) return listCheckIds(playbook, options.format, runProblems);

  const settings = settingsForPlaybook(cliSettings, playbook);

  const { checks, tiers } = selectChecks(playbook, options);

  if (checks.length === 0) {
    // An empty table that exits 0 reads like a clean run in cron or CI.
    log.warn(
      'No check to run: the selected tasks have only manual checklist items ' +
        '(tick them in the editor).',
    );
  }

  const resultsFile = await savedResultsFile(workspace, options.save);
  // Without --save the kept results are still read (a drill recorded by `upkeep drill --save`),
  // but the file is never renamed, rewritten or created. An untrusted repo's file is no
  // evidence: a committed record could pass the drill check, so such a run reads none.
  const results: ResultLog = resultsFile
    ? await FileResultLog.open(resultsFile, (message) => log.warn(message))
    : trusted
      ? await FileResultLog.read(path.join(workspace, SAVED_RESULTS_FILE), (message) =>
          log.warn(message),
        )
      : new MemoryResultLog();

  const started = systemClock.now();
  const startedMs = performance.now();
  const runResults = await runChecks(
    checks,
    {
      workspace,
      settings,
      clock: systemClock,
      log,
      trusted,
      databasePassword: process.env.PGPASSWORD || undefined,
      surface: 'cli',
      results,
      secrets: await connectionPassword({ workspace, settings, trusted, env: process.env }),
    },
    {
      parallelism,
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      signal: cancel.signal,
      onFinished: closeSharedResources,
    },
  );
  // A signal from here on cancels nothing: every check has its verdict, and the report goes out.
  const cancelledBy = cancel.received;
  // A cancelled run is no clean run: exit 0 would tell cron and CI that every check passed.
  // The checks that finished keep their results; a cancelled one is no verdict, and the results
  // file does not keep it (see isKept).
  let exitCode = cancelledBy ? EXIT_USAGE : exitCodeFor(runResults, options.failOn);
  // What a playbook error names (a task, a check) was left out of the run: a clean exit would
  // tell cron that it ran and passed.
  if (exitCode === 0 && playbookErrors) exitCode = EXIT_USAGE;
  let notSaved: string | undefined;
  if (resultsFile) {
    try {
      await results.record(runResults);
    } catch (error) {
      // A read-only checkout, or another run holding the lock past the wait: the report is
      // still printed, then why nothing was kept and what to do.
      const [why, next] = UpkeepError.is(error)
        ? [error.message, error.hint ?? '']
        : [
            fileErrorWithCode(error),
            'Make its folder writable, or give --save a file in one that is.',
          ];
      notSaved =
        `the results were not saved in ${printable(resultsFile)} ` +
        `(${printable(why.replace(/\.$/, ''))}).${next ? ` ${printable(next)}` : ''}`;
      runProblems.push({ kind: 'save', message: notSaved });
      exitCode = EXIT_USAGE;
    }
  }
  const durationMs = Math.round(performance.now() - startedMs);
  if (options.format === 'json') {
    process.stdout.write(
      toJsonReport({
        workspace,
        selection: {
          ...(options.tier || !(options.check || options.task) ? { tier: tiers.join(',') } : {}),
          ...(options.task ? { task: options.task.join(',') } : {}),
          ...(options.check ? { check: options.check.join(',') } : {}),
        },
        startedAt: started.toISOString(),
        durationMs,
        trusted,
        exitCode,
        problems: runProblems,
        results: runResults,
      }),
    );
  } else if (options.format === 'junit') {
    process.stdout.write(
      toJunit(runResults, {
        failOn: options.failOn,
        name: `upkeep ${path.basename(workspace)}`,
        cancelled: cancelledBy
          ? `cancelled (${cancelledBy}): the checks that did not finish show as skipped`
          : undefined,
        problems: runProblems,
        startedAt: started.toISOString(),
        durationMs,
      }),
    );
  } else {
    // Clipped to a terminal's width; whole in a file or a cron mail, where nothing wraps.
    const width = process.stdout.isTTY ? process.stdout.columns || 120 : Infinity;
    process.stdout.write(formatTable(runResults, { width }));
  }
  if (notSaved) process.stderr.write(`upkeep check: ${notSaved}\n`);
  if (playbookErrors && !cancelledBy) {
    process.stderr.write(
      `upkeep check: .upkeep/playbook.yaml has ${plural(playbookErrors, 'error')} (above): ` +
        `what ${playbookErrors === 1 ? 'it names' : 'they name'} was left out of the run` +
        `${exitCode === EXIT_USAGE ? ', exit code 2' : ''}.\n`,
    );
  }
  const gaps = setupGaps(runResults, options.failOn);
  if (gaps.length > 0 && !cancelledBy) {
    // Exit 2 rather than 1: cron's mail says why, or it reads as a broken command. Said beside
    // a playbook error or results not saved too: each is a cause of its own to fix.
    process.stderr.write(
      `upkeep check: exit code 2: ${gaps.join(', ')} could not run for a gap in the setup; ` +
        `${gaps.length === 1 ? 'its details say' : 'their details say'} what to set.\n`,
    );
  }
  if (cancelledBy) {
    process.stderr.write(
      `upkeep check: cancelled (${cancelledBy}): the checks that did not finish show as ` +
        `skipped, ${resultsFile ? 'and were not saved; ' : ''}exit code 2.\n`,
    );
  }
  return exitCode;
}

/** `Did you mean "daily.health"? ` for a typo of a known name, else ''. */
function suggestion(typed: string, known: string[]): string {
  const near = didYouMean(typed, known).trim();
  return near ? `${near} ` : '';
}

/** The checks that made the run exit 2: each failed for the setup (none for the app). */
function setupGaps(results: CheckResult[], failOn: FailOn): string[] {
  if (exitCodeFor(results, failOn) !== EXIT_USAGE) return [];
  return failingResults(results, failOn).map((result) => result.checkId);
}

/**
 * The checks `--check`, `--task` and `--tier` select, each once, in that order (the daily tier
 * when none of them is given), with health.database first when a database check is among them;
 * and the tiers named. An unknown id is a `config` error naming the known ones.
 */
function selectChecks(
  playbook: Playbook,
  options: CheckOptions,
): { checks: CheckDefinition[]; tiers: string[] } {
  const registry = createRegistry(playbook);
  const selected = new Map<string, CheckDefinition>();
  const add = (definitions: CheckDefinition[]): void => {
    for (const definition of definitions) selected.set(definition.id, definition);
  };
  const ids = registry.all().map((definition) => definition.id);
  const tasks = playbook.tasks.map((task) => task.id);
  for (const id of options.check ?? []) {
    const definition = registry.get(id);
    if (!definition) {
      throw new UpkeepError(
        'config',
        `unknown check "${id}"`,
        `${suggestion(id, ids)}Known checks: ${ids.join(', ')} ` +
          '(upkeep check --list gives their titles and tiers)',
      );
    }
    add([definition]);
  }
  for (const id of options.task ?? []) {
    const definitions = checksForTask(playbook, id, registry);
    if (!definitions) {
      throw new UpkeepError(
        'config',
        `unknown task "${id}"`,
        `${suggestion(id, tasks)}Known tasks: ${tasks.join(', ')}`,
      );
    }
    add(definitions);
  }
  const tiers = options.tier ?? (options.check || options.task ? [] : ['daily']);
  for (const tier of tierIds(tiers)) add(checksForTier(playbook, tier, registry));

  // A database check that cannot reach the database skips and points at health.database: a run
  // without it (--task weekly.database in cron) would exit 0 with the database down.
  return { checks: withDatabaseHealth([...selected.values()], registry), tiers };
}

/**
 * `--list`: the checks this workspace's playbook knows, and none run. Exit 2 when the playbook
 * has an error (what it names is left out): a CI step that lints the playbook with it fails.
 */
function listCheckIds(
  playbook: Playbook,
  format: CheckOptions['format'],
  problems: RunProblem[],
): number {
  if (format === 'junit') {
    throw new UpkeepError('config', '--list prints text or json, not junit');
  }
  const checks = listChecks(playbook, createRegistry(playbook));
  process.stdout.write(
    format === 'json' ? checkListJson(checks, problems) : formatCheckList(checks),
  );
  if (problems.length === 0) return 0;
  process.stderr.write(
    `upkeep check: .upkeep/playbook.yaml has ${plural(problems.length, 'error')} (above): ` +
      `what ${problems.length === 1 ? 'it names' : 'they name'} is not in the list, ` +
      'exit code 2.\n',
  );
  return EXIT_USAGE;
}
