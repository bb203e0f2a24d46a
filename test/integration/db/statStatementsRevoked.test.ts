/**
 * Slowest queries as a monitoring role from which an administrator revoked pg_stat_statements
 * (`REVOKE SELECT ON pg_stat_statements FROM PUBLIC`, and EXECUTE on its function, as hardening
 * guides advise), on both real servers: the card is skipped with the GRANTs that let the role
 * read it, as for a schema it may not use, not in error with "GRANT SELECT on the table".
 */
import * as assert from 'node:assert/strict';
import { collectCards } from '../../../src/core/db/cards';
import { admin, connect, createDatabase, serversUnderTest } from './servers';

for (const target of serversUnderTest) {
  describe(`pg_stat_statements revoked from the role on ${target.name}`, function () {
    this.timeout(120_000);
    let url: string;
    const role = `pss_revoked_${process.pid}_${target.major}`;

    before(async () => {
      url = await createDatabase(await target.start(), 'pss_revoked');
      await admin(url, 'CREATE EXTENSION pg_stat_statements');
      await admin(url, `DROP ROLE IF EXISTS ${role}`);
      await admin(url, `CREATE ROLE ${role} LOGIN PASSWORD 'watch-pw'`);
    });

    after(async () => {
      // The role owns nothing; the database goes with the server.
      await admin(url, `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    });

    /** The Slowest queries card read as the role. */
    async function slowQueriesCard(): Promise<{ state: string; summary: string; fix?: string }> {
      const limited = new URL(url);
      limited.username = role;
      limited.password = 'watch-pw';
      const { session } = await connect(limited.toString());
      try {
        const [card] = await collectCards(session, { only: ['slowQueries'] });
        return card;
      } finally {
        await session.close();
      }
    }

    it('without SELECT on the view: skipped, with the GRANT', async () => {
      await admin(url, 'REVOKE SELECT ON pg_stat_statements FROM PUBLIC');

      const card = await slowQueriesCard();

      assert.equal(card.state, 'skipped', card.summary);
      assert.equal(card.summary, `Role ${role} may not read pg_stat_statements.`);
      assert.equal(card.fix, `GRANT SELECT ON "public"."pg_stat_statements" TO "${role}";`);
    });

    it('without EXECUTE on its function too: skipped, with both GRANTs', async () => {
      await admin(url, 'REVOKE EXECUTE ON FUNCTION pg_stat_statements(boolean) FROM PUBLIC');

      const card = await slowQueriesCard();

      assert.equal(card.state, 'skipped', card.summary);
      assert.equal(
        card.fix,
        `GRANT SELECT ON "public"."pg_stat_statements" TO "${role}"; ` +
          `GRANT EXECUTE ON FUNCTION "public"."pg_stat_statements"(boolean) TO "${role}";`,
      );
    });
  });
}
