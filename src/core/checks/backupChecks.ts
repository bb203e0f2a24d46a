/**
 * Backup checks: the newest file matching the configured pattern, its age, and whether
 * `pg_restore --list` can read it; and the recovery drill's last recorded time (the drill itself
 * lives in recoveryDrill.ts and only runs from its own confirmed command).
 */
import { createReadStream, promises as fs } from 'node:fs';
import * as readline from 'node:readline';
import * as path from 'node:path';
import fg from 'fast-glob';
import { plural } from '../util/plural';
import { UpkeepError } from '../util/errors';
import { findExecutable, runTool } from './toolProcess';
import type { CheckContext, CheckDefinition, CheckReport, CheckResult } from './types';

export const PG_RESTORE_HINT =
  'Install the PostgreSQL client tools (Debian/Ubuntu: apt ' +
  'install postgresql-client; macOS: brew install libpq).';

export interface BackupFile {
  /** Absolute path. */
  file: string;
  modifiedAt: Date;
  bytes: number;
}

/** The most recently modified file matching the glob (relative to the workspace, or absolute). */
export async function findNewestBackup(
  workspace: string,
  pattern: string,
): Promise<BackupFile | undefined> {
  const matches = await fg(pattern, { cwd: workspace, absolute: true, onlyFiles: true, dot: true });
  let newest: BackupFile | undefined;
  for (const file of matches) {
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat) continue;
    if (!newest || stat.mtimeMs > newest.modifiedAt.getTime()) {
      newest = { file, modifiedAt: stat.mtime, bytes: stat.size };
    }
  }
  return newest;
}

export interface DumpContents {
  /** `schema.name` of every table the dump defines. */
  tables: string[];
  /** Tables whose data the dump carries. */
  tablesWithData: string[];
}

/**
 * Reads the table of contents `pg_restore --list` prints, e.g.
 * `215; 1259 16386 TABLE public users postgres` and
 * `3380; 0 16386 TABLE DATA public users postgres`.
 * Lines starting with `;` are comments.
 */
export function parseRestoreList(text: string): DumpContents {
  const tables: string[] = [];
  const tablesWithData: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.startsWith(';')) continue;
    const entry = /^\d+;\s+\d+\s+\d+\s+(TABLE DATA|TABLE)\s+(.+)\s+\S+$/.exec(line.trimEnd());
    if (!entry) continue;
    // The list prints names unquoted: `public users`, or `my schema t` when names have spaces.
    const words = entry[2].split(' ');
    const name = words.length === 2 ? `${words[0]}.${words[1]}` : entry[2];
    if (entry[1] === 'TABLE') tables.push(name);
    else tablesWithData.push(name);
  }
  return { tables, tablesWithData };
}

const PLAIN_DUMP = /^--\s*\n--\s*PostgreSQL database dump/;

