/**
 * Options more than one command takes, read alike: `--tier` (repeatable, each value one of the
 * playbook's tier ids), `--save [file]` (the results file, the workspace's own by default) and
 * `--workspace`; and the parser that refuses an empty value.
 */
import * as path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { SAVED_RESULTS_FILE } from '../core/checks/savedResults';
import type { TierId } from '../core/playbook/model';
import { TIER_IDS } from '../core/playbook/model';
import { didYouMean } from '../core/util/closest';
import { UpkeepError } from '../core/util/errors';
import { redact } from '../core/util/logger';
import { folderOutside } from '../core/util/paths';

/**
 * Commander's parser for a flag whose value cannot be empty: a cron line's `--env "$RAILS_ENV"`
 * or `--workspace "$APP_DIR"` with the variable unset passed `''`, which read as no flag at all
 * (the development database, the current folder).
 */
export function nonEmpty(value: string): string {
  if (value.trim() === '') {
    throw new InvalidArgumentError(
      'It is empty (an unset variable?): give a value, or leave the flag out.',
    );
  }
  return value;
}

/**
 * A new `-w, --workspace` option for one command (commander options belong to one command
 * each): every command takes `-w`, so a cron line written for one works for the others.
 */
export function workspaceOption(): Option {
  return new Option(
    '-w, --workspace <dir>',
    'the Rails app folder (default: found from the current folder)',
  ).argParser(nonEmpty);
}

/** Commander's collector for a repeatable option: `--tier daily --tier weekly`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The tiers named; an unknown one is a `config` error naming the known ones. */
export function tierIds(names: readonly string[]): TierId[] {
  for (const name of names) {
    if (!TIER_IDS.includes(name as TierId)) {
      throw new UpkeepError(
        'config',
        `unknown tier "${name}"; choose from ${TIER_IDS.join(', ')}.${didYouMean(name, TIER_IDS)}`,
      );
    }
  }
  return names as TierId[];
}

/**
 * The results file `--save` names, from the workspace; undefined without the flag. Without a
 * name it is the workspace's `.upkeep/results.json`, and a `.upkeep` the repo links to a folder
 * outside the workspace is refused (`refused`): saving would set a file of the user's aside and
 * write beside it. A file the user names is written where it is named.
 */
export async function savedResultsFile(
  workspace: string,
  save: string | boolean | undefined,
): Promise<string | undefined> {
  if (save === undefined || save === false) return undefined;
  if (typeof save === 'string') return path.resolve(workspace, save);
  const file = path.resolve(workspace, SAVED_RESULTS_FILE);
  const outside = await folderOutside(workspace, path.dirname(file));
  if (outside !== undefined) {
    throw new UpkeepError(
      'refused',
      `.upkeep links to ${outside}, outside the workspace; nothing was saved or run.`,
      `Remove the link, or name the file: --save ${path.join(outside, 'results.json')}.`,
    );
  }
  return file;
}

/**
 * The values given to `flag` as `--flag VALUE` or `--flag=VALUE` (and to its `short` form as
 * `-f VALUE` or `-fVALUE`), up to a `--`: the flags of a command line commander refused, which
 * took none after the first it did not know. `args` starts with the command's name.
 */
export function flagValues(args: readonly string[], flag: string, short?: string): string[] {
  const values: string[] = [];
  for (let index = 1; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--') break;
    if ((arg === flag || arg === short) && index + 1 < args.length) values.push(args[++index]);
    else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    else if (short && arg.startsWith(short) && arg.length > short.length) {
      values.push(arg.slice(short.length));
    }
  }
  return values;
}

/**
 * Whether `upkeep <command>` was asked for JSON (`--format json`, the last one counting) on a
 * command line commander refused, so that it still prints the JSON document saying why.
 */
export function askedForJson(args: readonly string[], short?: string): boolean {
  return flagValues(args, '--format', short).at(-1) === 'json';
}

/** What commander refused (an unknown flag, a value outside the choices), and where to look. */
export function refusedFlagMessage(command: string, message: string): string {
  // One line: commander puts its "(Did you mean --confirm?)" on a line of its own.
  const refused = message
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
  // A connection URL typed into a flag it does not take keeps its password out of the report.
  return `${redact(refused)} (upkeep ${command} --help lists its flags and values)`;
}
