/**
 * The database passwords a command knows before it connects, to hide them in what it prints:
 * a tool's output (`upkeep check`) or an exception the app logged (`upkeep logs`).
 */
import type { UpkeepSettings } from '../core/settings';
import { environmentPasswords, resolveConnection } from '../core/db/connection';

/**
 * The password the database checks will connect with (from .env or config/database.yml too),
 * known before any check runs, so that a tool printing it before they connect is hidden too.
 */
export async function connectionPassword(
  workspace: string,
  settings: UpkeepSettings,
  trusted: boolean,
): Promise<string[]> {
  const connection = await resolveConnection({
    workspace,
    settings,
    env: process.env,
    trusted,
  }).catch(() => undefined);
  const password = connection?.config.password;
  return typeof password === 'string' ? [password] : [];
}

/** That password and those of the environment (`PGPASSWORD`, `DATABASE_URL`), each once. */
export async function databasePasswords(
  workspace: string,
  settings: UpkeepSettings,
  trusted: boolean,
): Promise<string[]> {
  const found = await connectionPassword(workspace, settings, trusted);
  return [...new Set([...found, ...environmentPasswords(process.env)])];
}
