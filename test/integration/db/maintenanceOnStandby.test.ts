/**
 * Confirmed maintenance on a hot standby of Debian's PostgreSQL 15 (`upkeep.database.url` or the
 * replica of config/database.yml, where the dashboard offers it too): a standby runs no VACUUM,
 * ANALYZE or REINDEX, and the failure says so and where to run it, not "... failed: cannot
 * execute VACUUM during recovery" with nothing to do.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { startDebianPostgres } from '../../../scripts/lib/debianPostgres';
import { resolveConnection, type ResolvedConnection } from '../../../src/core/db/connection';
import type { MaintenanceKind } from '../../../src/core/db/maintenance';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { dedicatedServer } from '../../support/postgres';
import { admin, createDatabase } from './servers';

describe('maintenance on a hot standby of Debian PostgreSQL 15', function () {
  this.timeout(180_000);
  let standby: RunningPostgres | undefined;
  let connection: ResolvedConnection;

  before(async () => {
    const primary = await dedicatedServer('debian', {});
    const url = await createDatabase(primary, 'standbymaint');
    await admin(url, 'CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2)');
    standby = await startDebianPostgres({ standbyOf: primary });
    const standbyUrl = standby.url(new URL(url).pathname.slice(1));
    for (let attempt = 0; ; attempt++) {
      const [row] = await admin<{ count: string }>(standbyUrl, 'SELECT count(*) FROM items');
      if (row?.count === '2') break;
      if (attempt > 100) throw new Error('The standby never replayed the table');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    connection = await resolveConnection({
      workspace: os.tmpdir(),
      settings: resolveSettings({ database: { url: standbyUrl } }),
      env: {},
      trusted: false,
    });
  });

  after(async () => {
    await standby?.stop();
  });

  for (const kind of ['vacuumAnalyze', 'reindex'] as const satisfies MaintenanceKind[]) {
    it(`${kind}: refused, naming the standby and the primary to run it on`, async () => {
      const plan = planMaintenance(connection, kind, { type: 'table', name: 'items' }, 150000);

      await assert.rejects(
        runMaintenance(connection, confirmMaintenance(plan), {
          lockTimeoutMs: 5000,
          connectTimeoutMs: 5000,
        }),
        (error: unknown) => {
          assert.ok(UpkeepError.is(error, 'refused'), String(error));
          assert.match(error.message, /is read-only \(a standby/);
          assert.match(error.message, /Nothing was done\.$/);
          assert.match(error.hint ?? '', /on the primary/);
          return true;
        },
      );
    });
  }
});
