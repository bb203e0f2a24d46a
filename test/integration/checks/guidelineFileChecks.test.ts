/**
 * Two checklist items of the guidelines that Upkeep reads from files on disk: the file backup in
 * storage/backup (Backup and Recovery) and CSRF protection left on (Security Guidelines), on
 * real folders with set modification times, symbolic links and Rails config files.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileBackupCheck } from '../../../src/core/checks/backupChecks';
import { checksForTask } from '../../../src/core/checks/registry';
import { runChecks } from '../../../src/core/checks/runner';
import { csrfCheck } from '../../../src/core/checks/securityChecks';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { loadPlaybook } from '../../../src/core/playbook/loader';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

const SOURCE = path.join(__dirname, '../../../src/core');
const RUNNER = path.join(SOURCE, 'checks/runner.ts');
const SECURITY = path.join(SOURCE, 'checks/securityChecks.ts');
const SETTINGS = path.join(SOURCE, 'settings.ts');
const CLOCK = path.join(SOURCE, 'util/clock.ts');
const LOGGER = path.join(SOURCE, 'util/logger.ts');

const NOW = new Date('2026-12-05T12:00:00Z');
const HOUR = 3_600_000;

async function write(root: string, file: string, text: string, hoursAgo?: number) {
  const full = path.join(root, file);
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, text);
  if (hoursAgo !== undefined) {
    const at = new Date(NOW.getTime() - hoursAgo * HOUR);
    await fs.utimes(full, at, at);
  }
}

describe('checks of guideline items read from files', function () {
  this.timeout(30_000);
  let folder: string;
  let workspace: string;

  const run = async (
    definition: CheckDefinition,
    options: { trusted?: boolean; maxAgeHours?: number } = {},
  ): Promise<CheckResult> =>
    (
      await runChecks([definition], {
        workspace,
        settings: resolveSettings({ backups: { maxAgeHours: options.maxAgeHours ?? 26 } }),
        clock: fixedClock(NOW),
        log: silentLogger,
        trusted: options.trusted ?? true,
      })
    )[0];

  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-guideline-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(workspace);
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('runs from the playbook items that were manual before', () => {
    const playbook = defaultPlaybook();
    const ids = (task: string) => checksForTask(playbook, task)!.map((check) => check.id);
    assert.ok(ids('monthly.backups').includes('backups.files'));
    assert.ok(ids('monthly.securityReview').includes('security.csrf'));
  });

  it('lets a repo playbook move, drop or reuse the new checks', async () => {
    await write(
      workspace,
      '.upkeep/playbook.yaml',
      'version: 1\n' +
        'tasks:\n' +
        '  - id: monthly.backups\n' +
        '    checks: [backups.latest]\n' +
        '  - id: weekly.codeQuality\n' +
        '    addChecks: [security.csrf, backups.files]\n',
    );
    const { playbook, problems } = await loadPlaybook({ workspace });
    assert.deepEqual(problems, []);
    const ids = (task: string) => checksForTask(playbook, task)!.map((check) => check.id);
    assert.ok(!ids('monthly.backups').includes('backups.files'));
    assert.ok(ids('weekly.codeQuality').includes('security.csrf'));
    assert.ok(ids('weekly.codeQuality').includes('backups.files'));
  });

  describe('backups.files', () => {
    it('skips without storage/ and passes when storage/ holds no uploads', async () => {
      assert.equal((await run(fileBackupCheck)).outcome, 'skipped');
      await write(workspace, 'storage/.keep', '');
      const result = await run(fileBackupCheck);
      assert.equal(result.outcome, 'pass', result.summary);
      assert.match(result.summary, /^no uploads in storage\/ to back up/);
    });

    it('fails when uploads have no file backup at all', async () => {
      await write(workspace, 'storage/ab/cd/abcd1234', 'photo', 5);
      await write(workspace, 'storage/ef/gh/efgh5678', 'avatar', 3);
      await fs.mkdir(path.join(workspace, 'storage/backup'));
      await write(workspace, 'storage/backup/.keep', '');
      const result = await run(fileBackupCheck);
      assert.equal(result.outcome, 'fail');
      assert.equal(result.summary, '2 uploads in storage/ and no file backup in storage/backup');
      assert.deepEqual(result.values, { uploads: 2, backupFiles: 0, maxAgeHours: 26 });
    });

    it('passes a backup that covers every upload, by modification time', async () => {
      await write(workspace, 'storage/ab/cd/abcd1234', 'photo', 50);
      await write(workspace, 'storage/backup/ab/cd/abcd1234', 'photo', 20);
      const result = await run(fileBackupCheck);
      assert.equal(result.outcome, 'pass', result.summary);
      assert.equal(
        result.summary,
        '1 file in storage/backup, newest 2026-12-04 16:00 UTC; covers the one upload',
      );
      assert.equal(result.values?.uploadsNewerThanBackup, 0);
      assert.equal(result.values?.oldestUncoveredHours, null);
    });

    it('lets uploads wait up to maxAgeHours for the next backup, then fails', async () => {
      await write(workspace, 'storage/ab/cd/abcd1234', 'photo', 80);
      await write(workspace, 'storage/backup/ab/cd/abcd1234', 'photo', 72);
      // Newer than the backup but within the limit: the next nightly backup takes it.
      await write(workspace, 'storage/ef/gh/efgh5678', 'avatar', 10);
      const waiting = await run(fileBackupCheck);
      assert.equal(waiting.outcome, 'pass', waiting.summary);
      assert.match(waiting.summary, /; 1 upload from the last 26 h not yet in it$/);

      // Waiting 30 hours: the backup stopped running.
      await write(workspace, 'storage/ij/kl/ijkl9012', 'invoice', 30);
      const stale = await run(fileBackupCheck);
      assert.equal(stale.outcome, 'fail');
      assert.equal(
        stale.summary,
        '2 uploads newer than the file backup, the oldest 30 h old (limit 26 h); ' +
          '1 file in storage/backup, newest 2026-12-02 12:00 UTC',
      );
      assert.equal(stale.values?.oldestUncoveredHours, 30);
      assert.equal((await run(fileBackupCheck, { maxAgeHours: 48 })).outcome, 'pass');
    });

    it('counts an upload whose name is not UTF-8, not a file named storage/backup', async () => {
      await write(workspace, 'storage/backup/ab/cd/abcd1234', 'photo', 60);
      // A name in Latin-1 (café), as an old upload or an unpacked archive can have.
      await fs.mkdir(path.join(workspace, 'storage/ab'));
      const latin1 = Buffer.concat([
        Buffer.from(path.join(workspace, 'storage/ab/')),
        Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      ]);
      await fs.writeFile(latin1, 'menu');
      const at = new Date(NOW.getTime() - 40 * HOUR);
      await fs.utimes(latin1, at, at);
      const stale = await run(fileBackupCheck);
      assert.equal(stale.outcome, 'fail', stale.summary);
      assert.equal(stale.values?.uploads, 1);
      assert.equal(stale.values?.oldestUncoveredHours, 40);

      await fs.rm(path.join(workspace, 'storage/backup'), { recursive: true });
      await write(workspace, 'storage/backup', 'not a folder');
      const file = await run(fileBackupCheck);
      assert.equal(file.summary, '1 upload in storage/ and no file backup in storage/backup');
    });

    it('reads an archive on a linked backup disk, outside only when trusted', async () => {
      await write(workspace, 'storage/ab/cd/abcd1234', 'photo', 40);
      const disk = path.join(folder, 'backup-disk');
      await write(disk, 'storage-20261205.tar.gz', 'archive', 2);
      await fs.symlink(disk, path.join(workspace, 'storage/backup'));
      const trusted = await run(fileBackupCheck);
      assert.equal(trusted.outcome, 'pass', trusted.summary);
      assert.deepEqual([trusted.values?.uploads, trusted.values?.backupFiles], [1, 1]);

      const untrusted = await run(fileBackupCheck, { trusted: false });
      assert.equal(untrusted.outcome, 'skipped');
      assert.match(untrusted.summary, /waits for workspace trust/);
      assert.equal(untrusted.waitsForTrust, true);
      assert.equal(trusted.waitsForTrust, undefined);
    });

    it('does not follow links inside storage/ out of it', async () => {
      await write(workspace, 'storage/ab/cd/abcd1234', 'photo', 40);
      await write(workspace, 'storage/backup/ab/cd/abcd1234', 'photo', 30);
      // A link to a big tree (here the test's folder) neither counts as uploads nor is walked.
      await fs.symlink(folder, path.join(workspace, 'storage/elsewhere'));
      const result = await run(fileBackupCheck, { trusted: false });
      assert.equal(result.outcome, 'pass', result.summary);
      assert.equal(result.values?.uploads, 1);
    });
  });

  describe('security.csrf', () => {
    const APPLICATION = `module App
  class Application < Rails::Application
    config.load_defaults 7.1
  end
end
`;
    const CONTROLLER = `class ApplicationController < ActionController::Base
end
`;

    it('skips outside a Rails app and passes on the Rails default', async () => {
      assert.equal((await run(csrfCheck)).outcome, 'skipped');
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      const result = await run(csrfCheck);
      assert.deepEqual(
        [result.outcome, result.summary],
        ['pass', 'forgery protection on (the Rails default since load_defaults 7.1)'],
      );
    });

    it('fails when production turns protection off, unless an initializer undoes it', async () => {
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(
        workspace,
        'config/environments/production.rb',
        'Rails.application.configure do\n' +
          '  # config.action_controller.allow_forgery_protection = true\n' +
          '  config.action_controller.allow_forgery_protection = false\n' +
          'end\n',
      );
      const off = await run(csrfCheck);
      assert.equal(off.outcome, 'fail');
      assert.deepEqual(
        off.findings?.map((f) => [f.file, f.line, f.severity]),
        [['config/environments/production.rb', 3, 'error']],
      );

      // Initializers run after the environment file.
      await write(
        workspace,
        'config/initializers/security.rb',
        'Rails.application.config.action_controller.allow_forgery_protection = true\n',
      );
      assert.equal((await run(csrfCheck)).outcome, 'pass');
    });

    it('fails an old app whose ApplicationController does not protect itself', async () => {
      await write(
        workspace,
        'config/application.rb',
        APPLICATION.replace('config.load_defaults 7.1', 'config.load_defaults 5.1'),
      );
      await write(
        workspace,
        'app/controllers/application_controller.rb',
        'class ApplicationController < ActionController::Base\n' +
          '  # protect_from_forgery with: :exception\nend\n',
      );
      const old = await run(csrfCheck);
      assert.equal(old.outcome, 'fail');
      assert.match(old.summary, /config\.load_defaults 5\.1 predates the 5\.2 default/);

      await write(
        workspace,
        'app/controllers/application_controller.rb',
        'class ApplicationController < ActionController::Base\n' +
          '  protect_from_forgery with: :exception\nend\n',
      );
      const protectedApp = await run(csrfCheck);
      assert.equal(
        protectedApp.summary,
        'forgery protection on (protect_from_forgery in ApplicationController)',
      );

      await write(
        workspace,
        'config/initializers/new_framework_defaults.rb',
        'Rails.application.config.action_controller.default_protect_from_forgery = false\n',
      );
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      const defaultOff = await run(csrfCheck);
      assert.equal(defaultOff.outcome, 'fail');
      assert.match(defaultOff.summary, /\(default_protect_from_forgery = false\)$/);
      assert.equal(defaultOff.findings?.[0].file, 'config/initializers/new_framework_defaults.rb');
    });

    it('lists the controllers that skip verification and fails an app-wide skip', async () => {
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      await write(
        workspace,
        'app/controllers/webhooks/stripe_controller.rb',
        'class Webhooks::StripeController < ApplicationController\n' +
          '  skip_forgery_protection\nend\n',
      );
      await write(
        workspace,
        'app/controllers/bookings_controller.rb',
        'class BookingsController < ApplicationController\n' +
          '  skip_before_action :verify_authenticity_token, only: [:create]\nend\n',
      );
      const skips = await run(csrfCheck);
      assert.equal(skips.outcome, 'warn');
      assert.match(skips.summary, /; 2 controllers skip it: review them$/);
      assert.deepEqual(
        skips.findings?.map((f) => [f.file, f.line]),
        [
          ['app/controllers/bookings_controller.rb', 2],
          ['app/controllers/webhooks/stripe_controller.rb', 2],
        ],
      );

      await write(
        workspace,
        'app/controllers/application_controller.rb',
        'class ApplicationController < ActionController::Base\n' +
          '  skip_before_action :verify_authenticity_token\nend\n',
      );
      const appWide = await run(csrfCheck);
      assert.equal(appWide.outcome, 'fail');
      assert.equal(
        appWide.summary,
        'ApplicationController skips CSRF verification for every controller',
      );
    });

    it('skips an API-only app and survives a controller that is not a regular file', async () => {
      await write(
        workspace,
        'config/application.rb',
        APPLICATION.replace('7.1\n', '7.1\n    config.api_only = true\n'),
      );
      await fs.mkdir(path.join(workspace, 'app/controllers'), { recursive: true });
      await fs.symlink('/dev/zero', path.join(workspace, 'app/controllers/zero.rb'));
      const api = await run(csrfCheck);
      assert.equal(api.outcome, 'skipped');
      assert.match(api.summary, /^API-only app/);
    });

    it('lists a skip that names verify_authenticity_token anywhere in its list', async () => {
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      await write(
        workspace,
        'app/controllers/a_controller.rb',
        'class AController < ApplicationController\r\n' +
          '  skip_before_action :authenticate_user!, :verify_authenticity_token\r\nend\r\n',
      );
      await write(
        workspace,
        'app/controllers/b_controller.rb',
        'class BController < ApplicationController\n' +
          '  skip_before_action(:verify_authenticity_token, only: :create)\nend\n',
      );
      await write(
        workspace,
        'app/controllers/c_controller.rb',
        'class CController < ApplicationController\n' +
          '  skip_before_action :authenticate_user!,\n' +
          '                     :verify_authenticity_token\nend\n',
      );
      const result = await run(csrfCheck);
      assert.equal(result.outcome, 'warn', result.summary);
      assert.deepEqual(
        result.findings?.map((f) => [f.file, f.line]),
        [
          ['app/controllers/a_controller.rb', 2],
          ['app/controllers/b_controller.rb', 2],
          ['app/controllers/c_controller.rb', 2],
        ],
      );
    });

    it('fails when an initializer turns protection off on ActionController::Base', async () => {
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      await write(
        workspace,
        'config/initializers/csrf.rb',
        'ActionController::Base.allow_forgery_protection = false\n',
      );
      const off = await run(csrfCheck);
      assert.equal(off.outcome, 'fail', off.summary);
      assert.deepEqual(
        off.findings?.map((f) => [f.file, f.line]),
        [['config/initializers/csrf.rb', 1]],
      );
    });

    it('reads a 16 MB controller of short lines in bounded memory', async function () {
      this.timeout(60_000);
      await write(workspace, 'config/application.rb', APPLICATION);
      await write(workspace, 'app/controllers/application_controller.rb', CONTROLLER);
      const lines = 'a\n'.repeat(8 * 1024 * 1024 - 64);
      for (const name of ['big', 'bigger']) {
        await write(workspace, `app/controllers/${name}_controller.rb`, lines);
      }
      await write(
        workspace,
        'app/controllers/z_controller.rb',
        'class ZController < ApplicationController\n  skip_forgery_protection\nend\n',
      );
      // A heap of 160 MB holds the files one at a time, not every line of them as objects.
      const script = [
        `const { runChecks } = require(${JSON.stringify(RUNNER)});`,
        `const { csrfCheck } = require(${JSON.stringify(SECURITY)});`,
        `const { resolveSettings } = require(${JSON.stringify(SETTINGS)});`,
        `const { systemClock } = require(${JSON.stringify(CLOCK)});`,
        `const { silentLogger } = require(${JSON.stringify(LOGGER)});`,
        `runChecks([csrfCheck], { workspace: ${JSON.stringify(workspace)},`,
        '  settings: resolveSettings(), clock: systemClock, log: silentLogger, trusted: false })',
        '  .then(([r]) => console.log(r.outcome, r.findings.length));',
      ].join('\n');
      const output = execFileSync(
        process.execPath,
        ['--max-old-space-size=160', '--import', 'tsx', '-e', script],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      assert.equal(output.trim(), 'warn 1');
    });
  });
});
