/**
 * `upkeep logs` prints exception messages and paths as the app logged them: the database
 * password a driver's error or a debug line put in the log is hidden, as `upkeep check` hides
 * it, in the text and the JSON (which still parses), wherever the password comes from.
 */
import { strict as assert } from 'node:assert';
import { runCli } from '../../support/cli';
import { tempFolderWith } from '../../support/tempFolders';

const PASSWORD = 'Zq7%t/p@ss:w&rd é"x';
const PGPASSWORD = 'env-secret-4711';

/** A request of a minute ago that failed with the password in its message and its path. */
function logWith(secret: string): string {
  const stamp = new Date(Date.now() - 60_000).toISOString().replace('T', ' ').slice(0, 19);
  return (
    `Started GET "/db/${encodeURIComponent(secret)}" for 10.0.0.2 at ${stamp} +0000\n` +
    'Processing by OrdersController#show as HTML\n' +
    'Completed 500 Internal Server Error in 15ms\n\n' +
    `PG::ConnectionBad (password ${secret} rejected, also ${PGPASSWORD}):\n` +
    "  app/controllers/orders_controller.rb:9:in `show'\n\n"
  );
}

describe('upkeep logs hides the database password the log holds', function () {
  this.timeout(60_000);

  it('from .env and PGPASSWORD, in text and JSON', async () => {
    const workspace = await tempFolderWith('upkeep-logs-secrets-', {
      Gemfile: "source 'https://rubygems.org'\n",
      '.env': `DATABASE_URL=postgres://app:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/shop\n`,
      'log/production.log': logWith(PASSWORD),
    });
    const env = { HOME: workspace, PGPASSWORD };
    const args = ['logs', '--workspace', workspace, '--window', '24h'];

    const text = await runCli(args, env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /PG::ConnectionBad: password \*\*\* rejected, also \*\*\*/);
    const json = await runCli([...args, '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { exceptions: { message: string }[] };
    assert.equal(summary.exceptions[0].message, 'password *** rejected, also ***');

    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      for (const form of [PASSWORD, encodeURIComponent(PASSWORD), 'p@ss', PGPASSWORD]) {
        assert.ok(!output.includes(form), `${form} in:\n${output}`);
      }
    }
  });
});
