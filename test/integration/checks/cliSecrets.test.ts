/**
 * The database password never reaches `upkeep check`'s table, JSON, JUnit or --verbose log, even
 * when a command the playbook runs prints it: a connection URL from DATABASE_URL or .env, the bare
 * password from PGPASSWORD or config/database.yml. A cron mail or a CI artifact keeps it.
 */
import * as assert from 'node:assert/strict';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { runCli } from '../../support/cli';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { tempFolderWith } from '../../support/tempFolders';

/**
 * A custom check that prints what it is given, as a failing tool's error output might: the
 * first line becomes the summary, the whole output on stderr the details.
 */
function playbook(command: string): string {
  return `checks:
  - id: custom.says
    title: Prints its connection
    kind: shell
    command: ${JSON.stringify(`said=$(${command}); echo "$said"; echo "$said" >&2; exit 1`)}
`;
}

function workspaceWith(files: Record<string, string>): Promise<string> {
  return tempFolderWith('upkeep-secrets-', files);
}

/** Runs the checks in every format, logging the tools' output; returns all the command wrote. */
async function everyFormat(workspace: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const outputs: string[] = [];
  for (const format of ['text', 'json', 'junit']) {
    const run = await runCli(
      [
        'check',
        '--workspace',
        workspace,
        '--check',
        'health.database',
        '--check',
        'custom.says',
      ].concat(['--format', format, '--verbose']),
      { HOME: workspace, ...env },
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /custom\.says/);
    outputs.push(run.stdout, run.stderr);
  }
  return outputs;
}

function assertHidden(outputs: string[], secret: string): void {
  for (const output of outputs) {
    assert.ok(!output.includes(secret), `the password is in:\n${output}`);
  }
}

