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
import { iconsAsText } from '../../core/util/printable';
import { unlinked } from '../../core/util/unlinked';

export interface ConnectionNotice {
  level: 'information' | 'warning';
  message: string;
}

/**
 * `change` is what the user did, e.g. `Rails environment set to production`. The message links
 * nothing: a notification reads `[label](command:…)` as a link, and the repo's config/database.yml
 * writes much of it (an environment, a database, a repeated key, an sslmode).
 */
export async function connectionNotice(
  change: string,
  options: ResolveOptions,
  { ofDatabaseYml = false }: { ofDatabaseYml?: boolean } = {},
): Promise<ConnectionNotice> {
  const notice = await connectionNoticeText(change, options, ofDatabaseYml);
  return { ...notice, message: unlinked(notice.message) };
}

/**
 * A pick of config/database.yml (its environment, one of its databases) when a URL comes first:
 * the connection did not change, and "the database is now" would read as if it had.
 */
function urlWins(change: string, connection: ResolvedConnection): ConnectionNotice | undefined {
  const { source } = connection;
  if (source.kind === 'database.yml' || source.kind === 'drill') return undefined;
  const from =
    source.kind === 'setting' ? 'the upkeep.database.url setting' : describeSource(source);
  const instead =
    source.kind === 'setting'
      ? 'Forget the upkeep.database.url setting (Upkeep: Configure Database Connection…)'
      : source.kind === 'dotenv'
        ? `Remove DATABASE_URL from ${source.file ?? '.env'}`
        : "Unset DATABASE_URL in the editor's environment";
  return {
    level: 'warning',
    message:
      `Upkeep: ${change}, which changes nothing: the database is still ${connection.display}, ` +
      `from ${from}, which comes before config/database.yml. ${instead} to use ` +
      'config/database.yml.',
  };
}

async function connectionNoticeText(
  change: string,
  options: ResolveOptions,
  ofDatabaseYml: boolean,
): Promise<ConnectionNotice> {
  try {
    // Resolving reads the settings and files only: nothing connects here.
    const connection = await resolveConnection(options);
    const unchanged = ofDatabaseYml ? urlWins(change, connection) : undefined;
    if (unchanged) return unchanged;
    const message =
      `Upkeep: ${change}; the database is now ${connection.display} ` +
      `(${describeSource(connection.source)}).`;
    const [warning, ...more] = connection.warnings ?? [];
    if (!warning) return { level: 'information', message };
    const others = more.length ? ` (${more.length} more in the Problems panel.)` : '';
    return {
      level: 'warning',
      message: `${message} ${warning.file}:${warning.line}: ${warning.message}${others}`,
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
 * (production)`). For a picker's detail: `$(name)` in it stays text.
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
  // A picker row's detail draws `$(name)` as an icon, and the names are the repo's file's.
  return iconsAsText(`from ${parts.filter(Boolean).join(', ')}${production}`);
}

/** The picker's rows that give the connection a hint can point at instead of the picker. */
export type PickerWay = 'url' | 'database';

/** Which of the picker's rows fixes `error`, when its hint says to run the picker itself. */
function pickerWay(error: unknown): PickerWay | undefined {
  if (UpkeepError.is(error, 'not-found')) return 'url';
  if (UpkeepError.is(error) && error.hint === CHOOSE_DATABASE_IN_EDITOR) return 'database';
  return undefined;
}

const IN_PICKER: Record<PickerWay, string> = {
  url: 'Enter a connection URL below, or set DATABASE_URL.',
  database: 'Choose one with "Database of config/database.yml…" below.',
};

/**
 * Why no connection is found, as Configure Database Connection's "Now" row says it: a hint to
 * run that very command points at its rows below instead.
 */
export function notFoundInPicker(error: unknown): string {
  const way = pickerWay(error);
  // The row draws `$(name)` as an icon, and the repo's files write much of the error.
  if (!way || !UpkeepError.is(error)) return iconsAsText(describeError(error));
  return iconsAsText(describeError(new UpkeepError(error.code, error.message, IN_PICKER[way])));
}

/** The buttons of `notFoundOnTest`'s message, each opening the picker row its hint names. */
export const TEST_BUTTONS: Record<PickerWay, string> = {
  url: 'Enter Connection URL…',
  database: 'Choose Database…',
};

const ON_TEST: Record<PickerWay, string> = {
  url: `Enter one with "${TEST_BUTTONS.url}", or set DATABASE_URL.`,
  database: `Choose one with "${TEST_BUTTONS.database}".`,
};

/**
 * Why the picker's "Test the connection" found no connection to test: the picker has closed, so
 * a hint to run it again names the button the message offers instead (`way`), which opens the
 * row that fixes it.
 */
export function notFoundOnTest(error: unknown): { message: string; way?: PickerWay } {
  const way = pickerWay(error);
  if (!way || !UpkeepError.is(error)) return { message: describeError(error) };
  return { message: describeError(new UpkeepError(error.code, error.message, ON_TEST[way])), way };
}
