/**
 * Explain Query takes SQL text from the dashboard webview (a compromised page can send any) or
 * from a selection in a repo file. The text splitter did not know E'' strings, where \' is a
 * quote: `E'\'' ; COMMIT; DROP TABLE ...` looked like one statement to it, but the server ran
 * three in one simple-protocol message, the COMMIT ending the READ ONLY transaction.
 */
import * as assert from 'node:assert/strict';
import { explainQuery, prepareExplain } from '../../../src/core/db/explain';
import { admin, connect, createDatabase, serversUnderTest } from '../db/servers';

const PAYLOADS = [
  // Not a plain SELECT, so the editor asks nothing before the EXPLAIN runs.
  String.raw`DELETE FROM victims WHERE note = E'\'' ; COMMIT; DROP TABLE victims; --'`,
  String.raw`SELECT E'\'' ; COMMIT; DROP TABLE victims; --'`,
];

describe('Explain Query never writes (security review)', function () {
  this.timeout(120_000);

  for (const server of serversUnderTest) {
    describe(server.name, () => {
      let url: string;

      before(async () => {
        url = await createDatabase(await server.start(), 'explain_injection');
      });

      for (const payload of PAYLOADS) {
        it(`refuses ${payload.slice(0, 30)}… and the table stays`, async () => {
          await admin(url, 'CREATE TABLE IF NOT EXISTS victims (id int, note text)');
          const { session } = await connect(url);
          try {
            const outcome = await Promise.resolve()
              .then(() => prepareExplain(payload))
              .then((prepared) => explainQuery(session, prepared, { analyze: false }))
              .then(
                () => 'explained',
                (error: unknown) => (error instanceof Error ? error.message : String(error)),
              );
            const left = await admin(url, "SELECT 1 FROM pg_tables WHERE tablename = 'victims'");
            assert.equal(left.length, 1, `the table was dropped (outcome: ${outcome})`);
            assert.match(outcome, /one statement|statements|multiple commands/i);
          } finally {
            await session.close();
          }
        });
      }

      it('reads strings as its splitter does on a database whose strings are not', async () => {
        // With standard_conforming_strings off, '\'' is a quote in any string, which no splitter
        // reading the text alone can know. Upkeep's reads pin the setting on, so the server
        // reads each payload as the splitter did: one DELETE, only planned, or a string left
        // open, refused. The extended protocol's one statement stays as the guard behind it.
        const lax = await createDatabase(await server.start(), 'explain_lax');
        const name = new URL(lax).pathname.slice(1);
        await admin(lax, 'CREATE TABLE victims (id int, note text)');
        await admin(lax, `ALTER DATABASE ${name} SET standard_conforming_strings = off`);
        const { session } = await connect(lax);
        try {
          const cases: [string, RegExp][] = [
            // One DELETE, whose filter's string holds the COMMIT and the DROP: only planned.
            [
              String.raw`DELETE FROM victims WHERE note = '\'' ; COMMIT; DROP TABLE victims; --'`,
              /"Operation":"Delete".*"Filter":"[^"]*COMMIT; DROP TABLE victims/,
            ],
            // A string the quote at its end leaves open: the server refuses it whole.
            [
              String.raw`DELETE FROM victims WHERE id = $1 AND note='\''; ` +
                'COMMIT; DROP TABLE victims',
              /unterminated quoted string/,
            ],
          ];
          for (const [payload, expected] of cases) {
            const prepared = prepareExplain(payload);
            const outcome = await explainQuery(session, prepared, { analyze: false }).then(
              (result) => JSON.stringify(result),
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            );
            assert.match(outcome, expected, outcome);
            // A syntax error is the server's answer, not a connection that broke.
            assert.doesNotMatch(outcome, /connection broke/, outcome);
            const left = await admin(lax, "SELECT 1 FROM pg_tables WHERE tablename = 'victims'");
            assert.equal(left.length, 1, 'the table was dropped');
          }
        } finally {
          await session.close();
        }
      });

      it('still explains a real E-string query and a $1 query', async () => {
        await admin(url, 'CREATE TABLE IF NOT EXISTS victims (id int, note text)');
        const { session } = await connect(url);
        try {
          const plain = prepareExplain(String.raw`SELECT * FROM victims WHERE note = E'it\'s'`);
          assert.equal(plain.canAnalyze, true);
          const plan = await explainQuery(session, plain, { analyze: false });
          assert.ok(plan.nodes.length >= 1);
          const parameterized = prepareExplain('SELECT * FROM victims WHERE id = $1');
          if (server.major >= 16) {
            const generic = await explainQuery(session, parameterized, { analyze: false });
            assert.ok(generic.nodes.length >= 1);
          } else {
            await assert.rejects(
              explainQuery(session, parameterized, { analyze: false }),
              /\$1-style parameters/,
            );
          }
        } finally {
          await session.close();
        }
      });
    });
  }
});
