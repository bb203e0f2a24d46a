/**
 * The Upkeep setting an error names ("Set upkeep.backups.drillTargetUrl."), for the editor to
 * offer Open Settings at it: a message naming a setting with no way there leaves the user
 * searching the Settings UI. Every Upkeep setting has a section and a key (upkeep.x.y); a
 * command (upkeep.runCheck) or a file (upkeep.yml) has one part and is not read as one.
 */
import { UpkeepError } from './errors';

const SETTING = /\bupkeep\.[A-Za-z]+\.[A-Za-z]+\b/;

/** The hint's setting first (it says what to change), else the message's; undefined if none. */
export function settingNamed(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const hint = error instanceof UpkeepError ? error.hint : undefined;
  return SETTING.exec(hint ?? '')?.[0] ?? SETTING.exec(error.message)?.[0];
}
