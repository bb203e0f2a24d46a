/**
 * A table or index named with U+FFFE or U+FFFF, which PostgreSQL takes and XML 1.0 cannot hold:
 * the JUnit report leaves such characters out, and the SQL a check proposes there named another
 * object (`CREATE INDEX ... ON "jobs"` for "jobs\uFFFF", `DROP INDEX "ix"` for "ix\uFFFF"). The
 * statement copied from a CI report must name the same object as in the terminal.
 */
import * as assert from 'node:assert/strict';
import { toJunit } from '../../../src/core/checks/report';
import { admin, createDatabase, embeddedServer } from '../../support/postgres';
import { runDbChecks } from '../db/servers';

interface Testcase {
  $: { name: string };
  failure?: { _: string }[];
  'system-out'?: string[];
}

/** A real XML parser (xml2js, present through @vscode/vsce, untyped) proves well-formedness. */
async function testcases(xml: string): Promise<Testcase[]> {
  const xml2js = (await import('xml2js' as string)) as {
    parseStringPromise(text: string): Promise<{
      testsuites: { testsuite: { testcase: Testcase[] }[] };
    }>;
  };
  return (await xml2js.parseStringPromise(xml)).testsuites.testsuite[0].testcase;
}

/** The text a testcase carries: its failure's body, or its output. */
function bodyOf(testcase: Testcase | undefined): string {
  const failure = testcase?.failure?.[0];
  return failure?._ ?? testcase?.['system-out']?.[0] ?? '';
}

describe('names PostgreSQL takes and XML cannot hold, in the JUnit report', function () {
  this.timeout(120_000);

  it('the fixes in the report name the tables and indexes they are for', async () => {
    const url = await createDatabase(await embeddedServer(), 'hostile_xml');
    await admin(
      url,
      `CREATE TABLE jobs (id int PRIMARY KEY);
       CREATE TABLE U&"jobs\\FFFF" (job int REFERENCES jobs);
       CREATE TABLE items (n int);
       CREATE INDEX U&"ix\\FFFE" ON items (n);
       CREATE INDEX ix ON items (n);`,
    );
    const results = await runDbChecks(
      url,
      { now: () => new Date() },
      (id) => id === 'db.missingIndexes' || id === 'db.indexHealth',
    );
    const cases = await testcases(toJunit(results));
    const missing = bodyOf(cases.find((c) => c.$.name === 'db.missingIndexes'));
    const create = /CREATE INDEX CONCURRENTLY ON .*;/.exec(missing)?.[0];
    assert.ok(create, missing);
    await admin(url, create);
    const indexed = await admin<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = U&'"jobs\\FFFF"'::regclass`,
    );
    assert.equal(indexed[0].n, 1, create);

    const health = bodyOf(cases.find((c) => c.$.name === 'db.indexHealth'));
    const drops = health.match(/DROP INDEX CONCURRENTLY [^;]*;/g) ?? [];
    assert.equal(drops.length, 1, health);
    // The statement the terminal shows, whichever of the two copies it drops.
    const details = results.find((r) => r.checkId === 'db.indexHealth')?.details ?? '';
    assert.ok(details.includes(drops[0]), `${drops[0]} is not in: ${details}`);
    await admin(url, drops[0]);
    const left = await admin<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'items'::regclass`,
    );
    assert.equal(left[0].n, 1, 'one of the two copies');
  });
});
