/**
 * The Rails environment of `upkeep check`, `upkeep drill` and `upkeep db` on a workspace whose
 * config/database.yml has a development database (on the Debian server) and a production one
 * (on the embedded server): --env, then the setting, then RAILS_ENV / RACK_ENV, then
 * development; an environment the file lacks stops the command before anything runs.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliRun } from '../../support/cli';
import { runCli } from '../../support/cli';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';

const databaseYml = (dev: URL, prod: URL): string => `
default: &default
  adapter: postgresql
  host: 127.0.0.1
  username: postgres

development:
  <<: *default
  port: ${dev.port}
  database: ${dev.pathname.slice(1)}
  password: <%= ENV["UPKEEP_TEST_DEV_PASSWORD"] %>

production:
  <<: *default
  port: ${prod.port}
  database: ${prod.pathname.slice(1)}
  password: <%= ENV["UPKEEP_TEST_PROD_PASSWORD"] %>
`;

describe('the Rails environment of upkeep check, drill and db (CLI)', function () {
  this.timeout(180_000);
  let folder: string;
  let workspace: string;
  let dev: URL;
  let prod: URL;
  /** The drill target: the production database's server, as on a one-server setup. */
  let target: URL;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-cli-env-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, 'config'), { recursive: true });
    await fs.mkdir(path.join(workspace, 'backups'), { recursive: true });

    dev = new URL(await createDatabase(await debianServer(), 'env_dev'));
    prod = new URL(await createDatabase(await embeddedServer(), 'env_prod'));
    target = new URL(await createDatabase(await embeddedServer(), 'env_drill'));
    assert.notEqual(dev.port, prod.port, 'two servers');
    await admin(dev.toString(), 'CREATE TABLE users (id serial PRIMARY KEY)');
    pgDump(dev.toString(), path.join(workspace, 'backups', 'app_20261204.dump'));

    await fs.writeFile(path.join(workspace, 'config/database.yml'), databaseYml(dev, prod));
    await fs.writeFile(path.join(workspace, 'Gemfile'), "source 'https://rubygems.org'\n");
    env = {
      UPKEEP_TEST_DEV_PASSWORD: decodeURIComponent(dev.password),
      UPKEEP_TEST_PROD_PASSWORD: decodeURIComponent(prod.password),
    };
  });

  beforeEach(async () => {
    await settings({});
  });

  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  /** Writes .vscode/settings.json; the drill's dump and target are always there. */
  async function settings(values: Record<string, string>): Promise<void> {
    const withoutPassword = new URL(target);
    withoutPassword.password = '';
    await fs.mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await fs.writeFile(
      path.join(workspace, '.vscode/settings.json'),
      JSON.stringify({
        'upkeep.backups.pattern': 'backups/*.dump',
        'upkeep.backups.drillTargetUrl': withoutPassword.toString(),
        ...values,
      }),
    );
  }

  const check = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    runCli(
      [
        'check',
        '--check',
        'health.database',
        '--format',
        'json',
        '--workspace',
        workspace,
        ...args,
      ],
      { ...env, ...extraEnv },
    );
  /** The health.database summary's source, e.g. "config/database.yml, production". */
  const sourceOf = (run: CliRun): string => {
    assert.equal(run.code, 0, run.stderr);
    const [result] = JSON.parse(run.stdout).results;
    assert.equal(result.outcome, 'pass', result.summary);
    const source = /\((config\/database\.yml, \w+)\)/.exec(result.summary);
    assert.ok(source, result.summary);
    return source[1];
  };

  it('upkeep check --env production checks the production database', async () => {
    const development = await check([]);
    assert.equal(sourceOf(development), 'config/database.yml, development');
    assert.match(JSON.parse(development.stdout).results[0].summary, /^PostgreSQL 15\./);
    const run = await check(['--env', 'production']);
    assert.equal(sourceOf(run), 'config/database.yml, production');
    // The production database is on the embedded server (17), development on Debian's (15).
    assert.match(JSON.parse(run.stdout).results[0].summary, /^PostgreSQL 17\./);
    assert.equal(sourceOf(await check(['-e', 'production'])), 'config/database.yml, production');
  });

  it('follows RAILS_ENV, then RACK_ENV, when neither --env nor the setting names one', async () => {
    const production = 'config/database.yml, production';
    const development = 'config/database.yml, development';
    assert.equal(sourceOf(await check([], { RAILS_ENV: 'production' })), production);
    assert.equal(sourceOf(await check([], { RACK_ENV: 'production' })), production);
    assert.equal(
      sourceOf(await check([], { RAILS_ENV: 'development', RACK_ENV: 'production' })),
      development,
      'RAILS_ENV before RACK_ENV',
    );

    await settings({ 'upkeep.database.railsEnvironment': 'development' });
    assert.equal(
      sourceOf(await check([], { RAILS_ENV: 'production' })),
      development,
      'the setting before RAILS_ENV',
    );
    assert.equal(
      sourceOf(await check(['--env', 'production'], { RAILS_ENV: 'development' })),
      production,
      '--env before the setting and RAILS_ENV',
    );
  });

  it('stops before running anything when database.yml lacks the environment', async () => {
    const db = await runCli(['db', '--workspace', workspace, '--env', 'staging'], env);
    const message =
      'config/database.yml has no "staging" environment (it has: development, production).';
    assert.equal(db.code, 2);
    assert.equal(db.stdout, '');
    assert.ok(db.stderr.includes(`upkeep db: ${message}`), db.stderr);

    for (const command of ['check', 'drill']) {
      const run = await runCli([command, '--workspace', workspace, '--env', 'staging'], env);
      assert.equal(run.code, 2, `${command}: ${run.stderr}`);
      assert.equal(run.stdout, '', command);
      assert.ok(run.stderr.includes(`upkeep ${command}: ${message}`), run.stderr);
      assert.match(run.stderr, /Pick one of them with --env\./);
      assert.doesNotMatch(run.stderr, /Backup recovery drill|\n\s+at /);
    }

    const fromVariable = await check([], { RAILS_ENV: 'staging' });
    assert.equal(fromVariable.code, 2);
    assert.ok(fromVariable.stderr.includes(message), fromVariable.stderr);
    assert.match(fromVariable.stderr, /RAILS_ENV is "staging"\. Pick one of them with --env\./);
  });

  it('upkeep db follows RAILS_ENV too, and --env wins over it', async () => {
    const db = (args: string[], extraEnv: NodeJS.ProcessEnv): Promise<CliRun> =>
      runCli(
        ['db', '--workspace', workspace, '--card', 'connectivity', '--no-snapshots', ...args],
        { ...env, ...extraEnv },
      );
    const fromVariable = await db(['--format', 'json'], { RAILS_ENV: 'production' });
    assert.equal(fromVariable.code, 0, fromVariable.stdout);
    assert.equal(
      JSON.parse(fromVariable.stdout).connection.sourceText,
      'config/database.yml, production',
    );
    const fromFlag = await db(['--env', 'development'], { RAILS_ENV: 'production' });
    assert.match(fromFlag.stdout, /\(config\/database\.yml, development\)/);
  });

  it("upkeep drill --env guards the chosen environment's server", async () => {
    const server = `127.0.0.1:${target.port}`;
    const drill = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
      runCli(['drill', '--workspace', workspace, ...args], { ...env, ...extraEnv });
    const scratch = async (): Promise<string[]> =>
      (await admin<{ datname: string }>(target.toString(), 'SELECT datname FROM pg_database'))
        .map((row) => row.datname)
        .filter((name) => name.startsWith('upkeep_drill_'));
    const before = await scratch();

    const development = await drill([]);
    assert.equal(development.code, 2);
    assert.match(
      development.stderr,
      new RegExp(`Monitored database server: 127\\.0\\.0\\.1:${dev.port}\\n`),
    );
    assert.doesNotMatch(development.stderr, /WARNING/);

    for (const [args, extraEnv] of [
      [['--env', 'production'], {}],
      [[], { RAILS_ENV: 'production' }],
    ] as const) {
      const plan = await drill([...args], extraEnv);
      assert.equal(plan.code, 2);
      assert.ok(plan.stderr.includes(`Monitored database server: ${server}\n`), plan.stderr);
      assert.match(plan.stderr, /WARNING: the target is the monitored database server/);
      assert.ok(plan.stderr.includes(`--confirm ${server} --allow-monitored-server`));

      const refused = await drill([...args, '--confirm', server], extraEnv);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /is the monitored database's server/);
      assert.match(refused.stderr, /Nothing was done\./);
    }
    assert.deepEqual(await scratch(), before, 'no scratch database was created');
    const passwords = [env.UPKEEP_TEST_DEV_PASSWORD, env.UPKEEP_TEST_PROD_PASSWORD];
    assert.ok(!passwords.some((password) => password && development.stderr.includes(password)));
  });
});
