/**
 * The commented starter written to `.upkeep/playbook.yaml` by "Upkeep: Open Repo Playbook" when the
 * repo has none yet. It changes nothing as written: every example is commented out.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UpkeepError, fileErrorWithCode } from '../util/errors';
import { folderOutside } from '../util/paths';
import { makeFolder } from '../util/makeFolder';
import { PLAYBOOK_FILE } from './loader';

export const STARTER_PLAYBOOK =
  '# Upkeep repo playbook: shapes the default maintenance playbook for this repo.\n' +
  `# Commit it so the whole team works from the same playbook. The editor validates this file
# (media/playbook.schema.json); problems show in the Problems panel, and the rest still loads.
version: 1

# Thresholds for this repo, over the upkeep.thresholds.* settings.
# thresholds:
#   avgResponseTimeMs: 1500
#   errorRatePercent: 0.1         # warns at or above; fails above errorRateAlertPercent (1)
#   memoryMb: 1500

# Another team for a tier.
# tiers:
#   daily:
#     team: Platform Team

# Custom checks (they run only in a trusted workspace).
# checks:
#   - id: custom.sidekiqQueue
#     title: Sidekiq queue is short
#     kind: shell
#     command: bundle exec rails runner 'puts Sidekiq::Queue.new.size'
#     expect: { exitCode: 0, pattern: '^[0-9]{1,2}$' }
#   - id: custom.healthJson
#     title: Health endpoint reports the database
#     kind: http
#     url: https://example.com/health.json
#     expect: { status: 200, jsonPath: $.database, equals: ok }

# Change default tasks (by id) or add new ones (a new id needs tier and title).
# tasks:
#   - id: weekly.documentation
#     tier: monthly          # done once a month here
#     owner: Alice
#   - id: daily.sidekiq
#     tier: daily
#     title: Background jobs
#     items:
#       - Failed jobs reviewed
#       - { title: Queue is short, checks: [custom.sidekiqQueue] }
#     guideline: { section: Background jobs, file: docs/operations.md }

# Default tasks this repo does not do.
# disable:
#   - monthly.caching
`;

/**
 * Writes the starter to the workspace's `.upkeep/playbook.yaml` unless a playbook is there;
 * true when it was written. A checkout that cannot be written to is a `refused` error.
 */
export async function writeStarterPlaybook(workspace: string): Promise<boolean> {
  const file = path.join(workspace, PLAYBOOK_FILE);
  // Open Repo Playbook works in Restricted Mode: a committed .upkeep may link anywhere.
  const outside = await folderOutside(workspace, path.dirname(file));
  if (outside !== undefined) {
    throw new UpkeepError(
      'refused',
      `.upkeep links to ${outside}, outside the workspace; nothing was written.`,
      'Remove the link, or point it inside the workspace.',
    );
  }
  let making = true;
  try {
    await makeFolder(path.dirname(file));
    making = false;
    // 'wx' fails when the file exists, so an existing playbook is never overwritten.
    await fs.writeFile(file, STARTER_PLAYBOOK, { flag: 'wx' });
    return true;
  } catch (error) {
    // EEXIST from mkdir is a file named .upkeep, not a playbook already there.
    if (!making && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UpkeepError(
      'refused',
      `Could not create ${file} (${fileErrorWithCode(error)}); nothing was written.`,
      'Make the workspace folder writable, or write .upkeep/playbook.yaml elsewhere and ' +
        'commit it.',
      { cause: error },
    );
  }
}
