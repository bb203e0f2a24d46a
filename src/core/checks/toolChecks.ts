/**
 * Checks that run the repo's own tools through Bundler (RSpec, RuboCop, Brakeman, bundler-audit,
 * `bin/rails zeitwerk:check`) and the coverage SimpleCov left behind. Every tool run needs a
 * trusted workspace; a missing tool is a skip with an install hint, never an error.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpkeepError, describeError } from '../util/errors';
import {
  gemfileLockConflictLine,
  LOCK_CONFLICT_SUMMARY,
  lockedVersion,
  parseBrakemanJson,
  parseBundlerAuditJson,
  parseRspecJson,
  parseRubocopJson,
  parseSimplecovLastRun,
  parseZeitwerkOutput,
} from './toolParsers';
import type { Criticality } from './toolParsers';
import type { ToolOutput } from './toolProcess';
import { homeFolder } from '../util/homeFolder';
import { plural } from '../util/plural';
import { findExecutable, runTool, TOOL_OUTPUT_MAX_BYTES } from './toolProcess';
import { readTextFile, readWorkspaceFile, statWorkspaceFile } from './files';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

const BUNDLER_HINT = 'Install Ruby and Bundler (gem install bundler), then run bundle install.';

/**
 * Why no `bundle` was found: it may be installed where this PATH does not lead (rbenv's shims,
 * a login shell's PATH that a cron line or an editor started from the desktop lacks).
 */
function noBundleDetails(env: Record<string, string | undefined>): string {
  return (
    `No bundle in the folders of PATH (${env.PATH ?? ''}). Install Ruby and Bundler ` +
    '(gem install bundler), then run bundle install; or, where rbenv, rvm, chruby or asdf ' +
    "provides Ruby, put its shims' or Ruby's bin folder on PATH: a cron line has a short PATH " +
    'of its own.'
  );
}

interface BundledTool {
  id: string;
  title: string;
  description: string;
  /** The gem Gemfile.lock must list. */
  gem: string;
  timeoutMs?: number;
  run(
    context: CheckContext,
    exec: (args: string[]) => Promise<ToolOutput>,
    lock: string,
  ): Promise<CheckReport>;
}

/** Runs `bundle exec ...` once the prerequisites are there, else explains what is missing. */
function bundledToolCheck(tool: BundledTool): CheckDefinition {
  return {
    id: tool.id,
    title: tool.title,
    description: tool.description,
    needsTrust: true,
    timeoutMs: tool.timeoutMs,
    async run(context: CheckContext): Promise<CheckReport> {
      const lock = await readTextFile(path.join(context.workspace, 'Gemfile.lock'));
      if (lock === undefined) {
        return { outcome: 'skipped', summary: 'no Gemfile.lock in the workspace' };
      }
      const conflict = gemfileLockConflictLine(lock);
      if (conflict !== undefined) return conflictedLock(tool.id, conflict);
      if (!new RegExp(`^ {4}${tool.gem} \\(`, 'm').test(lock)) {
        return {
          outcome: 'skipped',
          summary: `${tool.gem} is not in Gemfile.lock`,
          details:
            `Add gem '${tool.gem}' to the Gemfile (group :development, :test) ` +
            'and run bundle install.',
        };
      }
      const env = context.env ?? process.env;
      const bundle = await findExecutable('bundle', env);
      if (!bundle) {
        return {
          outcome: 'skipped',
          summary: 'bundle is not on PATH',
          details: noBundleDetails(env),
        };
      }

      const exec = async (args: string[]): Promise<ToolOutput> => {
        const output = await runTool({
          command: bundle,
          args: ['exec', ...args],
          cwd: context.workspace,
          signal: context.signal,
          log: context.log,
          env,
        });
        const refusal = bundlerRefusal(args[0], output);
        if (refusal) throw new UpkeepError('tool-missing', refusal, lastLines(output.stderr));
        return output;
      };
      try {
        return await tool.run(context, exec, lock);
      } catch (error) {
        if (UpkeepError.is(error, 'tool-missing')) {
          return {
            outcome: 'skipped',
            summary: error.message,
            details: error.hint ?? BUNDLER_HINT,
          };
        }
        throw error;
      }
    },
  };
}

