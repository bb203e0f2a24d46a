/**
 * `upkeep drill`: the backup recovery drill without the editor, for a yearly cron job. It never
 * creates anything until `--confirm` repeats the target's `host:port` (and, on the monitored
 * database's server, `--allow-monitored-server` is given); without them it prints what would
 * happen and exits 2. Exit 0 the drill passed, 1 it failed, 2 usage, configuration or cancel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { shownDumpText } from '../core/checks/backupChecks';
import type { DrillPlan } from '../core/checks/drillPlan';
import {
  dumpAgeText,
  hoursText,
  endpointOf,
  otherDatabaseNote,
  planRecoveryDrill,
  serverOf,
} from '../core/checks/drillPlan';
import type { DrillRecord } from '../core/checks/recoveryDrill';
import { drillResult, leftoverNote, runRecoveryDrill } from '../core/checks/recoveryDrill';
import { formatBytes } from '../core/util/figures';
import { printable, printableJson, printableLines } from '../core/util/printable';
import { shownPath } from '../core/util/paths';
import { FileResultLog } from '../core/checks/resultLog';
import { systemClock } from '../core/util/clock';
import { UpkeepError, describeError } from '../core/util/errors';
import { redact } from '../core/util/logger';
import { isMissingPassword } from '../core/db/session';
import { SAVED_RESULTS_FILE } from '../core/checks/savedResults';
import { cancelOnSignals } from './cancelSignals';
import { cliLogger, writeCommandError } from './cliLogger';
import {
  askedForJson,
  nonEmpty,
  refusedFlagMessage,
  savedResultsFile,
  workspaceOption,
} from './options';
import { envOption, loadCliSettings } from './railsEnvironment';
import { requireWorkspaceFolder, resolveWorkspace } from './workspaceFolder';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

interface DrillFlags {
  workspace?: string;
  env?: string;
  dump?: string;
  target?: string;
  confirm?: string;
  allowMonitoredServer?: boolean;
  untrusted?: boolean;
  save?: string | boolean;
  format: 'text' | 'json';
  verbose?: boolean;
}

export function registerDrillCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('drill')
    .description(
      'Restore a backup into a scratch database on the drill target, compare table and row ' +
        'counts, record the recovery time, drop the scratch database',
    )
    .addOption(workspaceOption())
    .addOption(envOption())
    .option(
      '--dump <file>',
      'the dump to restore (default: the newest match of upkeep.backups.pattern)',
      nonEmpty,
    )
    .option(
      '--target <url>',
      'the server to restore on (default: upkeep.backups.drillTargetUrl)',
      nonEmpty,
    )
    .option('--confirm <host:port>', "the target's host:port, confirming the drill may run there")
    .option('--allow-monitored-server', 'allow a target on the monitored database\u2019s server')
    .option('--untrusted', 'take no target URL from the workspace\u2019s settings')
    .option(
      '--save [file]',
      `record the result in ${SAVED_RESULTS_FILE} (or the given file) for backups.recoveryDrill ` +
        'and backups.recentDrill',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .option('--verbose', 'log the drill\u2019s steps and pg_restore\u2019s output to stderr')
    .action(async (flags: DrillFlags) => {
      // The plan, once made: the JSON of a drill stopped after it names its dump and target.
      const planned: { plan?: DrillPlan } = {};
      try {
        setExitCode(await runDrillCommand(flags, planned));
      } catch (error) {
        // A target URL in the message may hold a password.
        writeCommandError('drill', error, oneLine);
        if (flags.format === 'json') {
          const known = UpkeepError.is(error) ? error : undefined;
          const message = known?.message ?? describeError(error);
          const code = known?.code ?? 'internal';
          process.stdout.write(stoppedJson(code, message, known?.hint, planned.plan));
        }
        setExitCode(EXIT_USAGE);
      }
    });
}

/**
 * The JSON of a drill that did not run or was cancelled (exit 2): `ok` false and `stopped`, why
 * (see docs/cli.md), with the dump and the target once the plan named them. Nothing is recorded.
 */
function stoppedJson(code: string, message: string, hint?: string, plan?: DrillPlan): string {
  const stopped = { code, message, ...(hint ? { hint } : {}) };
  const planned = plan ? { dumpFile: plan.dumpFile, target: plan.targetServer } : {};
  return `${redact(printableJson({ ok: false, stopped, ...planned }))}\n`;
}

/** The stopped JSON of `upkeep drill --format json` whose flags commander refused. */
export function drillUsageReport(args: readonly string[], message: string): string | undefined {
  return askedForJson(args)
    ? stoppedJson('usage', refusedFlagMessage('drill', message))
    : undefined;
}

