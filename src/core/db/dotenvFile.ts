/**
 * Reads a Rails app's `.env` as the dotenv gem hands it to Rails: `$VAR` and `${VAR}` in a value
 * that is not single-quoted read the environment, else the variables the file set before it.
 * A `$(command)`, which the gem would run, is never run: its variable is left unset.
 */
import { parse as parseDotenv } from 'dotenv';
import { UpkeepError } from '../util/errors';
import { describeSize } from '../util/textFile';
import { envVariable } from './databaseYml';

export interface DotenvFile {
  /** The variables as Rails would see them, references expanded; commands left out. */
  values: Record<string, string>;
  /** The variables whose value runs a command (`$(...)`), which Upkeep does not run. */
  commands: Set<string>;
  /** The 1-based line of a variable's last assignment. */
  lineOf(key: string): number | undefined;
}

/** One `KEY=value` of the file: its key, its line, and the quote its value starts with. */
interface Assignment {
  key: string;
  line: number;
  quote: string;
}

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*(?:=|:[ \t])[ \t]*/;
const QUOTES = `'"\``;
/** A reference as the gem reads it: `\` escapes it, `{}` are optional, `$(` is a command. */
const REFERENCE = /(\\?)\$(?!\()(\{?)([A-Za-z0-9_]*)(\}?)/g;
const COMMAND = /(?:^|[^\\])\$\(/;

/**
 * The file's variables. `env` is the process environment, which comes first, as dotenv leaves a
 * set variable as it is. References that multiply (each line naming the one before many times)
 * could make gigabytes of a small file: past `maxChars` in all, a `config` error, whose hint ends
 * with `elsewhere` (the other way to give the connection, to follow "or ").
 */
export function parseDotenvFile(
  text: string,
  env: NodeJS.ProcessEnv,
  maxChars: number,
  elsewhere: string,
): DotenvFile {
  const blank = longBlankRun(text);
  if (blank) {
    throw new UpkeepError(
      'config',
      `.env has ${blank.lines.toLocaleString('en-US')} blank lines in a row from line ` +
        `${blank.line}; read as dotenv reads it, that would take minutes, so it is not read.`,
      `Remove them, or ${elsewhere}.`,
    );
  }
  const parsed = parseDotenv(text);
  // A byte order mark (an editor on Windows) is no part of the first line's key.
  const assignments = scanAssignments(text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'));
  const last = new Map(assignments.map((assignment) => [assignment.key, assignment]));
  const values: Record<string, string> = {};
  const commands = new Set<string>();
  let budget = maxChars;
  const spend = (chars: number): void => {
    budget -= chars;
    if (budget >= 0) return;
    throw new UpkeepError(
      'config',
      `.env could not be read: its $VAR references expand to more than ${describeSize(maxChars)}.`,
      `Fix the file, or ${elsewhere}.`,
    );
  };
  const lookup = (name: string): string =>
    envVariable(env, name) ?? (Object.hasOwn(values, name) ? values[name] : '');

  for (const assignment of assignments) {
    const { key, quote } = assignment;
    // An earlier assignment of a key set again is left: only its last value is known.
    if (last.get(key) !== assignment || !Object.hasOwn(parsed, key)) continue;
    const raw = parsed[key];
    if (quote === "'") {
      spend(raw.length);
      values[key] = raw;
    } else if (COMMAND.test(raw)) {
      commands.add(key);
    } else {
      values[key] = raw.replace(REFERENCE, (whole, escaped: string, _open, name: string) => {
        const part = escaped ? whole.slice(1) : name ? lookup(name) : whole;
        spend(part.length);
        return part;
      });
      spend(raw.length);
    }
  }
  // Lines the scan did not take for assignments keep what dotenv read.
  for (const [key, value] of Object.entries(parsed)) {
    if (!last.has(key)) values[key] = value;
  }
  return { values, commands, lineOf: (key) => last.get(key)?.line };
}

/**
 * dotenv's pattern starts at every line and runs over all the blank lines after it, so a run of
 * blank lines costs its count times its length: minutes for 100,000 of them. Past this many
 * steps in one run (a quarter of a second), the file is refused unread.
 */
const MAX_BLANK_RUN_STEPS = 20_000_000;

/** The first run of blank lines too long for dotenv's pattern: its first line and its count. */
function longBlankRun(text: string): { line: number; lines: number } | undefined {
  let found: { line: number; lines: number } | undefined;
  let runLines = 0;
  let runChars = 0;
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    if (end < text.length && /^\s*$/.test(text.slice(at, end))) {
      runLines++;
      runChars += end + 1 - at;
      // Counted on to the run's end, which says how many there are.
      if (runLines * runChars > MAX_BLANK_RUN_STEPS) {
        found = { line: line - runLines + 1, lines: runLines };
      }
    } else {
      if (found) return found;
      runLines = 0;
      runChars = 0;
    }
    at = end + 1;
  }
  return found;
}

/**
 * The assignments in file order. A quoted value may run over several lines; those lines are
 * not read as assignments of their own. Linear in the text.
 */
function scanAssignments(text: string): Assignment[] {
  const found: Assignment[] = [];
  // Past the first place a quote does not close from, it closes from nowhere later: a file of
  // lines that each open a quote is scanned once, not once per line.
  const unclosedFrom = new Map<string, number>();
  let line = 1;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const match = ASSIGNMENT.exec(text.slice(at, end));
    let next = end + 1;
    if (match) {
      const valueAt = at + match[0].length;
      const quote = QUOTES.includes(text[valueAt] ?? '') ? text[valueAt] : '';
      let close = -1;
      if (quote && valueAt + 1 < (unclosedFrom.get(quote) ?? Infinity)) {
        close = closingQuote(text, valueAt + 1, quote);
        if (close === -1) unclosedFrom.set(quote, valueAt + 1);
      }
      found.push({ key: match[1], line, quote: close === -1 ? '' : quote });
      if (close > end) {
        const after = text.indexOf('\n', close);
        next = after === -1 ? text.length : after + 1;
      }
    }
    line += countLineFeeds(text, at, Math.min(next, text.length));
    at = next;
  }
  return found;
}

/** Where the quote opened before `from` closes, a backslash before it escaping it; or -1. */
function closingQuote(text: string, from: number, quote: string): number {
  for (let at = from; at < text.length; at++) {
    if (text[at] === '\\' && text[at + 1] === quote) at++;
    else if (text[at] === quote) return at;
  }
  return -1;
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) {
    count++;
  }
  return count;
}
