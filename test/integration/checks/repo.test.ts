/**
 * Repository and documentation checks on a git repository the test builds with simple-git
 * (commits with set dates, a local upstream it falls behind), and real files on disk.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import {
  brokenLinksCheck,
  generatedDocsCheck,
  staleDocsCheck,
} from '../../../src/core/checks/docsChecks';
import {
  behindUpstreamCheck,
  pendingMigrationsCheck,
  uncommittedCheck,
  versionsCheck,
} from '../../../src/core/checks/repoChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { filterParametersCheck } from '../../../src/core/checks/securityChecks';
import { healthEmailCheck } from '../../../src/core/checks/healthChecks';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

async function write(root: string, file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await fs.writeFile(path.join(root, file), text);
}

async function commit(git: SimpleGit, message: string, date: string): Promise<void> {
  await git.add('.');
  // The author date is what `git log` reports; simple-git guards GIT_*_DATE variables.
  await git.commit(message, undefined, { '--date': date });
}

describe('repository and documentation checks', function () {
  this.timeout(30_000);
  let folder: string;
  let repo: string;
  let git: SimpleGit;

  const run = async (
    definition: CheckDefinition,
    workspace = repo,
    trusted = true,
  ): Promise<CheckResult> =>
    (
      await runChecks([definition], {
        workspace,
        settings: resolveSettings(),
        clock: systemClock,
        log: silentLogger,
        trusted,
      })
    )[0];

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-repo-'));
    repo = path.join(folder, 'app');
    await fs.mkdir(repo);
    git = simpleGit(repo);
    await git.init(['--initial-branch=main']);
    await git.addConfig('user.name', 'Upkeep Test');
    await git.addConfig('user.email', 'test@upkeep.invalid');

    await write(
      repo,
      'README.md',
      '# App\n\nSee [setup](docs/setup.md#install-ruby) and [models](docs/models.md).\n',
    );
    await write(
      repo,
      'docs/setup.md',
      '# Setup\n\n## Install Ruby\n\nUse `.ruby-version`. See [the README](../README.md#app).\n',
    );
    await write(
      repo,
      'docs/models.md',
      '# Models\n\nUsers live in app/models/user.rb; bookings in app/models/booking.rb.\n',
    );
    await write(repo, 'app/models/user.rb', 'class User < ApplicationRecord\nend\n');
    await write(repo, 'app/models/booking.rb', 'class Booking < ApplicationRecord\nend\n');
    await write(repo, '.ruby-version', '3.2.2\n');
    await write(repo, '.nvmrc', 'v20.11.0\n');
    await write(
      repo,
      'Gemfile.lock',
      'GEM\n  specs:\n    rails (7.1.3)\n    railties (7.1.3)\n\nRUBY VERSION\n   ruby 3.2.2p53\n',
    );
    await write(
      repo,
      'db/schema.rb',
      'ActiveRecord::Schema[7.1].define(version: 2024_03_01_120000) do\nend\n',
    );
    await write(
      repo,
      'db/migrate/20240101000000_create_users.rb',
      'class CreateUsers < ActiveRecord::Migration[7.1]; end\n',
    );
    await write(
      repo,
      'db/migrate/20240301120000_create_bookings.rb',
      'class CreateBookings < ActiveRecord::Migration[7.1]; end\n',
    );
    await commit(git, 'Start', '2026-01-10T10:00:00Z');

    // The model changes after the doc that describes it.
    await write(
      repo,
      'app/models/user.rb',
      'class User < ApplicationRecord\n  has_many :bookings\nend\n',
    );
    await commit(git, 'Users have bookings', '2026-03-15T10:00:00Z');
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('finds docs older than the code they mention, at the mention', async () => {
    const result = await run(staleDocsCheck);
    assert.equal(result.outcome, 'warn');
    assert.deepEqual(
      result.findings?.map((f) => [f.file, f.line, f.message]),
      [['docs/models.md', 3, 'app/models/user.rb was committed 64 days after this doc']],
    );
  });

  it('in a shallow clone judges only what its history dates', async () => {
    // A CI checkout of depth 1 gives every file the one commit's date: the stale doc passed.
    const clone = async (depth: number): Promise<string> => {
      const target = path.join(folder, `shallow-${depth}`);
      await simpleGit().clone(`file://${repo}`, target, ['--depth', String(depth)]);
      return target;
    };
    const one = await run(staleDocsCheck, await clone(1));
    assert.equal(one.outcome, 'skipped', one.summary);
    assert.equal(
      one.summary,
      'shallow clone: 2 mentions in docs cannot be dated (their last commits are cut off)',
    );
    assert.match(one.details ?? '', /fetch-depth: 0/);
    assert.match(one.details ?? '', /git fetch --unshallow/);

    // With the change to the model inside the history, the doc before the cut is stale.
    const two = await run(staleDocsCheck, await clone(2));
    assert.equal(two.outcome, 'warn');
    assert.deepEqual(
      two.findings?.map((f) => [f.file, f.line, f.message]),
      [['docs/models.md', 3, 'app/models/user.rb was committed 64 days after this doc']],
    );
    assert.match(two.details ?? '', /^1 mention in docs cannot be dated: the clone is shallow/);
  });

  it('finds no broken link until one breaks, then points at it', async () => {
    assert.equal((await run(brokenLinksCheck)).outcome, 'pass');
    await write(
      repo,
      'docs/broken.md',
      '# Broken\n\n' +
        '[gone](missing.md) and [bad anchor](setup.md#install-python)\n' +
        'and [ok](#broken)\n',
    );
    const result = await run(brokenLinksCheck);
    assert.equal(result.outcome, 'warn');
    assert.deepEqual(
      result.findings?.map((f) => [f.file, f.line, f.column, f.message]),
      [
        ['docs/broken.md', 3, 8, 'broken link: missing.md does not exist'],
        ['docs/broken.md', 3, 37, 'broken anchor: #install-python not found in docs/setup.md'],
      ],
    );
    await fs.rm(path.join(repo, 'docs/broken.md'));
  });

  it('reports uncommitted changes', async () => {
    const clean = await run(uncommittedCheck);
    assert.equal(clean.outcome, 'pass', clean.summary);
    await write(repo, 'notes.txt', 'scratch\n');
    const result = await run(uncommittedCheck);
    assert.deepEqual(
      [result.outcome, result.summary, result.values?.untracked],
      ['warn', '1 uncommitted change: notes.txt', 1],
    );
    await fs.rm(path.join(repo, 'notes.txt'));
  });

  it('reports a branch behind its upstream, as of the last fetch', async () => {
    assert.equal((await run(behindUpstreamCheck)).outcome, 'skipped');
    const upstream = path.join(folder, 'upstream.git');
    await simpleGit(folder).clone(repo, upstream, ['--bare']);
    await git.addRemote('origin', upstream);
    await git.fetch('origin');
    await git.branch(['--set-upstream-to=origin/main', 'main']);
    assert.equal((await run(behindUpstreamCheck)).outcome, 'pass');

    // Someone else pushes two commits; our fetch sees them.
    const other = path.join(folder, 'other');
    await simpleGit(folder).clone(upstream, other);
    const otherGit = simpleGit(other);
    await otherGit.addConfig('user.name', 'Other');
    await otherGit.addConfig('user.email', 'other@upkeep.invalid');
    for (const n of [1, 2]) {
      await write(other, `change${n}.txt`, `${n}\n`);
      await commit(otherGit, `Change ${n}`, `2026-04-0${n}T10:00:00Z`);
    }
    await otherGit.push('origin', 'main');
    await git.fetch('origin');
    const result = await run(behindUpstreamCheck);
    assert.deepEqual([result.outcome, result.values?.behind], ['warn', 2]);
    assert.equal(result.summary, '2 commits behind origin/main (as of the last fetch)');
  });

  it('finds pending migrations at their files', async () => {
    assert.equal((await run(pendingMigrationsCheck)).outcome, 'pass');
    await write(
      repo,
      'db/migrate/20240402000000_add_note_to_bookings.rb',
      'class AddNote < ActiveRecord::Migration[7.1]; end\n',
    );
    const result = await run(pendingMigrationsCheck);
    assert.equal(result.outcome, 'warn');
    assert.deepEqual(
      result.findings?.map((f) => f.file),
      ['db/migrate/20240402000000_add_note_to_bookings.rb'],
    );
  });

  it('counts one migration in the singular', async () => {
    // A workspace of its own: the shared repo gains a migration in the test above.
    const app = path.join(folder, 'one-migration');
    await write(
      app,
      'db/schema.rb',
      'ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\nend\n',
    );
    await write(
      app,
      'db/migrate/20240101000000_create_users.rb',
      'class CreateUsers < ActiveRecord::Migration[7.1]; end\n',
    );
    const one = await run(pendingMigrationsCheck, app);
    assert.deepEqual([one.outcome, one.summary], ['pass', '1 migration, none pending']);
    await write(
      app,
      'db/migrate/20231201000000_create_services.rb',
      'class CreateServices < ActiveRecord::Migration[7.1]; end\n',
    );
    const two = await run(pendingMigrationsCheck, app);
    assert.deepEqual([two.outcome, two.summary], ['pass', '2 migrations, none pending']);
  });

  it('reports Ruby, Rails and Node versions and a Ruby mismatch', async () => {
    const result = await run(versionsCheck);
    assert.deepEqual(
      [result.outcome, result.summary],
      ['pass', 'Ruby 3.2.2, Rails 7.1.3, Node 20.11.0'],
    );
    await write(repo, '.ruby-version', 'ruby-3.3.0\n');
    const mismatch = await run(versionsCheck);
    assert.equal(mismatch.outcome, 'warn');
    assert.equal(mismatch.summary, '.ruby-version says 3.3.0, Gemfile.lock says 3.2.2');
  });

  it("reads asdf's .tool-versions, which the guidelines' asdf local writes", async () => {
    const app = path.join(folder, 'asdf-app');
    await write(app, '.tool-versions', '# asdf\nruby 3.3.1 3.2.2\nnodejs 20.11.1\n');
    const only = await run(versionsCheck, app);
    assert.deepEqual([only.outcome, only.summary], ['pass', 'Ruby 3.3.1, Node 20.11.1']);

    await write(
      app,
      'Gemfile.lock',
      'GEM\n  specs:\n    rails (7.1.3)\n\nRUBY VERSION\n   ruby 3.3.1p55\n',
    );
    await write(app, '.nvmrc', 'v18.19.0\n');
    const bundled = await run(versionsCheck, app);
    assert.deepEqual(
      [bundled.outcome, bundled.summary],
      ['pass', 'Ruby 3.3.1, Rails 7.1.3, Node 20.11.1'],
    );

    await write(app, '.ruby-version', '3.2.2\n');
    const twoRubies = await run(versionsCheck, app);
    assert.equal(twoRubies.outcome, 'warn');
    assert.equal(twoRubies.summary, '.tool-versions says Ruby 3.3.1, .ruby-version says 3.2.2');
    assert.equal(twoRubies.findings?.[0].file, '.ruby-version');

    await fs.rm(path.join(app, '.ruby-version'));
    await write(app, '.tool-versions', 'ruby 3.4.1\n');
    const stale = await run(versionsCheck, app);
    assert.equal(stale.outcome, 'warn');
    assert.equal(stale.summary, '.tool-versions says 3.4.1, Gemfile.lock says 3.3.1');
  });

  it('tells Ruby 3.3.1 from 3.3.10 in Gemfile.lock, and takes 3.3 for any 3.3', async () => {
    const app = path.join(folder, 'patch-app');
    await write(app, '.tool-versions', 'ruby 3.3.1\r\n');
    await write(app, 'Gemfile.lock', 'GEM\n  specs:\n\nRUBY VERSION\n   ruby 3.3.10p100\n');
    const ten = await run(versionsCheck, app);
    assert.equal(ten.outcome, 'warn', ten.summary);
    assert.equal(ten.summary, '.tool-versions says 3.3.1, Gemfile.lock says 3.3.10');

    await write(app, '.tool-versions', 'ruby 3.3\n');
    assert.equal((await run(versionsCheck, app)).outcome, 'pass');
    await write(app, '.tool-versions', 'ruby 3.3.10\n');
    assert.equal((await run(versionsCheck, app)).outcome, 'pass');
  });

  it('warns of merge conflict markers in Gemfile.lock rather than read one side', async () => {
    const app = path.join(folder, 'conflicted-app');
    await write(app, '.ruby-version', '3.3.1\n');
    await write(
      app,
      'Gemfile.lock',
      'GEM\r\n  specs:\r\n<<<<<<< HEAD\r\n    rails (7.1.3)\r\n=======\r\n' +
        '    rails (7.2.1)\r\n>>>>>>> upgrade-rails\r\n\r\nRUBY VERSION\r\n   ruby 3.3.1p55\r\n',
    );
    const result = await run(versionsCheck, app);
    assert.deepEqual(
      [result.outcome, result.summary],
      ['warn', 'Gemfile.lock has merge conflict markers: resolve them, then run bundle install'],
    );
    assert.deepEqual(
      result.findings?.map((f) => `${f.file}:${f.line}`),
      ['Gemfile.lock:3'],
    );
  });

  it("reads .ruby-version's first word, as rbenv does", async () => {
    const app = path.join(folder, 'worded-app');
    await write(app, '.ruby-version', 'ruby-3.3.1 # pinned\r\nFake: line\n');
    const result = await run(versionsCheck, app);
    assert.deepEqual([result.outcome, result.summary], ['pass', 'Ruby 3.3.1']);
  });

  it('reads a version file that links outside the workspace only once trusted', async () => {
    const app = path.join(folder, 'linked-app');
    await write(app, 'Gemfile.lock', 'GEM\n  specs:\n    rails (7.1.3)\n');
    const outside = path.join(folder, 'outside-secret');
    await fs.writeFile(outside, 'hunter2-secret\n');
    await fs.symlink(outside, path.join(app, '.ruby-version'));

    const untrusted = await run(versionsCheck, app, false);
    assert.equal(untrusted.outcome, 'skipped', untrusted.summary);
    assert.equal(
      untrusted.summary,
      '.ruby-version links outside the workspace; waits for workspace trust',
    );
    // Offered again once the folder is trusted (the editor's Run Them).
    assert.equal(untrusted.waitsForTrust, true);
    assert.doesNotMatch(JSON.stringify(untrusted), /hunter2/);

    // A deploy links files to a shared folder; a trusted workspace reads them.
    const trusted = await run(versionsCheck, app);
    assert.match(trusted.summary, /^Ruby hunter2-secret/);
  });

  it('knows when generated docs are there, missing, or not used', async () => {
    assert.equal((await run(generatedDocsCheck)).outcome, 'skipped');
    await write(repo, '.yardopts', '--markup markdown\n');
    assert.equal((await run(generatedDocsCheck)).outcome, 'warn');
    await write(repo, 'doc/index.html', '<html></html>\n');
    assert.deepEqual(
      [(await run(generatedDocsCheck)).outcome, (await run(generatedDocsCheck)).summary],
      ['pass', 'doc/index.html generated today'],
    );
  });

  it('checks filter_parameters and the mailer configuration from the files', async () => {
    await write(
      repo,
      'config/application.rb',
      'module App; class Application < Rails::Application; end; end\n',
    );
    const missing = await run(filterParametersCheck);
    assert.equal(missing.outcome, 'fail');
    await write(
      repo,
      'config/initializers/filter_parameter_logging.rb',
      'Rails.application.config.filter_parameters += [:email]\n',
    );
    const uncovered = await run(filterParametersCheck);
    assert.deepEqual([uncovered.outcome, uncovered.findings?.[0].line], ['fail', 1]);
    await write(
      repo,
      'config/initializers/filter_parameter_logging.rb',
      'Rails.application.config.filter_parameters += [\n  :passw, :secret, :token, :_key\n]\n',
    );
    assert.equal((await run(filterParametersCheck)).outcome, 'pass');

    assert.equal((await run(healthEmailCheck)).outcome, 'skipped');
    await write(
      repo,
      'config/environments/production.rb',
      'Rails.application.configure do\n' +
        '  config.action_mailer.delivery_method = :smtp\n' +
        '  config.action_mailer.smtp_settings = ' +
        '{ address: ENV["SMTP_HOST"], password: ENV["SMTP_PASSWORD"] }\n' +
        'end\n',
    );
    const mail = await run(healthEmailCheck);
    assert.deepEqual(
      [mail.outcome, mail.summary],
      ['pass', 'delivery method :smtp, settings from ENV/credentials'],
    );
    await write(
      repo,
      'config/initializers/mailer.rb',
      'ActionMailer::Base.perform_deliveries = true\n' +
        'Rails.application.config.action_mailer.delivery_method = :test\n',
    );
    // production.rb is read last and wins, as in Rails.
    assert.equal((await run(healthEmailCheck)).outcome, 'pass');
  });

  it('skips git checks outside a repository', async () => {
    const plain = path.join(folder, 'plain');
    await fs.mkdir(plain);
    for (const definition of [uncommittedCheck, behindUpstreamCheck, staleDocsCheck]) {
      const result = await run(definition, plain);
      assert.deepEqual(
        [result.outcome, result.summary],
        ['skipped', 'not a git repository'],
        definition.id,
      );
    }
  });
});
