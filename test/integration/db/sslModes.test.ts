/**
 * sslmode as libpq reads it, against both real servers (which offer no SSL): `prefer` (libpq's
 * default) and `allow` connect without SSL as psql and Rails do; `require` refuses.
 */
import * as assert from 'node:assert/strict';
import { runCard } from '../../../src/core/db/cards';
import {
  planMaintenance,
  confirmMaintenance,
  runMaintenance,
} from '../../../src/core/db/maintenance';
import { UpkeepError } from '../../../src/core/util/errors';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`sslmode on ${target.name}, a server without SSL`, function () {
    this.timeout(120_000);
    let url: string;

    before(async () => {
      url = await createDatabase(await target.start(), 'sslmode');
      await admin(url, 'CREATE TABLE notes (id int)');
    });

    for (const mode of ['prefer', 'allow']) {
      it(`connects with sslmode=${mode}, as psql and Rails do`, async () => {
        const { connection, session } = await connect(`${url}?sslmode=${mode}`);
        try {
          const card = await runCard(session, 'connectivity');
          assert.equal(card.state, 'ok', card.summary);
          // Maintenance opens its own connection: the same rule.
          const plan = planMaintenance(connection, 'analyze', { type: 'table', name: 'notes' }, 0);
          const done = await runMaintenance(connection, confirmMaintenance(plan), {
            lockTimeoutMs: 1000,
            connectTimeoutMs: 5000,
          });
          assert.equal(done.sql, 'ANALYZE "notes";');
        } finally {
          await session.close();
        }
      });
    }

    it('refuses with sslmode=require and says why', async () => {
      await assert.rejects(connect(`${url}?sslmode=require`), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'unreachable'));
        assert.match(error.message, /does not support SSL/);
        assert.match(error.hint ?? '', /sslmode/);
        return true;
      });
    });
  });
}
