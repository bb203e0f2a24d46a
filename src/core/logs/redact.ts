/**
 * Hides secrets an app logged in the clear (no filter_parameter_logging for them) before a path
 * or a parameter list reaches the summary, which the dashboard shows and a saved report commits
 * to the repo: `/reset?token=abc` becomes `/reset?token=[FILTERED]`, as Rails itself writes it.
 */
import { redactUrlCredentials } from '../util/logger';

/**
 * The names Rails filters in a new app (config/initializers/filter_parameter_logging.rb of
 * Rails 7.1), matched the same way: anywhere in the name, in any case.
 */
const SENSITIVE = /passw|email|secret|token|_key|crypt|salt|certificate|otp|ssn|cvv|cvc/i;

export const FILTERED = '[FILTERED]';

function sensitive(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the name as it is written.
  }
  return SENSITIVE.test(decoded);
}

/**
 * The text (a path, or an exception message quoting one) with the value of every sensitive
 * query parameter (`?name=value`, `&…`, `;…`) replaced by [FILTERED].
 */
export function redactPath(text: string): string {
  if (!/[?&;]/.test(text)) return text;
  return text.replace(/([?&;])([^=&;?#\s"']{1,200})=([^&;#"]*)/g, (whole, mark, name) =>
    sensitive(name) ? `${mark}${name}=${FILTERED}` : whole,
  );
}

/**
 * An exception message: `redactPath`, a connection string's password (an adapter that could not
 * connect quotes its URL) and the value of a sensitive `name=value` pair it quotes.
 */
export function redactMessage(text: string): string {
  const pairs = redactUrlCredentials(text).replace(
    /(^|[\s(,])([^=\s"'(,?&;]{1,200})=([^\s"',;&)]*)/g,
    (whole, lead: string, name: string) => (sensitive(name) ? `${lead}${name}=${FILTERED}` : whole),
  );
  return redactPath(pairs);
}

/** A parameter's name and arrow (`"name"=>`, `"name": `), then its value. */
const PARAM = new RegExp(
  String.raw`"((?:[^"\\]|\\.){1,200})"(\s*=>\s*|:\s*)` +
    // A string, closed or cut off where the text ends (a trailing backslash too); a number.
    String.raw`(?:"(?:[^"\\]|\\.){0,20000}(?:"|\\?$)|-?\d[\d.eE+-]*)`,
  'g',
);

/**
 * Parameters as Rails logs them (`{"user"=>{"password"=>"x"}}`, or `"password": "x"` from Ruby
 * 3.4 and JSON loggers) with every sensitive string or number value replaced by [FILTERED], as
 * Rails' own filter writes it (a JSON body's `"otp"=>123456`). A string the text ends in is
 * hidden to the end: the parser's cut of a long list (`keptParams`) may fall inside it.
 */
export function redactParams(params: string): string {
  return params.replace(PARAM, (whole, name: string, arrow: string) =>
    sensitive(name) ? `"${name}"${arrow}"${FILTERED}"` : whole,
  );
}
