/**
 * What Upkeep makes of connection settings Rails and libpq read their own way, on the real
 * embedded server, through the check engine and `upkeep db`: a config/database.yml that gives a
 * key twice connects with the last value and warns at its line; an sslmode libpq does not know
 * is refused before anything connects; each one libpq knows means what it means to psql, from
 * a URL as from PGSSLMODE, on a server without SSL and on one with a self-signed certificate,
 * and none applies over a Unix socket.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveConnection } from '../../../src/core/db/connection';
import { connectClient } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';
import { admin, dedicatedServer, embeddedServer } from '../../support/postgres';
import { UpkeepError } from '../../../src/core/util/errors';
import type { CertificateFiles } from '../../support/certificates';
import {
  certificateAuthority,
  selfSignedCertificate,
  signedCertificate,
} from '../../support/certificates';
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
          '"password" is given again (first at line 9): Rails reads the last value, and so ' +
          'does Upkeep. Remove the one not meant.',
        severity: 'warning',
        file: 'config/database.yml',
        line: 11,
      },
    ]);

    const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {});
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(
      run.stderr,
      'upkeep db: warning: config/database.yml:11: "password" is given again (first at ' +
        'line 9): Rails reads the last value, and so does Upkeep. Remove the one not meant.\n',
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

/**
 * A server of the test's own with SSL on and a certificate no CA signed, as many self-hosted
 * servers have: libpq's require, prefer and allow connect to it; verify-full does not.
 */
async function selfSignedServer(): Promise<RunningPostgres> {
  const dir = await tempFolder('upkeep-sslcert-');
  await fs.chmod(dir, 0o755);
  return sslServer(selfSignedCertificate(dir, 2));
}

/** A server of the test's own with SSL on, its certificate and key `files`, and `settings`. */
async function sslServer(
  files: CertificateFiles,
  settings: Record<string, string> = {},
): Promise<RunningPostgres> {
  const { keyFile: key, certFile: cert } = files;
  // As root, the server runs as `postgres`, which must own its key (0600).
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    await fs.chown(key, uid, gid);
    await fs.chown(cert, uid, gid);
  }
  await fs.chmod(key, 0o600);
  return dedicatedServer('embedded', {
    ssl: 'on',
    ssl_cert_file: cert,
    ssl_key_file: key,
    ...settings,
  });
}

/** Whether the session `url` with `env` opens (through Upkeep's connect) uses SSL. */
async function sslInUse(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const connection = await resolveConnection({
    workspace: os.tmpdir(),
    settings: resolveSettings(),
    env: { ...env, DATABASE_URL: url },
    trusted: false,
  });
  const client = await connectClient(connection, 10_000, () => undefined);
  try {
    const result = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return result.rows[0].ssl;
  } finally {
    await client.end();
  }
}

describe('sslmode as libpq reads it, from a URL or PGSSLMODE (embedded PostgreSQL)', function () {
  this.timeout(120_000);

  it('connects to a server without SSL with prefer and allow, refuses require', async () => {
    const server = await embeddedServer();
    const db = (env: NodeJS.ProcessEnv) => runCli(['db', '--card', 'connectivity'], env);
    for (const mode of ['prefer', 'allow']) {
      const run = await db({ DATABASE_URL: server.url(), PGSSLMODE: mode });
      assert.equal(run.code, 0, `PGSSLMODE=${mode}: ${run.stderr}`);
    }
    const required = await db({ DATABASE_URL: server.url(), PGSSLMODE: 'require' });
    assert.equal(required.code, 1, required.stderr);
    assert.match(required.stderr, /does not support SSL/);
    // The URL names no sslmode: the message says where the one asking for SSL was read.
    assert.match(required.stderr, /\nPGSSLMODE=require in the environment asks for SSL/);
  });

  it('reads no sslmode on a Unix socket, as libpq does not: psql connects there', async () => {
    const server = await embeddedServer();
    const [{ unix_socket_directories: socket }] = await admin<{ unix_socket_directories: string }>(
      server.url(),
      'SHOW unix_socket_directories',
    );
    const yml = (extra: string) => `development:
  adapter: postgresql
  host: ${socket}
  port: ${server.port}
  username: postgres
  password: ${server.password}
  database: postgres
${extra}`;
    const plain = await workspaceWith(yml(''));
    const inFile = await workspaceWith(yml('  sslmode: require\n'));
    const runs = [
      [plain, { PGSSLMODE: 'require' }],
      [plain, { PGSSLMODE: 'verify-full' }],
      [inFile, {}],
    ] as const;
    for (const [workspace, env] of runs) {
      const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], env);
      assert.equal(run.code, 0, `${JSON.stringify(env)}: ${run.stderr}`);
    }
  });

  it('encrypts, not verifying a self-signed certificate, for require, prefer, allow', async () => {
    const server = await selfSignedServer();
    for (const mode of ['require', 'prefer', 'allow']) {
      assert.equal(await sslInUse(`${server.url()}?sslmode=${mode}`, {}), true, mode);
      assert.equal(await sslInUse(server.url(), { PGSSLMODE: mode }), true, `PGSSLMODE=${mode}`);
    }
    // The CLI, whose pg sees PGSSLMODE too.
    const run = await runCli(['db', '--card', 'connectivity'], {
      DATABASE_URL: server.url(),
      PGSSLMODE: 'require',
    });
    assert.equal(run.code, 0, run.stderr);
    // verify-full checks the certificate, from either place.
    for (const env of [{ PGSSLMODE: 'verify-full' }, {}]) {
      const url = env.PGSSLMODE ? server.url() : `${server.url()}?sslmode=verify-full`;
      await assert.rejects(sslInUse(url, env), /self-signed certificate/);
    }
  });
});

