/**
 * Options more than one command takes, read alike: `--tier` (repeatable, each value one of the
 * playbook's tier ids) and `--save [file]` (the results file, the workspace's own by default).
 */
import * as path from 'node:path';
import { SAVED_RESULTS_FILE } from '../core/checks/savedResults';
import type { TierId } from '../core/playbook/model';
import { TIER_IDS } from '../core/playbook/model';
import { UpkeepError } from '../core/util/errors';

/** Commander's collector for a repeatable option: `--tier daily --tier weekly`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The tiers named; an unknown one is a `config` error naming the known ones. */
export function tierIds(names: readonly string[]): TierId[] {
  for (const name of names) {
    if (!TIER_IDS.includes(name as TierId)) {
      throw new UpkeepError('config', `unknown tier "${name}"; choose from ${TIER_IDS.join(', ')}`);
    }
  }
  return names as TierId[];
}

/** The results file `--save` names, from the workspace; undefined without the flag. */
export function savedResultsFile(
  workspace: string,
  save: string | boolean | undefined,
): string | undefined {
  if (save === undefined || save === false) return undefined;
  return path.resolve(workspace, typeof save === 'string' ? save : SAVED_RESULTS_FILE);
}