/**
 * Bundler's, RubyGems' or rbenv's refusal to start the tool, as a summary that says what to
 * run: the tool did not run, so nothing it checks is known. Matched on what they print to stderr
 * (with their exit codes) when stdout is empty: Brakeman too exits 7, with its report on stdout.
 */
export function bundlerRefusal(tool: string, output: ToolOutput): string | undefined {
  if (output.stdout.trim()) return undefined;
  const said = output.stderr;
  if (output.exitCode === 127 && /^bundler: command not found: /m.test(said)) {
    return `bundle exec finds no ${tool}: run bundle install`;
  }
  if (
    output.exitCode === 7 &&
    /^Could not find .+ in (?:locally installed gems|any of the sources)/m.test(said)
  ) {
    return 'the gems of Gemfile.lock are not installed: run bundle install';
  }
  const bundler = /Could not find 'bundler' \(([\w.-]{1,40})\) required by your /.exec(said);
  if (bundler) {
    return (
      `Bundler ${bundler[1]} (BUNDLED WITH in Gemfile.lock) is not installed: ` +
      `run gem install bundler:${bundler[1]}`
    );
  }
  // rbenv's shim for `bundle`, when the Ruby .ruby-version names is not installed.
  const rbenv =
    /^rbenv: version `([\w.-]{1,40})' is not installed \(set by ([^)\r\n]{1,500})\)/m.exec(said);
  if (rbenv) {
    const from = rbenv[2].includes('/') ? path.basename(rbenv[2]) : rbenv[2];
    return `Ruby ${rbenv[1]} of ${from} is not installed: run rbenv install ${rbenv[1]}`;
  }
  const ruby =
    /^Your Ruby version is ([\w.-]{1,40}), but your Gemfile specified ([^\r\n]{1,40})/m.exec(said);
  if (ruby) {
    return `Ruby ${ruby[1]} is in use, the Gemfile asks for ${ruby[2]}: switch Ruby (rbenv, asdf)`;
  }
  return undefined;
}

/** The end of what a tool printed, for a result's details. */
function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join('\n').slice(0, 600);
}

/** Bundler refuses a lockfile with conflict markers; no tool can run until they are resolved. */
function conflictedLock(checkId: string, line: number): CheckReport {
  return {
    outcome: 'error',
    summary: LOCK_CONFLICT_SUMMARY,
    findings: [
      {
        file: 'Gemfile.lock',
        line,
        severity: 'error',
        source: checkId,
        message: 'merge conflict marker: Bundler reads no lockfile that has one',
      },
    ],
  };
}

/**
 * A tool that ran but produced nothing readable: say what it printed, or that its report (on
 * stdout, which `error` failed to parse) was too large to keep whole.
 */
function toolBroke(tool: string, output: ToolOutput, error?: unknown): CheckReport {
  if (error !== undefined && output.stdoutDropped) {
    const megabytes = Math.round(TOOL_OUTPUT_MAX_BYTES / (1024 * 1024));
    return {
      outcome: 'error',
      summary:
        `${tool} exited ${output.exitCode ?? output.killedBy} with a report over ` +
        `${megabytes} MB, more than Upkeep keeps (its start was cut off)`,
      details: `To read it whole, run bundle exec ${tool} in a terminal.`,
    };
  }
  const said = (output.stderr || output.stdout)
    .trim()
    .split('\n')
    .slice(-3)
    .join(' ')
    .slice(0, 300);
  // A report that began (an object on stdout) but did not parse: cut short, or not the tool's.
  const broken = error !== undefined && output.stdout.includes('{');
  return {
    outcome: 'error',
    summary:
      `${tool} exited ${output.exitCode ?? output.killedBy} ` +
      (broken ? 'with a broken report' : 'without a report') +
      (error ? ` (${describeError(error)})` : ''),
    details: said || `${tool} printed nothing, on stdout or stderr.`,
  };
}

export const rspecCheck = bundledToolCheck({
  id: 'tools.rspec',
  title: 'Test suite passes',
  description:
    'bundle exec rspec with the JSON formatter: example counts and failures at their lines.',
  gem: 'rspec-core',
  timeoutMs: 30 * 60 * 1000,
  async run(context, exec) {
    // The JSON goes to a temporary file outside the repo, so the progress output can stream to the
    // log.
    const report = path.join(os.tmpdir(), `upkeep-rspec-${process.pid}-${Date.now()}.json`);
    try {
      const output = await exec([
        'rspec',
        '--format',
        'progress',
        '--format',
        'json',
        '--out',
        report,
      ]);
      const text = await fs.readFile(report, 'utf8').catch(() => undefined);
      if (!text) return toolBroke('rspec', output);
      const result = parseRspecJson(text, context.workspace);
      const values = {
        examples: result.examples,
        failures: result.failures,
        pending: result.pending,
        durationSeconds: result.durationSeconds,
      };
      const line =
        result.summaryLine ||
        `${plural(result.examples, 'example')}, ${plural(result.failures, 'failure')}`;
      if (result.failures || result.errorsOutsideExamples) {
        const outside = result.errorsOutsideExamples
          ? `, ${plural(result.errorsOutsideExamples, 'error')} outside examples`
          : '';
        return { outcome: 'fail', summary: `${line}${outside}`, values, findings: result.findings };
      }
      if (!result.examples) return { outcome: 'warn', summary: 'rspec ran no example', values };
      return { outcome: 'pass', summary: `${line} in ${result.durationSeconds} s`, values };
    } finally {
      await fs.rm(report, { force: true });
    }
  },
});

export const rubocopCheck = bundledToolCheck({
  id: 'tools.rubocop',
  title: 'RuboCop',
  description: 'bundle exec rubocop --format json: offenses at their lines.',
  gem: 'rubocop',
  timeoutMs: 10 * 60 * 1000,
  async run(context, exec) {
    const output = await exec(['rubocop', '--format', 'json']);
    // 0 clean, 1 offenses, 2 RuboCop itself failed (bad config).
    if (output.exitCode === 2 || output.exitCode === null) return toolBroke('rubocop', output);
    let parsed;
    try {
      parsed = parseRubocopJson(output.stdout, context.workspace);
    } catch (error) {
      return toolBroke('rubocop', output, error);
    }
    const errors = parsed.findings.filter((f) => f.severity === 'error').length;
    const values = { files: parsed.files, offenses: parsed.findings.length, errors };
    if (!parsed.findings.length) {
      return { outcome: 'pass', summary: `${plural(parsed.files, 'file')}, no offenses`, values };
    }
    const files = new Set(parsed.findings.map((f) => f.file)).size;
    return {
      outcome: errors ? 'fail' : 'warn',
      summary: `${plural(parsed.findings.length, 'offense')} in ${plural(files, 'file')}`,
      values,
      findings: parsed.findings,
    };
  },
});

export const brakemanCheck = bundledToolCheck({
  id: 'tools.brakeman',
  title: 'Brakeman security scan',
  description:
    'bundle exec brakeman -f json: security warnings at their lines ' +
    '(it exits non-zero when it finds some).',
  gem: 'brakeman',
  timeoutMs: 10 * 60 * 1000,
  async run(context, exec) {
    const output = await exec(['brakeman', '-f', 'json', '-q', '--no-pager']);
    let parsed;
    try {
      parsed = parseBrakemanJson(output.stdout, context.workspace);
    } catch (error) {
      return toolBroke('brakeman', output, error);
    }
    return judgeBrakeman(parsed);
  },
});

export function judgeBrakeman(parsed: ReturnType<typeof parseBrakemanJson>): CheckReport {
  const values = {
    warnings: parsed.findings.length,
    high: parsed.high,
    errors: parsed.errors.length,
  };
  const details = parsed.errors.length
    ? `Brakeman errors:\n${parsed.errors.join('\n')}`
    : undefined;
  if (!parsed.findings.length) {
    return {
      outcome: parsed.errors.length ? 'warn' : 'pass',
      summary: 'no security warnings',
      values,
      details,
    };
  }
  const warnings = plural(parsed.findings.length, 'security warning');
  return {
    outcome: parsed.high ? 'fail' : 'warn',
    summary: `${warnings} (${parsed.high} high confidence)`,
    values,
    details,
    findings: parsed.findings,
  };
}

export const bundlerAuditCheck = bundledToolCheck({
  id: 'tools.bundlerAudit',
  title: 'Gem vulnerabilities (bundler-audit)',
  description:
    'bundle exec bundle-audit check --format json: vulnerable gems at their Gemfile.lock lines.',
  gem: 'bundler-audit',
  async run(context, exec, lock) {
    const version = lockedVersion(lock, 'bundler-audit');
    if (version && auditBefore08(version)) {
      return {
        outcome: 'skipped',
        summary:
          `bundler-audit ${version} writes no JSON report (0.8 and later do): ` +
          'run bundle update bundler-audit',
      };
    }
    // 0.8 and later clone ruby-advisory-db from GitHub when there is no copy: not from a check.
    const env = context.env ?? process.env;
    const database = advisoryDatabasePath(env);
    if (!(await advisoryDatabaseThere(database))) {
      return {
        outcome: 'skipped',
        summary:
          `no advisory database at ${shownDatabasePath(env, database)}: bundle-audit check ` +
          'would download one; run bundle exec bundle-audit update',
      };
    }

    const output = await exec(['bundle-audit', 'check', '--format', 'json']);
    let parsed;
    try {
      parsed = parseBundlerAuditJson(output.stdout, lock);
    } catch (error) {
      return toolBroke('bundle-audit', output, error);
    }
    return judgeBundlerAudit(parsed.findings, parsed.criticality);
  },
});

/** Any advisory fails; the summary counts those bundler-audit rated critical or high. */
export function judgeBundlerAudit(
  findings: Finding[],
  criticality: Partial<Record<Criticality, number>> = {},
): CheckReport {
  const gems = new Set(findings.map((f) => f.message.split(' ')[0])).size;
  const critical = criticality.critical ?? 0;
  const high = criticality.high ?? 0;
  const values = { advisories: findings.length, gems, critical, high };
  if (!findings.length) return { outcome: 'pass', summary: 'no vulnerable gems', values };
  const rated = [critical && `${critical} critical`, high && `${high} high`].filter(Boolean);
  return {
    outcome: 'fail',
    summary:
      `${findings.length} ${findings.length === 1 ? 'advisory' : 'advisories'} ` +
      `for ${plural(gems, 'gem')}` +
      (rated.length ? ` (${rated.join(', ')})` : ''),
    values,
    findings,
  };
}

/** bundler-audit's advisories are worth as much as their last update (the monthly task). */
export const ADVISORY_DB_MAX_DAYS = 7;
const UPDATE_HINT = 'run bundle-audit update (or bundle exec bundle-audit update)';

/**
 * Where bundler-audit keeps ruby-advisory-db: `BUNDLER_AUDIT_DB`, else
 * `~/.local/share/ruby-advisory-db` (a git checkout that `bundle-audit update` pulls); none for
 * a user with no home folder.
 */
export function advisoryDatabasePath(env: Record<string, string | undefined>): string | undefined {
  if (env.BUNDLER_AUDIT_DB) return path.resolve(env.BUNDLER_AUDIT_DB);
  const home = homeFolder(env);
  return home && path.join(home, '.local', 'share', 'ruby-advisory-db');
}

/** The database's folder as a summary shows it: under `~` when in the home folder. */
function shownDatabasePath(
  env: Record<string, string | undefined>,
  folder: string | undefined,
): string {
  const home = homeFolder(env);
  if (!folder) {
    return (
      '~/.local/share/ruby-advisory-db (this user has no home folder; BUNDLER_AUDIT_DB ' +
      'names another)'
    );
  }
  return home && folder.startsWith(home + path.sep) ? `~${folder.slice(home.length)}` : folder;
}

/** Whether bundler-audit finds a copy there: a folder with something in it, as it tests. */
async function advisoryDatabaseThere(folder: string | undefined): Promise<boolean> {
  const entries = folder ? await fs.readdir(folder).catch(() => undefined) : undefined;
  return Boolean(entries?.length);
}

/** bundler-audit before 0.8 kept a copy of the database inside the gem, and wrote no JSON. */
function auditBefore08(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === 0 && minor < 8;
}

/**
 * The advisory database's age: the newer of the checkout's last commit (as bundler-audit dates
 * it) and its last pull, or the folder's modification time when it is no checkout. Upkeep never
 * updates it: that needs the network, and is the maintainer's call.
 */
export const advisoryDatabaseCheck: CheckDefinition = {
  id: 'tools.advisoryDatabase',
  title: 'Advisory database up to date',
  description:
    `How long ago bundler-audit's ruby-advisory-db was updated; warns after ` +
    `${ADVISORY_DB_MAX_DAYS} days (bundle-audit check does not update it).`,
  async run(context: CheckContext): Promise<CheckReport> {
    const env = context.env ?? process.env;
    const folder = advisoryDatabasePath(env);
    const shown = shownDatabasePath(env, folder);

    const stat = folder ? await fs.stat(folder).catch(() => undefined) : undefined;
    if (!folder || !stat?.isDirectory() || !(await advisoryDatabaseThere(folder))) {
      // Untrusted, a lockfile linked out of the folder throws `untrusted`: the check waits.
      const lock = await readWorkspaceFile(context, 'Gemfile.lock');
      const version = lock && lockedVersion(lock, 'bundler-audit');
      if (!version) {
        return { outcome: 'skipped', summary: `no advisory database at ${shown}` };
      }
      const instead = auditBefore08(version)
        ? 'bundle-audit check uses the copy inside the gem, as old as the gem'
        : 'bundle-audit check would download one on its first run';
      return {
        outcome: 'warn',
        summary: `no advisory database at ${shown}: ${instead}; ${UPDATE_HINT}`,
        values: { path: shown },
      };
    }

    const dated = await lastAdvisoryUpdate(context, env, folder, stat.mtime);
    if ('problem' in dated) return { outcome: 'error', summary: dated.problem };
    const ageDays = Math.floor((context.clock.now().getTime() - dated.at.getTime()) / 86_400_000);
    const values = {
      path: shown,
      lastCommit: (dated.commit ?? dated.at).toISOString(),
      ...(dated.fetch && { lastFetch: dated.fetch.toISOString() }),
      ageDays,
    };
    const age =
      `advisory database is ${plural(ageDays, 'day')} old ` +
      `(${dated.source} ${dated.at.toISOString().slice(0, 10)})`;
    if (ageDays < 0) {
      // A clock or a checkout that is wrong: how old the copy is cannot be told.
      const when = `${dated.source} dated ${dated.at.toISOString().slice(0, 10)}`;
      const summary = `advisory database ${when}, after this machine's clock; ${UPDATE_HINT}`;
      return { outcome: 'warn', summary, values };
    }
    if (ageDays > ADVISORY_DB_MAX_DAYS) {
      return { outcome: 'warn', summary: `${age}; ${UPDATE_HINT}`, values };
    }
    return { outcome: 'pass', summary: age, values };
  },
};

