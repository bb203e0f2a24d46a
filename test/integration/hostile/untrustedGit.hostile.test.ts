/**
 * `--untrusted` runs nothing from the repository, and a repository's `.git/config` can name
 * programs git runs: `core.fsmonitor` runs on every `git status`. A repo shared as a tarball or
 * a mounted folder brings its `.git/config` along, so every check that runs git waits for trust.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { staleDocsCheck } from '../../../src/core/checks/docsChecks';
import { behindUpstreamCheck, uncommittedCheck } from '../../../src/core/checks/repoChecks';
import { runChecks, UNTRUSTED_SUMMARY } from '../../../src/core/checks/runner';
import { resolveSettings } from '../../../src/core/settings';
import { systemClock } from '../../../src/core/util/clock';
import { silentLogger } from '../../../src/core/util/logger';

describe('git checks in an untrusted repository', function () {
  this.timeout(60_000);
  let folder: string;
  before(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-untrusted-git-'));
  });
  after(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('runs no core.fsmonitor program from .git/config', async () => {
    const workspace = path.join(folder, 'app');
    const marker = path.join(folder, 'FSMONITOR_RAN');
    await fs.mkdir(workspace);
    execFileSync('git', ['init', '-q'], { cwd: workspace });
    execFileSync('git', ['config', 'core.fsmonitor', `touch '${marker}'; false`], {
      cwd: workspace,
    });
    await fs.writeFile(path.join(workspace, 'README.md'), 'changed\n');

    const results = await runChecks([uncommittedCheck, behindUpstreamCheck, staleDocsCheck], {
      workspace,
      settings: resolveSettings(),
      clock: systemClock,
      log: silentLogger,
      trusted: false,
    });
    assert.ok(!existsSync(marker), 'git ran the repository’s core.fsmonitor');
    for (const result of results) {
      assert.equal(result.outcome, 'skipped', result.checkId);
      assert.equal(result.summary, UNTRUSTED_SUMMARY);
    }
  });
});
