/**
 * health.url against real servers on 127.0.0.1: one that answers, errs, is slow, hangs, refuses,
 * and HTTPS servers with self-signed certificates made by the openssl CLI (expiring and untrusted);
 * health.signIn against the sign-in page of the same servers.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HealthProbe } from '../../../src/core/checks/healthChecks';
import { healthSignInCheck, healthUrlCheck } from '../../../src/core/checks/healthChecks';
import { runChecks } from '../../../src/core/checks/runner';
import type { CheckResult } from '../../../src/core/checks/types';
import { resolveSettings } from '../../../src/core/settings';
import type { Clock } from '../../../src/core/util/clock';
import { fixedClock, systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';
import { selfSignedCertificate } from '../../support/certificates';

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A self-signed certificate for 127.0.0.1 valid for `days`, made with the openssl CLI. */
async function certificate(folder: string, days: number): Promise<{ key: string; cert: string }> {
  const { keyFile, certFile } = selfSignedCertificate(folder, days);
  return { key: await fs.readFile(keyFile, 'utf8'), cert: await fs.readFile(certFile, 'utf8') };
}

async function check(
  url: string,
  options: Parameters<typeof healthUrlCheck>[0] = {},
  clock: Clock = systemClock,
): Promise<CheckResult> {
  const settings = resolveSettings({ health: { url }, thresholds: { slowRequestMs: 300 } });
  const [result] = await runChecks([healthUrlCheck(options)], {
    workspace: os.tmpdir(),
    settings,
    clock,
    log: silentLogger,
    trusted: false,
  });
  return result;
}

describe('health.url', function () {
  this.timeout(20_000);
  let folder: string;
  let port: number;
  const servers: (http.Server | https.Server)[] = [];
  const hung: http.ServerResponse[] = [];

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-health-'));
    const server = http.createServer((request, response) => {
      if (request.url === '/ok') response.end('ok');
      else if (request.url === '/error') {
        response.statusCode = 500;
        response.end('boom');
      } else if (request.url === '/slow') setTimeout(() => response.end('late'), 600);
      else hung.push(response); // /hang: never answers
    });
    servers.push(server);
    port = await listen(server);
  });

  after(async () => {
    for (const response of hung) response.destroy();
    for (const server of servers) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('passes a server that answers, with its latency', async () => {
    const result = await check(`http://127.0.0.1:${port}/ok`);
    assert.equal(result.outcome, 'pass');
    assert.equal(result.values?.status, 200);
    assert.ok(typeof result.values?.latencyMs === 'number');
  });

  it('fails a 500', async () => {
    const result = await check(`http://127.0.0.1:${port}/error`);
    assert.equal(result.outcome, 'fail');
    assert.match(result.summary, /status 500/);
  });

  it('warns about a slow answer', async () => {
    const result = await check(`http://127.0.0.1:${port}/slow`);
    assert.equal(result.outcome, 'warn');
    assert.match(result.summary, /slow: \d+ ms \(> 300 ms\)/);
  });

  it('fails a server that hangs, within its request timeout', async () => {
    const started = Date.now();
    const result = await check(`http://127.0.0.1:${port}/hang`, { requestTimeoutMs: 400 });
    assert.ok(Date.now() - started < 8000);
    assert.equal(result.outcome, 'fail');
    assert.match(result.summary, /did not answer: no answer within 400 ms/);
  });

  it('fails a refused connection', async () => {
    const closed = http.createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const result = await check(`http://127.0.0.1:${closedPort}/`);
    assert.equal(result.outcome, 'fail');
    assert.match(result.summary, /ECONNREFUSED/);
  });

  it('skips without a configured URL and errors on a bad one', async () => {
    const settings = resolveSettings();
    const [skipped] = await runChecks([healthUrlCheck()], {
      workspace: folder,
      settings,
      clock: systemClock,
      log: silentLogger,
      trusted: true,
    });
    assert.equal(skipped.outcome, 'skipped');
    // A broken setting, as health.signIn says of the same one: `upkeep check` exits 2.
    for (const bad of ['ftp://127.0.0.1/', 'not a url']) {
      const result = await check(bad);
      assert.equal(result.outcome, 'error', result.summary);
      assert.equal(result.configProblem, true, bad);
    }
  });

  describe('over HTTPS', () => {
    let expiring: { key: string; cert: string };
    let httpsPort: number;

    before(async () => {
      expiring = await certificate(folder, 5);
      const server = https.createServer(expiring, (_request, response) => response.end('ok'));
      servers.push(server);
      httpsPort = await listen(server);
    });

    it('warns when the certificate expires in under 14 days', async () => {
      const result = await check(`https://127.0.0.1:${httpsPort}/ok`, { ca: expiring.cert });
      assert.equal(result.outcome, 'warn');
      assert.ok(
        [4, 5].includes(Number(result.values?.certificateDaysLeft)),
        String(result.values?.certificateDaysLeft),
      );
      assert.match(result.summary, /certificate expires in [45] days/);
    });

    it('fails once the certificate has expired', async () => {
      const later = fixedClock(new Date(Date.now() + 30 * 86_400_000));
      const result = await check(`https://127.0.0.1:${httpsPort}/ok`, { ca: expiring.cert }, later);
      assert.equal(result.outcome, 'fail');
      assert.match(result.summary, /certificate expired 2[45] days ago/);
    });

    it('fails a certificate nobody vouches for, and passes a long-lived trusted one', async () => {
      const untrusted = await check(`https://127.0.0.1:${httpsPort}/ok`);
      assert.equal(untrusted.outcome, 'fail');
      assert.match(untrusted.summary, /certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);

      const longLived = await certificate(folder, 400);
      const server = https.createServer(longLived, (_request, response) => response.end('ok'));
      servers.push(server);
      const longPort = await listen(server);
      const result = await check(`https://127.0.0.1:${longPort}/ok`, { ca: longLived.cert });
      assert.equal(result.outcome, 'pass');
      assert.match(result.summary, /answered 200 in \d+ ms, certificate valid 399 more days/);
    });
  });
});

