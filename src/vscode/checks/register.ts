/**
 * Registers this feature's views and commands. (Placeholder until the feature lands.)
 */
import type { Services } from '../services';

export function registerCheckCommands(services: Services): void {
  services.log.child('checks').debug('not built yet');
}
