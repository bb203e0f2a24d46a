/**
 * Registers this feature's views and commands. (Placeholder until the feature lands.)
 */
import type { Services } from '../services';

export function registerDatabaseCommands(services: Services): void {
  services.log.child('db').debug('not built yet');
}
