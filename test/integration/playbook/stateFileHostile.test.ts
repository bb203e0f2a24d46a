/**
 * A repo's `.upkeep/state.json` (or its lock) committed as a symlink to /dev/zero or as a FIFO:
 * the state store refuses to read it, moves the state file aside as broken and starts afresh,
 * quickly and without reading the device.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateStore, stateFilePath } from '../../../src/core/playbook/stateStore';
import type { CorruptStateReport } from '../../../src/core/playbook/stateStore';

describe('state store with a hostile repo state file', function () {
  this.timeout(60_000);
  let workspace: string;
  let file: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-state-hostile-'));
    file = stateFilePath('repository', { workspace });
    await fs.mkdir(path.dirname(file), { recursive: true });
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  for (const [name, make] of [
    ['a symlink to /dev/zero', (target: string) => fs.symlink('/dev/zero', target)],
    ['a FIFO', async (target: string) => execFileSync('mkfifo', [target])],
  ] as const) {
    it(`moves a state.json that is ${name} aside and starts afresh`, async () => {
      await make(file);
      const reports: CorruptStateReport[] = [];
      const store = new StateStore({ file, onCorrupt: (report) => reports.push(report) });

      const state = await store.update((fresh) => {
        fresh.tasks.after = { since: 'x', ticks: {}, history: [] };
      });
      assert.ok(state.tasks.after);
      assert.equal(reports.length, 1);
      assert.match(reports[0].reason, /not a regular file/);
      assert.equal((await fs.lstat(file)).isFile(), true, 'a real file replaces it');
    });
  }

  it('takes over a lock that links to /dev/zero by its age, without reading it', async () => {
    await fs.symlink('/dev/zero', `${file}.lock`);
    // The device's own age decides; a short staleLockMs keeps a just-booted machine's /dev fine.
    const store = new StateStore({ file, staleLockMs: 1000, lockTimeoutMs: 5000 });
    const state = await store.update((fresh) => {
      fresh.tasks.one = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok(state.tasks.one);
  });
});
