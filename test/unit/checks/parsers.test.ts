/**
 * The pure readers behind the file-based checks: Markdown links and GitHub slugs, schema versions
 * and Gemfile.lock, filter_parameters, Action Mailer settings, the health verdict, JSON paths and
 * the CLI's JSONC settings.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { codeMentions, githubSlug, outlineMarkdown } from '../../../src/core/checks/docsChecks';
import {
  judgeMailerConfig,
  judgeProbe,
  parseMailerConfig,
} from '../../../src/core/checks/healthChecks';
import {
  parseGemfileLock,
  parseSchemaVersion,
  pendingMigrations,
} from '../../../src/core/checks/repoChecks';
import { filtersParameter, parseFilterParameters } from '../../../src/core/checks/securityChecks';
import { readJsonPath } from '../../../src/core/checks/customChecks';
import { parseRestoreList } from '../../../src/core/checks/backupChecks';
import { parseCopyTarget } from '../../../src/core/checks/recoveryDrill';
import { serverOf } from '../../../src/core/checks/hostChecks';
import { settingsFromJson } from '../../../src/core/checks/workspaceSettings';

describe('check parsers', () => {
  describe('Markdown', () => {
    it('makes GitHub heading slugs, numbering repeats', () => {
      const seen = new Map<string, number>();
      assert.equal(githubSlug('Backup & Recovery (Annual)', seen), 'backup--recovery-annual');
      assert.equal(githubSlug('Étape 2: Déployer', seen), 'étape-2-déployer');
      assert.equal(githubSlug('Setup', seen), 'setup');
      assert.equal(githubSlug('Setup', seen), 'setup-1');
      assert.equal(githubSlug('snake_case-and-dash', seen), 'snake_case-and-dash');
    });

    it('finds links with line and column, outside code, and anchors of headings', () => {
      const text = [
        '# Daily `checks`', // 1
        'See [the guide](docs/guide.md#install) and [top](#daily-checks).', // 2
        '```', // 3
        '[not a link](nowhere.md)', // 4
        '```', // 5
        'Inline `[code](x.md)` is not a link. ![img](media/logo.png "title")', // 6
        '[ref]: ./other.md', // 7
        'Setext Title', // 8
        '============', // 9
        '<a name="custom-anchor"></a>', // 10
      ].join('\n');
      const outline = outlineMarkdown(text);
      assert.deepEqual(outline.links, [
        { target: 'docs/guide.md#install', line: 2, column: 17 },
        { target: '#daily-checks', line: 2, column: 50 },
        { target: 'media/logo.png', line: 6, column: 45 },
        { target: './other.md', line: 7, column: 8 },
      ]);
      assert.deepEqual([...outline.anchors].sort(), [
        'custom-anchor',
        'daily-checks',
        'setext-title',
      ]);
    });

    it('finds repo paths a doc mentions', () => {
      assert.deepEqual(
        codeMentions(
          'The model `app/models/user.rb` and\nconfig/routes.rb, not myapp/models/x.rb.',
        ).map((m) => [m.path, m.line]),
        [
          ['app/models/user.rb', 1],
          ['config/routes.rb', 2],
        ],
      );
    });
  });

  describe('repository files', () => {
    it('reads schema.rb and structure.sql versions and finds pending migrations', () => {
      const rb = parseSchemaVersion(
        'schema.rb',
        'ActiveRecord::Schema[7.1].define(version: 2024_03_01_120000) do\nend',
      );
      assert.deepEqual(rb, { kind: 'schema.rb', versions: ['20240301120000'] });
      const files = [
        '20240101000000_create_users.rb',
        '20240301120000_add_x.rb',
        '20240402000000_add_y.rb',
        'README',
      ];
      assert.deepEqual(pendingMigrations(files, rb!), ['20240402000000_add_y.rb']);

      const sql = parseSchemaVersion(
        'structure.sql',
        'SET search_path TO "$user", public;\n\n' +
          'INSERT INTO "schema_migrations" (version) VALUES\n' +
          "('20240402000000'),\n" +
          "('20240101000000');\n\n",
      );
      assert.deepEqual(pendingMigrations(files, sql!), ['20240301120000_add_x.rb']);
      assert.equal(parseSchemaVersion('schema.rb', 'nothing here'), undefined);
    });

    it('reads Ruby and Rails versions from Gemfile.lock', () => {
      const lock =
        'GEM\n' +
        '  specs:\n' +
        '    rails (7.1.3.2)\n' +
        '      actioncable (= 7.1.3.2)\n' +
        '    railties (7.1.3.2)\n' +
        '\n' +
        'RUBY VERSION\n' +
        '   ruby 3.3.0p0\n';
      assert.deepEqual(parseGemfileLock(lock), { ruby: '3.3.0', rails: '7.1.3.2' });
      assert.deepEqual(parseGemfileLock('GEM\n  specs:\n    railties (6.1.7)\n'), {
        ruby: undefined,
        rails: '6.1.7',
      });
    });

    it('reads filter_parameters in the shapes Rails generates', async () => {
      const rails7 =
        'Rails.application.config.filter_parameters += [\n' +
        '  :passw, :email, :secret, :token, :_key, :crypt, :salt, :certificate, :otp, :ssn\n' +
        ']\n';
      const parsed = parseFilterParameters(rails7);
      assert.equal(parsed.entries.length, 10);
      assert.equal(parsed.entries[0].line, 2);
      assert.ok(await filtersParameter(parsed, 'password'));
      assert.ok(await filtersParameter(parsed, 'api_token'));

      const old = parseFilterParameters(
        '# filter_parameters += [:password]\n' +
          'Rails.application.config.filter_parameters += [:email]\n',
      );
      assert.ok(!(await filtersParameter(old, 'password')), 'a commented-out line does not count');
      assert.ok(
        await filtersParameter(
          parseFilterParameters('config.filter_parameters += %i[passw secret]\n'),
          'password',
        ),
      );
      assert.ok(
        await filtersParameter(
          parseFilterParameters('config.filter_parameters << /pass(word)?/i\n'),
          'password',
        ),
      );
    });
  });

  describe('health', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    it('judges status, latency and certificate days', () => {
      assert.equal(
        judgeProbe(
          'https://a/',
          { status: 200, latencyMs: 20, certificateValidTo: '2027-06-01T00:00:00.000Z' },
          now,
          1000,
        ).outcome,
        'pass',
      );
      const soon = judgeProbe(
        'https://a/',
        { status: 200, latencyMs: 20, certificateValidTo: '2026-12-10T00:00:00.000Z' },
        now,
        1000,
      );
      assert.deepEqual(
        [soon.outcome, soon.summary, soon.values?.certificateDaysLeft],
        ['warn', 'https://a/: certificate expires in 5 days', 5],
      );
      const expired = judgeProbe(
        'https://a/',
        {
          status: 200,
          latencyMs: 20,
          certificateValidTo: '2026-11-01T00:00:00.000Z',
          certificateProblem: 'CERT_HAS_EXPIRED',
        },
        now,
        1000,
      );
      assert.deepEqual(
        [expired.outcome, expired.summary],
        ['fail', 'https://a/: certificate expired 33 days ago'],
      );
      assert.equal(
        judgeProbe('http://a/', { status: 503, latencyMs: 5 }, now, 1000).outcome,
        'fail',
      );
      assert.equal(
        judgeProbe('http://a/', { status: 200, latencyMs: 1500 }, now, 1000).outcome,
        'warn',
      );
      assert.equal(
        judgeProbe('http://a/', { latencyMs: 5, error: 'ECONNREFUSED' }, now, 1000).summary,
        'http://a/ did not answer: ECONNREFUSED',
      );
    });

    it('reads Action Mailer settings without running Ruby', () => {
      const production = [
        'Rails.application.configure do',
        '  # config.action_mailer.delivery_method = :test',
        '  config.action_mailer.delivery_method = :smtp',
        '  config.action_mailer.smtp_settings = {',
        '    address: ENV.fetch("SMTP_HOST"),',
        '    user_name: Rails.application.credentials.dig(:smtp, :user),',
        '  }',
        'end',
      ].join('\n');
      const config = parseMailerConfig([
        { file: 'config/environments/production.rb', text: production },
      ]);
      assert.equal(config.deliveryMethod?.method, 'smtp');
      assert.equal(config.deliveryMethod?.line, 3);
      assert.equal(config.smtpSettings?.referencesEnv, true);
      assert.deepEqual(
        judgeMailerConfig(config).summary,
        'delivery method :smtp, settings from ENV/credentials',
      );

      const leaky = parseMailerConfig([
        {
          file: 'config/environments/production.rb',
          text:
            'config.action_mailer.delivery_method = :smtp\n' +
            'config.action_mailer.smtp_settings = {\n' +
            "  address: 'smtp.x',\n" +
            "  password: 'hunter2'\n" +
            '}\n',
        },
      ]);
      const report = judgeMailerConfig(leaky);
      assert.equal(report.outcome, 'fail');
      assert.deepEqual(
        [report.findings?.[0].file, report.findings?.[0].line],
        ['config/environments/production.rb', 4],
      );
      assert.ok(!JSON.stringify(report).includes('hunter2'), 'the secret itself is not repeated');

      assert.equal(
        judgeMailerConfig(
          parseMailerConfig([
            { file: 'p.rb', text: 'config.action_mailer.delivery_method = :test' },
          ]),
        ).outcome,
        'fail',
      );
      assert.equal(judgeMailerConfig({}).outcome, 'warn');
    });
  });

  it('reads pg_restore --list output', () => {
    const list = [
      ';',
      '; Archive created at 2026-12-04 10:00:00 UTC',
      ';',
      '215; 1259 16386 TABLE public users postgres',
      '216; 1259 16390 TABLE public bookings postgres',
      '217; 1259 16391 SEQUENCE public users_id_seq postgres',
      '3380; 0 16386 TABLE DATA public users postgres',
    ].join('\n');
    assert.deepEqual(parseRestoreList(list), {
      tables: ['public.users', 'public.bookings'],
      tablesWithData: ['public.users'],
    });
  });

  it('reads the quoted table names of COPY lines', () => {
    assert.deepEqual(parseCopyTarget('COPY public.users (id, email) FROM stdin;'), {
      sql: '"public"."users"',
      name: 'public.users',
    });
    assert.deepEqual(parseCopyTarget('COPY "my schema"."Odd ""Name""" (id) FROM stdin;'), {
      sql: '"my schema"."Odd ""Name"""',
      name: '"my schema"."Odd ""Name"""',
    });
    // A line break (and a quote) in a name: one line, as PostgreSQL reads it back.
    const odd = 'COPY public."a""b\nCOPY x (id) FROM stdin;" (id) FROM stdin;';
    assert.deepEqual(parseCopyTarget(odd), {
      sql: '"public".U&"a""b\\000ACOPY x (id) FROM stdin;"',
      name: 'public.U&"a""b\\000ACOPY x (id) FROM stdin;"',
    });
    assert.equal(parseCopyTarget('COPY users FROM stdin;'), undefined);
    assert.equal(parseCopyTarget('-- COPY public.x FROM stdin'), undefined);
  });

  it('recognises application server command lines', () => {
    assert.equal(serverOf('puma 6.4.2 (tcp://0.0.0.0:3000) [app]'), 'puma');
    assert.equal(serverOf('/usr/bin/ruby bin/bundle exec puma -C config/puma.rb'), 'puma');
    assert.equal(serverOf('unicorn master -c config/unicorn.rb'), 'unicorn');
    assert.equal(serverOf('Passenger RubyApp: /var/www/app'), 'passenger');
    assert.equal(serverOf('puma: cluster worker 1: 4242 [app]'), 'puma');
    assert.equal(serverOf('/home/app/.rbenv/versions/3.3.1/bin/ruby /app/bin/puma'), 'puma');
    assert.equal(serverOf('unicorn_rails worker[0] -c config/unicorn.rb'), 'unicorn');
    assert.equal(serverOf('Passenger AppPreloader: /var/www/app (forking...)'), 'passenger');
    assert.equal(serverOf('node dist/cli.js check'), undefined);
    for (const other of [
      'vim config/puma.rb',
      'tail -f log/puma.log',
      'grep puma',
      'less /var/log/unicorn.stderr.log',
      'bundle exec pumactl restart',
      'puma-dev -install',
      'constructor',
      // Passenger's own processes hold no application.
      'Passenger core',
      'Passenger watchdog',
      '/usr/lib/passenger/support-binaries/PassengerAgent core',
      'passenger-status',
    ]) {
      assert.equal(serverOf(other), undefined, other);
    }
  });

  it('reads simple JSON paths', () => {
    const value = { status: 'ok', checks: { db: true, list: [{ name: 'a' }] } };
    assert.equal(readJsonPath(value, '$.status'), 'ok');
    assert.equal(readJsonPath(value, 'checks.db'), true);
    assert.equal(readJsonPath(value, '$.checks.list[0].name'), 'a');
    assert.equal(readJsonPath(value, '$.missing.deep'), undefined);
  });

  it("reads a JSON path's own members only, not what objects inherit", () => {
    const value = JSON.parse('{"a":{},"list":[1],"own":{"constructor":{"name":"mine"}}}');
    assert.equal(readJsonPath(value, 'constructor.name'), undefined);
    assert.equal(readJsonPath(value, '$.a.constructor'), undefined);
    assert.equal(readJsonPath(value, '$.a.__proto__'), undefined);
    assert.equal(readJsonPath(value, '$.a.toString'), undefined);
    assert.equal(readJsonPath(value, '$.list.map'), undefined);
    assert.equal(readJsonPath(value, '$.list[0]'), 1);
    assert.equal(readJsonPath(value, '$.own.constructor.name'), 'mine');
    assert.equal(readJsonPath(JSON.parse('{"__proto__":{"x":1}}'), '__proto__.x'), 1);
  });

  it(
    'reads workspace settings, dropping restricted URLs when untrusted ' + 'and wrong types always',
    () => {
      const json = {
        'upkeep.health.url': 'https://example.test/health',
        'upkeep.thresholds.memoryMb': 512,
        'upkeep.checks.parallelism': 'lots',
        'upkeep.database.url': '',
        upkeep: { backups: { pattern: 'backups/*.dump' } },
        'editor.tabSize': 2,
      };
      const trusted = settingsFromJson(json, { trusted: true });
      assert.equal(trusted.health.url, 'https://example.test/health');
      assert.equal(trusted.thresholds.memoryMb, 512);
      assert.equal(trusted.checks.parallelism, 4);
      assert.equal(trusted.database.url, undefined);
      assert.equal(trusted.backups.pattern, 'backups/*.dump');
      assert.equal(settingsFromJson(json, { trusted: false }).health.url, undefined);
    },
  );

  it('warns of no key package.json declares, with any value of its type', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'),
    );
    const properties = manifest.contributes.configuration.properties as Record<
      string,
      { type: string; enum?: string[]; minimum?: number }
    >;
    const sample: Record<string, unknown> = { number: 100, boolean: true, array: ['log/a.log'] };
    const json: Record<string, unknown> = {};
    for (const [key, { type, enum: choices, minimum }] of Object.entries(properties)) {
      json[key] = choices?.[0] ?? (type === 'number' ? minimum : undefined) ?? sample[type] ?? 'x';
    }
    const warnings: string[] = [];
    settingsFromJson(json, { trusted: true, warn: (message) => warnings.push(message) });
    assert.equal(warnings.length, 0, warnings.join('\n'));
    settingsFromJson(
      { 'upkeep.logs.source': ['a'] },
      { trusted: true, warn: (m) => warnings.push(m) },
    );
    assert.equal(warnings.length, 1);
  });
});
