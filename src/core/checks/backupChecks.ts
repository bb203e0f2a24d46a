/**
 * Backup checks: the newest file matching the configured pattern, its age, whether
 * `pg_restore --list` can read it and whether it ends whole; the file backup of uploads in
 * storage/backup; and the recovery drill's last recorded time, held to a year and to the period
 * of the task that runs it (the drill itself lives in recoveryDrill.ts and only runs from its
 * own confirmed command).
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import fg from 'fast-glob';
import type { Surface } from '../db/connection';
import { describeSource } from '../db/connection';
import type { Playbook, Tier } from '../playbook/model';
import { findTier } from '../playbook/model';
import { LONGEST_PERIOD_DAYS } from '../playbook/schedule';
import { formatBytes } from '../util/figures';
import { plural } from '../util/plural';
import { printable, printableLine } from '../util/printable';
import { UpkeepError, fileErrorReason } from '../util/errors';
import { isInside, whereLeads } from '../util/paths';
import { openRegularFile } from '../util/textFile';
import { connectionFor } from './dbChecks';
import { openDump, type OpenedDump } from './dumpInput';
import { findExecutable, runTool, type ToolOutput } from './toolProcess';
import type { CheckContext, CheckDefinition, CheckReport, CheckResult } from './types';

/**
 * No pg_restore on this PATH, which does not mean none is installed: a cron line has a short
 * PATH of its own, and Homebrew does not link libpq's tools into its bin folder.
 */
export function pgRestoreMissing(env: Record<string, string | undefined>): UpkeepError {
  return new UpkeepError(
    'tool-missing',
    'pg_restore is not on PATH.',
    `No pg_restore in the folders of PATH (${env.PATH ?? ''}). Install the PostgreSQL client ` +
      'tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq), or put ' +
      "the folder that holds pg_restore on PATH: Homebrew does not link libpq's, and a cron " +
      'line has a short PATH of its own.',
  );
}

export interface BackupFile {
  /** Absolute path. */
  file: string;
  modifiedAt: Date;
  bytes: number;
}

/**
 * The most recently modified file matching the glob (relative to the workspace, or absolute).
 * With `insideOnly`, files that lie (or link) outside the workspace do not count.
 */
export async function findNewestBackup(
  workspace: string,
  pattern: string,
  options: { insideOnly?: boolean } = {},
): Promise<BackupFile | undefined> {
  // Confined, the glob never starts outside nor follows a link out: `/**` would walk the disk.
  const leaves = path.isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..');
  if (options.insideOnly && leaves) return undefined;
  // A link to a dump (`latest.dump`) counts wherever it is: entries are judged by what they
  // point at, below. Links to folders are followed only by a pattern without `**`: under `**`
  // a link back up (`loop -> .`) is walked again at every depth until the system's limit of
  // 40, which took 15 s over 10,000 dumps and named one `loop/loop/…/x.dump`.
  const recursive = pattern.includes('**');
  const matches = await fg(pattern, {
    cwd: workspace,
    absolute: true,
    onlyFiles: false,
    dot: true,
    followSymbolicLinks: !options.insideOnly && !recursive,
  }).catch((error: unknown) => {
    throw unreadableFolder(workspace, error);
  });
  const root = options.insideOnly ? await fs.realpath(workspace) : undefined;
  let newest: BackupFile | undefined;
  for (const file of matches) {
    if (root) {
      const real = await fs.realpath(file).catch(() => undefined);
      if (!real || !isInside(root, real)) continue;
    }
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    if (!newest || stat.mtimeMs > newest.modifiedAt.getTime()) {
      newest = { file, modifiedAt: stat.mtime, bytes: stat.size };
    }
  }
  return newest;
}

/**
 * A folder of backups the glob could not read (the dumps' owner keeps them from other users),
 * as an error that names it and the user to give access to; fast-glob says only `EACCES: ...,
 * scandir '/srv/…'`. Other errors go on as they are.
 */
