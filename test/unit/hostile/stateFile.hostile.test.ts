/**
 * A hand-broken `.upkeep/state.json` that is still JSON (a bad merge resolution, a field of the
 * wrong type): the store must set it aside and start fresh, as it does for a file that does not
 * parse, rather than hand the tree a state that makes the status or the history throw.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { historyMarkdown } from '../../../src/core/playbook/history';
import { periodKeyFor, taskStatus } from '../../../src/core/playbook/schedule';
import { markDone, setItemChecked, taskEntry } from '../../../src/core/playbook/state';
import { readStateFile, StateStore } from '../../../src/core/playbook/stateStore';
import { UNSAFE_CHAR } from '../../../src/core/util/printable';

const TASK = 'daily.health';
const good = { since: '2026-12-01T00:00:00.000Z', ticks: {}, history: [] };
const entry = {
  action: 'done',
  periodKey: '2026-12-02',
  at: '2026-12-02T10:00:00.000Z',
  by: 'Ada',
  items: [],
  checks: [],
};

const BROKEN: Record<string, unknown> = {
  'a null tick': { ...good, periodKey: '2026-12-02', ticks: { a: null } },
  'a tick without a time': { ...good, periodKey: '2026-12-02', ticks: { a: { by: 'x' } } },
  'a null history entry': { ...good, history: [null] },
  'a history entry without a time': { ...good, history: [{ ...entry, at: undefined }] },
  'history checks that are not a list': { ...good, history: [{ ...entry, checks: 5 }] },
  'history items that are not a list': { ...good, history: [{ ...entry, items: 'a' }] },
  'an unknown history action': { ...good, history: [{ ...entry, action: 'exploded' }] },
  'a done without a period': { ...good, done: { at: 5 } },
  'a snooze that is a number': { ...good, snoozedUntil: 20261205 },
  'ticks that are a list': { ...good, ticks: [] },
};

describe('hostile .upkeep/state.json that is still JSON', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-state-'));
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  for (const [name, task] of Object.entries(BROKEN)) {
    it(`${name}: set aside, and the tree and history still work`, async () => {
      const file = path.join(folder, 'state.json');
      const text = JSON.stringify({ version: 1, tasks: { [TASK]: task } });
      await fs.writeFile(file, text);
      const reports: string[] = [];
      const store = new StateStore({ file, onCorrupt: (report) => reports.push(report.backup) });

      const playbook = defaultPlaybook();
      const tier = playbook.tiers.find((candidate) => candidate.id === 'daily')!;
      const daily = playbook.tasks.find((candidate) => candidate.id === TASK)!;
      const now = new Date('2026-12-04T10:00:00Z');
      const state = await store.read();
      taskStatus(tier, taskEntry(state, TASK), now, 'UTC');
      historyMarkdown(playbook, state, undefined, (iso) => iso);
      const context = { now, by: 'Ada', periodKey: periodKeyFor(tier, now, 'UTC') };
      await store.update((fresh) => {
        setItemChecked(fresh, daily, daily.items[0].id, true, context);
        markDone(fresh, daily, context);
      });

      assert.equal(reports.length, 1, 'reported as broken');
      assert.equal(await fs.readFile(reports[0], 'utf8'), text, 'kept as it was');
    });
  }
});

describe('hostile .upkeep/state.json: what its message quotes', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-state-'));
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const HUGE = `${'x'.repeat(1_000_000)}\u001b[2J`;
  const cases: Record<string, unknown> = {
    'a task id of a megabyte': { version: 1, tasks: { [HUGE]: { since: 5 } } },
    'a version of a megabyte': { version: HUGE, tasks: {} },
    'a version that is a long list': { version: Array(100_000).fill(1), tasks: {} },
  };
  const deep = `{"version": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "tasks": {}}`;
  cases['a version nested 100,000 deep'] = deep;
  for (const [name, state] of Object.entries(cases)) {
    it(`${name}: the reason quotes a line of it, not the whole`, async () => {
      // `upkeep status` printed such a reason twice (stderr and its report): 2 MB a run.
      const file = path.join(folder, 'state.json');
      await fs.writeFile(file, state === deep ? deep : JSON.stringify(state));
      const read = await readStateFile(file);
      assert.ok(!read.ok);
      assert.ok(read.reason.length < 200, `${read.reason.length} characters`);
      assert.doesNotMatch(read.reason, UNSAFE_CHAR);
    });
  }
});
