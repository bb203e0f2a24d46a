/**
 * `own-query-ids.json` and `db-snapshots.json` in `~/.cache/upkeep` are shared by every Upkeep
 * process of the user (cron runs, the editor, the dashboard). Written by rename they were never
 * torn, but two writers at once each wrote what they had read, and the later one dropped the
 * other's ids or snapshot. The writers here are real child processes started together; a lock
 * left by a dead process must not stop them, and one held by a live process must cost a short
 * wait and a log line, not a stuck cron run.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempFolder } from '../../support/tempFolders';

const ROOT = path.resolve(__dirname, '../../..');
const WRITER = path.join(ROOT, 'test/support/cacheWriter.ts');

interface Written {
  code: number | null;
  output: string;
  ms: number;
}

/** Starts `writers` child processes that each add `count` entries to `file`, all at once. */
function writeAtOnce(
  kind: 'ids' | 'snapshots',
  file: string,
  writers: number,
  count: number,
): Promise<Written[]> {
  // Node and tsx take a while to start: the writers begin together once all are up.
  const startAt = Date.now() + 4000;
  return Promise.all(
    Array.from({ length: writers }, (_, writer) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', WRITER, kind, file, `w${writer}_`, String(count), String(startAt)],
        { cwd: ROOT, env: { PATH: process.env.PATH } },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return new Promise<Written>((resolve) =>
        child.on('close', (code) => resolve({ code, output, ms: Date.now() - startAt })),
      );
    }),
  );
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

const SERVER = 'app@127.0.0.1:5432/app';
const idsIn = async (file: string): Promise<string[]> =>
  (await readJson<{ servers: Record<string, string[]> }>(file)).servers[SERVER] ?? [];
const databasesIn = async (file: string): Promise<string[]> =>
  Object.keys((await readJson<{ databases: Record<string, unknown> }>(file)).databases);

/** A pid that is surely no process now: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid ?? 999_999;
}

function lockOf(pid: number): string {
  return JSON.stringify({ pid, host: os.hostname(), at: new Date().toISOString() });
}

describe('the shared cache files with several Upkeep processes at once', function () {
  this.timeout(120_000);
  let folder: string;

  beforeEach(async () => {
    folder = await tempFolder('upkeep-shared-cache-');
  });

  it('keeps every query id that six processes add at once', async () => {
    const file = path.join(folder, 'upkeep', 'own-query-ids.json');
    const runs = await writeAtOnce('ids', file, 6, 15);
    for (const run of runs) assert.equal(run.code, 0, run.output);
    const ids = await idsIn(file);
    assert.equal(ids.length, 90, `lost ${90 - ids.length} ids`);
    await assert.rejects(fs.stat(`${file}.lock`), 'the lock is gone');
  });

  it('keeps every size snapshot that six processes record at once', async () => {
    const file = path.join(folder, 'upkeep', 'db-snapshots.json');
    const runs = await writeAtOnce('snapshots', file, 6, 10);
    for (const run of runs) assert.equal(run.code, 0, run.output);
    const databases = await databasesIn(file);
    assert.equal(databases.length, 60, `lost ${60 - databases.length} snapshots`);
  });

  it('takes over a lock that a process which died left behind', async () => {
    const file = path.join(folder, 'upkeep', 'own-query-ids.json');
    const snapshots = path.join(folder, 'upkeep', 'db-snapshots.json');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(`${file}.lock`, lockOf(await deadPid()));
    await fs.writeFile(`${snapshots}.lock`, lockOf(await deadPid()));
    const [ids] = await writeAtOnce('ids', file, 1, 3);
    const [sizes] = await writeAtOnce('snapshots', snapshots, 1, 1);
    assert.equal(ids.code, 0, ids.output);
    assert.equal((await idsIn(file)).length, 3);
    assert.equal((await databasesIn(snapshots)).length, 1, sizes.output);
  });

  it('skips the write, with a log line, past a lock a live process holds', async () => {
    const file = path.join(folder, 'upkeep', 'own-query-ids.json');
    const snapshots = path.join(folder, 'upkeep', 'db-snapshots.json');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // This test's own process is alive: its lock is held, not stale.
    await fs.writeFile(`${file}.lock`, lockOf(process.pid));
    await fs.writeFile(`${snapshots}.lock`, lockOf(process.pid));

    // Ten ids, each a write: the wait is paid once, not per id.
    const [ids] = await writeAtOnce('ids', file, 1, 10);
    assert.equal(ids.code, 0, ids.output);
    assert.ok(ids.ms < 8000, `took ${ids.ms} ms`);
    assert.match(ids.output, /warn: .*own-query-ids\.json\.lock/, ids.output);
    assert.equal(ids.output.match(/warn:/g)?.length, 1, ids.output);
    await assert.rejects(fs.stat(file), 'nothing written past the held lock');

    const [sizes] = await writeAtOnce('snapshots', snapshots, 1, 1);
    assert.equal(sizes.code, 0, sizes.output);
    assert.ok(sizes.ms < 8000, `took ${sizes.ms} ms`);
    assert.match(sizes.output, /warn: .*snapshot.*db-snapshots\.json\.lock/i, sizes.output);
    await assert.rejects(fs.stat(snapshots), 'nothing written past the held lock');
  });
});
