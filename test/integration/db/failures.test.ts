/**
 * Connections that fail: wrong password, nothing listening, a server that accepts the TCP
 * connection and never answers. Each gives a clear, password-free message and never hangs.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as os from 'node:os';
import { freePort } from '../../../scripts/lib/embeddedPostgres';
import { resolveConnection } from '../../../src/core/db/connection';
import { openSession } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { serversUnderTest } from './servers';

async function open(url: string, connectTimeoutMs = 5000, password?: string) {
  const settings = resolveSettings({ database: { url, connectTimeoutMs } });
  const connection = await resolveConnection({
    workspace: os.tmpdir(),
    settings,
    env: {},
    trusted: true,
    password,
  });
  return openSession(connection, {
    statementTimeoutMs: 5000,
    lockTimeoutMs: 1000,
    connectTimeoutMs,
  });
}

describe('database connection failures', function () {
  this.timeout(60_000);

  for (const target of serversUnderTest) {
    it(`names a wrong password on ${target.name} without showing it`, async () => {
      const server = await target.start();
      const secret = 'Wr0ng%Secret#42';
      const url =
        `postgres://${server.user}:${encodeURIComponent(secret)}` +
        `@127.0.0.1:${server.port}/postgres`;
      await assert.rejects(open(url), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'auth'), String(error));
        const shown = `${error.message} ${error.hint ?? ''}`;
        assert.match(shown, /password authentication failed/);
        assert.match(shown, /Set Database Password/);
        assert.doesNotMatch(shown, /Wr0ng/);
        return true;
      });
    });

    it(
      'uses the password from secret storage ' + `for a URL without one on ${target.name}`,
      async () => {
        const server = await target.start();
        const session = await open(
          `postgres://${server.user}@127.0.0.1:${server.port}/postgres`,
          5000,
          server.password,
        );
        assert.equal(
          session.connection.display,
          `${server.user}@127.0.0.1:${server.port}/postgres`,
        );
        await session.close();
      },
    );
  }

  it('says nothing listens on a closed port', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      open(`postgres://app:secret-pw@127.0.0.1:${port}/app`),
      (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
        assert.match(error.message, new RegExp(`app@127.0.0.1:${port}/app`));
        assert.match(error.message, /ECONNREFUSED/);
        assert.doesNotMatch(error.message, /secret-pw/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('gives up on a server that accepts the connection and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(
        open(`postgres://app:pw@127.0.0.1:${port}/app`, 700),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'timeout'), String(error));
          assert.match(error.message, /did not answer within 0.7 s/);
          return true;
        },
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 600 && elapsed < 3000, `took ${elapsed} ms`);
      assert.ok(sockets.length >= 1, 'the TCP connection was made');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('stops waiting when the caller aborts while connecting', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const settings = resolveSettings({
        database: { url: `postgres://app@127.0.0.1:${port}/app` },
      });
      const connection = await resolveConnection({
        workspace: os.tmpdir(),
        settings,
        env: {},
        trusted: true,
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      await assert.rejects(
        openSession(connection, {
          statementTimeoutMs: 5000,
          lockTimeoutMs: 1000,
          connectTimeoutMs: 5000,
          signal: controller.signal,
        }),
        (error: unknown) => UpkeepError.is(error, 'cancelled'),
      );
      assert.ok(Date.now() - started < 1000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
