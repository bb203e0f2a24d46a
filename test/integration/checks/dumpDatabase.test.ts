/**
 * Whose dump is it: `backups.latest` and the recovery drill's confirmation read the database a
 * dump names (custom, tar, plain with --create, gzip) from dumps Debian's pg_dump 15 wrote of a
 * real server, and say when it is another database than the monitored one.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { backupsLatestCheck, readDumpDatabase } from '../../../src/core/checks/backupChecks';
import { drillConfirmationDetail, planRecoveryDrill } from '../../../src/core/checks/drillPlan';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { newerDumpHeader } from '../../support/dumpHeader';
import { admin, createDatabase, debianServer } from '../../support/postgres';

/** pg_dump of the database at `url` (its name may need decoding) into `file`, with `args`. */
function dump(url: string, file: string, args: string[]): void {
  const parsed = new URL(url);
  execFileSync(
    '/usr/bin/pg_dump',
    [
      ...args,
      ...['-h', parsed.hostname, '-p', parsed.port, '-U', parsed.username, '-f', file],
      decodeURIComponent(parsed.pathname.slice(1)),
    ],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(parsed.password) } },
  );
}

const nameOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** A plain dump whose `\connect` names a database of 60,000 characters, a bidi control first. */
const longName = `\u202e${'x'.repeat(60_000)}`;
const longNameDump =
  '--\n-- PostgreSQL database dump\n--\n\nCREATE DATABASE x;\n' + `\\connect ${longName}\n`;

