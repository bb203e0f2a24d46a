/**
 * A database server that lets Upkeep log in and then never answers (a stalled network path, a
 * hung proxy): `upkeep db` waited forever and health.database used up the whole check timeout.
 * The fake server here speaks just enough of the protocol to accept the login, on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { runCli } from '../../support/cli';

/** Accepts any login (AuthenticationOk, ReadyForQuery) and then ignores every query. */
function stalledServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let greeted = false;
    socket.on('data', () => {
      if (greeted) return;
      greeted = true;
      socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a database server that stops answering after the login', function () {
  this.timeout(120_000);
  let server: net.Server;
  let url: string;

  before(async () => {
    server = await stalledServer();
    url = `postgres://app:S3cretPw@127.0.0.1:${(server.address() as net.AddressInfo).port}/app`;
  });
  after(() => {
    server.close();
  });

  it('upkeep db gives up with a clear message instead of waiting forever', async () => {
    const started = Date.now();
    const run = await Promise.race([
      runCli(['db', '--no-snapshots'], { DATABASE_URL: url }),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000)),
    ]);
    assert.ok(run, 'upkeep db was still waiting after 60 s');
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /stopped answering/, run.stdout);
    assert.ok(!(run.stdout + run.stderr).includes('S3cretPw'), 'no password');
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  });

  it('health.database fails within the statement and connect timeouts', async () => {
    const run = await runCli(['check', '--check', 'health.database', '--format', 'json'], {
      DATABASE_URL: url,
    });
    const report = JSON.parse(run.stdout) as {
      results: { outcome: string; summary: string; durationMs: number }[];
    };
    const [result] = report.results;
    assert.equal(result.outcome, 'fail', result.summary);
    assert.match(result.summary, /stopped answering/);
    assert.ok(result.durationMs < 30_000, `took ${result.durationMs} ms`);
  });
});
