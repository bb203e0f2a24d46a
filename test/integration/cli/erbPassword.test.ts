/**
 * A `config/database.yml` password written with ERB Upkeep does not evaluate, holding the password
 * as a literal (`<%= %q(...) %>`, an `ENV.fetch` default behind a method call): every command,
 * in every format, with --verbose and --save, names the line and never shows the ERB, since
 * its output goes to cron mail and CI logs.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const SECRET = 'hunter2-s3cret';

const PASSWORDS = [
  `<%= ENV.fetch("DB_PASSWORD", "${SECRET}").strip %>`,
  `<%= %q(${SECRET}) %>`,
  `<%= :${SECRET.replace('-', '_')}.to_s %>`,
];

const RUNS = [
  ['check', '--verbose', '--save'],
  ['check', '--format', 'json', '--verbose'],
  ['check', '--format', 'junit'],
  ['check', '--check', 'health.database'],
  ['db', '--verbose'],
  ['db', '--format', 'json'],
  ['drill', '--verbose', '--format', 'json'],
];

describe('a database.yml password in ERB Upkeep does not evaluate', function () {
  this.timeout(240_000);

  for (const password of PASSWORDS) {
    it(`never prints ${password.replace(SECRET, 'the password')}`, async () => {
      const workspace = await tempFolderWith('upkeep-erb-', {
        Gemfile: "source 'x'\n",
        'config/database.yml':
          'development:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n' +
          `  database: app\n  password: ${password}\n`,
      });
      const secret = new RegExp(`${SECRET}|${SECRET.replace('-', '_')}|%q|\\.strip`);
      for (const args of RUNS) {
        const run = await runCli([...args, '--workspace', workspace]);
        const output = run.stdout + run.stderr;
        assert.doesNotMatch(output, secret, `upkeep ${args.join(' ')}:\n${output}`);
        if (args[0] !== 'drill') {
          assert.match(output, /line 6 \(password\) uses ERB Upkeep does not evaluate/, output);
          assert.match(output, /Give the password in PGPASSWORD, or set DATABASE_URL\./, output);
        }
      }
      const saved = await fs.readFile(path.join(workspace, '.upkeep/results.json'), 'utf8');
      assert.match(saved, /uses ERB Upkeep does not evaluate/);
      assert.doesNotMatch(saved, secret);
    });
  }
});
