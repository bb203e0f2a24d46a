/**
 * config/database.yml with an ERB tag that is never closed (`url: <%= ENV['X'] ` with no `%>`):
 * Rails stops at it. Upkeep read the tag as text and then said the URL was not a PostgreSQL
 * URL, which sent the maintainer to the URL, not to the tag.
 */
import { strict as assert } from 'node:assert';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { UpkeepError } from '../../../src/core/util/errors';

function refusal(text: string): UpkeepError {
  try {
    parseDatabaseYml(text, {});
  } catch (error) {
    assert.ok(error instanceof UpkeepError, String(error));
    return error;
  }
  assert.fail('read without an error');
}

describe('database.yml with an ERB tag left open', () => {
  it('names the line of the tag that has no %>', () => {
    const error = refusal("production:\n  adapter: postgresql\n  url: <%= ENV['X'] \n");
    assert.equal(error.code, 'parse');
    assert.match(error.message, /line 3/);
    assert.match(error.message, /<%.*not closed/);
    assert.match(error.hint ?? '', /%>/);
  });

  it('names the first open tag after the closed ones', () => {
    const error = refusal(
      "production:\n  database: <%= ENV['DB'] %>\n  password: <%= ENV['PW']\n  host: x\n",
    );
    assert.match(error.message, /line 3/);
  });

  it('reads <%% (a literal <%) and closed tags as before', () => {
    const yml = parseDatabaseYml(
      "production:\n  password: 'a<%%b'\n  database: <%= ENV['DB'] %>\n",
      { DB: 'app' },
    );
    assert.equal(yml.entries[0].values.database, 'app');
    assert.equal(yml.entries[0].values.password, 'a<%b');
  });
});
