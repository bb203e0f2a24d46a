/**
 * Confirmed maintenance whose session the server ends while it runs (pg_terminate_backend, a
 * restart): the error says the server ended it, that it did not finish and what to do, not
 * "... failed: terminating connection due to administrator command" as an internal error.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { Client } from 'pg';
import { resolveConnection } from '../../../src/core/db/connection';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';

describe('maintenance whose session the server ends', function () {
  this.timeout(120_000);

  it('says the server ended it and that it did not finish', async () => {
    const url = await createDatabase(await embeddedServer(), 'maintend');
    await admin(url, 'CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2)');
    const connection = await resolveConnection({
      workspace: os.tmpdir(),
      settings: resolveSettings({ database: { url } }),
      env: {},
      trusted: false,
    });
    // The VACUUM queues behind this lock until the server ends its session.
    const holder = new Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN; LOCK TABLE items IN SHARE UPDATE EXCLUSIVE MODE');
    try {
      const plan = planMaintenance(
        connection,
        'vacuumAnalyze',
        { type: 'table', name: 'items' },
        170000,
      );
      const running = runMaintenance(connection, confirmMaintenance(plan), {
        lockTimeoutMs: 60_000,
        connectTimeoutMs: 5000,
      });
      const outcome = running.then(
        () => undefined,
        (error: unknown) => error,
      );
      for (let attempt = 0; ; attempt++) {
        const [row] = await admin<{ ended: boolean }>(
          url,
          'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity ' +
            "WHERE query LIKE '/* upkeep:maintenance */%' AND wait_event_type = 'Lock'",
        );
        if (row?.ended) break;
        assert.ok(attempt < 200, 'the VACUUM never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const error = await outcome;
      assert.ok(UpkeepError.is(error, 'unreachable'), String(error));
      assert.match(
        error.message,
        /^VACUUM \(ANALYZE\) "items" did not finish: the server ended the connection \(terminating/,
      );
      assert.match(error.hint ?? '', /run it again once the server answers/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });
});
