/**
 * What the editor says after a database setting changes (Rails environment, database of
 * config/database.yml, the URL setting forgotten): which connection Upkeep now uses and where
 * it came from, or why none is found; and where it comes from, or why none is, as Configure
 * Database Connection shows it. Free of `vscode` so a test can run it on real files.
 */
import type { ResolveOptions, ResolvedConnection } from '../../core/db/connection';
import {
  CHOOSE_DATABASE_IN_EDITOR,
  describeSource,
  resolveConnection,
} from '../../core/db/connection';
import { UpkeepError, describeError } from '../../core/util/errors';

export interface ConnectionNotice {
  level: 'information' | 'warning';
  message: string;
}

/** `change` is what the user did, e.g. `Rails environment set to production`. */
export async function connectionNotice(
  change: string,
  options: ResolveOptions,
): Promise<ConnectionNotice> {
  try {
    // Resolving reads the settings and files only: nothing connects here.
    const connection = await resolveConnection(options);
    return {
      level: 'information',
      message:
        `Upkeep: ${change}; the database is now ${connection.display} ` +
        `(${describeSource(connection.source)}).`,
    };
  } catch (error) {
    return {
      level: 'warning',
      message: `Upkeep: ${change}, but no database is found that way: ${describeError(error)}`,
    };
  }
}

/**
 * Where a connection comes from, each part named once for what it is: `from
 * config/database.yml, production environment, primary database`. A production connection
 * says so only when the environment's name does not already (it read `production
 * (production)`).
 */
export function describeOrigin(
  connection: Pick<ResolvedConnection, 'source' | 'production'>,
): string {
  const { source } = connection;
  const parts =
    source.kind === 'database.yml'
      ? [
          source.file ?? 'config/database.yml',
          source.environment ? `${source.environment} environment` : '',
          source.name ? `${source.name} database` : '',
        ]
      : [describeSource(source)];
  const named = source.kind === 'database.yml' && source.environment === 'production';
  const production = connection.production && !named ? ' · treated as production' : '';
  return `from ${parts.filter(Boolean).join(', ')}${production}`;
}

/**
 * Why no connection is found, as Configure Database Connection's "Now" row says it: a hint to
 * run that very command points at its rows below instead.
 */
export function notFoundInPicker(error: unknown): string {
  const inPicker = UpkeepError.is(error, 'not-found')
    ? 'Enter a connection URL below, or set DATABASE_URL.'
    : UpkeepError.is(error) && error.hint === CHOOSE_DATABASE_IN_EDITOR
      ? 'Choose one with "Database of config/database.yml…" below.'
      : undefined;
  if (!inPicker || !UpkeepError.is(error)) return describeError(error);
  return describeError(new UpkeepError(error.code, error.message, inPicker));
}
