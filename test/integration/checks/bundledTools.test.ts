/**
 * Brakeman and bundler-audit runs that leave no report to read: a fake `bundle` on PATH answers
 * as Bundler and RubyGems do (the gem's executable missing, the bundle not installed, the
 * lockfile's Bundler or Ruby not installed), a Gemfile.lock left with merge conflict markers, no
 * advisory database, a report too large to keep. Each is a skip or an error that says what to
 * run, never a tool that "exited 127 without a report".
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../../src/core/checks/runner';
import { brakemanCheck, bundlerAuditCheck } from '../../../src/core/checks/toolChecks';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

const FIXTURES = path.join(__dirname, '../../fixtures/tools');

/** Bundler's and RubyGems' own words (bundler/cli/exec.rb, errors.rb, rubygems.rb). */
const REFUSALS: Record<string, string> = {
  'command-not-found':
    'echo "bundler: command not found: $2" >&2\n' +
    'echo "Install missing gem executables with \\`bundle install\\`" >&2\nexit 127',
  'gems-missing':
    'echo "Could not find brakeman-6.1.2, bundler-audit-0.9.1 in locally installed gems" >&2\n' +
    'echo "Run \\`bundle install\\` to install missing gems." >&2\nexit 7',
  'bundler-missing':
    'echo "/usr/lib/ruby/3.1.0/rubygems.rb:265:in \\`find_spec_for_exe\': ' +
    "Could not find 'bundler' (2.4.10) required by your $PWD/Gemfile.lock. " +
    '(Gem::GemNotFoundException)" >&2\n' +
    'echo "To update to the latest version installed on your system, run ' +
    '\\`bundle update --bundler\\`." >&2\n' +
    'echo "To install the missing version, run \\`gem install bundler:2.4.10\\`" >&2\nexit 1',
  'rbenv-missing':
    'echo "rbenv: version \\`3.2.2\' is not installed (set by $PWD/.ruby-version)" >&2\nexit 1',
  'ruby-mismatch':
    'echo "Your Ruby version is 3.1.2, but your Gemfile specified ~> 3.2.2" >&2\nexit 18',
};

