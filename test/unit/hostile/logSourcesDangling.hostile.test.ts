/**
 * Log sources confined to an untrusted workspace that lead out of it to nothing: a dangling
 * log/production.log link, or a log/ folder linked out without that file. Each is refused as
 * outside, as a link to a log that is there is; said to be missing, or a link to a missing
 * target, it told whether a file of the user's exists at the path the repo named.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { summarizeLogs } from '../../../src/core/logs/summary';
import { fixedClock } from '../../../src/core/util/clock';
import { tempFolder } from '../../support/tempFolders';

describe('confined log sources that lead out of the workspace to nothing', () => {
  let parent: string;
  let outside: string;

  before(async () => {
    parent = await tempFolder('upkeep-log-dangling-');
    outside = path.join(parent, 'private');
    await fs.mkdir(outside);
  });

  const summarize = (workspace: string, confineToWorkspace: boolean) =>
    summarizeLogs({
      workspace,
      sources: ['log/production.log'],
      clock: fixedClock('2026-12-04T12:00:00Z'),
      timeZone: 'UTC',
      confineToWorkspace,
    });

  it('refuses a dangling link out, and a missing log in a folder linked out', async () => {
    const dangling = path.join(parent, 'dangling');
    await fs.mkdir(path.join(dangling, 'log'), { recursive: true });
    await fs.symlink(path.join(outside, 'gone.log'), path.join(dangling, 'log/production.log'));
    const linked = path.join(parent, 'linked');
    await fs.mkdir(linked);
    await fs.symlink(outside, path.join(linked, 'log'));

    for (const workspace of [dangling, linked]) {
      const summary = await summarize(workspace, true);
      assert.equal(summary.sources.length, 1, workspace);
      assert.match(summary.sources[0].error ?? '', /outside the workspace/, workspace);
      assert.doesNotMatch(summary.sources[0].error ?? '', /does not exist/, workspace);
    }
    // Not confined (a trusted workspace), the link is followed and the log is missing.
    const trusted = await summarize(dangling, false);
    assert.match(trusted.sources[0].error ?? '', /does not exist/);
  });
});
