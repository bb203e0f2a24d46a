/**
 * What the editor says after a database setting changes (Rails environment, database of
 * config/database.yml, the URL setting forgotten): which connection Upkeep now uses and where
 * it came from, or why none is found. Free of `vscode` so a test can run it on real files.
 */
import type { ResolveOptions } from '../../core/db/connection';
import { describeSource, resolveConnection } from '../../core/db/connection';
import { describeError } from '../../core/util/errors';

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
