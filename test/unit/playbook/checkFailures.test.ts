/**
 * The task row's failing-check summary: which checks of a default-playbook task count as failing
 * (latest result fail or error) and how the tree words it.
 */
import { strict as assert } from 'node:assert';
import type { CheckResult } from '../../../src/core/checks/types';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import {
  checkFailures,
  checkIdsOfTask,
  describeCheckFailures,
  describeTaskRow,
  describeTickRow,
  describeTierRow,
  hoverText,
} from '../../../src/vscode/tree/checkFailures';
import { taskStatus } from '../../../src/core/playbook/schedule';

function result(checkId: string, outcome: CheckResult['outcome']): CheckResult {
  return {
    checkId,
    title: checkId,
    outcome,
    summary: `${outcome} summary`,
    startedAt: '2026-12-04T08:00:00.000Z',
    durationMs: 5,
  };
}

function logOf(results: CheckResult[]): { latest(checkId: string): CheckResult | undefined } {
  const byId = new Map(results.map((entry) => [entry.checkId, entry]));
  return { latest: (checkId) => byId.get(checkId) };
}

const logTask = defaultPlaybook().tasks.find((task) => task.id === 'daily.logs')!;

describe('task check failures', () => {
  it('covers the checks of the task and of its checklist items once each', () => {
    const ids = checkIdsOfTask(logTask);
    assert.ok(ids.includes('logs.errorsLastHour'));
    assert.ok(ids.includes('logs.slowRequests'));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('counts fail and error, not warn, pass or skipped', () => {
    const failures = checkFailures(
      logTask,
      logOf([result('logs.errorsLastHour', 'fail'), result('logs.slowRequests', 'error')]),
    );
    assert.deepEqual(failures.failing, ['logs.errorsLastHour', 'logs.slowRequests']);
    assert.equal(failures.errored, 1);
    assert.equal(describeCheckFailures(failures), '2 checks failing');

    for (const outcome of ['warn', 'pass', 'skipped'] as const) {
      const none = checkFailures(logTask, logOf([result('logs.errorsLastHour', outcome)]));
      assert.deepEqual(none.failing, [], outcome);
      assert.equal(describeCheckFailures(none), '');
    }
  });

  it('says "1 check failing" for one, and nothing for checks not run yet', () => {
    const one = checkFailures(logTask, logOf([result('logs.slowRequests', 'fail')]));
    assert.equal(describeCheckFailures(one), '1 check failing');
    assert.equal(describeCheckFailures(checkFailures(logTask, logOf([]))), '');
  });

  it('keeps a failing check on the row of a task marked done', () => {
    const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'daily')!;
    const now = new Date('2026-12-04T10:00:00Z');
    const done = taskStatus(
      tier,
      {
        since: '2026-12-01T00:00:00Z',
        ticks: {},
        history: [],
        done: { periodKey: '2026-12-04', at: '2026-12-04T08:12:00Z', by: 'Ann' },
      },
      now,
      'UTC',
    );
    const results = logOf([result('logs.errorsLastHour', 'fail')]);
    assert.equal(
      describeTaskRow(logTask, done, results, now, 'UTC'),
      'done 08:12 by Ann · 1 check failing',
    );
  });

  it("names the task's owner on its row, when the playbook gives one", () => {
    const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'daily')!;
    const now = new Date('2026-12-04T10:00:00Z');
    const open = taskStatus(tier, undefined, now, 'UTC');
    const owned = { ...logTask, owner: 'Bob' };
    const results = logOf([result('logs.errorsLastHour', 'fail')]);
    assert.equal(
      describeTaskRow(owned, open, results, now, 'UTC'),
      'due today · 1 check failing · owner Bob',
    );
    assert.equal(describeTaskRow(logTask, open, logOf([]), now, 'UTC'), 'due today');
  });
});

describe('describeTierRow', () => {
  it('puts what is due first and the team last, where a narrow sidebar cuts the row', () => {
    const attention = { overdue: 1, dueSoon: 3, dueLater: 2 };
    assert.equal(
      describeTierRow(attention, 2, '', 'Operations Team'),
      '1 overdue, 3 due soon, 2 failing · Operations Team',
    );
    assert.equal(describeTierRow({ overdue: 0, dueSoon: 0, dueLater: 4 }, 0, '', 'Ops'), 'Ops');
    assert.equal(
      describeTierRow({ overdue: 0, dueSoon: 0, dueLater: 0 }, 0, '1 open bug report', 'On-call'),
      '1 open bug report · On-call',
    );
  });
});

describe('describeTaskRow with a hostile state file', () => {
  const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'weekly')!;
  const task = defaultPlaybook().tasks.find((candidate) => candidate.id === 'weekly.database')!;
  const now = new Date('2026-12-04T10:00:00Z');

  function snoozedBecause(reason: string): ReturnType<typeof taskStatus> {
    const state = {
      since: '2026-11-01T00:00:00Z',
      ticks: {},
      history: [],
      snoozedUntil: '2026-12-20',
      snoozeReason: reason,
    };
    return taskStatus(tier, state, now, 'UTC');
  }

  it('keeps control and bidirectional characters of a committed reason off the row', () => {
    const row = describeTaskRow(
      task,
      snoozedBecause('db\u202Eexe.\nfake\u001b[2J'),
      logOf([]),
      now,
      'UTC',
    );
    assert.equal(row, 'snoozed until 2026-12-20: db exe. fake [2J');
  });

  it('cuts a megabyte reason to a row, not inside a surrogate pair', () => {
    const row = describeTaskRow(task, snoozedBecause('😀'.repeat(500_000)), logOf([]), now, 'UTC');
    assert.ok(row.length <= 200, `${row.length} characters`);
    assert.ok(row.endsWith('😀…'));
  });

  it("keeps a committed tick's name to one printable line on the item's row", () => {
    const at = '2026-12-04T09:12:00Z';
    assert.equal(
      describeTickRow({ at, by: 'Ann\u202Eexe.\nfake\u001b[2J' }, now, 'UTC'),
      '09:12 by Ann exe. fake [2J',
    );
    const long = describeTickRow({ at, by: 'x'.repeat(1_000_000) }, now, 'UTC');
    assert.ok(long.length <= 200, `${long.length} characters`);
  });

  it('keeps a title in a hover literal: markup, links and character references escaped', () => {
    // A hover renders Markdown, which decodes &rlm; to the bidi mark printable keeps out (a
    // custom check's title, named in its task's hover, comes from the repo's playbook).
    assert.equal(
      hoverText('Disk x&#x202E;gnp.exe &rlm; R&D'),
      'Disk x\\&\\#x202E;gnp\\.exe \\&rlm; R\\&D',
    );
    assert.equal(
      hoverText('[run](command:upkeep.x) <b>\u202e'),
      '\\[run\\]\\(command\\:upkeep\\.x\\) \\<b\\> ',
    );
  });
});
