/**
 * `upkeep drill` and `backups.latest` where a maintainer's backups go wrong: no password for the
 * drill target, a dump written by a newer pg_dump than the machine's pg_restore (Debian's 15), and
 * a scratch database left on the target by a drill that was killed. Real servers, real dumps.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CliRun } from '../../support/cli';
import { runCli, watchCli } from '../../support/cli';
import { newerDumpHeader } from '../../support/dumpHeader';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';

const ROOT = path.resolve(__dirname, '../../..');

describe('upkeep drill: no password, a newer dump, a leftover scratch database', function () {
  this.timeout(120_000);
  let folder: string;
  let workspace: string;
  let adminUrl: string;
  let password: string;
  let targetUrl: string;
  let server: string;
  let sourceUrl: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-gaps-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });
    await fs.mkdir(path.join(workspace, 'newer'), { recursive: true });
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'Gemfile'), '');
    await fs.writeFile(path.join(workspace, 'newer', 'shop.dump'), newerDumpHeader());
    await fs.writeFile(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'upkeep.backups.pattern': 'newer/*.dump' }),
    );
    sourceUrl = await createDatabase(await debianServer(), 'drill_gaps_source');
    const source = sourceUrl;
    await admin(
      source,
      `CREATE TABLE users (id serial PRIMARY KEY);
       INSERT INTO users SELECT FROM generate_series(1, 30);`,
    );
    pgDump(source, path.join(workspace, 'backups', 'app.dump'));

    adminUrl = await createDatabase(await embeddedServer(), 'drill_gaps_admin');
    const url = new URL(adminUrl);
    password = decodeURIComponent(url.password);
    url.password = '';
    targetUrl = url.toString();
    server = `127.0.0.1:${url.port}`;
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const drill = (args: string[], env: NodeJS.ProcessEnv = { PGPASSWORD: password }) =>
    runCli(['drill', '--workspace', workspace, '--target', targetUrl, ...args], env);

  it('a target asking for a password it was not given: says so at once and exits 2', async () => {
    const started = Date.now();
    const run: CliRun = await drill(['--dump', 'backups/app.dump', '--confirm', server], {});
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /the drill did not run on 127\.0\.0\.1:\d+: it asks for a password and none was given/,
    );
    assert.match(run.stderr, /Set PGPASSWORD, or put the password in the target URL\./);
    assert.doesNotMatch(run.stderr, /still running|Check that the drill target is up/);
    assert.doesNotMatch(run.stderr, /SCRAM|must be a string/);
    assert.ok(seconds < 4.5, `it took ${seconds} s: a connection was left open`);
  });

  it('a dump from a newer pg_dump: names both versions and what to install', async () => {
    const run = await drill(['--dump', 'newer/shop.dump', '--confirm', server]);
    assert.equal(run.code, 1, run.stderr);
    const said =
      /pg_restore 15\.\d+ cannot read shop\.dump: it was written by pg_dump 17\.2, a newer version/;
    assert.match(run.stdout, said);
    assert.match(run.stdout, /Install the PostgreSQL 17 client tools.*postgresql-client-17/);

    const check = await runCli(
      ['check', '--check', 'backups.latest', '--format', 'json', '--workspace', workspace],
      {},
    );
    const [result] = JSON.parse(check.stdout).results;
    assert.equal(result.outcome, 'fail');
    assert.match(result.summary, said);
    assert.match(result.details, /postgresql-client-17/);
    assert.equal(result.values.database, 'shop');
    assert.equal(result.values.pgDumpVersion, '17.2');
  });

  it('names the database a dump is of, in backups.latest and in the drill plan', async () => {
    const settings = path.join(workspace, '.vscode', 'settings.json');
    const kept = await fs.readFile(settings, 'utf8');
    await fs.writeFile(settings, JSON.stringify({ 'upkeep.backups.pattern': 'backups/*.dump' }));
    try {
      const check = await runCli(
        ['check', '--check', 'backups.latest', '--format', 'json', '--workspace', workspace],
        {},
      );
      const [result] = JSON.parse(check.stdout).results;
      assert.equal(result.outcome, 'pass', result.summary);
      assert.match(
        result.summary,
        /; pg_restore lists 1 table of database drill_gaps_source_\d+_\d+$/,
      );
      assert.match(result.values.database, /^drill_gaps_source_/);
      assert.match(result.values.pgDumpVersion, /^15\./);
    } finally {
      await fs.writeFile(settings, kept);
    }
    const plan = await drill(['--dump', 'backups/app.dump']);
    assert.equal(plan.code, 2);
    assert.match(
      plan.stderr,
      /Dump: +backups\/app\.dump \(.*; database drill_gaps_source_\d+_\d+, pg_dump 15\.\d+\)/,
    );
  });

  it('reports a scratch database an earlier drill left on the target, and leaves it', async () => {
    const left = 'upkeep_drill_20250115030000_4242';
    await admin(adminUrl, `CREATE DATABASE ${left}`);
    try {
      const run = await drill(['--dump', 'backups/app.dump', '--confirm', server]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stdout.includes(
          `  Left by an earlier drill: ${left} (2025-01-15 03:00 UTC) on ${server}: ` +
            `drop it with DROP DATABASE IF EXISTS ${left};`,
        ),
        run.stdout,
      );
      const json = await drill([
        '--dump',
        'backups/app.dump',
        '--confirm',
        server,
        '--format',
        'json',
      ]);
      assert.deepEqual(JSON.parse(json.stdout).leftoverScratchDatabases, [left]);
      const names = await admin(adminUrl, 'SELECT datname FROM pg_database');
      assert.ok(
        names.some((row) => row.datname === left),
        "not the drill's to drop",
      );
    } finally {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${left}`);
    }
  });

  it('fails a dump cut short after the table of contents pg_restore --list reads', async () => {
    const whole = await fs.readFile(path.join(workspace, 'backups', 'app.dump'));
    const cut = path.join(workspace, 'cut');
    await fs.mkdir(cut);
    await fs.writeFile(path.join(cut, 'app.dump'), whole.subarray(0, whole.length - 40));
    // A schema-only dump has no data blocks: it ends with its table of contents, and is whole.
    const source = new URL(sourceUrl);
    const schemaOnly = execFileSync(
      '/usr/bin/pg_dump',
      [
        ...['-Fc', '-s', '-h', source.hostname, '-p', source.port, '-U', source.username],
        source.pathname.slice(1),
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(source.password) } },
    );
    const settings = path.join(workspace, '.vscode', 'settings.json');
    const kept = await fs.readFile(settings, 'utf8');
    const latest = async (pattern: string) => {
      await fs.writeFile(settings, JSON.stringify({ 'upkeep.backups.pattern': pattern }));
      const check = await runCli(
        ['check', '--check', 'backups.latest', '--format', 'json', '--workspace', workspace],
        {},
      );
      return JSON.parse(check.stdout).results[0];
    };
    try {
      const truncated = await latest('cut/*.dump');
      assert.equal(truncated.outcome, 'fail', truncated.summary);
      assert.match(truncated.summary, /^cut\/app\.dump is 0 h old; it ends mid-way/);
      assert.match(truncated.details, /pg_dump did not finish writing it/);

      await fs.writeFile(path.join(cut, 'app.dump'), schemaOnly);
      const schema = await latest('cut/*.dump');
      assert.equal(schema.outcome, 'pass', schema.summary);
    } finally {
      await fs.writeFile(settings, kept);
    }
  });

  it('names a dump with a line break in its name on one line, with its summary', async () => {
    const odd = path.join(workspace, 'odd');
    await fs.mkdir(odd);
    await fs.copyFile(
      path.join(workspace, 'backups', 'app.dump'),
      path.join(odd, 'new\nline é 🎉.dump'),
    );
    const settings = path.join(workspace, '.vscode', 'settings.json');
    const kept = await fs.readFile(settings, 'utf8');
    await fs.writeFile(settings, JSON.stringify({ 'upkeep.backups.pattern': 'odd/*.dump' }));
    try {
      const check = await runCli(
        ['check', '--check', 'backups.latest', '--workspace', workspace],
        {},
      );
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.match(
        check.stdout,
        /odd\/new\uFFFDline é 🎉\.dump is 0 h old; pg_restore lists 1 table/,
      );
      const json = await runCli(
        ['check', '--check', 'backups.latest', '--format', 'json', '--workspace', workspace],
        {},
      );
      assert.equal(JSON.parse(json.stdout).results[0].values.file, 'odd/new\nline é 🎉.dump');
    } finally {
      await fs.writeFile(settings, kept);
    }
  });

  it('a backup folder the user cannot read: says which folder and what to do', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const locked = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-locked-'));
    try {
      await fs.chmod(locked, 0o755);
      await fs.mkdir(path.join(locked, 'backups', 'daily'), { recursive: true, mode: 0o700 });
      await fs.chmod(path.join(locked, 'backups'), 0o755);
      await fs.chmod(path.join(locked, 'backups', 'daily'), 0o700);
      await fs.writeFile(path.join(locked, 'Gemfile'), '');
      await fs.mkdir(path.join(locked, '.vscode'));
      await fs.writeFile(
        path.join(locked, '.vscode', 'settings.json'),
        JSON.stringify({ 'upkeep.backups.pattern': 'backups/daily/*.dump' }),
      );
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, 'src/cli.ts'),
          ...['check', '--check', 'backups.latest', '--format', 'json', '--workspace', locked],
        ],
        { cwd: ROOT, uid: 65534, gid: 65534, env: { PATH: process.env.PATH, HOME: locked } },
      );
      const run = await watchCli(child).exited;
      const [result] = JSON.parse(run.stdout).results;
      assert.equal(result.outcome, 'fail', run.stdout);
      assert.equal(
        result.summary,
        'cannot read backups/daily (permission denied), so no backup can be judged',
      );
      assert.match(
        result.details,
        /runs as (\S+ \()?uid 65534\)?: give it read access to backups\/daily/,
      );
    } finally {
      await fs.rm(locked, { recursive: true, force: true });
    }
  });

  it('says how old the restored backup is, against upkeep.backups.maxAgeHours', async () => {
    const old = path.join(folder, 'old.dump');
    await fs.copyFile(path.join(workspace, 'backups', 'app.dump'), old);
    const written = new Date(Date.now() - 30 * 3_600_000);
    await fs.utimes(old, written, written);
    const run = await drill(['--dump', old, '--confirm', server]);
    assert.equal(run.code, 0, run.stderr);
    // The plan says so before the drill runs, as the editor's confirmation does.
    assert.match(run.stderr, /, 30 h ago, over upkeep\.backups\.maxAgeHours \(26 h\);/);
    assert.ok(
      run.stdout.includes(
        `  Backup: written ${written.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
          '30 h before the drill (over upkeep.backups.maxAgeHours, 26 h)',
      ),
      run.stdout,
    );
    const json = await drill(['--dump', old, '--confirm', server, '--format', 'json']);
    const record = JSON.parse(json.stdout);
    assert.equal(record.dumpWrittenAt, written.toISOString());
  });

  it('says what a plain SQL or gzipped dump is and how to take one to restore', async () => {
    const plain = path.join(folder, 'app.sql');
    pgDump(sourceUrl, plain, 'plain');
    const gzipped = path.join(folder, 'app.dump.gz');
    await fs.writeFile(
      gzipped,
      gzipSync(await fs.readFile(path.join(workspace, 'backups', 'app.dump'))),
    );
    const sql = await drill(['--dump', plain, '--confirm', server]);
    assert.equal(sql.code, 1, sql.stderr);
    assert.match(sql.stdout, /app\.sql is a plain SQL dump, which pg_restore cannot read\./);
    assert.match(sql.stdout, /pg_dump -Fc/);
    assert.doesNotMatch(sql.stdout, /Please use psql/);
    const gz = await drill(['--dump', gzipped, '--confirm', server]);
    assert.equal(gz.code, 1, gz.stderr);
    assert.match(
      gz.stdout,
      /app\.dump\.gz is compressed with gzip, which pg_restore cannot read\./,
    );
    assert.match(gz.stdout, /gunzip/);
  });

  it('the plan says when the dump is of another database than the monitored one', async () => {
    const monitored = new URL(adminUrl);
    monitored.pathname = '/shop_production';
    const other = await drill(['--dump', 'backups/app.dump'], {
      PGPASSWORD: password,
      DATABASE_URL: monitored.toString(),
    });
    assert.equal(other.code, 2);
    assert.match(
      other.stderr,
      new RegExp(
        /\n {2}Note: the dump is of database drill_gaps_source_\d+_\d+, /.source +
          /not of the monitored database shop_production\.\n/.source,
      ),
    );
    monitored.pathname = new URL(sourceUrl).pathname;
    const same = await drill(['--dump', 'backups/app.dump'], {
      PGPASSWORD: password,
      DATABASE_URL: monitored.toString(),
    });
    assert.doesNotMatch(same.stderr, /Note: the dump is of/);
  });

  it('an empty dump (a cron pg_dump > file that failed): says the job wrote nothing', async () => {
    const empty = path.join(workspace, 'empty');
    await fs.mkdir(empty);
    await fs.writeFile(path.join(empty, 'app.dump'), '');
    const settings = path.join(workspace, '.vscode', 'settings.json');
    const kept = await fs.readFile(settings, 'utf8');
    await fs.writeFile(settings, JSON.stringify({ 'upkeep.backups.pattern': 'empty/*.dump' }));
    try {
      const check = await runCli(
        ['check', '--check', 'backups.latest', '--format', 'json', '--workspace', workspace],
        {},
      );
      const [result] = JSON.parse(check.stdout).results;
      assert.equal(result.outcome, 'fail');
      assert.equal(result.summary, 'app.dump is empty (0 bytes): the backup job wrote nothing.');
      assert.match(result.details, /whose pg_dump could not connect/);
    } finally {
      await fs.writeFile(settings, kept);
    }
    const run = await drill(['--dump', 'empty/app.dump', '--confirm', server]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /FAILED: app\.dump is empty \(0 bytes\)/);
  });
});
