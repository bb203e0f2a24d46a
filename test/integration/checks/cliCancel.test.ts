/**
 * `upkeep check` stopped mid-run, as cron's or CI's kill and Ctrl-C do: the run must not read as
 * a clean one (exit 0 told cron and CI that every check passed), the checks that finished keep
 * their results, and the cancelled ones are not saved as the latest word on those checks.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCli } from '../../support/cli';

const PLAYBOOK = `checks:
  - id: slow.script
    title: A script that takes its time
    kind: shell
    command: echo $$ > started && exec sleep 30
`;

/** Whether the process runs (a zombie waiting for init to reap it has stopped). */
async function running(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

async function waitFor(done: () => boolean | Promise<boolean>, why: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, why());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForFile(file: string, describe: () => string): Promise<void> {
  await waitFor(
    async () => Boolean(await fs.stat(file).catch(() => undefined)),
    () => `the slow check never started: ${describe()}`,
  );
}

describe('upkeep check cancelled by a signal', function () {
  this.timeout(120_000);
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cancel-'));
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(path.join(workspace, '.upkeep/playbook.yaml'), PLAYBOOK);
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  // SIGHUP: the ssh session or terminal the run was started from went away.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} exits 2, says so, and saves only the checks that finished`, async () => {
      const saved = path.join(workspace, 'results.json');
      const cli = startCli([
        ...['check', '--workspace', workspace, '--format', 'json', '--parallelism', '2'],
        ...['--check', 'host.diskSpace', '--check', 'slow.script', '--save', saved],
        // Skipped for a reason of its own (no storage/ folder): it finished, so it is kept.
        ...['--check', 'host.storageFolders'],
        // Each finished check logs a line: the signal comes after both quick ones ended.
        '--verbose',
      ]);
      await waitForFile(path.join(workspace, 'started'), () => cli.output().stderr);
      await waitFor(
        () =>
          ['host.diskSpace: pass', 'host.storageFolders: skipped'].every((done) =>
            cli.output().stderr.includes(done),
          ),
        () => `the quick checks never finished: ${cli.output().stderr}`,
      );
      const started = Date.now();
      cli.child.kill(signal);
      const run = await cli.exited;

      assert.ok(Date.now() - started < 10_000, 'the run stopped promptly');
      const tool = Number(await fs.readFile(path.join(workspace, 'started'), 'utf8'));
      assert.equal(await running(tool), false, `the check's command (pid ${tool}) still runs`);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.includes(`upkeep check: cancelled (${signal})`), run.stderr);
      const report = JSON.parse(run.stdout) as {
        exitCode: number;
        results: { checkId: string; outcome: string; cancelled?: boolean }[];
      };
      assert.equal(report.exitCode, 2);
      const outcomes = Object.fromEntries(
        report.results.map((r) => [r.checkId, `${r.outcome}${r.cancelled ? ', cancelled' : ''}`]),
      );
      assert.deepEqual(outcomes, {
        'host.diskSpace': 'pass',
        'slow.script': 'skipped, cancelled',
        'host.storageFolders': 'skipped',
      });

      const kept = JSON.parse(await fs.readFile(saved, 'utf8')) as Record<string, unknown>;
      const text = JSON.stringify(kept);
      assert.ok(text.includes('host.diskSpace'), text);
      assert.ok(text.includes('host.storageFolders'), `a finished check was not saved: ${text}`);
      assert.ok(!text.includes('slow.script'), `a cancelled check was saved: ${text}`);
    });
  }

  it('marks the JUnit of a cancelled run with an error, not only skips', async () => {
    const cli = startCli([
      ...['check', '--workspace', workspace, '--format', 'junit'],
      ...['--check', 'host.diskSpace', '--check', 'slow.script'],
    ]);
    await waitForFile(path.join(workspace, 'started'), () => cli.output().stderr);
    cli.child.kill('SIGTERM');
    const run = await cli.exited;
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /<testsuites [^>]*tests="3" failures="0" errors="1" skipped="1"/);
    assert.match(
      run.stdout,
      new RegExp(
        /<testcase classname="upkeep" name="run" time="0\.000">\n\s+/.source +
          /<error message="cancelled \(SIGTERM\): /.source,
      ),
    );
  });
});
