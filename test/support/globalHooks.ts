/**
 * Mocha global fixtures: servers started lazily by the tests are stopped once at the end, and
 * the temporary folders tests made with tempFolder() are removed.
 */
import { stopServers } from './postgres';
import { removeTempFolders } from './tempFolders';

export async function mochaGlobalTeardown(): Promise<void> {
  await stopServers();
  await removeTempFolders();
}
