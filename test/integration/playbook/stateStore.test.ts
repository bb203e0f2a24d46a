/**
 * The state file on a real disk: several processes writing at once lose nothing, a crashed
 * writer's lock is taken over, and a broken file is reported, kept as a backup and not overwritten.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateStore, stateFilePath } from '../../../src/core/playbook/stateStore';
import type { CorruptStateReport } from '../../../src/core/playbook/stateStore';
import { emptyState } from '../../../src/core/playbook/state';

const root = path.join(__dirname, '../../..');

function runWriter(file: string, writer: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'stateWriter.ts'), file, writer, String(count)],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${stderr}`)),
    );
  });
}

describe('state store (repo file)', function () {
  this.timeout(120_000);
  let workspace: string;
  let file: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-state-'));
    file = stateFilePath('repository', { workspace });
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('puts the repo state in .upkeep/state.json and the default in workspace storage', () => {
    assert.equal(file, path.join(workspace, '.upkeep', 'state.json'));
    assert.equal(
      stateFilePath('workspaceStorage', { workspace, storageDir: '/storage/abc' }),
      path.join('/storage/abc', 'state.json'),
    );
  });

  it('keeps every change of several processes writing at once', async () => {
    const writers = ['a', 'b', 'c', 'd', 'e'];
    const count = 20;
    await Promise.all(writers.map((writer) => runWriter(file, writer, count)));

    const state = JSON.parse(await fs.readFile(file, 'utf8')) as ReturnType<typeof emptyState>;
    const ticks = Object.keys(state.tasks.shared.ticks);
    assert.equal(ticks.length, writers.length * count);
    for (const writer of writers) {
      for (let index = 0; index < count; index++) assert.ok(ticks.includes(`${writer}-${index}`));
    }
    const leftovers = (await fs.readdir(path.dirname(file))).filter(
      (name) => name !== 'state.json',
    );
    assert.deepEqual(leftovers, [], 'no lock or temporary file is left behind');
  });

  it('keeps every change of one process writing many times without awaiting', async () => {
    const store = new StateStore({ file });
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        store.update((state) => {
          state.tasks[`t${index}`] = { since: 'x', ticks: {}, history: [] };
        }),
      ),
    );
    assert.equal(Object.keys((await store.read()).tasks).length, 30);
  });

  it('takes over the lock of a writer that died', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    await fs.writeFile(
      `${file}.lock`,
      JSON.stringify({ pid: dead.pid, host: os.hostname(), at: new Date().toISOString() }),
    );
    const store = new StateStore({ file, lockTimeoutMs: 2000 });
    const started = Date.now();
    await store.update((state) => {
      state.tasks.one = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok(Date.now() - started < 1500);
    assert.ok((await store.read()).tasks.one);
  });

  it('takes over a lock that came with a clone: written days ago on another machine', async () => {
    // Committed by a `git add` while a tick held it: the checkout gives it a fresh mtime.
    await fs.mkdir(path.dirname(file), { recursive: true });
    const at = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await fs.writeFile(`${file}.lock`, JSON.stringify({ pid: 4242, host: 'laptop-of-ann', at }));
    const store = new StateStore({ file, lockTimeoutMs: 2000 });
    const started = Date.now();
    await store.update((state) => {
      state.tasks.cloned = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.ok((await store.read()).tasks.cloned);
  });

  it('takes over an old lock and waits for a fresh one', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const lock = `${file}.lock`;
    await fs.writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), at: '' }));

    const waiting = new StateStore({ file, lockTimeoutMs: 300, staleLockMs: 60_000 });
    await assert.rejects(
      waiting.update(() => undefined),
      (error: Error & { code?: string }) => error.code === 'timeout',
    );

    const past = new Date(Date.now() - 120_000);
    await fs.utimes(lock, past, past);
    await new StateStore({ file, staleLockMs: 60_000 }).update((state) => {
      state.tasks.two = { since: 'x', ticks: {}, history: [] };
    });
    assert.ok((await new StateStore({ file }).read()).tasks.two);
  });

  for (const [name, text] of [
    ['broken JSON', '{ "version": 1, "tasks": { '],
    ['a hand-edited wrong shape', '{ "version": 1, "tasks": [] }'],
    ['an empty file', ''],
  ] as const) {
    it(`moves ${name} aside, reports it, and never writes over it`, async () => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      const reports: CorruptStateReport[] = [];
      const store = new StateStore({ file, onCorrupt: (report) => reports.push(report) });

      assert.deepEqual(await store.read(), emptyState());
      assert.equal(reports.length, 1);
      assert.match(path.basename(reports[0].backup), /^state\.json\.corrupt-\d{4}-/);
      assert.equal(await fs.readFile(reports[0].backup, 'utf8'), text);

      await store.update((state) => {
        state.tasks.after = { since: 'x', ticks: {}, history: [] };
      });
      assert.equal(await fs.readFile(reports[0].backup, 'utf8'), text, 'the backup is untouched');
      assert.ok((await store.read()).tasks.after);
      assert.equal(reports.length, 1, 'reported once');
    });
  }

  it('leaves a file with merge conflict markers where it is, unread and unwritten', async () => {
    // The repo's file conflicts when two branches marked tasks done: moved aside, git would show
    // it deleted mid-merge, and the next tick would write a fresh state without either side.
    const text =
      '{\n<<<<<<< HEAD\n  "version": 1, "tasks": {}\n=======\n  "version": 1\n>>>>>>> x\n}\n';
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    const reports: CorruptStateReport[] = [];
    const store = new StateStore({ file, onCorrupt: (report) => reports.push(report) });
    const refused = (error: Error & { code?: string }): boolean =>
      error.code === 'refused' && /git merge conflict markers/.test(error.message);

    await assert.rejects(store.read(), refused);
    await assert.rejects(
      store.update((state) => {
        state.tasks.after = { since: 'x', ticks: {}, history: [] };
      }),
      refused,
    );
    assert.deepEqual(reports, []);
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['state.json']);
    assert.equal(await fs.readFile(file, 'utf8'), text);

    // Resolved, it is read again.
    await fs.writeFile(file, '{ "version": 1, "tasks": {} }\n');
    assert.deepEqual(await store.read(), emptyState());
  });

  it('writes readable JSON that a reviewer can diff', async () => {
    const store = new StateStore({ file });
    await store.update((state) => {
      state.tasks.x = { since: '2026-01-01T00:00:00.000Z', ticks: {}, history: [] };
    });
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.match(text, /\n {2}"tasks": \{\n/);
  });
});
