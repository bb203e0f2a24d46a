/**
 * A playbook or database.yml with a second YAML document (a `---` line after the first): the
 * message says so in the maintainer's words, at the line of the `---`, and names no API of the
 * YAML library Upkeep happens to use.
 */
import { strict as assert } from 'node:assert';
import { parseDatabaseYml } from '../../../src/core/db/databaseYml';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { applyPlaybookText } from '../../../src/core/playbook/loader';
import { UpkeepError } from '../../../src/core/util/errors';

describe('a second YAML document in a config file', () => {
  it('the playbook names the --- line and asks for one document', () => {
    const { problems } = applyPlaybookText(
      defaultPlaybook(),
      'version: 1\ntasks: []\n---\nversion: 2\n',
    );
    assert.equal(problems.length, 1, JSON.stringify(problems));
    const [problem] = problems;
    assert.equal(problem.severity, 'error');
    assert.equal(problem.line, 3);
    assert.doesNotMatch(problem.message, /parseAllDocuments|YAML\.\w+\(/);
    assert.match(problem.message, /---/);
    assert.match(problem.message, /one (YAML )?document/);
  });

  it('database.yml names the --- line and says Rails reads only the first document', () => {
    const text = 'production:\n  database: a\n---\nproduction:\n  database: b\n';
    let refused: unknown;
    try {
      parseDatabaseYml(text, {});
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof UpkeepError, String(refused));
    assert.equal(refused.code, 'parse');
    assert.doesNotMatch(refused.message, /parseAllDocuments|YAML\.\w+\(/);
    assert.match(refused.message, /line 3/);
    assert.match(refused.message, /---/);
    assert.match(refused.message, /Rails reads only the first/);
  });

  it('a --- line before the only document is no second one', () => {
    assert.deepEqual(parseDatabaseYml('---\nproduction:\n  database: a\n', {}).environments, [
      'production',
    ]);
    const { problems } = applyPlaybookText(defaultPlaybook(), '---\nversion: 1\n');
    assert.deepEqual(problems, []);
  });
});
