/**
 * A repo template committed as a symlink to a file outside the workspace (~/.aws/credentials,
 * an SSH key) must not be copied into a new bug report inside the repository, where it would be
 * committed: the built-in template is used and the reason given.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBugReport, loadTemplate } from '../../../src/core/templates/scaffold';
import { resolveSettings } from '../../../src/core/settings';
import { fixedClock } from '../../../src/core/util/clock';

describe('hostile template links', () => {
  let folder: string;
  let workspace: string;
  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-hostile-template-'));
    workspace = path.join(folder, 'app');
    await fs.mkdir(path.join(workspace, '.upkeep/templates'), { recursive: true });
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('a template linking out of the workspace is not read', async () => {
    const secret = path.join(folder, 'credentials');
    await fs.writeFile(secret, 'aws_secret_access_key = TOPSECRET\n');
    await fs.symlink(secret, path.join(workspace, '.upkeep/templates/bug-report.md'));
    // The folder itself linked out of the workspace counts the same.
    await fs.mkdir(path.join(folder, 'elsewhere'));
    await fs.writeFile(path.join(folder, 'elsewhere/feature-spec.md'), 'TOPSECRET {{title}}\n');

    const report = await createBugReport(
      {
        workspace,
        settings: resolveSettings(),
        clock: fixedClock('2026-12-04T10:00:00Z'),
        trusted: false,
        timeZone: 'UTC',
        git: { author: 'Ada', branch: 'main' },
      },
      { title: 'Login fails', severity: 'high' },
    );
    assert.doesNotMatch(await fs.readFile(report.file, 'utf8'), /TOPSECRET/);
    assert.match(report.warnings.join('\n'), /outside the workspace/);

    await fs.rm(path.join(workspace, '.upkeep/templates'), { recursive: true });
    await fs.symlink(path.join(folder, 'elsewhere'), path.join(workspace, '.upkeep/templates'));
    const spec = await loadTemplate(workspace, 'featureSpec');
    assert.doesNotMatch(spec.text, /TOPSECRET/);
    assert.equal(spec.file, undefined);
  });

  it('a template linking to another file inside the workspace is still used', async () => {
    await fs.writeFile(path.join(workspace, 'shared.md'), '# Our bug: {{title}}\n');
    await fs.symlink('../../shared.md', path.join(workspace, '.upkeep/templates/bug-report.md'));
    const source = await loadTemplate(workspace, 'bugReport');
    assert.equal(source.text, '# Our bug: {{title}}\n');
    assert.deepEqual(source.warnings, []);
  });
});
