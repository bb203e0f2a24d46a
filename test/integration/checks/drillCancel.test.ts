/**
 * `upkeep drill` stopped by a cron or CI timeout (SIGTERM) in each of its steps. While the plan
 * read the servers' identities (up to 5 s each from a server that does not answer) it died of
 * the signal, exit 143 and no word; it waited out the connect timeout while connecting to the
 * target; a CREATE DATABASE whose answer was still on its way left the scratch database behind
 * without a word. Every step must stop within seconds, exit 2 and say so, drop what it created
 * (or name it), and leave the monitored database alone.
 *
 * The servers are real: the dump comes from Debian's PostgreSQL, the target is the embedded
 * one reached through a TCP relay on 127.0.0.1 that this test starts, which can hold back the
 * server's answer to a statement; a silent listener stands for a server that never answers. A
 * `pg_restore` on the PATH of the drill waits before running the real one, so that the signal
 * arrives while it reads the dump or restores it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { CliRun } from '../../support/cli';
import { startCli } from '../../support/cli';
import {
  admin,
  createDatabase,
  debianServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';
import { tempFolder } from '../../support/tempFolders';

/** A statement whose answer the relay holds back, and for how long (Infinity: never sent). */
interface Hold {
  text: string;
  ms: number;
  seen: boolean;
}

