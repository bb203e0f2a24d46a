/**
 * The notification that ends a check run in the editor: one check says why it came out as it
 * did, and "Show Problems" is offered only when a finding is at a file the panel can show.
 */
import { strict as assert } from 'node:assert';
import {
  CANCELLED_SUMMARY,
  NOT_STARTED_SUMMARY,
  UNTRUSTED_SUMMARY,
} from '../../../src/core/checks/runner';
import type { CheckDefinition, CheckResult, Finding } from '../../../src/core/checks/types';
import {
  againWithPassword,
  OPEN_DASHBOARD,
  progressMessage,
  SET_PASSWORD,
  SHOW_OUTPUT,
  SHOW_PROBLEMS,
  summarizeRun,
} from '../../../src/vscode/checks/runSummary';

function result(
  checkId: string,
  title: string,
  outcome: CheckResult['outcome'],
  summary: string,
  findings?: Finding[],
): CheckResult {
  return {
    checkId,
    title,
    outcome,
    summary,
    findings,
    startedAt: '2026-12-04T21:35:48.000Z',
    durationMs: 27,
  };
}

const database = result(
  'health.database',
  'Database connectivity',
  'skipped',
  'no database configured',
);
const brokenLink = result('docs.brokenLinks', 'Documentation links', 'warn', '1 broken link', [
  { message: 'broken link: docs/api.md does not exist', severity: 'warning', file: 'README.md' },
]);
const duplicates = result('db.indexHealth', 'Index health', 'warn', '1 index covered by another');

