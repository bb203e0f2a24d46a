/**
 * A report larger than a pipe holds (64 KB), read by a reader that waits before it reads: a
 * pager (`upkeep check --format json | less`, read a screen at a time) or a slow upload. The
 * command gave its work 5 s after the report before exiting without it, and counted the report
 * still on its way as such work: the reader got the first 64 KB and stderr blamed a check. The
 * whole report must arrive, however late it is read.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { watchCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const ROOT = path.resolve(__dirname, '../../..');

/** A playbook of many custom checks with long titles: `--list --format json` of over 64 KB. */
function manyChecks(count: number): string {
  const lines = ['checks:'];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `  - id: custom.check${i}`,
      `    title: Custom check number ${i} of a playbook with a great many of them, each named`,
      '    kind: shell',
      '    command: "true"',
    );
  }
  return lines.join('\n') + '\n';
}

describe('upkeep with a reader that waits before it reads', function () {
  this.timeout(60_000);

  it('writes the whole report, and exits when it has', async () => {
    const workspace = await tempFolderWith('upkeep-slow-reader-', {
      Gemfile: "source 'x'\n",
      '.upkeep/playbook.yaml': manyChecks(800),
    });
    // Through a pipe, as a shell makes it (a socket pair, as a test's child gets, holds more).
    const child = spawn(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" --import tsx "$1" check --list --format json --workspace "$2" ' +
          '| (sleep 7; cat)',
        process.execPath,
        path.join(ROOT, 'src/cli.ts'),
        workspace,
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: os.tmpdir() } },
    );
    const run = await watchCli(child).exited;

    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.length > 65_536, `only ${run.stdout.length} bytes: a pipe's worth`);
    const report = JSON.parse(run.stdout) as { checks: { id: string }[] };
    assert.ok(report.checks.some((check) => check.id === 'custom.check800'));
    assert.doesNotMatch(run.stderr, /still running/);
  });
});
