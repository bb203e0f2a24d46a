/**
 * A server that takes the login as PostgreSQL does and then answers every query with no row (a
 * proxy, or something posing as PostgreSQL): `upkeep db` and health.database said "Cannot read
 * properties of undefined (reading 'version')". The fake server here, on 127.0.0.1, speaks just
 * enough of the protocol for that, simple and extended.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { runCli } from '../../support/cli';
import { loopbackServer, loopbackUrl, pgMessage as message } from '../../support/fakePostgres';

/** The answer to each message of a query: every statement completes with no row. */
const ANSWERS: Record<string, Buffer[]> = {
  Q: [message('C', Buffer.from('SELECT 0\0')), message('Z', Buffer.from('T'))],
  P: [message('1')],
  B: [message('2')],
  D: [message('n')],
  E: [message('C', Buffer.from('SELECT 0\0'))],
  S: [message('Z', Buffer.from('T'))],
};

function emptyServer(): Promise<net.Server> {
  return loopbackServer((socket) => {
    let started = false;
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      if (!started) {
        started = true;
        const key = Buffer.alloc(8);
        socket.write(
          Buffer.concat([
            message('R', Buffer.alloc(4)),
            message('K', key),
            message('Z', Buffer.from('I')),
          ]),
        );
        return;
      }
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const type = String.fromCharCode(pending[0]);
        pending = pending.subarray(1 + pending.readInt32BE(1));
        if (type === 'X') socket.end();
        else socket.write(Buffer.concat(ANSWERS[type] ?? []));
      }
    });
  });
}

describe('a server that answers every query with no row', function () {
  this.timeout(60_000);
  let server: net.Server;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await emptyServer();
    env = { DATABASE_URL: loopbackUrl(server, 'S3cretPw') };
  });
  after(() => {
    server.close();
  });

  const said = (where: string): RegExp =>
    new RegExp(
      `^${where}PostgreSQL at app@127\\.0\\.0\\.1:\\d+/app (\\(from DATABASE_URL\\) )?took the ` +
        "login but returned no row for current_setting\\('server_version'\\), which no " +
        'PostgreSQL server does\\.$',
      'm',
    );

  it('upkeep db says what the server did, not a TypeError', async () => {
    const run = await runCli(['db', '--no-snapshots'], env);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, said('upkeep db: '));
    assert.doesNotMatch(run.stderr, /Cannot read properties/);
  });

  it('health.database fails saying so, and the other checks skip', async () => {
    const run = await runCli(
      ['check', '--check', 'health.database', '--check', 'db.vacuum', '--format', 'json'],
      env,
    );
    const report = JSON.parse(run.stdout) as {
      results: { checkId: string; outcome: string; summary: string }[];
    };
    const health = report.results.find((result) => result.checkId === 'health.database');
    assert.equal(health?.outcome, 'fail', run.stdout);
    assert.match(health?.summary ?? '', said(''));
    const vacuum = report.results.find((result) => result.checkId === 'db.vacuum');
    assert.equal(vacuum?.outcome, 'skipped', run.stdout);
  });
});
