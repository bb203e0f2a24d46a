/**
 * Two maintainers in different time zones share `.upkeep/state.json` without
 * `upkeep.schedule.timeZone`: each ticks items from a process of their own (its TZ their zone),
 * and `upkeep status` (the built dist/cli.js, its clock set with UPKEEP_NOW) reads the file in
 * either zone. A tick counts for the period its time falls in there, as the completion does.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StatusReport } from '../../../src/core/playbook/statusReport';

const ROOT = path.join(__dirname, '../../..');
const TASK = 'monthly.backups';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ticked items in a state file shared across time zones', function () {
  this.timeout(120_000);
  let workspace: string;
  let file: string;

  before(() => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-zones-'));
    await fs.mkdir(path.join(workspace, '.vscode'));
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
    await fs.writeFile(
      path.join(workspace, '.vscode/settings.json'),
      JSON.stringify({ 'upkeep.state.location': 'repository' }),
    );
    file = path.join(workspace, '.upkeep/state.json');
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  /** Ticks `item` as `by` at `now` on a machine in `zone`: completed, changed or reopened. */
  async function tick(zone: string, item: string, by: string, now: string): Promise<string> {
    const writer = path.join(__dirname, 'tickWriter.ts');
    const result = await run(['--import', 'tsx', writer, file, TASK, item, by, now], {
      TZ: zone,
    });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  /** What `upkeep status` says of the task at `now` on a machine in `zone`. */
  async function status(zone: string, now: string, args: string[] = []): Promise<unknown[]> {
    const cli = path.join(ROOT, 'dist/cli.js');
    const result = await run(
      [cli, 'status', '--workspace', workspace, '--format', 'json', '--tier', 'monthly', ...args],
      { TZ: zone, UPKEEP_NOW: now },
    );
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const report = JSON.parse(result.stdout) as StatusReport;
    const tier = report.tiers.find((candidate) => candidate.id === 'monthly')!;
    const task = tier.tasks.find((candidate) => candidate.id === TASK)!;
    return [task.state, tier.periodKey, task.checklist.ticked];
  }

  it('reads each tick where its time falls in the zone read, and keeps everyone’s', async () => {
    // Kei ticks two items at 08:00 on 1 March in Tokyo, 23:00 on 28 February in London, where
    // Ann ticks a third half an hour later. London read none of Kei's (filed under March), and
    // Ann's tick set them aside as an unfinished March.
    assert.equal(await tick('Asia/Tokyo', 'latest', 'Kei', '2026-03-01T08:00:00+09:00'), 'changed');
    assert.equal(await tick('Asia/Tokyo', 'files', 'Kei', '2026-03-01T08:05:00+09:00'), 'changed');
    assert.equal(
      await tick('Europe/London', 'drill', 'Ann', '2026-02-28T23:30:00+00:00'),
      'changed',
    );
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as {
      tasks: Record<string, { ticks: object; history: unknown[] }>;
    };
    assert.deepEqual(Object.keys(saved.tasks[TASK].ticks), ['latest', 'files', 'drill']);
    assert.deepEqual(saved.tasks[TASK].history, []);

    assert.deepEqual(await status('Europe/London', '2026-02-28T23:40:00+00:00'), [
      'dueSoon',
      '2026-02',
      3,
    ]);
    assert.deepEqual(await status('Asia/Tokyo', '2026-03-01T08:40:00+09:00'), [
      'dueLater',
      '2026-03',
      3,
    ]);
    // The zone given on the command line, not the machine's.
    const london = ['--time-zone', 'Europe/London'];
    assert.deepEqual(await status('Asia/Tokyo', '2026-03-01T08:40:00+09:00', london), [
      'dueSoon',
      '2026-02',
      3,
    ]);

    // Kei ticks the last two: the task is done with all five items, read in either zone.
    await tick('Asia/Tokyo', 'fileRestore', 'Kei', '2026-03-01T08:45:00+09:00');
    assert.equal(
      await tick('Asia/Tokyo', 'replication', 'Kei', '2026-03-01T08:50:00+09:00'),
      'completed',
    );
    assert.deepEqual(await status('Europe/London', '2026-02-28T23:55:00+00:00'), [
      'done',
      '2026-02',
      5,
    ]);
    assert.deepEqual(await status('Asia/Tokyo', '2026-03-01T09:00:00+09:00'), [
      'done',
      '2026-03',
      5,
    ]);
    // In London's March the work counts for February: neither done nor ticked.
    assert.deepEqual(await status('Europe/London', '2026-03-02T09:00:00+00:00'), [
      'dueLater',
      '2026-03',
      0,
    ]);
  });

  it('reads a file an earlier version wrote, its ticks under their writer’s period', async () => {
    // As Upkeep wrote it before ticks were placed by their time: Kei's completion and ticks
    // filed under March, and one tick edited by hand to a time that is no time.
    const at = '2026-02-28T23:00:00.000Z';
    const ticks = { latest: { at, by: 'Kei' }, files: { at: 'this morning', by: 'Kei' } };
    await fs.writeFile(
      file,
      JSON.stringify({
        version: 1,
        tasks: {
          [TASK]: {
            since: '2026-01-10T00:00:00.000Z',
            periodKey: '2026-03',
            ticks,
            history: [],
          },
        },
      }),
    );
    // London, still in February: the tick of 23:00 is February's; the one with no time stays
    // March's, where it was filed.
    const ticked = async (zone: string, now: string) => (await status(zone, now)).slice(1);
    assert.deepEqual(await ticked('Europe/London', '2026-02-28T23:30:00+00:00'), ['2026-02', 1]);
    assert.deepEqual(await ticked('Asia/Tokyo', '2026-03-01T08:40:00+09:00'), ['2026-03', 2]);

    // Ann's tick in London keeps Kei's of February; the one with no time, filed under March,
    // goes to the history as March's unfinished work, not lost.
    await tick('Europe/London', 'drill', 'Ann', '2026-02-28T23:35:00+00:00');
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as {
      tasks: Record<string, { ticks: object; history: { periodKey: string; items: string[] }[] }>;
    };
    assert.deepEqual(Object.keys(saved.tasks[TASK].ticks), ['latest', 'drill']);
    assert.deepEqual(
      saved.tasks[TASK].history.map((entry) => [entry.periodKey, entry.items]),
      [['2026-03', ['files']]],
    );
  });
});