describe('bundled security tools that cannot start', function () {
  this.timeout(30_000);
  let folder: string;
  let workspace: string;
  let bin: string;
  let lock: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bundled-'));
    workspace = path.join(folder, 'app');
    bin = path.join(folder, 'bin');
    await fs.mkdir(workspace);
    await fs.mkdir(bin);
    lock = (await fs.readFile(path.join(FIXTURES, 'Gemfile.lock'), 'utf8')).replace(
      '    racc (1.7.1)\n',
      '    racc (1.7.1)\n    brakeman (6.1.2)\n    bundler-audit (0.9.1)\n',
    );
    await fs.writeFile(path.join(workspace, 'Gemfile.lock'), lock);
    // A copy of ruby-advisory-db is there: bundle-audit check would not download one.
    await fs.mkdir(path.join(folder, 'advisory-db', 'gems'), { recursive: true });
    await fs.mkdir(path.join(folder, 'empty-db'));
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const run = async (
    bundleBody: string,
    env: Record<string, string> = {},
  ): Promise<CheckResult[]> => {
    await fs.writeFile(path.join(bin, 'bundle'), `#!/bin/sh\n${bundleBody}\n`, { mode: 0o755 });
    return runChecks([brakemanCheck, bundlerAuditCheck], {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: true,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        BUNDLER_AUDIT_DB: path.join(folder, 'advisory-db'),
        ...env,
      },
    });
  };

  it('skips a tool whose executable the bundle lacks, saying to run bundle install', async () => {
    const results = await run(REFUSALS['command-not-found']);
    assert.deepEqual(
      results.map((r) => [r.outcome, r.summary]),
      [
        ['skipped', 'bundle exec finds no brakeman: run bundle install'],
        ['skipped', 'bundle exec finds no bundle-audit: run bundle install'],
      ],
    );
    assert.match(results[0].details ?? '', /bundler: command not found: brakeman/);
  });

  it('skips when the gems of Gemfile.lock are not installed', async () => {
    const results = await run(REFUSALS['gems-missing']);
    for (const result of results) {
      assert.equal(result.outcome, 'skipped');
      assert.equal(
        result.summary,
        'the gems of Gemfile.lock are not installed: run bundle install',
      );
      assert.match(result.details ?? '', /Could not find brakeman-6\.1\.2/);
    }
  });

  it('skips when the Bundler of BUNDLED WITH is not installed, naming the command', async () => {
    const [brakeman] = await run(REFUSALS['bundler-missing']);
    assert.equal(brakeman.outcome, 'skipped');
    assert.equal(
      brakeman.summary,
      'Bundler 2.4.10 (BUNDLED WITH in Gemfile.lock) is not installed: ' +
        'run gem install bundler:2.4.10',
    );
  });

  it("skips when rbenv lacks the app's Ruby, naming the rbenv command", async () => {
    const [brakeman] = await run(REFUSALS['rbenv-missing']);
    assert.deepEqual(
      [brakeman.outcome, brakeman.summary],
      ['skipped', 'Ruby 3.2.2 of .ruby-version is not installed: run rbenv install 3.2.2'],
    );
  });

  it('skips when the Ruby in use is not the one the Gemfile asks for', async () => {
    const [brakeman] = await run(REFUSALS['ruby-mismatch']);
    assert.deepEqual(
      [brakeman.outcome, brakeman.summary],
      ['skipped', 'Ruby 3.1.2 is in use, the Gemfile asks for ~> 3.2.2: switch Ruby (rbenv, asdf)'],
    );
  });

  it('still reads a report whatever the tool printed on stderr', async () => {
    // Brakeman exits 7 when it hit errors; its report is on stdout all the same.
    const [brakeman] = await run(
      `echo "Could not find x in locally installed gems" >&2\n` +
        `cat '${FIXTURES}/brakeman_two_findings.json'\nexit 7`,
    );
    assert.deepEqual([brakeman.outcome, brakeman.findings?.length], ['warn', 2]);
  });

  it('names the merge conflict in Gemfile.lock and runs nothing', async () => {
    const marker = path.join(folder, 'ran');
    const conflicted = lock.replace(
      '    rack (1.6.13)\n',
      '<<<<<<< HEAD\n    rack (1.6.13)\n=======\n    rack (2.2.8)\n>>>>>>> upgrade-rack\n',
    );
    await fs.writeFile(path.join(workspace, 'Gemfile.lock'), conflicted.replace(/\n/g, '\r\n'));
    try {
      const results = await run(`touch '${marker}'\nexit 0`);
      for (const result of results) {
        assert.equal(result.outcome, 'error');
        assert.equal(
          result.summary,
          'Gemfile.lock has merge conflict markers: resolve them, then run bundle install',
        );
        assert.deepEqual(
          result.findings?.map((f) => `${f.file}:${f.line} ${f.severity}`),
          ['Gemfile.lock:6 error'],
        );
      }
      await assert.rejects(fs.stat(marker), 'bundle did not run');
    } finally {
      await fs.writeFile(path.join(workspace, 'Gemfile.lock'), lock);
    }
  });

  it('runs no bundle-audit check that would download the advisory database', async () => {
    // bundler-audit 0.8 and later clone ruby-advisory-db from GitHub when the folder is missing
    // or empty; Upkeep leaves the network to the maintainer's bundle-audit update.
    const marker = path.join(folder, 'audit-ran');
    const body =
      `[ "$2" = bundle-audit ] && touch '${marker}'\n` +
      `cat '${FIXTURES}/brakeman_no_findings.json'`;
    for (const database of [path.join(folder, 'no-db'), path.join(folder, 'empty-db')]) {
      const [brakeman, audit] = await run(body, { BUNDLER_AUDIT_DB: database });
      assert.equal(brakeman.outcome, 'pass');
      assert.deepEqual(
        [audit.outcome, audit.summary],
        [
          'skipped',
          `no advisory database at ${database}: bundle-audit check would download one; ` +
            'run bundle exec bundle-audit update',
        ],
      );
    }
    await assert.rejects(fs.stat(marker), 'bundle-audit did not run');
  });

  it('skips bundler-audit before 0.8, which has no JSON report', async () => {
    await fs.writeFile(
      path.join(workspace, 'Gemfile.lock'),
      lock.replace('bundler-audit (0.9.1)', 'bundler-audit (0.7.0.1)'),
    );
    try {
      const [, audit] = await run(`cat '${FIXTURES}/bundler_audit_0.9.txt'\nexit 1`);
      assert.deepEqual(
        [audit.outcome, audit.summary],
        [
          'skipped',
          'bundler-audit 0.7.0.1 writes no JSON report (0.8 and later do): ' +
            'run bundle update bundler-audit',
        ],
      );
    } finally {
      await fs.writeFile(path.join(workspace, 'Gemfile.lock'), lock);
    }
  });

  it('says a report too large to keep was cut, rather than quote broken JSON', async () => {
    // 34 MB of blanks inside the warnings list: past the 32 MB kept, the start is dropped.
    const [brakeman] = await run(
      `printf '{"warnings":['\nhead -c 34000000 /dev/zero | tr '\\0' ' '\n` +
        `printf '],"errors":[]}'\nexit 0`,
    );
    assert.equal(brakeman.outcome, 'error');
    assert.equal(
      brakeman.summary,
      'brakeman exited 0 with a report over 32 MB, more than Upkeep keeps (its start was cut off)',
    );
    assert.match(brakeman.details ?? '', /run bundle exec brakeman in a terminal/);
  });

  it('says a silent exit printed nothing, and a cut report is a broken one', async () => {
    const [silent] = await run('exit 1');
    assert.deepEqual(
      [silent.outcome, silent.summary, silent.details],
      [
        'error',
        'brakeman exited 1 without a report (brakeman printed no JSON report)',
        'brakeman printed nothing, on stdout or stderr.',
      ],
    );
    const [cut] = await run(`head -c 2500 '${FIXTURES}/brakeman_two_findings.json'\nexit 3`);
    assert.equal(cut.outcome, 'error');
    assert.match(
      cut.summary,
      /^brakeman exited 3 with a broken report \(brakeman's report is not valid JSON: /,
    );
  });
});
