/**
 * `upkeep db`: every database card with its state, under the same read-only rules as the editor.
 * Exit codes: 0 every card ran (ok, warn or skipped), 1 the database could not be reached or a
 * card failed, 2 no or bad configuration, or cancelled (Ctrl-C, SIGTERM, SIGHUP). The JSON form is
 * documented in docs/db-json.md.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { DbCard } from '../core/db/cards';
import { cardIds, collectCards } from '../core/db/cards';
import type { ResolvedConnection } from '../core/db/connection';
import { describeSource, resolveConnection } from '../core/db/connection';
import { probeServer } from '../core/db/probe';
import { repoMetrics } from '../core/db/repoMetrics';
import type { DbSession } from '../core/db/session';
import { openSession } from '../core/db/session';
import { defaultSnapshotFile, snapshotOptions } from '../core/checks/dbChecks';
import { printable, printableJson, printableLines } from '../core/util/printable';
import { loadPlaybook } from '../core/playbook/loader';
import { UpkeepError } from '../core/util/errors';
import { redact } from '../core/util/logger';
import { cancelOnSignals } from './cancelSignals';
import { cliLogger } from './cliLogger';
import { askedForJson, refusedFlagMessage, workspaceOption } from './options';
import { envOption, loadCliSettings } from './railsEnvironment';
import { requireWorkspaceFolder, resolveWorkspace } from './workspaceFolder';

/** Errors that exit 2: nothing to run against, or the run was cancelled. */
/** A login the server refused (`auth`) is a setting to fix too, as in `upkeep check`. */
const EXIT_2_CODES = ['config', 'auth', 'not-found', 'parse', 'cancelled'];

/** Bumped only when a field is removed or changes meaning (see docs/db-json.md). */
export const DB_JSON_VERSION = 1;

interface DbFlags {
  workspace?: string;
  env?: string;
  database?: string;
  format: 'text' | 'json';
  card?: string[];
  ownQueries?: boolean;
  snapshots: boolean;
  verbose?: boolean;
}

export interface DbJson {
  version: number;
  generatedAt: string;
  connection: {
    display: string;
    source: ResolvedConnection['source'];
    sourceText: string;
    production: boolean;
    database: string;
  } | null;
  cards: DbCard[];
  error: { code: string; message: string; hint?: string } | null;
}

export function registerDbCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('db')
    .description(
      'Print every database card (read-only): size, slow ' +
        'queries, indexes, vacuum, locks, business metrics',
    )
    .addOption(workspaceOption())
    .addOption(envOption())
    .option('-d, --database <name>', 'database of a multi-database config (primary, replica, ...)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('-c, --card <id...>', `only these cards (${cardIds.join(', ')})`)
    .option('--own-queries', "slow queries of Upkeep's own role only (default: all roles)")
    .option('--no-snapshots', 'keep no size snapshot for growth (~/.cache/upkeep)')
    .option('-v, --verbose', 'log each query to stderr')
    .action(async (flags: DbFlags) => {
      setExitCode(await runDb(flags));
    });
}

/**
 * The JSON of an `upkeep db --format json` whose flags commander refused before the command ran
 * (an unknown flag, a value outside the choices): no card, and an `error` of code `usage` that
 * says why, so a script reading the JSON gets a document. Undefined without `--format json`.
 */
export function dbUsageReport(args: readonly string[], message: string): string | undefined {
  if (!askedForJson(args, '-f')) return undefined;
  const output: DbJson = {
    version: DB_JSON_VERSION,
    generatedAt: new Date().toISOString(),
    connection: null,
    cards: [],
    error: { code: 'usage', message: refusedFlagMessage('db', message) },
  };
  return `${printableJson(output)}\n`;
}

