/**
 * The recovery drill's guard against restoring onto the monitored server, with real servers: one
 * server reached by two names, or through a port forwarded to it, is the same cluster (its
 * system identifier tells); two embedded servers are two; and a role that may not read the
 * identifier leaves the guard comparing host and port, saying so.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { planRecoveryDrill } from '../../../src/core/checks/drillPlan';
import { runRecoveryDrill } from '../../../src/core/checks/recoveryDrill';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import {
  admin,
  createDatabase,
  debianServer,
  dedicatedServer,
  embeddedServer,
  pgDump,
} from '../../support/postgres';

describe('recovery drill: the monitored server by identity', function () {
  this.timeout(180_000);
  let folder: string;
  let dumpFile: string;
  let monitoredUrl: string;
  let other: RunningPostgres;
  let forwarder: net.Server;
  let forwardedPort: number;

  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-drill-identity-'));
    const server = await embeddedServer();
    monitoredUrl = await createDatabase(server, 'drill_identity_app');
    // The dump comes from Debian's server: its pg_dump (15) reads no newer server.
    const source = await createDatabase(await debianServer(), 'drill_identity_source');
    await admin(source, 'CREATE TABLE users (id int); INSERT INTO users VALUES (1)');
    dumpFile = path.join(folder, 'app.dump');
    pgDump(source, dumpFile);
    other = await dedicatedServer('embedded', {});

    // A port forwarded to the monitored server, as an SSH tunnel or a container's port is.
    const port = Number(new URL(monitoredUrl).port);
    forwarder = net.createServer((socket) => {
      const upstream = net.connect(port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
    forwardedPort = (forwarder.address() as net.AddressInfo).port;
  });

  after(async () => {
    await new Promise((resolve) => forwarder?.close(resolve) ?? resolve(undefined));
    await fs.rm(folder, { recursive: true, force: true });
  });

  const plan = (targetUrl: string, monitored = monitoredUrl) =>
    planRecoveryDrill({
      workspace: folder,
      settings: resolveSettings({ database: { url: monitored } }),
      env: {},
      trusted: true,
      dumpFile,
      targetUrl,
    });
  const withHost = (url: string, host: string, port?: number): string => {
    const parsed = new URL(url);
    parsed.hostname = host;
    if (port) parsed.port = String(port);
    return parsed.toString();
  };
  const scratchDatabases = async (url: string): Promise<string[]> =>
    (await admin(url, `SELECT datname FROM pg_database WHERE datname LIKE 'upkeep_drill_%'`)).map(
      (row) => String(row.datname),
    );

  it('takes another embedded server for another server, having read both identities', async () => {
    const drill = await plan(other.url());
    assert.equal(drill.onMonitoredServer, false);
    assert.match(drill.monitoredSystemId ?? '', /^\d+$/);
    assert.equal(drill.identityUnknown, undefined);
  });

  it('refuses one server reached by two names (localhost and 127.0.0.1)', async () => {
    const drill = await plan(
      withHost(monitoredUrl, '127.0.0.1'),
      withHost(monitoredUrl, 'localhost'),
    );
    assert.equal(drill.onMonitoredServer, true);
  });

  it('refuses the monitored server through a forwarded port, planned and when run', async () => {
    const forwarded = withHost(monitoredUrl, 'localhost', forwardedPort);
    const drill = await plan(forwarded);
    assert.equal(drill.onMonitoredServer, true, 'the plan warns');

    // Without the plan's word (the editor asks the target's password only after it), the drill
    // reads the identifier once connected and creates nothing.
    await assert.rejects(
      runRecoveryDrill({
        dumpFile,
        targetUrl: forwarded,
        confirmed: true,
        monitoredUrl: drill.monitoredUrl,
        monitoredSystemId: drill.monitoredSystemId,
      }),
      (error: unknown) =>
        UpkeepError.is(error, 'refused') && /same cluster \(system identifier/.test(error.message),
    );
    assert.deepEqual(await scratchDatabases(monitoredUrl), []);

    const allowed = await runRecoveryDrill({
      dumpFile,
      targetUrl: forwarded,
      confirmed: true,
      monitoredSystemId: drill.monitoredSystemId,
      allowMonitoredServer: true,
    });
    assert.equal(allowed.ok, true, allowed.error);
  });

  it('compares host and port only, and says so, when the identifier is not readable', async () => {
    const limited = await dedicatedServer('embedded', {});
    await admin(
      limited.url(),
      `REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC;
       CREATE ROLE app_reader LOGIN PASSWORD 'reader'`,
    );
    const reader = new URL(limited.url());
    reader.username = 'app_reader';
    reader.password = 'reader';
    const drill = await plan(other.url(), reader.toString());
    assert.equal(drill.onMonitoredServer, false);
    assert.equal(drill.monitoredSystemId, undefined);
    assert.match(
      drill.identityUnknown ?? '',
      /system identifier could not be read \(.*permission denied/,
    );
  });
});
