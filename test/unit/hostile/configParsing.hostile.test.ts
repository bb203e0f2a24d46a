/**
 * Hostile config/database.yml and .upkeep/playbook.yaml found by the security review: each test
 * reproduces one weakness (a failing test is an open bug) or pins behaviour that held up.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseGemfileLock, parseSchemaVersion } from '../../../src/core/checks/repoChecks';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { applyPlaybookText, loadPlaybook, MAX_PROBLEMS } from '../../../src/core/playbook/loader';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { findTask } from '../../../src/core/playbook/model';
import { UpkeepError } from '../../../src/core/util/errors';
import { assertLinear, cpuMs } from '../../support/growth';
import { tempFolder } from '../../support/tempFolders';

const BASE = 'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n';
const HEAD = `${BASE}  database: x\n`;

describe('hostile config files (security review)', function () {
  this.timeout(120_000);

  it(
    'database.yml with 10,000 ERB comment tags parses in linear time ' +
      '(expandErb counts lines per tag)',
    () => {
      // expandErb does text.slice(0, offset).split('\n') for every tag: quadratic.
      assertLinear(
        (n) => HEAD + Array.from({ length: n }, (_, i) => `k${i}: <%# c %>\n`).join(''),
        (text) => parseDatabaseYml(text, {}),
        2_500,
      );
    },
  );

  it(
    'database.yml with many unclosed "<%" parses in linear time ' +
      '(lazy ERB regex rescans to the end)',
    () => {
      assertLinear(
        (n) => `${HEAD}# ${'<%'.repeat(n)}\n`,
        (text) => parseDatabaseYml(text, {}),
        25_000,
      );
    },
  );

  it('db/structure.sql of schema_migrations inserts without a ; reads in linear time', () => {
    // repo.pendingMigrations runs untrusted; each insert used to be scanned to the file's end.
    const insert = 'INSERT INTO schema_migrations (version) VALUES';
    assertLinear(
      (n) => insert.repeat(n),
      (text) => parseSchemaVersion('structure.sql', text),
      5_000,
    );
    assert.deepEqual(
      parseSchemaVersion('structure.sql', `${insert}\n('20261201000000'),\n('20261202000000');`),
      { kind: 'structure.sql', versions: ['20261201000000', '20261202000000'] },
    );
  });

  it('Gemfile.lock with RUBY VERSION before a run of blank lines reads in linear time', () => {
    // repo.versions runs untrusted; `\s*\n\s+` split the run every way: 6 s at 64 KB.
    assertLinear((n) => `RUBY VERSION${'\n'.repeat(n)}x`, parseGemfileLock, 16 * 1024);
    assert.equal(parseGemfileLock('RUBY VERSION\r\n   ruby 3.3.6p108\r\n').ruby, '3.3.6');
  });

  it(
    'database.yml with 5,000 and 20,000 keys parses in linear time ' +
      '(yaml uniqueKeys is quadratic)',
    () => {
      assertLinear(
        (n) => HEAD + Array.from({ length: n }, (_, i) => `  k${i}: v\n`).join(''),
        (text) => parseDatabaseYml(text, {}),
        5_000,
      );
    },
  );

  it(
    'a playbook with 5,000 and 20,000 keys loads in linear time ' +
      '(it is read in untrusted workspaces too)',
    () => {
      assertLinear(
        (n) =>
          'version: 1\nthresholds:\n' +
          Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join(''),
        (text) => applyPlaybookText(defaultPlaybook(), text),
        5_000,
      );
    },
  );

  it('a playbook with 2,000 unknown keys does not produce 2,000 problems', () => {
    const text =
      'version: 1\nthresholds:\n' +
      Array.from({ length: 2_000 }, (_, i) => `  k${i}: 1\n`).join('');
    const { problems } = applyPlaybookText(defaultPlaybook(), text);
    assert.ok(problems.length <= 200, `${problems.length} problems`);
  });

  it(
    'a billion-laughs database.yml fails with a config error (code parse/config), ' +
      'not a raw Error',
    () => {
      let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
      let previous = 'a';
      for (const name of 'bcdefghi') {
        text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
        previous = name;
      }
      text += `${BASE}  database: *i\n`;
      // Today: a plain Error "Excessive alias count..." escapes; the CLI exits 1 as "internal".
      assert.throws(
        () => parseDatabaseYml(text, {}),
        (error: unknown) => UpkeepError.is(error) && ['parse', 'config'].includes(error.code),
      );
    },
  );

  it(
    'a playbook task of 10,000 and 40,000 checklist items with one title ' + 'loads in linear time',
    () => {
      // Each item without an id is named after its title, "a", "a2", "a3"...: the name was found
      // by counting up from 2 for every item, 40,000 items of 80 KB took minutes.
      const playbookOf = (n: number): string =>
        'tasks:\n  - id: weekly.x\n    tier: weekly\n    title: X\n' +
        `    items: [${Array(n).fill('a').join(',')}]\n`;
      assertLinear(playbookOf, (text) => applyPlaybookText(defaultPlaybook(), text), 10_000);
      const { playbook, problems } = applyPlaybookText(defaultPlaybook(), playbookOf(40_000));
      assert.deepEqual(problems, []);
      const items = findTask(playbook, 'weekly.x')!.items;
      assert.equal(new Set(items.map((item) => item.id)).size, 40_000);
      assert.deepEqual(
        items.slice(0, 3).map((item) => item.id),
        ['a', 'a2', 'a3'],
      );
    },
  );

  it('a playbook of aliases and merge keys that would copy without bound loads quickly', () => {
    // Aliases are read as the node they name, never copied, and what they name is counted:
    // merge keys naming each other twice at every level and 9 aliases of 9 aliases of ... are
    // read until they name 100,000 values, then refused with a message.
    let text = 'tasks:\n  - &m0 { id: weekly.bomb, tier: weekly, title: Bomb, owner: Ann }\n';
    for (let level = 1; level <= 40; level++) {
      const previous = `*m${level - 1}`;
      text += `  - &m${level} { <<: [${previous}, ${previous}], id: weekly.bomb${level} }\n`;
    }
    text += 'x0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let level = 1; level <= 40; level++) {
      text += `x${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(', ')}]\n`;
    }
    text += 'disable: *l40\n';
    // Copied, it would never end; read as it is now, it takes some 50 ms.
    const tookMs = cpuMs(() => applyPlaybookText(defaultPlaybook(), text));
    assert.ok(tookMs < 20_000, `${tookMs} ms`);
    const { playbook, problems } = applyPlaybookText(defaultPlaybook(), text);
    assert.equal(findTask(playbook, 'weekly.bomb10')?.owner, 'Ann');
    assert.equal(findTask(playbook, 'weekly.bomb40'), undefined);
    assert.ok(problems.length <= MAX_PROBLEMS + 1);
    const refused = problems.filter((problem) =>
      /name more than 100,000 values/.test(problem.message),
    );
    assert.equal(refused.length, 1, JSON.stringify(problems.slice(0, 5)));
    assert.match(refused[0].message, /^YAML: this alias and those after it were not read/);
  });

  it('pinned: ERB that tries to run Ruby is never evaluated and is named in the message', () => {
    const text = `${BASE}  database: <%= \`touch /tmp/x\` %>\n`;
    const yml = parseDatabaseYml(text, {});
    assert.ok(String(yml.entries[0].values.database).includes('__upkeep_unsupported_erb_'));
  });

  it('pinned: __proto__ / constructor keys in the playbook do not pollute prototypes', () => {
    const text =
      'version: 1\n__proto__: {polluted: yes}\nthresholds: {__proto__: 5, constructor: 7}\n' +
      'tasks:\n  - {id: constructor, title: C, tier: constructor}\n';
    applyPlaybookText(defaultPlaybook(), text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it(
    'a playbook.yaml committed as a symlink to /dev/zero ' + 'is refused without reading 512 MB',
    async () => {
      // A repo can commit this symlink; the playbook is read even in an untrusted workspace.
      const workspace = await tempFolder('upkeep-hostile-pb-');
      await fs.mkdir(path.join(workspace, '.upkeep'));
      await fs.symlink('/dev/zero', path.join(workspace, '.upkeep/playbook.yaml'));
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        const { problems } = await loadPlaybook({ workspace });
        assert.ok(problems.length > 0);
      } finally {
        clearInterval(timer);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      // Today: fs.readFile reads until V8's string limit (~600 MB more RSS), then
      // "Invalid string length".
      assert.ok(
        peak - before < 100 * 1024 * 1024,
        `RSS grew by ${Math.round((peak - before) / 1e6)} MB`,
      );
    },
  );

  it('database.yml reading ENV["toString"] and the like reads nothing, as Ruby does', () => {
    // The environment is a plain object: Object.prototype's members read as set variables, and
    // a function became the password, or its source text part of the database name.
    const text =
      'development:\n  host: <%= ENV["constructor"] %>\n  database: x<%= ENV["toString"] %>\n' +
      '  password: <%= ENV.fetch("hasOwnProperty", "none") %>\n';
    const yml = parseDatabaseYml(text, { ...process.env });
    assert.deepEqual(yml.entries[0].values, { host: '', database: 'x', password: 'none' });
  });

  it('database.yml with classic Mac line ends (a lone CR) reads as YAML and Rails read it', () => {
    // "Nested mappings are not allowed in compact mappings" at line 1: yaml's parser ends lines
    // at a line feed only; the playbook was already read with them.
    const text = BASE.replace(/\n/g, '\r') + '  password: <%= ENV["PW"] %>\r  database: x\r';
    const yml = parseDatabaseYml(text, { PW: 's3cret' });
    assert.equal(yml.entries[0].values.password, 's3cret');
    assert.equal(yml.entries[0].values.database, 'x');
    assert.throws(
      () => parseDatabaseYml(`${BASE.replace(/\n/g, '\r')}\r  bad: [\r`, {}),
      /not valid YAML at line 7/,
    );
  });

  it('database.yml with <%% (ERB for a literal <%) reads it as Rails does', () => {
    // It was taken for a tag, closed by the next %> lines below: the lines between were lost
    // ("Missing closing quote"), or read as ERB Upkeep does not evaluate.
    const text = `${BASE}  password: "p<%%w"\n  database: app\n  username: <%= ENV["U"] %>\n`;
    const yml = parseDatabaseYml(text, { U: 'ann' });
    assert.equal(yml.entries[0].values.password, 'p<%w');
    assert.equal(yml.entries[0].values.database, 'app');
    assert.equal(yml.entries[0].values.username, 'ann');
  });
});
