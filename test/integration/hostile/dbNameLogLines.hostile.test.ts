/**
 * A database name is the config's text (database.yml, a URL): a line break in it, logged raw,
 * would make a line of its own on the CLI's stderr, which keeps a message's line breaks. The
 * lines a lost connection and a maintenance run log keep the name on their one line.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { resolveConnection } from '../../../src/core/db/connection';
import {
  confirmMaintenance,
  planMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { openSession } from '../../../src/core/db/session';
import { resolveSettings } from '../../../src/core/settings';
import { createLogger } from '../../../src/core/util/logger';
import { admin, embeddedServer } from '../../support/postgres';

const NAME = `up_${process.pid}\nerror from upkeep\u202e`;

describe('a database name with a line break in the log', function () {
  this.timeout(120_000);
  const lines: string[] = [];
  const log = createLogger((level, line) => lines.push(`${level}: ${line}`));
  let url: string;

  before(async () => {
    const server = await embeddedServer();
    await admin(server.url(), `CREATE DATABASE "${NAME}"`);
    const parsed = new URL(server.url());
    parsed.pathname = `/${encodeURIComponent(NAME)}`;
    url = parsed.toString();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  const connection = () =>
    resolveConnection({
      workspace: os.tmpdir(),
      settings: resolveSettings({ database: { url } }),
      env: {},
      trusted: false,
    });

  it('says on one line that the connection was lost', async () => {
    const resolved = await connection();
    assert.equal(resolved.databaseName, NAME);
    const session = await openSession(resolved, {
      statementTimeoutMs: 5_000,
      lockTimeoutMs: 1_000,
      connectTimeoutMs: 5_000,
      log,
    });
    try {
      await admin(
        url,
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity ' +
          "WHERE datname = current_database() AND application_name = 'upkeep'",
      );
      const deadline = Date.now() + 10_000;
      while (!lines.some((line) => line.includes(' lost: '))) {
        assert.ok(Date.now() < deadline, lines.join('\n'));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await session.close().catch(() => undefined);
    }
    assert.deepEqual(
      lines.filter((line) => /[\n\u202e]/.test(line)),
      [],
    );
  });

  it('names the database on one line when maintenance runs', async () => {
    const resolved = await connection();
    const plan = planMaintenance(resolved, 'analyze', { type: 'database' }, 170000);
    await runMaintenance(resolved, confirmMaintenance(plan), {
      lockTimeoutMs: 1_000,
      connectTimeoutMs: 5_000,
      log,
    });
    assert.ok(
      lines.some((line) => line.startsWith('info: running on ')),
      lines.join('\n'),
    );
    assert.deepEqual(
      lines.filter((line) => /[\n\u202e]/.test(line)),
      [],
    );
  });
});
