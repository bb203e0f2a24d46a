/**
 * pg_restore reads the dump Upkeep opened, never its path: `pg_restore --list` and the recovery
 * drill, with Debian's pg_restore 15 on dumps of every format pg_dump writes, restored into the
 * embedded PostgreSQL 17. A FIFO at the dump's path, named or swapped in while the drill runs,
 * is refused at once or not seen at all, instead of holding pg_restore in its open until the
 * check's time runs out.
 */
import { strict as assert } from 'node:assert';
import { promises as fs, rmSync } from 'node:fs';
import * as path from 'node:path';
import { listDump } from '../../../src/core/checks/backupChecks';
import { runRecoveryDrill, type DrillRecord } from '../../../src/core/checks/recoveryDrill';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger, type Logger } from '../../../src/core/util/logger';
import { makeFifo, releaseFifo, settledWithin } from '../../support/fifo';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

const FORMATS = ['custom', 'tar', 'directory'] as const;
const TABLES = ['public.bookings', 'public.users'];
/** Each table, its rows in the dump and in the scratch database. */
const RESTORED = [
  ['public.bookings', 120, 120],
  ['public.users', 40, 40],
];

describe('pg_restore on the dump Upkeep opened', function () {
  this.timeout(120_000);
  let folder: string;
  let sourceUrl: string;
  let targetUrl: string;
  const dumps: Record<(typeof FORMATS)[number] | 'plain', string> = {
    custom: '',
    tar: '',
    directory: '',
    plain: '',
  };

  before(async () => {
    folder = await tempFolder('upkeep-open-dump-');
    sourceUrl = await createDatabase(await debianServer(), 'open_dump');
    await admin(
      sourceUrl,
      `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
       CREATE TABLE bookings (id serial PRIMARY KEY, user_id int REFERENCES users(id));
       INSERT INTO users (email) SELECT 'u' || g || '@example.test' FROM generate_series(1, 40) g;
       INSERT INTO bookings (user_id) SELECT 1 + g % 40 FROM generate_series(1, 120) g;`,
    );
    for (const format of [...FORMATS, 'plain'] as const) {
      dumps[format] = path.join(folder, `app.${format}`);
      pgDump(sourceUrl, dumps[format], format);
    }
    targetUrl = await createDatabase(await embeddedServer(), 'open_dump_target');
  });

  const counts = (record: DrillRecord): [string, number, number | null][] =>
    record.tables.map((t): [string, number, number | null] => [
      t.table,
      t.dumpRows,
      t.restoredRows,
    ]);

  for (const format of FORMATS) {
    it(`lists and restores a ${format} dump`, async () => {
      const contents = await listDump(dumps[format], new AbortController().signal);
      assert.deepEqual([...contents.tables].sort(), TABLES);

      const record = await runRecoveryDrill({
        dumpFile: dumps[format],
        targetUrl,
        confirmed: true,
      });
      assert.equal(record.error, undefined);
      assert.equal(record.ok, true, record.mismatches.join('; '));
      assert.deepEqual(counts(record).sort(), RESTORED);
    });
  }

  it('names a plain SQL dump for what it is, as before', async () => {
    const outcome = await listDump(dumps.plain, new AbortController().signal).catch(
      (error: unknown) => error,
    );
    assert.ok(UpkeepError.is(outcome, 'parse'), String(outcome));
    assert.equal(outcome.message, 'app.plain is a plain SQL dump, which pg_restore cannot read.');
  });

  it("names the dump, not /dev/fd/3, in the command logged and pg_restore's errors", async () => {
    const lines: string[] = [];
    const log: Logger = { ...silentLogger, info: (message) => lines.push(message) };
    const record = await runRecoveryDrill({
      dumpFile: dumps.custom,
      targetUrl,
      confirmed: true,
      log,
    });
    assert.equal(record.ok, true, record.error);
    const restore = lines.find((line) => line.startsWith('$ ') && line.includes(' -d '));
    assert.ok(restore?.endsWith(`/dev/fd/3  (descriptor 3: ${dumps.custom})`), restore);

    // A folder without pg_dump's toc.dat: pg_restore's own message names the folder it read.
    const empty = path.join(folder, 'empty.dir');
    await fs.mkdir(empty);
    const outcome = await listDump(empty, new AbortController().signal).catch(
      (error: unknown) => error,
    );
    assert.ok(UpkeepError.is(outcome, 'parse'), String(outcome));
    assert.ok(!outcome.message.includes('/dev/fd'), outcome.message);
    assert.match(outcome.message, /directory "empty\.dir" does not appear to be a valid archive/);
  });

  it('refuses a FIFO at the dump path at once: --list and the drill', async () => {
    const fifo = path.join(folder, 'fifo.dump');
    makeFifo(fifo);
    try {
      const listed = await settledWithin(listDump(fifo, new AbortController().signal));
      assert.ok(UpkeepError.is(listed, 'config'), String(listed));
      assert.equal(listed.message, `${fifo} is not a regular file`);

      const drilled = await settledWithin(
        runRecoveryDrill({ dumpFile: fifo, targetUrl, confirmed: true }),
      );
      assert.ok(UpkeepError.is(drilled, 'config'), String(drilled));
      assert.equal(drilled.message, `${fifo} is not a regular file`);
    } finally {
      await releaseFifo(fifo);
    }
  });

  it('restores the dump it opened when a FIFO takes its path just before the restore', async () => {
    const dumpFile = path.join(folder, 'swapped.dump');
    await fs.copyFile(dumps.custom, dumpFile);
    let swapped = false;
    // The restore's command line is logged just before pg_restore starts: the moment to swap,
    // at once (synchronously), before it runs.
    const log: Logger = {
      ...silentLogger,
      info: (message) => {
        if (swapped || !message.startsWith('$ ') || !message.includes(' -d ')) return;
        swapped = true;
        rmSync(dumpFile);
        makeFifo(dumpFile);
      },
    };
    try {
      const record = await settledWithin(
        runRecoveryDrill({ dumpFile, targetUrl, confirmed: true, log }),
        15_000,
      );
      assert.ok(swapped, 'the restore was reached');
      assert.notEqual(record, 'hung');
      assert.ok(!(record instanceof Error), String(record));
      const drilled = record as DrillRecord;
      assert.equal(drilled.error, undefined);
      assert.equal(drilled.ok, true, drilled.mismatches.join('; '));
      assert.deepEqual(counts(drilled).sort(), RESTORED);
    } finally {
      await releaseFifo(dumpFile);
    }
  });
});
