/**
 * External tools for real: a fake slow tool that spawns a child must be killed with its child on
 * timeout; output streams to the log while it runs; the tool checks run a fake `bundle` on PATH
 * that prints the fixture reports (with the tools' non-zero exit codes); an untrusted workspace
 * runs none of it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { customCheck } from '../../../src/core/checks/customChecks';
import { runChecks, UNTRUSTED_SUMMARY } from '../../../src/core/checks/runner';
import {
  brakemanCheck,
  bundlerAuditCheck,
  coverageCheck,
  rspecCheck,
  rubocopCheck,
  zeitwerkCheck,
} from '../../../src/core/checks/toolChecks';
import { runTool } from '../../../src/core/checks/toolProcess';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { createLogger, silentLogger } from '../../../src/core/util/logger';

const FIXTURES = path.join(__dirname, '../../fixtures/tools');

/** True while the process exists and is not a zombie waiting for its parent to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in time');
}

/**
 * A fake `bundle` that answers `bundle exec <tool>` with the fixture reports and marks that it
 * ran.
 */
const FAKE_BUNDLE = `#!/bin/sh
touch "$UPKEEP_TEST_MARKER"
[ "$1" = exec ] || exit 64
shift
case "$1" in
  brakeman) cat "$FIXTURES/brakeman_two_findings.json"; exit 3 ;;
  bundle-audit) cat "$FIXTURES/bundler_audit_0.9.json"; exit 1 ;;
  rubocop) echo "Inspecting 2 files" >&2; cat "$FIXTURES/rubocop_1.60.json"; exit 1 ;;
  rspec)
    while [ $# -gt 0 ]; do
      if [ "$1" = --out ]; then cp "$FIXTURES/rspec_3.13_failures.json" "$2"; fi
      shift
    done
    echo "..F*"; exit 1 ;;
esac
exit 127
`;

