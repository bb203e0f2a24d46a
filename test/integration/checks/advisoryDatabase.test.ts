/**
 * tools.advisoryDatabase on real git checkouts made here: how old bundler-audit's copy of
 * ruby-advisory-db is (its last commit, as `bundle-audit stats` reads it), found through HOME or
 * BUNDLER_AUDIT_DB, and never updated by Upkeep.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../../src/core/checks/runner';
import { advisoryDatabaseCheck } from '../../../src/core/checks/toolChecks';
import type { CheckResult } from '../../../src/core/checks/types';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { findTask } from '../../../src/core/playbook/model';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

const NOW = new Date('2026-12-05T10:00:00.000Z');
const DAY_MS = 86_400_000;

/** A git checkout whose one commit is `daysAgo` old. */
async function advisoryDb(folder: string, daysAgo: number): Promise<string> {
  await fs.mkdir(path.join(folder, 'gems', 'rack'), { recursive: true });
  await fs.writeFile(path.join(folder, 'gems', 'rack', 'CVE-2024-0001.yml'), 'gem: rack\n');
  const date = new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString();
  const env = {
    PATH: process.env.PATH,
    HOME: folder,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: folder, env, stdio: 'ignore' });
  };
  git('init', '-q');
  git('add', '.');
  git(
    '-c',
    'user.name=Advisory',
    '-c',
    'user.email=advisory@example.invalid',
    'commit',
    '-qm',
    'x',
  );
  return folder;
}

