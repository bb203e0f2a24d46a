/**
 * A connection URL whose database name holds a `%` escape that decodes to no text: the message
 * named the user name or password, which were fine, and said to move the password out.
 */
import * as assert from 'node:assert/strict';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

describe('a connection URL with a bad % escape', () => {
  it('names the part that holds it', async () => {
    const workspace = await tempFolder('upkeep-url-percent-');
    const refusal = (url: string): Promise<unknown> =>
      resolveConnection({
        workspace,
        settings: resolveSettings({}),
        env: { DATABASE_URL: url },
        trusted: true,
        surface: 'cli',
      }).then(
        () => undefined,
        (error: unknown) => error,
      );

    const database = await refusal('postgres://me:pw@127.0.0.1/shop%E2%82');
    assert.ok(UpkeepError.is(database, 'config'), String(database));
    assert.match(database.message, /database name/);
    assert.doesNotMatch(database.message, /user name or password/);
    assert.doesNotMatch(database.hint ?? '', /password/i);

    const password = await refusal('postgres://me:50%ff@127.0.0.1/shop');
    assert.ok(UpkeepError.is(password, 'config'), String(password));
    assert.match(password.message, /user name or password/);
  });
});
