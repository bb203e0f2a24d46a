/**
 * Finding the database: the order of sources, database.yml's ERB, anchors, url keys and
 * multi-database environments, URL details, trust, and that no password leaks into what is shown.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { evaluateErbExpression, parseDatabaseYml } from '../../../src/core/db/databaseYml';
import {
  listDatabaseYml,
  passwordHolder,
  passwordServerOf,
  resolveConnection,
  splitUrlPassword,
} from '../../../src/core/db/connection';
import type { ResolvedConnection, Surface } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const dir = await tempFolder('upkeep-conn-');
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

async function resolve(
  files: Record<string, string>,
  options: {
    env?: NodeJS.ProcessEnv;
    trusted?: boolean;
    url?: string;
    railsEnvironment?: string;
    name?: string;
    password?: string;
    surface?: Surface;
  } = {},
): Promise<ResolvedConnection> {
  const workspace = await workspaceWith(files);
  return resolveConnection({
    workspace,
    settings: resolveSettings({
      database: {
        url: options.url,
        railsEnvironment: options.railsEnvironment,
        name: options.name,
      },
    }),
    env: options.env ?? {},
    trusted: options.trusted ?? true,
    password: options.password,
    surface: options.surface,
  });
}

const RAILS_YML = `
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  host: <%= ENV.fetch("DB_HOST", "127.0.0.1") %>
  username: <%= ENV['DB_USER'] || "rails" %>
  password: <%= ENV["DB_PASSWORD"] %>

development:
  <<: *default
  database: app_development
  port: 5433

test:
  <<: *default
  database: app_test

production:
  primary: &primary_production
    <<: *default
    url: <%= ENV["PRIMARY_URL"] %>
  replica:
    <<: *primary_production
    url: postgres://reader@replica.internal:5432/app_production?sslmode=require
    replica: true
  cache:
    <<: *default
    database: app_cache
    host: /var/run/postgresql
`;

describe('finding the database', () => {
  describe('ERB in database.yml', () => {
    const env = { SET: 'from-env', EMPTY: '' };
    const cases: [string, string | undefined][] = [
      ['ENV["SET"]', 'from-env'],
      ["ENV['SET']", 'from-env'],
      ['ENV["UNSET"]', ''],
      ['ENV["UNSET"] || "fallback"', 'fallback'],
      ['ENV.fetch("UNSET") { "block default" }', 'block default'],
      ['ENV.fetch("UNSET") { 5 }', '5'],
      ['ENV.fetch("SET") { "ignored" }', 'from-env'],
      ["ENV.fetch('UNSET', 'second arg')", 'second arg'],
      ['ENV.fetch("UNSET", 5432)', '5432'],
      ['ENV.fetch("UNSET", nil)', ''],
      ['ENV.fetch("UNSET")', ''],
      ['Rails.application.credentials.db_password', undefined],
      ['`cat /etc/passwd`', undefined],
      ['ENV["A"] + ENV["B"]', undefined],
    ];
    for (const [code, expected] of cases) {
      it(
        `evaluates <%= ${code} %> as ` +
          `${expected === undefined ? 'unsupported' : JSON.stringify(expected)}`,
        () => {
          assert.equal(evaluateErbExpression(code, env), expected);
        },
      );
    }

    it('keeps a substituted password with # and : as one value', () => {
      const yml = parseDatabaseYml('development:\n  password: <%= ENV["P"] %>\n  database: x\n', {
        P: 'a#b: c',
      });
      assert.equal(yml.entries[0].values.password, 'a#b: c');
    });

    it('keeps a substituted password out of the message when YAML then fails', () => {
      // `*` starts an alias: yaml's message quoted the alias name, the password and what follows.
      const text = 'production:\n  password: <%= ENV["DB_PASSWORD"] %>-2\n';
      assert.throws(
        () => parseDatabaseYml(text, { DB_PASSWORD: '*hunter2' }),
        (e: unknown) =>
          UpkeepError.is(e, 'parse') && /alias/.test(e.message) && !/hunter2/.test(e.message),
      );
    });

    it('substitutes inside a longer value, as Rails does', () => {
      const yml = parseDatabaseYml(
        'development:\n  database: app_<%= ENV.fetch("SUFFIX") { "dev" } %>\n',
        {},
      );
      assert.equal(yml.entries[0].values.database, 'app_dev');
    });

    it('names the line of ERB it does not evaluate when the chosen database needs it', async () => {
      const files = {
        'config/database.yml':
          'development:\n  adapter: postgresql\n  database: app\n' +
          '  password: <%= Rails.application.credentials.dig(:db, :password) %>\n',
      };
      await assert.rejects(resolve(files), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'));
        assert.match(error.message, /line 4 \(password\) uses ERB Upkeep does not evaluate/);
        assert.doesNotMatch(error.message, /Rails\.application/);
        assert.match(error.hint ?? '', /never runs Ruby/);
        return true;
      });
    });

    it('takes PGPASSWORD, or the stored password, for an ERB password it cannot run', async () => {
      // Rails apps keep it in their credentials; a cron line gives it in PGPASSWORD, which the
      // error asked for in vain.
      for (const code of [
        'Rails.application.credentials.dig(:db, :password)',
        'ENV.fetch("APP_DATABASE_PASSWORD")',
      ]) {
        const files = {
          'config/database.yml':
            'production:\n  adapter: postgresql\n  database: app\n  username: app\n' +
            `  password: <%= ${code} %>\n`,
        };
        const options = { railsEnvironment: 'production' };
        const fromEnv = await resolve(files, { ...options, env: { PGPASSWORD: 'cron-pw' } });
        assert.equal(fromEnv.config.password, 'cron-pw');
        assert.equal(fromEnv.config.database, 'app');
        const stored = await resolve(files, { ...options, password: 'stored-pw' });
        assert.equal(stored.config.password, 'stored-pw');
        await assert.rejects(resolve(files, { ...options, surface: 'cli' }), (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'config'));
          assert.match(error.hint ?? '', /PGPASSWORD/);
          return true;
        });
      }
      // Any other key still needs what it names: PGPASSWORD is no host.
      const host = {
        'config/database.yml':
          'development:\n  adapter: postgresql\n  database: app\n' +
          '  host: <%= Rails.application.credentials.db_host %>\n',
      };
      await assert.rejects(resolve(host, { env: { PGPASSWORD: 'x' } }), /does not evaluate/);
    });

    it('never shows ERB it does not evaluate: a literal in it may be the password', async () => {
      const values = [
        'password: <%= Rails.env.production? ? "s3cret-prod" : \'dev\' %>',
        'password: <%= %q(s3cret-prod) %>',
        'password: <%= :"s3cret-prod".to_s %>',
        'password: <%= ENV.fetch("DB_PASSWORD", "s3cret-prod").strip %>',
        'password: <%=\n    "s3cret-prod" %>',
        'url: <%= "postgres://app:s3cret-prod@db/app" %>',
        'password: <%= ENV.fetch("s3cret-prod") %>',
      ];
      for (const surface of ['cli', 'editor', 'any'] as const) {
        for (const value of values) {
          const files = {
            'config/database.yml':
              'development:\n  adapter: postgresql\n  database: app\n' + `  ${value}\n`,
          };
          await assert.rejects(resolve(files, { surface }), (error: unknown) => {
            assert.ok(UpkeepError.is(error, 'config'), String(error));
            assert.match(error.message, /line 4 \(\w+\) uses ERB Upkeep does not evaluate/);
            const shown = `${error.message} ${error.hint ?? ''}`;
            assert.doesNotMatch(shown, /s3cret|<%/, `${value}: ${shown}`);
            return true;
          });
        }
      }
      // A file broken by ERB control flow names the line of the ERB, not its text.
      const broken = {
        'config/database.yml':
          'development:\n  password: <%= "s3cret-prod" if true %>\n  database: [app\n',
      };
      await assert.rejects(resolve(broken), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'parse'), String(error));
        assert.match(error.hint ?? '', /ERB Upkeep does not evaluate \(line 2\)/);
        assert.doesNotMatch(`${error.message} ${error.hint ?? ''}`, /s3cret/);
        return true;
      });
    });

    it('names the unset variable an ENV.fetch without a default reads', async () => {
      // Rails stops with KeyError; connecting to localhost instead would check another database.
      const files = {
        'config/database.yml':
          'production:\n  adapter: postgresql\n  database: app\n' +
          '  host: <%= ENV.fetch("DB_HOST") %>\n',
      };
      await assert.rejects(resolve(files, { railsEnvironment: 'production' }), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'));
        assert.match(error.message, /line 4 reads DB_HOST, which is not set/);
        assert.match(error.hint ?? '', /Set DB_HOST/);
        return true;
      });
      const connection = await resolve(files, {
        railsEnvironment: 'production',
        env: { DB_HOST: 'db.internal' },
      });
      assert.equal(connection.config.host, 'db.internal');
    });

    it('keeps the unset variable a password reads, for the message', async () => {
      const yml =
        'default: &default\n  adapter: postgresql\n  password: <%= ENV["SHARED_PW"] %>\n' +
        'production:\n  <<: *default\n  database: app\n' +
        '  password: <%= ENV["APP_DATABASE_PASSWORD"] %>\n' +
        'staging:\n  <<: *default\n  database: app\n' +
        'test:\n  adapter: postgresql\n  database: app\n  password: <%= ENV["PW"] || "dev" %>\n';
      const files = { 'config/database.yml': yml };
      const production = await resolve(files, { railsEnvironment: 'production' });
      assert.equal(production.config.password, undefined);
      assert.deepEqual(production.source.passwordVariable, {
        name: 'APP_DATABASE_PASSWORD',
        line: 7,
      });
      // Through the anchor: the default block's line.
      const staging = await resolve(files, { railsEnvironment: 'staging' });
      assert.deepEqual(staging.source.passwordVariable, { name: 'SHARED_PW', line: 3 });
      // Set, or with a default: a password, and no variable to name.
      const set = await resolve(files, {
        railsEnvironment: 'production',
        env: { APP_DATABASE_PASSWORD: 's3cret' },
      });
      assert.equal(set.config.password, 's3cret');
      assert.equal(set.source.passwordVariable, undefined);
      const fallback = await resolve(files, { railsEnvironment: 'test' });
      assert.equal(fallback.config.password, 'dev');
      assert.equal(fallback.source.passwordVariable, undefined);
      // An ENV.fetch without a default stays what Rails makes it, an error before connecting.
      const fetching = {
        'config/database.yml':
          yml + 'fetching:\n  adapter: postgresql\n  password: <%= ENV.fetch("FETCHED_PW") %>\n',
      };
      await assert.rejects(
        resolve(fetching, { railsEnvironment: 'fetching' }),
        /reads FETCHED_PW, which is not set/,
      );
    });

    it('ignores ERB it cannot evaluate in an environment that is not used', async () => {
      const files = {
        'config/database.yml':
          'development:\n  database: app\n  host: 127.0.0.1\nproduction:\n' +
          '  password: <%= Rails.application.credentials.pw %>\n',
      };
      const connection = await resolve(files);
      assert.equal(connection.databaseName, 'app');
    });

    it('explains a file ERB control flow broke', async () => {
      const files = {
        'config/database.yml': 'development:\n<% if true %>\n  database: [app\n<% end %>\n',
      };
      await assert.rejects(
        resolve(files),
        (error: unknown) =>
          UpkeepError.is(error, 'parse') && /ERB Upkeep does not evaluate/.test(error.hint ?? ''),
      );
    });
  });

  describe('database.yml', () => {
    it('refuses a file that is not UTF-8, naming the line, and reads CRLF line ends', async () => {
      // Latin-1 "café" decoded as UTF-8 became "caf\uFFFD_dev": a database that does not exist.
      const workspace = await workspaceWith({});
      await fs.mkdir(path.join(workspace, 'config'));
      const yml = path.join(workspace, 'config/database.yml');
      await fs.writeFile(
        yml,
        Buffer.from('development:\n  adapter: postgresql\n  database: caf\xe9_dev\n', 'latin1'),
      );
      const options = {
        workspace,
        settings: resolveSettings({}),
        env: {},
        trusted: true,
      };
      await assert.rejects(resolveConnection(options), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'));
        assert.match(error.message, /config\/database\.yml is not UTF-8 text \(line 3\)/);
        assert.match(error.hint ?? '', /Save it as UTF-8/);
        return true;
      });
      await fs.writeFile(yml, 'development:\r\n  adapter: postgresql\r\n  database: crlf\r\n');
      assert.equal((await resolveConnection(options)).databaseName, 'crlf');
    });

    it('reads the development environment through anchors and merges, with its line', async () => {
      const connection = await resolve(
        { 'config/database.yml': RAILS_YML },
        { env: { DB_PASSWORD: 's3cret' } },
      );
      assert.deepEqual(connection.source, {
        kind: 'database.yml',
        file: 'config/database.yml',
        line: 10,
        environment: 'development',
        name: undefined,
      });
      // The shared block's line: a refused login names it and the variable.
      assert.deepEqual(connection.passwordReadFrom, {
        name: 'DB_PASSWORD',
        line: 8,
        dotenv: false,
      });
      assert.equal(connection.config.host, '127.0.0.1');
      assert.equal(connection.config.port, 5433);
      assert.equal(connection.config.user, 'rails');
      assert.equal(connection.config.password, 's3cret');
      assert.equal(connection.config.database, 'app_development');
      assert.equal(connection.config.application_name, 'upkeep');
      assert.equal(connection.display, 'rails@127.0.0.1:5433/app_development');
      assert.equal(connection.production, false);
    });

    it('says where the password that comes before a stored one is', async () => {
      const fromEnv = await resolve(
        { 'config/database.yml': RAILS_YML },
        { env: { DB_PASSWORD: 's3cret' } },
      );
      assert.equal(
        passwordHolder(fromEnv),
        'config/database.yml, development reads one from DB_PASSWORD in the environment',
      );
      const fromDotenv = await resolve({
        'config/database.yml': RAILS_YML,
        '.env': 'DB_PASSWORD=s3cret\n',
      });
      assert.equal(
        passwordHolder(fromDotenv),
        'config/database.yml, development reads one from DB_PASSWORD in .env',
      );
      const written = await resolve({
        'config/database.yml': 'development:\n  adapter: postgresql\n  password: s3cret\n',
      });
      assert.equal(passwordHolder(written), 'config/database.yml, development holds one');
      const none = await resolve({ 'config/database.yml': RAILS_YML });
      assert.equal(passwordHolder(none), undefined);
    });

    it('lists the environments and the databases of a multi-database one', async () => {
      const yml = parseDatabaseYml(RAILS_YML, {});
      assert.deepEqual(yml.environments, ['development', 'test', 'production']);
      assert.deepEqual(
        yml.entries
          .filter((entry) => entry.environment === 'production')
          .map((entry) => entry.name),
        ['primary', 'replica', 'cache'],
      );
      const workspace = await workspaceWith({ 'config/database.yml': RAILS_YML });
      assert.deepEqual((await listDatabaseYml(workspace, {}))?.environments, [
        'development',
        'test',
        'production',
      ]);
    });

    it('says in words why config/database.yml or .env cannot be read (a link loop)', async () => {
      for (const file of ['config/database.yml', '.env']) {
        const workspace = await workspaceWith({ 'config/.keep': '' });
        // Each link leads to the other: reading either fails with ELOOP.
        await fs.symlink(path.join(workspace, `${file}.b`), path.join(workspace, file));
        await fs.symlink(path.join(workspace, file), path.join(workspace, `${file}.b`));
        const options = { workspace, settings: resolveSettings({}), env: {}, trusted: true };
        await assert.rejects(resolveConnection(options), (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'config'));
          assert.equal(
            error.message,
            `Cannot read ${file} (ELOOP: its symbolic links go round in a loop).`,
          );
          assert.doesNotMatch(error.hint ?? '', /permissions/);
          assert.match(error.hint ?? '', /^Fix it, or set DATABASE_URL/);
          return true;
        });
      }
    });

    describe('an environment that is no map of settings', () => {
      const SHARED = 'default: &default\n  adapter: postgresql\n  database: app_dev\n';

      it('an alias (production: *default) reads the block it names, as Rails does', async () => {
        const yml = `${SHARED}development:\n  <<: *default\nproduction: *default\n`;
        const connection = await resolve(
          { 'config/database.yml': yml },
          { railsEnvironment: 'production' },
        );
        assert.equal(connection.config.database, 'app_dev');
        assert.equal(connection.source.environment, 'production');
        assert.equal(connection.source.line, 6);
        assert.equal(connection.production, true);
        assert.deepEqual(parseDatabaseYml(yml, {}).environments, ['development', 'production']);
      });

      it('a URL (production: postgres://..., or from ERB) is its connection', async () => {
        const url = 'postgres://app:p%40ss@db.internal:6543/app_production';
        for (const [value, env] of [
          [url, {}],
          ['<%= ENV["PRODUCTION_URL"] %>', { PRODUCTION_URL: url }],
        ] as const) {
          const connection = await resolve(
            { 'config/database.yml': `${SHARED}production: ${value}\n` },
            { railsEnvironment: 'production', env },
          );
          assert.equal(connection.display, 'app@db.internal:6543/app_production');
          assert.equal(connection.config.password, 'p@ss');
          assert.equal(connection.source.environment, 'production');
          assert.equal(connection.source.line, 4);
        }
      });

      it('an empty one (production: alone) is named, not taken for missing', async () => {
        for (const value of ['', ' ~', ' 42']) {
          await assert.rejects(
            resolve(
              { 'config/database.yml': `${SHARED}production:${value}\n` },
              { railsEnvironment: 'production' },
            ),
            (error: unknown) => {
              assert.ok(UpkeepError.is(error, 'config'));
              assert.match(
                error.message,
                /has a "production" environment with no database settings Upkeep can read/,
              );
              return true;
            },
          );
        }
      });
    });

    it(
      'takes primary of a multi-database environment, ' +
        'its url winning over the keys, and marks production',
      async () => {
        const connection = await resolve(
          { 'config/database.yml': RAILS_YML },
          {
            railsEnvironment: 'production',
            env: { PRIMARY_URL: 'postgresql://app:p%40ss%2Fword@db.internal:6543/app_production' },
          },
        );
        assert.equal(connection.source.name, 'primary');
        assert.equal(connection.source.line, 20);
        assert.equal(connection.config.user, 'app');
        assert.equal(connection.config.password, 'p@ss/word');
        assert.equal(connection.config.host, 'db.internal');
        assert.equal(connection.config.port, 6543);
        assert.equal(connection.production, true);
        assert.equal(connection.display, 'app@db.internal:6543/app_production');
      },
    );

    it(
      'selects another database by name: ' + 'a replica URL with sslmode, a socket folder',
      async () => {
        const replica = await resolve(
          { 'config/database.yml': RAILS_YML },
          { railsEnvironment: 'production', name: 'replica' },
        );
        assert.equal(replica.config.host, 'replica.internal');
        assert.equal(replica.config.user, 'reader');
        assert.deepEqual(replica.config.ssl, { rejectUnauthorized: false });
        const cache = await resolve(
          { 'config/database.yml': RAILS_YML },
          { railsEnvironment: 'production', name: 'cache' },
        );
        assert.equal(cache.config.host, '/var/run/postgresql');
        assert.equal(cache.display, 'rails@[/var/run/postgresql]:5432/app_cache');
        await assert.rejects(
          resolve(
            { 'config/database.yml': RAILS_YML },
            { railsEnvironment: 'production', name: 'analytics' },
          ),
          /no database "analytics" in "production" \(it has: primary, replica, cache\)/,
        );
      },
    );

    it('a database name asked of a single-database environment says to leave it out', async () => {
      const single = 'production:\n  adapter: postgresql\n  database: app_production\n';
      const error = await resolve(
        { 'config/database.yml': single },
        { railsEnvironment: 'production', name: 'replica', surface: 'cli' },
      ).then(
        () => assert.fail('resolved'),
        (caught: unknown) => caught,
      );
      assert.ok(UpkeepError.is(error, 'config'));
      assert.match(
        error.message,
        /no database "replica" in "production": it has one database, not several named ones/,
      );
      assert.equal(error.hint, 'Leave out --database.');
    });

    it('refuses another adapter and a missing environment with what to do', async () => {
      await assert.rejects(
        resolve({
          'config/database.yml': 'development:\n  adapter: sqlite3\n  database: db/dev.sqlite3\n',
        }),
        /sqlite3 adapter.*PostgreSQL only/,
      );
      await assert.rejects(
        resolve({ 'config/database.yml': RAILS_YML }, { railsEnvironment: 'staging' }),
        (error: unknown) =>
          UpkeepError.is(error, 'config') && /Select Rails Environment/.test(error.hint ?? ''),
      );
    });

    it('says an environment whose databases are aliases of itself has no settings', async () => {
      const error = await resolve({
        'config/database.yml': 'development: &a\n  primary: *a\n',
      }).then(
        () => assert.fail('resolved'),
        (caught: unknown) => caught,
      );
      assert.ok(UpkeepError.is(error, 'config'), String(error));
      assert.doesNotMatch(error.message, /has no "development" environment/);
      assert.match(error.message, /"development" environment .*no database settings/);
      assert.match(error.hint ?? '', /database:/);
    });

    it('reads a database given as an alias of a block (primary: *default)', async () => {
      const resolved = await resolve({
        'config/database.yml':
          'default: &default\n  adapter: postgresql\n  database: app_dev\n' +
          'development:\n  primary: *default\n',
      });
      assert.equal(resolved.databaseName, 'app_dev');
    });

    it('names the CLI flag, not an editor command, when the CLI asks for one', async () => {
      const hint = async (options: Parameters<typeof resolve>[1]): Promise<string> => {
        const error = await resolve({ 'config/database.yml': RAILS_YML }, options).then(
          () => assert.fail('resolved'),
          (caught: unknown) => caught,
        );
        assert.ok(UpkeepError.is(error, 'config') || UpkeepError.is(error, 'not-found'));
        return error.hint ?? '';
      };
      const env = await hint({ railsEnvironment: 'staging', surface: 'cli' });
      assert.match(env, /--env/);
      assert.doesNotMatch(env, /Upkeep:/);
      const database = await hint({
        railsEnvironment: 'production',
        name: 'analytics',
        surface: 'cli',
      });
      assert.match(database, /--database/);
      assert.doesNotMatch(database, /Upkeep:/);
      assert.match(await hint({ railsEnvironment: 'staging', surface: 'editor' }), /Select Rails/);
      // Checks run in both: they name the setting, and the command for the editor.
      assert.match(
        await hint({ railsEnvironment: 'staging' }),
        /upkeep\.database\.railsEnvironment/,
      );
      assert.match(await hint({ trusted: false }), /--untrusted/);
      assert.doesNotMatch(await hint({ trusted: false, surface: 'editor' }), /--untrusted/);
    });

    it('reads sslmode given as a key', async () => {
      const connection = await resolve({
        'config/database.yml': 'development:\n  host: db\n  database: app\n  sslmode: disable\n',
      });
      assert.equal(connection.config.ssl, false);
    });

    it('reads a key given twice as Rails does, the last one, and warns at its line', async () => {
      const yml =
        'development:\n  host: db\n  password: old-s3cret\n  database: app\n' +
        '  password: new-s3cret\n';
      const connection = await resolve({ 'config/database.yml': yml });
      assert.equal(connection.config.password, 'new-s3cret');
      assert.deepEqual(connection.warnings, [
        {
          file: 'config/database.yml',
          line: 5,
          message:
            '"password" is given again (first at line 3): Rails reads the last value, and so ' +
            'does Upkeep. Remove the one not meant.',
        },
      ]);
      // In a flow map both are on one line: the column of the first tells them apart.
      const flow = await resolve({
        'config/database.yml': 'development: {host: db, database: app, host: db2}\n',
      });
      assert.equal(flow.config.host, 'db2');
      assert.deepEqual(
        flow.warnings?.map(({ line, message }) => [line, message.split(':')[0]]),
        [[1, '"host" is given again (first at column 15 of this line)']],
      );
      // A file that repeats nothing says nothing.
      const plain = await resolve({
        'config/database.yml': yml.replace(/  password: old.*\n/, ''),
      });
      assert.equal(plain.warnings, undefined);
    });

    it('reads an environment or a database given twice as the last one', async () => {
      const environments = await resolve(
        {
          'config/database.yml':
            'production:\n  host: first\n  database: one\n' +
            'test:\n  database: t\n' +
            'production:\n  host: second\n  database: two\n',
        },
        { railsEnvironment: 'production' },
      );
      assert.equal(environments.display, 'postgres@second:5432/two');
      assert.equal(environments.source.line, 6);
      assert.deepEqual(
        environments.warnings?.map((warning) => warning.line),
        [6],
      );

      const workspace = await workspaceWith({
        'config/database.yml':
          'production:\n  primary:\n    database: a\n  primary:\n    database: b\n' +
          '  cache:\n    database: c\n',
      });
      const listed = await listDatabaseYml(workspace, {});
      assert.deepEqual(
        listed?.entries.map((entry) => [entry.name, entry.values.database, entry.line]),
        [
          ['primary', 'b', 4],
          ['cache', 'c', 6],
        ],
      );
      assert.deepEqual(listed?.environments, ['production']);
    });

    it('names ten repeated keys, then how many more', async () => {
      const keys = Array.from({ length: 12 }, (_, k) => `  k${k}: 1\n  k${k}: 2\n`).join('');
      const connection = await resolve({
        'config/database.yml': `development:\n  database: app\n${keys}`,
      });
      assert.equal(connection.warnings?.length, 10);
      assert.match(connection.warnings?.at(-1)?.message ?? '', /\(2 more repeated keys\.\)$/);
    });
  });

  describe('certificate and key files named by the configuration', () => {
    const refusedAs = (pattern: RegExp) => (error: unknown) =>
      UpkeepError.is(error, 'config') && pattern.test(error.message);

    it('refuses a FIFO, a device or a folder before anything reads it (no hang)', async () => {
      const dir = await tempFolder('upkeep-sslfiles-');
      const fifo = path.join(dir, 'root.crt');
      execFileSync('mkfifo', [fifo]);
      // The URL from the environment, and the keys of a database.yml: both are read.
      await assert.rejects(
        resolve(
          {},
          { env: { DATABASE_URL: `postgres://u@h/db?sslmode=verify-full&sslrootcert=${fifo}` } },
        ),
        refusedAs(/sslrootcert .*root\.crt, which is not a regular file/),
      );
      const yml =
        'development:\n  host: db\n  database: app\n  sslmode: require\n' +
        `  sslkey: /dev/zero\n  sslcert: ${dir}\n`;
      await assert.rejects(
        resolve({ 'config/database.yml': yml }),
        refusedAs(/names sslcert .*, which is not a regular file/),
      );
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'postgres://u@h/db?sslmode=require&sslkey=/nope/k' } }),
        refusedAs(/sslkey \/nope\/k, which cannot be read \(it does not exist\)/),
      );
    });

    it('names a path of any length by its head and tail, in a message of a few lines', async () => {
      const dir = await tempFolder('upkeep-sslfiles-');
      // No file system takes a name this long: each is refused as unreadable, naming it.
      const long = `${dir}/${'a'.repeat(1_000_000)}/root.crt`;
      const url = 'postgres://u@h/db?sslmode=verify-full';
      const yml = `development:\n  host: db\n  database: app\n  sslmode: require\n  sslkey: `;
      // The message names the path by its head (the folder) and its tail (the file's name).
      const shortly = (named: RegExp) => (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.ok(error.message.length < 800, `${error.message.length} characters`);
        assert.match(error.message, named);
        return true;
      };
      const cut = `${dir}/a+ … a+/root\\.crt`;
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: `${url}&sslrootcert=${long}` } }),
        shortly(new RegExp(`names sslrootcert ${cut}, which cannot be read \\(its name is too`)),
      );
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: url, PGSSLROOTCERT: long } }),
        shortly(new RegExp(`^PGSSLROOTCERT names ${cut}, which cannot be read`)),
      );
      await assert.rejects(
        resolve({ 'config/database.yml': `${yml}${long}\n` }),
        shortly(new RegExp(`names sslkey ${cut}, which cannot be read`)),
      );
      // A relative path is shown as written, then where it was looked for: both cut.
      await assert.rejects(
        resolve({ 'config/database.yml': `${yml}${long.slice(dir.length + 1)}\n` }),
        shortly(/names sslkey a+ … a+\/root\.crt \(\/\S+ … a+\/root\.crt\), which cannot/),
      );
    });

    it('reads a regular certificate file as the CA', async () => {
      const dir = await tempFolder('upkeep-sslfiles-');
      const ca = path.join(dir, 'root.crt');
      await fs.writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const connection = await resolve(
        {},
        { env: { DATABASE_URL: `postgres://u@h/db?sslmode=verify-full&sslrootcert=${ca}` } },
      );
      assert.match(String((connection.config.ssl as { ca?: string }).ca), /BEGIN CERTIFICATE/);
    });
  });

  describe('the order of sources', () => {
    const files = {
      '.env': '# local\nexport OTHER=1\nDATABASE_URL="postgres://dot:dotpw@dotenv-host/dot_db"\n',
      'config/database.yml': RAILS_YML,
    };

    it('prefers the setting, with the password from secret storage', async () => {
      const connection = await resolve(files, {
        url: 'postgres://me@setting-host:5432/set_db',
        env: { DATABASE_URL: 'postgres://env-host/env_db' },
        password: 'kept',
      });
      assert.deepEqual(connection.source, { kind: 'setting' });
      assert.equal(connection.config.host, 'setting-host');
      assert.equal(connection.config.password, 'kept');
    });

    it('sends the stored password only to the server it was set for', async () => {
      // Secret storage is one per editor, not per folder: a trusted repo whose database.yml
      // names its own host received the password the user set for another app's database.
      const yml = { 'config/database.yml': 'development:\n  host: repo-host\n  user: me\n' };
      const elsewhere = await resolveConnection({
        workspace: await workspaceWith(yml),
        settings: resolveSettings(),
        env: {},
        trusted: true,
        password: 'kept',
        passwordServer: 'me@setting-host:5432',
      });
      assert.equal(elsewhere.config.host, 'repo-host');
      assert.equal(elsewhere.config.password, undefined);

      const meant = await resolveConnection({
        workspace: await workspaceWith({}),
        settings: resolveSettings({ database: { url: 'postgres://me@setting-host/set_db' } }),
        env: {},
        trusted: true,
        password: 'kept',
        passwordServer: 'me@setting-host:5432',
      });
      assert.equal(meant.config.password, 'kept');
      assert.equal(passwordServerOf(meant), 'me@setting-host:5432');
    });

    it('takes the password out of an entered URL, from the userinfo or the query', () => {
      const query = splitUrlPassword('postgres://me@h:5432/db?sslmode=require&password=a%26b');
      assert.equal(query.password, 'a&b');
      assert.equal(query.url.toString(), 'postgres://me@h:5432/db?sslmode=require');
      const userinfo = splitUrlPassword(' postgres://me:p%40ss@h/db ');
      assert.equal(userinfo.password, 'p@ss');
      assert.equal(userinfo.url.toString(), 'postgres://me@h/db');
      assert.equal(splitUrlPassword('postgres://me@h/db').password, undefined);
      // libpq's sslpassword unlocks the client key: no settings file may keep it either.
      const key = splitUrlPassword(
        'postgres://me:pw@h/db?sslmode=verify-full&sslpassword=k3y&sslkey=/k&SSLPassword=x',
      );
      assert.equal(key.url.toString(), 'postgres://me@h/db?sslmode=verify-full&sslkey=%2Fk');
      assert.deepEqual(key.dropped, ['sslpassword', 'SSLPassword']);
      assert.equal(key.password, 'pw');
    });

    it('reads a % typed as is in a password as pg does; else says to write %25', async () => {
      // 50%off: no escape starts there, so pg (and the entered URL) read it as written.
      assert.equal(splitUrlPassword('postgres://me:50%off@h/db').password, '50%off');
      const typed = await resolve({}, { env: { DATABASE_URL: 'postgres://me:50%off@h/db' } });
      assert.equal(typed.config.password, '50%off');
      // 50%ff reads as the byte 0xff, no text: pg said "URI malformed".
      const isPercentError = (error: unknown): boolean =>
        UpkeepError.is(error, 'config') &&
        /cannot be read: a % in its user name or password is not percent-encoding/.test(
          error.message,
        ) &&
        /as %25 \(50%ff as 50%25ff\)/.test(error.hint ?? '');
      assert.throws(() => splitUrlPassword('postgres://me:50%ff@h/db'), isPercentError);
      assert.throws(() => splitUrlPassword('postgres://50%ff:pw@h/db'), isPercentError);
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'postgres://me:50%ff@h/db' } }),
        (error: unknown) => isPercentError(error) && /DATABASE_URL/.test((error as Error).message),
      );
      assert.equal(splitUrlPassword('postgres://me:50%25ff@h/db').password, '50%ff');
    });

    it('says to percent-encode a #, / or ? typed as is in a password, never shown', async () => {
      for (const password of ['pa#ss', 'pa/ss', 'pa?ss']) {
        await assert.rejects(
          resolve({}, { env: { DATABASE_URL: `postgres://me:${password}@h/db` } }),
          (error: unknown) =>
            UpkeepError.is(error, 'config') &&
            error.message === 'The connection URL from DATABASE_URL cannot be read: Invalid URL' &&
            /percent-encoded \(%23, %2F, %3F, %40\).*PGPASSWORD/.test(error.hint ?? '') &&
            !`${error.message} ${error.hint}`.includes(password),
        );
      }
    });

    it('says an IPv6 host with a zone cannot be in a URL, and reads it from ?host=', async () => {
      const isZoneError = (error: unknown): boolean =>
        UpkeepError.is(error, 'config') &&
        /names an IPv6 host with a zone, \[fe80::1%25eth0\], which a URL cannot hold/.test(
          error.message,
        ) &&
        (error.hint ?? '').includes('postgres://user@/database?host=fe80::1%25eth0&port=6543') &&
        !/password|secret/i.test(`${error.message} ${error.hint}`);
      for (const url of [
        'postgres://u:secret@[fe80::1%25eth0]:6543/db',
        'postgres://u@[fe80::1%eth0]:6543/db',
      ]) {
        await assert.rejects(resolve({}, { env: { DATABASE_URL: url } }), isZoneError);
        assert.throws(() => splitUrlPassword(url), isZoneError);
      }
      // The form the hint gives: the zone kept, for the driver (Node connects to it as is).
      const connection = await resolve(
        {},
        { env: { DATABASE_URL: 'postgres://u@/db?host=fe80::1%25eth0&port=6543' } },
      );
      assert.deepEqual(
        [connection.config.host, connection.config.port, connection.config.database],
        ['fe80::1%eth0', 6543, 'db'],
      );
      assert.equal(
        (await resolve({}, { env: { DATABASE_URL: 'postgres://u@[::1]/db' } })).config.host,
        '::1',
      );
    });

    it('then DATABASE_URL from the environment', async () => {
      const connection = await resolve(files, {
        env: { DATABASE_URL: 'postgres://u:pw@env-host/env_db' },
      });
      assert.deepEqual(connection.source, { kind: 'env' });
      assert.equal(connection.config.host, 'env-host');
    });

    it('then DATABASE_URL from .env, with its line, without touching process.env', async () => {
      const connection = await resolve(files);
      assert.deepEqual(connection.source, { kind: 'dotenv', file: '.env', line: 3 });
      assert.equal(connection.config.host, 'dotenv-host');
      assert.equal(connection.config.password, 'dotpw');
      assert.equal(process.env.OTHER, undefined);
    });

    it('reads no repo file in an untrusted workspace', async () => {
      await assert.rejects(resolve(files, { trusted: false }), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'not-found'));
        assert.match(error.hint ?? '', /untrusted/);
        return true;
      });
      const fromEnv = await resolve(files, {
        trusted: false,
        env: { DATABASE_URL: 'postgres://env-host/env_db' },
      });
      assert.equal(fromEnv.source.kind, 'env');
    });

    it('says what to do when nothing is configured', async () => {
      await assert.rejects(
        resolve({}),
        (error: unknown) =>
          UpkeepError.is(error, 'not-found') &&
          /Configure Database Connection/.test(error.hint ?? ''),
      );
    });
  });

  describe('URLs', () => {
    it('decodes percent-encoded passwords and keeps them out of display and errors', async () => {
      const connection = await resolve(
        {},
        { env: { DATABASE_URL: 'postgres://app:%F0%9F%94%91%3A%40%2F@127.0.0.1:5432/app' } },
      );
      assert.equal(connection.config.password, '🔑:@/');
      assert.equal(connection.display, 'app@127.0.0.1:5432/app');
      assert.ok(
        !JSON.stringify({ display: connection.display, source: connection.source }).includes('%F0'),
      );
    });

    it('decodes the database name of a URL as libpq does: every %XX', async () => {
      // pg-connection-string decodes the path with decodeURI, which leaves %3B, %2F, %3F, %23 ...
      // encoded: Upkeep would ask for a database "a%3Bb" where psql connects to "a;b".
      const names: [string, string][] = [
        ['a%3Bb%3Ac%2Cd%2Fe%3Ff%23g%40h%26i%3Dj%2Bk%24l', 'a;b:c,d/e?f#g@h&i=j+k$l'],
        ['caf%C3%A9%20%25%2525', 'café %%25'],
        ['app%2Fdev?sslmode=disable', 'app/dev'],
        ['a/../b', 'a/../b'],
        ['with space', 'with space'],
        ['50%off', '50%off'],
      ];
      for (const [path, name] of names) {
        const url = `postgres://u@127.0.0.1:5432/${path}`;
        const connection = await resolve({}, { env: { DATABASE_URL: url } });
        assert.deepEqual(
          [url, connection.databaseName, connection.config.database],
          [url, name, name],
        );
      }
    });

    it('decodes the user name and password of a URL as libpq does', async () => {
      const connection = await resolve(
        {},
        { env: { DATABASE_URL: 'postgres://us%3Ber%40x%3A:p%3Ba%3Fs%23s%2F%25%2B@h/db' } },
      );
      assert.equal(connection.config.user, 'us;er@x:');
      assert.equal(connection.config.password, 'p;a?s#s/%+');
    });

    it('refuses a database name whose escapes are no text, saying what to write', async () => {
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'postgres://u@h/db%ff' } }),
        (error: unknown) => UpkeepError.is(error, 'config') && /%25/.test(error.hint ?? ''),
      );
    });

    it('reads a unix-socket host from the query string', async () => {
      const connection = await resolve(
        {},
        {
          env: {
            DATABASE_URL: 'postgresql:///app_dev?host=/tmp/pgsock&port=5499&application_name=mine',
          },
        },
      );
      assert.equal(connection.config.host, '/tmp/pgsock');
      assert.equal(connection.config.port, 5499);
      assert.equal(connection.config.application_name, 'upkeep');
      assert.equal(
        connection.display,
        `${process.env.USER ?? 'postgres'}@[/tmp/pgsock]:5499/app_dev`,
      );
    });

    it('maps sslmode the way libpq does', async () => {
      const required = await resolve(
        {},
        { env: { DATABASE_URL: 'postgres://u@h/db?sslmode=require' } },
      );
      assert.deepEqual(required.config.ssl, { rejectUnauthorized: false });
      const off = await resolve({}, { env: { DATABASE_URL: 'postgres://u@h/db?sslmode=disable' } });
      assert.equal(off.config.ssl, false);
      // allow never verifies the server in libpq; pg-connection-string verified it.
      const allowed = await resolve(
        {},
        { env: { DATABASE_URL: 'postgres://u@h/db?sslmode=allow' } },
      );
      assert.deepEqual(allowed.config.ssl, { rejectUnauthorized: false });
      assert.equal(allowed.sslOptional, true);
      // PGSSLMODE means the same as the URL's sslmode; pg's own reading differed.
      const fromEnv = async (mode: string) =>
        resolve({}, { env: { DATABASE_URL: 'postgres://u@h/db', PGSSLMODE: mode } });
      assert.equal((await fromEnv('disable')).config.ssl, false);
      for (const mode of ['allow', 'prefer']) {
        const optional = await fromEnv(mode);
        assert.deepEqual(optional.config.ssl, { rejectUnauthorized: false }, mode);
        assert.equal(optional.sslOptional, true, mode);
      }
      const requiredByEnv = await fromEnv('require');
      assert.deepEqual(requiredByEnv.config.ssl, { rejectUnauthorized: false });
      assert.equal(requiredByEnv.sslOptional, undefined);
      assert.deepEqual((await fromEnv('verify-full')).config.ssl, {});
      // verify-ca names no CA here (no PGSSLROOTCERT): refused, as in a URL.
      await assert.rejects(
        fromEnv('verify-ca'),
        /^UpkeepError: PGSSLMODE sets sslmode to verify-ca/,
      );
      // Unset, or empty as libpq reads it, leaves SSL off.
      assert.equal((await fromEnv('')).config.ssl, undefined);
    });

    it('refuses an sslmode libpq does not know, naming its source, before connecting', async () => {
      const refused = (source: RegExp, value: string) => (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, source);
        assert.match(error.message, new RegExp(`sets sslmode to "${value}", which libpq`));
        assert.equal(
          error.hint?.split('.')[0],
          'Write one of disable, allow, prefer, require, verify-ca, verify-full',
        );
        assert.doesNotMatch(`${error.message} ${error.hint}`, /s3cret/);
        return true;
      };
      const url = 'postgres://u:s3cret@h/db';
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: `${url}?sslmode=bogus` } }),
        refused(/^The connection URL from DATABASE_URL /, 'bogus'),
      );
      await assert.rejects(
        resolve({}, { url: `${url}?sslmode=Require` }),
        refused(/^The connection URL from upkeep\.database\.url setting /, 'Require'),
      );
      await assert.rejects(
        resolve({ '.env': `DATABASE_URL=${url}?sslmode=no-verify\n` }),
        (error: unknown) =>
          refused(/^The connection URL from \.env:1 /, 'no-verify')(error) &&
          /no-verify is node-postgres' own/.test((error as UpkeepError).hint ?? ''),
      );
      const yml = 'development:\n  host: db\n  password: s3cret\n  database: app\n';
      await assert.rejects(
        resolve({ 'config/database.yml': `${yml}  sslmode: requre\n` }),
        refused(/^config\/database\.yml, development /, 'requre'),
      );
      await assert.rejects(
        resolve({ 'config/database.yml': `${yml}  url: postgres://db/app?sslmode=on\n` }),
        refused(/^The connection URL from config\/database\.yml, development /, 'on'),
      );
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: url, PGSSLMODE: 'bogus' } }),
        refused(/^PGSSLMODE /, 'bogus'),
      );
      // libpq reads PGSSLMODE only when the source names no sslmode.
      const named = await resolve(
        {},
        { env: { DATABASE_URL: `${url}?sslmode=disable`, PGSSLMODE: 'bogus' } },
      );
      assert.equal(named.config.ssl, false);
      // Every value libpq knows is taken from each source.
      for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-full']) {
        await resolve({}, { env: { DATABASE_URL: `${url}?sslmode=${mode}` } });
        await resolve({ 'config/database.yml': `${yml}  sslmode: ${mode}\n` });
        await resolve({}, { env: { DATABASE_URL: url, PGSSLMODE: mode } });
      }
    });

    it('refuses an sslmode given as a list, a map or !!binary, and reads ~ as unset', async () => {
      const yml = 'development:\n  host: db\n  password: s3cret\n  database: app\n';
      const given = (value: string) =>
        resolve({ 'config/database.yml': `${yml}  sslmode: ${value}\n` });
      const refused = (kind: string) => (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.equal(error.message, `config/database.yml, development sets sslmode to ${kind}.`);
        assert.match(error.hint ?? '', /^Write one of disable, allow, prefer, require, verify-ca/);
        return true;
      };
      const list = 'a list, which libpq (psql, Rails) refuses';
      await assert.rejects(given('[require]'), refused(list));
      await assert.rejects(given('\n    - disable\n    - require'), refused(list));
      await assert.rejects(
        given('{mode: require}'),
        refused('a map, which libpq (psql, Rails) refuses'),
      );
      await assert.rejects(
        given('!!binary cmVxdWlyZQ=='),
        refused('binary data (!!binary), which Upkeep does not decode'),
      );
      // In a database of several too, and through an alias.
      await assert.rejects(
        resolve({
          'config/database.yml':
            'modes: &modes [require]\n' +
            'development:\n  primary:\n    host: db\n    database: app\n    sslmode: *modes\n',
        }),
        (error: unknown) =>
          UpkeepError.is(error, 'config') &&
          error.message === `config/database.yml, development, primary sets sslmode to ${list}.`,
      );
      // Rails drops a nil value before connecting: libpq's default, or PGSSLMODE, applies.
      assert.equal((await given('~')).config.ssl, undefined);
      const fromEnv = await resolve(
        { 'config/database.yml': `${yml}  sslmode: ~\n` },
        { env: { PGSSLMODE: 'disable' } },
      );
      assert.equal(fromEnv.config.ssl, false);
    });

    it('says in words that verify-ca needs sslrootcert, naming the URL or file', async () => {
      const needsRoot = (source: RegExp) => (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, source);
        assert.match(error.message, /sets sslmode to verify-ca without sslrootcert/);
        assert.match(error.hint ?? '', /verify-full/);
        assert.doesNotMatch(`${error.message} ${error.hint}`, /SECURITY WARNING|s3cret/);
        return true;
      };
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'postgres://u:s3cret@h/db?sslmode=verify-ca' } }),
        needsRoot(/^The connection URL from DATABASE_URL /),
      );
      const yml = 'development:\n  host: db\n  password: s3cret\n  database: app\n';
      await assert.rejects(
        resolve({ 'config/database.yml': `${yml}  sslmode: verify-ca\n` }),
        needsRoot(/^config\/database\.yml, development /),
      );
    });

    it('reads PGSSLROOTCERT, PGSSLCERT and PGSSLKEY for what the source names not', async () => {
      const dir = await tempFolder('upkeep-sslenv-');
      const file = async (name: string, text: string) => {
        await fs.writeFile(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const ca = await file('ca.pem', 'the CA');
      const urlCa = await file('url-ca.pem', 'the URL CA');
      const cert = await file('client.pem', 'the client certificate');
      const key = await file('client.key', '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n');
      // libpq reads a key its owner alone may read.
      await fs.chmod(key, 0o600);
      const missing = path.join(dir, 'missing.pem');
      const url = 'postgres://u@h/db';
      type Tls = { ca?: string; cert?: string; key?: string; checkServerIdentity?: unknown };
      const tlsOf = async (env: NodeJS.ProcessEnv, trusted = true) =>
        (await resolve({}, { env: { DATABASE_URL: url, ...env }, trusted })).config.ssl as Tls;

      // The user's own variables, read in an untrusted workspace as in a trusted one.
      const full = await tlsOf({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca }, false);
      assert.deepEqual(full, { ca: 'the CA' });
      const chain = await tlsOf({ PGSSLMODE: 'verify-ca', PGSSLROOTCERT: ca });
      assert.equal(chain.ca, 'the CA');
      assert.equal(typeof chain.checkServerIdentity, 'function');
      const client = await tlsOf({ PGSSLCERT: cert, PGSSLKEY: key });
      assert.deepEqual(client, {
        cert: 'the client certificate',
        key: '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n',
        rejectUnauthorized: false,
      });
      // The URL's own file wins, and a variable it overrides is not read at all.
      const own = await resolve(
        {},
        {
          env: {
            DATABASE_URL: `${url}?sslmode=verify-ca&sslrootcert=${urlCa}`,
            PGSSLROOTCERT: missing,
          },
        },
      );
      assert.equal((own.config.ssl as Tls).ca, 'the URL CA');
      // Where no SSL is used (disable, a Unix socket), no file is read.
      assert.equal(await tlsOf({ PGSSLMODE: 'disable', PGSSLKEY: missing }), false);
      const socket = await resolve({}, { env: { DATABASE_URL: `postgres://u@%2Ftmp/db` } });
      assert.equal(socket.config.ssl, false);
      // database.yml's sslmode: verify-ca takes PGSSLROOTCERT's CA as a URL's does.
      const yml = 'development:\n  host: db\n  database: app\n  sslmode: verify-ca\n';
      const fromYml = await resolve({ 'config/database.yml': yml }, { env: { PGSSLROOTCERT: ca } });
      assert.equal((fromYml.config.ssl as Tls).ca, 'the CA');
      assert.equal(typeof (fromYml.config.ssl as Tls).checkServerIdentity, 'function');

      // A file that cannot be used is refused, naming the variable and the path, never the key.
      const refusedAs = (message: string) => (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.equal(error.message, message);
        assert.doesNotMatch(`${error.message} ${error.hint}`, /PRIVATE|c2VjcmV0/);
        return true;
      };
      for (const variable of ['PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY']) {
        await assert.rejects(
          tlsOf({ PGSSLMODE: 'verify-full', PGSSLKEY: key, [variable]: missing }),
          refusedAs(`${variable} names ${missing}, which does not exist.`),
        );
      }
      await assert.rejects(
        tlsOf({ PGSSLMODE: 'require', PGSSLKEY: dir }),
        refusedAs(`PGSSLKEY names ${dir}, which is not a regular file; nothing was read from it.`),
      );
      // A key others may read is refused, as psql refuses it.
      const open = await file('open.key', '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n');
      await fs.chmod(open, 0o644);
      await assert.rejects(
        tlsOf({ PGSSLCERT: cert, PGSSLKEY: open }),
        refusedAs(
          `PGSSLKEY names ${open}, which others can read (mode 0644): libpq (psql, Rails) ` +
            'refuses such a key.',
        ),
      );
    });

    it('names where a port that is not a number came from, and what to write', async () => {
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'postgres://u@h/db', PGPORT: 'fivefour' } }),
        (error: unknown) =>
          UpkeepError.is(error, 'config') &&
          /^PGPORT is not a port number/.test(error.message) &&
          /1 to 65535/.test(error.hint ?? ''),
      );
      const yml = { 'config/database.yml': 'development:\n  database: app\n  port: 70000\n' };
      await assert.rejects(
        resolve(yml, { env: { PGPORT: '5432' } }),
        (error: unknown) =>
          UpkeepError.is(error, 'config') &&
          error.message.startsWith('The port from config/database.yml, development is not'),
      );
    });

    it('refuses a URL that is not PostgreSQL without echoing it', async () => {
      await assert.rejects(
        resolve({}, { env: { DATABASE_URL: 'mysql2://root:hunter2@db/app' } }),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'config'));
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    });
  });
});