describe('external tools', function () {
  this.timeout(30_000);
  let folder: string;
  let workspace: string;
  let bin: string;
  let marker: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-tools-'));
    workspace = path.join(folder, 'app');
    bin = path.join(folder, 'bin');
    marker = path.join(folder, 'tool-ran');
    await fs.mkdir(path.join(workspace, 'bin'), { recursive: true });
    await fs.mkdir(bin);
    const lock = (await fs.readFile(path.join(FIXTURES, 'Gemfile.lock'), 'utf8')).replace(
      '    racc (1.7.1)\n',
      '    racc (1.7.1)\n' +
        '    brakeman (6.1.2)\n' +
        '    bundler-audit (0.9.1)\n' +
        '    rubocop (1.60.2)\n' +
        '    rspec-core (3.13.0)\n',
    );
    await fs.writeFile(path.join(workspace, 'Gemfile.lock'), lock);
    await fs.writeFile(path.join(bin, 'bundle'), FAKE_BUNDLE, { mode: 0o755 });
    // bundle-audit check runs only with a copy of ruby-advisory-db, which it would download.
    const advisories = path.join(folder, 'ruby-advisory-db');
    await fs.mkdir(path.join(advisories, 'gems'), { recursive: true });
    env = {
      PATH: `${bin}:/usr/bin:/bin`,
      FIXTURES,
      UPKEEP_TEST_MARKER: marker,
      BUNDLER_AUDIT_DB: advisories,
    };
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const run = (
    definitions: CheckDefinition[],
    trusted = true,
    timeoutMs?: number,
  ): Promise<CheckResult[]> =>
    runChecks(
      definitions,
      {
        workspace,
        settings: resolveSettings(),
        clock: systemClock,
        log: silentLogger,
        trusted,
        env,
      },
      { timeoutMs },
    );

  it('kills a tool that times out together with the child it spawned', async () => {
    const pids = path.join(folder, 'pids');
    const script = path.join(folder, 'slow-tool.sh');
    await fs.writeFile(
      script,
      `#!/bin/sh\nsleep 300 &\necho "$$ $!" > "${pids}"\necho started\nsleep 300\n`,
      { mode: 0o755 },
    );
    const slow = customCheck({
      id: 'custom.slow',
      title: 'Slow tool',
      kind: 'shell',
      command: script,
      expect: {},
    });
    const started = Date.now();
    const [result] = await run([slow], true, 500);
    assert.equal(result.outcome, 'error');
    assert.equal(result.summary, 'timed out after 500 ms');
    assert.ok(Date.now() - started < 8000);

    const [tool, child] = (await fs.readFile(pids, 'utf8')).trim().split(' ').map(Number);
    await waitFor(() => !alive(tool) && !alive(child));
    assert.equal(alive(child), false, `child ${child} outlived the timeout`);
  });

  it('kills a child that ignores SIGTERM, after the grace time', async () => {
    const pids = path.join(folder, 'stubborn-pids');
    const script = path.join(folder, 'stubborn.sh');
    await fs.writeFile(
      script,
      `#!/bin/sh\nsh -c 'trap "" TERM; sleep 300' &\necho "$!" > "${pids}"\nsleep 300\n`,
      { mode: 0o755 },
    );
    const controller = new AbortController();
    const running = runTool({ command: script, args: [], cwd: folder, signal: controller.signal });
    await waitFor(async () => (await fs.readFile(pids, 'utf8').catch(() => '')).trim() !== '');
    const child = Number((await fs.readFile(pids, 'utf8')).trim());
    controller.abort(new UpkeepError('cancelled', 'Cancelled.'));
    await assert.rejects(running, (error: unknown) => UpkeepError.is(error, 'cancelled'));
    await waitFor(() => !alive(child), 5000);
  });

  it('stops a running tool and its child when the process that started it is killed', async () => {
    // SIGKILL (a CI runner's or the out-of-memory killer's) leaves runTool no chance to clean up.
    const pids = path.join(folder, 'orphan-pids');
    const script = path.join(folder, 'orphan.sh');
    await fs.writeFile(script, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > "${pids}"\nsleep 300\n`, {
      mode: 0o755,
    });
    const starter = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../../support/toolChild.ts'), script, folder],
      { cwd: path.join(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let said = '';
    starter.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
    let tool = 0;
    let child = 0;
    try {
      // Killed once runTool has returned (the tool started) and the tool has started its child.
      await waitFor(async () => (await fs.readFile(pids, 'utf8').catch(() => '')).includes(' '));
      await waitFor(() => said.includes('started'));
      [tool, child] = (await fs.readFile(pids, 'utf8')).trim().split(' ').map(Number);
      starter.kill('SIGKILL');
      await waitFor(() => !alive(tool) && !alive(child), 8000).catch(() => undefined);
      assert.equal(alive(tool), false, `tool ${tool} outlived the process that started it`);
      assert.equal(alive(child), false, `the tool's child ${child} outlived it`);
    } finally {
      starter.kill('SIGKILL');
      // The tool leads its group: this also reaches the `sleep` it waits on.
      try {
        if (tool) process.kill(-tool, 'SIGKILL');
      } catch {
        // gone already, as it should be
      }
    }
  });

  it('streams output to the log while the tool runs', async () => {
    const lines: string[] = [];
    const log = createLogger((_level, line) => lines.push(line));
    const script = path.join(folder, 'chatty.sh');
    await fs.writeFile(script, `#!/bin/sh\necho "first line"\nsleep 1\necho "second line"\n`, {
      mode: 0o755,
    });
    const running = runTool({
      command: script,
      args: [],
      cwd: folder,
      signal: new AbortController().signal,
      log,
    });
    await waitFor(() => lines.includes('first line'), 900);
    assert.ok(!lines.includes('second line'), 'the first line arrived before the tool ended');
    const output = await running;
    assert.equal(output.exitCode, 0);
    assert.equal(output.stdout, 'first line\nsecond line\n');
  });

  it('cuts a long line for the log between characters, never inside an emoji', async () => {
    const lines: string[] = [];
    const log = createLogger((_level, line) => lines.push(line));
    const emoji = '\u{1F600}';
    // The log keeps 300 characters of a line, and of an unended one over 1,200 as it arrives.
    const printed = [
      `${'a'.repeat(299)}${emoji}${'b'.repeat(10)}\n`,
      `${'c'.repeat(299)}${emoji}${'d'.repeat(2000)}`,
    ];
    const output = await runTool({
      command: process.execPath,
      args: ['-e', `process.stdout.write(${JSON.stringify(printed.join(''))})`],
      cwd: folder,
      signal: new AbortController().signal,
      log,
    });
    assert.equal(output.stdout, printed.join(''));
    // After the command line it logs first.
    const logged = lines.slice(1);
    assert.equal(logged.length, 2, logged.join('\n'));
    assert.match(logged[0], /^a{299}…$/);
    assert.match(logged[1], /^c{299}…$/);
  });

  it('reports a missing tool as tool-missing', async () => {
    await assert.rejects(
      runTool({
        command: path.join(folder, 'no-such-tool'),
        args: [],
        cwd: folder,
        signal: new AbortController().signal,
      }),
      (error: unknown) => UpkeepError.is(error, 'tool-missing'),
    );
  });

  it('reads Brakeman and bundler-audit reports although they exit non-zero', async () => {
    const [brakeman, audit] = await run([brakemanCheck, bundlerAuditCheck]);
    assert.equal(brakeman.outcome, 'warn', brakeman.summary);
    assert.deepEqual(
      brakeman.findings?.map((f) => `${f.file}:${f.line}`),
      ['app/views/users/show_follow.html.erb:25', 'app/views/users/show.html.erb:19'],
    );
    assert.equal(audit.outcome, 'fail');
    assert.equal(audit.findings?.length, 4);
    const lock = (await fs.readFile(path.join(workspace, 'Gemfile.lock'), 'utf8')).split('\n');
    assert.equal(lock[audit.findings![0].line! - 1].trim(), 'rack (1.6.13)');
  });

  it('reads RuboCop offenses and RSpec failures', async () => {
    const [rubocop, rspec] = await run([rubocopCheck, rspecCheck]);
    assert.equal(rubocop.outcome, 'warn');
    assert.equal(rubocop.summary, '2 offenses in 1 file');
    assert.equal(rspec.outcome, 'fail');
    assert.equal(rspec.summary, '3 examples, 1 failure, 1 pending');
    assert.deepEqual(
      rspec.findings?.map((f) => `${f.file}:${f.line}`),
      ['spec/models/user_spec.rb:9'],
    );
    const leftovers = (await fs.readdir(os.tmpdir())).filter((name) =>
      name.startsWith(`upkeep-rspec-${process.pid}-`),
    );
    assert.deepEqual(leftovers, [], 'the JSON report file is removed');
  });

  it('runs none of the repo tools in an untrusted workspace', async () => {
    await fs.rm(marker, { force: true });
    const script = path.join(folder, 'would-run.sh');
    await fs.writeFile(script, `#!/bin/sh\ntouch "${marker}"\n`, { mode: 0o755 });
    await fs.writeFile(
      path.join(workspace, 'bin', 'rails'),
      `#!/bin/sh\ntouch "${marker}"\necho "All is good!"\n`,
      { mode: 0o755 },
    );
    const shell = customCheck({
      id: 'custom.marker',
      title: 'Marker',
      kind: 'shell',
      command: script,
      expect: {},
    });
    const results = await run(
      [brakemanCheck, bundlerAuditCheck, rubocopCheck, rspecCheck, zeitwerkCheck, shell],
      false,
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      Array(6).fill('skipped'),
    );
    assert.ok(results.every((r) => r.summary === UNTRUSTED_SUMMARY));
    await assert.rejects(fs.stat(marker), 'nothing created the marker file');

    const [zeitwerk] = await run([zeitwerkCheck], true);
    assert.deepEqual([zeitwerk.outcome, zeitwerk.summary], ['pass', 'All is good!']);
    await fs.stat(marker);
  });

  it('skips with an install hint when bundle or the gem is missing', async () => {
    const empty = path.join(folder, 'empty-bin');
    await fs.mkdir(empty, { recursive: true });
    const [noBundle] = await runChecks([brakemanCheck], {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: true,
      env: { PATH: empty },
    });
    // cron's short PATH leaves out rbenv's shims: "not installed" sent the reader to install it.
    assert.deepEqual([noBundle.outcome, noBundle.summary], ['skipped', 'bundle is not on PATH']);
    assert.ok(noBundle.details?.startsWith(`No bundle in the folders of PATH (${empty}).`));
    assert.match(noBundle.details ?? '', /gem install bundler/);
    assert.match(noBundle.details ?? '', /rbenv, .* on PATH: a cron line has a short PATH/);

    const other = path.join(folder, 'no-gems');
    await fs.mkdir(other, { recursive: true });
    await fs.writeFile(path.join(other, 'Gemfile.lock'), 'GEM\n  specs:\n    rails (7.1.3)\n');
    const [noGem] = await runChecks([rubocopCheck], {
      workspace: other,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: true,
      env,
    });
    assert.deepEqual([noGem.outcome, noGem.summary], ['skipped', 'rubocop is not in Gemfile.lock']);
  });

  it('reads SimpleCov coverage and calls a stale report stale', async () => {
    await fs.mkdir(path.join(workspace, 'coverage'), { recursive: true });
    const report = path.join(workspace, 'coverage', '.last_run.json');
    await fs.copyFile(path.join(FIXTURES, 'simplecov_0.22_last_run.json'), report);
    const [fresh] = await run([coverageCheck]);
    assert.deepEqual([fresh.outcome, fresh.values?.linePercent], ['pass', 87.5]);
    const old = new Date(Date.now() - 40 * 86_400_000);
    await fs.utimes(report, old, old);
    const [stale] = await run([coverageCheck]);
    assert.equal(stale.outcome, 'warn');
    assert.match(stale.summary, /report 40 days old\); stale/);
  });
});
