/**
 * Checks that look at a repo's files or folders by their stat or listing, not only by their
 * text, follow no link out of an untrusted workspace either: each outcome below told something
 * of the user's own files (a coverage report's figure and age, whether a lockfile names
 * bundler-audit, how many folders a home holds, the names in a folder, whether a file exists).
 * Each waits for trust, whatever lies outside; a trusted workspace still follows the links.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { storageFoldersCheck } from '../../../src/core/checks/hostChecks';
import { fileBackupCheck } from '../../../src/core/checks/backupChecks';
import { builtinChecks } from '../../../src/core/checks/registry';
import { pendingMigrationsCheck } from '../../../src/core/checks/repoChecks';
import { runChecks } from '../../../src/core/checks/runner';
import { filterParametersCheck } from '../../../src/core/checks/securityChecks';
import { advisoryDatabaseCheck, coverageCheck } from '../../../src/core/checks/toolChecks';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

const healthDatabaseCheck = builtinChecks().find((check) => check.id === 'health.database');
assert.ok(healthDatabaseCheck);

const CASES: { check: CheckDefinition; links: [string, string][] }[] = [
  { check: coverageCheck, links: [['coverage', 'coverage']] },
  { check: advisoryDatabaseCheck, links: [['Gemfile.lock', 'Gemfile.lock']] },
  { check: storageFoldersCheck, links: [['home', 'storage']] },
  { check: pendingMigrationsCheck, links: [['migrate', 'db/migrate']] },
  { check: filterParametersCheck, links: [['application.rb', 'config/application.rb']] },
  // Dangling: whether the user has such a file is what the outcome told.
  { check: healthDatabaseCheck, links: [['no-such.env', '.env']] },
];

describe('checks that stat or list files linked out of an untrusted workspace', function () {
  this.timeout(60_000);
  let workspace: string;
  const env = { HOME: '/nonexistent', BUNDLER_AUDIT_DB: '/nonexistent/ruby-advisory-db' };

  before(async () => {
    const parent = await tempFolder('upkeep-check-links-');
    workspace = path.join(parent, 'app');
    const outside = path.join(parent, 'private');
    const write = async (file: string, text: string): Promise<void> => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    };
    await fs.mkdir(workspace);
    // The user's own files and folders, which the links point at.
    await write(path.join(outside, 'coverage/.last_run.json'), '{"result":{"line":42.5}}\n');
    await write(path.join(outside, 'Gemfile.lock'), 'GEM\n  specs:\n    bundler-audit (0.9.1)\n');
    await fs.mkdir(path.join(outside, 'home/.ssh'), { recursive: true });
    await write(path.join(outside, 'migrate/20990101000000_secret.rb'), '');
    await write(path.join(outside, 'application.rb'), 'module App; end\n');
    for (const { links } of CASES) {
      for (const [from, to] of links) {
        await fs.mkdir(path.dirname(path.join(workspace, to)), { recursive: true });
        await fs.symlink(path.join(outside, from), path.join(workspace, to));
      }
    }
  });

  const run = async (check: CheckDefinition, trusted: boolean): Promise<CheckResult> =>
    (
      await runChecks([check], {
        workspace,
        settings: resolveSettings(),
        clock: systemClock,
        log: silentLogger,
        trusted,
        env,
      })
    )[0];

  for (const { check, links } of CASES) {
    it(`${check.id} waits for trust on ${links.map(([, to]) => to).join(', ')}`, async () => {
      const result = await run(check, false);
      assert.equal(result.outcome, 'skipped', JSON.stringify(result));
      assert.equal(result.waitsForTrust, true, JSON.stringify(result));
      assert.match(result.summary, /waits for workspace trust/);
    });
  }

  it('backups.files waits for trust on a storage/ that is a dangling link out', async () => {
    const other = path.join(path.dirname(workspace), 'dangling');
    await fs.mkdir(other);
    await fs.symlink(
      path.join(path.dirname(workspace), 'no-such-disk'),
      path.join(other, 'storage'),
    );
    const [result] = await runChecks([fileBackupCheck], {
      workspace: other,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: false,
    });
    assert.equal(result.waitsForTrust, true, JSON.stringify(result));
    assert.match(
      result.summary,
      /storage\/ links outside the workspace; waits for workspace trust/,
    );
  });

  it('still follows the links of a trusted workspace', async () => {
    const coverage = await run(coverageCheck, true);
    assert.equal(coverage.values?.linePercent, 42.5, JSON.stringify(coverage));
    const storage = await run(storageFoldersCheck, true);
    assert.equal(storage.values?.folders, 1, JSON.stringify(storage));
  });

  it('says so through upkeep check --untrusted', async () => {
    const out = await runCli(
      [
        ...['check', '--workspace', workspace, '--untrusted', '--format', 'json'],
        ...CASES.flatMap(({ check }) => ['--check', check.id]),
      ],
      env,
    );
    const report = JSON.parse(out.stdout) as { results: CheckResult[] };
    assert.equal(report.results.length, CASES.length, out.stdout);
    for (const result of report.results) {
      assert.equal(result.waitsForTrust, true, JSON.stringify(result));
    }
  });
});