describe('summarizeRun', () => {
  it('says why a single check came out as it did', () => {
    const summary = summarizeRun('Database connectivity', [database]);
    assert.equal(
      summary.message,
      'Upkeep: Database connectivity: skipped — no database configured.',
    );
    assert.equal(summary.severity, 'information');
    assert.deepEqual(summary.actions, [SHOW_OUTPUT]);
  });

  it('names a check run again with a new password once, not twice', () => {
    const passed = result('health.database', 'Database connectivity', 'pass', '5 ms round trip');
    const summary = summarizeRun('Database connectivity again with the new password', [passed]);
    assert.equal(
      summary.message,
      'Upkeep: Database connectivity again with the new password: pass — 5 ms round trip.',
    );
  });

  it('names the check when a task with one check ran, and reads an error as a fail', () => {
    const failed = result('health.url', 'Health URL answers', 'error', 'connection refused.');
    const summary = summarizeRun('Health monitoring', [failed]);
    assert.equal(
      summary.message,
      'Upkeep: Health monitoring: Health URL answers: fail — connection refused.',
    );
    assert.equal(summary.severity, 'warning');
    assert.deepEqual(summary.actions, [OPEN_DASHBOARD, SHOW_OUTPUT]);
  });

  it('counts outcomes for several checks and says how many wait for trust', () => {
    const waiting = {
      ...result('tools.rubocop', 'RuboCop', 'skipped', UNTRUSTED_SUMMARY),
      waitsForTrust: true,
    };
    const pass = result('db.vacuum', 'Vacuum', 'pass', 'autovacuum keeps up');
    const summary = summarizeRun('Weekly checks', [pass, duplicates, waiting, database]);
    assert.equal(
      summary.message,
      'Upkeep: Weekly checks: 1 pass, 1 warn, 0 fail, 2 skipped. 1 wait for workspace trust.',
    );
    assert.equal(summary.severity, 'warning');
  });

  it("counts a tier's own checks apart from the Database connectivity check a run adds", () => {
    // The dashboard's Weekly group counts the tier's own checks: the notification's total,
    // with the added connectivity check, read as one check more than the dashboard showed.
    const pass = result('db.vacuum', 'Vacuum', 'pass', 'autovacuum keeps up');
    const summary = summarizeRun(
      'Weekly checks',
      [database, pass, duplicates],
      ['Database connectivity'],
    );
    assert.equal(
      summary.message,
      'Upkeep: Weekly checks (2 and Database connectivity): 1 pass, 1 warn, 0 fail, 1 skipped.',
    );
  });

  it('says a run was cancelled, and which checks it stopped', () => {
    const pass = result('db.vacuum', 'Vacuum', 'pass', 'autovacuum keeps up');
    const stopped = {
      ...result('custom.slow', 'Slow check', 'skipped', CANCELLED_SUMMARY),
      cancelled: true,
    };
    const unstarted = {
      ...result('tools.rspec', 'Test suite', 'skipped', NOT_STARTED_SUMMARY),
      cancelled: true,
    };
    const summary = summarizeRun('Daily checks', [pass, database, stopped, unstarted]);
    assert.equal(
      summary.message,
      'Upkeep: Daily checks cancelled: 1 pass, 0 warn, 0 fail, 3 skipped ' +
        '(2 did not finish: Slow check, Test suite).',
    );

    // The tree keeps their last results, so the message is where a maintainer reads which.
    const many = ['A', 'B', 'C', 'D', 'E'].map((title) => ({
      ...result(`custom.${title.toLowerCase()}`, title, 'skipped', NOT_STARTED_SUMMARY),
      cancelled: true,
    }));
    assert.equal(
      summarizeRun('Due checks', [pass, ...many]).message,
      'Upkeep: Due checks cancelled: 1 pass, 0 warn, 0 fail, 5 skipped ' +
        '(5 did not finish: A, B, C and 2 more).',
    );
  });

  it('reads no cancel and no wait for trust into a check whose own summary says so', () => {
    // A custom check's first line of output is its summary, whatever it says.
    const cancelled = result('custom.says', 'Says', 'skipped', CANCELLED_SUMMARY);
    const waits = result('custom.waits', 'Waits', 'skipped', UNTRUSTED_SUMMARY);
    const pass = result('db.vacuum', 'Vacuum', 'pass', 'autovacuum keeps up');
    assert.equal(
      summarizeRun('Daily checks', [pass, cancelled, waits]).message,
      'Upkeep: Daily checks: 1 pass, 0 warn, 0 fail, 2 skipped.',
    );
  });

  it('offers the Problems panel only when a finding is at a file', () => {
    // A database warning has no file: the Problems panel would not show it.
    assert.deepEqual(summarizeRun('Database maintenance', [duplicates]).actions, [
      OPEN_DASHBOARD,
      SHOW_OUTPUT,
    ]);
    assert.deepEqual(summarizeRun('Documentation updates', [brokenLink, database]).actions, [
      SHOW_PROBLEMS,
      SHOW_OUTPUT,
    ]);
    assert.deepEqual(summarizeRun('Weekly checks', [brokenLink, duplicates]).actions, [
      SHOW_PROBLEMS,
      OPEN_DASHBOARD,
      SHOW_OUTPUT,
    ]);
  });

  it('names each check in the progress by its title, as the tree does, not by its id', () => {
    const storage = result('host.storageFolders', 'Folders in storage/', 'pass', 'all there');
    assert.equal(progressMessage(11, 14, storage), '11/14 · Folders in storage/: pass');
    const broken = result('db.vacuum', 'Dead rows and vacuum', 'error', 'permission denied');
    assert.equal(progressMessage(2, 3, broken), '2/3 · Dead rows and vacuum: fail');
  });

  it('offers Set Password… first when the server asked for a password it did not get', () => {
    const refused: CheckResult = {
      ...result('health.database', 'Database connectivity', 'fail', 'No password for user app'),
      values: { loginRefused: true },
    };
    assert.deepEqual(summarizeRun('Daily checks', [refused]).actions, [
      SET_PASSWORD,
      OPEN_DASHBOARD,
      SHOW_OUTPUT,
    ]);
    const down = result('health.database', 'Database connectivity', 'fail', 'Cannot reach');
    assert.ok(!summarizeRun('Daily checks', [down]).actions.includes(SET_PASSWORD));

    // An error, whose toast stays with its button: a warning's hid after 10 s.
    assert.equal(summarizeRun('Daily checks', [refused]).severity, 'error');
    assert.equal(summarizeRun('Daily checks', [down]).severity, 'warning');
  });
});

describe('againWithPassword', () => {
  const definition = (id: string, needsDatabase = false): CheckDefinition => ({
    id,
    title: id,
    needsDatabase,
    run: () => Promise.resolve({ outcome: 'pass', summary: 'ok' }),
  });
  const health = definition('health.database');
  const connections = definition('db.connections', true);
  const disk = definition('host.diskSpace');
  const run = [health, disk, connections];
  const refused: CheckResult = {
    ...result('health.database', 'Database connectivity', 'fail', 'No password for user app'),
    values: { loginRefused: true },
  };

  it('runs again the checks a password changes, once the login was refused', () => {
    // Set Password… from the run's notification left the refusal on show in the tree and the
    // dashboard's alerts, beside a dashboard that connected with the new password.
    const skipped = result('db.connections', 'Connections', 'skipped', 'database not usable');
    const again = againWithPassword(run, [
      refused,
      result('host.diskSpace', 'Disk', 'pass', ''),
      skipped,
    ]);
    assert.deepEqual(
      again.map((d) => d.id),
      ['health.database', 'db.connections'],
    );
  });

  it('runs nothing again when no login was refused', () => {
    const down = result('health.database', 'Database connectivity', 'fail', 'Cannot reach');
    assert.deepEqual(againWithPassword(run, [down]), []);
  });
});
