/**
 * `upkeep`, the headless entry: the same checks, log summaries, database cards, recovery
 * drill and task status as the editor, for cron and CI. Exit codes: 0 all good, 1 a check failed
 * (or warned with `--fail-on warn`) or a task is overdue, 2 bad usage or configuration.
 */
import { Command, CommanderError } from 'commander';
import { registerCheckCommand, usageErrorReport } from './cli/checkCommand';
import { logsUsageReport, registerLogsCommand } from './cli/logsCommand';
import { dbUsageReport, registerDbCommand } from './cli/dbCommand';
import { drillUsageReport, registerDrillCommand } from './cli/drillCommand';
import { registerStatusCommand } from './cli/statusCommand';
import { defaultOwnQueryIdsFile } from './core/checks/dbChecks';
import { keepOwnQueryIdsIn } from './core/db/ownQueryIds';
import { fileErrorWithCode } from './core/util/errors';
import { printable, printableLines } from './core/util/printable';

export const EXIT_USAGE = 2;

/** Where each command's --help sends the reader for more: only pages that have it. */
const MORE: Record<string, string> = {
  check: 'docs/cli.md has more, with a cron line and a CI job; docs/check-json.md the JSON.',
  logs: 'docs/cli.md has more; docs/logs-json.md describes the JSON.',
  db: 'docs/cli.md says which database it reads; docs/db-json.md describes the JSON.',
  drill: 'docs/cli.md has more, with a cron line.',
  status: 'docs/cli.md has more, with a cron line; docs/status-json.md describes the JSON.',
};

/** The end of each command's --help: what its exit code tells a cron line or a CI job. */
const EXIT_CODES: Record<string, [number, string][]> = {
  check: [
    [0, 'nothing failed (warnings and skipped checks pass)'],
    [1, 'a check failed or errored (or warned, with --fail-on warn)'],
    [
      2,
      'bad usage or configuration (a refused database login, a playbook error), or cancelled ' +
        '(Ctrl-C, SIGTERM, SIGHUP)',
    ],
  ],
  logs: [
    [0, 'a log was read'],
    [2, 'no log could be read, a bad --window or --time-zone, bad usage, or cancelled'],
  ],
  db: [
    [0, 'every card ran'],
    [1, 'the database could not be reached, or a card is in error'],
    [2, 'no or bad configuration (a refused login too), or cancelled'],
  ],
  drill: [
    [0, 'the drill passed'],
    [1, 'it failed'],
    [2, 'it did not run (no or a wrong --confirm, no target or dump, cancelled)'],
  ],
  status: [
    [0, 'nothing overdue (nor due soon, with --fail-on due), or --fail-on never'],
    [
      1,
      'a task is overdue (or due soon, with --fail-on due), or a bug report is past its ' +
        'response time',
    ],
    [
      2,
      'bad usage or configuration; a playbook error or a state it cannot read (kept in the ' +
        "editor's storage, a broken .upkeep/state.json) unless --fail-on never",
    ],
  ],
};

/**
 * Per command, the report it still prints when commander refused its flags (an unknown flag, a
 * value outside the choices): the JSON or JUnit asked for, saying why, or undefined for text.
 */
const USAGE_REPORTS = new Map<
  string,
  (args: readonly string[], message: string) => string | undefined
>([
  ['check', usageErrorReport],
  ['db', dbUsageReport],
  ['logs', logsUsageReport],
  ['drill', drillUsageReport],
]);

/** A shell left in a folder deleted since (an old release after a deploy): no path resolves. */
function currentFolderGone(): boolean {
  try {
    process.cwd();
    return false;
  } catch {
    return true;
  }
}

/**
 * What commander writes to stderr, made printable: an `error: ...` quotes a flag or a value as
 * typed and stays one line; help text keeps its lines.
 */
function commanderOutput(text: string): string {
  if (!text.startsWith('error: ')) return printableLines(text);
  return `${printable(text.replace(/\n$/, ''))}\n`;
}

/**
 * The NAME of `upkeep help NAME` when no command has it: commander printed the general help with
 * no word about NAME. Parsed as `upkeep NAME`, it gets the same message as a mistyped command.
 */