interface AdvisoryUpdate {
  at: Date;
  source: string;
  /** The checkout's last commit, when git dated it. */
  commit?: Date;
  /** When `bundle-audit update` last pulled (.git/FETCH_HEAD), when it has. */
  fetch?: Date;
}

/**
 * When the copy was last brought up to date: the newer of its last commit and its last fetch,
 * since a pull that finds no new advisory leaves the last commit as old as it was.
 */
async function lastAdvisoryUpdate(
  context: CheckContext,
  env: Record<string, string | undefined>,
  folder: string,
  modified: Date,
): Promise<AdvisoryUpdate | { problem: string }> {
  if (!(await fs.stat(path.join(folder, '.git')).catch(() => undefined))) {
    return { at: modified, source: 'folder modified' };
  }
  const fetched = await fs.stat(path.join(folder, '.git', 'FETCH_HEAD')).catch(() => undefined);
  const fetch = fetched?.mtime;
  if (!context.trusted) {
    // No external tool before trust, git included: the time of the last fetch tells as much.
    return fetch
      ? { at: fetch, source: 'last fetch', fetch }
      : { at: modified, source: 'folder modified' };
  }
  const git = await findExecutable('git', env);
  if (!git) return { problem: `git is not installed: cannot date the checkout at ${folder}` };
  // log reads history only: it starts no hook or fsmonitor and needs no network.
  const output = await runTool({
    command: git,
    args: ['--no-pager', 'log', '-1', '--format=%cI'],
    cwd: folder,
    signal: context.signal,
    log: context.log,
    env,
  });
  const commit = new Date(output.stdout.trim());
  if (output.exitCode !== 0 || Number.isNaN(commit.getTime())) {
    const said = output.stderr.trim().split('\n')[0]?.slice(0, 200) ?? '';
    return { problem: `cannot read the advisory database's last commit: ${said || 'no date'}` };
  }
  return fetch && fetch > commit
    ? { at: fetch, source: 'last fetch', commit, fetch }
    : { at: commit, source: 'last commit', commit, fetch };
}

