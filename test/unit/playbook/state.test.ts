/**
 * Checklist changes as data: ticking the last item completes the task, unticking reopens it, a new
 * period starts with a fresh checklist and keeps the old one in the history.
 */
import { strict as assert } from 'node:assert';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { findTask } from '../../../src/core/playbook/model';
import {
  changeContext,
  describeOwnerChange,
  emptyState,
  lastOwnerChange,
  markDone,
  recordOwnerChange,
  resetTask,
  setItemChecked,
  snoozeTask,
  trackTask,
  validateState,
} from '../../../src/core/playbook/state';
import type { ChangeContext } from '../../../src/core/playbook/state';
import { periodAt, taskStatus } from '../../../src/core/playbook/schedule';

const task = findTask(defaultPlaybook(), 'daily.logs')!;
const on = (day: string, by = 'Ann'): ChangeContext => ({
  now: new Date(`${day}T09:00:00Z`),
  by,
  periodKey: day,
});

describe('playbook state changes', () => {
  it('completes the task when the last item is ticked, with who and which checks', () => {
    const state = emptyState();
    assert.equal(setItemChecked(state, task, 'errors', true, on('2026-12-04')), 'changed');
    const checks = [
      { checkId: 'logs.slowRequests', outcome: 'pass' as const, summary: 'ok', startedAt: 'x' },
    ];
    assert.equal(setItemChecked(state, task, 'slow', true, on('2026-12-04'), checks), 'completed');
    const entry = state.tasks['daily.logs'];
    assert.deepEqual(entry.done, {
      periodKey: '2026-12-04',
      at: '2026-12-04T09:00:00.000Z',
      by: 'Ann',
    });
    assert.deepEqual(entry.history.at(-1)?.items, ['errors', 'slow']);
    assert.deepEqual(entry.history.at(-1)?.checks, checks);
    assert.equal(validateState(state), undefined);
  });

  it('reopens a completed task when an item is unticked, keeping an earlier completion', () => {
    const state = emptyState();
    markDone(state, task, on('2026-12-03'));
    setItemChecked(state, task, 'errors', true, on('2026-12-04'));
    setItemChecked(state, task, 'slow', true, on('2026-12-04'));
    assert.equal(setItemChecked(state, task, 'slow', false, on('2026-12-04')), 'reopened');
    assert.equal(state.tasks['daily.logs'].done?.periodKey, '2026-12-03');
    assert.deepEqual(
      state.tasks['daily.logs'].history.map((entry) => entry.action),
      ['done', 'done', 'reset'],
    );
  });

  it('starts a new period with a fresh checklist and files the unfinished one', () => {
    const state = emptyState();
    setItemChecked(state, task, 'errors', true, on('2026-12-03', 'Bo'));
    setItemChecked(state, task, 'slow', true, on('2026-12-04'));
    const entry = state.tasks['daily.logs'];
    assert.deepEqual(Object.keys(entry.ticks), ['slow']);
    assert.deepEqual(entry.history[0], {
      action: 'incomplete',
      periodKey: '2026-12-03',
      at: '2026-12-03T09:00:00.000Z',
      by: 'Bo',
      items: ['errors'],
      checks: [],
    });
  });

  it('snoozes, clears a snooze when done, and resets', () => {
    const state = emptyState();
    snoozeTask(state, task.id, '2026-12-10', on('2026-12-04'));
    assert.equal(state.tasks[task.id].snoozedUntil, '2026-12-10');
    markDone(state, task, on('2026-12-05'), { values: { note: 'x' } });
    assert.equal(state.tasks[task.id].snoozedUntil, undefined);
    resetTask(state, task.id, on('2026-12-05'));
    assert.equal(state.tasks[task.id].done, undefined);
    assert.deepEqual(
      state.tasks[task.id].history.map((entry) => entry.action),
      ['snoozed', 'done', 'reset'],
    );
  });

  it('resets and reopens a completion the tree reads as done, filed in another zone', () => {
    // Marked done at 08:00 on 1 March in Tokyo, filed under 2026-03: the tree in London reads it
    // done for February that evening, so Reset and unticking an item there take it back.
    const monthly = findTask(defaultPlaybook(), 'monthly.backups')!;
    const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'monthly')!;
    const tokyoNow = new Date('2026-02-28T23:00:00Z');
    const tokyo = { now: tokyoNow, by: 'Kei', periodKey: '2026-03' };
    const now = new Date('2026-02-28T23:30:00Z');
    const london = (): ChangeContext => ({
      now,
      by: 'Ann',
      periodKey: '2026-02',
      period: periodAt('month', now, 'Europe/London'),
    });
    const read = (state: ReturnType<typeof emptyState>): string =>
      taskStatus(tier, state.tasks[monthly.id], now, 'Europe/London').kind;

    const reset = emptyState();
    markDone(reset, monthly, tokyo, { tickAll: true });
    assert.equal(read(reset), 'done');
    resetTask(reset, monthly.id, london());
    assert.deepEqual([read(reset), reset.tasks[monthly.id].done], ['due', undefined]);

    const unticked = emptyState();
    markDone(unticked, monthly, {
      ...tokyo,
      now: new Date('2026-01-20T09:00:00Z'),
      periodKey: '2026-01',
    });
    markDone(unticked, monthly, tokyo);
    setItemChecked(unticked, monthly, monthly.items[0].id, true, london());
    assert.equal(
      setItemChecked(unticked, monthly, monthly.items[0].id, false, london()),
      'reopened',
    );
    assert.equal(unticked.tasks[monthly.id].done?.at, '2026-01-20T09:00:00.000Z');
    assert.equal(read(unticked), 'due');
  });

  it('keeps an item another zone ticked in this period when an item is ticked here', () => {
    // Kei ticks at 08:00 on 1 March in Tokyo (filed under 2026-03); Ann, at 23:30 on 28 February
    // in London, ticks another. Her tick started February afresh: Kei's went to the history as
    // an unfinished March, and the tree in Tokyo lost it too.
    const monthly = findTask(defaultPlaybook(), 'monthly.backups')!;
    const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'monthly')!;
    const at = (iso: string, by: string, zone: string): ChangeContext =>
      changeContext(tier, new Date(iso), by, zone);
    const state = emptyState();
    setItemChecked(state, monthly, 'latest', true, at('2026-02-28T23:00:00Z', 'Kei', 'Asia/Tokyo'));
    const ann = at('2026-02-28T23:30:00Z', 'Ann', 'Europe/London');
    setItemChecked(state, monthly, 'files', true, ann);
    const entry = state.tasks[monthly.id];
    assert.deepEqual(Object.keys(entry.ticks), ['latest', 'files']);
    assert.equal(entry.history.length, 0);
    for (const reader of ['Europe/London', 'Asia/Tokyo']) {
      assert.deepEqual(taskStatus(tier, entry, ann.now, reader).checkedItems, ['latest', 'files']);
    }

    // In March (London), a tick starts the month afresh and files February's two as unfinished.
    setItemChecked(
      state,
      monthly,
      'drill',
      true,
      at('2026-03-02T09:00:00Z', 'Ann', 'Europe/London'),
    );
    assert.deepEqual(Object.keys(entry.ticks), ['drill']);
    assert.deepEqual(
      entry.history.map((item) => [item.action, item.periodKey, item.by, item.items]),
      [['incomplete', '2026-02', 'Ann', ['latest', 'files']]],
    );
  });

  it('files no unfinished period for ticks of a period another zone completed', () => {
    // Kei completes the daily task at 08:00 on 5 December in Tokyo (23:00 on the 4th in UTC).
    // The next morning in UTC, the same key: Ann's tick of one item completed the task again.
    const daily = defaultPlaybook().tiers.find((candidate) => candidate.id === 'daily')!;
    const state = emptyState();
    const kei = changeContext(daily, new Date('2026-12-04T23:00:00Z'), 'Kei', 'Asia/Tokyo');
    markDone(state, task, kei, { tickAll: true });
    const ann = changeContext(daily, new Date('2026-12-05T09:00:00Z'), 'Ann', 'UTC');
    assert.equal(setItemChecked(state, task, 'errors', true, ann), 'changed');
    const entry = state.tasks[task.id];
    assert.deepEqual(Object.keys(entry.ticks), ['errors']);
    assert.deepEqual(
      entry.history.map((item) => item.action),
      ['done'],
    );
  });

  it('keeps a tick whose time is still to come for its period, as a completion is', () => {
    // Bo's clock runs ten minutes ahead: his tick at 23:55 on 4 December is stamped 00:05 on
    // the 5th. Ann's tick a minute later set it aside as an unfinished 5 December.
    const daily = defaultPlaybook().tiers.find((candidate) => candidate.id === 'daily')!;
    const state = emptyState();
    const bo = changeContext(daily, new Date('2026-12-05T00:05:00Z'), 'Bo', 'UTC');
    setItemChecked(state, task, 'errors', true, bo);
    const ann = changeContext(daily, new Date('2026-12-04T23:56:00Z'), 'Ann', 'UTC');
    setItemChecked(state, task, 'slow', true, ann);
    const entry = state.tasks[task.id];
    assert.equal(entry.history.length, 0);
    assert.deepEqual(taskStatus(daily, entry, ann.now, 'UTC').checkedItems, ['slow']);
    const morning = new Date('2026-12-05T09:00:00Z');
    assert.deepEqual(taskStatus(daily, entry, morning, 'UTC').checkedItems, ['errors']);
  });

  it('goes back to no completion a reset had already taken back', () => {
    // Done on 20 January and reset the next day; done on 5 February, then an item unticked: the
    // task fell back on January's completion, which no longer stood, and read due, not overdue.
    const monthly = findTask(defaultPlaybook(), 'monthly.backups')!;
    const tier = defaultPlaybook().tiers.find((candidate) => candidate.id === 'monthly')!;
    const on = (iso: string): ChangeContext => changeContext(tier, new Date(iso), 'Ann', 'UTC');
    const state = emptyState();
    trackTask(state, monthly.id, on('2026-01-10T09:00:00Z'));
    markDone(state, monthly, on('2026-01-20T09:00:00Z'));
    resetTask(state, monthly.id, on('2026-01-21T09:00:00Z'));
    markDone(state, monthly, on('2026-02-05T09:00:00Z'));
    const unticked = on('2026-02-06T09:00:00Z');
    assert.equal(setItemChecked(state, monthly, 'latest', false, unticked), 'reopened');
    const entry = state.tasks[monthly.id];
    assert.equal(entry.done, undefined);
    const status = taskStatus(tier, entry, unticked.now, 'UTC');
    assert.deepEqual([status.kind, status.missedPeriod], ['overdue', '2026-01']);
  });

  it('keeps who changed the owner, when, and from whom to whom, in the history', () => {
    const state = emptyState();
    recordOwnerChange(state, task.id, on('2026-12-04', 'Pat'), { from: null, to: 'Sam' });
    recordOwnerChange(state, task.id, on('2026-12-05', 'Sam'), { from: 'Sam', to: null });
    const entry = state.tasks[task.id];
    assert.deepEqual(entry.history.at(-1), {
      action: 'owner',
      periodKey: '2026-12-05',
      at: '2026-12-05T09:00:00.000Z',
      by: 'Sam',
      items: [],
      checks: [],
      owner: { from: 'Sam', to: null },
    });
    assert.equal(lastOwnerChange(entry)?.by, 'Sam');
    assert.equal(
      describeOwnerChange({ from: null, to: 'Sam' }),
      "no owner (the tier's team) → Sam",
    );
    // Neither done nor snoozed: the task's state is as it was.
    assert.equal(entry.done, undefined);
    assert.equal(validateState(JSON.parse(JSON.stringify(state))), undefined);

    // A committed file's owner entry says from whom to whom, and only an owner entry does.
    const broken = (change: object): string | undefined =>
      validateState({
        version: 1,
        tasks: { [task.id]: { ...entry, history: [{ ...entry.history[0], ...change }] } },
      });
    assert.match(broken({ owner: undefined }) ?? '', /broken history entry/);
    assert.match(broken({ owner: { from: 1, to: 'Sam' } }) ?? '', /broken history entry/);
    assert.match(broken({ owner: 'Sam' }) ?? '', /broken history entry/);
    assert.match(broken({ action: 'done' }) ?? '', /broken history entry/);
    assert.equal(broken({ owner: { from: 'Ann', to: 'Sam' } }), undefined);
  });

  it('keeps a typed reason and note without bidirectional or zero-width characters', () => {
    const state = emptyState();
    snoozeTask(state, task.id, '2026-12-10', on('2026-12-04'), '\u202ewaiting\u200b for\ufeff Ann');
    const entry = state.tasks[task.id];
    assert.equal(entry.snoozeReason, 'waiting for Ann');
    assert.equal(entry.history.at(-1)?.note, 'until 2026-12-10: waiting for Ann');
    markDone(state, task, on('2026-12-05'), { note: ' Removed\u2066 2\u2069\naccounts\u200f ' });
    assert.equal(entry.history.at(-1)?.note, 'Removed 2 accounts');
    markDone(state, task, on('2026-12-06'), {
      note: '\u202a\u200b\ufeff',
      values: { minutes: ' 4\u200b2\u202e ', blank: '\u2066\ufeff' },
    });
    assert.equal(entry.history.at(-1)?.note, undefined);
    assert.deepEqual(entry.history.at(-1)?.values, { minutes: '42' });
  });

  it('keeps why a task was snoozed, in the state and the history, until done or reset', () => {
    const state = emptyState();
    snoozeTask(state, task.id, '2026-12-10', on('2026-12-04'), '  waiting for\nthe vendor ');
    const entry = state.tasks[task.id];
    assert.equal(entry.snoozeReason, 'waiting for the vendor');
    assert.equal(entry.history.at(-1)?.note, 'until 2026-12-10: waiting for the vendor');
    assert.equal(validateState(JSON.parse(JSON.stringify(state))), undefined);
    // A snooze without a reason leaves none from the one before.
    snoozeTask(state, task.id, '2026-12-11', on('2026-12-04'));
    assert.equal(entry.snoozeReason, undefined);
    assert.equal(entry.history.at(-1)?.note, 'until 2026-12-11');
    snoozeTask(state, task.id, '2026-12-12', on('2026-12-04'), 'on leave');
    markDone(state, task, on('2026-12-05'));
    assert.equal(entry.snoozeReason, undefined);
    snoozeTask(state, task.id, '2026-12-12', on('2026-12-05'), 'on leave');
    resetTask(state, task.id, on('2026-12-05'));
    assert.equal(entry.snoozeReason, undefined);
    const broken = JSON.parse(JSON.stringify(state));
    broken.tasks[task.id].snoozeReason = 42;
    assert.match(validateState(broken) ?? '', /snoozeReason/);
  });

  it('leaves a fresh checklist after an on-demand run is done', () => {
    const bugFix = findTask(defaultPlaybook(), 'onDemand.bugFix')!;
    const state = emptyState();
    const context = { ...on('2026-12-04'), periodKey: 'onDemand' };
    for (const item of bugFix.items) setItemChecked(state, bugFix, item.id, true, context);
    // The records have no prototype (ids may be `constructor`), so compare the keys.
    assert.deepEqual(Object.keys(state.tasks[bugFix.id].ticks), []);
    assert.equal(state.tasks[bugFix.id].history.at(-1)?.items.length, 5);
  });

  it('tells a broken state from a valid one', () => {
    assert.equal(validateState(emptyState()), undefined);
    assert.match(validateState([]) ?? '', /not a JSON object/);
    assert.match(validateState({ version: 2, tasks: {} }) ?? '', /unknown version/);
    assert.match(
      validateState({ version: 1, tasks: { a: { since: 'x', ticks: {} } } }) ?? '',
      /history/,
    );
  });
});
