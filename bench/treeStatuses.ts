/**
 * Benchmark of the Maintenance view's statuses on a large repo playbook (3,000 tasks by default,
 * near the 256 KB the loader takes): a redraw asks each task's status about four times (the
 * badge, the tier's row, the task's row, the tasks open this period). Prints the time of one
 * redraw's asks computed each time and kept in a StatusMemo, and their ratio.
 * Usage: npx tsx bench/treeStatuses.ts [--tasks N] [--runs N]
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPlaybook, PLAYBOOK_FILE } from '../src/core/playbook/loader';
import type { Task } from '../src/core/playbook/model';
import { findTier, TIER_IDS } from '../src/core/playbook/model';
import { taskStatus } from '../src/core/playbook/schedule';
import { emptyState } from '../src/core/playbook/state';
import { StatusMemo } from '../src/core/playbook/statusMemo';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const TASKS = option('--tasks', 3000);
const RUNS = option('--runs', 5);
const ASKS_PER_REDRAW = 4;
const ZONE = 'Europe/Berlin';

async function main(): Promise<void> {
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-bench-tree-'));
  try {
    const tiers = TIER_IDS.filter((tier) => tier !== 'onDemand');
    const lines = ['version: 1', 'tasks:'];
    for (let i = 0; i < TASKS; i++) {
      lines.push(`  - {id: custom.t${i}, tier: ${tiers[i % tiers.length]}, title: Task ${i}}`);
    }
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(path.join(workspace, PLAYBOOK_FILE), `${lines.join('\n')}\n`);
    const { playbook, problems } = await loadPlaybook({ workspace });
    if (problems.length) throw new Error(`the playbook has problems: ${problems[0].message}`);
    const state = emptyState();
    const compute = (task: Task, now: Date, zone: string) =>
      taskStatus(findTier(playbook, task.tier)!, state.tasks[task.id], now, zone);

    const redraw = (ask: () => (task: Task, now: Date) => unknown): number => {
      const started = performance.now();
      const status = ask();
      for (let ask = 0; ask < ASKS_PER_REDRAW; ask++) {
        for (const task of playbook.tasks) status(task, new Date());
      }
      return performance.now() - started;
    };
    const best = (ask: () => (task: Task, now: Date) => unknown): number =>
      Math.min(...Array.from({ length: RUNS }, () => redraw(ask)));

    const direct = best(() => (task, now) => compute(task, now, ZONE));
    // A new memo each redraw: what a redraw costs once the second has changed since the last.
    const kept = best(() => {
      const memo = new StatusMemo(compute);
      return (task, now) => memo.statusOf(task, { now, zone: ZONE, state, playbook });
    });
    console.log(`${playbook.tasks.length} tasks, ${ASKS_PER_REDRAW} asks each per redraw`);
    console.log(`computed each time: ${direct.toFixed(0)} ms per redraw`);
    console.log(`kept for the redraw: ${kept.toFixed(0)} ms per redraw`);
    console.log(`ratio: ${(direct / Math.max(kept, 0.001)).toFixed(1)}x`);
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
