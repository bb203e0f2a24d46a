/**
 * A server, or something posing as one on the configured host and port, that asks for the
 * password in clear text and sends it back in its error text: `upkeep db` and `upkeep check`
 * printed that text, password and all, to the terminal, a cron mail or a CI log. The fake
 * server here, on 127.0.0.1, speaks just enough of the protocol for that.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as os from 'node:os';
import { resolveConnection } from '../../../src/core/db/connection';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { resolveSettings } from '../../../src/core/settings';
import { runCli } from '../../support/cli';
import { loopbackServer, loopbackUrl, pgMessage as message } from '../../support/fakePostgres';

const PASSWORD = 'Echo-S3cret!';

function errorResponse(text: string): Buffer {
  return message('E', Buffer.from(`SFATAL\0C28P01\0M${text}\0\0`));
}

/**
 * Asks for a clear-text password; then, with `refuse`, refuses it quoting it, or else accepts
 * the login and answers every query with an error quoting it.
 */
function echoingServer(refuse: boolean): Promise<net.Server> {
  return loopbackServer((socket) => {
    let password: string | undefined;
    socket.on('data', (data) => {
      if (password === undefined && data[0] !== 0x70) {
        socket.write(message('R', Buffer.from([0, 0, 0, 3])));
        return;
      }
      if (password === undefined) {
        password = data.subarray(5, data.length - 1).toString();
        if (refuse) {
          socket.end(errorResponse(`password authentication failed: got "${password}"`));
        } else {
          socket.write(message('R', Buffer.alloc(4)));
          socket.write(message('Z', Buffer.from('I')));
        }
        return;
      }
      socket.write(errorResponse(`no such thing as "${password}"`));
      socket.write(message('Z', Buffer.from('I')));
    });
  });
}

describe('a server that sends the password back in its error text', function () {
  this.timeout(60_000);
  const servers: net.Server[] = [];

  after(() => {
    for (const server of servers) server.close();
  });

  async function urlOf(refuse: boolean): Promise<string> {
    const server = await echoingServer(refuse);
    servers.push(server);
    return loopbackUrl(server, PASSWORD);
  }

  it('upkeep db and check refuse the login without printing the password', async () => {
    const env = { DATABASE_URL: await urlOf(true) };
    const db = await runCli(['db', '--no-snapshots', '--format', 'json'], env);
    assert.equal(db.code, 2, db.stdout + db.stderr);
    assert.match(db.stderr, /PostgreSQL refused the login .*got "\*\*\*"/);
    assert.ok(!(db.stdout + db.stderr).includes(PASSWORD), db.stdout + db.stderr);

    const check = await runCli(['check', '--check', 'health.database'], env);
    assert.match(check.stdout, /got "\*\*\*"/);
    assert.ok(!(check.stdout + check.stderr).includes(PASSWORD), check.stdout + check.stderr);
  });

  it('upkeep db prints no password a failing query sends back', async () => {
    const env = { DATABASE_URL: await urlOf(false) };
    const db = await runCli(['db', '--no-snapshots', '--verbose'], env);
    assert.equal(db.code, 1, db.stdout + db.stderr);
    assert.match(db.stdout + db.stderr, /no such thing as "\*\*\*"/);
    assert.ok(!(db.stdout + db.stderr).includes(PASSWORD), db.stdout + db.stderr);
  });

  it('maintenance says why it failed without the password', async () => {
    const url = await urlOf(false);
    const connection = await resolveConnection({
      workspace: os.tmpdir(),
      settings: resolveSettings({ database: { url } }),
      env: {},
      trusted: false,
    });
    const target = { type: 'table' as const, schema: 'public', name: 'users' };
    const plan = planMaintenance(connection, 'analyze', target, 170000);
    const failed = await runMaintenance(connection, confirmMaintenance(plan), {
      lockTimeoutMs: 1000,
      connectTimeoutMs: 5000,
    }).then(
      () => assert.fail('the fake server accepted the maintenance'),
      (error: Error) => error,
    );
    assert.match(failed.message, /no such thing as "\*\*\*"/);
    assert.ok(!failed.message.includes(PASSWORD), failed.message);
  });
});
