/**
 * Registers this feature's views and commands. (Placeholder until the feature lands.)
 */
import type { Services } from '../services';

export function registerTemplateCommands(services: Services): void {
  services.log.child('templates').debug('not built yet');
}