describe('PGSSLROOTCERT, PGSSLCERT, PGSSLKEY as libpq reads them (embedded server)', function () {
  this.timeout(180_000);
  let dir: string;
  let ca: CertificateFiles;
  let server: RunningPostgres;

  before(async () => {
    dir = await tempFolder('upkeep-sslca-');
    await fs.chmod(dir, 0o755);
    ca = certificateAuthority(dir, 'team-ca');
    const own = await signedCertificate(dir, ca, 'server', '127.0.0.1', 'IP:127.0.0.1');
    // The database `certs` lets in only a client showing a certificate the CA signed.
    const hba = path.join(dir, 'pg_hba.conf');
    await fs.writeFile(
      hba,
      'hostssl certs all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\n' +
        'hostssl all all 127.0.0.1/32 scram-sha-256\n',
    );
    server = await sslServer(own, { ssl_ca_file: ca.certFile, hba_file: hba });
    await admin(`${server.url()}?sslmode=no-verify`, 'CREATE DATABASE certs');
  });

  it('verifies the server against the CA PGSSLROOTCERT names, as psql does', async () => {
    const env = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca.certFile };
    assert.equal(await sslInUse(server.url(), env), true);
    assert.equal(await sslInUse(server.url(), { ...env, PGSSLMODE: 'verify-ca' }), true);
    // The URL's own sslmode takes PGSSLROOTCERT's CA as well.
    const named = `${server.url()}?sslmode=verify-full`;
    assert.equal(await sslInUse(named, { PGSSLROOTCERT: ca.certFile }), true);
    // The CLI, as the maintainer's shell runs it.
    const run = await runCli(['db', '--card', 'connectivity'], {
      DATABASE_URL: server.url(),
      ...env,
    });
    assert.equal(run.code, 0, run.stderr);
  });

  it("says a server certificate another CA signed is not signed by PGSSLROOTCERT's", async () => {
    const other = certificateAuthority(dir, 'other-ca');
    for (const mode of ['verify-full', 'verify-ca']) {
      await assert.rejects(
        sslInUse(server.url(), { PGSSLMODE: mode, PGSSLROOTCERT: other.certFile }),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
          assert.match(error.message, /certificate/);
          assert.equal(
            error.hint,
            "The server's certificate is not signed by the CA in PGSSLROOTCERT " +
              `(${other.certFile}): point PGSSLROOTCERT at the CA that signed it.`,
          );
          return true;
        },
      );
    }
  });

  it('verify-ca checks the chain, not the host name: a certificate for another host', async () => {
    const elsewhere = await signedCertificate(dir, ca, 'db', 'db.internal', 'DNS:db.internal');
    const other = await sslServer(elsewhere);
    try {
      const root = { PGSSLROOTCERT: ca.certFile };
      assert.equal(await sslInUse(other.url(), { ...root, PGSSLMODE: 'verify-ca' }), true);
      assert.equal(await sslInUse(`${other.url()}?sslmode=verify-ca`, root), true);
      await assert.rejects(
        sslInUse(other.url(), { ...root, PGSSLMODE: 'verify-full' }),
        /does not match certificate's altnames/,
      );
    } finally {
      await other.stop();
    }
  });

  it('shows the client certificate of PGSSLCERT and PGSSLKEY to a server asking one', async () => {
    const client = await signedCertificate(dir, ca, 'client', 'postgres');
    const root = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca.certFile };
    const keys = { PGSSLCERT: client.certFile, PGSSLKEY: client.keyFile };
    assert.equal(await sslInUse(server.url('certs'), { ...root, ...keys }), true);
    // With no sslmode at all, libpq's prefer offers the certificate too.
    assert.equal(await sslInUse(server.url('certs'), keys), true);
    await assert.rejects(sslInUse(server.url('certs'), root), /certificate/);
  });
});
