/**
 * Log sources: files and globs (rotated `.gz` included), resolved against the workspace and
 * put in timeline order, oldest first; a missing default log gets a message that says why
 * it may be missing and how to point Upkeep at the logs. In an untrusted workspace only files
 * inside it are read.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import type { Surface } from '../db/connection';
import { throwIfAborted } from '../util/errors';
import { plural } from '../util/plural';
import { isInside, whereLeads } from '../util/paths';

export interface ResolvedFile {
  pattern: string;
  path: string;
  size: number;
  mtimeMs: number;
  gzip: boolean;
  /** The file checked, by identity: what is opened later must be it (see confinedOpen.ts). */
  dev: number;
  ino: number;
  /**
   * The workspace's real path when the file must lie inside it (an untrusted workspace): it was
   * checked by name here, and the file opened by that name is checked again.
   */
  confinedTo?: string;
}

export interface MissingSource {
  pattern: string;
  message: string;
  /** False when something is there but cannot be read as a log. */
  missing: boolean;
}

/**
 * What to do when no log file is there, in the words of where it is read: the editor has only
 * the setting, the CLI also takes files (`upkeep logs FILE`).
 */
export function missingLogHint(surface: Surface = 'any'): string {
  const setting =
    'Rails 7.1 and later log to STDOUT in production by default, so there may be no log ' +
    'file. Point Upkeep at your logs with the upkeep.logs.sources setting (files or globs, for ' +
    'example "log/production.log*" or "/var/log/myapp/*.log")';
  return surface === 'editor' ? `${setting}.` : `${setting}, or pass files: upkeep logs FILE.`;
}

/** A glob walks at most this many folders below its static base. */
export const GLOB_MAX_DEPTH = 8;
/** A glob stops after this many matches: rotated logs are tens of files, not thousands. */
export const GLOB_MAX_FILES = 1000;

export interface ResolveOptions {
  /** Refuse files (after resolving links) and glob bases outside the workspace. */
  confineToWorkspace?: boolean;
  signal?: AbortSignal;
  /** Where the messages are read, so their hints name what works there; default `any`. */
  surface?: Surface;
  /**
   * The sources are files the user named (`upkeep logs FILE`), not the setting's: one that is
   * not there is a path to check, not a log kept elsewhere.
   */
  named?: boolean;
}

function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/**
 * Whether a source is read as a glob: it has glob characters, is not the name of something
 * that exists (`log/x[1].log` as a glob is `log/x1.log`), and parses as one (`log/x[` does not,
 * and fast-glob threw on it, failing every source of the summary).
 */
async function readAsGlob(pattern: string, absolute: string): Promise<boolean> {
  if (!isGlob(pattern) || !picomatch.scan(pattern).isGlob) return false;
  try {
    await fs.lstat(absolute);
    return false;
  } catch {
    return true;
  }
}

/** The real path, or undefined when it does not exist (or is a dangling or looping link). */
async function realpathOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await fs.realpath(file);
  } catch {
    return undefined;
  }
}

function outsideMessage(pattern: string, workspace: string): string {
  return (
    `${pattern} is outside the workspace (${workspace}): in an untrusted workspace Upkeep ` +
    'reads log files inside it only. Trust the workspace to read it, or copy the log into it.'
  );
}

/**
 * The files a glob matches, walked from its static base (`/var/log/app` of
 * `/var/log/app/*.log`) without following folder links and at most GLOB_MAX_DEPTH deep; the
 * walk stops at once on abort (the promise API of fast-glob cannot be cancelled, its stream can).
 */
