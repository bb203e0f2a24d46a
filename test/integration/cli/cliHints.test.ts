/**
 * What the CLI says to do when it cannot find or read the database's configuration: a flag or a
 * variable that works on the command line, not an editor command ("Upkeep: Configure Database
 * Connection") or "(in the editor) run …", which a cron line cannot follow.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

/** Words of the editor's, out of place in a terminal. */
const EDITOR_WORDS = /Upkeep: |in the editor|Configure Database Connection/;

describe('the CLI hints what to do on the command line', function () {
  this.timeout(120_000);

  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['nothing is configured', {}, [], /Set DATABASE_URL, or run in the app folder/],
    [
      'database.yml is not valid YAML',
      { 'config/database.yml': 'development:\n  database: [app\n' },
      [],
      /Fix the file, or set DATABASE_URL\./,
    ],
    [
      'database.yml uses ERB for its host',
      { 'config/database.yml': 'development:\n  host: <%= Rails.application.x %>\n' },
      [],
      /Upkeep never runs Ruby\. Set DATABASE_URL\./,
    ],
    [
      'the workspace is untrusted',
      { 'config/database.yml': 'development:\n  database: app\n' },
      ['--untrusted'],
      /Run without --untrusted, or set DATABASE_URL\./,
    ],
  ];
  for (const [what, files, flags, hint] of cases) {
    it(`when ${what}`, async () => {
      const workspace = await tempFolderWith('upkeep-hints-', {
        Gemfile: "source 'x'\n",
        ...files,
      });
      const check = await runCli(
        ['check', '--check', 'health.database', '--workspace', workspace, ...flags],
        { HOME: workspace },
      );
      const output = check.stdout + check.stderr;
      assert.match(output, hint, output);
      assert.doesNotMatch(output, EDITOR_WORDS, output);
      if (flags.length) return;
      const db = await runCli(['db', '--workspace', workspace], { HOME: workspace });
      assert.equal(db.code, 2, db.stdout + db.stderr);
      assert.match(db.stderr, hint, db.stderr);
      assert.doesNotMatch(db.stderr, EDITOR_WORDS, db.stderr);
    });
  }

  it('when .env is not a plain file', async () => {
    const workspace = await tempFolderWith('upkeep-hints-', { Gemfile: "source 'x'\n" });
    await fs.mkdir(path.join(workspace, '.env'));
    for (const args of [['check', '--check', 'health.database'], ['db']]) {
      const run = await runCli([...args, '--workspace', workspace], { HOME: workspace });
      const output = run.stdout + run.stderr;
      assert.match(output, /Make \.env a plain file under 1 MB, or set DATABASE_URL\./, output);
      assert.doesNotMatch(output, EDITOR_WORDS, output);
    }
  });
});
