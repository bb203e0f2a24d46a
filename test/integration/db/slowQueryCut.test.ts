/**
 * db.slowQueries lists each statement on one line of 200 characters, from pg_stat_statements on
 * a real server: a statement cut inside an emoji (a comment's, a constant's in a name) leaves the
 * emoji out whole, not half of one that a terminal or a mail prints as a replacement character.
 */
import * as assert from 'node:assert/strict';
import { fixedClock } from '../../../src/core/util/clock';
import { admin, createDatabase, runDbChecks, serversUnderTest } from './servers';

describe('a slow statement cut inside an emoji', function () {
  this.timeout(120_000);

  it('is listed cut before it', async () => {
    const url = await createDatabase(await serversUnderTest[0].start(), 'slowcut');
    await admin(url, 'CREATE EXTENSION pg_stat_statements');
    // As listed, `SELECT pg_sleep($1) /* ` and 175 letters: the cut after 199 splits the emoji.
    await admin(url, `SELECT pg_sleep(0.2) /* ${'a'.repeat(175)}\u{1F600}${'b'.repeat(50)} */`);
    const [result] = await runDbChecks(
      url,
      fixedClock(new Date()),
      (id) => id === 'db.slowQueries',
    );
    const line = (result.details ?? '').split('\n').find((text) => text.includes('pg_sleep'));
    assert.ok(line, result.details);
    assert.match(line, /: SELECT pg_sleep\(\$1\) \/\* a{175}…$/);
  });
});
