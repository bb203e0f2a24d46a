/**
 * A connection without a password against servers that ask for one (SCRAM), on both real
 * servers: a clear configuration error before any query, PGPASSWORD as libpq's fallback, and
 * `upkeep db` exiting 2 with hints for the command line.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { ResolveOptions, Surface } from '../../../src/core/db/connection';
import { resolveConnection } from '../../../src/core/db/connection';
import { isLoginRefused, openSession } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { UpkeepError } from '../../../src/core/util/errors';
import { silentLogger } from '../../../src/core/util/logger';
import { createDatabase, serversUnderTest } from './servers';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

async function open(
  url: string,
  env: NodeJS.ProcessEnv,
  surface: Surface,
  stored: { password?: string; passwordServer?: string } = {},
) {
  const settings = resolveSettings({ database: { url } });
  const connection = await resolveConnection({
    workspace: os.tmpdir(),
    settings,
    env,
    trusted: false,
    surface,
    ...stored,
  });
  const { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs } = settings.database;
  return openSession(connection, { statementTimeoutMs, lockTimeoutMs, connectTimeoutMs });
}

/** The error of a login that must be refused; a session that opens fails the test. */
async function refusedLogin(options: ResolveOptions): Promise<unknown> {
  const connection = await resolveConnection(options);
  return openSession(connection, options.settings.database).then(
    async (session) => {
      await session.close();
      assert.fail('connected with the wrong password');
    },
    (caught: unknown) => caught,
  );
}