async function runDb(flags: DbFlags): Promise<number> {
  const workspace = await resolveWorkspace(flags.workspace, process.cwd());
  const log = cliLogger(flags.verbose === true, 'db');
  const output: DbJson = {
    version: DB_JSON_VERSION,
    generatedAt: new Date().toISOString(),
    connection: null,
    cards: [],
    error: null,
  };
  // Ctrl-C, SIGTERM or SIGHUP: the running query is cancelled on the server
  // and the session closed, so nothing of Upkeep's goes on running there.
  const cancel = cancelOnSignals();

  let session: DbSession | undefined;
  let exitCode = 0;
  try {
    // A mistyped --workspace would otherwise read as "No database configured".
    await requireWorkspaceFolder(workspace, 'db');
    // Whoever runs the CLI chose this folder: it is trusted like an editor workspace they trust.
    const settings = await loadCliSettings(workspace, {
      trusted: true,
      env: flags.env,
      processEnv: process.env,
    });
    if (flags.database) settings.database.name = flags.database;
    const { playbook } = await loadPlaybook({ workspace });
    const metrics = repoMetrics(playbook, true);
    // A mistyped --card would otherwise print no card at all and exit 0.
    const known = [...cardIds, ...metrics.map((metric) => `metric:${metric.id}`)];
    const unknown = (flags.card ?? []).filter((id) => !known.includes(id));
    if (unknown.length) {
      throw new UpkeepError(
        'config',
        `Unknown card ${unknown.map((id) => `"${id}"`).join(', ')}.`,
        `Known cards: ${known.join(', ')}.`,
      );
    }
    const connection = await resolveConnection({
      workspace,
      settings,
      env: process.env,
      trusted: true,
      surface: 'cli',
    });
    // Read as Rails reads it, so no reason to stop; said once, on stderr, for cron's mail.
    for (const warning of connection.warnings ?? []) {
      process.stderr.write(
        `upkeep db: warning: ${warning.file}:${warning.line}: ${printable(warning.message)}\n`,
      );
    }
    output.connection = {
      display: connection.display,
      source: connection.source,
      sourceText: describeSource(connection.source),
      production: connection.production,
      database: connection.databaseName,
    };
    const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = settings.database;
    session = await openSession(connection, {
      statementTimeoutMs,
      lockTimeoutMs,
      connectTimeoutMs,
      log,
      signal: cancel.signal,
    });
    const probe = await probeServer(session, cancel.signal);
    output.cards = await collectCards(session, {
      probe,
      signal: cancel.signal,
      log,
      only: flags.card,
      allRoles: !flags.ownQueries,
      surface: 'cli',
      ...(flags.snapshots ? snapshotOptions(defaultSnapshotFile()) : {}),
      metrics,
    });
    const failed = output.cards.filter((card) => card.state === 'error');
    // Only a setting to change (a cache folder it cannot write): a configuration problem.
    if (failed.length) exitCode = failed.every((card) => card.configProblem) ? 2 : 1;
    if (cancel.signal.aborted) throw cancel.signal.reason;
  } catch (error) {
    // Whatever the interrupted query threw, the run was cancelled.
    const reason: unknown = cancel.signal.aborted ? cancel.signal.reason : error;
    const known = UpkeepError.is(reason) ? reason : undefined;
    output.error = {
      code: known?.code ?? 'internal',
      message: redact(reason instanceof Error ? reason.message : String(reason)),
      hint: known?.hint,
    };
    exitCode = known && EXIT_2_CODES.includes(known.code) ? 2 : 1;
  } finally {
    cancel.stop();
    await session?.close();
  }

  process.stdout.write(
    // Table names and query texts are the app's data: no control sequence reaches the terminal.
    flags.format === 'json' ? `${printableJson(output)}\n` : printableLines(renderText(output)),
  );
  // Like upkeep check: the data on stdout, what went wrong on stderr (also when the JSON
  // carries it, so a cron job that keeps the JSON still mails the error).
  if (output.error) {
    const hint = output.error.hint ? `\n${printable(output.error.hint)}` : '';
    process.stderr.write(`upkeep db: ${printable(output.error.message)}${hint}\n`);
  }
  return exitCode;
}

const LABEL: Record<DbCard['state'], string> = {
  ok: 'OK  ',
  warn: 'WARN',
  skipped: 'SKIP',
  error: 'ERR ',
};

function renderText(output: DbJson): string {
  const lines: string[] = [];
  if (output.connection) {
    lines.push(
      // The database name is the repo's or the environment's: a line break would fake a line.
      `Database ${printable(output.connection.display)} ` +
        `(${printable(output.connection.sourceText)})` +
        `${output.connection.production ? ' [production]' : ''}`,
    );
  }
  const width = Math.max(0, ...output.cards.map((card) => card.title.length));
  for (const card of output.cards) {
    lines.push(`${LABEL[card.state]}  ${card.title.padEnd(width)}  ${card.summary}`);
    // An ok card's note counts too, as on the dashboard: what a role may not see, and the GRANT.
    if (card.reason) lines.push(`${' '.repeat(width + 8)}why: ${card.reason}`);
    // Every statement of a card (an index per foreign key), each on a line of its own.
    const fixes = card.fixes ?? (card.fix ? [card.fix] : []);
    if (fixes.length) {
      fixes.forEach((fix, k) =>
        lines.push(`${' '.repeat(width + 8)}${k ? '     ' : 'fix: '}${fix}`),
      );
    }
  }
  if (output.cards.length) {
    const count = (state: DbCard['state']): number =>
      output.cards.filter((card) => card.state === state).length;
    lines.push(
      '',
      `${count('ok')} ok, ${count('warn')} warn, ` +
        `${count('skipped')} skipped, ${count('error')} error`,
    );
  }
  // Nothing at all when the command stopped before a connection: the error is on stderr.
  return lines.length ? `${lines.join('\n')}\n` : '';
}
