/**
 * A URL that names several hosts, libpq's `postgres://u:pw@db1:5432,db2:5432/app` (a primary and
 * its standby, each tried in turn): the URL parser refuses it, and the message said to
 * percent-encode the password, which is not what is wrong.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveConnection } from '../../../src/core/db/connection';
import { resolveSettings } from '../../../src/core/settings';
import { UpkeepError } from '../../../src/core/util/errors';
import { tempFolder } from '../../support/tempFolders';

async function resolveUrl(url: string, where: 'env' | 'yml'): Promise<unknown> {
  const workspace = await tempFolder('upkeep-multihost-');
  if (where === 'yml') {
    await fs.mkdir(path.join(workspace, 'config'));
    await fs.writeFile(
      path.join(workspace, 'config/database.yml'),
      `development:\n  url: "${url}"\n`,
    );
  }
  return resolveConnection({
    workspace,
    settings: resolveSettings({}),
    env: where === 'env' ? { DATABASE_URL: url } : {},
    trusted: true,
  });
}

describe('a connection URL with several hosts', () => {
  for (const [url, where] of [
    ['postgres://app:s3cr,et@127.0.0.1:1,127.0.0.1:2/app', 'env'],
    ['postgresql://app:s3cret@db1,db2/app?target_session_attrs=read-write', 'env'],
    ['postgres://app:s3cret@[::1]:1,[::1]:2/app', 'yml'],
    ['postgresql:///app?host=db1,db2&user=app&password=s3cret', 'env'],
  ] as const) {
    it(`says so, without the password: ${url.replace(/:\/\/[^@]*@/, '://…@')}`, async () => {
      await assert.rejects(resolveUrl(url, where), (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.match(error.message, /names 2 hosts/);
        assert.match(error.hint ?? '', /Name one host/);
        assert.doesNotMatch(`${error.message} ${error.hint}`, /s3cr|percent-encoded/);
        return true;
      });
    });
  }

  it('says so of a host: list in config/database.yml, before its list of ports', async () => {
    const workspace = await tempFolder('upkeep-multihost-');
    await fs.mkdir(path.join(workspace, 'config'));
    await fs.writeFile(
      path.join(workspace, 'config/database.yml'),
      'development:\n  adapter: postgresql\n  host: 127.0.0.1,127.0.0.2\n  port: 1,2\n',
    );
    const settings = resolveSettings({});
    await assert.rejects(
      resolveConnection({ workspace, settings, env: {}, trusted: true }),
      (error: unknown) => {
        assert.ok(UpkeepError.is(error, 'config'), String(error));
        assert.equal(
          error.message,
          'The host from config/database.yml, development names 2 hosts, which libpq tries in ' +
            'turn; Upkeep connects to one server.',
        );
        return true;
      },
    );
  });

  it('still says to percent-encode a # typed in a password', async () => {
    await assert.rejects(resolveUrl('postgres://app:pa#s,s@db1/app', 'env'), (error: unknown) => {
      assert.ok(UpkeepError.is(error, 'config'));
      assert.match(error.hint ?? '', /percent-encoded/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /pa#s|s,s/);
      return true;
    });
  });
});
