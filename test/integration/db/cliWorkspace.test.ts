/**
 * `upkeep db --workspace` with a folder that does not exist, and `--card` with an id that is no
 * card: configuration errors naming what is wrong (exit 2), even with a reachable database in
 * DATABASE_URL, as `upkeep check` does.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createDatabase, embeddedServer } from '../../support/postgres';
import { runCli } from '../../support/cli';
import { tempFolder } from '../../support/tempFolders';

describe('upkeep db --workspace with a missing folder (database CLI)', function () {
  this.timeout(120_000);

  it('says the folder does not exist and exits 2', async () => {
    const url = await createDatabase(await embeddedServer(), 'cliws');
    const parent = await tempFolder('upkeep-ws-');
    const missing = path.join(parent, 'no-such-app');

    const text = await runCli(['db', '--workspace', missing], { DATABASE_URL: url });
    assert.equal(text.code, 2, text.stdout + text.stderr);
    // Like upkeep check: the error on stderr, nothing on stdout.
    assert.equal(text.stdout, '');
    assert.match(
      text.stderr,
      new RegExp(`^upkeep db: The workspace folder ${missing} does not exist\\.\nPass `),
    );
    assert.doesNotMatch(text.stderr, /No database configured/);

    const json = await runCli(['db', '--workspace', missing, '--format', 'json'], {});
    assert.equal(json.code, 2);
    const parsed = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    assert.equal(parsed.error.code, 'config');
    assert.match(parsed.error.message, /does not exist/);
    // The JSON carries the error, and stderr says it too: a cron job keeping the JSON mails it.
    assert.match(json.stderr, /^upkeep db: The workspace folder .* does not exist\./);

    const file = path.join(parent, 'a-file');
    await fs.writeFile(file, '');
    const notFolder = await runCli(['db', '--workspace', file], {});
    assert.equal(notFolder.code, 2);
    assert.match(notFolder.stderr, /is not a folder/);

    // The same database with an existing folder connects (the folder check stops nothing else).
    const ok = await runCli(['db', '--workspace', parent, '--card', 'connectivity'], {
      DATABASE_URL: url,
    });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  });

  it('refuses a --card that is no card, naming the known ones, before connecting', async () => {
    const url = await createDatabase(await embeddedServer(), 'clicard');
    const workspace = await tempFolder('upkeep-ws-');

    const typo = await runCli(
      ['db', '--workspace', workspace, '--card', 'slowQuerys', 'connectivity'],
      { DATABASE_URL: url },
    );
    assert.equal(typo.code, 2, typo.stdout + typo.stderr);
    assert.match(typo.stderr, /Unknown card "slowQuerys"\./);
    assert.match(typo.stderr, /Known cards: connectivity, databaseSize, .*slowQueries/);
    assert.equal(typo.stdout, '');

    const json = await runCli(
      ['db', '--workspace', workspace, '--card', 'nope', '--format', 'json'],
      { DATABASE_URL: url },
    );
    assert.equal(json.code, 2);
    const parsed = JSON.parse(json.stdout) as { error: { code: string }; connection: unknown };
    assert.equal(parsed.error.code, 'config');
    assert.equal(parsed.connection, null);
  });
});