/** True when the file starts like `pg_dump`'s plain SQL output (which pg_restore cannot read). */
export async function isPlainSqlDump(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return PLAIN_DUMP.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** `CREATE TABLE` statements of a plain SQL dump, streamed: such dumps run to gigabytes. */
export async function countCreateTables(file: string, signal: AbortSignal): Promise<number> {
  const lines = readline.createInterface({
    input: createReadStream(file, { encoding: 'utf8', signal }),
    crlfDelay: Infinity,
  });
  let count = 0;
  for await (const line of lines) if (line.startsWith('CREATE TABLE ')) count++;
  return count;
}

/** Runs `pg_restore --list` on the dump; throws `tool-missing` or `parse` with the tool's words. */
export async function listDump(
  file: string,
  signal: AbortSignal,
  env?: Record<string, string | undefined>,
): Promise<DumpContents> {
  const pgRestore = await findExecutable('pg_restore', env ?? process.env);
  if (!pgRestore) {
    throw new UpkeepError('tool-missing', 'pg_restore is not installed.', PG_RESTORE_HINT);
  }
  const output = await runTool({
    command: pgRestore,
    args: ['--list', file],
    cwd: path.dirname(file),
    signal,
    env,
  });
  if (output.exitCode !== 0) {
    const reason = output.stderr.trim().split('\n')[0] || `exit code ${output.exitCode}`;
    throw new UpkeepError('parse', `pg_restore cannot read ${path.basename(file)}: ${reason}`);
  }
  return parseRestoreList(output.stdout);
}

export const backupsLatestCheck: CheckDefinition = {
  id: 'backups.latest',
  title: 'Latest database backup',
  description:
    'The newest file matching upkeep.backups.pattern: its age against ' +
    'upkeep.backups.maxAgeHours, and `pg_restore --list` reads it.',
  async run(context: CheckContext): Promise<CheckReport> {
    const pattern = context.settings.backups.pattern;
    if (!pattern) {
      return {
        outcome: 'skipped',
        summary: 'no backup pattern configured (upkeep.backups.pattern)',
      };
    }
    const newest = await findNewestBackup(context.workspace, pattern);
    if (!newest) return { outcome: 'fail', summary: `no backup file matches ${pattern}` };

    const name = path.relative(context.workspace, newest.file) || newest.file;
    const ageHours =
      Math.round(((context.clock.now().getTime() - newest.modifiedAt.getTime()) / 3_600_000) * 10) /
      10;
    const maxAgeHours = context.settings.backups.maxAgeHours;
    const values: CheckReport['values'] = {
      file: name,
      ageHours,
      maxAgeHours,
      bytes: newest.bytes,
    };
    const tooOld = ageHours > maxAgeHours;
    const age = `${name} is ${ageHours} h old`;

    if (await isPlainSqlDump(newest.file)) {
      const tables = await countCreateTables(newest.file, context.signal);
      values.tables = tables;
      return {
        outcome: tooOld ? 'fail' : 'warn',
        summary:
          `${age}; plain SQL dump with ${plural(tables, 'table')}, ` +
          'which pg_restore cannot verify (use pg_dump -Fc)',
        values,
      };
    }

    let contents: DumpContents;
    try {
      contents = await listDump(newest.file, context.signal, context.env);
    } catch (error) {
      if (UpkeepError.is(error, 'tool-missing')) {
        return {
          outcome: 'skipped',
          summary: `${age}; pg_restore is not installed`,
          details: PG_RESTORE_HINT,
          values,
        };
      }
      if (UpkeepError.is(error, 'parse')) {
        return { outcome: 'fail', summary: error.message, values };
      }
      throw error;
    }
    values.tables = contents.tables.length;
    if (tooOld) {
      return {
        outcome: 'fail',
        summary: `${age} (limit ${maxAgeHours} h); ${plural(contents.tables.length, 'table')}`,
        values,
      };
    }
    if (!contents.tables.length) {
      return {
        outcome: 'warn',
        summary: `${age}; pg_restore reads it but it holds no table`,
        values,
      };
    }
    return {
      outcome: 'pass',
      summary: `${age}; pg_restore lists ${plural(contents.tables.length, 'table')}`,
      values,
    };
  },
};

/** A drill older than this is due again (the guidelines ask for one a year). */
export const DRILL_DUE_DAYS = 366;
export const RUN_DRILL_HINT = 'run Upkeep: Run Backup Recovery Drill (or upkeep drill)';

/**
 * In a run, the drill is never performed (it needs a confirmation): this check reports the
 * last drill recorded in the result log. Each report carries the drill's values forward so the
 * record survives the bounded history.
 */
export const recoveryDrillCheck: CheckDefinition = {
  id: 'backups.recoveryDrill',
  title: 'Backup recovery drill',
  description:
    'Reports the last recovery drill (restore into a scratch database, compare counts, ' +
    'recovery time). The drill itself runs only from its own command, after a confirmation.',
  async run(context: CheckContext): Promise<CheckReport> {
    const last = lastDrill(context.results?.history('backups.recoveryDrill') ?? []);
    if (!last) return { outcome: 'skipped', summary: RUN_DRILL_HINT };

    const drilledAt = String(last.values?.drilledAt ?? last.startedAt);
    const days = Math.floor((context.clock.now().getTime() - Date.parse(drilledAt)) / 86_400_000);
    // A hand-edited or foreign record: no date to count from, or one in the future.
    if (!Number.isFinite(days) || days < -1) {
      return {
        outcome: 'warn',
        summary:
          `the recorded drill has no usable date ("${drilledAt.slice(0, 40)}"); ` + RUN_DRILL_HINT,
        values: { ...last.values },
      };
    }
    const seconds = Math.round(Number(last.values?.recoveryMs ?? 0) / 100) / 10;
    const values = { ...last.values, daysSinceDrill: days };
    if (last.values?.drillOk !== true) {
      return {
        outcome: 'fail',
        summary: `the last drill (${plural(days, 'day')} ago) failed: ${last.summary}`,
        values,
      };
    }
    if (days > DRILL_DUE_DAYS) {
      return {
        outcome: 'warn',
        summary: `last drill ${plural(days, 'day')} ago (recovery took ${seconds} s); due again`,
        values,
      };
    }
    return {
      outcome: 'pass',
      summary: `last drill ${plural(days, 'day')} ago: recovery took ${seconds} s`,
      values,
    };
  },
};

function lastDrill(history: CheckResult[]): CheckResult | undefined {
  for (let index = history.length - 1; index >= 0; index--) {
    if (history[index].values?.drill === true) return history[index];
  }
  return undefined;
}
