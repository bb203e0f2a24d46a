/**
 * Runs the `upkeep` CLI from source as a child process, with only the environment a test
 * gives it (plus PATH, and HOME in a temporary folder so nothing lands in the user's cache).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StartedCli {
  /** The running command, for a test that signals it (Ctrl-C is SIGINT). */
  child: ChildProcessWithoutNullStreams;
  /** Everything it wrote so far. */
  output(): { stdout: string; stderr: string };
  exited: Promise<CliRun>;
}

/** Starts the CLI and returns at once, for a test that acts while it runs. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): StartedCli {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env } },
  );
  return watchCli(child);
}

/** Collects what a started command writes: for a test that starts the CLI another way. */
export function watchCli(child: ChildProcessWithoutNullStreams): StartedCli {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => ({ stdout, stderr }), exited };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCli(args, env).exited;
}