async function runDrillCommand(flags: DrillFlags, planned: { plan?: DrillPlan }): Promise<number> {
  // Ctrl-C, SIGTERM or SIGHUP cancels from the start, as upkeep check and upkeep db do: the plan
  // may wait on a server's identity, pg_restore is killed with its process group, the scratch
  // database dropped.
  const cancel = cancelOnSignals();
  try {
    return await drill(flags, cancel.signal, () => cancel.received, planned);
  } finally {
    cancel.stop();
  }
}

async function drill(
  flags: DrillFlags,
  signal: AbortSignal,
  signalName: () => NodeJS.Signals | undefined,
  planned: { plan?: DrillPlan },
): Promise<number> {
  const workspace = await resolveWorkspace(flags.workspace, process.cwd());
  await requireWorkspaceFolder(workspace, 'drill');
  const trusted = !flags.untrusted;
  /** Says the drill was cancelled: on stderr, and in the JSON asked for. */
  const cancelled = (done: string, error?: unknown, plan?: DrillPlan): number => {
    const { message, hint } = cancelNote(signalName(), done, error);
    process.stderr.write(`upkeep drill: ${message}${hint ? `\n${hint}` : ''}\n`);
    if (flags.format === 'json') {
      process.stdout.write(stoppedJson('cancelled', message, hint, plan));
    }
    return EXIT_USAGE;
  };
  // The monitored server the guard compares with is the one of this Rails environment.
  const settings = await loadCliSettings(workspace, {
    trusted,
    env: flags.env,
    processEnv: process.env,
  });
  let plan: DrillPlan;
  try {
    plan = await planRecoveryDrill({
      workspace,
      settings,
      env: process.env,
      trusted,
      dumpFile: flags.dump,
      targetUrl: flags.target,
      signal,
      surface: 'cli',
    });
  } catch (error) {
    if (signal.aborted) return cancelled('nothing was done.');
    throw error;
  }
  planned.plan = plan;
  if (signal.aborted) return cancelled('nothing was done.', undefined, plan);

  // Nothing is created on the target until the user typed its exact host:port.
  process.stderr.write(describePlan(plan, workspace));
  const refusal = refusalOf(plan, flags);
  if (refusal) {
    process.stderr.write(`upkeep drill: ${oneLine(refusal)}\nNothing was done.\n`);
    if (flags.format === 'json') {
      process.stdout.write(stoppedJson('refused', `${refusal} Nothing was done.`, undefined, plan));
    }
    return EXIT_USAGE;
  }

  const resultsFile = await savedResultsFile(workspace, flags.save);
  // Opened before the drill so an unreadable results file is reported before anything runs.
  const results = resultsFile
    ? await FileResultLog.open(resultsFile, (message) =>
        process.stderr.write(`warn: ${oneLine(message)}\n`),
      )
    : undefined;

  const started = systemClock.now();
  let record: DrillRecord;
  try {
    record = await runRecoveryDrill({
      dumpFile: plan.dumpFile,
      targetUrl: plan.targetUrl,
      confirmed: true,
      monitoredUrl: plan.monitoredUrl,
      monitoredSystemId: plan.monitoredSystemId,
      allowMonitoredServer: flags.allowMonitoredServer === true,
      signal,
      log: cliLogger(flags.verbose === true, 'drill'),
      clock: systemClock,
      env: process.env,
      workspace,
    });
  } catch (error) {
    // The error of a cancelled drill names a scratch database it could not drop.
    if (signal.aborted) return cancelled('nothing was recorded.', error, plan);
    // A dump pg_restore cannot read is the drill's finding, not a usage error.
    if (UpkeepError.is(error, 'parse')) {
      record = unreadableDumpRecord(plan, started, describeError(error));
    } else if (error instanceof UpkeepError) {
      throw error;
    } else {
      throw targetError(plan, error);
    }
  }

  // A cancelled drill is no verdict on the backup: the annual check keeps the last real one.
  if (signal.aborted) return cancelled('nothing was recorded.', undefined, plan);
  if (results) await results.record([drillResult(record)]);

  process.stdout.write(
    flags.format === 'json'
      ? redact(printableJson(record)) + '\n'
      : // Table names come from the dump, whatever the app's users could put in them.
        printableLines(formatRecord(record, workspace, resultsFile, settings.backups.maxAgeHours)),
  );
  return record.ok ? 0 : EXIT_FAILED;
}

/**
 * That the drill was cancelled by `signal` and what is left undone, and as a hint what `error`
 * adds (a scratch database it could not drop).
 */
function cancelNote(
  signal: NodeJS.Signals | undefined,
  done: string,
  error?: unknown,
): { message: string; hint?: string } {
  const by = signal ? ` (${signal})` : '';
  const hint = UpkeepError.is(error, 'cancelled') && error.hint ? oneLine(error.hint) : undefined;
  return { message: `cancelled${by}; ${done}`, hint };
}

