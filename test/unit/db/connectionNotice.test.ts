/**
 * The message after a database setting changes in the editor (picking a Rails environment used
 * to say nothing at all): read from a real config/database.yml, it names the connection now in
 * use, or says why none is found, without a password.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSettings } from '../../../src/core/settings';
import { resolveConnection } from '../../../src/core/db/connection';
import {
  connectionNotice,
  describeOrigin,
  notFoundInPicker,
  notFoundOnTest,
} from '../../../src/vscode/db/connectionNotice';

const DATABASE_YML = `default: &default
  adapter: postgresql
  host: 127.0.0.1
  port: 5432
  username: rails
  password: s3cret-in-yml

development:
  <<: *default
  database: shop_development

production:
  <<: *default
  database: shop_production
`;

describe('connectionNotice', () => {
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-'));
    await fs.mkdir(path.join(workspace, 'config'));
    await fs.writeFile(path.join(workspace, 'config/database.yml'), DATABASE_YML);
  });

  after(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  const options = (railsEnvironment: string, trusted = true) => ({
    workspace,
    settings: resolveSettings({ database: { railsEnvironment } }),
    env: {},
    trusted,
    surface: 'editor' as const,
  });

  it('names the database the environment now points at, and where it came from', async () => {
    const notice = await connectionNotice(
      'Rails environment set to production',
      options('production'),
    );
    assert.equal(notice.level, 'information');
    assert.equal(
      notice.message,
      'Upkeep: Rails environment set to production; the database is now ' +
        'rails@127.0.0.1:5432/shop_production (config/database.yml, production).',
    );
    assert.doesNotMatch(notice.message, /s3cret/);
  });

  it('warns that a URL wins when the pick is of config/database.yml', async () => {
    await fs.writeFile(
      path.join(workspace, '.env'),
      'DATABASE_URL=postgres://app:pw@127.0.0.1:5433/shop_url\n',
    );
    try {
      const environment = await connectionNotice(
        'Rails environment set to production',
        options('production'),
        { ofDatabaseYml: true },
      );
      assert.deepEqual(environment, {
        level: 'warning',
        message:
          'Upkeep: Rails environment set to production, which changes nothing: the database ' +
          'is still app@127.0.0.1:5433/shop_url, from .env:1, which comes before ' +
          'config/database.yml. Remove DATABASE_URL from .env to use config/database.yml.',
      });
      // Forgetting the URL setting is no pick of config/database.yml: "now" is right there.
      const forgotten = await connectionNotice(
        'The upkeep.database.url setting is forgotten',
        options('production'),
      );
      assert.equal(
        forgotten.message,
        'Upkeep: The upkeep.database.url setting is forgotten; the database is now ' +
          'app@127.0.0.1:5433/shop_url (.env:1).',
      );
      const setting = await connectionNotice(
        'Rails environment set to production',
        {
          ...options('production'),
          settings: resolveSettings({
            database: { railsEnvironment: 'production', url: 'postgres://ops@db.local/shop' },
          }),
        },
        { ofDatabaseYml: true },
      );
      assert.match(
        setting.message,
        / is still ops@db\.local:5432\/shop, from the upkeep\.database/,
      );
      assert.ok(
        setting.message.endsWith(
          'Forget the upkeep.database.url setting (Upkeep: Configure Database Connection…) ' +
            'to use config/database.yml.',
        ),
        setting.message,
      );
    } finally {
      await fs.rm(path.join(workspace, '.env'));
    }
  });

  it('warns when the environment is not in config/database.yml', async () => {
    const notice = await connectionNotice('Rails environment set to staging', options('staging'));
    assert.equal(notice.level, 'warning');
    assert.match(notice.message, /^Upkeep: Rails environment set to staging, but no database/);
    assert.match(notice.message, /staging/);
    assert.doesNotMatch(notice.message, /s3cret/);
  });

  it('uses a config/database.yml that repeats a key, and says where the repeat is', async () => {
    const repeated = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-repeat-'));
    try {
      await fs.mkdir(path.join(repeated, 'config'));
      await fs.writeFile(
        path.join(repeated, 'config/database.yml'),
        `${DATABASE_YML}  database: shop_reporting\n`,
      );
      const notice = await connectionNotice('Rails environment set to production', {
        ...options('production'),
        workspace: repeated,
      });
      assert.equal(notice.level, 'warning');
      assert.match(notice.message, /the database is now rails@127\.0\.0\.1:5432\/shop_reporting/);
      assert.match(notice.message, /config\/database\.yml:15: "database" is given again/);
      assert.doesNotMatch(notice.message, /s3cret/);
    } finally {
      await fs.rm(repeated, { recursive: true, force: true });
    }
  });

  it('links nothing a repo wrote, nor draws its $(icons): a repeated key, an sslmode', async () => {
    // A notification reads `[label](command:…)` as a link that runs the command when clicked.
    const hostile = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-links-'));
    const link = '[Fix it](command:workbench.action.terminal.new)';
    try {
      await fs.mkdir(path.join(hostile, 'config'));
      const yml = (production: string): Promise<void> =>
        fs.writeFile(path.join(hostile, 'config/database.yml'), `${DATABASE_YML}${production}`);
      const notice = async (): Promise<string> =>
        (
          await connectionNotice('Rails environment set to production', {
            ...options('production'),
            workspace: hostile,
          })
        ).message;
      await yml(`  "${link}": 1\n  "${link}": 2\n`);
      const repeated = await notice();
      assert.match(repeated, /is given again/);
      assert.match(repeated, /\[Fix it\] \(command:/);
      assert.doesNotMatch(repeated, /\]\(/);
      await yml(`  sslmode: "${link}"\n`);
      const refused = await notice();
      assert.match(refused, /which libpq \(psql, Rails\) refuses/);
      assert.doesNotMatch(refused, /\]\(/);
      // The picker's row of the error draws `$(name)` as an icon: shown as typed instead.
      await yml('  sslmode: "$(pass) ok"\n');
      const error = await resolveConnection({ ...options('production'), workspace: hostile }).catch(
        (thrown: unknown) => thrown,
      );
      assert.match(notFoundInPicker(error), /sets sslmode to "\$\u2060\(pass\) ok"/);
    } finally {
      await fs.rm(hostile, { recursive: true, force: true });
    }
  });

  it('warns in an untrusted workspace, where config/database.yml is not read', async () => {
    const notice = await connectionNotice(
      'Rails environment set to production',
      options('production', false),
    );
    assert.equal(notice.level, 'warning');
    assert.match(notice.message, /trust/i);
  });

  it('names where the picked connection comes from, each part once', async () => {
    // Configure Database Connection read "from config/database.yml, production (production)".
    const production = await resolveConnection(options('production'));
    assert.equal(describeOrigin(production), 'from config/database.yml, production environment');

    const marked = await resolveConnection({
      ...options('development'),
      settings: resolveSettings({
        database: { railsEnvironment: 'development', production: true },
      }),
    });
    assert.equal(
      describeOrigin(marked),
      'from config/database.yml, development environment · treated as production',
    );
  });

  it("shows the file's environment and database names as typed, not as icons", async () => {
    // The picker's row draws `$(name)` as an icon: a repo's `$(pass) ok` environment read as ✓.
    const hostile = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-icons-'));
    try {
      await fs.mkdir(path.join(hostile, 'config'));
      await fs.writeFile(
        path.join(hostile, 'config/database.yml'),
        '"$(pass) ok":\n  "$(zap)":\n    host: db\n    database: app\n',
      );
      const connection = await resolveConnection({
        ...options('$(pass) ok'),
        workspace: hostile,
      });
      assert.equal(
        describeOrigin(connection),
        'from config/database.yml, $\u2060(pass) ok environment, $\u2060(zap) database',
      );
    } finally {
      await fs.rm(hostile, { recursive: true, force: true });
    }
  });

  it('says in Configure Database Connection what to pick there, not to run it', async () => {
    // Its "Now" row read: No database configured ... Run "Upkeep: Configure Database
    // Connection", in the very picker that command had opened.
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-empty-'));
    try {
      const error = await resolveConnection({ ...options('development'), workspace: empty }).then(
        () => assert.fail('no database in an empty folder'),
        (thrown: unknown) => thrown,
      );
      assert.equal(
        notFoundInPicker(error),
        'No database configured: no upkeep.database.url setting, no DATABASE_URL ' +
          '(environment or .env) and no config/database.yml. Enter a connection URL below, ' +
          'or set DATABASE_URL.',
      );
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }

    // A database name config/database.yml lacks: pick one in the row below, not run the picker.
    const several = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-several-'));
    try {
      await fs.mkdir(path.join(several, 'config'));
      await fs.writeFile(
        path.join(several, 'config/database.yml'),
        'development:\n  primary:\n    database: shop\n  cache:\n    database: shop_cache\n',
      );
      const settings = resolveSettings({
        database: { railsEnvironment: 'development', name: 'analytics' },
      });
      const error = await resolveConnection({
        ...options('development'),
        workspace: several,
        settings,
      }).catch((e: unknown) => e);
      assert.equal(
        notFoundInPicker(error),
        'config/database.yml has no database "analytics" in "development" (it has: primary, ' +
          'cache). Choose one with "Database of config/database.yml…" below.',
      );
    } finally {
      await fs.rm(several, { recursive: true, force: true });
    }

    // Any other reason keeps its own hint.
    const staging = await resolveConnection(options('staging')).catch((e: unknown) => e);
    assert.match(notFoundInPicker(staging), /Select Rails Environment/);
  });

  it("says after the picker's Test the connection which button gives a connection", async () => {
    // It read: Run "Upkeep: Configure Database Connection", the command whose row was just used.
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-notice-test-'));
    try {
      const none = await resolveConnection({ ...options('development'), workspace: empty }).catch(
        (e: unknown) => e,
      );
      assert.deepEqual(notFoundOnTest(none), {
        message:
          'No database configured: no upkeep.database.url setting, no DATABASE_URL ' +
          '(environment or .env) and no config/database.yml. Enter one with ' +
          '"Enter Connection URL…", or set DATABASE_URL.',
        way: 'url',
      });

      await fs.mkdir(path.join(empty, 'config'));
      await fs.writeFile(
        path.join(empty, 'config/database.yml'),
        'development:\n  primary:\n    database: shop\n  cache:\n    database: shop_cache\n',
      );
      const settings = resolveSettings({
        database: { railsEnvironment: 'development', name: 'analytics' },
      });
      const unknown = await resolveConnection({
        ...options('development'),
        workspace: empty,
        settings,
      }).catch((e: unknown) => e);
      assert.deepEqual(notFoundOnTest(unknown), {
        message:
          'config/database.yml has no database "analytics" in "development" (it has: primary, ' +
          'cache). Choose one with "Choose Database…".',
        way: 'database',
      });
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }

    // Any other reason keeps its own hint and offers no button.
    const staging = await resolveConnection(options('staging')).catch((e: unknown) => e);
    const other = notFoundOnTest(staging);
    assert.match(other.message, /Select Rails Environment/);
    assert.equal(other.way, undefined);
  });
});