/** A TCP relay to `port` that holds back the server's answers to `hold.text`. */
async function relayTo(port: number, current: () => Hold | undefined): Promise<net.Server> {
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    let heldUntil = 0;
    let held: Buffer[] = [];
    const release = (): void => {
      for (const chunk of held) client.write(chunk);
      held = [];
    };
    client.on('data', (chunk: Buffer) => {
      const hold = current();
      if (hold && chunk.includes(hold.text)) {
        hold.seen = true;
        heldUntil = Date.now() + hold.ms;
        if (Number.isFinite(hold.ms)) setTimeout(release, hold.ms);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (Date.now() < heldUntil) {
        held.push(chunk);
        return;
      }
      release();
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return relay;
}

const portOf = (server: net.Server): number => (server.address() as net.AddressInfo).port;

describe('upkeep drill stopped by SIGTERM in each step', function () {
  this.timeout(180_000);
  let folder: string;
  let dumpFile: string;
  /** The monitored database, on Debian's server: the drill must never change it. */
  let monitoredUrl: string;
  let targetAdminUrl: string;
  let relayUrl: string;
  let relayServer: string;
  let relay: net.Server;
  let hold: Hold | undefined;
  let silent: net.Server;
  let silentSockets: net.Socket[];
  let silentUrl: string;
  /** A folder with the waiting pg_restore, first on the drill's PATH. */
  let slowBin: string;
  let password: string;

  before(async () => {
    folder = await tempFolder('upkeep-drill-cancel-');
    monitoredUrl = await createDatabase(await debianServer(), 'drill_cancel_app');
    await admin(
      monitoredUrl,
      `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
       INSERT INTO users (email) SELECT 'u' || g || '@example.test' FROM generate_series(1, 50) g;`,
    );
    dumpFile = path.join(folder, 'app.dump');
    pgDump(monitoredUrl, dumpFile);

    targetAdminUrl = await createDatabase(await embeddedServer(), 'drill_cancel_admin');
    const target = new URL(targetAdminUrl);
    password = decodeURIComponent(target.password);
    relay = await relayTo(Number(target.port), () => hold);
    relayServer = `127.0.0.1:${portOf(relay)}`;
    relayUrl = `postgres://${target.username}@${relayServer}${target.pathname}`;

    silentSockets = [];
    silent = net.createServer((socket) => {
      silentSockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `postgres://app:S3cretPw@127.0.0.1:${portOf(silent)}/postgres`;

    slowBin = path.join(folder, 'bin');
    await fs.mkdir(slowBin);
    const realPgRestore = execFileSync('which', ['pg_restore']).toString().trim();
    await fs.writeFile(
      path.join(slowBin, 'pg_restore'),
      [
        '#!/bin/sh',
        // SLOW_STEP says which call waits: the read of the dump's data, or the restore.
        'case " $* " in',
        `  *" --data-only "*) [ "$SLOW_STEP" = read ] && touch "${folder}/slow" && sleep 60 ;;`,
        `  *" -d "*) [ "$SLOW_STEP" = restore ] && touch "${folder}/slow" && sleep 60 ;;`,
        'esac',
        `exec ${realPgRestore} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });

  beforeEach(async () => {
    hold = undefined;
    await fs.rm(path.join(folder, 'slow'), { force: true });
  });

  after(async () => {
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
    relay?.close();
  });

  const scratchDatabases = async (): Promise<string[]> =>
    (
      await admin<{ datname: string }>(
        targetAdminUrl,
        "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep\\_drill\\_%'",
      )
    ).map((row) => row.datname);

  /** The monitored database as the test made it, and no scratch database beside it. */
  async function assertMonitoredUntouched(): Promise<void> {
    const [{ n }] = await admin<{ n: string }>(monitoredUrl, 'SELECT count(*) AS n FROM users');
    assert.equal(Number(n), 50);
    const beside = await admin(
      monitoredUrl,
      "SELECT datname FROM pg_database WHERE datname LIKE 'upkeep\\_drill\\_%'",
    );
    assert.deepEqual(beside, []);
  }

  async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await ready())) {
      assert.ok(Date.now() < deadline, `never ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Sends SIGTERM once `ready`, and returns the run and how long it took to stop. */
  async function terminateWhen(
    args: string[],
    env: NodeJS.ProcessEnv,
    what: string,
    ready: () => boolean | Promise<boolean>,
  ): Promise<{ run: CliRun; tookMs: number }> {
    const cli = startCli(['drill', '--workspace', folder, '--dump', dumpFile, ...args], {
      PGPASSWORD: password,
      ...env,
    });
    let finished = false;
    void cli.exited.then(() => (finished = true));
    await until(what, async () => {
      assert.ok(!finished, `the drill ended before it ${what}: ${cli.output().stderr}`);
      return ready();
    });
    const signalled = Date.now();
    cli.child.kill('SIGTERM');
    const run = await Promise.race([
      cli.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000)),
    ]);
    if (!run) cli.child.kill('SIGKILL');
    assert.ok(run, `still running 30 s after SIGTERM: ${cli.output().stderr}`);
    assert.ok(!(run.stdout + run.stderr).includes(password), 'no password');
    assert.ok(!(run.stdout + run.stderr).includes('S3cretPw'), 'no password');
    return { run, tookMs: Date.now() - signalled };
  }

  const connectedToSilent = (): (() => boolean) => {
    const before = silentSockets.length;
    return () => silentSockets.length > before;
  };

  it('while the plan reads the identity of a monitored server that does not answer', async () => {
    const { run, tookMs } = await terminateWhen(
      ['--target', relayUrl, '--confirm', relayServer],
      { DATABASE_URL: silentUrl },
      'connected to the monitored server',
      connectedToSilent(),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /upkeep drill: cancelled \(SIGTERM\); nothing was done\./);
    assert.ok(tookMs < 3000, `took ${tookMs} ms`);
    assert.deepEqual(await scratchDatabases(), []);
  });

  it('while the plan reads the identity of a target that does not answer', async () => {
    const { run, tookMs } = await terminateWhen(
      ['--target', silentUrl.replace('S3cretPw', ''), '--confirm', `127.0.0.1:${portOf(silent)}`],
      { DATABASE_URL: monitoredUrl },
      'connected to the target',
      connectedToSilent(),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cancelled \(SIGTERM\); nothing was done\./);
    assert.ok(tookMs < 3000, `took ${tookMs} ms`);
    await assertMonitoredUntouched();
  });

  it('while it connects to a target that does not answer, after the plan', async () => {
    // No monitored database: the plan reads no identity, so the drill's own connect is the
    // first the silent server gets.
    const { run, tookMs } = await terminateWhen(
      ['--target', silentUrl, '--confirm', `127.0.0.1:${portOf(silent)}`],
      {},
      'connected to the target',
      connectedToSilent(),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cancelled \(SIGTERM\); nothing was recorded\./);
    assert.ok(tookMs < 3000, `took ${tookMs} ms`);
  });

  it('left alone, a target that does not answer is given up on, and named so', async () => {
    // pg's own words for its connect timeout, "timeout expired", said neither what timed out
    // nor after how long.
    const server = `127.0.0.1:${portOf(silent)}`;
    const drill = (args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> =>
      startCli(
        ['drill', '--workspace', folder, '--dump', dumpFile, '--target', silentUrl, ...args],
        { PGPASSWORD: password, ...env },
      ).exited;

    const plan = await drill([], { DATABASE_URL: monitoredUrl });
    assert.equal(plan.code, 2, plan.stderr);
    assert.match(plan.stderr, /Compared by host and port only: the target's system identifier/);
    assert.match(plan.stderr, /could not be read yet \(no answer within 5 s\)\./);

    const started = Date.now();
    const run = await drill(['--confirm', server], {});
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`the drill did not run on ${server}: no answer within 10 s\\nCheck that`),
    );
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    assert.ok(!(plan.stderr + run.stderr).includes('S3cretPw'), 'no password');
  });

  it('while CREATE DATABASE is answered late: the database it made is dropped', async () => {
    hold = { text: 'CREATE DATABASE', ms: 2500, seen: false };
    const { run } = await terminateWhen(
      ['--target', relayUrl, '--confirm', relayServer],
      { DATABASE_URL: monitoredUrl },
      'created the scratch database',
      async () => (hold?.seen ?? false) && (await scratchDatabases()).length > 0,
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cancelled \(SIGTERM\); nothing was recorded\./);
    assert.deepEqual(await scratchDatabases(), [], run.stderr);
    await assertMonitoredUntouched();
  });

  it('while CREATE DATABASE is never answered: the scratch database is named', async () => {
    hold = { text: 'CREATE DATABASE', ms: Infinity, seen: false };
    const { run, tookMs } = await terminateWhen(
      ['--target', relayUrl, '--confirm', relayServer],
      { DATABASE_URL: monitoredUrl },
      'created the scratch database',
      async () => (hold?.seen ?? false) && (await scratchDatabases()).length > 0,
    );
    const [left] = await scratchDatabases();
    try {
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /cancelled \(SIGTERM\)/);
      assert.ok(run.stderr.includes(left), `names ${left}: ${run.stderr}`);
      assert.ok(run.stderr.includes(`DROP DATABASE IF EXISTS ${left}`), run.stderr);
      assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
    } finally {
      await admin(targetAdminUrl, `DROP DATABASE IF EXISTS ${left} WITH (FORCE)`);
    }
    await assertMonitoredUntouched();
  });

  // pg_restore first reads the dump's data (nothing is created yet), then restores it.
  const slowSteps: [string, string][] = [
    ['read', 'pg_restore reads the dump: nothing is created'],
    ['restore', 'pg_restore restores: the scratch database is dropped'],
  ];
  for (const [step, title] of slowSteps) {
    it(`while ${title}, pg_restore stopped`, async () => {
      const slow = path.join(folder, 'slow');
      const { run, tookMs } = await terminateWhen(
        ['--target', relayUrl, '--confirm', relayServer, '--verbose', '--format', 'json'],
        { DATABASE_URL: monitoredUrl, PATH: `${slowBin}:${process.env.PATH}`, SLOW_STEP: step },
        `spent a second in pg_restore's ${step}`,
        () =>
          fs.stat(slow).then(
            (stat) => Date.now() - stat.mtimeMs > 1000,
            () => false,
          ),
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /cancelled \(SIGTERM\); nothing was recorded\./);
      // The JSON asked for says so too, instead of an empty stdout.
      assert.deepEqual(JSON.parse(run.stdout), {
        ok: false,
        stopped: { code: 'cancelled', message: 'cancelled (SIGTERM); nothing was recorded.' },
        dumpFile,
        target: relayServer,
      });
      if (step === 'restore') {
        // How long the restore ran before the cancel, not "restore 0 ms".
        const ran = /recovery drill: cancelled, restore cancelled after (\d+) ms, 0 tables/.exec(
          run.stderr,
        );
        assert.ok(ran && Number(ran[1]) >= 1000, run.stderr);
      }
      assert.ok(tookMs < 5000, `took ${tookMs} ms`);
      assert.deepEqual(await scratchDatabases(), []);
      const processes = execFileSync('ps', ['-eo', 'args']).toString();
      assert.ok(!processes.includes(slowBin), 'no pg_restore left');
      await assertMonitoredUntouched();
    });
  }

  it('while it counts the restored rows: the scratch database is dropped', async () => {
    hold = { text: 'count(*)', ms: Infinity, seen: false };
    const { run, tookMs } = await terminateWhen(
      ['--target', relayUrl, '--confirm', relayServer],
      { DATABASE_URL: monitoredUrl },
      'counted the rows',
      () => hold?.seen ?? false,
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cancelled \(SIGTERM\); nothing was recorded\./);
    assert.ok(tookMs < 5000, `took ${tookMs} ms`);
    assert.deepEqual(await scratchDatabases(), []);
    await assertMonitoredUntouched();
  });
});
