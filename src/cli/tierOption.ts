/**
 * `--tier`, as the commands that take it read it: repeatable, and each value one of the playbook's
 * tier ids, or a configuration error that lists them.
 */
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