function unknownHelpTopic(program: Command, args: string[]): string | undefined {
  const [first, topic] = args;
  if (first !== 'help' || topic === undefined || topic.startsWith('-')) return undefined;
  const known = program.commands.some(
    (command) => command.name() === topic || command.aliases().includes(topic),
  );
  return known ? undefined : topic;
}

async function main(argv: string[]): Promise<number> {
  if (currentFolderGone()) {
    process.stderr.write(
      'upkeep: the current folder no longer exists (it was deleted or replaced after this ' +
        "shell entered it). cd into the Rails app's folder and run upkeep again.\n",
    );
    return EXIT_USAGE;
  }
  // Shared with the editor: Slowest queries leaves out what either ran.
  keepOwnQueryIdsIn(defaultOwnQueryIdsFile());
  const program = new Command('upkeep')
    .description('Maintenance checks for a Rails + PostgreSQL app')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(commanderOutput(text)) });

  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  registerCheckCommand(program, setExitCode);
  registerLogsCommand(program, setExitCode);
  registerDbCommand(program, setExitCode);
  registerDrillCommand(program, setExitCode);
  registerStatusCommand(program, setExitCode);
  // commander's own messages (an unknown flag, a value outside the choices) name no way out.
  program.showHelpAfterError('(upkeep --help lists the commands)');
  for (const command of program.commands) {
    command.showHelpAfterError(`(upkeep ${command.name()} --help lists its flags and values)`);
    const codes = EXIT_CODES[command.name()];
    if (codes) {
      const lines = codes.map(([code, meaning]) => `  ${code}  ${meaning}`);
      command.addHelpText(
        'after',
        `\nExit codes:\n${lines.join('\n')}\n\n${MORE[command.name()] ?? 'See docs/cli.md.'}`,
      );
    }
  }

  try {
    const topic = unknownHelpTopic(program, argv.slice(2));
    await program.parseAsync(topic === undefined ? argv : [...argv.slice(0, 2), topic]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const args = argv.slice(2);
      const report = USAGE_REPORTS.get(args[0])?.(args, error.message);
      if (report !== undefined) process.stdout.write(report);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`upkeep: ${printable(message)}\n`);
    return EXIT_USAGE;
  }
  return exitCode;
}

/**
 * Set when stdout or stderr could not be written, then the command exits 2. A cron line's
 * `> file` on a full disk crashed it with a stack trace and exit 1, which reads as a failed
 * check. A reader that went away (`| head -1`) wants nothing more: that is no error.
 */
let outputLost = false;
let stdoutFailed = false;

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (stdoutFailed) return;
  stdoutFailed = true;
  if (error.code === 'EPIPE') return;
  outputLost = true;
  process.exitCode = EXIT_USAGE;
  process.stderr.write(
    `upkeep: the report could not be written to standard output ` +
      `(${printable(fileErrorWithCode(error))}): free space where it goes, or send it elsewhere.\n`,
  );
});
// With stderr lost too (`> file 2>&1` on that disk) only the exit code can tell.
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return;
  outputLost = true;
  process.exitCode = EXIT_USAGE;
});

/**
 * Past the report, whatever still holds the process open is work a timed-out or cancelled check
 * left behind (a query nobody waits for, a stuck file system call). cron and CI wait for the
 * exit, not the report, so the command ends this long after it.
 */
const EXIT_GRACE_MS = 5000;

/**
 * Resolves once what was written to `stream` is out of the process. A reader that has not read
 * yet (a pager, a slow upload) holds a report larger than its pipe: that is no work left behind,
 * and the grace must not cut the report at 64 KB.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  // Called once everything written before it is out, or with the error that stopped it.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function exitSoon(code: number): void {
  process.exitCode = outputLost ? EXIT_USAGE : code;
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(startGrace);
}

function startGrace(): void {
  setTimeout(() => {
    process.stderr.write(
      `upkeep: still running ${EXIT_GRACE_MS / 1000} s after the report (work a timed-out ` +
        'or cancelled check or query left behind); exiting without it.\n',
    );
    process.exit(process.exitCode);
  }, EXIT_GRACE_MS).unref();
}

main(process.argv).then(exitSoon, (error: unknown) => {
  process.stderr.write(`upkeep: ${printable(String(error))}\n`);
  exitSoon(EXIT_USAGE);
});
