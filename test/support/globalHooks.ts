/**
 * Mocha global fixtures: servers started lazily by the tests are stopped once at the end.
 */
import { stopServers } from './postgres';

export async function mochaGlobalTeardown(): Promise<void> {
  await stopServers();
}
