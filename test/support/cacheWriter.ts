/**
 * A child process for the shared-cache tests: one of several Upkeep processes (cron runs, the
 * editor) adding to the same cache file at once. Usage:
 * `cacheWriter.ts ids|snapshots FILE WRITER COUNT START_AT_MS`; it waits until START_AT_MS so
 * that the writers overlap, adds COUNT entries of its own, and prints the log lines it got.
 */
import { keepOwnQueryIdsIn, rememberOwnQueryId } from '../../src/core/db/ownQueryIds';
import { recordSnapshot } from '../../src/core/db/snapshots';
import { createLogger } from '../../src/core/util/logger';

async function main(): Promise<void> {
  const [kind, file, writer, count, startAt] = process.argv.slice(2);
  const log = createLogger((level, line) => process.stdout.write(`${level}: ${line}\n`), 'cache');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  keepOwnQueryIdsIn(file);
  for (let i = 0; i < Number(count); i++) {
    if (kind === 'ids') {
      await rememberOwnQueryId('app@127.0.0.1:5432/app', `${writer}${i}`, log);
    } else {
      const at = new Date().toISOString();
      await recordSnapshot(
        file,
        `app@127.0.0.1:5432/db_${writer}_${i}`,
        { at, databaseBytes: i, tables: { 'public.users': i } },
        log,
      );
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