describe('upkeep check keeps the database password out of its reports', function () {
  this.timeout(120_000);
  let server: RunningPostgres;
  let url: string;

  before(async () => {
    server = await embeddedServer();
    url = await createDatabase(server, 'cli_secrets');
  });

  it('hides a password from DATABASE_URL and PGPASSWORD that a shell check prints', async () => {
    const workspace = await workspaceWith({
      Gemfile: "source 'https://rubygems.org'\n",
      // The URL whole, then only its password, then PGPASSWORD alone.
      '.upkeep/playbook.yaml': playbook(
        'echo "url=$DATABASE_URL"; echo "$DATABASE_URL" | sed "s/.*:\\(.*\\)@.*/\\1/"; ' +
          'echo "pg $PGPASSWORD"',
      ),
    });
    const bare = new URL(url);
    bare.password = '';
    const outputs = await everyFormat(workspace, {
      DATABASE_URL: url,
      PGPASSWORD: 'pg-env-secret-4711',
    });
    assertHidden(outputs, server.password);
    assertHidden(outputs, 'pg-env-secret-4711');
  });

  it('hides a password from .env or config/database.yml that a shell check prints', async () => {
    const parsed = new URL(url);
    const yml = await workspaceWith({
      'config/database.yml':
        `development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: ${parsed.port}\n` +
        `  username: postgres\n  password: ${server.password}\n` +
        `  database: ${parsed.pathname.slice(1)}\n`,
      '.upkeep/playbook.yaml': playbook('grep password config/database.yml | cut -d: -f2'),
    });
    assertHidden(await everyFormat(yml, {}), server.password);

    const dotEnv = await workspaceWith({
      Gemfile: "source 'https://rubygems.org'\n",
      '.env': `DATABASE_URL=${url}\n`,
      '.upkeep/playbook.yaml': playbook('cat .env; cut -d: -f3 .env | cut -d@ -f1'),
    });
    assertHidden(await everyFormat(dotEnv, {}), server.password);
  });

  it('hides a short password where it stands as a password, not inside words', async () => {
    // "at" is in "health.database": hiding it everywhere would garble the report, but a tool
    // that prints it in a URL without a scheme, alone on a line, quoted or after "password"
    // gives it away.
    await admin(url, "CREATE ROLE shorty LOGIN PASSWORD 'at'");
    const shorty = new URL(url);
    shorty.username = 'shorty';
    shorty.password = 'at';
    const workspace = await workspaceWith({
      Gemfile: "source 'https://rubygems.org'\n",
      '.upkeep/playbook.yaml': playbook(
        'pw=$(echo "$DATABASE_URL" | sed "s/.*:\\(.*\\)@.*/\\1/"); ' +
          'echo "$DATABASE_URL" | sed "s,^[a-z]*://,,"; echo "$pw"; ' +
          `echo "ALTER ROLE shorty PASSWORD '$pw'"; echo "password $pw"`,
      ),
    });
    const outputs = await everyFormat(workspace, { DATABASE_URL: shorty.toString() });

    const givenAway = [
      /shorty:at@/,
      /['"]at['"]|&apos;at&apos;|&quot;at&quot;|\\"at\\"/,
      /password at\b/i,
      /(?:^|\n|\\n)[ \t]*at[ \t]*(?=$|\n|\\n)/,
    ];
    for (const output of outputs) {
      for (const pattern of givenAway) {
        assert.doesNotMatch(output, pattern, `the password is in:\n${output}`);
      }
    }
    const reports = outputs.filter((_output, index) => index % 2 === 0);
    for (const report of reports) assert.match(report, /health\.database/);
    assert.match(reports[0], /shorty:\*\*\*@127\.0\.0\.1/);
  });

  it('hides the password an exception in the log quotes, in the log checks', async () => {
    // A driver's error logged by the app, as PG::ConnectionBad or a debug print writes it: the
    // log checks quote exception messages in their findings and details.
    const stamp = new Date().toISOString().replace('T', ' ').slice(0, 19);
    const secret = server.password;
    const workspace = await workspaceWith({
      Gemfile: "source 'https://rubygems.org'\n",
      'log/production.log':
        `Started GET "/orders/7" for 10.0.0.2 at ${stamp} +0000\n` +
        'Processing by OrdersController#show as HTML\n' +
        'Completed 500 Internal Server Error in 15ms\n\n' +
        `PG::ConnectionBad (password ${secret} rejected, ` +
        `form ${new URLSearchParams({ p: secret }).toString()}):\n` +
        "  app/controllers/orders_controller.rb:9:in `show'\n\n",
    });
    for (const format of ['text', 'json', 'junit']) {
      const run = await runCli(
        ['check', '--workspace', workspace, '--check', 'logs.errorsLastHour'].concat([
          '--check',
          'logs.errorRate',
          '--format',
          format,
          '--verbose',
        ]),
        { HOME: workspace, DATABASE_URL: url },
      );
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /PG::ConnectionBad: password \*\*\* rejected, form p=\*\*\*/);
      assertHidden([run.stdout, run.stderr], secret);
    }
  });

  it("leaves Upkeep's own texts whole when the password is also the user's name", async () => {
    // A development database often has user and password "postgres": hiding the password word
    // for word in health.database's own text would show "***@host" and give it away.
    await admin(url, "CREATE ROLE keeper LOGIN PASSWORD 'keeper'");
    const keeper = new URL(url);
    keeper.username = 'keeper';
    keeper.password = 'keeper';
    const workspace = await workspaceWith({ Gemfile: "source 'https://rubygems.org'\n" });
    const run = await runCli(
      ['check', '--workspace', workspace, '--check', 'health.database', '--format', 'json'],
      { HOME: workspace, DATABASE_URL: keeper.toString() },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { results: { details?: string }[] };
    assert.match(report.results[0].details ?? '', /^Connected to keeper@127\.0\.0\.1:/);
  });
});

describe('upkeep check --verbose hides a password and keeps the text around it', function () {
  this.timeout(120_000);

  /** The custom check alone, as text and JSON with --verbose: stdout and stderr of each. */
  async function outputsOf(command: string, env: NodeJS.ProcessEnv): Promise<string[]> {
    const workspace = await workspaceWith({
      Gemfile: "source 'https://rubygems.org'\n",
      '.upkeep/playbook.yaml': playbook(command),
    });
    const outputs: string[] = [];
    for (const format of ['text', 'json']) {
      const args = ['check', '--workspace', workspace, '--check', 'custom.says'];
      const run = await runCli([...args, '--format', format, '--verbose'], {
        HOME: workspace,
        ...env,
      });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      outputs.push(run.stdout, run.stderr);
    }
    return outputs;
  }

  it('keeps the quotes of a conninfo and of SQL around a hidden password', async () => {
    // Quoted as libpq and SQL quote them: the password's own quote escaped, then doubled.
    const [, textLog, json, jsonLog] = await outputsOf(
      `printf '%s\\n' "psql \\"host=db password='it\\'s' dbname=x\\" failed" ` +
        `"ALTER ROLE app PASSWORD 'q''s' VALID UNTIL 'infinity'"`,
      {},
    );
    for (const log of [textLog, jsonLog]) {
      assert.match(log, /psql "host=db password='\*\*\*' dbname=x" failed/);
      assert.match(log, /ALTER ROLE app PASSWORD '\*\*\*' VALID UNTIL 'infinity'/);
      assert.doesNotMatch(log, /'s'|it\\'s|q''s/);
    }
    const report = JSON.parse(json) as { results: { summary: string }[] };
    const summary = report.results[0].summary;
    assert.ok(summary.endsWith(`output: psql "host=db password='***' dbname=x" failed`), summary);
  });

  it('hides a two-letter PGPASSWORD where it is a value, not inside words', async () => {
    const outputs = await outputsOf(
      'echo "DB_PASS=$PGPASSWORD PGHOST=db"; echo "db:5432:*:app:$PGPASSWORD"; ' +
        'echo "a pg_dump of app_pg, a day old"',
      { PGPASSWORD: 'pg' },
    );
    for (const output of outputs) {
      assert.doesNotMatch(output, /=pg\b|:pg\b/, output);
    }
    const log = outputs[1];
    assert.match(log, /DB_PASS=\*\*\* PGHOST=db/);
    assert.match(log, /db:5432:\*:app:\*\*\*/);
    assert.match(log, /a pg_dump of app_pg, a day old/);
  });
});