for (const target of serversUnderTest) {
  describe(`database connection without a password on ${target.name}`, function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let database: string;
    let noPassword: string;

    before(async () => {
      assert.equal(process.env.PGPASSWORD, undefined, 'run these tests without PGPASSWORD set');
      server = await target.start();
      database = new URL(await createDatabase(server, 'nopass')).pathname.slice(1);
      // As "Configure Database Connection" stores it: no password in the URL.
      noPassword = `postgres://${server.user}@127.0.0.1:${server.port}/${database}`;
    });

    it(
      "says which password is missing and how to give one, instead of pg's " + 'SASL error',
      async () => {
        const error = await open(noPassword, {}, 'cli').then(
          () => assert.fail('connected without a password'),
          (caught: unknown) => caught,
        );
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.equal(
          error.message,
          `No password for user ${server.user} on 127.0.0.1:${server.port}/${database} (from ` +
            `upkeep.database.url setting): the server asks for one.`,
        );
        assert.doesNotMatch(error.message, /SASL/);
        assert.match(error.hint ?? '', /PGPASSWORD/);
        assert.doesNotMatch(error.hint ?? '', /Upkeep: Set Database Password/);
        // The setting comes before DATABASE_URL: a password put there is never read.
        assert.doesNotMatch(error.hint ?? '', /DATABASE_URL/);

        const inEditor = await open(noPassword, {}, 'editor').catch((caught: unknown) => caught);
        assert.ok(UpkeepError.is(inEditor, 'config'));
        assert.match(inEditor.hint ?? '', /Upkeep: Set Database Password/);
        assert.doesNotMatch(inEditor.hint ?? '', /DATABASE_URL/);
      },
    );

    it('offers DATABASE_URL for the password when the connection came from it', async () => {
      const error = await refusedLogin({
        workspace: os.tmpdir(),
        settings: resolveSettings({}),
        env: { DATABASE_URL: noPassword },
        trusted: false,
        surface: 'cli',
      });
      assert.ok(UpkeepError.is(error, 'config'), String(error));
      assert.equal(error.hint, 'Set PGPASSWORD, or put the password in DATABASE_URL.');
    });

    it('names only PGPASSWORD for a refused password when the setting gave the URL', async () => {
      // The setting comes before DATABASE_URL, and the password came from PGPASSWORD: "check
      // DATABASE_URL" sent the reader to a variable that was never read.
      const error = await open(noPassword, { PGPASSWORD: 'wrong-one' }, 'cli').then(
        () => assert.fail('connected with the wrong password'),
        (caught: unknown) => caught,
      );
      assert.ok(UpkeepError.is(error, 'auth'), String(error));
      assert.equal(error.hint, 'Check the user name and the password (PGPASSWORD).');
    });

    it("says the editor's stored password is another server's when it held it back", async () => {
      // A URL entered for another server keeps its password for that one: this server then got
      // none, and "the server asks for one" read as if no password had ever been set.
      const error = await open(noPassword, {}, 'editor', {
        password: server.password,
        passwordServer: 'deploy@127.0.0.1:9',
      }).then(
        () => assert.fail('sent a password kept for another server'),
        (caught: unknown) => caught,
      );
      assert.ok(UpkeepError.is(error, 'config'), String(error));
      assert.equal(
        error.message,
        `No password for user ${server.user} on 127.0.0.1:${server.port}/${database} (from ` +
          'upkeep.database.url setting): the server asks for one; the password in secret ' +
          'storage was set for deploy@127.0.0.1:9, and goes to that server only.',
      );
      assert.match(error.hint ?? '', /Upkeep: Set Database Password/);
    });

    it('takes the password from PGPASSWORD when none other is given', async () => {
      const session = await open(noPassword, { PGPASSWORD: server.password }, 'cli');
      try {
        const [row] = await session.query<{ one: number }>('test', 'SELECT 1 AS one');
        assert.equal(row.one, 1);
      } finally {
        await session.close();
      }
    });

    for (const read of ['ENV["UPKEEP_EMPTY_PASSWORD"]', "ENV.fetch('UPKEEP_EMPTY_PASSWORD')"]) {
      it(`names the variable of <%= ${read} %> when it is set but empty`, async () => {
        const workspace = await tempFolder('upkeep-emptypass-');
        await fs.mkdir(path.join(workspace, 'config'));
        await fs.writeFile(
          path.join(workspace, 'config/database.yml'),
          `development:\n  adapter: postgresql\n  host: 127.0.0.1\n` +
            `  port: ${server.port}\n  username: ${server.user}\n` +
            `  password: <%= ${read} %>\n  database: ${database}\n`,
        );
        const args = ['db', '--workspace', workspace, '--card', 'connectivity'];
        const cli = await runCli(args, { UPKEEP_EMPTY_PASSWORD: '' });
        assert.equal(cli.code, 2, cli.stdout + cli.stderr);
        assert.match(
          cli.stderr,
          /No password for user .* the server asks for one, and config\/database\.yml line 6 /,
        );
        assert.match(cli.stderr, /reads it from UPKEEP_EMPTY_PASSWORD, which is set but empty\./);
        assert.match(cli.stderr, /Set UPKEEP_EMPTY_PASSWORD or PGPASSWORD/);
      });
    }

    it(
      'upkeep db exits 2 for a database.yml password from an unset variable; ' +
        'health.database says why',
      async () => {
        const workspace = await tempFolder('upkeep-nopass-');
        await fs.mkdir(path.join(workspace, 'config'));
        await fs.writeFile(
          path.join(workspace, 'config/database.yml'),
          `development:\n  adapter: postgresql\n  host: 127.0.0.1\n` +
            `  port: ${server.port}\n  username: ${server.user}\n` +
            `  password: <%= ENV["UPKEEP_UNSET_PASSWORD"] %>\n` +
            `  database: ${database}\n`,
        );
        const cli = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {});
        assert.equal(cli.code, 2, cli.stdout + cli.stderr);
        assert.match(cli.stderr, /No password for user .* the server asks for one/);
        // The variable the app's own file reads comes first: Rails' generated database.yml.
        assert.match(
          cli.stderr,
          /config\/database\.yml line 6 reads it from UPKEEP_UNSET_PASSWORD, which is not set/,
        );
        assert.match(cli.stderr, /Set UPKEEP_UNSET_PASSWORD or PGPASSWORD/);
        assert.doesNotMatch(cli.stdout + cli.stderr, /SASL/);

        const withEnv = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {
          PGPASSWORD: server.password,
        });
        assert.equal(withEnv.code, 0, withEnv.stdout + withEnv.stderr);
        assert.match(withEnv.stdout, /^OK +Connectivity +PostgreSQL/m);

        const [health] = await runChecks(
          createDbChecks({ snapshotFile: path.join(workspace, 's.json') }).filter(
            (check) => check.id === 'health.database',
          ),
          {
            workspace,
            settings: resolveSettings(),
            clock: systemClock,
            log: silentLogger,
            trusted: true,
            env: {},
          },
          { onFinished: closeSharedDbSession },
        );
        assert.equal(health.outcome, 'fail');
        assert.match(health.summary, /^No password for user /);
        assert.match(health.details ?? '', /PGPASSWORD/);
        assert.equal(health.configProblem, true);
        // Said in a value too, so the editor's run notification can offer Set Password….
        assert.equal(health.values?.loginRefused, true);

        // `upkeep check` says the same and exits 2: the setup, not the database, is at fault.
        const check = await runCli(
          ['check', '--workspace', workspace, '--check', 'health.database'],
          {},
        );
        assert.equal(check.code, 2, check.stdout + check.stderr);
        assert.match(check.stdout, /FAIL +No password for user /);
        // Why 2 and not 1, for the cron mail: the setup is what to fix.
        assert.equal(
          check.stderr,
          'upkeep check: exit code 2: health.database could not run for a gap in the setup; ' +
            'its details say what to set.\n',
        );
      },
    );

    const refusedTitle =
      'names the variable database.yml reads a refused password from, not PGPASSWORD';
    it(refusedTitle, async () => {
      // Told to check PGPASSWORD, a maintainer set the right one: the file's variable still won.
      const workspace = await tempFolder('upkeep-wrongpass-');
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(
        path.join(workspace, 'config/database.yml'),
        `production:\n  adapter: postgresql\n  host: 127.0.0.1\n` +
          `  port: ${server.port}\n  username: ${server.user}\n  database: ${database}\n` +
          `  password: <%= ENV["SHOP_DATABASE_PASSWORD"] %>\n`,
      );
      const args = [
        'db',
        '--workspace',
        workspace,
        '--env',
        'production',
        '--card',
        'connectivity',
      ];
      const wrong = { SHOP_DATABASE_PASSWORD: 'not-it', PGPASSWORD: server.password };
      const cli = await runCli(args, wrong);
      // A refused login is a setting to fix, as a missing password is.
      assert.equal(cli.code, 2, cli.stdout + cli.stderr);
      assert.match(cli.stderr, /PostgreSQL refused the login for /);
      assert.match(
        cli.stderr,
        new RegExp(
          /config\/database\.yml line 7 reads the password from /.source +
            /SHOP_DATABASE_PASSWORD \(set in the environment\)/.source,
        ),
      );
      assert.match(cli.stderr, /: check that variable and the user name\.$/m);
      assert.doesNotMatch(cli.stderr, /PGPASSWORD|\*\*\*/);
      // Set in .env (dotenv-rails), it is to be fixed there.
      await fs.writeFile(path.join(workspace, '.env'), 'SHOP_DATABASE_PASSWORD=not-it\n');
      const fromDotenv = await runCli(args, { PGPASSWORD: server.password });
      assert.equal(fromDotenv.code, 2, fromDotenv.stdout + fromDotenv.stderr);
      assert.match(fromDotenv.stderr, /from SHOP_DATABASE_PASSWORD \(set in \.env\), and/);

      // The editor's stored password comes after the file's: Set Database Password cannot fix it.
      const settings = resolveSettings({ database: { railsEnvironment: 'production' } });
      const error = await refusedLogin({
        workspace,
        settings,
        env: { SHOP_DATABASE_PASSWORD: 'not-it' },
        trusted: true,
        surface: 'editor',
        password: server.password,
      });
      assert.ok(UpkeepError.is(error, 'auth'), String(error));
      assert.match(error.hint ?? '', /line 7 reads the password from SHOP_DATABASE_PASSWORD/);
      assert.doesNotMatch(error.hint ?? '', /Set Database Password/);
      // Nor does the editor offer Set Password… for it: a password set there is not used.
      assert.equal(isLoginRefused(error), false);
    });

    it('says to correct a refused password the file itself holds, not to set another', async () => {
      // The editor offered Set Password… and kept the one typed in secret storage, but the
      // file's own password comes first: the refusal came back unchanged.
      const workspace = await tempFolder('upkeep-filepass-');
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(
        path.join(workspace, 'config/database.yml'),
        `development:\n  adapter: postgresql\n  host: 127.0.0.1\n` +
          `  port: ${server.port}\n  username: ${server.user}\n  database: ${database}\n` +
          `  password: rotated-last-week\n`,
      );
      const settings = resolveSettings();
      const refused = (surface: Surface): Promise<unknown> =>
        refusedLogin({
          workspace,
          settings,
          env: {},
          trusted: true,
          surface,
          password: server.password,
        });
      const error = await refused('editor');
      assert.ok(UpkeepError.is(error, 'auth'), String(error));
      assert.equal(
        error.hint,
        'The password is in config/database.yml, development, and the server refused it: ' +
          'correct it there (a password set with "Upkeep: Set Database Password" counts only ' +
          'where the source has none), and check the user name.',
      );
      assert.equal(isLoginRefused(error), false);
      const cli = await refused('cli');
      assert.ok(UpkeepError.is(cli, 'auth'), String(cli));
      assert.equal(
        cli.hint,
        'The password is in config/database.yml, development, and the server refused it: ' +
          'correct it there, and check the user name.',
      );

      // The health check's result carries no loginRefused: the tree and the run offer no button.
      const [health] = await runChecks(
        createDbChecks({ snapshotFile: path.join(workspace, 's.json') }).filter(
          (check) => check.id === 'health.database',
        ),
        {
          workspace,
          settings,
          clock: systemClock,
          log: silentLogger,
          trusted: true,
          env: {},
          databasePassword: server.password,
          surface: 'editor',
        },
        { onFinished: closeSharedDbSession },
      );
      assert.equal(health.outcome, 'fail');
      assert.equal(health.values?.loginRefused, undefined);
      assert.doesNotMatch(health.details ?? '', /rotated-last-week/);
    });
  });
}
