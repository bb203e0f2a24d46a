/**
 * Growth against a baseline snapshot that kept only its 200 largest tables, on both real
 * servers: a table it left out was counted as having grown by all of its size. The card says
 * such a table was not in the baseline instead; a baseline of fewer tables held every table,
 * so one it lacks is new and all of it is growth.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCard } from '../../../src/core/db/cards';
import type { DbSession } from '../../../src/core/db/session';
import type { SizeSnapshot } from '../../../src/core/db/snapshots';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

interface GrowthData {
  fastestTables: { name: string; bytes: number }[];
  notInBaseline: { name: string; totalBytes: number }[];
  notInBaselineCount: number;
}

for (const target of serversUnderTest) {
  describe(`growth of a table the baseline left out on ${target.name}`, function () {
    this.timeout(120_000);
    let session: DbSession;
    let folder: string;

    before(async () => {
      const url = await createDatabase(await target.start(), 'baseline');
      await admin(
        url,
        `CREATE TABLE users (id bigint, note text);
         CREATE TABLE events (id bigint, note text);
         INSERT INTO users SELECT i, repeat('u', 100) FROM generate_series(1, 2000) i;
         INSERT INTO events SELECT i, repeat('e', 100) FROM generate_series(1, 2000) i`,
      );
      ({ session } = await connect(url));
      folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-baseline-'));
    });

    after(async () => {
      await session?.close();
      await fs.rm(folder, { recursive: true, force: true });
    });

    /** The growth card against one snapshot of 8 days ago holding `tables`. */
    async function growthSince(
      tables: Record<string, number>,
    ): Promise<GrowthData & { s: string }> {
      const file = path.join(folder, `${Object.keys(tables).length}.json`);
      const baseline: SizeSnapshot = {
        at: new Date(Date.now() - 8 * 86_400_000).toISOString(),
        databaseBytes: 1,
        tables,
      };
      const databases = { [session.connection.display]: [baseline] };
      await fs.writeFile(file, JSON.stringify({ version: 1, databases }));
      const card = await runCard(session, 'growth', { snapshotFile: file });
      assert.equal(card.state, 'ok', card.summary);
      return { ...(card.data as GrowthData), s: card.summary };
    }

    it('says a table the full baseline lacks was not in it, not that it grew', async () => {
      // 200 larger tables, since dropped, and users: the baseline kept no room for events.
      const tables: Record<string, number> = { 'public.users': 8192 };
      for (let i = 0; i < 199; i++) tables[`public.old_${i}`] = 1e9;
      const data = await growthSince(tables);
      assert.deepEqual(
        data.fastestTables.map((table) => table.name),
        ['users'],
      );
      assert.deepEqual(
        data.notInBaseline.map((table) => table.name),
        ['events'],
      );
      assert.equal(data.notInBaselineCount, 1);
      assert.match(
        data.s,
        /; 1 table not among the 200 largest of that snapshot \(growth unknown\)$/,
      );
    });

    it('counts all of a table the baseline lacks as growth when it held every table', async () => {
      const data = await growthSince({ 'public.users': 8192 });
      assert.deepEqual(data.fastestTables.map((table) => table.name).sort(), ['events', 'users']);
      assert.deepEqual(data.notInBaseline, []);
      assert.doesNotMatch(data.s, /not among/);
    });
  });
}
