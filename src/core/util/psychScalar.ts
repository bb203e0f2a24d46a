/**
 * What Psych, the YAML parser Rails loads config/database.yml with, makes of an unquoted value.
 * Psych resolves YAML 1.1's types and yaml's core schema those of 1.2, which differ on values a
 * database.yml holds: `0123` is 83 (octal) to Psych and 123 to yaml, `0189` is text to Psych
 * and 189 to yaml, `1.0` is the Float Ruby writes "1.0", and `off` is false.
 */

/** A value as Rails hands it on: text where Ruby's `to_s` of the value differs from JS's. */
export type PsychValue = string | number | boolean | null;

/** Psych's test for text: a letter or symbol first (a sign, digit, dot or colon is no text). */
const TEXT = /^[^0-9.:-]?[\p{Alphabetic}_ \t\r\n\f\v!@#$%^&*(){}<>|/\\~;=]+/u;
const TIME = pattern(
  String.raw`^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?`,
  String.raw`(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$`,
);
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}\.[0-9_]*$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?$/;
/** Psych's INTEGER_LEGACY (its default): commas and underscores between digits. */
const INTEGER = pattern(
  '^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)',
  '|[-+]?0x[0-9a-fA-F_,]+)$',
);

function pattern(...parts: string[]): RegExp {
  return new RegExp(parts.join(''));
}

/**
 * Psych::ScalarScanner#tokenize of an untagged plain scalar, as Rails then reads it: booleans,
 * nil, integers (octal, binary, hex, base 60) and symbols; a Float as the text Ruby writes.
 * Undefined for a date or a time, which yaml reads as the same text. Each pattern is anchored
 * and free of nested quantifiers: linear in the value's length.
 */
export function psychPlainScalar(text: string): PsychValue | undefined {
  if (text === '') return null;
  if (TEXT.test(text) || text.includes('\n')) return wordValue(text);
  if (TIME.test(text) || DATE.test(text)) return undefined;
  if (/^\+?\.inf$/i.test(text)) return 'Infinity';
  if (/^-\.inf$/i.test(text)) return '-Infinity';
  if (/^\.nan$/i.test(text)) return 'NaN';
  if (/^:./.test(text)) {
    const quoted = /^:(["'])(.*)\1/.exec(text);
    return quoted ? quoted[2].replace(/^:/, '') : text.slice(1);
  }
  if (SEXAGESIMAL.test(text)) return baseSixty(text, (part) => parseInt(part, 10));
  if (SEXAGESIMAL_FLOAT.test(text)) return rubyFloat(baseSixty(text, parseFloat));
  if (FLOAT.test(text)) {
    if (/^[-+]?\.$/.test(text)) return text;
    return rubyFloat(Number(text.replace(/[,_]/g, '').replace(/\.([Ee]|$)/, '$1')));
  }
  if (INTEGER.test(text)) return integer(text.replace(/[,_]/g, ''));
  return text;
}

/** Text that may be a word Psych reads as nil or a boolean (five letters at most). */
function wordValue(text: string): PsychValue {
  if (text.length > 5 || /^[^ytonf~]/i.test(text)) return text;
  if (text === '~' || /^null$/i.test(text)) return null;
  if (/^(?:yes|true|on)$/i.test(text)) return true;
  if (/^(?:no|false|off)$/i.test(text)) return false;
  return text;
}

/**
 * Psych's base 60, parts weighed by 60 to the distance of their place from the third:
 * `1:30` is 1·3600 + 30·60, as Psych reads it (not 90).
 */
function baseSixty(text: string, read: (part: string) => number): number {
  let sum = 0;
  text.split(':').forEach((part, place) => {
    const value = read(part.replace(/_/g, '')) || 0;
    sum += value * 60 ** Math.abs(place - 2);
  });
  return sum;
}

/** Ruby's Integer() of a literal Psych matched: `0b`, `0x`, a leading 0 for octal. */
function integer(literal: string): number | string {
  const negative = literal.startsWith('-');
  const digits = literal.replace(/^[-+]/, '');
  let value: bigint;
  if (/^0b/i.test(digits)) value = BigInt(digits);
  else if (/^0x/i.test(digits)) value = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (negative) value = -value;
  const number = Number(value);
  // Past 2^53 a number no longer holds every digit Ruby keeps.
  return Number.isSafeInteger(number) ? number : value.toString();
}

/** Float#to_s: `1.0`, `1.5`, `1.0e+20`, `1.5e-05`; plain from 0.0001 up to 10^16. */
function rubyFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e16 || size < 1e-4)) {
    const [mantissa, exponent] = value.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${sign}${digits}`;
  }
  const text = Object.is(value, -0) ? '-0' : String(value);
  return text.includes('.') ? text : `${text}.0`;
}
