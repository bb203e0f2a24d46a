/**
 * The production log is there but cannot be read (logrotate made it 0640 for another user, or
 * something that is no file took its name): every log check skipped and the cron job exited 0,
 * day after day, with no log checked. Such a log is a configuration gap, as a missing database
 * password is: the log checks are errors and `upkeep check` exits 2. A log that does not exist
 * (a CI runner) still skips. The log here is a FIFO, which no user may read as a log.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

interface Report {
  exitCode: number;
  results: { checkId: string; outcome: string; summary: string; details?: string }[];
}

const LOG_CHECKS = ['logs.errorsLastHour', 'logs.slowRequests'];

async function logChecks(workspace: string): Promise<[number | null, Report]> {
  const run = await runCli([
    ...['check', '--workspace', workspace, '--format', 'json'],
    ...LOG_CHECKS.flatMap((id) => ['--check', id]),
  ]);
  return [run.code, JSON.parse(run.stdout) as Report];
}

describe('upkeep check with a production log it cannot read', function () {
  this.timeout(60_000);

  it('makes the log checks errors and exits 2, naming the file', async () => {
    const workspace = await tempFolderWith('upkeep-log-unreadable-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    await fs.mkdir(path.join(workspace, 'log'));
    execFileSync('mkfifo', [path.join(workspace, 'log/production.log')]);

    const [code, report] = await logChecks(workspace);

    for (const result of report.results) {
      assert.equal(result.outcome, 'error', JSON.stringify(result));
      assert.equal(result.summary, 'Log file cannot be read');
      assert.match(result.details ?? '', /production\.log is not a regular file/);
    }
    assert.equal(code, 2);
    assert.equal(report.exitCode, 2);
  });

  it('still skips when there is no log at all', async () => {
    const workspace = await tempFolderWith('upkeep-log-none-', {
      Gemfile: "source 'https://rubygems.org'\n",
    });
    const [code, report] = await logChecks(workspace);
    for (const result of report.results) {
      assert.equal(result.outcome, 'skipped', JSON.stringify(result));
      assert.equal(result.summary, 'No log file to read');
    }
    assert.equal(code, 0);
  });
});
