/**
 * Backups for real: dumps made with Debian's pg_dump from a PostgreSQL 15 server, checked with
 * pg_restore, and the recovery drill restoring one into a scratch database on a second server
 * (the embedded PostgreSQL 17) and dropping it again.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupsLatestCheck, recoveryDrillCheck } from '../../../src/core/checks/backupChecks';
import { drillResult, runRecoveryDrill } from '../../../src/core/checks/recoveryDrill';
import { MemoryResultLog } from '../../../src/core/checks/resultLog';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckDefinition, CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock, systemClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger } from '../../../src/core/util/logger';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';

describe('backups', function () {
  this.timeout(120_000);
  let folder: string;
  let workspace: string;
  let sourceUrl: string;
  let dumpFile: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-backups-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });

    const server = await debianServer();
    sourceUrl = await createDatabase(server, 'backup_source');
    await admin(
      sourceUrl,
      `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
       CREATE TABLE bookings (id serial PRIMARY KEY, user_id int REFERENCES users(id), note text);
       CREATE TABLE "Odd ""Name""" (id int);
       INSERT INTO users (email) SELECT 'u' || g || '@example.test' FROM generate_series(1, 250) g;
       INSERT INTO bookings (user_id, note)
         SELECT 1 + g % 250, E'tab\\there, back\\\\slash' FROM generate_series(1, 1000) g;`,
    );
    dumpFile = path.join(workspace, 'backups', 'app_20261204.dump');
    pgDump(sourceUrl, dumpFile);
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const run = async (
    definition: CheckDefinition,
    settings = resolveSettings({ backups: { pattern: 'backups/*.dump' } }),
    extra = {},
  ): Promise<CheckResult> =>
    (
      await runChecks([definition], {
        workspace,
        settings,
        clock: systemClock,
        log: silentLogger,
        trusted: true,
        ...extra,
      })
    )[0];

  describe('backups.latest', () => {
    it('passes a fresh dump that pg_restore can list, with its table count', async () => {
      const result = await run(backupsLatestCheck);
      assert.equal(result.outcome, 'pass', result.summary);
      assert.equal(result.values?.tables, 3);
      assert.match(
        result.summary,
        /^backups\/app_20261204\.dump is 0 h old; pg_restore lists 3 tables of database \w+$/,
      );
    });

    it('judges the age alone in an untrusted folder and waits for trust to list it', async () => {
      const result = await run(backupsLatestCheck, undefined, { trusted: false });
      assert.equal(result.outcome, 'skipped', result.summary);
      assert.match(result.summary, /; pg_restore --list waits for workspace trust$/);
      assert.equal(result.waitsForTrust, true);
    });

    it('picks the newest file and fails when it is too old', async () => {
      const older = path.join(workspace, 'backups', 'app_20261101.dump');
      await fs.copyFile(dumpFile, older);
      const past = new Date(Date.now() - 40 * 86_400_000);
      await fs.utimes(older, past, past);
      assert.equal((await run(backupsLatestCheck)).values?.file, 'backups/app_20261204.dump');

      const later = fixedClock(new Date(Date.now() + 30 * 3_600_000));
      const [stale] = await runChecks([backupsLatestCheck], {
        workspace,
        settings: resolveSettings({ backups: { pattern: 'backups/*.dump', maxAgeHours: 26 } }),
        clock: later,
        log: silentLogger,
        trusted: true,
      });
      assert.equal(stale.outcome, 'fail');
      assert.match(stale.summary, /is 30 h old \(limit 26 h\); 3 tables/);
      await fs.rm(older);
    });

    it('fails a file pg_restore cannot read, and warns about a plain SQL dump', async () => {
      const broken = path.join(folder, 'broken');
      await fs.mkdir(broken);
      await fs.writeFile(
        path.join(broken, 'x.dump'),
        (await fs.readFile(dumpFile)).subarray(0, 200),
      );
      const truncated = await run(
        backupsLatestCheck,
        resolveSettings({ backups: { pattern: path.join(broken, '*.dump') } }),
      );
      assert.equal(truncated.outcome, 'fail');
      assert.match(truncated.summary, /^pg_restore cannot read x\.dump: /);

      const plain = path.join(folder, 'plain');
      await fs.mkdir(plain);
      pgDump(sourceUrl, path.join(plain, 'x.sql'), 'plain');
      const sql = await run(
        backupsLatestCheck,
        resolveSettings({ backups: { pattern: path.join(plain, '*.sql') } }),
      );
      assert.equal(sql.outcome, 'warn');
      assert.match(sql.summary, /plain SQL dump with 3 tables, which pg_restore cannot verify/);
    });

    it('skips with an install hint when pg_restore is missing, and without a pattern', async () => {
      const missing = await run(backupsLatestCheck, undefined, { env: { PATH: folder } });
      assert.equal(missing.outcome, 'skipped');
      // cron's short PATH or Homebrew's unlinked libpq: "not installed" sent the reader to
      // install it.
      assert.match(missing.summary, /pg_restore is not on PATH$/);
      assert.ok(missing.details?.startsWith(`No pg_restore in the folders of PATH (${folder}).`));
      assert.match(missing.details ?? '', /apt install postgresql-client/);
      assert.match(missing.details ?? '', /or put the folder that holds pg_restore on PATH/);
      assert.equal((await run(backupsLatestCheck, resolveSettings())).outcome, 'skipped');
      const none = await run(
        backupsLatestCheck,
        resolveSettings({ backups: { pattern: 'nothing/*.dump' } }),
      );
      assert.deepEqual(
        [none.outcome, none.summary],
        ['fail', 'no backup file matches nothing/*.dump'],
      );
    });
  });

  describe('recovery drill', () => {
    let targetUrl: string;

    before(async () => {
      const target = await embeddedServer();
      targetUrl = await createDatabase(target, 'drill_admin');
    });

    const scratchDatabases = async (): Promise<string[]> =>
      (
        await admin(
          targetUrl,
          `SELECT datname FROM pg_database WHERE datname LIKE 'upkeep_drill_%'`,
        )
      ).map((row) => String(row.datname));

    it(
      'restores into a scratch database, compares counts, records the time ' + 'and drops it',
      async () => {
        const record = await runRecoveryDrill({
          dumpFile,
          targetUrl,
          confirmed: true,
          monitoredUrl: sourceUrl,
        });
        assert.equal(record.error, undefined);
        assert.equal(record.ok, true, record.mismatches.join('; '));
        assert.deepEqual(record.tables.map((t) => [t.table, t.dumpRows, t.restoredRows]).sort(), [
          ['public."Odd ""Name"""', 0, 0],
          ['public.bookings', 1000, 1000],
          ['public.users', 250, 250],
        ]);
        assert.ok(record.recoveryMs > 0);
        assert.equal(record.target, `127.0.0.1:${new URL(targetUrl).port}`);
        assert.ok(
          !JSON.stringify(record).includes(decodeURIComponent(new URL(targetUrl).password)),
          'no password in the record',
        );
        assert.deepEqual(await scratchDatabases(), [], 'the scratch database is dropped');

        // In a run, the check reports the recorded drill instead of running one.
        const results = new MemoryResultLog();
        const runCheck = async (): Promise<CheckResult> =>
          (
            await runChecks([recoveryDrillCheck], {
              workspace,
              settings: resolveSettings(),
              clock: systemClock,
              log: silentLogger,
              trusted: true,
              results,
            })
          )[0];
        const before = await runCheck();
        assert.deepEqual(
          [before.outcome, before.summary],
          ['skipped', 'run "Upkeep: Run Backup Recovery Drill…" (or upkeep drill)'],
        );
        await results.record([drillResult(record)]);
        const after = await runCheck();
        assert.equal(after.outcome, 'pass');
        assert.match(after.summary, /^last drill today: recovery took \d+(\.\d)? s$/);
        await results.record([after]);
        const again = await runCheck();
        assert.equal(again.outcome, 'pass', 'the drill record survives the check reporting it');
      },
    );

    it('counts a table whose name holds a line break as itself (security review)', async () => {
      // The second line of this name reads like pg_restore's header for public.users.
      const odd = 'odd"\nCOPY public.users (id) FROM stdin;';
      const quoted = `"${odd.replace(/"/g, '""')}"`;
      const oddSource = await createDatabase(await debianServer(), 'drill_names');
      await admin(
        oddSource,
        `CREATE TABLE users (id int);
         INSERT INTO users SELECT generate_series(1, 5);
         CREATE TABLE ${quoted} (id int);
         INSERT INTO ${quoted} SELECT generate_series(1, 3);`,
      );
      const oddDump = path.join(folder, 'names.dump');
      pgDump(oddSource, oddDump);
      const record = await runRecoveryDrill({ dumpFile: oddDump, targetUrl, confirmed: true });
      assert.equal(record.error, undefined);
      assert.deepEqual(record.tables.map((t) => [t.table, t.dumpRows, t.restoredRows]).sort(), [
        ['public.U&"odd""\\000ACOPY public.users (id) FROM stdin;"', 3, 3],
        ['public.users', 5, 5],
      ]);
      assert.equal(record.ok, true, record.mismatches.join('; '));
      // One line per table in the result's details: the name fakes none.
      const { details } = drillResult(record);
      assert.equal(details?.split('\n').length, 2, details);
    });

    it('notices when the restored counts differ from the dump', async () => {
      const record = await runRecoveryDrill({ dumpFile, targetUrl, confirmed: true });
      assert.equal(record.ok, true);
      const tampered = drillResult({
        ...record,
        ok: false,
        mismatches: ['public.users: 250 rows in the dump, 249 restored'],
      });
      assert.equal(tampered.outcome, 'fail');
      assert.match(
        tampered.summary,
        /counts differ: public\.users: 250 rows in the dump, 249 restored/,
      );
    });

    it('refuses without a confirmation, and on the monitored server unless allowed', async () => {
      await assert.rejects(
        runRecoveryDrill({ dumpFile, targetUrl, confirmed: false }),
        (error: unknown) => UpkeepError.is(error, 'refused'),
      );
      const sameServer = targetUrl.replace(/\/[^/]+$/, '/some_app');
      await assert.rejects(
        runRecoveryDrill({ dumpFile, targetUrl, confirmed: true, monitoredUrl: sameServer }),
        (error: unknown) =>
          UpkeepError.is(error, 'refused') && /monitored database's server/.test(error.message),
      );
      assert.deepEqual(await scratchDatabases(), []);
      const allowed = await runRecoveryDrill({
        dumpFile,
        targetUrl,
        confirmed: true,
        monitoredUrl: sameServer,
        allowMonitoredServer: true,
      });
      assert.equal(allowed.ok, true);
    });

    it('leaves alone a database the drill did not create, whose name it meant to use', async () => {
      // The server refuses CREATE DATABASE for a name taken: that database is someone else's.
      const taken = `upkeep_drill_taken_${process.pid}`;
      await admin(targetUrl, `CREATE DATABASE ${taken}`);
      try {
        const record = await runRecoveryDrill({
          dumpFile,
          targetUrl,
          confirmed: true,
          scratchDatabase: taken,
        });
        assert.equal(record.ok, false);
        assert.match(record.error ?? '', /already exists/);
        assert.ok((await scratchDatabases()).includes(taken), 'the database is still there');
      } finally {
        await admin(targetUrl, `DROP DATABASE IF EXISTS ${taken}`);
      }
    });

    it('reports a failed restore and still drops the scratch database', async () => {
      const broken = path.join(folder, 'half.dump');
      const bytes = await fs.readFile(dumpFile);
      await fs.writeFile(broken, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
      const record = await runRecoveryDrill({ dumpFile: broken, targetUrl, confirmed: true }).catch(
        (error: unknown) => error as Error,
      );
      if (record instanceof Error) {
        // pg_restore may already refuse to list a truncated archive: a clear error, nothing
        // created.
        assert.ok(UpkeepError.is(record, 'parse'), String(record));
      } else {
        assert.equal(record.ok, false);
        assert.ok(record.error, 'the failure is explained');
      }
      assert.deepEqual(await scratchDatabases(), []);
    });
  });
});
