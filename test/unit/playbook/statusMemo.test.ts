import { strict as assert } from 'node:assert';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import type { Playbook, Task } from '../../../src/core/playbook/model';
import { findTier } from '../../../src/core/playbook/model';
import type { TaskStatus } from '../../../src/core/playbook/schedule';
import { periodKeyFor, taskStatus } from '../../../src/core/playbook/schedule';
import type { PlaybookState } from '../../../src/core/playbook/state';
import { emptyState } from '../../../src/core/playbook/state';
import { StatusMemo } from '../../../src/core/playbook/statusMemo';

const NOW = new Date('2026-12-02T10:00:00.250Z');
const ZONE = 'Europe/Berlin';

describe('StatusMemo', () => {
  let playbook: Playbook;
  let computed: number;
  let memo: StatusMemo;
  let state: PlaybookState;

  beforeEach(() => {
    playbook = defaultPlaybook();
    state = emptyState();
    computed = 0;
    memo = new StatusMemo((task, now, zone) => {
      computed++;
      return taskStatus(findTier(playbook, task.tier)!, state.tasks[task.id], now, zone);
    });
  });

  const ask = (task: Task, now = NOW, zone = ZONE): TaskStatus =>
    memo.statusOf(task, { now, zone, state, playbook });

  it('computes each task once for the many asks of a redraw', () => {
    for (let round = 0; round < 4; round++) {
      for (const task of playbook.tasks) ask(task, new Date(NOW.getTime() + round * 100));
    }
    assert.equal(computed, playbook.tasks.length);
    const task = playbook.tasks[0];
    assert.deepEqual(ask(task), taskStatus(findTier(playbook, task.tier)!, undefined, NOW, ZONE));
  });

  it('computes afresh for a new state, another second, another zone or playbook', () => {
    const task = playbook.tasks.find((candidate) => candidate.tier === 'daily')!;
    assert.equal(ask(task).kind, 'due');

    const tier = findTier(playbook, 'daily')!;
    state = emptyState();
    state.tasks[task.id] = {
      since: NOW.toISOString(),
      ticks: {},
      history: [],
      done: { periodKey: periodKeyFor(tier, NOW, ZONE), at: NOW.toISOString(), by: 'Ann' },
    };
    assert.equal(ask(task).kind, 'done', 'a new state');
    assert.equal(computed, 2);

    ask(task, new Date(NOW.getTime() + 1000));
    ask(task, NOW, 'America/New_York');
    playbook = { ...playbook };
    ask(task);
    assert.equal(computed, 5);
  });

  it('computes afresh after clear', () => {
    const task = playbook.tasks[0];
    ask(task);
    memo.clear();
    ask(task);
    assert.equal(computed, 2);
  });
});
