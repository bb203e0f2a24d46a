/**
 * What Upkeep makes of connection settings Rails and libpq read their own way, on the real
 * embedded server, through the check engine and `upkeep db`: a config/database.yml that gives a
 * key twice connects with the last value and warns at its line; an sslmode libpq does not know
 * is refused before anything connects.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';
import { embeddedServer } from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

/** Rails' own file with the password given twice: a stale one, then the one that works. */
const REPEATED_PASSWORD = (server: RunningPostgres) => `default: &default
  adapter: postgresql
  host: 127.0.0.1
  port: ${server.port}
  username: postgres

development:
  <<: *default
  password: stale-pa55word
  database: postgres
  password: ${server.password}
`;

async function workspaceWith(yml: string): Promise<string> {
  const dir = await tempFolder('upkeep-connconfig-');
  await fs.mkdir(path.join(dir, 'config'));
  await fs.writeFile(path.join(dir, 'config/database.yml'), yml);
  return dir;
}

async function health(workspace: string, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const results = await runChecks(
    createDbChecks({}).filter((check) => check.id === 'health.database'),
    {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: true,
      env,
    },
    { onFinished: closeSharedDbSession },
  );
  return results[0];
}

describe('connection settings as Rails and libpq read them (embedded PostgreSQL)', function () {
  this.timeout(120_000);
  let server: RunningPostgres;

  before(async () => {
    server = await embeddedServer();
  });

  it('connects with the last of a repeated key, with a warning at its line', async () => {
    const workspace = await workspaceWith(REPEATED_PASSWORD(server));
    const result = await health(workspace, {});
    assert.equal(result.outcome, 'pass', result.summary);
    assert.deepEqual(result.findings, [
      {
        message:
          '"password" is given again at line 11 (first at line 9): Rails reads the last ' +
          'value, and so does Upkeep. Remove the one not meant.',
        severity: 'warning',
        file: 'config/database.yml',
        line: 11,
      },
    ]);

    const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {});
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(
      run.stderr,
      'upkeep db: warning: config/database.yml:11: "password" is given again at line 11 ' +
        '(first at line 9): Rails reads the last value, and so does Upkeep. Remove the one ' +
        'not meant.\n',
    );
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(`${server.password}|stale-pa55`));
  });

  it('refuses an sslmode libpq does not know before connecting, in each source', async () => {
    const url = `${server.url()}?sslmode=bogus`;
    const fromUrl = await runCli(['db', '--card', 'connectivity'], { DATABASE_URL: url });
    assert.equal(fromUrl.code, 2, fromUrl.stderr + fromUrl.stdout);
    assert.equal(
      fromUrl.stderr,
      'upkeep db: The connection URL from DATABASE_URL sets sslmode to "bogus", which libpq ' +
        '(psql, Rails) refuses.\nWrite one of disable, allow, prefer, require, verify-ca, ' +
        'verify-full.\n',
    );

    const fromEnvironment = await runCli(['db', '--card', 'connectivity'], {
      DATABASE_URL: server.url(),
      PGSSLMODE: 'verify_full',
    });
    assert.equal(fromEnvironment.code, 2, fromEnvironment.stderr);
    assert.match(fromEnvironment.stderr, /^upkeep db: PGSSLMODE sets sslmode to "verify_full"/);

    const workspace = await workspaceWith(`${REPEATED_PASSWORD(server)}  sslmode: prefered\n`);
    const result = await health(workspace, {});
    assert.equal(result.outcome, 'fail');
    assert.equal(result.configProblem, true);
    assert.match(
      result.summary,
      /^config\/database\.yml, development sets sslmode to "prefered", which libpq/,
    );
    for (const text of [fromUrl.stderr, fromEnvironment.stderr, result.summary, result.details]) {
      assert.doesNotMatch(text ?? '', new RegExp(server.password));
    }
  });
});
