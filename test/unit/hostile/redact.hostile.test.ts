/**
 * Security review of `redact` (src/core/util/logger.ts), which every log line and several error
 * messages pass through: secrets in shapes Rails apps and their tools print must not survive.
 * A failing case is an open bug.
 */
import { strict as assert } from 'node:assert';
import { redact } from '../../../src/core/util/logger';

const CASES: [string, string][] = [
  ['DB_PASSWORD=hunter2', 'hunter2'],
  ['PGPASSWORD=hunter2', 'hunter2'],
  ['aws_secret_access_key=abc123xyz', 'abc123xyz'],
  ['github_token=ghp_abc123', 'ghp_abc123'],
  ['{"password":"hunter2"}', 'hunter2'],
  ['postgres://u:p@ss@127.0.0.1/db', '@ss@'],
  ['password: two words here', 'words here'],
];

describe('redact on secret shapes (security review)', () => {
  for (const [input, secret] of CASES) {
    it(`removes "${secret}" from ${input}`, () => {
      assert.ok(!redact(input).includes(secret), redact(input));
    });
  }

  it('pinned: a URL password and password=... are removed', () => {
    assert.equal(redact('postgres://u:hunter2@127.0.0.1/db').includes('hunter2'), false);
    assert.equal(redact('password=hunter2').includes('hunter2'), false);
  });
});
