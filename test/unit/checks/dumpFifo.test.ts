/**
 * The backup readers on a real FIFO at the dump's path, as a FIFO swapped in after the glob's
 * stat leaves it: each opens the path itself, and each must come back at once, refusing it,
 * instead of waiting for ever for a writer that never comes.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  countCreateTables,
  dumpEndsWhole,
  isPlainSqlDump,
  readDumpDatabase,
  readDumpHeader,
} from '../../../src/core/checks/backupChecks';
import { UpkeepError } from '../../../src/core/util/errors';

/** What `work` came to, or `'hung'` when it had not settled within two seconds. */
async function settled(work: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), 2000)));
  try {
    return await Promise.race([work.catch((error: unknown) => error), hung]);
  } finally {
    clearTimeout(timer);
  }
}

function refused(outcome: unknown): boolean {
  return (
    UpkeepError.is(outcome, 'config') && /dump\.pgdump is not a regular file$/.test(outcome.message)
  );
}

describe('backup readers on a FIFO at the dump path', () => {
  let folder: string;
  let fifo: string;

  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-dump-fifo-'));
    fifo = path.join(folder, 'dump.pgdump');
    execFileSync('mkfifo', [fifo]);
  });

  afterEach(async () => {
    // A reader that did block waits in open for a writer: be one, so the test run can end.
    const writer = await fs
      .open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      .catch(() => undefined);
    await writer?.close();
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('readDumpDatabase and readDumpHeader name nothing, at once', async () => {
    assert.equal(await settled(readDumpDatabase(fifo)), undefined);
    assert.equal(await settled(readDumpHeader(fifo)), undefined);
  });

  it('isPlainSqlDump refuses it, at once', async () => {
    assert.ok(refused(await settled(isPlainSqlDump(fifo))));
  });

  it('countCreateTables refuses it, at once', async () => {
    const outcome = await settled(countCreateTables(fifo, new AbortController().signal));
    assert.ok(refused(outcome));
  });

  it('dumpEndsWhole refuses it, at once', async () => {
    const header = { format: '1.15', intSize: 4, custom: true };
    assert.ok(refused(await settled(dumpEndsWhole(fifo, header))));
  });
});
