/**
 * A repo playbook within the size read that is one YAML error after another (a file of quote
 * marks): each error was looked up among all of them, and 250 KB of it held up the
 * extension host for a quarter of a minute, in an untrusted workspace too, and again as it was
 * edited. It is read in time linear in its length, its first errors listed and the rest counted.
 */
import * as assert from 'node:assert/strict';
import { applyPlaybookText, MAX_PROBLEMS } from '../../../src/core/playbook/loader';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { assertLinear } from '../../support/growth';

describe('a playbook of many YAML errors', function () {
  this.timeout(60_000);

  it('is read in time linear in its length, its first errors listed and the rest counted', () => {
    // 16 KB, then 64: looking each error up among all was quadratic. Then the whole read.
    const quotes = (n: number): string => '"'.repeat(n);
    assertLinear(quotes, (text) => applyPlaybookText(defaultPlaybook(), text), 16_000);
    const { problems } = applyPlaybookText(defaultPlaybook(), quotes(262_000));
    assert.equal(problems.length, MAX_PROBLEMS + 1);
    assert.equal(problems[0].severity, 'error');
    assert.match(problems[0].message, /^YAML: /);
    assert.match(problems[MAX_PROBLEMS].message, /^…and \d+ more problems/);
  });
});