export const zeitwerkCheck: CheckDefinition = {
  id: 'tools.zeitwerk',
  title: 'Zeitwerk autoloading',
  description: 'bin/rails zeitwerk:check: every file defines the constant its name promises.',
  needsTrust: true,
  timeoutMs: 5 * 60 * 1000,
  async run(context: CheckContext): Promise<CheckReport> {
    const rails = path.join(context.workspace, 'bin', 'rails');
    if (!(await findExecutable(rails, context.env ?? process.env))) {
      return { outcome: 'skipped', summary: 'no executable bin/rails in the workspace' };
    }
    let output: ToolOutput;
    try {
      output = await runTool({
        command: rails,
        args: ['zeitwerk:check'],
        cwd: context.workspace,
        signal: context.signal,
        log: context.log,
        env: context.env,
      });
    } catch (error) {
      if (UpkeepError.is(error, 'tool-missing')) {
        return {
          outcome: 'skipped',
          summary: 'bin/rails cannot start (is Ruby installed?)',
          details: BUNDLER_HINT,
        };
      }
      throw error;
    }
    const text = `${output.stdout}\n${output.stderr}`;
    const findings = parseZeitwerkOutput(text, context.workspace);
    if (output.exitCode === 0 && /All is good/i.test(text)) {
      return { outcome: 'pass', summary: 'All is good!' };
    }
    if (findings.length) {
      return {
        outcome: 'fail',
        summary: `${plural(findings.length, 'file')} not matching their constant`,
        findings,
      };
    }
    if (output.exitCode === 0) return { outcome: 'pass', summary: 'zeitwerk:check exited 0' };
    return toolBroke('zeitwerk:check', output);
  },
};

