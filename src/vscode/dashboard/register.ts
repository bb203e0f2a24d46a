/**
 * Registers this feature's views and commands. (Placeholder until the feature lands.)
 */
import type { Services } from '../services';

export function registerDashboard(services: Services): void {
  services.log.child('dashboard').debug('not built yet');
}
