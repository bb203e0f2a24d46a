/**
 * One maintainer's tick, in a process of its own for the time-zone test:
 * `tsx tickWriter.ts <state file> <task id> <item id> <name> <time with offset>` ticks the item
 * in the state file as the tree does, in this process's zone (its TZ).
 */
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { findTask, findTier } from '../../../src/core/playbook/model';
import { changeContext, setItemChecked } from '../../../src/core/playbook/state';
import { StateStore } from '../../../src/core/playbook/stateStore';
import { machineTimeZone } from '../../../src/core/util/timeZone';

async function main(): Promise<void> {
  const [file, taskId, itemId, by, now] = process.argv.slice(2);
  const playbook = defaultPlaybook();
  const task = findTask(playbook, taskId)!;
  const context = changeContext(
    findTier(playbook, task.tier)!,
    new Date(now),
    by,
    machineTimeZone(),
  );
  const store = new StateStore({ file, lockTimeoutMs: 60_000 });
  await store.update((state) => {
    process.stdout.write(setItemChecked(state, task, itemId, true, context));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
