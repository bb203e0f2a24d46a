/**
 * Security configuration read from the repo's Ruby source without running it: parameter
 * filtering keeps passwords out of the logs, and forgery protection (CSRF) is left on.
 */
import * as path from 'node:path';
import fg from 'fast-glob';
import { describeError } from '../util/errors';
import { plural } from '../util/plural';
import type { RubyLine } from './files';
import { forEachCodeLine, readWorkspaceFile, statWorkspaceFile, withoutRubyComment } from './files';
import { testPattern } from './safeRegex';
import type { CheckContext, CheckDefinition, CheckReport, Finding } from './types';

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
    let rest = withoutRubyComment(raw);
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
    const text = await readWorkspaceFile(context, FILTER_PARAMETERS_FILE);
    if (text === undefined) {
      // Untrusted, one linked out of the folder throws `untrusted`, one put there after that
      // check `refused`: whether it is there is not the repo's to tell.
      const application = path.join('config', 'application.rb');
      const isRails = (await statWorkspaceFile(context, application)) !== undefined;
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

// ---------------------------------------------------------------------------------------------
// CSRF: the guidelines say "Rails handles CSRF automatically"; this checks nobody turned it off.

// `ActionController::Base.x = ` in an initializer sets the same as `config.action_controller.x =`.
const BASE = String.raw`\b(?:action_controller|ActionController::Base)\.`;
const ALLOW_SETTING = new RegExp(`${BASE}allow_forgery_protection\\s*=\\s*(true|false)\\b`);
const DEFAULT_SETTING = new RegExp(`${BASE}default_protect_from_forgery\\s*=\\s*(true|false)\\b`);
const LOAD_DEFAULTS = /\bconfig\.load_defaults\s*\(?\s*["']?(\d+)(?:\.(\d+))?/;
const API_ONLY = /\bconfig\.api_only\s*=\s*true\b/;
const PROTECT = /^protect_from_forgery\b/;
/** `skip_before_action` naming the callback anywhere in its list, with or without brackets. */
const SKIP =
  /^(?:skip_forgery_protection\b|skip_before_action\b(?=.*[:"']verify_authenticity_token\b))/;
/** A skip limited to some actions or a condition, rather than the whole controller. */
const SCOPED = /\b(only|except|if|unless)\s*(:|=>)/;

export const APPLICATION_CONTROLLER = 'app/controllers/application_controller.rb';

export interface ForgeryProtection {
  apiOnly: boolean;
  /** `config.load_defaults` as a number (7.1), when set. */
  loadDefaults?: number;
  /** The last `allow_forgery_protection = false` that no later `= true` undoes. */
  allowOff?: RubyLine;
  defaultSetting?: RubyLine & { on: boolean };
  /** ApplicationController's own `protect_from_forgery`. */
  applicationProtects?: RubyLine;
  skips: RubyLine[];
}

/** Takes in one config file; call in Rails' load order, so a later setting wins. */
export function scanForgeryConfig(found: ForgeryProtection, file: string, text: string): void {
  forEachCodeLine(file, text, (line) => {
    if (API_ONLY.test(line.code)) found.apiOnly = true;
    const allow = ALLOW_SETTING.exec(line.code);
    if (allow) found.allowOff = allow[1] === 'false' ? line : undefined;
    const setting = DEFAULT_SETTING.exec(line.code);
    if (setting) found.defaultSetting = { ...line, on: setting[1] === 'true' };
    const defaults = LOAD_DEFAULTS.exec(line.code);
    if (defaults) found.loadDefaults = Number(`${defaults[1]}.${defaults[2] ?? '0'}`);
  });
}

/** Takes in one controller: its skips, and ApplicationController's protect_from_forgery. */
export function scanForgeryController(found: ForgeryProtection, file: string, text: string): void {
  forEachCodeLine(file, text, (line) => {
    if (SKIP.test(line.code)) found.skips.push(line);
    if (file === APPLICATION_CONTROLLER && PROTECT.test(line.code)) {
      found.applicationProtects = line;
    }
  });
}

/**
 * Reads forgery protection from the config files, given in Rails' load order (application.rb,
 * production.rb, then the initializers), so a later setting wins; and from the controllers.
 */
export function parseForgeryProtection(
  config: { file: string; text: string }[],
  controllers: { file: string; text: string }[],
): ForgeryProtection {
  const found: ForgeryProtection = { apiOnly: false, skips: [] };
  for (const { file, text } of config) scanForgeryConfig(found, file, text);
  for (const { file, text } of controllers) scanForgeryController(found, file, text);
  return found;
}

function forgeryFinding(at: RubyLine, message: string, severity: Finding['severity']): Finding {
  return { file: at.file, line: at.line, severity, source: 'security.csrf', message };
}

/** Pure, so every way of turning protection off is easy to test. */
export function judgeForgeryProtection(found: ForgeryProtection): CheckReport {
  const values = {
    loadDefaults: found.loadDefaults ?? null,
    applicationControllerProtects: Boolean(found.applicationProtects),
    controllersSkipping: new Set(found.skips.map((skip) => skip.file)).size,
  };
  if (found.apiOnly) {
    return {
      outcome: 'skipped',
      summary: 'API-only app (config.api_only): its controllers have no forgery protection',
      values,
    };
  }
  if (found.allowOff) {
    return {
      outcome: 'fail',
      summary: 'forgery protection is turned off (allow_forgery_protection = false)',
      values,
      findings: [
        forgeryFinding(
          found.allowOff,
          'allow_forgery_protection = false turns CSRF protection off',
          'error',
        ),
      ],
    };
  }

  // Rails 5.2 defaults turn protection on for ActionController::Base; older apps need the call.
  const byDefault = found.defaultSetting
    ? found.defaultSetting.on
    : (found.loadDefaults ?? 0) >= 5.2;
  if (!found.applicationProtects && !byDefault) {
    const why = found.defaultSetting
      ? 'default_protect_from_forgery = false'
      : found.loadDefaults === undefined
        ? 'no config.load_defaults 5.2 or later'
        : `config.load_defaults ${found.loadDefaults} predates the 5.2 default`;
    const at = found.defaultSetting ?? { file: APPLICATION_CONTROLLER, line: 1, code: '' };
    return {
      outcome: 'fail',
      summary:
        'forgery protection is off: ApplicationController has no protect_from_forgery ' +
        `(${why})`,
      values,
      findings: [
        forgeryFinding(
          at,
          `add protect_from_forgery with: :exception to ApplicationController`,
          'error',
        ),
      ],
    };
  }

  const appWide = found.skips.filter(
    (skip) => skip.file === APPLICATION_CONTROLLER && !SCOPED.test(skip.code),
  );
  if (appWide.length) {
    return {
      outcome: 'fail',
      summary: 'ApplicationController skips CSRF verification for every controller',
      values,
      findings: appWide.map((at) =>
        forgeryFinding(at, `${at.code.split(/[\s,]/)[0]} in ApplicationController`, 'error'),
      ),
    };
  }
  const how = found.applicationProtects
    ? 'protect_from_forgery in ApplicationController'
    : found.defaultSetting
      ? 'default_protect_from_forgery = true'
      : `the Rails default since load_defaults ${found.loadDefaults}`;
  if (found.skips.length) {
    return {
      outcome: 'warn',
      summary:
        `forgery protection on (${how}); ` +
        `${plural(values.controllersSkipping, 'controller')} ` +
        `${values.controllersSkipping === 1 ? 'skips' : 'skip'} it: review them`,
      values,
      findings: found.skips.map((at) =>
        forgeryFinding(
          at,
          `CSRF verification skipped (${at.code.slice(0, 120)}): ` +
            'fine for a signed webhook, not for a form a browser posts',
          'warning',
        ),
      ),
    };
  }
  return { outcome: 'pass', summary: `forgery protection on (${how})`, values };
}

/** Rails' load order: the environment file runs before the initializers. */
const FORGERY_CONFIG = [
  'config/application.rb',
  'config/environments/production.rb',
  'config/initializers/**/*.rb',
];
/** Files read at most: an app has dozens; a folder of thousands is not worth a check. */
const MAX_FILES = 2000;

/**
 * Hands each file matching the patterns to `take`, one at a time so that only one is held in
 * memory. A file that is not a regular one or too large tells nothing about CSRF.
 */
async function eachRubyFile(
  context: CheckContext,
  patterns: string[],
  take: (file: string, text: string) => void,
): Promise<void> {
  let read = 0;
  for (const pattern of patterns) {
    const matches = await fg(pattern, {
      cwd: context.workspace,
      onlyFiles: true,
      followSymbolicLinks: false,
    });
    for (const file of matches.sort().slice(0, MAX_FILES - read)) {
      context.signal.throwIfAborted();
      // A link is no file to the glob above (followSymbolicLinks: false), so none is read here.
      const text = await readWorkspaceFile(context, file).catch(() => undefined);
      if (text !== undefined) take(file, text);
      read++;
    }
  }
}

export const csrfCheck: CheckDefinition = {
  id: 'security.csrf',
  title: 'CSRF protection left on',
  description:
    'Reads config/ and app/controllers/ (without running Ruby): forgery protection is on ' +
    'for production, and lists the controllers that skip it.',
  async run(context: CheckContext): Promise<CheckReport> {
    const found: ForgeryProtection = { apiOnly: false, skips: [] };
    let rails = false;
    await eachRubyFile(context, FORGERY_CONFIG, (file, text) => {
      if (file === 'config/application.rb') rails = true;
      scanForgeryConfig(found, file, text);
    });
    if (!rails) {
      return { outcome: 'skipped', summary: 'not a Rails app (no config/application.rb)' };
    }
    await eachRubyFile(context, ['app/controllers/**/*.rb'], (file, text) =>
      scanForgeryController(found, file, text),
    );
    return judgeForgeryProtection(found);
  },
};
