/**
 * What Upkeep makes of connection settings Rails and libpq read their own way, on the real
 * embedded server, through the check engine and `upkeep db`: a config/database.yml that gives a
 * key twice connects with the last value and warns at its line; an sslmode libpq does not know
 * is refused before anything connects; each one libpq knows means what it means to psql, from
 * a URL as from PGSSLMODE, on a server without SSL and on one with a self-signed certificate,
 * and none applies over a Unix socket. Certificate files are found where libpq finds them (the
 * source, PGSSLROOTCERT and the like, ~/.postgresql under a HOME of the test's own), psql being
 * the yardstick, and relative ones are read from the app folder.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { closeSharedDbSession, createDbChecks } from '../../../src/core/checks/dbChecks';
import { planRecoveryDrill, targetEndpoint } from '../../../src/core/checks/drillPlan';
import { runRecoveryDrill } from '../../../src/core/checks/recoveryDrill';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveConnection } from '../../../src/core/db/connection';
import { connectClient } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { runCli } from '../../support/cli';
import {
  admin,
  createDatabase,
  debianServer,
  dedicatedServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';
import { UpkeepError } from '../../../src/core/util/errors';
import type { CertificateFiles } from '../../support/certificates';
import {
  certificateAuthority,
  revocationList,
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
  return sslInSession(os.tmpdir(), { ...env, DATABASE_URL: url }, false);
}

/** Whether the session Upkeep opens for `workspace` with `env` uses SSL. */
async function sslInSession(
  workspace: string,
  env: NodeJS.ProcessEnv,
  trusted: boolean,
): Promise<boolean> {
  const connection = await resolveConnection({
    workspace,
    settings: resolveSettings(),
    env,
    trusted,
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

/**
 * A server of the test's own whose certificate a CA of the test's own (`team-ca`) signed, with
 * SSL only: its database `certs` lets in only a client showing a certificate that CA signed.
 */
async function teamCaServer(): Promise<{
  dir: string;
  ca: CertificateFiles;
  server: RunningPostgres;
  /** The server's own certificate and key. */
  own: CertificateFiles;
}> {
  const dir = await tempFolder('upkeep-sslca-');
  await fs.chmod(dir, 0o755);
  const ca = certificateAuthority(dir, 'team-ca');
  const own = await signedCertificate(dir, ca, 'server', '127.0.0.1', 'IP:127.0.0.1');
  const hba = path.join(dir, 'pg_hba.conf');
  await fs.writeFile(
    hba,
    'hostssl certs all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\n' +
      'hostssl all all 127.0.0.1/32 scram-sha-256\n',
  );
  const server = await sslServer(own, { ssl_ca_file: ca.certFile, hba_file: hba });
  await admin(`${server.url()}?sslmode=no-verify`, 'CREATE DATABASE certs');
  return { dir, ca, server, own };
}

describe('PGSSLROOTCERT, PGSSLCERT, PGSSLKEY as libpq reads them (embedded server)', function () {
  this.timeout(180_000);
  let dir: string;
  let ca: CertificateFiles;
  let server: RunningPostgres;

  before(async () => {
    ({ dir, ca, server } = await teamCaServer());
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

/**
 * What psql (libpq itself) makes of `url` with `env` alone: whether its session uses SSL, or
 * what it says when it cannot connect. The yardstick Upkeep's reading is held to.
 */
function psqlSsl(url: string, env: NodeJS.ProcessEnv): boolean | string {
  const query = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
  try {
    const out = execFileSync('/usr/bin/psql', ['-XAtc', query, url], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    return out.toString().trim() === 't';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

/** A home folder of the test's own whose ~/.postgresql holds copies of `files` (name: from). */
async function homeWith(files: Record<string, string>): Promise<string> {
  const home = await tempFolder('upkeep-home-');
  const folder = path.join(home, '.postgresql');
  await fs.mkdir(folder);
  for (const [name, from] of Object.entries(files)) {
    await fs.copyFile(from, path.join(folder, name));
    // libpq refuses a key others can read, as ssh does.
    await fs.chmod(path.join(folder, name), 0o600);
  }
  return home;
}

/** An UpkeepError check: its code, a message matching `message`, and no key in its words. */
function refusedWith(code: string, message: RegExp, key?: string) {
  return (error: unknown): boolean => {
    assert.ok(UpkeepError.is(error, code as 'config'), String(error));
    assert.match(error.message, message);
    const words = `${error.message} ${error.hint ?? ''}`;
    if (key) assert.ok(!words.includes(key.split('\n')[1]), 'the key is not shown');
    assert.doesNotMatch(words, /PRIVATE KEY/);
    return true;
  };
}

describe("libpq's default files in ~/.postgresql, HOME the connection's", function () {
  this.timeout(240_000);
  let dir: string;
  let ca: CertificateFiles;
  let other: CertificateFiles;
  let server: RunningPostgres;
  let own: CertificateFiles;

  before(async () => {
    ({ dir, ca, server, own } = await teamCaServer());
    other = certificateAuthority(dir, 'other-ca');
  });

  it('checks the server against ~/.postgresql/root.crt; require reads as verify-ca', async () => {
    const right = await homeWith({ 'root.crt': ca.certFile });
    const wrong = await homeWith({ 'root.crt': other.certFile });
    // libpq's own reading, the yardstick.
    assert.equal(psqlSsl(server.url(), { HOME: right, PGSSLMODE: 'verify-ca' }), true);
    const psqlWrong = psqlSsl(server.url(), { HOME: wrong, PGSSLMODE: 'require' });
    assert.match(String(psqlWrong), /certificate verify failed/);

    for (const mode of ['require', 'verify-ca', 'verify-full']) {
      assert.equal(await sslInUse(server.url(), { HOME: right, PGSSLMODE: mode }), true, mode);
    }
    // No sslmode at all: libpq's prefer, with SSL since there is a CA to check against.
    assert.equal(await sslInUse(server.url(), { HOME: right }), true);
    for (const mode of ['require', 'verify-ca']) {
      await assert.rejects(
        sslInUse(server.url(), { HOME: wrong, PGSSLMODE: mode }),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
          const file = path.join(wrong, '.postgresql', 'root.crt');
          assert.equal(
            error.hint,
            `The server's certificate is not signed by the CA in ~/.postgresql/root.crt ` +
              `(${file}), which libpq reads when nothing names a CA: put the CA that signed it ` +
              'there, or name that one with sslrootcert (or PGSSLROOTCERT).',
          );
          return true;
        },
      );
    }
    // PGSSLROOTCERT names the CA: the default is not read.
    const named = { HOME: wrong, PGSSLROOTCERT: ca.certFile, PGSSLMODE: 'require' };
    assert.equal(await sslInUse(server.url(), named), true);
    // The CLI, as a cron line runs it, with its HOME.
    const run = await runCli(['db', '--card', 'connectivity'], {
      DATABASE_URL: server.url(),
      HOME: right,
      PGSSLMODE: 'verify-ca',
    });
    assert.equal(run.code, 0, run.stderr);
  });

  it('goes on without SSL under prefer when the default CA did not sign, as psql', async () => {
    const selfSigned = await selfSignedServer();
    try {
      const home = await homeWith({ 'root.crt': ca.certFile });
      assert.equal(psqlSsl(selfSigned.url(), { HOME: home }), false);
      assert.equal(await sslInUse(selfSigned.url(), { HOME: home }), false);
      assert.equal(await sslInUse(selfSigned.url(), { HOME: home, PGSSLMODE: 'allow' }), false);
      await assert.rejects(
        sslInUse(selfSigned.url(), { HOME: home, PGSSLMODE: 'require' }),
        /self-signed certificate/,
      );
    } finally {
      await selfSigned.stop();
    }
  });

  it('shows ~/.postgresql/postgresql.crt with postgresql.key to a server asking one', async () => {
    const client = await signedCertificate(dir, ca, 'home-client', 'postgres');
    const key = await fs.readFile(client.keyFile, 'utf8');
    const home = await homeWith({
      'root.crt': ca.certFile,
      'postgresql.crt': client.certFile,
      'postgresql.key': client.keyFile,
    });
    assert.equal(psqlSsl(server.url('certs'), { HOME: home }), true);
    assert.equal(await sslInUse(server.url('certs'), { HOME: home }), true);
    const full = { HOME: home, PGSSLMODE: 'verify-full' };
    assert.equal(await sslInUse(server.url('certs'), full), true);

    // A key others may read is refused before connecting, as psql refuses it.
    const keyFile = path.join(home, '.postgresql', 'postgresql.key');
    await fs.chmod(keyFile, 0o644);
    assert.match(String(psqlSsl(server.url('certs'), { HOME: home })), /group or world access/);
    await assert.rejects(
      sslInUse(server.url('certs'), { HOME: home }),
      refusedWith('config', /postgresql\.key, which others can read \(mode 0644\)/, key),
    );

    // A certificate without its key is refused before connecting, as libpq refuses it.
    await fs.rm(keyFile);
    await assert.rejects(
      sslInUse(server.url('certs'), { HOME: home }),
      refusedWith('config', /has no key: nothing names one \(sslkey, PGSSLKEY\) and libpq's/),
    );
    await fs.mkdir(keyFile);
    await assert.rejects(
      sslInUse(server.url('certs'), { HOME: home }),
      refusedWith(
        'config',
        new RegExp(`^libpq reads its default client key ${keyFile}, which is not a regular file`),
        key,
      ),
    );
  });

  it('checks the server against ~/.postgresql/root.crl with the CA, as libpq', async () => {
    const revoked = await revocationList(dir, ca, 'revoked', [own]);
    const clean = await revocationList(dir, ca, 'clean', []);
    const home = await homeWith({ 'root.crt': ca.certFile, 'root.crl': revoked });
    const env = { HOME: home, PGSSLMODE: 'verify-full' };
    assert.match(String(psqlSsl(server.url(), env)), /certificate verify failed/);
    await assert.rejects(sslInUse(server.url(), env), /certificate revoked/);
    await fs.copyFile(clean, path.join(home, '.postgresql', 'root.crl'));
    assert.equal(psqlSsl(server.url(), env), true);
    assert.equal(await sslInUse(server.url(), env), true);
  });
});

describe('sslrootcert, sslcert, sslkey of config/database.yml as Rails reads them', function () {
  this.timeout(240_000);
  let dir: string;
  let ca: CertificateFiles;
  let server: RunningPostgres;
  let client: CertificateFiles;

  const yml = (extra: string, database = 'postgres') => `development:
  adapter: postgresql
  host: 127.0.0.1
  port: ${server.port}
  username: postgres
  password: ${server.password}
  database: ${database}
${extra}`;

  before(async () => {
    ({ dir, ca, server } = await teamCaServer());
    client = await signedCertificate(dir, ca, 'yml-client', 'postgres');
  });

  it('reads sslrootcert without sslmode as libpq: prefer, checking the chain', async () => {
    const root = await workspaceWith(yml(`  sslrootcert: ${ca.certFile}\n`));
    // The server takes SSL only: a connection that dropped the key went without and was refused.
    assert.equal(await sslInSession(root, {}, true), true);
    // PGSSLMODE gives the sslmode the file does not, and the file's CA is checked.
    assert.equal(await sslInSession(root, { PGSSLMODE: 'verify-full' }, true), true);
    const run = await runCli(['db', '--workspace', root, '--card', 'connectivity'], {});
    assert.equal(run.code, 0, run.stderr);

    const other = certificateAuthority(dir, 'yml-other-ca');
    const wrong = await workspaceWith(
      yml(`  sslmode: require\n  sslrootcert: ${other.certFile}\n`),
    );
    await assert.rejects(sslInSession(wrong, {}, true), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
      assert.equal(
        error.hint,
        "The server's certificate is not signed by the CA in the sslrootcert of " +
          `config/database.yml, development (${other.certFile}): point sslrootcert at the CA ` +
          'that signed it.',
      );
      return true;
    });
  });

  it('reads sslcert and sslkey without sslmode and shows them to a server asking', async () => {
    const keys = `  sslcert: ${client.certFile}\n  sslkey: ${client.keyFile}\n`;
    const workspace = await workspaceWith(yml(keys, 'certs'));
    assert.equal(await sslInSession(workspace, {}, true), true);
    const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {});
    assert.equal(run.code, 0, run.stderr);
  });

  it("reads relative paths from the app folder, not the process's, variables too", async () => {
    const files =
      '  sslmode: verify-full\n  sslrootcert: certs/team-ca.pem\n' +
      '  sslcert: certs/client.pem\n  sslkey: certs/client.key\n';
    const workspace = await workspaceWith(yml(files, 'certs'));
    await fs.mkdir(path.join(workspace, 'certs'));
    await fs.copyFile(ca.certFile, path.join(workspace, 'certs/team-ca.pem'));
    await fs.copyFile(client.certFile, path.join(workspace, 'certs/client.pem'));
    await fs.copyFile(client.keyFile, path.join(workspace, 'certs/client.key'));
    assert.notEqual(process.cwd(), workspace);
    assert.equal(await sslInSession(workspace, {}, true), true);
    // The CLI runs in another folder, given the app's with --workspace.
    const run = await runCli(['db', '--workspace', workspace, '--card', 'connectivity'], {});
    assert.equal(run.code, 0, run.stderr);

    // A url: key's files, and the variables', are read from the app folder too.
    const url = `${server.url('certs')}?sslmode=verify-full&sslrootcert=certs/team-ca.pem`;
    const inUrl = await workspaceWith(
      `development:\n  url: ${url}\n  sslcert: certs/client.pem\n  sslkey: certs/client.key\n`,
    );
    await fs.cp(path.join(workspace, 'certs'), path.join(inUrl, 'certs'), { recursive: true });
    assert.equal(await sslInSession(inUrl, {}, true), true);
    const variables = {
      DATABASE_URL: server.url('certs'),
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: 'certs/team-ca.pem',
      PGSSLCERT: 'certs/client.pem',
      PGSSLKEY: 'certs/client.key',
    };
    assert.equal(await sslInSession(workspace, variables, false), true);

    // A missing one says where it was looked for.
    const missing = await workspaceWith(yml('  sslrootcert: certs/none.pem\n'));
    await assert.rejects(
      sslInSession(missing, {}, true),
      refusedWith(
        'config',
        new RegExp(
          '^config/database\\.yml, development names sslrootcert certs/none\\.pem ' +
            `\\(${path.join(missing, 'certs/none.pem')}\\), which does not exist\\.$`,
        ),
      ),
    );
  });
});

describe('sslcrl and PGSSLCRL as libpq reads them; sslrootcert=system refused', function () {
  this.timeout(240_000);
  let dir: string;
  let ca: CertificateFiles;
  let server: RunningPostgres;
  let own: CertificateFiles;
  let revoked: string;
  let clean: string;

  before(async () => {
    ({ dir, ca, server, own } = await teamCaServer());
    revoked = await revocationList(dir, ca, 'named-revoked', [own]);
    clean = await revocationList(dir, ca, 'named-clean', []);
  });

  /** An app folder whose certs/ holds the CA and `crl` as certs/list.crl. */
  async function appWith(crl: string): Promise<string> {
    const workspace = await workspaceWith('');
    await fs.mkdir(path.join(workspace, 'certs'));
    await fs.copyFile(ca.certFile, path.join(workspace, 'certs/team-ca.pem'));
    await fs.copyFile(crl, path.join(workspace, 'certs/list.crl'));
    return workspace;
  }

  it('checks the server against the list sslcrl or PGSSLCRL names, in the app', async () => {
    const bad = await appWith(revoked);
    const good = await appWith(clean);
    const query = 'sslmode=verify-full&sslrootcert=certs/team-ca.pem&sslcrl=certs/list.crl';
    const url = `${server.url()}?${query}`;
    const home = await homeWith({});
    // libpq's own reading, the yardstick, with the same files named absolutely.
    const absolute = (app: string): string =>
      `${server.url()}?sslmode=verify-full&sslrootcert=${path.join(app, 'certs/team-ca.pem')}` +
      `&sslcrl=${path.join(app, 'certs/list.crl')}`;
    assert.match(String(psqlSsl(absolute(bad), { HOME: home })), /certificate verify failed/);
    assert.equal(psqlSsl(absolute(good), { HOME: home }), true);

    const inUrl = { DATABASE_URL: url, HOME: home };
    await assert.rejects(sslInSession(bad, inUrl, false), /certificate revoked/);
    assert.equal(await sslInSession(good, inUrl, false), true);

    const variable = {
      DATABASE_URL: server.url(),
      HOME: home,
      PGSSLMODE: 'require',
      PGSSLROOTCERT: 'certs/team-ca.pem',
      PGSSLCRL: 'certs/list.crl',
    };
    await assert.rejects(sslInSession(bad, variable, false), /certificate revoked/);
    assert.equal(await sslInSession(good, variable, false), true);

    // config/database.yml's sslcrl key, which Rails hands to libpq.
    const keys =
      `development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: ${server.port}\n` +
      `  username: postgres\n  password: ${server.password}\n  database: postgres\n` +
      '  sslmode: verify-ca\n  sslrootcert: certs/team-ca.pem\n  sslcrl: certs/list.crl\n';
    await fs.writeFile(path.join(bad, 'config/database.yml'), keys);
    await assert.rejects(sslInSession(bad, { HOME: home }, true), /certificate revoked/);

    // A list named where there is none is refused in words: libpq would check no revocation.
    const none = `${server.url()}?sslmode=verify-full&sslrootcert=certs/team-ca.pem&sslcrl=x.crl`;
    await assert.rejects(
      sslInSession(good, { DATABASE_URL: none, HOME: home }, false),
      refusedWith(
        'config',
        new RegExp(
          `^DATABASE_URL names sslcrl x\\.crl \\(${path.join(good, 'x.crl')}\\), which does ` +
            'not exist: libpq would skip it and check no revocation at all\\.$',
        ),
      ),
    );
  });

  it("reads every list of a file, as libpq: a bundle of two CAs' lists", async () => {
    const other = certificateAuthority(dir, 'bundle-other-ca');
    const otherList = await revocationList(dir, other, 'bundle-other', []);
    const bundle = async (second: string): Promise<string> => {
      const app = await appWith(clean);
      const text = (await fs.readFile(otherList, 'utf8')) + (await fs.readFile(second, 'utf8'));
      await fs.writeFile(path.join(app, 'certs/list.crl'), text);
      return app;
    };
    const good = await bundle(clean);
    const bad = await bundle(revoked);
    const home = await homeWith({});
    const query = 'sslmode=verify-full&sslrootcert=certs/team-ca.pem&sslcrl=certs/list.crl';
    const absolute = (app: string): string =>
      `${server.url()}?sslmode=verify-full&sslrootcert=${path.join(app, 'certs/team-ca.pem')}` +
      `&sslcrl=${path.join(app, 'certs/list.crl')}`;
    // libpq checks the team CA's list, the second in the file.
    assert.equal(psqlSsl(absolute(good), { HOME: home }), true);
    assert.match(String(psqlSsl(absolute(bad), { HOME: home })), /certificate verify failed/);

    const env = { DATABASE_URL: `${server.url()}?${query}`, HOME: home };
    assert.equal(await sslInSession(good, env, false), true);
    await assert.rejects(sslInSession(bad, env, false), /certificate revoked/);
  });

  it('checks the server against the folder sslcrldir or PGSSLCRLDIR names, as libpq', async () => {
    /** An app whose certs/crls holds `crl` under the name OpenSSL looks it up by. */
    const folderWith = async (crl: string): Promise<string> => {
      const app = await appWith(clean);
      await fs.mkdir(path.join(app, 'certs/crls'));
      const hash = execFileSync('openssl', ['crl', '-hash', '-noout', '-in', crl]);
      await fs.copyFile(crl, path.join(app, 'certs/crls', `${hash.toString().trim()}.r0`));
      return app;
    };
    const good = await folderWith(clean);
    const bad = await folderWith(revoked);
    const home = await homeWith({});
    const absolute = (app: string): string =>
      `${server.url()}?sslmode=verify-full&sslrootcert=${path.join(app, 'certs/team-ca.pem')}` +
      `&sslcrldir=${path.join(app, 'certs/crls')}`;
    assert.equal(psqlSsl(absolute(good), { HOME: home }), true);
    assert.match(String(psqlSsl(absolute(bad), { HOME: home })), /certificate verify failed/);

    const query = 'sslmode=verify-full&sslrootcert=certs/team-ca.pem&sslcrldir=certs/crls';
    const inUrl = { DATABASE_URL: `${server.url()}?${query}`, HOME: home };
    assert.equal(await sslInSession(good, inUrl, false), true);
    await assert.rejects(sslInSession(bad, inUrl, false), /certificate revoked/);

    const variable = {
      DATABASE_URL: `${server.url()}?sslmode=verify-full&sslrootcert=certs/team-ca.pem`,
      HOME: home,
      PGSSLCRLDIR: 'certs/crls',
    };
    assert.equal(await sslInSession(good, variable, false), true);
    await assert.rejects(sslInSession(bad, variable, false), /certificate revoked/);

    // config/database.yml's sslcrldir key, which Rails hands to libpq.
    await fs.writeFile(
      path.join(bad, 'config/database.yml'),
      `development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: ${server.port}\n` +
        `  username: postgres\n  password: ${server.password}\n  database: postgres\n` +
        '  sslmode: verify-ca\n  sslrootcert: certs/team-ca.pem\n  sslcrldir: certs/crls\n',
    );
    await assert.rejects(sslInSession(bad, { HOME: home }, true), /certificate revoked/);

    // A folder named beside ~/.postgresql/root.crl: libpq reads the folder, not root.crl.
    const revokedHome = await homeWith({ 'root.crl': revoked });
    const beside = { ...variable, HOME: revokedHome };
    assert.equal(psqlSsl(absolute(good), { HOME: revokedHome }), true);
    assert.equal(await sslInSession(good, beside, false), true);
  });

  it('refuses a folder of lists that is missing or holds none, where libpq fails', async () => {
    const app = await appWith(clean);
    await fs.mkdir(path.join(app, 'certs/empty'));
    await fs.writeFile(path.join(app, 'certs/empty/list.crl'), await fs.readFile(clean));
    const home = await homeWith({});
    const url = (folder: string): string =>
      `${server.url()}?sslmode=verify-full&sslrootcert=${path.join(app, 'certs/team-ca.pem')}` +
      `&sslcrldir=${folder}`;
    // libpq finds no list for the server's CA and fails its check, in either case.
    const missing = path.join(app, 'certs/none');
    assert.match(String(psqlSsl(url(missing), { HOME: home })), /certificate verify failed/);
    const empty = path.join(app, 'certs/empty');
    assert.match(String(psqlSsl(url(empty), { HOME: home })), /certificate verify failed/);

    await assert.rejects(
      sslInSession(app, { DATABASE_URL: url(missing), HOME: home }, false),
      refusedWith(
        'config',
        new RegExp(
          `^DATABASE_URL names sslcrldir ${missing}, which does not exist: libpq would find ` +
            "no list there and refuse every server's certificate\\.$",
        ),
      ),
    );
    await assert.rejects(
      sslInSession(app, { DATABASE_URL: url(empty), HOME: home }, false),
      refusedWith(
        'config',
        new RegExp(
          `^DATABASE_URL names sslcrldir ${empty}, which holds no revocation list named as ` +
            'OpenSSL looks them up',
        ),
      ),
    );
  });

  it('refuses sslrootcert=system in words: URL, database.yml, PGSSLROOTCERT', async () => {
    const workspace = await workspaceWith(
      `development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: ${server.port}\n` +
        '  sslrootcert: system\n',
    );
    const system =
      /sets sslrootcert to system \(libpq 16's trust in the system's CA certificates\), which/;
    const cases: [NodeJS.ProcessEnv, boolean, string][] = [
      [
        { DATABASE_URL: `${server.url()}?sslrootcert=system` },
        false,
        'The connection URL from DATABASE_URL',
      ],
      [{}, true, 'config/database.yml, development'],
      [{ DATABASE_URL: server.url(), PGSSLROOTCERT: 'system' }, false, 'PGSSLROOTCERT'],
    ];
    for (const [env, trusted, who] of cases) {
      await assert.rejects(sslInSession(workspace, env, trusted), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.ok(error.message.startsWith(`${who} sets sslrootcert`), error.message);
        assert.match(error.message, system);
        assert.match(error.hint ?? '', /sslmode=verify-full/);
        return true;
      });
    }
  });
});

describe("the recovery drill's target finds its TLS files as the checks do", function () {
  this.timeout(240_000);
  let dir: string;
  let ca: CertificateFiles;
  let client: CertificateFiles;
  let server: RunningPostgres;
  let dumpFile: string;

  before(async () => {
    dir = await tempFolder('upkeep-drilltls-');
    await fs.chmod(dir, 0o755);
    ca = certificateAuthority(dir, 'drill-ca');
    const own = await signedCertificate(dir, ca, 'server', '127.0.0.1', 'IP:127.0.0.1');
    client = await signedCertificate(dir, ca, 'client', 'postgres');
    // SSL only; every database but postgres (the scratch one the drill restores into, too)
    // lets in only a client showing a certificate the CA signed.
    const hba = path.join(dir, 'pg_hba.conf');
    await fs.writeFile(
      hba,
      'hostssl postgres all 127.0.0.1/32 scram-sha-256\n' +
        'hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\n',
    );
    server = await sslServer(own, { ssl_ca_file: ca.certFile, hba_file: hba });
    // The dump of Debian's server, whose pg_dump this machine has.
    const source = await createDatabase(await debianServer(), 'drill_tls');
    await admin(
      source,
      'CREATE TABLE drilled (id int); INSERT INTO drilled SELECT generate_series(1, 42)',
    );
    // In a folder of its own: pg_restore runs there, not in the app folder.
    const dumps = await tempFolder('upkeep-drilltls-dumps-');
    dumpFile = path.join(dumps, 'app.dump');
    pgDump(source, dumpFile);
  });

  /** The drill of `targetUrl` from the app folder `workspace`, with `env` alone. */
  const drill = (targetUrl: string, workspace: string, env: NodeJS.ProcessEnv) =>
    runRecoveryDrill({
      dumpFile,
      targetUrl,
      confirmed: true,
      workspace,
      env: { PATH: process.env.PATH, ...env },
    });

  it("reads the URL's relative files from the app folder, pg_restore's absolute", async () => {
    const workspace = await workspaceWith('');
    await fs.mkdir(path.join(workspace, 'certs'));
    const copies = {
      'certs/ca.pem': ca.certFile,
      'certs/client.pem': client.certFile,
      'certs/client.key': client.keyFile,
    };
    for (const [name, from] of Object.entries(copies)) {
      await fs.copyFile(from, path.join(workspace, name));
      await fs.chmod(path.join(workspace, name), 0o600);
    }
    const crl = await revocationList(dir, ca, 'drill-clean', []);
    await fs.copyFile(crl, path.join(workspace, 'certs/list.crl'));
    await fs.mkdir(path.join(workspace, 'certs/crls'));
    const hash = execFileSync('openssl', ['crl', '-hash', '-noout', '-in', crl]).toString().trim();
    await fs.copyFile(crl, path.join(workspace, `certs/crls/${hash}.r0`));
    const targetUrl =
      `${server.url()}?sslmode=verify-full&sslrootcert=certs/ca.pem&sslcert=certs/client.pem` +
      '&sslkey=certs/client.key&sslcrl=certs/list.crl&sslcrldir=certs/crls';
    const home = await homeWith({});
    const target = await targetEndpoint(targetUrl, { workspace, env: { HOME: home } });
    assert.deepEqual(target.tls.libpqEnv, {
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: path.join(workspace, 'certs/ca.pem'),
      PGSSLCERT: path.join(workspace, 'certs/client.pem'),
      PGSSLKEY: path.join(workspace, 'certs/client.key'),
      PGSSLCRL: path.join(workspace, 'certs/list.crl'),
      PGSSLCRLDIR: path.join(workspace, 'certs/crls'),
    });
    const record = await drill(targetUrl, workspace, { HOME: home });
    assert.equal(record.error, undefined);
    assert.equal(record.ok, true, record.mismatches.join('; '));
    assert.deepEqual(
      record.tables.map((table) => [table.table, table.restoredRows]),
      [['public.drilled', 42]],
    );

    // Missing in the app folder: said before anything is asked, naming where it was looked for.
    const plan = planRecoveryDrill({
      workspace: dir,
      settings: resolveSettings(),
      env: { HOME: home },
      trusted: true,
      dumpFile,
      targetUrl,
    });
    await assert.rejects(
      plan,
      refusedWith(
        'config',
        new RegExp(
          '^The connection URL from the drill target URL names sslrootcert ' +
            `${path.join(dir, 'certs/ca.pem')}, which cannot be read \\(it does not exist\\)\\.$`,
        ),
      ),
    );
  });

  it("reads ~/.postgresql of the drill's HOME, as the checks, and so does pg_restore", async () => {
    const home = await homeWith({
      'root.crt': ca.certFile,
      'postgresql.crt': client.certFile,
      'postgresql.key': client.keyFile,
    });
    // No sslmode, no file named: libpq's prefer, with the CA and the client certificate.
    const record = await drill(server.url(), await workspaceWith(''), { HOME: home });
    assert.equal(record.error, undefined);
    assert.equal(record.ok, true, record.mismatches.join('; '));

    // Another CA at ~/.postgresql/root.crt: require checks the chain, as the checks do.
    const wrong = await homeWith({ 'root.crt': certificateAuthority(dir, 'wrong-ca').certFile });
    const refused = await drill(`${server.url()}?sslmode=require`, dir, { HOME: wrong }).then(
      (done) => done.error ?? 'connected',
      (error: unknown) => String(error),
    );
    assert.match(refused, /certificate/);
  });
});
