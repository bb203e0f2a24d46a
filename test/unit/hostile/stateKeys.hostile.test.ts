/**
 * Security review of the playbook state: task and checklist item ids come from the repo's
 * playbook, and ids such as `toString` or `constructor` pass the loader's id pattern. The state
 * keeps them as keys of plain objects, so they collide with Object.prototype. Failing tests are
 * open bugs.
 */
import { strict as assert } from 'node:assert';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import {
  emptyState,
  normalizeState,
  setItemChecked,
  trackTask,
  validateState,
} from '../../../src/core/playbook/state';
import type { PlaybookState } from '../../../src/core/playbook/state';

const context = { now: new Date('2026-12-04T10:00:00Z'), by: 'tester', periodKey: '2026-12-04' };

function loadTask(id: string, items: string[]) {
  const text =
    `version: 1\ntasks:\n  - id: ${id}\n    title: T\n    tier: daily\n    items:\n` +
    items.map((item) => `      - {id: ${item}, title: ${item}}\n`).join('');
  const { playbook, problems } = applyPlaybookText(defaultPlaybook(), text);
  const task = playbook.tasks.find((t) => t.id === id);
  return { task, problems };
}

describe('hostile ids in the playbook state (security review)', () => {
  it('an item called "constructor" is not ticked before anyone ticks it', () => {
    const { task, problems } = loadTask('deploy.check', ['constructor', 'real']);
    assert.ok(task, JSON.stringify(problems));
    const state = emptyState();
    const outcome = setItemChecked(state, task, 'real', true, context);
    // Today: "completed", because 'constructor' in {} is true, so the unticked item counts.
    assert.equal(outcome, 'changed');
  });

  it('a task called "toString" can be tracked and ticked', () => {
    const { task, problems } = loadTask('toString', ['a']);
    assert.ok(task, JSON.stringify(problems));
    const state = emptyState();
    trackTask(state, task.id, context);
    // Today: state.tasks.toString is Object.prototype.toString, so it is never stored and
    // ticking throws a TypeError from Object.keys(undefined).
    assert.doesNotThrow(() => setItemChecked(state, task, 'a', true, context));
    assert.equal(typeof state.tasks[task.id], 'object');
  });

  it('a state file read from disk keeps such ids as plain keys, and its JSON shape', () => {
    const { task } = loadTask('constructor', ['toString', 'real']);
    assert.ok(task);
    const text = JSON.stringify({
      version: 1,
      tasks: {
        constructor: {
          since: '2026-12-01T00:00:00.000Z',
          periodKey: context.periodKey,
          ticks: { toString: { at: '2026-12-04T09:00:00.000Z', by: 'A' } },
          history: [],
        },
      },
    });
    const parsed = JSON.parse(text) as PlaybookState;
    assert.equal(validateState(parsed), undefined);
    const state = normalizeState(parsed);

    assert.equal(setItemChecked(state, task, 'real', true, context), 'completed');
    const saved = JSON.parse(JSON.stringify(state)) as PlaybookState;
    assert.deepEqual(Object.keys(saved.tasks), ['constructor']);
    assert.deepEqual(Object.keys(Object.values(saved.tasks)[0].ticks), ['toString', 'real']);
  });
});
