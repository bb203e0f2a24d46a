/**
 * node-postgres throws from its socket listener on an authentication request it does not know:
 * a server whose pg_hba.conf asks for GSSAPI (Kerberos) crashed `upkeep db` and `upkeep check`
 * with a stack trace (and would take the editor's extension host down), as did a server that
 * sent such a request in the middle of a session. An error message without its closing NUL
 * made it loop forever at full CPU, past SIGTERM. The fake servers here, on 127.0.0.1, speak
 * just enough of the protocol for that.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runRecoveryDrill } from '../../../src/core/checks/recoveryDrill';
import { runCli, startCli } from '../../support/cli';
import { loopbackServer, loopbackUrl, pgMessage as message } from '../../support/fakePostgres';
import { createDatabase, debianServer, pgDump } from '../../support/postgres';

function request(code: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32BE(code);
  return message('R', body);
}

/** Asks for GSSAPI at the login, or (`later`) lets the login in and asks it at the first query. */
function gssServer(later: boolean): Promise<net.Server> {
  return loopbackServer((socket) => {
    let loggedIn = false;
    socket.on('data', () => {
      if (!later || loggedIn) {
        socket.write(request(7));
        return;
      }
      loggedIn = true;
      socket.write(
        Buffer.concat([request(0), message('K', Buffer.alloc(8)), message('Z', Buffer.from('I'))]),
      );
    });
  });
}

/** Answers the login with an error message whose fields never end. */
function unendedErrorServer(): Promise<net.Server> {
  return loopbackServer((socket) => {
    socket.once('data', () => socket.write(message('E', Buffer.from('SFATAL'))));
  });
}

describe('a server that asks for an authentication pg cannot do', function () {
  this.timeout(60_000);
  const servers: net.Server[] = [];

  after(() => {
    for (const server of servers) server.close();
  });

  async function urlOf(later: boolean): Promise<string> {
    const server = await gssServer(later);
    servers.push(server);
    return loopbackUrl(server, 'S3cretPw');
  }

  it('GSSAPI at the login: upkeep db and check say so and exit 2, no crash', async () => {
    const env = { DATABASE_URL: await urlOf(false) };
    const said = /PostgreSQL at \S+ \(from DATABASE_URL\) asks for GSSAPI \(Kerberos\) auth/;
    const db = await runCli(['db', '--no-snapshots'], env);
    assert.equal(db.code, 2, db.stdout + db.stderr);
    assert.match(db.stderr, said);
    assert.match(db.stderr, /scram-sha-256 \(or md5\) line for it in pg_hba\.conf/);
    assert.doesNotMatch(db.stderr, /Unknown authenticationOk|at Parser/);

    const check = await runCli(['check', '--check', 'health.database', '--format', 'json'], env);
    assert.equal(check.code, 2, check.stdout + check.stderr);
    const [health] = (JSON.parse(check.stdout) as { results: { summary: string }[] }).results;
    assert.match(health.summary, said);
  });

  it('the same request in the middle of a session breaks it, no crash', async () => {
    const db = await runCli(['db', '--no-snapshots'], { DATABASE_URL: await urlOf(true) });
    assert.equal(db.code, 1, db.stdout + db.stderr);
    // Not a login method to set in pg_hba.conf: the login had succeeded.
    assert.match(
      db.stderr,
      /^upkeep db: PostgreSQL at \S+ \(from DATABASE_URL\) asked for GSSAPI/m,
    );
    assert.match(db.stderr, /authentication in the middle of the session, after the login had/);
    assert.match(db.stderr, /not to a proxy/);
    assert.doesNotMatch(db.stderr, /pg_hba\.conf|Unknown authenticationOk|at Parser/);
  });

  it('an error without a message or code says what it was, not "during probe: ."', async () => {
    const server = await loopbackServer((socket) => {
      let loggedIn = false;
      socket.on('data', () => {
        const ready = message('Z', Buffer.from('I'));
        if (loggedIn) {
          socket.write(Buffer.concat([message('E', Buffer.from('SERROR\0\0')), ready]));
          return;
        }
        loggedIn = true;
        socket.write(Buffer.concat([request(0), message('K', Buffer.alloc(8)), ready]));
      });
    });
    servers.push(server);
    const db = await runCli(['db', '--no-snapshots'], {
      DATABASE_URL: loopbackUrl(server, 'S3cretPw'),
    });
    assert.notEqual(db.code, 0, db.stdout + db.stderr);
    assert.doesNotMatch(db.stderr, /: \.$/m);
    assert.match(db.stderr, /an ERROR with no message and no SQLSTATE code/, db.stderr);
    assert.match(db.stderr, /not to a proxy/);
  });

  it("a server's message of several lines is shown on one line, all of it", async () => {
    const error = Buffer.from('SERROR\0CXX000\0Mboom\n  FAKE: all checks passed\0\0');
    const server = await loopbackServer((socket) => {
      let loggedIn = false;
      socket.on('data', () => {
        const ready = message('Z', Buffer.from('I'));
        if (loggedIn) {
          socket.write(Buffer.concat([message('E', error), ready]));
          return;
        }
        loggedIn = true;
        socket.write(Buffer.concat([request(0), message('K', Buffer.alloc(8)), ready]));
      });
    });
    servers.push(server);
    const env = { DATABASE_URL: loopbackUrl(server, 'S3cretPw') };
    const check = await runCli(['check', '--check', 'health.database'], env);
    const db = await runCli(['db', '--no-snapshots'], env);
    for (const output of [check.stdout + check.stderr, db.stdout + db.stderr]) {
      assert.match(output, /boom\\n {2}FAKE: all checks passed/, output);
      assert.doesNotMatch(output, /^\s*FAKE/m, output);
    }
  });

  it('a drill target that asks for GSSAPI fails the drill in words, no crash', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-gss-drill-'));
    try {
      const dump = path.join(folder, 'app.dump');
      pgDump(await createDatabase(await debianServer(), 'gss_drill'), dump);
      const target = (await urlOf(false)).replace(/\/app$/, '/postgres');
      // A connect that fails rejects the drill, which the CLI and the editor then report.
      await assert.rejects(
        runRecoveryDrill({
          dumpFile: dump,
          targetUrl: target,
          confirmed: true,
          env: { PATH: process.env.PATH },
        }),
        (error: Error) =>
          /^it asks for GSSAPI \(Kerberos\) authentication, which Upkeep cannot do/.test(
            error.message,
          ) && !error.message.includes('S3cretPw'),
      );
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('an error message without its end fails the connect, no endless loop', async () => {
    const server = await unendedErrorServer();
    servers.push(server);
    const run = startCli(['db', '--no-snapshots'], {
      DATABASE_URL: loopbackUrl(server, 'S3cretPw'),
    });
    const ended = await Promise.race([
      run.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000)),
    ]);
    if (!ended) run.child.kill('SIGKILL');
    assert.ok(ended, 'upkeep db still ran after 20 s');
    assert.equal(ended.code, 1, ended.stdout + ended.stderr);
    assert.match(ended.stderr, /sent an answer Upkeep cannot read: an error or notice message/);
  });
});
