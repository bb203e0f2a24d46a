/**
 * A separate process that writes to a state file many times, for the concurrent-writer test:
 * `tsx stateWriter.ts <file> <writer> <count>` ticks items `<writer>-0..count-1` of task `shared`.
 */
import { StateStore } from '../../../src/core/playbook/stateStore';

async function main(): Promise<void> {
  const [file, writer, count] = process.argv.slice(2);
  const store = new StateStore({ file, lockTimeoutMs: 60_000 });
  for (let index = 0; index < Number(count); index++) {
    await store.update((state) => {
      const task = (state.tasks.shared ??= {
        since: new Date().toISOString(),
        ticks: {},
        history: [],
      });
      task.ticks[`${writer}-${index}`] = { at: new Date().toISOString(), by: writer };
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
