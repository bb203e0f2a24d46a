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
import { readStateFile, StateStore, stateFilePath } from '../../../src/core/playbook/stateStore';
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

  /** A change to the state in `file`, which is moved aside once and reported; the report. */
  async function changeMovesAside(): Promise<CorruptStateReport> {
    const reports: CorruptStateReport[] = [];
    const store = new StateStore({ file, onCorrupt: (report) => reports.push(report) });
    const state = await store.update((fresh) => {
      fresh.tasks.after = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok(state.tasks.after);
    assert.equal(reports.length, 1);
    return reports[0];
  }

  for (const [name, make] of [
    ['a symlink to /dev/zero', (target: string) => fs.symlink('/dev/zero', target)],
    ['a FIFO', async (target: string) => execFileSync('mkfifo', [target])],
  ] as const) {
    it(`moves a state.json that is ${name} aside and starts afresh`, async () => {
      await make(file);
      const report = await changeMovesAside();
      assert.match(report.reason, /not a regular file/);
      assert.equal((await fs.lstat(file)).isFile(), true, 'a real file replaces it');
    });
  }

  it('says where a linked file is not JSON without quoting what it holds', async () => {
    // A repo can commit state.json as a link to a private file of whoever runs Upkeep; the
    // parser's own message quotes the text around the error, into a CI log or a notification.
    const secret = path.join(workspace, 'secret.env');
    await fs.writeFile(secret, '{"version": 1,\n "x": PGPASSWORD=hunter2-secret\n');
    await fs.symlink(secret, file);
    const found = await readStateFile(file);
    assert.equal(found.ok, false);
    const { reason } = found as { reason: string };
    assert.match(reason, /^not valid JSON \(line 2, column 7\)$/);
    assert.doesNotMatch(reason, /PGPASS|hunter/);

    const start = path.join(workspace, 'start.env');
    await fs.writeFile(start, 'PGPASSWORD=hunter2-secret\n');
    await fs.rm(file);
    await fs.symlink(start, file);
    const reports: CorruptStateReport[] = [];
    await new StateStore({ file, onCorrupt: (report) => reports.push(report) }).read();
    assert.equal(reports.length, 1);
    assert.match(reports[0].reason, /^not valid JSON \(line 1, column 1\)$/);
    assert.doesNotMatch(reports[0].reason, /PGPASS|hunter/);
  });

  it('neither reads, moves nor writes a state through a .upkeep that links out', async () => {
    // A repo's .upkeep can link to a folder of the user's with a state.json of its own.
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-state-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'state.json'), 'not ours');
      await fs.rm(path.dirname(file), { recursive: true });
      await fs.symlink(outside, path.dirname(file));
      const reports: CorruptStateReport[] = [];
      const store = new StateStore({
        file,
        root: workspace,
        onCorrupt: (report) => reports.push(report),
      });

      await assert.rejects(store.read(), /\.upkeep links to .*outside the workspace/);
      await assert.rejects(
        store.update((state) => {
          state.tasks.one = { since: 'x', ticks: {}, history: [] };
        }),
        /\.upkeep links to .*outside the workspace/,
      );
      assert.deepEqual(reports, []);
      assert.deepEqual(await fs.readdir(outside), ['state.json']);
      assert.equal(await fs.readFile(path.join(outside, 'state.json'), 'utf8'), 'not ours');

      // A link to a folder not there yet is refused too, and the folder is not made.
      const gone = path.join(outside, 'gone');
      await fs.rm(path.dirname(file));
      await fs.symlink(path.relative(workspace, gone), path.dirname(file));
      await assert.rejects(
        store.update(() => undefined),
        /links to .*gone, outside/,
      );
      await assert.rejects(fs.stat(gone), /ENOENT/);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('keeps a state in a .upkeep that links to a folder inside the workspace', async () => {
    await fs.mkdir(path.join(workspace, 'shared'));
    await fs.rm(path.dirname(file), { recursive: true });
    await fs.symlink(path.join(workspace, 'shared'), path.dirname(file));
    const store = new StateStore({ file, root: workspace });
    await store.update((state) => {
      state.tasks.one = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok((await store.read()).tasks.one);
    assert.deepEqual(await fs.readdir(path.join(workspace, 'shared')), ['state.json']);
  });

  it('moves aside a state nested too deeply to write back, leaving no temporary file', async () => {
    // Valid JSON of the right shape, with a field of its own 100,000 arrays deep: JSON.parse
    // reads it, JSON.stringify overflows the stack, so every tick failed and left a .tmp file.
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text =
      '{"version":1,"tasks":{"daily.health":' +
      `{"since":"2026-01-01T00:00:00Z","ticks":{},"history":[],"extra":${deep}}}}`;
    await fs.writeFile(file, text);
    const report = await changeMovesAside();
    assert.match(report.reason, /nests too deeply/);
    assert.equal(await fs.readFile(report.backup, 'utf8'), text);
    const names = await fs.readdir(path.dirname(file));
    assert.deepEqual(
      names.filter((name) => name.includes('.tmp')),
      [],
    );
  });

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
