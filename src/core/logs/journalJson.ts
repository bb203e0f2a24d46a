/**
 * `journalctl -o json`: one JSON object per journal entry, its fields as strings, the cursor
 * first (`{"__CURSOR":"s=...","__REALTIME_TIMESTAMP":"1796378400123456",...,"MESSAGE":"..."}`).
 * The message is the line the service wrote; journalctl writes it as an array of its bytes when
 * it is not printable text, and as null when it is longer than it shows without --all. A field
 * the entry has several times is an array of its values, each a string or an array of bytes:
 * its first value is read, as the line a log of one line per entry stands for.
 */

import { parseJsonRecord } from '../util/isRecord';

export const JOURNAL_JSON_START = '{"__CURSOR":';

export interface JournalEntry {
  text: string;
  /** ISO 8601 in UTC. */
  time: string | undefined;
  pid: string | undefined;
}

/** The longest message decoded from bytes; a line is read to about this length anyway. */
const MAX_BYTES = 288 * 1024;

/** The entry `raw`, or undefined when it is not one of journalctl's JSON entries. */
export function readJournalJson(raw: string): JournalEntry | undefined {
  const fields = parseJsonRecord(raw);
  if (!fields) return undefined;
  const text = messageText(fields.MESSAGE);
  if (text === undefined) return undefined;
  const micros = fields.__REALTIME_TIMESTAMP;
  const ms = typeof micros === 'string' && /^\d{1,17}$/.test(micros) ? Number(micros) / 1000 : NaN;
  const date = new Date(Math.floor(ms));
  const time = Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  const pidField = Array.isArray(fields._PID) ? (fields._PID as unknown[])[0] : fields._PID;
  const pid = typeof pidField === 'string' && /^\d{1,10}$/.test(pidField) ? pidField : undefined;
  return { text, time, pid };
}

/** The text of a MESSAGE: a string, an array of bytes, or the first of several of those. */
function messageText(message: unknown): string | undefined {
  if (!Array.isArray(message) || message.length === 0 || typeof message[0] === 'number') {
    return valueText(message);
  }
  for (const value of message as unknown[]) {
    const text = valueText(value);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** One value of a field: a string, or an array of bytes read as UTF-8. */
function valueText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (!Array.isArray(message) || (message.length > 0 && typeof message[0] !== 'number')) {
    return undefined;
  }
  const bytes = Buffer.alloc(Math.min(message.length, MAX_BYTES));
  for (let i = 0; i < bytes.length; i++) {
    const byte: unknown = message[i];
    bytes[i] = typeof byte === 'number' && byte >= 0 && byte <= 255 ? byte : 0x3f;
  }
  // A line break or tab the service wrote at the end is no part of the message. Found by hand:
  // a regular expression anchored at the end tries again from every byte of a long run of them.
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 9 || bytes[end - 1] === 10 || bytes[end - 1] === 13)) {
    end--;
  }
  return bytes.toString('utf8', 0, end);
}
