/**
 * config/database.yml whose merge keys and aliases copy one large block into many places: each
 * copy is small in the file and large once read, as with a "billion laughs" file, but yaml's
 * own alias limit does not count the size of what an alias brings.
 */
import { strict as assert } from 'node:assert';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { UpkeepError } from '../../../src/core/util/errors';
import { assertLinear } from '../../support/growth';

/** A `default:` block of `keys` keys, merged into `environments` environments. */
function mergeBomb(keys: number, environments: number, merge = (name: string) => `<<: *${name}`) {
  const lines = ['default: &default'];
  for (let k = 0; k < keys; k++) lines.push(`  k${k}: v`);
  for (let e = 0; e < environments; e++) lines.push(`e${e}:`, `  ${merge('default')}`);
  return `${lines.join('\n')}\n`;
}

function refused(text: string): UpkeepError {
  let refusal: unknown;
  try {
    parseDatabaseYml(text, {});
  } catch (error) {
    refusal = error;
  }
  assert.ok(refusal instanceof UpkeepError, `not refused: ${String(refusal)}`);
  return refusal;
}

describe('database.yml merge and alias bombs', function () {
  this.timeout(60_000);

  it('a 2,000-key block merged into 2,000 environments is refused in linear time', () => {
    // 50 KB of YAML, 4 million keys once read: it took about a minute. Refused, the work grows
    // with the file (4× for 4× the keys and environments), not with the copies (16×).
    assertLinear((size) => mergeBomb(size, size), refused, 500);
    const error = refused(mergeBomb(2000, 2000));
    assert.equal(error.code, 'parse');
    assert.match(error.message, /config\/database\.yml could not be read: .*aliases/);
  });

  it('a large block copied by plain aliases is refused too, in linear time', () => {
    const aliased = (size: number): string => mergeBomb(size, size, (name) => `x: *${name}`);
    assertLinear(aliased, refused, 500);
    refused(aliased(2000));
  });

  it('a real file with a merged default block still reads', () => {
    const yml = parseDatabaseYml(mergeBomb(10, 3), {});
    assert.deepEqual(yml.environments, ['e0', 'e1', 'e2']);
    assert.equal(Object.keys(yml.entries[0].values).length, 10);
  });
});