/** Why the drill may not run yet, or undefined when the user confirmed exactly this target. */
function refusalOf(plan: DrillPlan, flags: DrillFlags): string | undefined {
  const rerun = `Re-run with --confirm ${plan.targetServer}`;
  if (flags.confirm === undefined) {
    return (
      `the drill creates and drops a scratch database on ${plan.targetServer}. ` +
      `${rerun}${plan.onMonitoredServer ? ' --allow-monitored-server' : ''} to run it.`
    );
  }
  if (flags.confirm !== plan.targetServer) {
    return `--confirm ${flags.confirm} does not match the target ${plan.targetServer}. ${rerun}.`;
  }
  if (plan.onMonitoredServer && flags.allowMonitoredServer !== true) {
    return (
      `${plan.targetServer} is the monitored database's server. Point --target ` +
      'or upkeep.backups.drillTargetUrl at another server, or add --allow-monitored-server.'
    );
  }
  return undefined;
}

/** What the drill will do, without credentials: shown before every run and every refusal. */
function describePlan(plan: DrillPlan, workspace: string): string {
  const notes = [
    plan.dumpSource === 'pattern' ? 'newest match of upkeep.backups.pattern' : '',
    dumpFacts(plan),
    plan.dumpDatabase !== undefined
      ? `database ${shownDumpText(plan.dumpDatabase)}` +
        (plan.dumpHeader?.pgDumpVersion
          ? `, pg_dump ${shownDumpText(plan.dumpHeader.pgDumpVersion)}`
          : '')
      : '',
  ].filter(Boolean);
  const lines = [
    'Backup recovery drill',
    `  Dump:    ${shownPath(workspace, plan.dumpFile)}` +
      (notes.length ? ` (${notes.join('; ')})` : ''),
    `  Target:  ${plan.targetDescription}` +
      (plan.targetSource === 'setting' ? ' (upkeep.backups.drillTargetUrl)' : ''),
    '  Scratch: a new database upkeep_drill_<YYYYMMDDHHMMSS>_<pid>, restored into, counted, ' +
      'then dropped',
    '  Monitored database server: ' +
      (plan.monitoredUrl ? monitoredServer(plan.monitoredUrl) : 'none configured'),
  ];
  const other = otherDatabaseNote(plan);
  if (other) lines.push(`  Note: ${other}`);
  if (plan.onMonitoredServer) {
    lines.push('  WARNING: the target is the monitored database server.');
  } else if (plan.identityUnknown) {
    lines.push(`  Compared by host and port only: ${plan.identityUnknown}.`);
  }
  // A dump's file name or a URL may hold a line break or an escape sequence.
  return lines.map(oneLine).join('\n') + '\n';
}

/**
 * The dump's size, time and age (`48.2 MB, written 2026-12-04 03:00:12 UTC, 5 h ago`): an empty
 * file or last month's backup shows before the drill runs. Its age alone when it cannot be read.
 */
function dumpFacts(plan: DrillPlan): string {
  try {
    return `${formatBytes(fs.statSync(plan.dumpFile).size)}, ${dumpAgeText(plan)}`;
  } catch {
    return dumpAgeText(plan);
  }
}

