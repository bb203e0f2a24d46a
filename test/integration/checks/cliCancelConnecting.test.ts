/**
 * A cron or CI timeout (SIGTERM) while the database is still being connected to: a server that
 * takes the TCP connection and never says a word (a half-dead proxy, a firewall that swallows
 * the packets) held `upkeep check` and `upkeep db` until the connect timeout ran out, however
 * long the workspace set it. Both must stop promptly and exit 2.
 * The silent server is a real TCP listener on 127.0.0.1 that this test starts.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { startCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

/** Longer than the test waits: a run that waits for it has not stopped on the signal. */
const CONNECT_TIMEOUT_MS = 60_000;

describe('upkeep check and upkeep db cancelled while connecting', function () {
  this.timeout(120_000);
  let server: net.Server;
  let sockets: net.Socket[];
  let url: string;
  let workspace: string;

  before(async () => {
    sockets = [];
    server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    url = `postgres://app:S3cretPw@127.0.0.1:${port}/app`;
    workspace = await tempFolderWith('upkeep-cancel-connecting-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.vscode/settings.json': JSON.stringify({
        'upkeep.database.connectTimeoutMs': CONNECT_TIMEOUT_MS,
      }),
    });
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  /** Waits until the CLI has opened a connection to the silent server. */
  async function waitForConnection(output: () => string): Promise<void> {
    const deadline = Date.now() + 30_000;
    const before = sockets.length;
    while (sockets.length === before) {
      assert.ok(Date.now() < deadline, `the CLI never connected: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const commands: [string, string[]][] = [
    ['upkeep check', ['check', '--check', 'health.database', '--format', 'json']],
    ['upkeep db', ['db', '--format', 'json']],
  ];
  for (const [name, args] of commands) {
    it(`${name} exits 2 within seconds of SIGTERM`, async () => {
      const cli = startCli([...args, '--workspace', workspace], { DATABASE_URL: url });
      await waitForConnection(() => cli.output().stderr);
      const signalled = Date.now();
      cli.child.kill('SIGTERM');
      const run = await Promise.race([
        cli.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000)),
      ]);
      if (!run) cli.child.kill('SIGKILL');
      assert.ok(run, `${name} still ran 15 s after SIGTERM: ${cli.output().stderr}`);
      const took = Date.now() - signalled;
      assert.ok(took < 5000, `${name} took ${took} ms to stop`);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /cancelled/i);
      assert.ok(!(run.stdout + run.stderr).includes('S3cretPw'), 'no password');
      JSON.parse(run.stdout);
    });
  }
});