describe('tools.advisoryDatabase', () => {
  let folder: string;
  let workspace: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-advisory-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(workspace);
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const check = async (
    env: Record<string, string | undefined>,
    trusted = true,
  ): Promise<CheckResult> => {
    const [result] = await runChecks([advisoryDatabaseCheck], {
      workspace,
      settings: resolveSettings(),
      clock: fixedClock(NOW),
      log: silentLogger,
      trusted,
      env: { PATH: process.env.PATH, ...env },
    });
    return result;
  };

  it('is what the monthly "advisory database updated" item runs, before the audit', () => {
    const item = findTask(defaultPlaybook(), 'monthly.securityUpdates')?.items.find(
      (candidate) => candidate.id === 'bundlerAudit',
    );
    assert.deepEqual(item?.checks, ['tools.advisoryDatabase', 'tools.bundlerAudit']);
    // The weekly gem audit too: bundle-audit check on an old copy misses new advisories.
    const weekly = findTask(defaultPlaybook(), 'weekly.codeQuality')?.items.find(
      (candidate) => candidate.id === 'bundlerAudit',
    );
    assert.deepEqual(weekly?.checks, ['tools.advisoryDatabase', 'tools.bundlerAudit']);
  });

  it('warns about a last commit dated after now instead of calling it fresh', async () => {
    const home = path.join(folder, 'future-home');
    await advisoryDb(path.join(home, '.local', 'share', 'ruby-advisory-db'), -3);
    const result = await check({ HOME: home });
    assert.equal(result.outcome, 'warn', result.summary);
    assert.match(result.summary, /dated 2026-12-08, after this machine's clock/);
    assert.doesNotMatch(result.summary, /-\d+ day/);
  });

  it('warns when ~/.local/share/ruby-advisory-db was last updated over 7 days ago', async () => {
    const home = path.join(folder, 'old-home');
    await advisoryDb(path.join(home, '.local', 'share', 'ruby-advisory-db'), 10);
    const result = await check({ HOME: home });
    assert.equal(result.outcome, 'warn', result.summary);
    assert.match(result.summary, /advisory database is 10 days old \(last commit 2026-11-25\)/);
    assert.match(result.summary, /bundle-audit update/);
    assert.equal(result.values?.ageDays, 10);
    assert.equal(result.values?.lastCommit, '2026-11-25T10:00:00.000Z');
  });

  it('passes a fresh one; untrusted, it runs no git and dates the last fetch', async () => {
    const home = path.join(folder, 'fresh-home');
    const db = await advisoryDb(path.join(home, '.local', 'share', 'ruby-advisory-db'), 2);
    const trusted = await check({ HOME: home }, true);
    assert.equal(trusted.outcome, 'pass', trusted.summary);
    assert.match(trusted.summary, /advisory database is 2 days old \(last commit 2026-12-03\)/);

    // A git that would fail the check shows that none runs before trust.
    const bin = path.join(folder, 'failing-git');
    await fs.mkdir(bin, { recursive: true });
    await fs.writeFile(path.join(bin, 'git'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const fetchHead = path.join(db, '.git', 'FETCH_HEAD');
    await fs.writeFile(fetchHead, '');
    const fetched = new Date(NOW.getTime() - 3 * DAY_MS);
    await fs.utimes(fetchHead, fetched, fetched);
    const untrusted = await check({ HOME: home, PATH: `${bin}:${process.env.PATH}` }, false);
    assert.equal(untrusted.outcome, 'pass', untrusted.summary);
    assert.match(untrusted.summary, /advisory database is 3 days old \(last fetch 2026-12-02\)/);
  });

  it('dates a copy pulled yesterday by the pull, though its last commit is older', async () => {
    // bundle-audit update pulls; with no new advisory upstream the last commit stays 10 days old.
    const upstream = await advisoryDb(path.join(folder, 'quiet-upstream'), 10);
    const home = path.join(folder, 'pulled-home');
    const db = path.join(home, '.local', 'share', 'ruby-advisory-db');
    await fs.mkdir(path.dirname(db), { recursive: true });
    const git = (cwd: string, ...args: string[]): void => {
      execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, HOME: home } });
    };
    git(path.dirname(db), 'clone', '-q', upstream, db);
    git(db, 'pull', '-q', 'origin');
    const pulled = new Date(NOW.getTime() - DAY_MS);
    await fs.utimes(path.join(db, '.git', 'FETCH_HEAD'), pulled, pulled);

    const result = await check({ HOME: home });
    assert.equal(result.outcome, 'pass', result.summary);
    assert.equal(result.summary, 'advisory database is 1 day old (last fetch 2026-12-04)');
    assert.equal(result.values?.lastCommit, '2026-11-25T10:00:00.000Z');
    assert.equal(result.values?.lastFetch, '2026-12-04T10:00:00.000Z');
    assert.equal(result.values?.ageDays, 1);
  });

  it('follows BUNDLER_AUDIT_DB, as bundler-audit does', async () => {
    const elsewhere = await advisoryDb(path.join(folder, 'elsewhere-db'), 30);
    const result = await check({
      HOME: path.join(folder, 'fresh-home'),
      BUNDLER_AUDIT_DB: elsewhere,
    });
    assert.equal(result.outcome, 'warn', result.summary);
    assert.equal(result.values?.ageDays, 30);
  });

  it('says what to do without a copy; skips an app without bundler-audit', async () => {
    const empty = path.join(folder, 'empty-home');
    await fs.mkdir(empty);
    const skipped = await check({ HOME: empty });
    assert.equal(skipped.outcome, 'skipped', skipped.summary);

    await fs.writeFile(
      path.join(workspace, 'Gemfile.lock'),
      'GEM\n  remote: https://rubygems.org/\n  specs:\n    bundler-audit (0.9.1)\n',
    );
    const missing = await check({ HOME: empty });
    assert.equal(missing.outcome, 'warn', missing.summary);
    assert.match(missing.summary, /no advisory database at ~\/\.local\/share\/ruby-advisory-db/);
    assert.match(missing.summary, /bundle-audit update/);
    // 0.8 dropped the copy inside the gem: bundle-audit check downloads one instead.
    assert.match(missing.summary, /bundle-audit check would download one on its first run/);
    await fs.writeFile(
      path.join(workspace, 'Gemfile.lock'),
      'GEM\n  remote: https://rubygems.org/\n  specs:\n    bundler-audit (0.7.0.1)\n',
    );
    const vendored = await check({ HOME: empty });
    assert.match(vendored.summary, /bundle-audit check uses the copy inside the gem/);
    await fs.rm(path.join(workspace, 'Gemfile.lock'));
  });

  it('takes an empty folder for no copy, as bundler-audit does', async () => {
    const empty = path.join(folder, 'empty-db');
    await fs.mkdir(empty);
    await fs.writeFile(
      path.join(workspace, 'Gemfile.lock'),
      'GEM\n  remote: https://rubygems.org/\n  specs:\n    bundler-audit (0.9.1)\n',
    );
    try {
      const result = await check({
        HOME: path.join(folder, 'empty-home'),
        BUNDLER_AUDIT_DB: empty,
      });
      assert.equal(result.outcome, 'warn', result.summary);
      assert.match(result.summary, new RegExp(`^no advisory database at ${empty}: `));
    } finally {
      await fs.rm(path.join(workspace, 'Gemfile.lock'));
    }
  });

  it('reports a folder that is not a git checkout by its modification time', async () => {
    const plain = path.join(folder, 'plain-db');
    await fs.mkdir(path.join(plain, 'gems'), { recursive: true });
    const old = new Date(NOW.getTime() - 9 * DAY_MS);
    await fs.utimes(plain, old, old);
    const result = await check({ HOME: path.join(folder, 'empty-home'), BUNDLER_AUDIT_DB: plain });
    assert.equal(result.outcome, 'warn', result.summary);
    assert.equal(result.values?.ageDays, 9);
  });
});
