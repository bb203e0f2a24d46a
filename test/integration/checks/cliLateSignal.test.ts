/**
 * A CI job's timeout or Ctrl-C can come at any moment of `upkeep check`, not only while a check
 * runs: here after the checks, while `--save` waits for another run's lock on the results file.
 * The command then finishes its report and exits as the run says; it died at once (no report,
 * the job's JUnit or JSON file empty, exit 143).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

async function waitFor(done: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, why());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('upkeep check signalled after its checks', function () {
  this.timeout(60_000);

  it('SIGTERM while --save waits for the lock: the whole report, the run saved', async () => {
    const workspace = await tempFolderWith('upkeep-late-signal-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.upkeep/playbook.yaml':
        'checks:\n  - id: custom.ok\n    title: Fine\n    kind: shell\n    command: echo ok\n',
    });
    const saved = path.join(workspace, 'results.json');
    // Another run holds the lock: this process, alive, on this machine.
    const owner = { pid: process.pid, host: os.hostname(), at: new Date().toISOString() };
    await fs.writeFile(`${saved}.lock`, JSON.stringify(owner));

    const cli = startCli(
      [
        ...['check', '--workspace', workspace, '--check', 'custom.ok'],
        ...['--format', 'json', '--save', saved, '--verbose'],
      ],
      { HOME: workspace },
    );
    await waitFor(
      () => /custom\.ok: pass in/.test(cli.output().stderr),
      () => `the check never finished: ${cli.output().stderr}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    cli.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fs.rm(`${saved}.lock`);
    const run = await cli.exited;

    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { exitCode: number; results: { outcome: string }[] };
    assert.equal(report.exitCode, 0);
    assert.deepEqual(
      report.results.map((result) => result.outcome),
      ['pass'],
    );
    const kept = JSON.parse(await fs.readFile(saved, 'utf8')) as { results: object };
    assert.deepEqual(Object.keys(kept.results), ['custom.ok']);
  });
});
