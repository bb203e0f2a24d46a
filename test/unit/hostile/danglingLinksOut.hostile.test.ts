/**
 * A repo's playbook or template committed as a dangling link out of the workspace: refused as a
 * link to a file that is there is, not read as missing. Otherwise the default playbook (or the
 * built-in template) against a refusal told whether a file of the user's exists at that path.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadPlaybook, PLAYBOOK_FILE } from '../../../src/core/playbook/loader';
import { REPO_TEMPLATE_FOLDER } from '../../../src/core/templates/builtin';
import { loadTemplate } from '../../../src/core/templates/scaffold';
import { tempFolder } from '../../support/tempFolders';

describe('a playbook or template that is a dangling link out of the workspace', () => {
  let workspace: string;

  before(async () => {
    const parent = await tempFolder('upkeep-dangling-');
    workspace = path.join(parent, 'app');
    const outside = path.join(parent, 'private');
    await fs.mkdir(path.join(workspace, REPO_TEMPLATE_FOLDER), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(workspace, 'Gemfile'), '');
    await fs.symlink(path.join(outside, 'no-such.yaml'), path.join(workspace, PLAYBOOK_FILE));
    await fs.symlink(
      path.join(outside, 'no-such.md'),
      path.join(workspace, REPO_TEMPLATE_FOLDER, 'bug-report.md'),
    );
  });

  it('refuses the playbook untrusted, as one that links to a file that is there', async () => {
    const { problems } = await loadPlaybook({ workspace, trusted: false });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0].message, /links outside the workspace/);
  });

  it('reads it as missing in a trusted workspace', async () => {
    const { problems } = await loadPlaybook({ workspace, trusted: true });
    assert.deepEqual(problems, []);
  });

  it('uses the built-in template and says the link leads out', async () => {
    const template = await loadTemplate(workspace, 'bugReport');
    assert.equal(template.file, undefined);
    assert.equal(template.warnings.length, 1, JSON.stringify(template));
    assert.match(template.warnings[0], /bug-report\.md links outside the workspace/);
  });
});