async function globFiles(
  base: string,
  glob: string,
  signal: AbortSignal | undefined,
): Promise<{ files: string[]; truncated: boolean }> {
  throwIfAborted(signal);
  // The stream is a Readable; fast-glob's types say only NodeJS.ReadableStream.
  const stream = fg.stream(glob, {
    cwd: base,
    absolute: true,
    // Not onlyFiles: without following links it would drop a linked log file; the caller
    // stats each match and skips folders.
    onlyFiles: false,
    dot: true,
    suppressErrors: true,
    followSymbolicLinks: false,
    deep: GLOB_MAX_DEPTH,
  }) as unknown as Readable;
  const stop = (): void => {
    stream.destroy();
  };
  signal?.addEventListener('abort', stop, { once: true });
  const files: string[] = [];
  let truncated = false;
  try {
    for await (const entry of stream as AsyncIterable<string | Buffer>) {
      throwIfAborted(signal);
      files.push(String(entry));
      if (files.length >= GLOB_MAX_FILES) {
        truncated = true;
        break;
      }
    }
  } catch (error) {
    throwIfAborted(signal);
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
  throwIfAborted(signal);
  return { files, truncated };
}

/** What to say of a path that is a symbolic link to nothing, or undefined if it is not one. */
async function danglingLinkProblem(file: string): Promise<string | undefined> {
  try {
    const target = await fs.readlink(file);
    return (
      `${file} is a symbolic link to ${target}, which does not exist: ` +
      'point the link or the setting at the log where it is now.'
    );
  } catch {
    return undefined;
  }
}

/** `production.log.3.gz` → 3, `production.log` → 0: a higher number is older. */
function rotationNumber(file: string): number {
  const m = /\.(\d{1,6})(?:\.gz)?$/.exec(file);
  return m ? Number(m[1]) : 0;
}

/**
 * The date logrotate's `dateext` put in a name, as a number that grows with it:
 * `production.log-20261205(.gz)` and `-2026-12-05` → 20261205, with an hour or epoch seconds
 * after it (`dateformat -%Y%m%d%H`, `-%Y%m%d-%s`) as a tie-break; undefined for other names.
 */
function rotationDate(file: string): [number, number] | undefined {
  const m = /[-._](\d{4})(-?)(\d{2})\2(\d{2})(?:[-_]?(\d{1,10}))?(?:\.gz)?$/.exec(file);
  if (!m) return undefined;
  const [month, day] = [Number(m[3]), Number(m[4])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return [Number(`${m[1]}${m[3]}${m[4]}`), Number(m[5] ?? 0)];
}

/**
 * A log's name without what rotation added (`.2.gz`, `-20261205`, `-2026-12-05.gz`): the name of
 * the live log it was, to tell the same log's rotations from another log.
 */
export function unrotatedName(file: string): string {
  return file.replace(/(?:\.\d{1,6}|[-._]\d{4}(-?)\d{2}\1\d{2}(?:[-_]?\d{1,10})?)?(?:\.gz)?$/, '');
}

/**
 * Timeline order of two log files, oldest first, by their names where logrotate put the order
 * in them: numbered ones (`.2.gz` before `.1`) by number, dated ones (`dateext`) by date, and
 * the live log (neither) last; a copy (cp without -p, a restore, a checkout) resets mtimes,
 * which are only the tie-break, then the name. Numbered come before dated: a mix is a
 * logrotate switched to dateext, whose older files kept their numbers.
 */
function timelineOrder(a: ResolvedFile, b: ResolvedFile): number {
  const rank = (file: ResolvedFile): number => {
    if (rotationNumber(file.path) > 0) return 0;
    return rotationDate(file.path) ? 1 : 2;
  };
  const byDate = (): number => {
    const [x, y] = [rotationDate(a.path), rotationDate(b.path)];
    return x && y ? x[0] - y[0] || x[1] - y[1] : 0;
  };
  return (
    rank(a) - rank(b) ||
    rotationNumber(b.path) - rotationNumber(a.path) ||
    byDate() ||
    a.mtimeMs - b.mtimeMs ||
    a.path.localeCompare(b.path)
  );
}

export async function resolveSources(
  workspace: string,
  patterns: string[],
  options: ResolveOptions = {},
): Promise<{ files: ResolvedFile[]; missing: MissingSource[]; warnings: string[] }> {
  const files = new Map<string, ResolvedFile>();
  const missing: MissingSource[] = [];
  const warnings: string[] = [];
  const confine = options.confineToWorkspace === true;
  const realWorkspace = confine
    ? ((await realpathOrUndefined(workspace)) ?? path.resolve(workspace))
    : workspace;

  for (const pattern of patterns) {
    throwIfAborted(options.signal);
    const absolute = path.isAbsolute(pattern) ? pattern : path.join(workspace, pattern);
    let matches: string[];
    const fromGlob = await readAsGlob(pattern, absolute);
    if (fromGlob) {
      const scan = picomatch.scan(pattern);
      const base = path.resolve(workspace, scan.base || '.');
      if (confine) {
        if (!isInside(realWorkspace, await whereLeads(base))) {
          missing.push({ pattern, message: outsideMessage(pattern, workspace), missing: false });
          continue;
        }
      }
      const globbed = await globFiles(base, scan.glob, options.signal);
      matches = globbed.files;
      if (globbed.truncated) {
        warnings.push(
          `${pattern} matches more than ${GLOB_MAX_FILES} files; only the first ` +
            `${GLOB_MAX_FILES} found are read. Use a narrower glob.`,
        );
      }
    } else {
      matches = [absolute];
    }

    let found = 0;
    let refused = 0;
    let problem: string | undefined;
    for (const file of matches) {
      throwIfAborted(options.signal);
      if (confine) {
        // A link inside the workspace to a file outside it counts as outside, and so does a
        // dangling one or a missing file under a folder linked out: "does not exist" would
        // tell what is not there outside.
        if (!isInside(realWorkspace, await whereLeads(file))) {
          refused++;
          continue;
        }
      }
      try {
        const stat = await fs.stat(file);
        if (fromGlob && stat.isDirectory()) continue;
        if (stat.isDirectory()) {
          // `upkeep logs log`, or a setting naming log/: the files in it are what was meant.
          problem ??=
            `${file} is a folder: name the log files in it, such as ` +
            `${path.join(file, 'production.log')} or the glob ${path.join(file, '*.log')}.`;
          continue;
        }
        if (!stat.isFile()) {
          // A FIFO or device: reading it could hang or never end.
          problem ??=
            `${file} is not a regular file (a pipe or device); ` + 'Upkeep reads log files only.';
          continue;
        }
        found++;
        files.set(file, {
          pattern,
          path: file,
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          gzip: file.endsWith('.gz'),
          dev: stat.dev,
          ino: stat.ino,
          ...(confine ? { confinedTo: realWorkspace } : {}),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') {
          problem ??=
            `${file} cannot be read (${code ?? String(error)}): ` +
            'check the path and its permissions.';
        } else if (!fromGlob) {
          // "does not exist" of a name that is there (`ls` lists it) sent the user looking
          // for a typo; a link whose target moved or was deleted is what it is.
          problem ??= await danglingLinkProblem(file);
        }
      }
    }
    if (found > 0 && refused > 0) {
      const one = refused === 1;
      warnings.push(
        `${plural(refused, 'file')} matching ${pattern} ${one ? 'leads' : 'lead'} outside ` +
          `the workspace and ${one ? 'was' : 'were'} not read (untrusted workspace).`,
      );
    }
    if (found === 0) {
      if (refused) {
        missing.push({ pattern, message: outsideMessage(pattern, workspace), missing: false });
      } else if (problem) {
        missing.push({ pattern, message: problem, missing: false });
      } else {
        const what = fromGlob ? `No file matches ${pattern}` : `${pattern} does not exist`;
        missing.push({
          pattern,
          message: options.named
            ? `${what}: check the path.`
            : `${what} (in ${workspace}). ${missingLogHint(options.surface)}`,
          missing: true,
        });
      }
    }
  }

  const ordered = [...files.values()].sort(timelineOrder);
  return { files: ordered, missing, warnings };
}
