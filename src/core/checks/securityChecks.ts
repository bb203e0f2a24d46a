/**
 * Security configuration read from the repo's Ruby source without running it: parameter
 * filtering keeps passwords out of the logs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../util/errors';
import { plural } from '../util/plural';
import { readTextFile } from './files';
import { testPattern } from './safeRegex';
import type { CheckContext, CheckDefinition, CheckReport } from './types';

export const FILTER_PARAMETERS_FILE = 'config/initializers/filter_parameter_logging.rb';

export interface FilterParameters {
  /** Symbols, strings and regular expressions, as written. */
  entries: { text: string; line: number }[];
}

/** Collects the entries of every `filter_parameters += [...]` (or `=`) in the file. */
export function parseFilterParameters(text: string): FilterParameters {
  const entries: FilterParameters['entries'] = [];
  const lines = text.split(/\r?\n/);
  let inList = false;
  let percentList = false;
  lines.forEach((raw, index) => {
    let rest = raw.replace(/#(?![{]).*$/, '');
    const start = /filter_parameters\s*(?:\+=|=|<<|\.concat\()\s*(.*)$/.exec(rest);
    if (start) {
      inList = true;
      rest = start[1];
      // %i[passw secret] lists bare words instead of symbols.
      percentList = /%[iwIW][[(]/.test(rest);
      rest = rest.replace(/%[iwIW]([[(])/, '$1');
    }
    if (!inList) return;

    const token = percentList
      ? /\b(\w+)\b/g
      : /:"?(\w+)"?|"([^"]+)"|'([^']+)'|\/((?:[^/\\]|\\.)+)\/[a-z]*/g;
    for (const match of rest.matchAll(token)) {
      entries.push({ text: percentList ? `:${match[1]}` : match[0], line: index + 1 });
    }
    // The statement ends at its closing bracket, or on its own line when it opened none.
    const closes = /[\])]/.test(rest);
    const opens = /[[(]/.test(rest);
    if (closes || (start && !opens)) inList = false;
  });
  return { entries };
}

/**
 * Rails filters a parameter when a filter is a substring of its name (or a regexp matches it).
 * A regexp comes from the repo, so it is tested off the main thread with a time limit: a
 * catastrophic one rejects with a `config` error instead of freezing the editor.
 */
export async function filtersParameter(
  parameters: FilterParameters,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  for (const { text } of parameters.entries) {
    if (text.startsWith('/')) {
      const body = /^\/(.*)\/([a-z]*)$/.exec(text);
      const flags = body ? body[2].replace(/[^imsu]/g, '') : '';
      if (
        body &&
        compiles(body[1], flags) &&
        (await testPattern(body[1], flags, name, { signal }))
      ) {
        return true;
      }
      continue;
    }
    const word = text.replace(/^:/, '').replace(/^["']|["']$/g, '');
    if (word.length > 0 && name.includes(word.toLowerCase())) return true;
  }
  return false;
}

/** Ruby and JavaScript regexps differ: one JavaScript cannot read filters nothing here. */
function compiles(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

export const filterParametersCheck: CheckDefinition = {
  id: 'security.filterParameters',
  title: 'Passwords filtered from logs',
  description: `${FILTER_PARAMETERS_FILE} exists and its filter_parameters cover password.`,
  async run(context: CheckContext): Promise<CheckReport> {
    const file = path.join(context.workspace, FILTER_PARAMETERS_FILE);
    const text = await readTextFile(file);
    if (text === undefined) {
      const isRails = await fs.stat(path.join(context.workspace, 'config', 'application.rb')).then(
        () => true,
        () => false,
      );
      if (!isRails) {
        return { outcome: 'skipped', summary: 'not a Rails app (no config/application.rb)' };
      }
      return {
        outcome: 'fail',
        summary: `${FILTER_PARAMETERS_FILE} is missing: passwords may reach the logs`,
        findings: [
          {
            file: 'config/application.rb',
            line: 1,
            severity: 'error',
            source: 'security.filterParameters',
            message:
              `add ${FILTER_PARAMETERS_FILE} with ` +
              'Rails.application.config.filter_parameters += [:passw, :token, :secret]',
          },
        ],
      };
    }
    const parameters = parseFilterParameters(text);
    const covered: string[] = [];
    try {
      for (const name of ['password', 'token', 'secret']) {
        if (await filtersParameter(parameters, name, context.signal)) covered.push(name);
      }
    } catch (error) {
      if (context.signal.aborted) throw error;
      return { outcome: 'error', summary: `${FILTER_PARAMETERS_FILE}: ${describeError(error)}` };
    }
    const values = {
      filters: parameters.entries.length,
      coversPassword: covered.includes('password'),
    };
    if (!covered.includes('password')) {
      return {
        outcome: 'fail',
        summary: 'filter_parameters do not cover password',
        values,
        findings: [
          {
            file: FILTER_PARAMETERS_FILE,
            line: parameters.entries[0]?.line ?? 1,
            severity: 'error',
            source: 'security.filterParameters',
            message: 'filter_parameters do not cover password (add :passw)',
          },
        ],
      };
    }
    const missing = ['token', 'secret'].filter((name) => !covered.includes(name));
    if (missing.length) {
      return {
        outcome: 'warn',
        summary: `password is filtered; ${missing.join(' and ')} are not`,
        values,
      };
    }
    return {
      outcome: 'pass',
      summary:
        `${plural(parameters.entries.length, 'filter')} ` +
        `${parameters.entries.length === 1 ? 'covers' : 'cover'} password, token and secret`,
      values,
    };
  },
};
