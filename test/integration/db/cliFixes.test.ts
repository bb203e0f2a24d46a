/**
 * `upkeep db` and `upkeep check` on a card with several fixes (two foreign keys without an
 * index): the text shows every statement, not only the first, as the JSON does.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { admin, createDatabase, serversUnderTest } from './servers';
import { runCli } from '../../support/cli';

const SCHEMA = `
  CREATE TABLE businesses (id serial PRIMARY KEY, name text);
  CREATE TABLE users (id serial PRIMARY KEY, email text);
  CREATE TABLE services (id serial PRIMARY KEY, business_id int REFERENCES businesses(id));
  CREATE TABLE bookings (id serial PRIMARY KEY, user_id int REFERENCES users(id),
    service_id int REFERENCES services(id));
  CREATE INDEX index_bookings_on_service_id ON bookings (service_id);
`;

const BOOKINGS = 'CREATE INDEX CONCURRENTLY ON "bookings" ("user_id");';
const SERVICES = 'CREATE INDEX CONCURRENTLY ON "services" ("business_id");';

for (const target of serversUnderTest) {
  describe(`every fix of a card in the CLI text on ${target.name}`, function () {
    this.timeout(120_000);
    let workspace: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      const url = await createDatabase(await target.start(), 'fixes');
      await admin(url, SCHEMA);
      workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-fixes-'));
      env = { DATABASE_URL: url, HOME: workspace, XDG_CACHE_HOME: workspace };
    });

    after(async () => {
      await fs.rm(workspace, { recursive: true, force: true });
    });

    it('upkeep db prints both CREATE INDEX statements under the card', async () => {
      const args = ['db', '--workspace', workspace, '--no-snapshots'];
      const text = await runCli([...args, '--card', 'foreignKeysWithoutIndex'], env);
      assert.equal(text.code, 0, text.stdout + text.stderr);
      const lines = text.stdout.split('\n');
      const card = lines.findIndex((line) =>
        /^WARN +\S.* +2 foreign keys without an index: "bookings" \("user_id"\) and 1 more$/.test(
          line,
        ),
      );
      assert.ok(card >= 0, text.stdout);
      // why:, then fix: with the first statement, then the second aligned under it.
      const fix = lines[card + 2];
      const column = fix.indexOf('fix: ');
      assert.ok(column > 0, text.stdout);
      assert.equal(fix.slice(column), `fix: ${BOOKINGS}`);
      assert.equal(lines[card + 3], `${' '.repeat(column + 5)}${SERVICES}`);
      assert.equal(text.stderr, '');

      const json = await runCli(
        [...args, '--card', 'foreignKeysWithoutIndex', '--format', 'json'],
        env,
      );
      const [parsed] = (JSON.parse(json.stdout) as { cards: { fix: string; fixes: string[] }[] })
        .cards;
      assert.equal(parsed.fix, BOOKINGS);
      assert.deepEqual(parsed.fixes, [BOOKINGS, SERVICES]);
    });

    it('says where to run several statements when each fix is one of them', async () => {
      // Rows never analyzed: more than autovacuum's 50-row threshold (fewer need no statistics),
      // with autovacuum off on both tables so that it leaves them.
      await admin(
        env.DATABASE_URL!,
        `ALTER TABLE users SET (autovacuum_enabled = false);
         ALTER TABLE businesses SET (autovacuum_enabled = false);
         INSERT INTO users (email) SELECT 'u' || i FROM generate_series(1, 60) i;
         INSERT INTO businesses (name) SELECT 'b' || i FROM generate_series(1, 60) i;
         SELECT pg_stat_force_next_flush();`,
      );
      const json = await runCli(
        [
          'db',
          '--workspace',
          workspace,
          '--no-snapshots',
          '--card',
          'statistics',
          '--format',
          'json',
        ],
        env,
      );
      const [card] = (
        JSON.parse(json.stdout) as { cards: { reason: string; fix: string; fixes: string[] }[] }
      ).cards;
      assert.deepEqual(card.fixes.slice().sort(), ['ANALYZE "businesses";', 'ANALYZE "users";']);
      // The CLI has no maintenance command: psql, or the editor's.
      assert.match(
        card.reason,
        /Run the statements with psql, or with "Upkeep: Run Database Maintenance" in the editor/,
      );
    });

    it("upkeep check shows both statements in the check's details", async () => {
      const check = await runCli(
        ['check', '--workspace', workspace, '--check', 'db.missingIndexes'],
        env,
      );
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.match(check.stdout, new RegExp(`^ {4}Fix: ${escape(BOOKINGS)}$`, 'm'));
      assert.match(check.stdout, new RegExp(`^ {9}${escape(SERVICES)}$`, 'm'));
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
