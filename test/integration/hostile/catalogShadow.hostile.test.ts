/**
 * A monitored database's owner need not be its monitor: an app role that owns the database can
 * set the database's search_path to list its own schema before pg_catalog and put views named
 * pg_class or pg_stat_activity there. Upkeep's reads must still reach the system catalogs, or
 * every card would run the owner's code with the rights of the role Upkeep connects as (often
 * a superuser's, and a superuser's COPY ... TO PROGRAM runs a command on the server).
 */
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { readIdentity } from '../../../src/core/checks/drillPlan';
import { collectCards } from '../../../src/core/db/cards';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { connect } from '../db/servers';

/** The catalog views the cards read, each shadowed by a view that runs the owner's code. */
const SHADOWED = [
  'pg_class',
  'pg_namespace',
  'pg_index',
  'pg_database',
  'pg_settings',
  'pg_locks',
  'pg_stat_activity',
  'pg_stat_user_tables',
  'pg_stat_user_indexes',
  'pg_statio_user_tables',
];

describe('a database whose owner shadows the system catalogs (security review)', function () {
  this.timeout(120_000);
  let url: string;
  let folder: string;
  let marker: string;
  const role = `shadow_owner_${process.pid}`;

  before(async () => {
    const server = await embeddedServer();
    // The server writes the marker as its own OS user, which may not be this process's.
    folder = mkdtempSync(path.join(os.tmpdir(), 'upkeep-shadow-'));
    chmodSync(folder, 0o777);
    marker = path.join(folder, 'ran');
    await admin(server.url(), `CREATE ROLE ${role} LOGIN PASSWORD 'owner'`);
    url = await createDatabase(server, 'shadow');
    const database = new URL(url).pathname.slice(1);
    await admin(url, `ALTER DATABASE "${database}" OWNER TO ${role}`);
    await admin(url, `ALTER SCHEMA public OWNER TO ${role}`);
    const owner = new URL(url);
    owner.username = role;
    owner.password = 'owner';
    const command = `cat >> ${marker}`;
    await admin(
      owner.toString(),
      `CREATE FUNCTION public.owner_code(what text) RETURNS boolean LANGUAGE plpgsql AS $$
       BEGIN
         EXECUTE pg_catalog.format('COPY (SELECT %L) TO PROGRAM %L', what, '${command}');
         RETURN true;
       EXCEPTION WHEN others THEN RETURN true;
       END $$;
       ${SHADOWED.map(
         (view) =>
           `CREATE VIEW public.${view} AS SELECT * FROM pg_catalog.${view}
             WHERE public.owner_code('${view}');`,
       ).join('\n')}
       CREATE FUNCTION public.pg_control_system(OUT system_identifier bigint) LANGUAGE sql
         AS $$ SELECT 42::bigint WHERE public.owner_code('pg_control_system') $$;
       ALTER DATABASE "${database}" SET search_path = public, pg_catalog;`,
    );
  });

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('the cards read pg_catalog, never a view of the same name before it', async () => {
    const { session } = await connect(url);
    try {
      const cards = await collectCards(session, {});
      assert.ok(cards.length > 10, `${cards.length} cards`);
      assert.equal(cards.find((card) => card.id === 'connectivity')?.state, 'ok');
    } finally {
      await session.close();
    }
    assert.equal(existsSync(marker), false, 'the owner code ran: a shadowing view was read');
  });

  it("the recovery drill's guard reads the server's own identifier", async () => {
    const [real] = await admin<{ id: string }>(
      url,
      'SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()',
    );
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      assert.deepEqual(await readIdentity(client), { id: real.id });
    } finally {
      await client.end();
    }
    assert.equal(existsSync(marker), false, 'the owner code ran: a shadowing function was called');
  });

  it('the owner code runs for a session with that search_path (the test can fail)', async () => {
    await admin(url, 'SELECT count(*) FROM pg_class');
    assert.equal(existsSync(marker), true);
    rmSync(marker);
  });
});