/** A coverage report older than this is reported as stale: it no longer describes the code. */
export const COVERAGE_STALE_DAYS = 30;
/**
 * Below this line coverage the check warns; a team's own bar belongs in SimpleCov's
 * minimum_coverage.
 */
export const COVERAGE_WARN_PERCENT = 80;

export const coverageCheck: CheckDefinition = {
  id: 'tools.coverage',
  title: 'Test coverage',
  description:
    'Line coverage from coverage/.last_run.json (written ' +
    'by SimpleCov, e.g. COVERAGE=true bundle exec rspec).',
  async run(context: CheckContext): Promise<CheckReport> {
    // Untrusted, a report linked out of the folder waits, one put there after that check is
    // refused: its figure and age are another's.
    const file = path.join('coverage', '.last_run.json');
    const stat = await statWorkspaceFile(context, file);
    if (!stat) {
      return {
        outcome: 'skipped',
        summary: 'no coverage/.last_run.json (run COVERAGE=true bundle exec rspec with SimpleCov)',
      };
    }
    const coverage = parseSimplecovLastRun((await readWorkspaceFile(context, file)) ?? '');
    const days = Math.floor((context.clock.now().getTime() - stat.mtimeMs) / 86_400_000);
    const values = {
      linePercent: coverage.line,
      branchPercent: coverage.branch ?? null,
      reportAgeDays: days,
    };
    const branch = coverage.branch !== undefined ? `, ${coverage.branch} % branches` : '';
    const age = `report ${plural(days, 'day')} old`;
    const summary = `${coverage.line} % of lines covered${branch} (${age})`;
    if (coverage.line < COVERAGE_WARN_PERCENT) {
      return { outcome: 'warn', summary: `${summary}; below ${COVERAGE_WARN_PERCENT} %`, values };
    }
    if (days > COVERAGE_STALE_DAYS) {
      return { outcome: 'warn', summary: `${summary}; stale`, values };
    }
    return { outcome: 'pass', summary, values };
  },
};