function unreadableFolder(workspace: string, error: unknown): unknown {
  const { code, path: where } = error as NodeJS.ErrnoException;
  if ((code !== 'EACCES' && code !== 'EPERM') || !where) return error;
  const folder = printable(path.relative(workspace, where) || where, '\uFFFD');
  const uid = process.getuid?.();
  let user = uid === undefined ? 'this user' : `uid ${uid}`;
  try {
    user = `${os.userInfo().username} (${user})`;
  } catch {
    // A uid the system's user list does not name (a container's): the number says it.
  }
  return new UpkeepError(
    'config',
    `cannot read ${folder} (${fileErrorReason(error)}), so no backup can be judged`,
    `Upkeep runs as ${user}: give it read access to ${folder} and the dumps in it (for ` +
      'example, add it to their group and chmod g+rX), or run it as a user that has.',
    { cause: error },
  );
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

/*
 * Every reader below opens the dump through openRegularFile: the glob's stat said it was a file,
 * but a FIFO put in its place since would block a plain open for ever.
 */

/** True when the file starts like `pg_dump`'s plain SQL output (which pg_restore cannot read). */
export async function isPlainSqlDump(file: string): Promise<boolean> {
  const { handle } = await openRegularFile(file);
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return PLAIN_DUMP.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

const CREATE_TABLE = Buffer.from('CREATE TABLE ');
const LINE_FEED = 0x0a;

/**
 * `CREATE TABLE` statements of a plain SQL dump, streamed: such dumps run to gigabytes. Read as
 * bytes, each line's start compared: one row of COPY data is one line, and a large bytea makes
 * it longer than a string can be (read as lines, it stopped the run, or the editor's check).
 */
export async function countCreateTables(file: string, signal: AbortSignal): Promise<number> {
  const { handle } = await openRegularFile(file);
  let count = 0;
  // How much of CREATE_TABLE the current line starts with so far; -1 once it starts otherwise.
  let matched = 0;
  // The stream closes the handle at its end, or when the signal aborts it.
  for await (const chunk of handle.createReadStream({ signal })) {
    const bytes = chunk as Buffer;
    let at = 0;
    while (at < bytes.length) {
      while (matched >= 0 && matched < CREATE_TABLE.length && at < bytes.length) {
        matched = bytes[at] === CREATE_TABLE[matched] ? matched + 1 : -1;
        if (matched > 0) at++;
      }
      if (matched === CREATE_TABLE.length) {
        count++;
        matched = -1;
      }
      // The chunk ended inside the line's start: the next one goes on comparing.
      if (matched >= 0) break;
      const end = bytes.indexOf(LINE_FEED, at);
      if (end < 0) break;
      at = end + 1;
      matched = 0;
    }
  }
  return count;
}

/** What a custom-format dump says of itself in its first bytes, before its table of contents. */
export interface DumpHeader {
  /** The archive format, `1.14` (pg_dump 12 to 15), `1.15` (16), `1.16` (17). */
  format: string;
  /** The database dumped. */
  database?: string;
  /** The server's version, `15.4` (without a packager's suffix). */
  serverVersion?: string;
  /** The version of the pg_dump that wrote it, `17.2`. */
  pgDumpVersion?: string;
  /** The size of an int in the file, and whether it is a custom-format (-Fc) archive. */
  intSize?: number;
  custom?: boolean;
}

/** Reads up to this much: the header of a dump takes a few dozen bytes. */
const HEADER_BYTES = 4096;

/**
 * Reads the header of a `pg_dump -Fc` file as pg_restore does (ReadHead in pg_dump's
 * pg_backup_archiver.c), so that a dump this pg_restore cannot read can still be named: which
 * database, and which pg_dump wrote it. Undefined for any other file.
 */
export async function readDumpHeader(file: string): Promise<DumpHeader | undefined> {
  const opened = await openRegularFile(file).catch(() => undefined);
  if (!opened) return undefined;
  const { handle } = opened;
  const bytes = Buffer.alloc(HEADER_BYTES);
  let length: number;
  try {
    length = (await handle.read(bytes, 0, bytes.length, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  return parseDumpHeader(bytes.subarray(0, length));
}

export function parseDumpHeader(bytes: Buffer): DumpHeader | undefined {
  if (bytes.length < 11 || bytes.subarray(0, 5).toString('latin1') !== 'PGDMP') return undefined;
  const [major, minor] = [bytes[5], bytes[6]];
  const version = major * 100 + minor;
  const intSize = bytes[8];
  if (major !== 1 || intSize < 1 || intSize > 8) return { format: `${major}.${minor}` };
  let at = 11;
  // An int is a sign byte and intSize bytes, least significant first.
  const int = (): number | undefined => {
    if (at + 1 + intSize > bytes.length) return undefined;
    let value = 0;
    for (let index = intSize - 1; index >= 0; index--) value = value * 256 + bytes[at + 1 + index];
    const negative = bytes[at] !== 0;
    at += 1 + intSize;
    return negative ? -value : value;
  };
  const text = (): string | undefined => {
    const size = int();
    if (size === undefined || size < 0 || size > 1024 || at + size > bytes.length) {
      return undefined;
    }
    at += size;
    return bytes.subarray(at - size, at).toString('utf8');
  };
  // 1.15 keeps the compression as one byte, earlier formats as an int; 1.4 added the time.
  if (version >= 115) at += 1;
  else if (int() === undefined) return { format: `1.${minor}` };
  if (version >= 104) for (let field = 0; field < 7; field++) int();
  const header: DumpHeader = {
    format: `1.${minor}`,
    intSize,
    // pg_backup.h's archCustom; a tar archive (-Ft) starts otherwise and is no PGDMP file here.
    custom: bytes[10] === 1,
    database: text(),
  };
  if (version >= 110) {
    // `15.18 (Debian 15.18-0+deb12u1)`: the number is what tells the versions apart.
    header.serverVersion = text()?.split(' ')[0];
    header.pgDumpVersion = text()?.split(' ')[0];
  }
  return header;
}

/** How much of a dump is read for its database's name: a header, or a plain dump's preamble. */
const NAME_BYTES = 64 * 1024;
/** Compressed bytes read at most for NAME_BYTES of a gzip file (a bomb yields no more). */
const GZIP_INPUT_BYTES = 1024 * 1024;

/**
 * The database a dump was taken of, as the dump itself says: the header of a custom (-Fc) or
 * tar (-Ft) archive, or the `\connect` line of a plain SQL dump taken with --create; the same
 * inside gzip. Reads at most NAME_BYTES (1 MiB of a gzip file) and runs nothing, so it works
 * without pg_restore. Undefined when the dump does not say (a plain dump without --create).
 */
export async function readDumpDatabase(file: string): Promise<string | undefined> {
  const opened = await openRegularFile(file).catch(() => undefined);
  if (!opened) return undefined;
  const { handle } = opened;
  let head: Buffer;
  try {
    const bytes = Buffer.alloc(NAME_BYTES);
    head = bytes.subarray(0, (await handle.read(bytes, 0, bytes.length, 0)).bytesRead);
    // The same handle: opening the path again would not be opening the same file.
    if (head[0] === 0x1f && head[1] === 0x8b) head = await gunzipHead(handle);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
  return databaseNamedIn(head);
}

/** The first NAME_BYTES of a gzip file, uncompressed; what came out when it is cut short. */
async function gunzipHead(handle: FileHandle): Promise<Buffer> {
  // The caller closes the handle.
  const input = handle.createReadStream({ start: 0, end: GZIP_INPUT_BYTES - 1, autoClose: false });
  // A file cut short (or the input bound) ends the output there instead of failing it.
  const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  input.on('error', (error) => gunzip.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of input.pipe(gunzip)) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= NAME_BYTES) break;
    }
  } catch {
    // Not gzip after all, or unreadable: what came out so far is all there is.
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks).subarray(0, NAME_BYTES);
}

/** The database named by the start of a dump (see readDumpDatabase). */
export function databaseNamedIn(head: Buffer): string | undefined {
  // A tar archive's first member is toc.dat, the same header as a custom one, after 512 bytes.
  const tar = head.subarray(0, 8).toString('latin1') === 'toc.dat\0';
  const header = parseDumpHeader(tar ? head.subarray(512) : head);
  // An empty name (a header's zero length, `\connect ""`) is no database's: pg_dump writes none.
  if (header) return header.database || undefined;
  const text = head.toString('utf8');
  return (PLAIN_DUMP.test(text) && connectedDatabase(text)) || undefined;
}

/** Characters of a dump's text a message shows: PostgreSQL's names take 63 bytes. */
const SHOWN_NAME = 80;

/**
 * What a dump says of itself (its database's name, the pg_dump version in its header) as a
 * message shows it: one line, cut short with `…` past SHOWN_NAME, since a dump's `\connect` line
 * (64 KiB of it) or a header's version (1 KiB) would push what the message says of it out of
 * sight.
 */
export function shownDumpText(text: string): string {
  return printableLine(printable(text, '\uFFFD'), SHOWN_NAME);
}

/**
 * The database of the `\connect` that follows `CREATE DATABASE` in a plain dump taken with
 * --create: `\connect app` or, for a name other than letters, digits, `_` and `.`,
 * `\connect -reuse-previous=on "dbname='my app'"`. Only the preamble is read, up to the first
 * object or row, so no text in the data can pass for it; a line cut off by the read is left out.
 */
function connectedDatabase(text: string): string | undefined {
  const lines = text.split('\n').slice(0, -1);
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (/^(COPY|INSERT) /.test(line)) return undefined;
    if (line.startsWith('CREATE ') && !line.startsWith('CREATE DATABASE ')) return undefined;
    if (!line.startsWith('\\connect ')) continue;
    const argument = line.slice('\\connect '.length);
    const complex = /^-reuse-previous=on (".*")$/.exec(argument);
    if (!complex) return unquoteIdent(argument);
    const connection = unquoteIdent(complex[1]);
    if (!connection?.startsWith('dbname=')) return undefined;
    const value = connection.slice('dbname='.length);
    const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(value);
    if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
    return /^[^\s'\\]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** An identifier as pg_dump writes it: bare, or in double quotes with `""` for `"`. */
function unquoteIdent(text: string): string | undefined {
  if (/^[^\s"]+$/.test(text)) return text;
  const quoted = /^"((?:[^"]|"")*)"$/.exec(text);
  return quoted ? quoted[1].replace(/""/g, '"') : undefined;
}

/**
 * Whether a custom-format dump ends as pg_dump ends one: every data block (and the large
 * objects) closes with a zero int, and a dump with no data ends with its table of contents,
 * whose last entry's data offset is zero. A file cut short (a pg_dump killed mid-way, a full
 * disk, a copy that stopped) still has its table of contents at the start, which is all
 * `pg_restore --list` reads.
 */
export async function dumpEndsWhole(file: string, header: DumpHeader): Promise<boolean> {
  if (!header.custom || !header.intSize) return true;
  const { handle, stat } = await openRegularFile(file);
  try {
    const { size } = stat;
    const tail = Buffer.alloc(1 + header.intSize);
    if (size < tail.length) return false;
    await handle.read(tail, 0, tail.length, size - tail.length);
    return tail.every((byte) => byte === 0);
  } finally {
    await handle.close();
  }
}

/** The major version in a version string: `17.2` and `17.2 (Debian 17.2-1)` → 17, `9.6` → 9. */
function majorOf(version: string | undefined): number | undefined {
  const match = /(\d+)\.\d+/.exec(version ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * When pg_restore failed on a dump a newer pg_dump wrote (pg_restore reads no archive format
 * newer than its own version's), says so with both versions and what to install; its own words
 * ("unsupported version (1.16) in file header") say neither.
 */
async function newerDumpError(
  pgRestore: string,
  file: string,
  signal: AbortSignal,
  env?: Record<string, string | undefined>,
): Promise<UpkeepError | undefined> {
  const header = await readDumpHeader(file);
  const dumpVersion = header?.pgDumpVersion;
  const dumpMajor = majorOf(dumpVersion);
  if (!header || dumpVersion === undefined || dumpMajor === undefined) return undefined;
  const version = await runTool({
    command: pgRestore,
    args: ['--version'],
    cwd: path.dirname(file),
    signal,
    env,
  }).catch(() => undefined);
  const restoreVersion = /\d+\.\d+/.exec(version?.stdout ?? '')?.[0];
  const restoreMajor = majorOf(restoreVersion);
  if (restoreMajor === undefined || dumpMajor <= restoreMajor) return undefined;
  return new UpkeepError(
    'parse',
    `pg_restore ${restoreVersion} cannot read ${path.basename(file)}: it was written by ` +
      `pg_dump ${shownDumpText(dumpVersion)}, a newer version (archive format ${header.format})`,
    `Install the PostgreSQL ${dumpMajor} client tools (Debian/Ubuntu: apt install ` +
      `postgresql-client-${dumpMajor} from apt.postgresql.org; macOS: brew install ` +
      `postgresql@${dumpMajor}) and put their bin folder first on PATH.`,
  );
}

/**
 * A dump pg_restore cannot read for what it is: an empty file, a plain SQL one (pg_restore's own
 * words say to use psql, which run against the app's database is the guidelines' recovery test,
 * writing to production) or one compressed with gzip.
 */
async function otherFormatError(file: string): Promise<UpkeepError | undefined> {
  const name = path.basename(file);
  const stat = await fs.stat(file).catch(() => undefined);
  if (stat?.size === 0) {
    return new UpkeepError(
      'parse',
      `${name} is empty (0 bytes): the backup job wrote nothing.`,
      'Check the backup job and its log: a cron line `pg_dump -Fc app > file` whose pg_dump ' +
        'could not connect (a password, a host) leaves an empty file, which is then the newest.',
    );
  }
  if (await isPlainSqlDump(file).catch(() => false)) {
    return new UpkeepError(
      'parse',
      `${name} is a plain SQL dump, which pg_restore cannot read.`,
      'Take the backups with pg_dump -Fc (custom format, compressed): pg_restore lists, checks ' +
        'and restores those. Do not test a plain dump with psql against the app’s database.',
    );
  }
  const opened = await openRegularFile(file).catch(() => undefined);
  if (!opened) return undefined;
  const { handle } = opened;
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return undefined;
  return new UpkeepError(
    'parse',
    `${name} is compressed with gzip, which pg_restore cannot read.`,
    'gunzip it first, or take the backups with pg_dump -Fc, which compresses them itself.',
  );
}

/**
 * Runs `pg_restore --list` on the dump, `opened` or opened here (see openDump): a dump that is
 * neither a file nor a folder is refused with a `config` error. Throws `tool-missing` or `parse`
 * with the tool's words.
 */
export async function listDump(
  file: string,
  signal: AbortSignal,
  env?: Record<string, string | undefined>,
  opened?: OpenedDump,
): Promise<DumpContents> {
  const pgRestore = await findExecutable('pg_restore', env ?? process.env);
  if (!pgRestore) throw pgRestoreMissing(env ?? process.env);
  const dump = opened ?? (await openDump(file));
  let output: ToolOutput;
  try {
    output = await runTool({
      command: pgRestore,
      args: ['--list', dump.argument],
      cwd: path.dirname(file),
      signal,
      env,
      passFd: dump.passFd,
    });
  } finally {
    if (!opened) await dump.close();
  }
  if (output.exitCode !== 0) {
    const newer = await newerDumpError(pgRestore, file, signal, env);
    if (newer) throw newer;
    const other = await otherFormatError(file);
    if (other) throw other;
    const said = dump.named(output.stderr.trim().split('\n')[0], path.basename(file));
    const reason = said || `exit code ${output.exitCode}`;
    throw new UpkeepError('parse', `pg_restore cannot read ${path.basename(file)}: ${reason}`);
  }
  return parseRestoreList(output.stdout);
}

export const backupsLatestCheck: CheckDefinition = {
  id: 'backups.latest',
  title: 'Latest database backup',
  description:
    'The newest file matching upkeep.backups.pattern: its age against ' +
    'upkeep.backups.maxAgeHours, `pg_restore --list` reads it, and it is not cut short.',
  async run(context: CheckContext): Promise<CheckReport> {
    const pattern = context.settings.backups.pattern;
    if (!pattern) {
      return {
        outcome: 'skipped',
        summary: 'no backup pattern configured (upkeep.backups.pattern)',
      };
    }
    // An untrusted repo's pattern could name any file on the machine.
    let newest: BackupFile | undefined;
    try {
      newest = await findNewestBackup(context.workspace, pattern, {
        insideOnly: !context.trusted,
      });
    } catch (error) {
      if (!UpkeepError.is(error, 'config')) throw error;
      return { outcome: 'fail', summary: error.message, details: error.hint };
    }
    if (!newest) {
      return {
        outcome: 'fail',
        summary: `no backup file matches ${pattern}${context.trusted ? '' : ' in the workspace'}`,
      };
    }

    const file = path.relative(context.workspace, newest.file) || newest.file;
    // A file name may hold a line break: the table shows a summary's first line only.
    const name = printable(file, '\uFFFD');
    const ageHours = hoursBetween(context.clock.now().getTime(), newest.modifiedAt.getTime());
    const maxAgeHours = context.settings.backups.maxAgeHours;
    const values: CheckReport['values'] = {
      file,
      ageHours,
      maxAgeHours,
      bytes: newest.bytes,
    };
    const tooOld = ageHours > maxAgeHours;
    const age = `${name} is ${ageHours} h old`;

    // pg_restore is an external tool, and the dump is the repo's file: both wait for trust.
    if (!context.trusted) {
      return {
        outcome: tooOld ? 'fail' : 'skipped',
        summary:
          `${age}${tooOld ? ` (limit ${maxAgeHours} h)` : ''}; ` +
          'pg_restore --list waits for workspace trust',
        values,
        waitsForTrust: true,
      };
    }

    // A folder may hold the dumps of several databases (staging's beside production's, another
    // app's): a fresh dump of one of them proves nothing of the monitored database.
    const dumped = await readDumpDatabase(newest.file);
    const other = dumped === undefined ? undefined : await otherDatabase(context, dumped);
    if (dumped !== undefined) values.database = dumped;
    if (other) values.monitoredDatabase = other.monitored;
    const of = dumped === undefined ? '' : ` of database ${shownDumpText(dumped)}`;
    const ofOther = other ? `${of}, ${other.not}` : of;
    const otherNote = other ? `; it is a dump${ofOther}` : '';
    // Another database's dump is a warning at least, whatever else passes.
    const atLeastWarn = other ? 'warn' : 'pass';

    if (await isPlainSqlDump(newest.file)) {
      const tables = await countCreateTables(newest.file, context.signal);
      values.tables = tables;
      return {
        outcome: tooOld ? 'fail' : 'warn',
        summary:
          `${age}; plain SQL dump with ${plural(tables, 'table')}, ` +
          `which pg_restore cannot verify (use pg_dump -Fc)${otherNote}`,
        ...(other ? { details: other.details } : {}),
        values,
      };
    }

    const header = await readDumpHeader(newest.file);
    if (header?.pgDumpVersion !== undefined) values.pgDumpVersion = header.pgDumpVersion;
    let contents: DumpContents;
    try {
      contents = await listDump(newest.file, context.signal, context.env);
    } catch (error) {
      if (UpkeepError.is(error, 'tool-missing')) {
        // The dump's database is read without pg_restore: that finding stands without it.
        const hint = error.hint ?? '';
        return {
          outcome: other ? 'warn' : 'skipped',
          summary: `${age}; pg_restore is not on PATH${otherNote}`,
          details: other ? `${other.details}\n${hint}` : hint,
          values,
        };
      }
      if (UpkeepError.is(error, 'parse')) {
        const details = [other?.details, error.hint].filter(Boolean).join('\n');
        return {
          outcome: 'fail',
          summary: other ? `${error.message.replace(/\.$/, '')}${otherNote}` : error.message,
          ...(details ? { details } : {}),
          values,
        };
      }
      throw error;
    }
    values.tables = contents.tables.length;
    const otherDetails = other ? { details: other.details } : {};
    if (header && !(await dumpEndsWhole(newest.file, header))) {
      return {
        outcome: 'fail',
        summary:
          `${age}; it ends mid-way (${formatBytes(newest.bytes)}): its data is cut short, ` +
          `though pg_restore --list reads its table of contents${otherNote}`,
        details:
          'pg_dump did not finish writing it (killed, out of disk space) or the copy stopped. ' +
          'Check the backup job and its log, and take a new dump.' +
          (other ? `\n${other.details}` : ''),
        values,
      };
    }
    if (tooOld) {
      return {
        outcome: 'fail',
        summary:
          `${age} (limit ${maxAgeHours} h); ` +
          `${plural(contents.tables.length, 'table')}${ofOther}`,
        ...otherDetails,
        values,
      };
    }
    if (!contents.tables.length) {
      return {
        outcome: 'warn',
        summary: `${age}; pg_restore reads it but it holds no table${ofOther}`,
        ...otherDetails,
        values,
      };
    }
    return {
      outcome: atLeastWarn,
      summary: `${age}; pg_restore lists ${plural(contents.tables.length, 'table')}${ofOther}`,
      ...otherDetails,
      values,
    };
  },
};

/**
 * When the dump is of another database than the monitored one (as the database checks resolve
 * it, connecting to nothing): `not of the monitored database app_production` and what to do.
 * Undefined when they match or no monitored database resolves.
 */
async function otherDatabase(
  context: CheckContext,
  dumped: string,
): Promise<{ monitored: string; not: string; details: string } | undefined> {
  const connection = await connectionFor(context).catch(() => undefined);
  const monitored = connection?.databaseName;
  if (!monitored || monitored === dumped) return undefined;
  const shown = shownDumpText(monitored);
  return {
    monitored,
    not: `not of the monitored database ${shown}`,
    details:
      `Upkeep checks ${shown} (${describeSource(connection!.source)}). Point ` +
      'upkeep.backups.pattern at its dumps, or make the backup job dump it.',
  };
}

/** The guidelines' file backup, restored with `cp -r storage/backup/* storage/`. */
export const FILE_BACKUP_FOLDER = 'storage/backup';
/** Files listed per tree at most: Active Storage folders can hold millions, and a run is daily. */
export const MAX_LISTED_FILES = 100_000;

export interface FileTree {
  files: number;
  /** Modification times (ms) of every file listed. */
  mtimes: number[];
  /** Stopped at MAX_LISTED_FILES. */
  truncated: boolean;
}

/**
 * Lists the regular files under `root`, skipping dot files (`.keep`) and the entry `skip`.
 * Symbolic links inside are not followed, so a link to / cannot send the walk across the disk.
 * Paths are walked as bytes: a name that is not UTF-8 (an old upload, an unpacked archive) would
 * not be found again from its decoded text, and would go uncounted.
 */
export async function listFileTree(
  root: string,
  signal: AbortSignal,
  skip?: string,
  limit = MAX_LISTED_FILES,
): Promise<FileTree> {
  const tree: FileTree = { files: 0, mtimes: [], truncated: false };
  const skipped = skip === undefined ? undefined : Buffer.from(skip);
  const folders = [Buffer.from(root)];
  const separator = Buffer.from(path.sep);
  while (folders.length) {
    signal.throwIfAborted();
    const folder = folders.pop()!;
    const entries = await fs
      .readdir(folder, { withFileTypes: true, encoding: 'buffer' })
      .catch(() => []);
    for (const entry of entries) {
      if (entry.name[0] === DOT) continue;
      const full = Buffer.concat([folder, separator, entry.name]);
      if (skipped?.equals(full)) continue;
      if (entry.isDirectory()) {
        folders.push(full);
        continue;
      }
      if (!entry.isFile()) continue;
      if (tree.files >= limit) {
        tree.truncated = true;
        return tree;
      }
      const stat = await fs.lstat(full).catch(() => undefined);
      if (!stat) continue;
      tree.files++;
      tree.mtimes.push(stat.mtimeMs);
    }
  }
  return tree;
}

const DOT = '.'.charCodeAt(0);

/** The folder's real path, or undefined when it is missing or not a folder. */
async function folderOf(folder: string): Promise<string | undefined> {
  const real = await fs.realpath(folder).catch(() => undefined);
  const stat = real ? await fs.stat(real).catch(() => undefined) : undefined;
  return stat?.isDirectory() ? real : undefined;
}

function hoursBetween(later: number, earlier: number): number {
  return Math.round(((later - earlier) / 3_600_000) * 10) / 10;
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The monthly "Test file backup restoration: ls -la storage/backup/": the folder holds files,
 * and no upload has waited longer than upkeep.backups.maxAgeHours for a backup newer than it.
 * Judged by modification times, so a mirror copied with `cp -r`, one kept with `cp -a` or
 * `rsync -a`, and a dated archive all read the same way.
 */
export const fileBackupCheck: CheckDefinition = {
  id: 'backups.files',
  title: 'File backup of storage/',
  description:
    `${FILE_BACKUP_FOLDER} holds files, and no upload in storage/ has waited longer than ` +
    'upkeep.backups.maxAgeHours for a backup newer than it.',
  async run(context: CheckContext): Promise<CheckReport> {
    // A deploy links storage/ (or its backup) to a shared disk; an untrusted repo could link
    // them anywhere on the machine, or to nothing there: "no storage/ folder" told what is not.
    const named = path.join(context.workspace, 'storage');
    if (!context.trusted) {
      const workspace = await fs.realpath(context.workspace);
      const leads = await Promise.all(
        [named, path.join(named, 'backup')].map((f) => whereLeads(f)),
      );
      if (leads.some((folder) => !isInside(workspace, folder))) {
        return {
          outcome: 'skipped',
          summary: 'storage/ links outside the workspace; waits for workspace trust',
          waitsForTrust: true,
        };
      }
    }
    const storage = await folderOf(named);
    if (!storage) return { outcome: 'skipped', summary: 'no storage/ folder' };
    const backupLink = path.join(storage, 'backup');
    const backupFolder = await folderOf(backupLink);

    const uploads = await listFileTree(storage, context.signal, backupLink);
    const backup = backupFolder
      ? await listFileTree(backupFolder, context.signal)
      : { files: 0, mtimes: [], truncated: false };
    const now = context.clock.now().getTime();
    const maxAgeHours = context.settings.backups.maxAgeHours;
    const values: CheckReport['values'] = {
      uploads: uploads.files,
      backupFiles: backup.files,
      maxAgeHours,
    };
    const counted = uploads.truncated || backup.truncated ? ' (counted up to the limit)' : '';

    if (uploads.files === 0) {
      return {
        outcome: 'pass',
        summary: `no uploads in storage/ to back up; ${plural(backup.files, 'file')} in backup`,
        values,
      };
    }
    if (backup.files === 0) {
      return {
        outcome: 'fail',
        summary:
          `${plural(uploads.files, 'upload')} in storage/ and no file backup in ` +
          `${FILE_BACKUP_FOLDER}${counted}`,
        values,
      };
    }

    // reduce, not Math.max(...): spreading 100,000 arguments can overflow the stack.
    const newestBackup = backup.mtimes.reduce((max, mtime) => Math.max(max, mtime), 0);
    const uncovered = uploads.mtimes.filter((mtime) => mtime > newestBackup);
    const oldestUncovered = uncovered.length
      ? uncovered.reduce((min, mtime) => Math.min(min, mtime), Infinity)
      : undefined;
    values.newestBackupAt = new Date(newestBackup).toISOString();
    values.uploadsNewerThanBackup = uncovered.length;
    values.oldestUncoveredHours =
      oldestUncovered === undefined ? null : hoursBetween(now, oldestUncovered);
    const base =
      `${plural(backup.files, 'file')} in ${FILE_BACKUP_FOLDER}, newest ` +
      `${isoMinute(newestBackup)} UTC`;

    if (oldestUncovered !== undefined && hoursBetween(now, oldestUncovered) > maxAgeHours) {
      return {
        outcome: 'fail',
        summary:
          `${plural(uncovered.length, 'upload')} newer than the file backup, the oldest ` +
          `${hoursBetween(now, oldestUncovered)} h old (limit ${maxAgeHours} h); ${base}` +
          counted,
        values,
      };
    }
    const pending = uncovered.length
      ? `; ${plural(uncovered.length, 'upload')} from the last ${maxAgeHours} h not yet in it`
      : uploads.files === 1
        ? '; covers the one upload'
        : `; covers all ${plural(uploads.files, 'upload')}`;
    return { outcome: 'pass', summary: `${base}${pending}${counted}`, values };
  },
};

/** A drill older than this is due again (the guidelines ask for one a year). */
export const DRILL_DUE_DAYS = LONGEST_PERIOD_DAYS.year;

/** How to run the drill, in the words of where the result is read. */
export function runDrillHint(surface: Surface = 'any'): string {
  const command = '"Upkeep: Run Backup Recovery Drill…"';
  if (surface === 'cli') return `run upkeep drill (or ${command} in the editor)`;
  if (surface === 'editor') return `run ${command}`;
  return `run ${command} (or upkeep drill)`;
}
export const RECENT_DRILL_ID = 'backups.recentDrill';

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
  run: (context) => judgeLastDrill(context, DRILL_DUE_DAYS, 'due again'),
};

/** The tier whose period a recent drill is held to, when no playbook task names one. */
const MONTHLY: Pick<Tier, 'title' | 'period'> = { title: 'Monthly', period: 'month' };

/**
 * The same record held to the period of the tier that runs this check (the monthly backup
 * task: 31 days), where `backups.recoveryDrill` allows a year.
 */
export function recentDrillCheck(tier: Pick<Tier, 'title' | 'period'> = MONTHLY): CheckDefinition {
  const unit = tier.period === 'none' ? 'month' : tier.period;
  const days = LONGEST_PERIOD_DAYS[unit];
  const owner = `the ${tier.title.toLowerCase()} task wants one every ${plural(days, 'day')}`;
  return {
    id: RECENT_DRILL_ID,
    title: `Recovery drill within ${plural(days, 'day')}`,
    description:
      `Reports the last recovery drill and warns once it is older than ${plural(days, 'day')} ` +
      `(the period of the ${tier.title.toLowerCase()} task that runs this check).`,
    run: (context) => judgeLastDrill(context, days, `due again: ${owner}`),
  };
}

/**
 * The tier with the shortest period among the enabled tasks that run `backups.recentDrill`, so
 * a repo that moves the backup task to another tier holds the drill to that tier's period.
 */
export function recentDrillTier(playbook: Playbook | undefined): Pick<Tier, 'title' | 'period'> {
  const daysOf = (tier: Tier): number =>
    tier.period === 'none' ? Infinity : LONGEST_PERIOD_DAYS[tier.period];
  let shortest: Tier | undefined;
  for (const task of playbook?.tasks ?? []) {
    if (task.disabled || !task.checks.includes(RECENT_DRILL_ID)) continue;
    const tier = findTier(playbook!, task.tier);
    if (tier && daysOf(tier) < (shortest ? daysOf(shortest) : Infinity)) shortest = tier;
  }
  return shortest ?? MONTHLY;
}

async function judgeLastDrill(
  context: CheckContext,
  dueDays: number,
  due: string,
): Promise<CheckReport> {
  const last = lastDrill(context.results?.history('backups.recoveryDrill') ?? []);
  if (!last) return { outcome: 'skipped', summary: runDrillHint(context.surface) };

  const drilledAt = String(last.values?.drilledAt ?? last.startedAt);
  const days = Math.floor((context.clock.now().getTime() - Date.parse(drilledAt)) / 86_400_000);
  // A hand-edited or foreign record: no date to count from, or one in the future.
  if (!Number.isFinite(days) || days < -1) {
    return {
      outcome: 'warn',
      summary:
        `the recorded drill has no usable date ("${drilledAt.slice(0, 40)}"); ` +
        runDrillHint(context.surface),
      values: { ...last.values },
    };
  }
  const seconds = Math.round(Number(last.values?.recoveryMs ?? 0) / 100) / 10;
  // A record up to a day ahead (another machine's clock, a little fast) is from today.
  const ago = days > 0 ? `${plural(days, 'day')} ago` : 'today';
  const values = { ...last.values, daysSinceDrill: Math.max(days, 0) };
  if (last.values?.drillOk !== true) {
    return {
      outcome: 'fail',
      summary: `the last drill (${ago}) failed: ${last.summary}`,
      values,
    };
  }
  if (days > dueDays) {
    return {
      outcome: 'warn',
      summary: `last drill ${ago} (recovery took ${seconds} s); ${due}`,
      values,
    };
  }
  return {
    outcome: 'pass',
    summary: `last drill ${ago}: recovery took ${seconds} s`,
    values,
  };
}

function lastDrill(history: CheckResult[]): CheckResult | undefined {
  for (let index = history.length - 1; index >= 0; index--) {
    if (history[index].values?.drill === true) return history[index];
  }
  return undefined;
}