describe('health.signIn', function () {
  this.timeout(20_000);
  let folder: string;
  let trusted: { key: string; cert: string };
  let httpPort: number;
  let httpsPort: number;
  const seen: string[] = [];
  const servers: (http.Server | https.Server)[] = [];

  /** Devise's page, a custom one, a missing one and a page that sends people to http://. */
  const app = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    seen.push(`${request.method} ${request.url}`);
    if (request.url === '/users/sign_in' || request.url === '/login') {
      response.end('<form action="/users/sign_in">');
    } else if (request.url === '/plain/users/sign_in') {
      response.statusCode = 302;
      response.setHeader('location', `http://127.0.0.1:${httpPort}/users/sign_in`);
      response.end();
    } else if (request.url === '/secure/users/sign_in') {
      response.statusCode = 302;
      response.setHeader('location', '/users/sign_in?from=secure');
      response.end();
    } else {
      response.statusCode = 404;
      response.end('not found');
    }
  };

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-signin-'));
    trusted = await certificate(folder, 400);
    const plain = http.createServer(app);
    const secure = https.createServer(trusted, app);
    servers.push(plain, secure);
    httpPort = await listen(plain);
    httpsPort = await listen(secure);
  });

  after(async () => {
    for (const server of servers) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
    await fs.rm(folder, { recursive: true, force: true });
  });

  const signIn = async (
    url: string | undefined,
    signInPath?: string,
    probe?: (url: URL) => Promise<HealthProbe>,
  ): Promise<CheckResult> => {
    const settings = resolveSettings({ health: { url, signInPath } });
    const [result] = await runChecks([healthSignInCheck({ ca: trusted.cert, probe })], {
      workspace: folder,
      settings,
      clock: systemClock,
      log: silentLogger,
      trusted: true,
    });
    return result;
  };

  it('passes the sign-in page of the app over HTTPS, beside the health URL', async () => {
    seen.length = 0;
    const result = await signIn(`https://127.0.0.1:${httpsPort}/health`);
    assert.equal(result.outcome, 'pass', result.summary);
    assert.match(result.summary, /^https:\/\/127\.0\.0\.1:\d+\/users\/sign_in answered 200/);
    assert.deepEqual(seen, ['GET /users/sign_in']);
    assert.equal(result.values?.status, 200);
    assert.ok(Number(result.values?.certificateDaysLeft) >= 398);
  });

  it('takes the path from upkeep.health.signInPath', async () => {
    seen.length = 0;
    const result = await signIn(`https://127.0.0.1:${httpsPort}/health`, '/login');
    assert.equal(result.outcome, 'pass', result.summary);
    assert.deepEqual(seen, ['GET /login']);
  });

  it('fails a 404 and a redirect to http://, passes one to https', async () => {
    const missing = await signIn(`https://127.0.0.1:${httpsPort}/`, '/nowhere');
    assert.equal(missing.outcome, 'fail');
    assert.match(missing.summary, /status 404/);
    // A 404 here most often means the app signs in elsewhere: the summary says which setting.
    assert.match(
      missing.summary,
      /status 404.*; set upkeep\.health\.signInPath to the app's sign-in page/,
    );

    const downgraded = await signIn(`https://127.0.0.1:${httpsPort}/`, '/plain/users/sign_in');
    assert.equal(downgraded.outcome, 'fail', downgraded.summary);
    assert.match(downgraded.summary, /redirects to http:\/\/127\.0\.0\.1:\d+\/users\/sign_in/);

    const secure = await signIn(`https://127.0.0.1:${httpsPort}/`, '/secure/users/sign_in');
    assert.equal(secure.outcome, 'pass', secure.summary);
    assert.match(secure.summary, /answered 302 .*redirects to https:\/\/127\.0\.0\.1:\d+\//);
  });

  it('warns about local http://, fails it elsewhere without a request', async () => {
    const local = await signIn(`http://127.0.0.1:${httpPort}/health`);
    assert.equal(local.outcome, 'warn', local.summary);
    assert.match(local.summary, /not HTTPS \(a local server\)/);

    const probed: string[] = [];
    const remote = await signIn('http://thembooking.invalid/health', undefined, async (url) => {
      probed.push(url.toString());
      return { status: 200, latencyMs: 1 };
    });
    assert.equal(remote.outcome, 'fail', remote.summary);
    assert.match(remote.summary, /^http:\/\/thembooking\.invalid\/users\/sign_in is not HTTPS/);
    assert.deepEqual(probed, [], 'nothing is sent to a page that would take a password in clear');
  });

  it('takes only this machine for a local server, as the drill reads hosts', async () => {
    const probed: string[] = [];
    const probe = async (url: URL): Promise<HealthProbe> => {
      probed.push(url.hostname);
      return { status: 200, latencyMs: 1 };
    };
    // A domain that begins with 127. is elsewhere; 127.1 and [::1] are this machine.
    const remote = await signIn('http://127.example.invalid/', undefined, probe);
    assert.equal(remote.outcome, 'fail', remote.summary);
    for (const local of ['http://127.1:3000/', 'http://[::1]:3000/', 'http://LOCALHOST./']) {
      const result = await signIn(local, undefined, probe);
      assert.equal(result.outcome, 'warn', `${local}: ${result.summary}`);
    }
    assert.deepEqual(probed, ['127.0.0.1', '[::1]', 'localhost.']);
  });

  it('skips without an app URL and refuses a path that leaves the app', async () => {
    assert.equal((await signIn(undefined)).outcome, 'skipped');
    const ftp = await signIn('ftp://127.0.0.1/');
    assert.equal(ftp.outcome, 'error');
    assert.match(ftp.summary, /^upkeep\.health\.url must be http or https/);
    const probed: string[] = [];
    const probe = async (url: URL): Promise<HealthProbe> => {
      probed.push(url.toString());
      return { status: 200, latencyMs: 1 };
    };
    for (const bad of ['//evil.invalid/users/sign_in', 'users/sign_in', '/\\evil.invalid/x']) {
      const result = await signIn(`https://127.0.0.1:${httpsPort}/`, bad, probe);
      assert.equal(result.outcome, 'error', `${bad}: ${result.summary}`);
      assert.match(result.summary, /upkeep\.health\.signInPath/);
      assert.equal(result.configProblem, true);
    }
    assert.deepEqual(probed, []);
  });
});
