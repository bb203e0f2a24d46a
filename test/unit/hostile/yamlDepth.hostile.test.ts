/**
 * YAML nested thousands deep (a committed config/database.yml or playbook of brackets or
 * compact `- - -` entries): refused before the parser, which could abort the whole process
 * near the end of the stack, while real files still load.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { lineNestedTooDeep } from '../../../src/core/util/yamlDepth';
import { UpkeepError } from '../../../src/core/util/errors';

const ROOT = path.resolve(__dirname, '../../..');

const DEEP = {
  flow: `development: ${'['.repeat(60_000)}${']'.repeat(60_000)}\n`,
  compact: `development:\n  ${'- '.repeat(60_000)}x\n`,
  mixed: `development: {a: ${'[{b: '.repeat(20_000)}1${'}]'.repeat(20_000)}}\n`,
};

describe('hostile YAML nesting', function () {
  this.timeout(60_000);

  it('finds the deep line and lets real files through', () => {
    assert.equal(lineNestedTooDeep(DEEP.flow), 1);
    assert.equal(lineNestedTooDeep(DEEP.compact), 2);
    assert.equal(lineNestedTooDeep(DEEP.mixed), 1);
    // Quotes, comments and a quote inside a plain word do not hide or invent brackets.
    assert.equal(lineNestedTooDeep(`a: "${'['.repeat(500)}" # ${'{'.repeat(500)}\n`), undefined);
    assert.equal(lineNestedTooDeep(`a: [b'c, ${'['.repeat(500)}]\n`), 1);
    const real = [
      'default: &default',
      '  adapter: postgresql',
      '  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>',
      'development:',
      '  <<: *default',
      '  database: app_dev',
      '  variables: {statement_timeout: 5000, list: [1, [2, [3]]]}',
      '  description: "it\'s [fine"',
      '',
    ].join('\n');
    assert.equal(lineNestedTooDeep(real), undefined);
  });

  it('refuses a deep database.yml and playbook with a clear message', () => {
    for (const text of Object.values(DEEP)) {
      assert.throws(
        () => parseDatabaseYml(text, {}),
        (error: unknown) => UpkeepError.is(error, 'parse') && /nests more than/.test(error.message),
      );
      const { problems } = applyPlaybookText(
        defaultPlaybook(),
        text.replace('development', 'tasks'),
      );
      assert.match(problems[0]?.message ?? '', /nests more than/);
    }
  });

  it('upkeep db on the built CLI reports a deep database.yml instead of aborting', async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-deep-yaml-'));
    try {
      await fs.mkdir(path.join(workspace, 'config'));
      await fs.writeFile(path.join(workspace, 'config/database.yml'), DEEP.flow);
      const run = spawnSync(
        process.execPath,
        [path.join(ROOT, 'dist/cli.js'), 'db', '-w', workspace],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: os.tmpdir() },
        },
      );
      assert.equal(run.status, 2, run.stderr.slice(0, 2000));
      assert.match(run.stdout + run.stderr, /nests more than/);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
