/**
 * Connection URLs typed by hand with their scheme mistyped or left out, in a cron line's
 * DATABASE_URL or a drill's --target: `postgres:/app:pw@db/x` (one slash), `//app:pw@db/x`,
 * `drill:pw@db/postgres`. The driver reads the first two as a database or a socket path holding
 * the whole text, which the reports then named with its password. Each must be refused as no
 * PostgreSQL URL, and no output may hold the password.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const PASSWORD = 'S3cretZZpw';

describe('mistyped connection URLs', function () {
  this.timeout(60_000);
  let workspace: string;

  before(async () => {
    workspace = await tempFolderWith('upkeep-urls-', { Gemfile: "source 'x'\n" });
  });

  for (const url of [
    `postgres:/app:${PASSWORD}@127.0.0.1:1/shop`,
    `postgresql:app:${PASSWORD}@127.0.0.1:1/shop`,
    `//app:${PASSWORD}@127.0.0.1:1/shop`,
  ]) {
    it(`refuses DATABASE_URL=${url.replace(PASSWORD, 'PW')}, printing no password`, async () => {
      for (const args of [
        ['check', '--check', 'health.database', '--format', 'json'],
        ['check', '--check', 'health.database', '--format', 'junit'],
        ['db', '--format', 'json'],
        ['db'],
        // The drill reads it as the monitored database, whose server its plan names.
        [
          'drill',
          '--dump',
          path.join(workspace, 'Gemfile'),
          '--target',
          'postgres://a@127.0.0.1:1/',
        ],
      ]) {
        const run = await runCli([...args, '--workspace', workspace], { DATABASE_URL: url });
        const output = run.stdout + run.stderr;
        assert.ok(!output.includes(PASSWORD), `${args.join(' ')} printed the password: ${output}`);
        assert.equal(run.code, 2, `${args.join(' ')}: ${output}`);
        assert.match(output, /DATABASE_URL is not a PostgreSQL URL/);
      }
    });
  }

  for (const [target, shown] of [
    [`drill:${PASSWORD}@10.0.0.7:5432/postgres`, 'drill:***@10.0.0.7:5432/postgres'],
    // Its scheme left out or mistyped, as DATABASE_URL's above: the first two were printed whole.
    [`//drill:${PASSWORD}@10.0.0.7:5432/postgres`, '//drill:***@10.0.0.7:5432/postgres'],
    [`postgres//drill:${PASSWORD}@10.0.0.7/postgres`, 'postgres//drill:***@10.0.0.7/postgres'],
    [`postgres:/drill:${PASSWORD}@10.0.0.7/postgres`, 'postgres:***@10.0.0.7/postgres'],
  ]) {
    it(`a drill target ${shown} is named with its password hidden`, async () => {
      const dump = path.join(workspace, 'Gemfile');
      const run = await runCli([
        ...['drill', '--workspace', workspace, '--dump', dump],
        ...['--target', target],
      ]);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(!(run.stdout + run.stderr).includes(PASSWORD), run.stderr);
      assert.ok(
        run.stderr.includes(`The drill target ${shown} is not a postgres:// URL.`),
        run.stderr,
      );
    });
  }
});
