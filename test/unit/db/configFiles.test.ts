/**
 * The repo's config/database.yml and .env when they are not small regular files (a committed
 * symlink to /dev/zero, a FIFO, a huge file) or when the YAML is hostile: a clear config or
 * parse error, quickly, without reading the file.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  listDatabaseYml,
  MAX_CONFIG_BYTES,
  resolveConnection,
} from '../../../src/core/db/connection';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { assertLinear } from '../../support/growth';

const YML = 'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  database: app\n';

function resolveIn(workspace: string): Promise<unknown> {
  return resolveConnection({ workspace, settings: resolveSettings(), env: {}, trusted: true });
}

function configError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => UpkeepError.is(error, 'config') && pattern.test(error.message);
}

describe('database.yml and .env that are not plain small files', () => {
  let workspace: string;

  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-dbconfig-'));
    await fs.mkdir(path.join(workspace, 'config'));
  });

  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('refuses a database.yml that links to /dev/zero, or is a FIFO', async () => {
    const file = path.join(workspace, 'config/database.yml');
    await fs.symlink('/dev/zero', file);
    await assert.rejects(resolveIn(workspace), configError(/database\.yml is not a regular file/));
    await assert.rejects(listDatabaseYml(workspace, {}), configError(/not a regular file/));

    await fs.unlink(file);
    execFileSync('mkfifo', [file]);
    await assert.rejects(resolveIn(workspace), configError(/database\.yml is not a regular file/));
  });

  it('refuses a database.yml over the limit, naming it', async () => {
    await fs.writeFile(
      path.join(workspace, 'config/database.yml'),
      `${YML}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`,
    );
    await assert.rejects(resolveIn(workspace), configError(/database\.yml is larger than 1 MB/));
  });

  it('refuses a .env that links to /dev/zero instead of reading it', async () => {
    await fs.writeFile(path.join(workspace, 'config/database.yml'), YML);
    await fs.symlink('/dev/zero', path.join(workspace, '.env'));
    await assert.rejects(resolveIn(workspace), configError(/\.env is not a regular file/));
  });

  it('still reads a plain database.yml next to a plain .env', async () => {
    await fs.writeFile(path.join(workspace, 'config/database.yml'), YML);
    await fs.writeFile(path.join(workspace, '.env'), 'OTHER=1\n');
    const resolved = (await resolveIn(workspace)) as { databaseName: string };
    assert.equal(resolved.databaseName, 'app');
  });
});

describe('hostile database.yml text', () => {
  it('reads a repeated key as Rails does, the last value, naming both lines', () => {
    const yml = parseDatabaseYml(`${YML}  database: other\n`, {});
    assert.equal(yml.entries[0].values.database, 'other');
    assert.deepEqual(yml.repeatedKeys, [{ key: 'database', line: 5, firstLine: 4 }]);
    const merged = parseDatabaseYml(
      'a: &a {host: h}\nb: &b {port: 1}\ndevelopment:\n  <<: *a\n  <<: *b\n  database: d\n',
      {},
    );
    assert.deepEqual(merged.entries.at(-1)?.values, { host: 'h', port: 1, database: 'd' });
    assert.deepEqual(merged.repeatedKeys, []);
  });

  it('finds the repeats of a file with thousands of keys in one map in linear time', () => {
    const file = (count: number): string =>
      YML + Array.from({ length: count }, (_, k) => `  k${k % (count / 2)}: ${k}\n`).join('');
    // Against a tenth of the file in this process's CPU time, the best of five each: linear is
    // about 10x, a scan per key about 100x.
    assertLinear(file, (text) => parseDatabaseYml(text, {}), 2_000, { factor: 10, tries: 5 });
    const yml = parseDatabaseYml(file(20_000), {});
    assert.equal(yml.repeatedKeys.length, 10_000);
    assert.equal(yml.entries[0].values.k0, 10_000);
  });

  it('names the lines of the file as written after an ERB tag over several lines', () => {
    // Rails drops the comment, its line breaks too; the lines named are still the file's.
    const comment = '<%#\n  Shared by every environment;\n  see the wiki.\n%>\n';
    const multiline = '  host: <%= ENV.fetch("DB_HOST") {\n    "localhost" } %>\n';
    const text = `${comment}${YML}${multiline}  database: other\n  port: 1\n  port: 2\n`;
    const yml = parseDatabaseYml(text, {});
    assert.equal(yml.entries[0].line, text.split('\n').indexOf('development:') + 1);
    assert.deepEqual(yml.repeatedKeys, [
      { key: 'host', line: 9, firstLine: 7 },
      { key: 'database', line: 11, firstLine: 8 },
      { key: 'port', line: 13, firstLine: 12 },
    ]);
    // The column too, of the line as written: an ERB tag before the key takes room there.
    const flow = `${comment}development: {<%= ENV["NOPE"] %>port: 1, port: 2}\n`;
    assert.deepEqual(parseDatabaseYml(flow, {}).repeatedKeys, [
      { key: 'port', line: 5, firstLine: 5, firstColumn: flow.split('\n')[4].indexOf('port') + 1 },
    ]);
    assert.throws(
      () => parseDatabaseYml(`${comment}development:\n  host: [\n`, {}),
      /is not valid YAML at line 7:/,
    );
  });

  it('gives ERB tags their line in linear time when thousands of them share one line', () => {
    const fileOf = (tags: number): string =>
      `${'<%# c %>'.repeat(tags)}\n${YML}  password: <%= secret %>\n`;
    assertLinear(fileOf, (text) => parseDatabaseYml(text, {}), 80_000);
    const yml = parseDatabaseYml(fileOf(20_000), {});
    assert.deepEqual([...yml.unsupported.values()], [{ line: 6 }]);
  });
});
