/**
 * The database passwords known before anything connects, to hide them in what Upkeep shows of
 * others' text: a tool's output, or an exception the app logged (a driver's error, a debug line).
 * The CLI and the editor ask the same question, so both hide the same passwords.
 */
import type { UpkeepSettings } from '../settings';
import { environmentPasswords, resolveConnection } from './connection';

export interface PasswordSources {
  workspace: string;
  settings: UpkeepSettings;
  /** False in an untrusted workspace: then .env and config/database.yml are not read. */
  trusted: boolean;
  env: NodeJS.ProcessEnv;
  /** The editor's stored password and the server it was set for. */
  password?: string;
  passwordServer?: string;
}

/**
 * The password the database checks will connect with (from .env or config/database.yml too),
 * known before any check runs, so that a tool printing it before they connect is hidden too.
 */
export async function connectionPassword(sources: PasswordSources): Promise<string[]> {
  const connection = await resolveConnection(sources).catch(() => undefined);
  const password = connection?.config.password;
  return typeof password === 'string' ? [password] : [];
}

/** That password and those of the environment (`PGPASSWORD`, `DATABASE_URL`), each once. */
export async function databasePasswords(sources: PasswordSources): Promise<string[]> {
  const found = await connectionPassword(sources);
  return [...new Set([...found, ...environmentPasswords(sources.env)])];
}
