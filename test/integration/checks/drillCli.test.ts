/**
 * `upkeep drill` as a cron job runs it: a real pg_dump of a Debian PostgreSQL 15 database,
 * restored by the CLI into a scratch database on the embedded server. It must refuse without the
 * exact confirmation (creating nothing), keep every password out of its output and results file,
 * record a drill the annual check then reports, fail a broken dump, and clean up on Ctrl-C.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliRun } from '../../support/cli';
import { runCli } from '../../support/cli';
import { formatBytes, formatUtc } from '../../../src/core/util/figures';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';

const ROOT = path.resolve(__dirname, '../../..');

describe('upkeep drill (CLI)', function () {
  this.timeout(180_000);
  let folder: string;
  let workspace: string;
  let dumpFile: string;
  let adminUrl: string;
  let password: string;
  /** The target URL without its password: PGPASSWORD carries it, as in a cron job. */
  let targetUrl: string;
  let server: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-cli-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });

    const source = await createDatabase(await debianServer(), 'drill_cli_source');
    await admin(
      source,
      `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
       CREATE TABLE bookings (id serial PRIMARY KEY, user_id int REFERENCES users(id));
       INSERT INTO users (email) SELECT 'u' || g || '@example.test' FROM generate_series(1, 120) g;
       INSERT INTO bookings (user_id) SELECT 1 + g % 120 FROM generate_series(1, 480) g;`,
    );
    dumpFile = path.join(workspace, 'backups', 'app_20261204.dump');
    pgDump(source, dumpFile);
    // An older dump the pattern also matches: the drill must pick the newest.
    const older = path.join(workspace, 'backups', 'app_20261101.dump');
    await fs.writeFile(older, 'not a dump');
    await fs.utimes(older, new Date('2026-11-01'), new Date('2026-11-01'));

    const target = await embeddedServer();
    adminUrl = await createDatabase(target, 'drill_cli_admin');
    const url = new URL(adminUrl);
    password = decodeURIComponent(url.password);
    url.password = '';
    targetUrl = url.toString();
    server = `127.0.0.1:${url.port}`;
    await fs.writeFile(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({
        // The settings file carries no password; PGPASSWORD does.
        'upkeep.backups.pattern': 'backups/*.dump',
        'upkeep.backups.drillTargetUrl': targetUrl,
      }),
    );
    // The monitored database lives on the Debian server, not on the drill target.
    env = { PGPASSWORD: password, DATABASE_URL: source };
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  const databases = async (): Promise<string[]> =>
    (await admin(adminUrl, 'SELECT datname FROM pg_database ORDER BY datname')).map((row) =>
      String(row.datname),
    );
  const scratchDatabases = async (): Promise<string[]> =>
    (await databases()).filter((name) => name.startsWith('upkeep_drill_'));
  const drill = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    runCli(['drill', '--workspace', workspace, ...args], { ...env, ...extraEnv });
  const assertNoPassword = (text: string): void => {
    assert.ok(!text.includes(password), 'no password in the output');
  };

  it('refuses without --confirm: prints the plan, creates nothing, exits 2', async () => {
    const before = await databases();
    const run = await drill([]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /Dump: +backups\/app_20261204\.dump \(newest match/);
    // Its size, time and age, to tell the backup meant from an empty or an old file at a glance.
    const { size, mtime } = await fs.stat(dumpFile);
    const facts = `; ${formatBytes(size)}, written ${formatUtc(mtime.toISOString())}, `;
    assert.ok(run.stderr.includes(facts), run.stderr);
    // Written by this test a moment ago: no "0 h ago".
    assert.match(run.stderr.split(facts)[1], /^less than an hour ago; /);
    assert.ok(run.stderr.includes(`Target:  ${new URL(targetUrl).username}@${server}/`));
    assert.match(run.stderr, /upkeep_drill_<YYYYMMDDHHMMSS>_<pid>/);
    assert.ok(run.stderr.includes(`Re-run with --confirm ${server} to run it.`), run.stderr);
    assert.match(run.stderr, /Nothing was done\./);
    assert.doesNotMatch(run.stderr, /WARNING/);
    assertNoPassword(run.stderr);
    assert.deepEqual(await databases(), before);
  });

  it('with --format json, a drill that did not run prints JSON saying why (exit 2)', async () => {
    interface Stopped {
      ok: boolean;
      stopped: { code: string; message: string; hint?: string };
      dumpFile?: string;
      target?: string;
    }
    // No --confirm: a script reading the JSON got an empty stdout.
    const refused = await drill(['--format', 'json']);
    assert.equal(refused.code, 2, refused.stderr);
    const plan = JSON.parse(refused.stdout) as Stopped;
    assert.equal(plan.ok, false);
    assert.equal(plan.stopped.code, 'refused');
    assert.ok(plan.stopped.message.includes(`Re-run with --confirm ${server} to run it.`));
    assert.match(plan.stopped.message, /Nothing was done\.$/);
    assert.equal(plan.dumpFile, dumpFile);
    assert.equal(plan.target, server);
    assertNoPassword(refused.stdout);

    // A dump that is not there: the error's code, message and hint.
    const missing = await drill([
      '--dump',
      'backups/none.dump',
      '--confirm',
      server,
      '--format=json',
    ]);
    assert.equal(missing.code, 2, missing.stderr);
    const gone = JSON.parse(missing.stdout) as Stopped;
    assert.equal(gone.stopped.code, 'config');
    assert.match(gone.stopped.message, /none\.dump does not exist\./);
    assert.match(gone.stopped.hint ?? '', /^Pass --dump FILE/);

    // A flag the command does not take, before the format or after it.
    for (const args of [
      ['--format', 'json', '--confirmed'],
      ['--confirmed', '--format', 'json'],
    ]) {
      const usage = await drill(args);
      assert.equal(usage.code, 2, usage.stderr);
      assert.deepEqual(JSON.parse(usage.stdout), {
        ok: false,
        stopped: {
          code: 'usage',
          message:
            "unknown option '--confirmed' (Did you mean --confirm?) " +
            '(upkeep drill --help lists its flags and values)',
        },
      });
    }
  });

  it('refuses a confirmation that is not exactly the target host:port', async () => {
    const before = await databases();
    for (const token of [`localhost:${new URL(targetUrl).port}`, `${server} `, '127.0.0.1']) {
      const run = await drill(['--confirm', token]);
      assert.equal(run.code, 2, token);
      assert.ok(run.stderr.includes(`does not match the target ${server}`), run.stderr);
    }
    assert.deepEqual(await databases(), before);
  });

  it('refuses the monitored server unless --allow-monitored-server is given', async () => {
    const before = await databases();
    const monitored = { DATABASE_URL: adminUrl.replace(/\/[^/]+$/, '/the_app') };
    const refused = await drill(['--confirm', server], monitored);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /WARNING: the target is the monitored database server/);
    assert.match(refused.stderr, /is the monitored database's server/);
    assert.match(refused.stderr, /--allow-monitored-server/);
    assertNoPassword(refused.stderr);
    assert.deepEqual(await databases(), before);

    const unconfirmed = await drill([], monitored);
    assert.ok(unconfirmed.stderr.includes(`--confirm ${server} --allow-monitored-server`));
    assert.deepEqual(await databases(), before);

    const allowed = await drill(
      ['--confirm', server, '--allow-monitored-server', '--format', 'json'],
      monitored,
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).ok, true);
    assert.deepEqual(await scratchDatabases(), []);
  });

  it('runs with the right token, records the drill, and the annual check reports it', async () => {
    const results = path.join(workspace, '.upkeep', 'results.json');
    const run = await drill(['--confirm', server, '--format', 'json', '--save']);
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout);
    assert.equal(record.ok, true);
    assert.equal(record.target, server);
    assert.equal(record.dumpFile, dumpFile);
    assert.match(record.scratchDatabase, /^upkeep_drill_\d{14}_\d+$/);
    assert.deepEqual(
      record.tables.map((t: { table: string; dumpRows: number; restoredRows: number }) => [
        t.table,
        t.dumpRows,
        t.restoredRows,
      ]),
      [
        ['public.bookings', 480, 480],
        ['public.users', 120, 120],
      ],
    );
    assert.deepEqual(record.mismatches, []);
    assert.ok(record.recoveryMs > 0);
    assert.deepEqual(await scratchDatabases(), [], 'the scratch database is dropped');
    const saved = await fs.readFile(results, 'utf8');
    for (const text of [run.stdout, run.stderr, saved]) assertNoPassword(text);

    const check = await runCli(
      [
        'check',
        '--check',
        'backups.recoveryDrill',
        '--save',
        '--format',
        'json',
        '--workspace',
        workspace,
      ],
      env,
    );
    assert.equal(check.code, 0, check.stderr);
    const [result] = JSON.parse(check.stdout).results;
    assert.equal(result.outcome, 'pass');
    assert.match(result.summary, /^last drill today: recovery took \d+(\.\d)? s$/);
  });

  it('a recorded drill is reported without --save; the results file is only read', async () => {
    const drilled = await drill(['--confirm', server, '--save']);
    assert.equal(drilled.code, 0, drilled.stderr);
    const upkeepDir = path.join(workspace, '.upkeep');
    const results = path.join(upkeepDir, 'results.json');
    const kept = await fs.readFile(results, 'utf8');
    const keptTime = (await fs.stat(results)).mtimeMs;
    const listing = await fs.readdir(upkeepDir);

    const checkDrill = (dir: string): Promise<CliRun> =>
      runCli(
        ['check', '--check', 'backups.recoveryDrill', '--format', 'json', '--workspace', dir],
        env,
      );
    const check = await checkDrill(workspace);
    assert.equal(check.code, 0, check.stderr);
    const [result] = JSON.parse(check.stdout).results;
    assert.equal(result.outcome, 'pass', result.summary);
    assert.match(result.summary, /^last drill today: recovery took \d+(\.\d)? s$/);
    assert.equal(await fs.readFile(results, 'utf8'), kept, 'the results file is not rewritten');
    assert.equal((await fs.stat(results)).mtimeMs, keptTime);
    assert.deepEqual(await fs.readdir(upkeepDir), listing);

    // An untrusted run takes no record from the repo: a committed file could forge a drill.
    const untrusted = await runCli(
      ['check', '--check', 'backups.recoveryDrill', '--format', 'json', '--untrusted'].concat([
        '--workspace',
        workspace,
      ]),
      env,
    );
    assert.equal(JSON.parse(untrusted.stdout).results[0].outcome, 'skipped', untrusted.stdout);

    // A record whose date cannot be read is no pass ("NaN days ago" passed before).
    const forged = await fs.mkdtemp(path.join(folder, 'forged-results-'));
    await fs.mkdir(path.join(forged, '.upkeep'));
    await fs.writeFile(
      path.join(forged, '.upkeep', 'results.json'),
      kept.replace(/"drilledAt": ?"[^"]*"/g, '"drilledAt": "yesterday"'),
    );
    const [forgedResult] = JSON.parse((await checkDrill(forged)).stdout).results;
    assert.equal(forgedResult.outcome, 'warn', forgedResult.summary);
    assert.match(forgedResult.summary, /no usable date \("yesterday"\)/);

    // A broken results file is reported and left as it is, not set aside.
    const other = await fs.mkdtemp(path.join(folder, 'broken-results-'));
    await fs.mkdir(path.join(other, '.upkeep'));
    const broken = path.join(other, '.upkeep', 'results.json');
    await fs.writeFile(broken, '{"version": 1, "results": {');
    const brokenRun = await checkDrill(other);
    assert.equal(brokenRun.code, 0, brokenRun.stderr);
    assert.equal(JSON.parse(brokenRun.stdout).results[0].outcome, 'skipped');
    assert.match(brokenRun.stderr, /results\.json is not readable \(.+\); left as it is/);
    assert.equal(await fs.readFile(broken, 'utf8'), '{"version": 1, "results": {');
    assert.deepEqual(await fs.readdir(path.join(other, '.upkeep')), ['results.json']);

    // Without a results file, none is created.
    const empty = await fs.mkdtemp(path.join(folder, 'no-results-'));
    const none = await checkDrill(empty);
    assert.equal(JSON.parse(none.stdout).results[0].outcome, 'skipped');
    assert.deepEqual(await fs.readdir(empty), []);
  });

  it('prints a text summary; a password in --target never shows', async () => {
    const run = await drill(['--target', adminUrl, '--confirm', server], { PGPASSWORD: '' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Recovery drill passed: restored 2 tables \(600 rows\) in [\d.]+ s/);
    assert.match(run.stdout, /public\.bookings +dump 480, restored 480/);
    assert.match(run.stdout, /Mismatches: none/);
    assertNoPassword(run.stdout + run.stderr);
    assert.deepEqual(await scratchDatabases(), []);
  });

  it('takes no target from an untrusted workspace', async () => {
    const before = await databases();
    const run = await drill(['--untrusted', '--confirm', server]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /No drill target/);
    assert.match(run.stderr, /untrusted workspace/);
    assert.deepEqual(await databases(), before);
  });

  it('fails a broken dump with a clear message and records the failure', async () => {
    const broken = path.join(folder, 'half.dump');
    const bytes = await fs.readFile(dumpFile);
    await fs.writeFile(broken, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const results = path.join(folder, 'broken-results.json');
    const run = await drill(['--dump', broken, '--confirm', server, '--save', results]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^Recovery drill FAILED: /);
    assert.match(run.stdout, /pg_restore (cannot read|failed)/);
    assert.deepEqual(await scratchDatabases(), []);
    const saved = JSON.parse(await fs.readFile(results, 'utf8'));
    const [result] = saved.results['backups.recoveryDrill'];
    assert.equal(result.outcome, 'fail');
    assert.equal(result.values.drillOk, false);
  });

  it('explains a missing dump and a missing target without a stack trace', async () => {
    const missing = await drill(['--dump', 'backups/none.dump', '--confirm', server]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /The dump .*none\.dump does not exist\.\nPass --dump FILE/);
    const folderDump = await drill(['--dump', 'backups', '--confirm', server]);
    assert.match(folderDump.stderr, /The dump .*backups is not a file\.\nPass --dump FILE/);
    const empty = await fs.mkdtemp(path.join(folder, 'empty-'));
    const noTarget = await runCli(['drill', '--workspace', empty, '--dump', dumpFile], env);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /No drill target.*\nPass --target URL/);
    const notUrl = await drill(['--target', 'drill server', '--confirm', server]);
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.stderr, /The drill target drill server is not a postgres:\/\/ URL\./);
    assert.doesNotMatch(noTarget.stderr + missing.stderr + notUrl.stderr, /\n\s+at /);
  });

  it('says pg_restore is not on PATH, and which PATH, creating nothing', async () => {
    const before = await databases();
    const bin = await fs.mkdtemp(path.join(folder, 'bin-'));
    const run = await drill(['--confirm', server], { PATH: bin });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(
      run.stderr.includes(
        `upkeep drill: pg_restore is not on PATH.\nNo pg_restore in the folders of PATH (${bin}).`,
      ),
      run.stderr,
    );
    assert.deepEqual(await databases(), before);
  });

  it('explains a refused login without echoing the password, creating nothing', async () => {
    const before = await databases();
    const wrong = new URL(adminUrl);
    wrong.password = 'not-the-Password-42';
    const run = await drill(['--target', wrong.toString(), '--confirm', server]);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(`the drill did not run on ${server}: `), run.stderr);
    assert.match(run.stderr, /password authentication failed/);
    // The URL's password was sent (PGPASSWORD is not used then): the hint says to correct it
    // there, not to set what was set.
    assert.match(
      run.stderr,
      /The password in the --target URL was refused: correct it there, and check the user name\./,
    );
    assert.doesNotMatch(run.stderr, /Set PGPASSWORD/);
    assert.ok(!(run.stdout + run.stderr).includes('not-the-Password-42'));
    assert.deepEqual(await databases(), before);

    // No password in the URL: PGPASSWORD's was sent and refused.
    const fromVariable = await drill(['--target', targetUrl, '--confirm', server], {
      PGPASSWORD: 'not-the-Password-42',
    });
    assert.equal(fromVariable.code, 2, fromVariable.stderr);
    assert.match(
      fromVariable.stderr,
      /The password in PGPASSWORD was refused: correct it there, and check the user name\./,
    );
    assert.ok(!(fromVariable.stdout + fromVariable.stderr).includes('not-the-Password-42'));
    assert.deepEqual(await databases(), before);

    // In JSON: the code, and the dump and target the plan named.
    const json = await drill(['--target', wrong.toString(), '--confirm', server, '--format=json']);
    assert.equal(json.code, 2, json.stderr);
    const stopped = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal((stopped.stopped as { code: string }).code, 'auth');
    assert.deepEqual([stopped.ok, stopped.dumpFile, stopped.target], [false, dumpFile, server]);
    assert.ok(!json.stdout.includes('not-the-Password-42'));
  });

  it('Ctrl-C kills pg_restore, drops the scratch database and records nothing', async () => {
    // A dump big enough that the restore is still running when the signal arrives.
    const big = await createDatabase(await debianServer(), 'drill_cli_big');
    await admin(
      big,
      `CREATE TABLE events (id bigserial PRIMARY KEY, payload text);
       INSERT INTO events (payload) SELECT repeat('x', 100) FROM generate_series(1, 1500000);`,
    );
    const bigDump = path.join(folder, 'big.dump');
    pgDump(big, bigDump);
    const results = path.join(folder, 'cancel-results.json');

    // Spawned here rather than through runCli: the test needs the child to send it SIGINT.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'src/cli.ts'),
        'drill',
        '--workspace',
        workspace,
        '--dump',
        bigDump,
        '--confirm',
        server,
        '--save',
        results,
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const deadline = Date.now() + 60_000;
    while (!(await scratchDatabases()).length) {
      assert.ok(Date.now() < deadline, `the restore never started: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 2, stderr);
    assert.match(stderr, /cancelled \(SIGINT\); nothing was recorded/);
    assert.deepEqual(await scratchDatabases(), []);
    await assert.rejects(fs.stat(results), 'nothing recorded');
    const leftover = execFileSync('ps', ['-eo', 'args']).toString();
    assert.ok(!leftover.includes(bigDump), 'no pg_restore left running');
  });
});
