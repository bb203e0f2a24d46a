/**
 * Wrong flags and values on the command line, as a maintainer types them into a cron line: every
 * message says what is wrong and how to put it right, and exits 2 before anything runs.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

describe('upkeep usage errors', function () {
  this.timeout(60_000);
  let folder: string;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-usage-'));
    await fs.writeFile(path.join(folder, 'Gemfile'), "source 'https://rubygems.org'\n");
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  for (const [command, args] of [
    ['check', ['--tiers', 'daily']],
    ['logs', ['--since', '1h']],
    ['db', ['--database-url', 'x']],
    ['drill', ['--confirmed']],
  ] as const) {
    it(`upkeep ${command}: an unknown flag points at --help`, async () => {
      const run = await runCli([command, ...args, '--workspace', folder]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`unknown option '${args[0]}'`));
      assert.ok(run.stderr.includes(`upkeep ${command} --help`), run.stderr);
      assert.equal(run.stdout, '');
    });
  }

  it('upkeep db, logs and drill with --format json still print JSON saying why', async () => {
    const why = (command: string, refused: string): string =>
      `${refused} (upkeep ${command} --help lists its flags and values)`;
    // A script reading the JSON found an empty stdout: the db document, with no card.
    for (const args of [
      ['db', '-f', 'json', '--bogus'],
      ['db', '--bogus', '--format=json'],
      ['db', '-fjson', '--bogus'],
    ]) {
      const run = await runCli([...args, '--workspace', folder]);
      assert.equal(run.code, 2, run.stderr);
      const json = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.equal(json.version, 1);
      assert.equal(json.connection, null);
      assert.deepEqual(json.cards, []);
      assert.deepEqual(json.error, {
        code: 'usage',
        message: why('db', "unknown option '--bogus'"),
      });
    }
    // A URL typed into a flag the command does not take keeps its password out of the JSON.
    const url = await runCli(['db', '--format', 'json', '--url=postgres://app:S3cretPw@h/x']);
    assert.equal(url.code, 2, url.stderr);
    assert.match(url.stdout, /unknown option '--url=postgres:\/\/app:\*\*\*@h\/x'/);
    assert.doesNotMatch(url.stdout, /S3cretPw/);
    const badValue = await runCli(['db', '--format', 'json', '--card']);
    assert.equal(badValue.code, 2, badValue.stderr);
    assert.deepEqual((JSON.parse(badValue.stdout) as { error: unknown }).error, {
      code: 'usage',
      message: why('db', "option '-c, --card <id...>' argument missing"),
    });

    // upkeep logs: a document of `schema`, `generatedAt` and `stopped`.
    const logs = async (args: string[]): Promise<Record<string, unknown>> => {
      const run = await runCli(['logs', '--workspace', folder, ...args]);
      assert.equal(run.code, 2, run.stderr);
      const json = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.equal(json.schema, 1);
      assert.ok(!Number.isNaN(Date.parse(String(json.generatedAt))), run.stdout);
      assert.deepEqual(Object.keys(json), ['schema', 'generatedAt', 'stopped']);
      return json.stopped as Record<string, unknown>;
    };
    assert.deepEqual(await logs(['--since', '1h', '--format', 'json']), {
      code: 'usage',
      message: why('logs', "unknown option '--since'"),
    });
    assert.deepEqual(await logs(['--format', 'json', '--window', ' ']), {
      code: 'usage',
      message: why(
        'logs',
        "option '--window <window>' argument ' ' is invalid. It is empty (an unset variable?): " +
          'give a value, or leave the flag out.',
      ),
    });
    // A window it cannot read stops the command after commander: the same document.
    const window = await logs(['--format', 'json', '--window', '3 fortnights']);
    assert.equal(window.code, 'config');
    assert.equal(window.message, 'Cannot read the window "3 fortnights".');
    assert.ok(typeof window.hint === 'string' && window.hint.length > 0);

    // upkeep drill (its refusals and cancel are in drillCli and drillCancel).
    const drill = await runCli(['drill', '--workspace', folder, '--format', 'json', '--bogus']);
    assert.equal(drill.code, 2, drill.stderr);
    assert.deepEqual(JSON.parse(drill.stdout), {
      ok: false,
      stopped: { code: 'usage', message: why('drill', "unknown option '--bogus'") },
    });

    // Help prints help; the text format, or a bad --format value, prints nothing on stdout.
    for (const command of ['db', 'logs', 'drill']) {
      const help = await runCli([command, '--format', 'json', '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: upkeep ${command}`));
      for (const args of [['--bogus'], ['--format', 'yaml'], ['--format', 'json', '--format=x']]) {
        const run = await runCli([command, ...args, '--workspace', folder]);
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stdout, '', `${command} ${args.join(' ')}`);
      }
    }
  });

  it('upkeep help NAME says NAME is no command, as upkeep NAME does', async () => {
    const mistyped = await runCli(['chek']);
    for (const args of [
      ['help', 'chek'],
      ['help', 'chek', 'x'],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, mistyped.stderr);
      assert.match(run.stderr, /^error: unknown command 'chek'/);
      assert.doesNotMatch(run.stderr, /Usage:/);
    }
    // A command's help, and the general one, as before.
    const check = await runCli(['help', 'check']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^Usage: upkeep check /);
    const general = await runCli(['help']);
    assert.equal(general.code, 0, general.stderr);
    assert.match(general.stdout, /^Usage: upkeep /);
  });

  it('says to build the CLI first when bin/upkeep.js has no dist/ beside it', async () => {
    // After npm install alone, npx upkeep printed a Node stack trace and exited 1 ("a check
    // failed" for a cron job).
    const bin = path.join(folder, 'unbuilt/bin/upkeep.js');
    await fs.mkdir(path.dirname(bin), { recursive: true });
    await fs.copyFile(path.join(__dirname, '../../../bin/upkeep.js'), bin);
    const run = spawnSync(process.execPath, [bin, 'check'], { encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^upkeep: the command is not built yet: run npm run build in /);
    assert.ok(run.stderr.includes(path.join(folder, 'unbuilt')), run.stderr);
    assert.doesNotMatch(run.stderr, /Require stack|\n\s+at /);
  });

  it('upkeep check --parallelism takes a whole number of checks', async () => {
    const run = await runCli(['check', '--workspace', folder, '--parallelism', '2.5']);
    assert.equal(run.code, 2, run.stdout);
    assert.match(
      run.stderr,
      /--parallelism must be a whole number of checks, 1 or more, not "2.5"/,
    );
    assert.equal(run.stdout, '');
  });

  it('an unknown --tier names the tiers, in upkeep check and upkeep status alike', async () => {
    for (const command of ['check', 'status']) {
      const run = await runCli([command, '--workspace', folder, '--tier', 'weekly', '--tier', 'x']);
      assert.equal(run.code, 2, command);
      assert.match(
        run.stderr,
        new RegExp(`^upkeep ${command}: unknown tier "x"; choose from daily, weekly, monthly, `),
      );
      assert.equal(run.stdout, '', command);
    }
  });

  it('a --workspace that is a file says to pass the folder, named by each command', async () => {
    const file = path.join(folder, 'Gemfile');
    for (const command of ['check', 'status', 'drill']) {
      const run = await runCli([command, '--workspace', file]);
      assert.equal(run.code, 2, command);
      assert.equal(
        run.stderr,
        `upkeep ${command}: The workspace ${file} is not a folder.\n` +
          `Pass the Rails app folder with --workspace, or run upkeep ${command} inside it.\n`,
      );
    }
  });

  it('lists results as docs/check-json.md says: --check, then --task, then --tier', async () => {
    const run = await runCli([
      ...['check', '--workspace', folder, '--format', 'json', '--tier', 'annual'],
      ...['--check', 'repo.versions', '--task', 'daily.health', '--check', 'docs.stale'],
    ]);
    const report = JSON.parse(run.stdout) as { results: { checkId: string }[] };
    const ids = report.results.map((result) => result.checkId);
    // daily.health has health.url, health.database, health.email; annual has db.size among
    // others. Each check appears once, where it was first selected.
    assert.deepEqual(ids.slice(0, 5), [
      'repo.versions',
      'docs.stale',
      'health.url',
      'health.database',
      'health.email',
    ]);
    assert.ok(ids.indexOf('db.size') > 4, ids.join(' '));
    assert.equal(new Set(ids).size, ids.length, 'each check once');
  });

  it("every command's help ends with its exit codes, for the cron line or CI job", async () => {
    const codes = {
      check: /Exit codes:\s+0 +nothing failed[^]*1 +a check failed or errored[^]*2 +bad usage/,
      logs: /Exit codes:\s+0 +a log was read\s+2 +no log could be read/,
      db: /Exit codes:\s+0 +every card ran\s+1 +the database could not be reached[^]*2 /,
      drill: /Exit codes:\s+0 +the drill passed\s+1 +it failed\s+2 +it did not run/,
      status: /Exit codes:\s+0 +nothing overdue[^]*1 +a task is overdue[^]*bug report[^]*2 +bad/,
    };
    for (const [command, expected] of Object.entries(codes)) {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, expected);
      assert.match(run.stdout, /docs\/cli\.md/);
    }
  });

  it("every command's help names the pages that have more on it", async () => {
    const pointers = {
      check: /docs\/cli\.md has more, with a cron line and a CI job; docs\/check-json\.md/,
      logs: /docs\/cli\.md has more; docs\/logs-json\.md describes the JSON\./,
      db: /docs\/cli\.md says which database it reads; docs\/db-json\.md describes the JSON\./,
      drill: /docs\/cli\.md has more, with a cron line\./,
      status:
        /docs\/cli\.md has more, with a cron line; docs\/status-json\.md describes the JSON\./,
    };
    for (const [command, expected] of Object.entries(pointers)) {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout.replace(/\s+/g, ' '), expected, command);
    }
  });

  it('every command gives the same --workspace default in its help', async () => {
    for (const command of ['check', 'logs', 'db', 'drill', 'status']) {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0);
      assert.match(
        run.stdout,
        /--workspace <dir> +the Rails app folder \(default: found from the\s+current\s+folder\)/,
      );
    }
  });
});
