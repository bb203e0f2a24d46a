/**
 * The Rails environment of the commands that read the monitored database (`upkeep check`, `db`
 * and `drill`): their shared `--env` option and the settings they run with. The order is --env,
 * then upkeep.database.railsEnvironment in .vscode/settings.json, then RAILS_ENV, then RACK_ENV
 * (Rails' own order), then development.
 */
import { Option } from 'commander';
import { loadWorkspaceSettings } from '../core/checks/workspaceSettings';
import { assertRailsEnvironment } from '../core/db/connection';
import type { UpkeepSettings } from '../core/settings';
import { UpkeepError } from '../core/util/errors';
import { warnLine } from './cliLogger';
import { nonEmpty } from './options';

/** A new `-e, --env` option for one command (commander options belong to one command each). */
export function envOption(): Option {
  return new Option(
    '-e, --env <name>',
    'Rails environment of config/database.yml ' +
      '(default: the setting, else RAILS_ENV, else RACK_ENV, else development)',
  ).argParser(nonEmpty);
}

export interface CliSettingsOptions {
  /** False with `--untrusted`: the repo's URLs and log sources are ignored. */
  trusted: boolean;
  /** The `--env` flag. */
  env?: string;
  /** The process environment, for RAILS_ENV and RACK_ENV. */
  processEnv: NodeJS.ProcessEnv;
}

/**
 * The workspace's settings with the Rails environment chosen as above. When the connection
 * comes from config/database.yml and it has no entry for that environment, throws the `config`
 * error `upkeep db` reports, before anything runs.
 */
export async function loadCliSettings(
  workspace: string,
  options: CliSettingsOptions,
): Promise<UpkeepSettings> {
  const { trusted, processEnv } = options;
  // Only the CLI follows RAILS_ENV: on a server it says which database the app uses, while the
  // editor's environment says nothing about the app.
  const fromProcess = processEnv.RAILS_ENV || processEnv.RACK_ENV || undefined;
  const settings = await loadWorkspaceSettings(workspace, {
    trusted,
    defaultRailsEnvironment: fromProcess,
    warn: warnLine,
  });
  if (options.env) settings.database.railsEnvironment = options.env;

  try {
    await assertRailsEnvironment({ workspace, settings, env: processEnv, trusted, surface: 'cli' });
  } catch (error) {
    const environment = settings.database.railsEnvironment;
    if (!options.env && fromProcess === environment && UpkeepError.is(error)) {
      // Nothing on the command line named it: say where it came from.
      const variable = processEnv.RAILS_ENV ? 'RAILS_ENV' : 'RACK_ENV';
      throw new UpkeepError(
        error.code,
        error.message,
        `${variable} is "${environment}". ${error.hint ?? ''}`.trim(),
        { cause: error },
      );
    }
    throw error;
  }
  return settings;
}
