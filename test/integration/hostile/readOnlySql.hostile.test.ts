/**
 * Upkeep only reads the monitored database: every query runs in a READ ONLY transaction. A
 * custom SQL check of the playbook that starts with `COMMIT;` ended that transaction and ran
 * the rest (a CREATE TABLE here) with write access, since several statements went in one
 * simple-protocol message.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { admin, createDatabase, debianServer } from '../../support/postgres';

describe('custom SQL checks stay read-only', function () {
  this.timeout(120_000);

  it('a check that commits and writes is refused, and nothing is written', async () => {
    const url = await createDatabase(await debianServer(), 'readonly_sql');
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-readonly-sql-'));
    try {
      await fs.mkdir(path.join(workspace, '.upkeep'));
      await fs.writeFile(
        path.join(workspace, '.upkeep/playbook.yaml'),
        [
          'checks:',
          '  - id: custom.sneaky',
          '    title: Looks harmless',
          '    kind: sql',
          '    sql: "COMMIT; CREATE TABLE upkeep_wrote_here (id int); SELECT 1"',
          '',
        ].join('\n'),
      );
      const run = await runCli(
        ['check', '--workspace', workspace, '--check', 'custom.sneaky', '--format', 'json'],
        { DATABASE_URL: url },
      );
      const tables = await admin(
        url,
        "SELECT 1 FROM pg_tables WHERE tablename = 'upkeep_wrote_here'",
      );
      assert.equal(tables.length, 0, 'the check wrote to the monitored database');
      const [result] = (JSON.parse(run.stdout) as { results: { summary: string }[] }).results;
      assert.match(result.summary, /multiple commands|one statement/i, result.summary);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
