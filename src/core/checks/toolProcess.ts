/**
 * Runs an external tool (rspec, rubocop, pg_restore, a custom shell check) in its own process
 * group, streams its output to the log, and on timeout or cancel kills the whole group so no
 * grandchild outlives the check.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError } from '../util/errors';
import type { Logger } from '../util/logger';
import { startOf } from '../util/printable';
import { guardGroup, prepareGuard, releaseGroup } from './orphanGuard';

export interface ToolRun {
  command: string;
  args: string[];
  cwd: string;
  signal: AbortSignal;
  log?: Logger;
  env?: Record<string, string | undefined>;
  /** Run through `/bin/sh -c` (custom shell checks); `args` are then ignored. */
  shell?: boolean;
  /** Output beyond this many bytes per stream is dropped (the tail is what is kept). */
  maxBytes?: number;
  /** Kept out of the log: the command line when it may carry a secret. */
  quiet?: boolean;
  /** Takes stdout as it arrives instead of collecting it (a restore's data stream); not logged. */
  onStdout?: (chunk: Buffer) => void;
  /**
   * An open file the tool gets as its descriptor 3 (a dump pg_restore reads as /dev/fd/3), and
   * its path, which the logged command line adds, since `/dev/fd/3` names nothing to a reader.
   */
  passFd?: { fd: number; file: string };
}

export interface ToolOutput {
  exitCode: number | null;
  /** The signal that ended it, when one did. */
  killedBy: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Bytes dropped from the start of stdout past the most kept: a report in it is cut. */
  stdoutDropped?: number;
}

/** The most of each stream kept when a run sets no `maxBytes`: 32 MiB. */
export const TOOL_OUTPUT_MAX_BYTES = 32 * 1024 * 1024;
const LOG_LINE_CHARS = 300;
/** Time between SIGTERM and SIGKILL when a tool is stopped. */
const KILL_GRACE_MS = 1500;

/** Finds an executable on PATH (or a path given with a slash); undefined when missing. */
export async function findExecutable(
  name: string,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((folder) => path.join(folder, name));
  for (const candidate of candidates) {
    try {
      await fs.access(candidate, fsConstants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  return undefined;
}

/**
 * Runs the tool to its end and returns its output whatever the exit code (Brakeman and
 * bundler-audit exit non-zero when they find something). Rejects with `tool-missing` when it
 * cannot be started, and with the signal's reason when aborted (after killing the group).
 */
export function runTool(run: ToolRun): Promise<ToolOutput> {
  const maxBytes = run.maxBytes ?? TOOL_OUTPUT_MAX_BYTES;
  const log = run.log;
  if (run.signal.aborted) return Promise.reject(run.signal.reason);

  return new Promise<ToolOutput>((resolve, reject) => {
    const argv = run.shell ? ['-c', run.command] : run.args;
    const file = run.shell ? '/bin/sh' : run.command;
    if (!run.quiet) {
      const line = run.shell ? run.command : [run.command, ...run.args].join(' ');
      log?.info(`$ ${line}${run.passFd ? `  (descriptor 3: ${run.passFd.file})` : ''}`);
    }

    prepareGuard();
    // detached: the tool leads a new process group, so one kill(-pid) reaches its children too.
    const child = spawn(file, argv, {
      cwd: run.cwd,
      env: { ...(run.env ?? process.env) } as NodeJS.ProcessEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(run.passFd === undefined ? [] : [run.passFd.fd])],
    });
    // Should this process die without stopping it (SIGKILL), the group is stopped all the same.
    if (child.pid !== undefined) guardGroup(child.pid);

    const stdout = new OutputBuffer(maxBytes, (line) => log?.info(clip(line)));
    const stderr = new OutputBuffer(maxBytes, (line) => log?.info(clip(line)));
    // Pipes, as stdio says: a descriptor passed after them leaves their types unknown to tsc.
    child.stdout!.on('data', (chunk: Buffer) => {
      if (run.onStdout) run.onStdout(chunk);
      else stdout.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const onAbort = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    run.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      run.signal.removeEventListener('abort', onAbort);
      if (error.code === 'ENOENT') {
        reject(new UpkeepError('tool-missing', `${path.basename(file)} is not installed.`));
      } else {
        reject(
          new UpkeepError('internal', `${path.basename(file)} could not start: ${error.message}`),
        );
      }
    });

    child.on('close', (exitCode, killedBy) => {
      run.signal.removeEventListener('abort', onAbort);
      stdout.flush();
      stderr.flush();
      // The leader is gone; whatever it left in its group (even what ignored SIGTERM) goes now.
      clearTimeout(killTimer);
      killGroup('SIGKILL');
      if (child.pid !== undefined) releaseGroup(child.pid);
      if (run.signal.aborted) {
        reject(run.signal.reason);
        return;
      }
      resolve({
        exitCode,
        killedBy,
        stdout: stdout.text(),
        stderr: stderr.text(),
        ...(stdout.dropped ? { stdoutDropped: stdout.dropped } : {}),
      });
    });
  });
}

/** A line for the log: LOG_LINE_CHARS of it and an ellipsis, no emoji halved. */
function clip(line: string): string {
  return line.length > LOG_LINE_CHARS ? `${startOf(line, LOG_LINE_CHARS)}…` : line;
}

/** Collects a stream's bytes (bounded) and hands complete lines to the log as they arrive. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private pending = '';
  /** Bytes dropped from the start to keep within the limit. */
  dropped = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) {
      const first = this.chunks.shift()!.length;
      this.size -= first;
      this.dropped += first;
    }

    this.pending += chunk.toString('utf8');
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    // A tool printing one huge JSON line must not hold it all in `pending`.
    if (this.pending.length > LOG_LINE_CHARS * 4) {
      this.pending = `${startOf(this.pending, LOG_LINE_CHARS)}…`;
    }
    for (const line of lines) if (line.trim()) this.onLine(line.trimEnd());
  }

  flush(): void {
    if (this.pending.trim()) this.onLine(this.pending.trimEnd());
    this.pending = '';
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
