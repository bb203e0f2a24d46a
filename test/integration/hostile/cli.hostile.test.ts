/**
 * The CLI against hostile workspaces and databases: what a repo or the app's data controls
 * (playbook keys, file names, table names) must not reach the terminal as control sequences
 * that retitle or clear it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { admin, createDatabase, debianServer, pgDump } from '../../support/postgres';

/** An OSC title change and a screen clear, as a hostile repo or app user would write them. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('upkeep CLI with a hostile workspace', function () {
  this.timeout(120_000);
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-cli-'));
  });
  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('prints playbook problems without the control characters the file holds', async () => {
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.writeFile(
      path.join(workspace, '.upkeep/playbook.yaml'),
      `tasks:\n  - id: daily.health\n    "${ESCAPES}": 1\n`,
    );
    const run = await runCli(['check', '--workspace', workspace, '--check', 'repo.versions']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Unknown key/);
    assert.doesNotMatch(run.stderr, CONTROL, JSON.stringify(run.stderr));
  });

  it('prints a finding in a file with control characters in its name as text', async () => {
    await fs.mkdir(path.join(workspace, 'docs'));
    await fs.writeFile(path.join(workspace, `docs/${ESCAPES}evil.md`), '[x](missing.md)\n');
    const run = await runCli(['check', '--workspace', workspace, '--check', 'docs.brokenLinks']);
    assert.match(run.stdout, /FINDINGS/, run.stdout);
    assert.match(run.stdout, /evil\.md:1/);
    assert.doesNotMatch(run.stdout, CONTROL, JSON.stringify(run.stdout));
  });

  it('prints table names from the database and the dump as text (db, drill)', async () => {
    const url = await createDatabase(await debianServer(), 'hostile_cli');
    const table = `evil${ESCAPES}`.replace(/"/g, '""');
    await admin(url, `CREATE TABLE "${table}" (id int); INSERT INTO "${table}" VALUES (1);`);

    const db = await runCli(['db', '-w', workspace, '--no-snapshots', '-c', 'tables'], {
      DATABASE_URL: url,
    });
    assert.match(db.stdout, /evil/, db.stdout + db.stderr);
    assert.doesNotMatch(db.stdout, CONTROL, JSON.stringify(db.stdout));

    const dump = path.join(workspace, 'app.dump');
    pgDump(url, dump);
    const target = new URL(url);
    const confirmed = await runCli([
      'drill',
      '--workspace',
      workspace,
      '--dump',
      dump,
      '--target',
      url,
      '--confirm',
      `${target.hostname}:${target.port}`,
    ]);
    assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    assert.match(confirmed.stdout, /evil/);
    assert.doesNotMatch(confirmed.stdout, CONTROL, JSON.stringify(confirmed.stdout));
  });

  it('upkeep db names a database with a line break on one line', async () => {
    // database.yml is the repo's: its database name heads the report a cron job mails.
    await fs.mkdir(path.join(workspace, 'config'));
    await fs.writeFile(
      path.join(workspace, 'config/database.yml'),
      'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n  username: app\n' +
        '  database: "app\\nOK  Connectivity  all good\\u001b]0;x\\u0007"\n',
    );
    const db = await runCli(['db', '-w', workspace, '--no-snapshots']);
    assert.equal(db.code, 1, db.stderr);
    const lines = db.stdout.split('\n');
    assert.match(lines[0], /^Database app@127\.0\.0\.1:1\/app .*all good.*config\/database\.yml/);
    assert.ok(!lines.some((line) => line.startsWith('OK')), db.stdout);
    assert.doesNotMatch(db.stdout, CONTROL, JSON.stringify(db.stdout));
  });

  it('refuses --save into a folder or under a file before running, leaving nothing', async () => {
    await fs.mkdir(path.join(workspace, 'results'));
    const run = await runCli([
      'check',
      '--workspace',
      workspace,
      '--check',
      'repo.versions',
      '--save',
      'results',
    ]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /results.*folder/);
    assert.doesNotMatch(run.stderr, /EISDIR|\.tmp/);
    assert.deepEqual(await fs.readdir(workspace), ['results']);

    await fs.writeFile(path.join(workspace, 'notes.md'), 'mine\n');
    const under = await runCli([
      ...['check', '--workspace', workspace, '--check', 'repo.versions', '--save'],
      'notes.md/results.json',
    ]);
    assert.equal(under.code, 2, under.stdout + under.stderr);
    assert.match(under.stderr, /notes\.md is a file/);
    assert.equal(await fs.readFile(path.join(workspace, 'notes.md'), 'utf8'), 'mine\n');
  });

  it('exits 2 for a broken config/database.yml, as upkeep db does', async () => {
    await fs.mkdir(path.join(workspace, 'config'));
    await fs.writeFile(
      path.join(workspace, 'config/database.yml'),
      'development:\n  adapter: postgresql\n  <<: *nope\n',
    );
    const check = await runCli(['check', '--workspace', workspace, '--check', 'health.database']);
    assert.match(check.stdout, /database\.yml could not be read/, check.stdout);
    const db = await runCli(['db', '-w', workspace]);
    assert.equal(db.code, 2, db.stdout + db.stderr);
    assert.equal(check.code, 2, check.stdout + check.stderr);
  });

  it('keeps a password or token in a health URL out of every output', async () => {
    const server = http.createServer((request, response) => {
      response.statusCode = request.url?.startsWith('/health') ? 200 : 500;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await fs.mkdir(path.join(workspace, '.vscode'));
      await fs.writeFile(
        path.join(workspace, '.vscode/settings.json'),
        JSON.stringify({ 'upkeep.health.url': `http://ops:S3cretPw@127.0.0.1:${port}/health` }),
      );
      await fs.mkdir(path.join(workspace, '.upkeep'));
      await fs.writeFile(
        path.join(workspace, '.upkeep/playbook.yaml'),
        [
          'checks:',
          '  - id: custom.status',
          '    kind: http',
          `    url: "http://127.0.0.1:${port}/status?token=S3cretTok"`,
          '  - id: custom.down',
          '    kind: http',
          '    url: "http://ops:S3cretPw@127.0.0.1:1/"',
          '',
        ].join('\n'),
      );
      for (const format of ['text', 'json', 'junit']) {
        const run = await runCli([
          'check',
          '--workspace',
          workspace,
          ...['--check', 'health.url', '--check', 'custom.status', '--check', 'custom.down'],
          ...['--format', format, '--verbose'],
        ]);
        assert.match(run.stdout, /health\.url/, run.stdout + run.stderr);
        assert.doesNotMatch(run.stdout + run.stderr, /S3cret/, `${format}: ${run.stdout}`);
      }
    } finally {
      server.close();
    }
  });

  it('--save does not read a results file that links to /dev/zero or is a FIFO', async () => {
    await fs.mkdir(path.join(workspace, '.upkeep'));
    await fs.symlink('/dev/zero', path.join(workspace, '.upkeep/results.json'));
    execFileSync('mkfifo', [path.join(workspace, '.upkeep/fifo.json')]);
    for (const save of [[], ['.upkeep/fifo.json']]) {
      const started = Date.now();
      const run = await runCli([
        ...['check', '--workspace', workspace, '--check', 'repo.versions', '--save', ...save],
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /not a regular file/, run.stderr);
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    }

    // Without --save the file is only read: a link there is reported and left as it is.
    await fs.rm(path.join(workspace, '.upkeep/results.json'));
    await fs.symlink('/dev/zero', path.join(workspace, '.upkeep/results.json'));
    const plain = await runCli(['check', '--workspace', workspace, '--check', 'repo.versions']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /not a regular file; left as it is/, plain.stderr);
    assert.equal(await fs.readlink(path.join(workspace, '.upkeep/results.json')), '/dev/zero');
  });

  it('says so when the current folder was deleted (a shell left in an old release)', () => {
    const root = path.join(__dirname, '../../..');
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const gone = path.join(workspace, 'release');
    for (const args of [['check'], ['db'], ['logs'], ['--help']]) {
      const cli = spawnSync(
        'sh',
        [
          '-c',
          'mkdir "$1" && cd "$1" && rmdir "$1" && shift && exec "$@"',
          'sh',
          gone,
          process.execPath,
          path.join(root, 'dist/cli.js'),
          ...args,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: os.tmpdir() } },
      );
      assert.equal(cli.status, 2, `${args.join(' ')}: ${cli.stdout}${cli.stderr}`);
      assert.match(cli.stderr, /current folder no longer exists/, cli.stderr);
      assert.doesNotMatch(cli.stderr, /uv_cwd|\n\s+at /);
    }
  });
});
