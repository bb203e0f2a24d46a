/**
 * A repo playbook within the size read that is one YAML error after another (a file of quote
 * marks): each error was looked up among all of them, and 250 KB of it held up the
 * extension host for a quarter of a minute, in an untrusted workspace too, and again as it was
 * edited. It is read at once, its first errors listed and the rest counted.
 */
import * as assert from 'node:assert/strict';
import { applyPlaybookText, MAX_PROBLEMS } from '../../../src/core/playbook/loader';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';

describe('a playbook of many YAML errors', function () {
  this.timeout(60_000);

  it('is read in a few seconds at most', () => {
    // Just under the 256 KB read.
    const text = '"'.repeat(262_000);
    // This process's own time: other work on a loaded machine does not count.
    const started = process.cpuUsage();
    const { problems } = applyPlaybookText(defaultPlaybook(), text);
    const { user, system } = process.cpuUsage(started);
    const took = Math.round((user + system) / 1000);
    assert.ok(took < 4_000, `${took} ms`);
    assert.equal(problems.length, MAX_PROBLEMS + 1);
    assert.equal(problems[0].severity, 'error');
    assert.match(problems[0].message, /^YAML: /);
    assert.match(problems[MAX_PROBLEMS].message, /^…and \d+ more problems/);
  });
});
