/**
 * A database server that lets Upkeep log in and then never answers (a stalled network path, a
 * hung proxy): `upkeep db` waited forever, health.database used up the whole check timeout, and
 * `upkeep drill` waited forever even after Ctrl-C.
 * The fake server here speaks just enough of the protocol to accept the login, on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runRecoveryDrill } from '../../../src/core/checks/recoveryDrill';
import { runCli } from '../../support/cli';
import { createDatabase, debianServer, pgDump } from '../../support/postgres';

const ROOT = path.resolve(__dirname, '../../..');

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
    assert.match(run.stdout + run.stderr, /stopped answering/, run.stdout + run.stderr);
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
    // The server named once, with where the connection came from.
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(
      result.summary,
      `PostgreSQL at app@127.0.0.1:${port}/app (from DATABASE_URL) stopped answering: ` +
        'no reply to connectivity within 10 s.',
    );
    assert.ok(result.durationMs < 30_000, `took ${result.durationMs} ms`);
  });

  it('stops asking a server that stopped answering: one wait, not one per check', async () => {
    // Each check connected again (the login is answered) and waited 10 s more for its first
    // query: four database checks took 40 s.
    const started = Date.now();
    const run = await runCli(
      [
        ...['check', '--check', 'health.database', '--check', 'db.vacuum'],
        ...['--check', 'db.statistics', '--check', 'db.connections', '--parallelism', '1'],
        ...['--format', 'json'],
      ],
      { DATABASE_URL: url },
    );
    const took = Date.now() - started;
    const report = JSON.parse(run.stdout) as {
      results: { checkId: string; outcome: string; summary: string; details?: string }[];
    };
    assert.equal(report.results.length, 4, run.stdout);
    const [health, ...others] = report.results;
    assert.match(health.summary, /stopped answering: no reply to connectivity within 10 s/);
    for (const result of others) {
      assert.equal(result.outcome, 'skipped', result.checkId);
      assert.equal(result.summary, 'database not reachable (see health.database)');
      assert.match(result.details ?? '', /stopped answering earlier in this run/);
    }
    assert.ok(took < 20_000, `took ${took} ms`);
    assert.doesNotMatch(run.stderr, /connecting again/);
  });

  it('a --timeout shorter than connecting may take says so on the database checks', async () => {
    // A server that takes the connection and never says a word: connecting takes the whole
    // connect timeout (5 s), so with --timeout 2 every database check times out for its sake.
    const silent = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const run = await runCli(
        [
          ...['check', '--check', 'health.database', '--check', 'db.slowQueries'],
          ...['--timeout', '2', '--format', 'json'],
        ],
        { DATABASE_URL: `postgres://app:S3cretPw@127.0.0.1:${port}/app` },
      );
      const report = JSON.parse(run.stdout) as { results: { checkId: string; summary: string }[] };
      assert.equal(report.results.length, 2, run.stdout);
      for (const result of report.results) {
        assert.equal(
          result.summary,
          'timed out after 2 s, within the 5 s connecting to the database may take ' +
            '(upkeep.database.connectTimeoutMs): give checks a longer timeout',
          result.checkId,
        );
      }
    } finally {
      silent.close();
    }
  });

  it('the drill plan reads past a monitored server that stops answering', async () => {
    // The identity read (SELECT ... FROM pg_control_system()) waited forever for its answer.
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-stalled-plan-'));
    const target = await stalledServer();
    try {
      const dump = path.join(folder, 'app.dump');
      await fs.writeFile(dump, 'only planned, never read');
      const targetPort = (target.address() as net.AddressInfo).port;
      const run = await Promise.race([
        runCli(
          [
            ...['drill', '--workspace', folder, '--dump', dump],
            ...['--target', `postgres://drill@127.0.0.1:${targetPort}/postgres`],
          ],
          { DATABASE_URL: url },
        ),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000)),
      ]);
      assert.ok(run, 'the plan was still waiting after 30 s');
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          "Compared by host and port only: the monitored server's system identifier " +
            'could not be read \\(no answer within 5 s\\)',
        ),
      );
      assert.match(run.stderr, /Nothing was done\./);
      assert.ok(!run.stderr.includes('S3cretPw'), 'no password');
    } finally {
      target.close();
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('a drill with nobody to press Ctrl-C (cron) gives up at its statement timeout', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-stalled-cron-'));
    try {
      const dump = path.join(folder, 'app.dump');
      pgDump(await createDatabase(await debianServer(), 'stalled_cron'), dump);
      const started = Date.now();
      const record = await runRecoveryDrill({
        dumpFile: dump,
        targetUrl: url.replace(/\/app$/, '/postgres'),
        confirmed: true,
        queryTimeoutMs: 1500,
        env: { PATH: process.env.PATH },
      });
      assert.equal(record.ok, false);
      assert.match(record.error ?? '', /did not answer within 2 s/);
      assert.ok(!(record.error ?? '').includes('S3cretPw'), 'no password');
      assert.ok(Date.now() - started < 60_000, 'the drill waited on');
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('upkeep drill stops on Ctrl-C while the target does not answer', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-stalled-drill-'));
    try {
      const dump = path.join(folder, 'app.dump');
      pgDump(await createDatabase(await debianServer(), 'stalled_drill'), dump);
      const port = (server.address() as net.AddressInfo).port;
      const child = spawn(
        process.execPath,
        [
          ...['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'drill', '--workspace', folder],
          ...['--dump', dump, '--target', url.replace(/\/app$/, '/postgres')],
          ...['--confirm', `127.0.0.1:${port}`],
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH, HOME: os.tmpdir() } },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // The dump is read first; by then the drill waits on the target's CREATE DATABASE.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      child.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000)),
      ]);
      if (code === 'hung') child.kill('SIGKILL');
      assert.equal(code, 2, output);
      assert.match(output, /cancelled/, output);
      assert.ok(!output.includes('S3cretPw'), 'no password');
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
