/**
 * Registers this feature's views and commands. (Placeholder until the feature lands.)
 */
import type { Services } from '../services';

export function registerPlaybookView(services: Services): void {
  services.log.child('tree').debug('not built yet');
}
