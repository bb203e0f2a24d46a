/**
 * The report cannot be written: a cron line's `> /tmp/upkeep-daily.txt` on a full disk (here
 * /dev/full, which answers every write with ENOSPC), or a reader that went away (`| head -1`).
 * The command crashed with a Node stack trace and exit 1, which reads as "a check failed"; it
 * must say in one line that the report was lost and exit 2, and stay quiet on a closed pipe.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempFolderWith } from '../../support/tempFolders';

const ROOT = path.resolve(__dirname, '../../..');

interface Run {
  code: number | null;
  stderr: string;
}

/** Runs the CLI from source with its stdout (and stderr) on a file descriptor or a pipe. */
function run(
  args: string[],
  stdout: number | 'pipe',
  closeStdout = false,
  stderr: number | 'pipe' = 'pipe',
): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: os.tmpdir() },
      stdio: ['ignore', stdout, stderr],
    },
  );
  // The reader that goes away before the report comes: every write then fails with EPIPE.
  if (closeStdout) child.stdout?.destroy();
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr: said })));
}

describe('upkeep commands whose report cannot be written', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    workspace = await tempFolderWith('upkeep-output-lost-', {
      Gemfile: "source 'https://rubygems.org'\n",
      'log/production.log': '',
    });
  });

  const commands: [string, string[]][] = [
    ['upkeep check', ['check', '--check', 'host.diskSpace']],
    ['upkeep check --format json', ['check', '--check', 'host.diskSpace', '--format', 'json']],
    ['upkeep check --list', ['check', '--list']],
  ];
  for (const [name, args] of commands) {
    it(`${name} to a full disk says so in one line and exits 2`, async () => {
      const full = await fs.open('/dev/full', 'w');
      try {
        const result = await run([...args, '--workspace', workspace], full.fd);
        assert.equal(result.code, 2, result.stderr);
        assert.match(
          result.stderr,
          /^upkeep: the report could not be written to standard output \(ENOSPC/m,
        );
        assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      } finally {
        await full.close();
      }
    });
  }

  it('upkeep check with stdout and stderr on a full disk exits 2', async () => {
    const full = await fs.open('/dev/full', 'w');
    try {
      const result = await run(
        ['check', '--check', 'host.diskSpace', '--workspace', workspace],
        full.fd,
        false,
        full.fd,
      );
      assert.equal(result.code, 2);
    } finally {
      await full.close();
    }
  });

  it('upkeep check into a pipe nobody reads any more stops quietly', async () => {
    const result = await run(
      ['check', '--check', 'host.diskSpace', '--workspace', workspace],
      'pipe',
      true,
    );
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(result.stderr, /EPIPE/);
    assert.equal(result.code, 0, result.stderr);
  });
});