/** `host:port` of the monitored server; its URL may come from a setting with a password. */
function monitoredServer(url: string): string {
  // One the connection refused (a mistyped scheme) reads to the driver as a socket path or a
  // database holding the whole text, its password too.
  if (!/^postgres(ql)?:\/\//i.test(url)) return 'unknown (its URL is not a postgres:// URL)';
  try {
    return serverOf(url);
  } catch {
    return redact(url);
  }
}

/** What to do when a target that is up has no connection free (too_many_connections). */
const TARGET_FULL =
  'Every connection this role may open on the target is in use (max_connections): close idle ' +
  'sessions there, or run the drill when it is quieter.';

/** cannot_connect_now: the server answered, but accepts no session while it starts or stops. */
const TARGET_NOT_READY =
  'The drill target is starting up or shutting down (or recovering), and accepts no ' +
  'connection now: run the drill again once it accepts connections.';

/** The target refused the connection or the login: nothing was created there. */
function targetError(plan: DrillPlan, error: unknown): UpkeepError {
  // SQLSTATE class 28 is "invalid authorization specification" (wrong password, no such role).
  const code = (error as { code?: unknown }).code;
  const auth =
    (typeof code === 'string' && code.startsWith('28')) ||
    isMissingPassword((error as { cause?: unknown }).cause);
  // invalid_catalog_name: the server answered, and the URL's database is not there.
  const noDatabase = code === '3D000';
  return new UpkeepError(
    auth ? 'auth' : noDatabase ? 'config' : 'unreachable',
    `the drill did not run on ${plan.targetServer}: ${describeError(error)}`,
    auth
      ? authHint(plan, isMissingPassword((error as { cause?: unknown }).cause))
      : noDatabase
        ? `Name a database that exists on ${plan.targetServer} in the target URL (postgres is ` +
          'on every server): the scratch database is created next to it.'
        : code === '53300'
          ? TARGET_FULL
          : code === '57P03'
            ? TARGET_NOT_READY
            : 'Check that the drill target is up and the URL names the right host and port.',
    { cause: error },
  );
}

/**
 * What to do about a refused login: where the password that was sent came from (the URL's
 * wins over PGPASSWORD, as in the drill), so that a wrong one is corrected there rather than
 * set again beside it.
 */
function authHint(plan: DrillPlan, missing: boolean): string {
  const setIt = 'Set PGPASSWORD, or put the password in the target URL.';
  if (missing) return setIt;
  let inUrl = false;
  try {
    inUrl = endpointOf(plan.targetUrl).password !== undefined;
  } catch {
    // A URL the drill connected with reads; this is only for the wording.
  }
  const where = inUrl
    ? plan.targetSource === 'setting'
      ? 'upkeep.backups.drillTargetUrl'
      : 'the --target URL'
    : process.env.PGPASSWORD
      ? 'PGPASSWORD'
      : undefined;
  return where
    ? `The password in ${where} was refused: correct it there, and check the user name.`
    : setIt;
}

/** A failed drill for a dump pg_restore cannot read: nothing was created on the target. */
function unreadableDumpRecord(plan: DrillPlan, started: Date, error: string): DrillRecord {
  return {
    ok: false,
    dumpFile: plan.dumpFile,
    target: plan.targetServer,
    scratchDatabase: '',
    drilledAt: started.toISOString(),
    recoveryMs: 0,
    totalMs: systemClock.now().getTime() - started.getTime(),
    tables: [],
    mismatches: [],
    error,
  };
}

function formatRecord(
  record: DrillRecord,
  workspace: string,
  resultsFile: string | undefined,
  maxAgeHours: number,
): string {
  const summary = redact(drillResult(record).summary);
  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  const lines = [`Recovery drill ${record.ok ? 'passed' : 'FAILED'}: ${summary}`];
  if (record.recoveryMs > 0) {
    lines.push(
      `  Recovery time: ${seconds(record.recoveryMs)} (whole drill ${seconds(record.totalMs)})`,
    );
  }
  if (record.dumpWrittenAt) {
    // The drill proves the dump restores; backups.latest holds its age to the same limit.
    const hours =
      Math.round((Date.parse(record.drilledAt) - Date.parse(record.dumpWrittenAt)) / 360_000) / 10;
    const within = hours > maxAgeHours ? 'over' : 'within';
    lines.push(
      `  Backup: written ${record.dumpWrittenAt.slice(0, 16).replace('T', ' ')} UTC, ` +
        `${hoursText(hours)} before the drill ` +
        `(${within} upkeep.backups.maxAgeHours, ${maxAgeHours} h)`,
    );
  }
  if (record.scratchDatabase) {
    lines.push(`  Scratch database: ${record.scratchDatabase} on ${record.target}`);
  }
  if (record.tables.length) {
    const width = Math.max(...record.tables.map((t) => t.table.length));
    lines.push(`  Tables compared: ${record.tables.length}`);
    for (const table of record.tables) {
      const restored = table.restoredRows === null ? '?' : String(table.restoredRows);
      const mark = table.restoredRows === table.dumpRows ? '' : '  <- differs';
      lines.push(
        `    ${table.table.padEnd(width)}  dump ${table.dumpRows}, restored ${restored}${mark}`,
      );
    }
    lines.push(
      record.mismatches.length
        ? `  Mismatches:\n${record.mismatches.map((m) => `    ${redact(m)}`).join('\n')}`
        : '  Mismatches: none',
    );
  }
  // drillResult's summary already is the error when nothing was compared.
  if (record.error && redact(record.error) !== summary) {
    lines.push(`  Error: ${redact(record.error)}`);
  }
  for (const name of record.leftoverScratchDatabases ?? []) {
    lines.push(`  Left by an earlier drill: ${leftoverNote(name, record.target)}`);
  }
  if (resultsFile) lines.push(`  Recorded in ${path.relative(workspace, resultsFile)}`);
  return lines.join('\n') + '\n';
}

/** One line for a terminal, with no credentials and no control characters. */
function oneLine(text: string): string {
  return printable(redact(text));
}
