/**
 * How old a recorded recovery drill may be: the monthly backup task wants one within its tier's
 * period (a month: 31 days), the annual disaster-recovery task within a year, from the same
 * record of `upkeep drill --save` or the editor's drill command.
 */
import { strict as assert } from 'node:assert';
import { createRegistry } from '../../../src/core/checks/registry';
import { MemoryResultLog } from '../../../src/core/checks/resultLog';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import type { Playbook } from '../../../src/core/playbook/model';
import { findTask } from '../../../src/core/playbook/model';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

const NOW = new Date('2026-12-05T10:00:00.000Z');

function drillRecord(daysAgo: number): CheckResult {
  const drilledAt = new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString();
  return {
    checkId: 'backups.recoveryDrill',
    title: 'Backup recovery drill',
    outcome: 'pass',
    summary: 'restored 3 tables (1,250 rows) in 2.4 s; counts match',
    values: { drill: true, drillOk: true, drilledAt, recoveryMs: 2400, tables: 3, rows: 1250 },
    startedAt: drilledAt,
    durationMs: 3000,
  };
}

async function outcomes(
  playbook: Playbook,
  daysAgo: number,
  ids: string[],
): Promise<[string, string][]> {
  const results = new MemoryResultLog();
  await results.record([drillRecord(daysAgo)]);
  const registry = createRegistry(playbook);
  const run = await runChecks(
    ids.map((id) => registry.resolve(id)),
    {
      workspace: '/nonexistent',
      settings: resolveSettings(),
      clock: fixedClock(NOW),
      log: silentLogger,
      trusted: true,
      results,
    },
  );
  return run.map((result) => [result.outcome, result.summary]);
}

describe('recovery drill age', () => {
  const playbook = defaultPlaybook();
  const drillChecks = (taskId: string, itemId: string): string[] | undefined =>
    findTask(playbook, taskId)?.items.find((item) => item.id === itemId)?.checks;

  it('gives the monthly drill item its own check and leaves the annual one on the year', () => {
    assert.deepEqual(drillChecks('monthly.backups', 'drill'), ['backups.recentDrill']);
    assert.deepEqual(drillChecks('annual.disasterRecovery', 'restore'), ['backups.recoveryDrill']);
  });

  it('warns the monthly task of a drill over a month old; the year passes it', async () => {
    const ids = ['backups.recentDrill', 'backups.recoveryDrill'];
    const old = await outcomes(playbook, 40, ids);
    assert.equal(old[0][0], 'warn', old[0][1]);
    assert.match(
      old[0][1],
      /last drill 40 days ago .*due again: the monthly task wants one every 31 days/,
    );
    assert.equal(old[1][0], 'pass', old[1][1]);

    const recent = await outcomes(playbook, 20, ids);
    assert.deepEqual(
      recent.map(([outcome]) => outcome),
      ['pass', 'pass'],
    );
    assert.match(recent[0][1], /^last drill 20 days ago: recovery took 2.4 s$/);

    const ancient = await outcomes(playbook, 400, ids);
    assert.deepEqual(
      ancient.map(([outcome]) => outcome),
      ['warn', 'warn'],
    );
  });

  it('takes the period from the tier of the task that lists it', async () => {
    const { playbook: weekly, problems } = applyPlaybookText(
      defaultPlaybook(),
      'tasks:\n  - id: monthly.backups\n    tier: weekly\n',
    );
    assert.deepEqual(problems, []);
    const [[outcome, summary]] = await outcomes(weekly, 10, ['backups.recentDrill']);
    assert.equal(outcome, 'warn', summary);
    assert.match(summary, /the weekly task wants one every 7 days/);
    assert.equal((await outcomes(weekly, 5, ['backups.recentDrill']))[0][0], 'pass');
  });

  it('reads a drill recorded minutes ahead of this clock as today, not -1 days ago', async () => {
    // Another machine's clock, a few minutes fast, recorded it.
    const ids = ['backups.recentDrill', 'backups.recoveryDrill'];
    const ahead = await outcomes(playbook, -5 / (24 * 60), ids);
    for (const [outcome, summary] of ahead) {
      assert.equal(outcome, 'pass', summary);
      assert.equal(summary, 'last drill today: recovery took 2.4 s');
    }
  });

  /** The result of check `id` with no drill recorded, read on `surface`. */
  async function withoutDrill(id: string, surface?: 'editor' | 'cli'): Promise<CheckResult> {
    const registry = createRegistry(playbook);
    const [result] = await runChecks([registry.resolve(id)], {
      workspace: '/nonexistent',
      settings: resolveSettings(),
      clock: fixedClock(NOW),
      log: silentLogger,
      trusted: true,
      results: new MemoryResultLog(),
      surface,
    });
    return result;
  }

  it('skips until a drill is recorded', async () => {
    assert.equal((await withoutDrill('backups.recentDrill')).outcome, 'skipped');
  });

  it('says how to run the drill in the words of where the result is read', async () => {
    const summary = async (surface: 'editor' | 'cli'): Promise<string> =>
      (await withoutDrill('backups.recoveryDrill', surface)).summary;
    assert.equal(await summary('editor'), 'run "Upkeep: Run Backup Recovery Drill…"');
    assert.equal(
      await summary('cli'),
      'run upkeep drill (or "Upkeep: Run Backup Recovery Drill…" in the editor)',
    );
  });
});
