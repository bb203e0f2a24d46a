/**
 * The demo's database (scripts/lib/demoWorkspace.ts, the one `npm run demo` shows) on a test
 * server, for tests that check what a new user sees on it.
 */
import type { RunningPostgres } from '../../../scripts/lib/embeddedPostgres';
import { loadDemoDatabase } from '../../../scripts/lib/demoWorkspace';
import { createDatabase } from '../../support/postgres';

/** Creates a fresh database, loads the demo schema and data into it, and returns its URL. */
export async function createDemoDatabaseFor(server: RunningPostgres): Promise<string> {
  const url = await createDatabase(server, 'demo');
  await loadDemoDatabase({
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    password: server.password,
    database: new URL(url).pathname.slice(1),
  });
  return url;
}