describe('the database a dump is of', function () {
  this.timeout(120_000);
  let folder: string;
  let workspace: string;
  let stagingUrl: string;
  let oddUrl: string;
  let staging: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-dump-database-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });
    const server = await debianServer();
    stagingUrl = await createDatabase(server, 'shop_staging');
    staging = nameOf(stagingUrl);
    // A name pg_dump's \connect has to quote, with a space and quotes in it.
    oddUrl = await createDatabase(server, "Shop 'Odd' Db");
    // A row whose text, dumped with --inserts, puts a `\connect` line in the file.
    const rows = `CREATE TABLE notes (id int, body text);
       INSERT INTO notes VALUES (1, E'line\\n\\\\connect evil\\nrest');`;
    await admin(stagingUrl, rows);
    await admin(oddUrl, rows);
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('reads it from custom, tar, plain --create and gzip dumps, and nothing else', async () => {
    const file = (name: string): string => path.join(folder, name);
    dump(stagingUrl, file('c.dump'), ['-Fc']);
    dump(stagingUrl, file('t.tar'), ['-Ft']);
    dump(stagingUrl, file('create.sql'), ['-C']);
    dump(stagingUrl, file('plain.sql'), ['--inserts']);
    dump(stagingUrl, file('inserts-create.sql'), ['-C', '--inserts']);
    dump(oddUrl, file('odd.sql'), ['-C']);
    dump(oddUrl, file('odd.dump'), ['-Fc']);
    await fs.writeFile(file('create.sql.gz'), gzipSync(await fs.readFile(file('create.sql'))));
    await fs.writeFile(file('c.dump.gz'), gzipSync(await fs.readFile(file('c.dump'))));
    // A gzip file cut short still gives what it holds up to there.
    const gz = await fs.readFile(file('create.sql.gz'));
    await fs.writeFile(file('cut.sql.gz'), gz.subarray(0, gz.length - 40));
    await fs.writeFile(file('random.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]));
    await fs.writeFile(file('empty.dump'), '');
    // A header or a `\connect` that names the empty string names no database.
    const nameless = Buffer.from((await fs.readFile(file('c.dump'))).subarray(0, 4096));
    const at = nameless.indexOf(staging);
    nameless.fill(0, at - 5, at - 1);
    await fs.writeFile(
      file('nameless.dump'),
      Buffer.concat([nameless.subarray(0, at), Buffer.alloc(64)]),
    );
    const plainCreate = await fs.readFile(file('create.sql'), 'utf8');
    await fs.writeFile(
      file('nameless.sql'),
      plainCreate.replace(/^\\connect .*$/m, '\\connect ""'),
    );

    const odd = nameOf(oddUrl);
    const expected: Record<string, string | undefined> = {
      'c.dump': staging,
      't.tar': staging,
      'create.sql': staging,
      // Without --create a plain dump names no database; the `\connect evil` of its data is no
      // \connect of pg_dump's, nor in a dump with --create, after the database's own.
      'plain.sql': undefined,
      'inserts-create.sql': staging,
      'odd.sql': odd,
      'odd.dump': odd,
      'create.sql.gz': staging,
      'c.dump.gz': staging,
      'cut.sql.gz': staging,
      'random.gz': undefined,
      'empty.dump': undefined,
      'nameless.dump': undefined,
      'nameless.sql': undefined,
      missing: undefined,
    };
    const read: Record<string, string | undefined> = {};
    for (const name of Object.keys(expected)) read[name] = await readDumpDatabase(file(name));
    assert.deepEqual(read, expected);
    assert.match(await fs.readFile(file('plain.sql'), 'utf8'), /^\\connect evil$/m);
  });

  describe('backups.latest', () => {
    const dumpFile = (): string => path.join(workspace, 'backups', 'app.dump');
    const check = async (
      database: string | undefined,
      env: Record<string, string | undefined> = { PATH: process.env.PATH },
      pattern = 'backups/*.dump',
    ): Promise<CheckResult> => {
      const settings = resolveSettings({
        backups: { pattern },
        // Resolved as the database checks resolve it; the check connects to nothing.
        ...(database ? { database: { url: `postgres://app@127.0.0.1:1/${database}` } } : {}),
      });
      const [result] = await runChecks([backupsLatestCheck], {
        workspace,
        settings,
        clock: fixedClock(new Date(Date.now() + 3_600_000)),
        log: silentLogger,
        trusted: true,
        env,
      });
      return result;
    };

    before(() => dump(stagingUrl, dumpFile(), ['-Fc']));

    it('warns on a fresh dump of another database, naming both', async () => {
      const result = await check('shop_production');
      assert.equal(result.outcome, 'warn', result.summary);
      assert.equal(
        result.summary,
        `backups/app.dump is 1 h old; pg_restore lists 1 table of database ${staging}, ` +
          'not of the monitored database shop_production',
      );
      assert.match(result.details ?? '', /^Upkeep checks shop_production \(upkeep\.database\.url/);
      assert.equal(result.values?.database, staging);
      assert.equal(result.values?.monitoredDatabase, 'shop_production');
    });

    it('passes the same database, and says nothing new when none is configured', async () => {
      const same = await check(staging);
      assert.equal(same.outcome, 'pass', same.summary);
      assert.doesNotMatch(same.summary, /monitored/);
      const none = await check(undefined);
      assert.equal(none.outcome, 'pass', none.summary);
      assert.equal(none.values?.monitoredDatabase, undefined);
    });

    it('still says so without pg_restore, with the install hint', async () => {
      const result = await check('shop_production', { PATH: folder });
      assert.equal(result.outcome, 'warn', result.summary);
      assert.equal(
        result.summary,
        'backups/app.dump is 1 h old; pg_restore is not on PATH; it is a dump of database ' +
          `${staging}, not of the monitored database shop_production`,
      );
      assert.match(result.details ?? '', /apt install postgresql-client/);
      // Without the finding, a missing pg_restore stays a skip.
      assert.equal((await check(staging, { PATH: folder })).outcome, 'skipped');
    });

    it('says so of a plain dump with --create and of a gzipped one', async () => {
      const plain = path.join(workspace, 'plain');
      await fs.mkdir(plain);
      dump(stagingUrl, path.join(plain, 'app.sql'), ['-C']);
      const sql = await check('shop_production', undefined, 'plain/*.sql');
      assert.equal(sql.outcome, 'warn', sql.summary);
      assert.match(
        sql.summary,
        new RegExp(
          'which pg_restore cannot verify \\(use pg_dump -Fc\\); it is a dump of database ' +
            `${staging}, not of the monitored database shop_production$`,
        ),
      );
      await fs.writeFile(
        path.join(plain, 'app.sql.gz'),
        gzipSync(await fs.readFile(path.join(plain, 'app.sql'))),
      );
      const gz = await check('shop_production', undefined, 'plain/*.gz');
      assert.equal(gz.outcome, 'fail', gz.summary);
      assert.equal(
        gz.summary,
        'app.sql.gz is compressed with gzip, which pg_restore cannot read; it is a dump of ' +
          `database ${staging}, not of the monitored database shop_production`,
      );
    });

    it('shows a name of 60,000 characters cut short, and the monitored one after it', async () => {
      // PostgreSQL's names take 63 bytes; a plain dump's \connect line can be as long as it likes.
      const hostile = path.join(workspace, 'hostile');
      await fs.mkdir(hostile);
      await fs.writeFile(path.join(hostile, 'app.sql'), longNameDump);
      const result = await check('shop_production', undefined, 'hostile/*.sql');
      assert.equal(result.values?.database, longName);
      assert.match(result.summary, /; it is a dump of database \uFFFDx{70,80}…, not of the /);
      assert.match(result.summary, /not of the monitored database shop_production$/);
    });

    it("shows a newer dump's pg_dump version cut short, then the rest", async () => {
      // The header's version is the dump's own text, up to 1 KiB: a bidi control, a line break.
      const newer = path.join(workspace, 'newer');
      await fs.mkdir(newer);
      const version = `17.2\u202e${'9'.repeat(900)}\nforged`;
      await fs.writeFile(path.join(newer, 'app.dump'), newerDumpHeader('shop', version));
      const result = await check(undefined, undefined, 'newer/*.dump');
      assert.equal(result.outcome, 'fail', result.summary);
      assert.match(
        result.summary,
        /written by pg_dump 17\.2\uFFFD9{70,80}…, a newer version \(archive format 1\.16\)$/,
      );
      assert.doesNotMatch(result.summary, /forged/);
      assert.equal(result.values?.pgDumpVersion, version);
    });
  });

  it('the drill confirmation gives the dump age and says it is of another database', async () => {
    const file = path.join(folder, 'drill.dump');
    dump(stagingUrl, file, ['-Fc']);
    const written = new Date('2026-12-04T03:00:12Z');
    await fs.utimes(file, written, written);
    const plan = (database: string) =>
      planRecoveryDrill({
        workspace,
        settings: resolveSettings({
          backups: { drillTargetUrl: 'postgres://drill@127.0.0.1:2/postgres' },
          database: { url: `postgres://app@127.0.0.1:1/${database}` },
        }),
        env: { PATH: process.env.PATH },
        trusted: true,
        dumpFile: file,
        now: new Date('2026-12-05T09:00:12Z'),
        surface: 'editor',
      });
    const detail = drillConfirmationDetail(await plan('shop_production'), workspace).split('\n');
    assert.deepEqual(detail.slice(0, 4), [
      `Dump: ${file}`,
      'Written: 2026-12-04 03:00:12 UTC, 30 h ago, over upkeep.backups.maxAgeHours (26 h)',
      `Note: the dump is of database ${staging}, not of the monitored database shop_production.`,
      'Target: drill@127.0.0.1:2/postgres',
    ]);
    const same = drillConfirmationDetail(await plan(staging), workspace);
    assert.doesNotMatch(same, /Note:/);
    assert.match(same, /\nWritten: 2026-12-04 03:00:12 UTC, 30 h ago, over/);

    // A name of 60,000 characters is cut short: the note stays one line the dialog can show.
    await fs.writeFile(file, longNameDump);
    const long = await plan('shop_production');
    assert.equal(long.dumpDatabase, longName);
    const note = drillConfirmationDetail(long, workspace)
      .split('\n')
      .find((line) => line.startsWith('Note: '));
    assert.match(note ?? '', /^Note: the dump is of database \uFFFDx{70,80}…, not of the /);
    assert.ok(note!.length < 200, `the note is ${note!.length} characters`);
  });

  it('the drill confirmation names a dump in the workspace as upkeep drill does', async () => {
    const plan = (dumpFile: string) =>
      planRecoveryDrill({
        workspace,
        settings: resolveSettings({
          backups: { drillTargetUrl: 'postgres://drill@127.0.0.1:2/postgres' },
        }),
        env: { PATH: process.env.PATH },
        trusted: true,
        dumpFile,
        surface: 'editor',
      });
    const dumpLine = async (file: string): Promise<string | undefined> => {
      dump(stagingUrl, file, ['-Fc']);
      return drillConfirmationDetail(await plan(file), workspace).split('\n')[0];
    };

    // Relative to the workspace folder, as `upkeep drill` prints it; before, the absolute path.
    assert.equal(
      await dumpLine(path.join(workspace, 'backups', 'in.dump')),
      'Dump: backups/in.dump',
    );
    // A name starting with two dots is still inside.
    assert.equal(await dumpLine(path.join(workspace, '..in.dump')), 'Dump: ..in.dump');
    // Outside the workspace, the absolute path: a relative one would climb out with `../`.
    const outside = path.join(folder, 'outside.dump');
    assert.equal(await dumpLine(outside), `Dump: ${outside}`);
  });
});
