/**
 * `upkeep check` as a user runs it: the built dist/cli.js spawned on a temporary workspace with a
 * JSONC .vscode/settings.json and a repo playbook; the table, JSON and JUnit outputs, the exit
 * codes, --untrusted, and --save.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The JSON of a run that bad usage stopped before any check. */
interface StoppedReport {
  workspace: string;
  selection: unknown;
  exitCode: number;
  problems?: { kind: string; message: string }[];
  results: unknown[];
}

function upkeep(
  args: string[],
  env: Record<string, string> = {},
  cwd = os.tmpdir(),
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('upkeep check (CLI)', function () {
  this.timeout(120_000);
  let folder: string;
  let workspace: string;
  let marker: string;
  let server: http.Server;

  before(async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);

    server = http.createServer((request, response) => {
      response.statusCode = request.url === '/health' ? 200 : 500;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-'));
    workspace = path.join(folder, 'app');
    marker = path.join(folder, 'marker');
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await fs.mkdir(path.join(workspace, '.upkeep'), { recursive: true });
    await fs.mkdir(path.join(workspace, 'storage/a'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, '.vscode/settings.json'),
      `{
  // JSON with comments, as VS Code writes it
  "editor.tabSize": 2,
  "upkeep.health.url": "http://127.0.0.1:${port}/health",
  "upkeep.thresholds.slowRequestMs": 5000, /* trailing comma next */
}
`,
    );
    await fs.writeFile(
      path.join(workspace, '.upkeep/playbook.yaml'),
      `version: 1
checks:
  - id: custom.marker
    title: Writes a marker
    kind: shell
    command: touch '${marker}' && echo done
    expect: { pattern: '^done$' }
  - id: custom.brokenHealth
    title: A page that errs
    kind: http
    url: http://127.0.0.1:${port}/broken
    expect: { status: 200 }
  - id: custom.weird
    title: Warns with hostile text
    kind: shell
    command: printf '<b>&amp;"\\033[31m</b>'
    expect: { exitCode: 3 }
`,
    );
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('prints a table and exits 0 when nothing fails', async () => {
    const run = await upkeep([
      'check',
      '--check',
      'health.url',
      '--check',
      'host.storageFolders',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[0], /^CHECK\s+OUTCOME\s+SUMMARY\s+DURATION$/);
    assert.match(
      lines[1],
      /^health\.url\s+PASS\s+http:\/\/127\.0\.0\.1:\d+\/health answered 200 in \d+ ms\s+\d+ ms$/,
    );
    assert.match(lines[2], /^host\.storageFolders\s+PASS\s+1 folder in storage\/\s+\d+ ms$/);
    assert.ok(run.stdout.includes('2 checks: 2 pass, 0 warn, 0 fail, 0 error, 0 skipped'));
  });

  it('writes stable JSON and exits 1 when a check fails', async () => {
    const run = await upkeep([
      'check',
      '--check',
      'custom.brokenHealth',
      '--check',
      'health.url',
      '--format',
      'json',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.exitCode, 1);
    assert.equal(report.trusted, true);
    assert.deepEqual(report.selection, { check: 'custom.brokenHealth,health.url' });
    assert.deepEqual(report.counts, { pass: 1, warn: 0, fail: 1, error: 0, skipped: 0 });
    assert.deepEqual(
      report.results.map((r: { checkId: string; outcome: string }) => [r.checkId, r.outcome]),
      [
        ['custom.brokenHealth', 'fail'],
        ['health.url', 'pass'],
      ],
    );
    assert.equal(report.results[0].summary, 'status 500, expected 200');
  });

  it('writes JUnit XML with hostile output escaped', async () => {
    const run = await upkeep([
      'check',
      '--check',
      'custom.weird',
      '--format',
      'junit',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.source +
          /<testsuites name="upkeep app" tests="1" failures="1"/.source,
      ),
    );
    assert.ok(
      run.stdout.includes(
        'exit code 0, expected 3 — output: &lt;b&gt;&amp;amp;&quot;[31m&lt;/b&gt;',
      ),
      run.stdout,
    );
    assert.ok(!run.stdout.includes('\u001b'), 'no escape character in the XML');
  });

  it('runs the repo playbook command only when trusted', async () => {
    await fs.rm(marker, { force: true });
    const untrusted = await upkeep([
      'check',
      '--check',
      'custom.marker',
      '--untrusted',
      '--format',
      'json',
      '--workspace',
      workspace,
    ]);
    assert.equal(untrusted.code, 0);
    const report = JSON.parse(untrusted.stdout);
    assert.equal(report.trusted, false);
    assert.deepEqual(
      [report.results[0].outcome, report.results[0].summary],
      ['skipped', 'waits for workspace trust'],
    );
    await assert.rejects(fs.stat(marker), 'the untrusted run created nothing');

    const trusted = await upkeep(['check', '--check', 'custom.marker', '--workspace', workspace]);
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    await fs.stat(marker);
  });

  it('ignores the repo settings that aim Upkeep at a URL when untrusted', async () => {
    const run = await upkeep([
      'check',
      '--check',
      'health.url',
      '--untrusted',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /health\.url\s+SKIPPED\s+no health URL configured/);
  });

  it('exits 1 on a warning only with --fail-on warn', async () => {
    await fs.writeFile(path.join(workspace, 'README.md'), '# App\n\n[gone](docs/missing.md)\n');
    const lenient = await upkeep([
      'check',
      '--check',
      'docs.brokenLinks',
      '--workspace',
      workspace,
    ]);
    assert.equal(lenient.code, 0);
    assert.match(
      lenient.stdout,
      new RegExp(
        /README\.md:3:8\s+warning\s+broken link: docs\/missing\.md does not exist\s+/.source +
          /\[docs\.brokenLinks\]/.source,
      ),
    );
    const strict = await upkeep([
      'check',
      '--check',
      'docs.brokenLinks',
      '--fail-on',
      'warn',
      '--workspace',
      workspace,
    ]);
    assert.equal(strict.code, 1);
  });

  it('exits 2 on usage and configuration errors, with a message', async () => {
    const unknownCheck = await upkeep([
      'check',
      '--check',
      'nope.nothing',
      '--workspace',
      workspace,
    ]);
    assert.equal(unknownCheck.code, 2);
    assert.match(unknownCheck.stderr, /unknown check "nope\.nothing"/);
    assert.doesNotMatch(unknownCheck.stderr, /Did you mean/);
    // A typo of a name the playbook has: said first, before the whole list.
    const typos = [
      ['--check', 'db.vacum', /^Did you mean "db\.vacuum"\? Known checks: /m],
      ['--task', 'daily.helth', /^Did you mean "daily\.health"\? Known tasks: /m],
      [
        '--tier',
        'dayly',
        /^upkeep check: unknown tier "dayly"; choose from .*Did you mean "daily"\?$/m,
      ],
    ] as const;
    for (const [flag, value, said] of typos) {
      const typo = await upkeep(['check', flag, value, '--workspace', workspace]);
      assert.equal(typo.code, 2, typo.stderr);
      assert.match(typo.stderr, said);
    }

    assert.equal((await upkeep(['check', '--format', 'xml', '--workspace', workspace])).code, 2);
    assert.equal((await upkeep(['check', '--tier', 'hourly', '--workspace', workspace])).code, 2);
    assert.equal((await upkeep(['check', '--timeout', 'soon', '--workspace', workspace])).code, 2);
    assert.equal((await upkeep(['check', '--workspace', path.join(folder, 'missing')])).code, 2);

    const broken = path.join(folder, 'broken');
    await fs.mkdir(path.join(broken, '.vscode'), { recursive: true });
    await fs.writeFile(
      path.join(broken, '.vscode/settings.json'),
      '{\n  "upkeep.health.url": "x"\n  "upkeep.checks.parallelism": 2\n}\n',
    );
    const badSettings = await upkeep(['check', '--workspace', broken]);
    assert.equal(badSettings.code, 2);
    assert.match(
      badSettings.stderr,
      /\.vscode\/settings\.json line 3, column 3: a comma is missing between two entries\./,
    );
  });

  it("weighs the playbook's error-rate goal against the workspace's alert threshold", async () => {
    const app = path.join(folder, 'thresholds');
    await fs.mkdir(path.join(app, '.vscode'), { recursive: true });
    await fs.mkdir(path.join(app, '.upkeep'), { recursive: true });
    await fs.writeFile(path.join(app, 'Gemfile'), "source 'https://rubygems.org'\n");
    await fs.writeFile(
      path.join(app, '.upkeep/playbook.yaml'),
      'version: 1\nthresholds:\n  errorRatePercent: 2\n',
    );
    const warning = /errorRatePercent \(2 %\) is above errorRateAlertPercent/;
    const run = (): Promise<CliRun> =>
      upkeep(['check', '--check', 'logs.errorRate', '--workspace', app]);

    // The workspace raised the alert to 5 %: a goal of 2 % is below it, nothing to say.
    await fs.writeFile(
      path.join(app, '.vscode/settings.json'),
      '{ "upkeep.thresholds.errorRateAlertPercent": 5 }\n',
    );
    const raised = await run();
    assert.equal(raised.code, 0, raised.stderr);
    assert.doesNotMatch(raised.stderr, warning);

    // With the guidelines' 1 % alert the goal is never reached, and the CLI says so.
    await fs.writeFile(path.join(app, '.vscode/settings.json'), '{}\n');
    const unraised = await run();
    assert.equal(unraised.code, 0, unraised.stderr);
    assert.match(unraised.stderr, warning);
  });

  it('says a missing --workspace does not exist, and a file is not a folder', async () => {
    const missing = path.join(folder, 'no-such-app');
    const file = path.join(folder, 'a-file');
    await fs.writeFile(file, '');
    for (const command of ['check', 'drill', 'db']) {
      const gone = await upkeep([command, '--workspace', missing]);
      assert.equal(gone.code, 2, `${command}: ${gone.stderr}`);
      assert.equal(gone.stdout, '', command);
      assert.ok(
        gone.stderr.startsWith(
          `upkeep ${command}: The workspace folder ${missing} does not exist.\n` +
            `Pass the Rails app folder with --workspace, ` +
            `or run upkeep ${command} inside it.\n`,
        ),
        gone.stderr,
      );
      const notFolder = await upkeep([command, '--workspace', file]);
      assert.equal(notFolder.code, 2, command);
      assert.match(
        notFolder.stderr,
        new RegExp(`^upkeep ${command}: The workspace .* is not a folder`),
      );
    }
  });

  it('exits 2 when the playbook has an error, after running what it could', async () => {
    const app = path.join(folder, 'typo-app');
    await fs.mkdir(path.join(app, '.upkeep'), { recursive: true });
    await fs.mkdir(path.join(app, 'storage/a'), { recursive: true });
    // A misspelt task id reads as a new task without tier or title: it is left out.
    await fs.writeFile(
      path.join(app, '.upkeep/playbook.yaml'),
      'version: 1\n' +
        'checks:\n' +
        '  - id: custom.fails\n' +
        '    title: Fails\n' +
        '    kind: shell\n' +
        '    command: exit 3\n' +
        '    expect: {}\n' +
        'tasks:\n' +
        '  - id: weekly.codeQualty\n' +
        '    owner: Ann\n',
    );
    const run = await upkeep(['check', '--check', 'host.storageFolders', '--workspace', app]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /host\.storageFolders\s+PASS/);
    assert.match(run.stderr, /^error: \.upkeep\/playbook\.yaml:9:\d+: .*/m);
    assert.doesNotMatch(run.stderr, /warn: [^\n]*error:/);
    assert.match(
      run.stderr,
      new RegExp(
        'upkeep check: \\.upkeep/playbook\\.yaml has 1 error \\(above\\): what it names ' +
          'was left out of the run, exit code 2\\.\n$',
      ),
    );

    // A failing check keeps exit 1: the failure is the news; the playbook's error still shows.
    const failing = await upkeep(['check', '--check', 'custom.fails', '--workspace', app]);
    assert.equal(failing.code, 1, failing.stdout + failing.stderr);
    assert.match(
      failing.stderr,
      /has 1 error \(above\): what it names was left out of the run\.\n$/,
    );
  });

  it('says in the JUnit XML and the JSON why a run of passing checks exits 2', async () => {
    // A CI job failed with exit 2 while its test report read all green: the reason was only in
    // the job's log.
    const app = path.join(folder, 'typo-report-app');
    await fs.mkdir(path.join(app, '.upkeep'), { recursive: true });
    await fs.mkdir(path.join(app, 'storage/a'), { recursive: true });
    await fs.writeFile(
      path.join(app, '.upkeep/playbook.yaml'),
      'version: 1\ntasks:\n  - id: weekly.codeQualty\n    owner: Ann\n',
    );
    const args = ['check', '--check', 'host.storageFolders', '--workspace', app];
    const junit = await upkeep([...args, '--format', 'junit']);
    assert.equal(junit.code, 2, junit.stderr);
    assert.match(
      junit.stdout,
      /<testsuites name="upkeep typo-report-app" tests="2" failures="0" errors="1" skipped="0"/,
    );
    assert.match(
      junit.stdout,
      new RegExp(
        '<testcase classname="upkeep" name="playbook" time="0.000">\n' +
          '      <error message=".upkeep/playbook.yaml has 1 error: what it names was left out ' +
          'of the run" type="playbook">.upkeep/playbook.yaml:3:\\d+: [^<]+</error>\n' +
          '    </testcase>',
      ),
    );

    const json = await upkeep([...args, '--format', 'json']);
    assert.equal(json.code, 2, json.stderr);
    const report = JSON.parse(json.stdout) as {
      exitCode: number;
      problems?: { kind: string; message: string }[];
    };
    assert.equal(report.exitCode, 2);
    assert.equal(report.problems?.length, 1, json.stdout);
    assert.equal(report.problems[0].kind, 'playbook');
    assert.match(report.problems[0].message, /^\.upkeep\/playbook\.yaml:3:\d+: /);

    // The same for results that could not be kept, and no problems field in a clean run.
    const unsaved = await upkeep([
      ...['check', '--check', 'host.storageFolders', '--workspace', workspace],
      ...['--save', '/proc/upkeep-results.json', '--format', 'junit'],
    ]);
    assert.equal(unsaved.code, 2, unsaved.stderr);
    assert.match(unsaved.stdout, /errors="1"/);
    assert.match(
      unsaved.stdout,
      /<error message="the results were not saved in \/proc\/upkeep-results\.json \(E[A-Z]+/,
    );
    const clean = await upkeep([
      ...['check', '--check', 'host.storageFolders', '--workspace', workspace, '--format', 'json'],
    ]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal('problems' in (JSON.parse(clean.stdout) as object), false);
  });

  it('prints a JUnit or JSON report saying why bad usage stopped the run (exit 2)', async () => {
    // A CI job's JUnit upload found an empty file when a typo stopped the run before any check.
    const args = ['check', '--check', 'host.storageFolderz', '--workspace', workspace];
    const before = Date.now();
    const junit = await upkeep([...args, '--format', 'junit']);
    assert.equal(junit.code, 2, junit.stderr);
    assert.match(junit.stderr, /^upkeep check: unknown check "host\.storageFolderz"$/m);
    // Dated when it ran, as CI lists reports by date, not 1970-01-01.
    // In UTC with no zone written, to the second, as the JUnit schema wants it.
    const stamp = / timestamp="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"/.exec(junit.stdout)?.[1];
    const dated = Date.parse(`${stamp ?? ''}Z`);
    assert.ok(dated >= before - 1000 && dated <= Date.now(), junit.stdout);
    assert.match(
      junit.stdout,
      new RegExp(
        '^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\n' +
          '<testsuites name="upkeep app" tests="1" failures="0" errors="1" skipped="0"',
      ),
    );
    assert.match(
      junit.stdout,
      new RegExp(
        '<testcase classname="upkeep" name="run" time="0\\.000">\n {6}' +
          '<error message="[^"]*host\\.storageFolderz[^"]*" type="stopped">',
      ),
    );

    const json = await upkeep([...args, '--format', 'json']);
    assert.equal(json.code, 2, json.stderr);
    const report = JSON.parse(json.stdout) as StoppedReport;
    assert.equal(report.workspace, workspace);
    assert.deepEqual(report.selection, { check: 'host.storageFolderz' });
    assert.equal(report.exitCode, 2);
    assert.deepEqual(report.results, []);
    assert.equal(report.problems?.[0].kind, 'stopped', json.stdout);
    assert.match(report.problems[0].message, /host\.storageFolderz/);

    // The text table stays empty: the reason is on stderr alone.
    const text = await upkeep(args);
    assert.equal(text.code, 2);
    assert.equal(text.stdout, '');
  });

  it('prints the JUnit or JSON report too when a flag is mistyped (exit 2)', async () => {
    // commander refused these before the command ran: the CI job's upkeep.xml was empty.
    const junit = await upkeep(
      ['check', '--workspace', workspace, '--format', 'junit', '--fail-on', 'warning'],
      {},
      workspace,
    );
    assert.equal(junit.code, 2, junit.stderr);
    assert.match(junit.stderr, /^error: option '--fail-on <outcome>' argument 'warning'/m);
    assert.match(junit.stdout, /^<testsuites name="upkeep app" tests="1" failures="0" errors="1"/m);
    assert.match(
      junit.stdout,
      new RegExp(
        '<testcase classname="upkeep" name="run" time="0\\.000">\n {6}<error message="option ' +
          '&apos;--fail-on &lt;outcome&gt;&apos; argument &apos;warning&apos; is invalid\\. ' +
          'Allowed choices are warn, fail\\. \\(upkeep check --help [^"]*" type="stopped">',
      ),
    );

    // The format given after the unknown flag, which commander never reached, counts as well.
    const json = await upkeep(
      ['check', '--tier', 'daily', '--bogus', '--format=json'],
      {},
      workspace,
    );
    assert.equal(json.code, 2, json.stderr);
    const report = JSON.parse(json.stdout) as StoppedReport;
    assert.equal(report.workspace, workspace);
    assert.deepEqual(report.selection, { tier: 'daily' });
    assert.equal(report.exitCode, 2);
    assert.deepEqual(report.results, []);
    assert.deepEqual(report.problems, [
      {
        kind: 'stopped',
        message: "unknown option '--bogus' (upkeep check --help lists its flags and values)",
      },
    ]);

    // Help, the text format and the check list print no report.
    const help = await upkeep(['check', '--format', 'json', '--help'], {}, workspace);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: upkeep check/);
    for (const args of [['--bogus'], ['--list', '--format', 'json', '--bogus']]) {
      const run = await upkeep(['check', ...args], {}, workspace);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '', args.join(' '));
    }
  });

  it('times out a slow check with --timeout', async () => {
    await fs.writeFile(
      path.join(workspace, '.upkeep/playbook.yaml'),
      'version: 1\n' +
        'checks:\n' +
        '  - id: custom.sleepy\n' +
        '    title: Sleeps\n' +
        '    kind: shell\n' +
        '    command: sleep 30\n' +
        '    expect: {}\n',
    );
    const started = Date.now();
    const run = await upkeep([
      'check',
      '--check',
      'custom.sleepy',
      '--timeout',
      '1',
      '--workspace',
      workspace,
    ]);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /custom\.sleepy\s+ERROR\s+timed out after 1 s/);
  });

  it('keeps results in the repo only with --save', async () => {
    const saved = path.join(workspace, '.upkeep/results.json');
    await upkeep(['check', '--check', 'host.storageFolders', '--workspace', workspace]);
    await assert.rejects(fs.stat(saved));
    const run = await upkeep([
      'check',
      '--check',
      'host.storageFolders',
      '--save',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 0);
    const stored = JSON.parse(await fs.readFile(saved, 'utf8'));
    assert.equal(stored.version, 1);
    assert.equal(stored.results['host.storageFolders'][0].outcome, 'pass');
  });

  it('still prints the report when --save cannot write, and says why', async () => {
    // A read-only checkout lost the whole run to "EACCES: permission denied, open ....lock".
    // Nobody, root included, creates files in /proc.
    const run = await upkeep([
      'check',
      '--check',
      'host.storageFolders',
      '--save',
      '/proc/upkeep-results.json',
      '--workspace',
      workspace,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /host\.storageFolders\s+PASS/);
    assert.match(
      run.stderr,
      /^upkeep check: the results were not saved in \/proc\/upkeep-results\.json \(E[A-Z]+/m,
    );
  });

  it('says so when the selection has no check to run', async () => {
    const run = await upkeep(['check', '--task', 'monthly.caching', '--workspace', workspace]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes('0 checks: 0 pass'));
    assert.match(run.stderr, /^warn: No check to run: the selected tasks have only manual/m);
  });

  it("warns when the workspace does not look like a Rails app's folder", async () => {
    const elsewhere = path.join(folder, 'not-an-app');
    await fs.mkdir(elsewhere, { recursive: true });
    const run = await upkeep(['check', '--check', 'host.storageFolders', '--workspace', elsewhere]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /has no Gemfile and no config\/database\.yml: is it the Rails app/);

    // A monorepo opened at its root: the warning names the app below.
    await fs.mkdir(path.join(elsewhere, 'apps/web/config'), { recursive: true });
    await fs.writeFile(path.join(elsewhere, 'apps/web/config/database.yml'), 'development: {}\n');
    const mono = await upkeep([
      'check',
      '--check',
      'host.storageFolders',
      '--workspace',
      elsewhere,
    ]);
    assert.match(
      mono.stderr,
      /apps\/web has a config\/database\.yml: run upkeep check --workspace .*apps\/web/,
    );

    await fs.writeFile(path.join(elsewhere, 'Gemfile'), "source 'https://rubygems.org'\n");
    const app = await upkeep(['check', '--check', 'host.storageFolders', '--workspace', elsewhere]);
    assert.doesNotMatch(app.stderr, /Gemfile/);
  });

  it("runs in the app's folder when started in one of its subfolders", async () => {
    // Every check skipped and the run exited 0 when started in app/models, say.
    const run = await upkeep(
      ['check', '--check', 'health.url'],
      {},
      path.join(workspace, 'storage/a'),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^health\.url +PASS /m);
    const json = await upkeep(
      ['check', '--check', 'health.url', '--format', 'json'],
      {},
      path.join(workspace, 'storage'),
    );
    assert.equal(JSON.parse(json.stdout).workspace, workspace);

    // Not past the repository: a folder of a git repository without an app stays itself.
    const repo = path.join(workspace, 'vendor/engine');
    await fs.mkdir(path.join(repo, '.git'), { recursive: true });
    const inRepo = await upkeep(['check', '--check', 'health.url', '--format', 'json'], {}, repo);
    assert.equal(JSON.parse(inRepo.stdout).workspace, repo);
  });

  it('runs the daily tier by default', async () => {
    const run = await upkeep(['check', '--format', 'json', '--workspace', workspace]);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.selection, { tier: 'daily' });
    const ids = report.results.map((r: { checkId: string }) => r.checkId);
    assert.ok(
      ids.includes('health.url') &&
        ids.includes('logs.errorsLastHour') &&
        ids.includes('health.database'),
      ids.join(', '),
    );
    assert.ok(!ids.includes('backups.recoveryDrill'));
  });
});
