/**
 * Reads one log line of any shape a Rails app writes (Rails 2 to 8, Logger::Formatter, tags,
 * syslog, docker-compose and foreman prefixes, lograge key=value and JSON) into a flat event.
 * Every regular expression here is anchored and free of nested quantifiers, so a hostile line
 * costs time linear in its length.
 */
import { isIP } from 'node:net';
import { isRecord } from '../util/isRecord';
import { headAndTail } from '../util/printable';
import { appFrame } from './appFrame';
import { ContainerRecords, DOCKER_RECORD_START, type LineStart } from './containerRecords';
import { JOURNAL_JSON_START, readJournalJson } from './journalJson';
import { readRubyHash } from './rubyHash';
import { parseIsoLike, parseRubyTime, parseSyslogTime, type ZoneClock } from './timestamps';

export type LineKind =
  | 'started'
  | 'processing'
  | 'completed'
  | 'request' // a whole request in one line (lograge)
  | 'parameters'
  | 'sql'
  | 'sqlSource'
  | 'exception'
  | 'frame'
  | 'failedLogin'
  | 'errorPage' // Rails 2: `Rendering .../public/500.html (500 Internal Server Error)`
  | 'redirect' // `Redirected to URL`, in `url`
  | 'blank'
  | 'other';

export const LEVEL_UNKNOWN = 0;
export const LEVEL_DEBUG = 1;
export const LEVEL_INFO = 2;
export const LEVEL_WARN = 3;
export const LEVEL_ERROR = 4;
export const LEVEL_FATAL = 5;

export interface ParsedLine {
  kind: LineKind;
  /** Epoch ms; NaN when the line carries no time. */
  time: number;
  timeExplicit: boolean;
  level: number;
  pid?: string;
  requestId?: string;
  /** Tagged `[ActiveJob]`: a background job, not a request. */
  job: boolean;
  body: string;
  method?: string;
  path?: string;
  ip?: string;
  action?: string;
  /** `Processing by ... as JSON`: the request's format (`HTML`, `JSON`, `TURBO_STREAM`). */
  format?: string;
  status?: number;
  durationMs?: number;
  viewMs?: number;
  dbMs?: number;
  /** Rails 2 `Completed ... [url]`. */
  url?: string;
  /** When a `Started`/`Processing` line carries its own time (with or without offset). */
  requestTime?: number;
  requestTimeExplicit?: boolean;
  sqlName?: string;
  sql?: string;
  cached?: boolean;
  source?: string;
  exceptionClass?: string;
  exceptionMessage?: string;
  params?: string;
}

const LEVELS: Record<string, number> = {
  DEBUG: LEVEL_DEBUG,
  INFO: LEVEL_INFO,
  WARN: LEVEL_WARN,
  WARNING: LEVEL_WARN,
  ERROR: LEVEL_ERROR,
  FATAL: LEVEL_FATAL,
  UNKNOWN: LEVEL_ERROR,
  ANY: LEVEL_ERROR,
  debug: LEVEL_DEBUG,
  info: LEVEL_INFO,
  warn: LEVEL_WARN,
  error: LEVEL_ERROR,
  fatal: LEVEL_FATAL,
};

/** Logger::Formatter's first letter is the level: `I, [...]  INFO -- :`. */
export const LEVEL_BY_LETTER: Record<number, number> = {
  68: LEVEL_DEBUG,
  73: LEVEL_INFO,
  87: LEVEL_WARN,
  69: LEVEL_ERROR,
  70: LEVEL_FATAL,
  65: LEVEL_ERROR,
  85: LEVEL_ERROR,
};

/** A regular expression from parts, so that a long pattern wraps. */
function pattern(...parts: string[]): RegExp {
  return new RegExp(parts.join(''));
}

// Envelopes, outermost first.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * Colours go; any other control character becomes U+FFFD, so that no escape sequence from a log
 * (an OSC title or clipboard write) reaches a terminal through a report, and no line break a
 * JSON string decodes starts a line of its own there.
 */
function withoutControls(text: string): string {
  return CONTROL.test(text) ? text.replace(ANSI, '').replace(CONTROLS, '\uFFFD') : text;
}

const COMPOSE_PREFIX = /^(?:\d\d:\d\d:\d\d )?([A-Za-z0-9_.-]{1,64}) {0,32}\| ?/;
/** `kubectl logs --prefix`: `[pod/web-7d9f8c6b5-x2k4q/web] ` names the pod and container. */
const KUBECTL_PREFIX = /^\[(pod\/[a-z0-9.-]{1,253}\/[a-z0-9-]{1,63})\] /;
/** `host tag[pid]: ` after a syslog or journal time; the pid is the last group. */
const SYSLOG_SOURCE = String.raw`[^\s]{1,255} [^\s[:]{1,64}(?:\[(\d{1,10})\])?: ?`;
const SYSLOG_3164 =
  // <priority>Mon  d hh:mm:ss host tag[pid]:, and journalctl's short-precise (hh:mm:ss.micros)
  pattern(
    String.raw`^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) `,
    SYSLOG_SOURCE,
  );
/** `journalctl -o short-full`: `Fri 2026-12-04 10:00:00 UTC host tag[pid]: `. */
const JOURNAL_FULL = pattern(
  String.raw`^[A-Z][a-z]{2} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?`,
  String.raw`(?: [+-]\d\d:?\d\d| [A-Za-z][A-Za-z0-9/_+-]{0,40})?) `,
  SYSLOG_SOURCE,
);
/** `journalctl -o short-unix`: seconds since 1970, `1796378400.123456 host tag[pid]: `. */
const JOURNAL_UNIX = pattern(String.raw`^(\d{10}(?:\.\d{1,9})?) `, SYSLOG_SOURCE);
/**
 * RFC 5424. Structured data is `-` or `[id param="v"]`, and Heroku's drains leave it out, so a
 * bracket without a space, `@` or `=` is the message's first tag (a request id), not data.
 */
const SYSLOG_5424 = pattern(
  String.raw`^<\d{1,3}>\d{1,2} (\S{1,64}) \S{1,255} \S{1,64} (\S{1,32}) \S{1,64} `,
  String.raw`(?:(?:-|\[[^\] ]{1,64}[ @=][^\]]{0,2000}\]) ?)?`,
);
/** `heroku logs`: `2026-12-04T10:00:00.123456+00:00 app[web.1]: ` after the time. */
const HEROKU_SOURCE = /^[a-z][a-z0-9_-]{0,30}\[([A-Za-z0-9_.-]{1,40})\]: ?/;
const SYSLOG_ISO = /^(\d{4}-\d\d-\d\dT\S{8,40}) [^\s]{1,255} [^\s[:]{1,64}\[(\d{1,10})\]: ?/;
const ISO_PREFIX = pattern(
  String.raw`^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d`,
  String.raw`(?:[.,]\d{1,9})?(?: ?(?:Z|UTC|[+-]\d\d:?\d\d))?)\]? `,
  String.raw`(?:\[?(DEBUG|INFO|WARN|ERROR|FATAL)\]? {1,4})?(?:-- : )?`,
);

// Rails request lines.
const STARTED = /^Started ([A-Z]{1,16}) "(.*)" for (\S{1,100}) at (\S.{0,60})$/;
/** A `Started` line cut short (a truncated last line, an excerpt): keep what is there. */
const STARTED_CUT = /^Started ([A-Z]{1,16}) "([^"]{0,4000})/;
const PROCESSING_BY = /^Processing by (\S{1,300}) as (\S{1,60})/;
const PROCESSING_RAILS2 = pattern(
  String.raw`^Processing (\S{1,300}) \(for (\S{1,100}) `,
  String.raw`at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\)(?: \[([A-Z]{1,16})\])?`,
);
const COMPLETED =
  /^Completed(?: (\d{3}))?[^(]{0,80}? in (\d{1,12}(?:\.\d{1,6})?)ms(?: \((.{0,2000})\))?/;
const COMPLETED_RAILS2 = /^Completed in (\d{1,12}(?:\.\d{1,9})?)(ms)?/;
const RAILS2_STATUS = /\| (\d{3})\b/;
const VIEW_MS = /(?:Views|View|Rendering): (\d{1,12}(?:\.\d{1,9})?)/;
const DB_MS = /(?:ActiveRecord|DB): (\d{1,12}(?:\.\d{1,9})?)/;
const SQL =
  /^(CACHE )?([A-Z][\w:]{0,200}(?: [\w:?]{1,100}){0,3}) \((\d{1,12}(?:\.\d{1,6})?)ms\) {1,2}(.*)$/;
const SQL_KEYWORD = pattern(
  '^(?:SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|',
  'EXPLAIN|TRUNCATE|CREATE|ALTER|DROP|begin|commit|rollback|select|insert|update|delete)',
  String.raw`\b`,
);
const EXCEPTION = /^([A-Z][A-Za-z0-9_]{0,100}(?:::[A-Z][A-Za-z0-9_]{0,100}){0,10}) \((.*)$/;
/** Longest line parsed; the reader keeps lines to about this size. */
const MAX_LINE = 288 * 1024;
/** Longest piece of a line any regular expression here looks at. */
const MAX_MATCH = 16 * 1024;
/** Longest redirect URL kept. */
export const MAX_URL = 2000;
/**
 * Characters kept of a `Parameters:` hash: its head and its tail, so that an attack after a
 * padded field is still looked at, and a request's parameters stay bounded.
 */
const PARAMS_HEAD = 4096;
const PARAMS_TAIL = 4096;
export const MAX_PARAMS = PARAMS_HEAD + PARAMS_TAIL;

/** A `Parameters:` hash as kept: whole up to MAX_PARAMS, else its head and tail, a NUL between. */
export function keptParams(params: string): string {
  return headAndTail(params, PARAMS_HEAD, PARAMS_TAIL, PARSER_CUT);
}

/**
 * Characters kept of a path from a `Started` line past MAX_MATCH: 8 KB of its head and of its
 * tail, as the suspicious-request check reads a long one, so padding hides no attack at its end.
 */
const PATH_HEAD = 8192;
const PATH_TAIL = 8192;

/** What joins the head and the tail of a long path or `Parameters:` hash the parser kept. */
const PARSER_CUT = '\0';

/**
 * Clears `line` for the next line (or makes the first one): one object for every line with
 * every field always present, so a stable shape and no garbage.
 */
export function resetLine(reused: ParsedLine | undefined, body: string): ParsedLine {
  if (!reused) {
    return {
      kind: 'other',
      time: NaN,
      timeExplicit: false,
      level: LEVEL_UNKNOWN,
      pid: undefined,
      requestId: undefined,
      job: false,
      body,
      method: undefined,
      path: undefined,
      ip: undefined,
      action: undefined,
      format: undefined,
      status: undefined,
      durationMs: undefined,
      viewMs: undefined,
      dbMs: undefined,
      url: undefined,
      requestTime: undefined,
      requestTimeExplicit: undefined,
      sqlName: undefined,
      sql: undefined,
      cached: undefined,
      source: undefined,
      exceptionClass: undefined,
      exceptionMessage: undefined,
      params: undefined,
    };
  }
  const line = reused;
  line.kind = 'other';
  line.time = NaN;
  line.timeExplicit = false;
  line.level = LEVEL_UNKNOWN;
  line.pid = undefined;
  line.requestId = undefined;
  line.job = false;
  line.body = body;
  line.method = undefined;
  line.path = undefined;
  line.ip = undefined;
  line.action = undefined;
  line.format = undefined;
  line.status = undefined;
  line.durationMs = undefined;
  line.viewMs = undefined;
  line.dbMs = undefined;
  line.url = undefined;
  line.requestTime = undefined;
  line.requestTimeExplicit = undefined;
  line.sqlName = undefined;
  line.sql = undefined;
  line.cached = undefined;
  line.source = undefined;
  line.exceptionClass = undefined;
  line.exceptionMessage = undefined;
  line.params = undefined;
  return line;
}

export class LineParser {
  private readonly line: ParsedLine = resetLine(undefined, '');
  private lastTag = '';
  private lastPid = '';
  /**
   * The process a docker compose, foreman, overmind or `kubectl logs --prefix` prefix names, on
   * this line and the last.
   */
  private stream: string | undefined;
  private lastStream: string | undefined;
  private readonly records = new ContainerRecords(MAX_LINE - 16_384, 16_384);
  /**
   * The record just parsed is a piece of a line a container runtime split (over 16 KB):
   * its line is read with the record that ends it, so this one is not a line of its own.
   */
  piece = false;
  /** Where the line just parsed began, when a container runtime split it over records. */
  splitStart: LineStart | undefined;

  constructor(
    private readonly zone: ZoneClock,
    private readonly now: Date,
  ) {}

  /** Whether a line a runtime split waits for its last piece: no line may begin before it. */
  get insideSplit(): boolean {
    return this.records.splitOpen;
  }

  /**
   * A line read without this parser (the fast lane took it): it names no process, so the next
   * line is read as after one that names none, as if this parser had read it.
   */
  passLine(): void {
    this.lastStream = undefined;
  }

  /** Forgets the pieces of split lines: the next line read does not follow the last one. */
  forgetSplits(): void {
    this.records.forget();
  }

  /**
   * Parses one line, at `lineNumber` and `offset` in its file. The result is reused by the next
   * call: copy what you keep.
   */
  parse(input: string, lineNumber = 0, offset = 0): ParsedLine {
    this.piece = false;
    this.splitStart = undefined;
    // A byte order mark (a file an editor or PowerShell saved, or files joined with cat) is no
    // part of the line: left on, it hid the line's time and request.
    const raw = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    let source = raw;
    let wrapperTime: string | undefined;
    let wrapperPid: string | undefined;
    const first = raw.charCodeAt(0);
    const record =
      first === 123 /* { */ && raw.startsWith(DOCKER_RECORD_START)
        ? this.records.readDocker(raw, lineNumber, offset)
        : first >= 48 && first <= 57 && raw[10] === 'T' && raw[4] === '-'
          ? this.records.readCri(raw, lineNumber, offset)
          : undefined;
    if (record?.kind === 'piece') {
      this.piece = true;
      const piece = resetLine(this.line, '');
      piece.kind = 'blank';
      this.setTime(piece, record.time);
      return piece;
    }
    if (record) {
      source = record.text;
      wrapperTime = record.time;
      this.splitStart = record.at;
    } else if (first === 123 && raw.startsWith(JOURNAL_JSON_START)) {
      const entry = readJournalJson(raw);
      if (entry) {
        source = entry.text;
        wrapperTime = entry.time;
        wrapperPid = entry.pid;
      }
    }
    // The reader bounds lines; keep the head and tail here too for callers that do not.
    let text =
      source.length > MAX_LINE
        ? `${source.slice(0, MAX_LINE - 16_384)} … ${source.slice(-16_384)}`
        : source;
    text = withoutControls(text);

    const line = resetLine(this.line, text);
    // The runtime's time, with its zone, wins over a Logger's without one, as `docker logs -t`
    // does.
    if (wrapperTime !== undefined) this.setTime(line, wrapperTime);
    if (wrapperPid !== undefined) line.pid = wrapperPid;
    this.stream = undefined;
    text = this.stripEnvelopes(text, line);
    this.readMessage(text, line);
    if (this.stream !== undefined) this.byProcess(line, this.stream);
    this.lastStream = this.stream;
    return line;
  }

  private readMessage(input: string, line: ParsedLine): void {
    let text = input;
    // Semantic Logger's text format: a time, then `I [pid:thread]`.
    const semantic = line.level === LEVEL_UNKNOWN && !Number.isNaN(line.time) && text[2] === '[';
    if (semantic && parseSemanticText(text, line, this.zone)) return;
    if (text.charCodeAt(0) === 123 /* { */) {
      parseJsonLine(text, line, this.zone);
      if (line.kind !== 'other' || line.body !== text) return;
    }
    text = this.stripTags(text, line);
    line.body = text;
    classifyBody(text, line, this.zone);
  }

  /**
   * Several processes in one output (`docker compose up --scale web=2`, `foreman start` with
   * web.1 and web.2 or a worker, the pods of `kubectl logs -l app=web --prefix`): lines without
   * a request id are grouped by the process the prefix names as well as by the pid the line
   * carries, which is 1 in every container. A line with neither time nor pid that follows a
   * line of the same process is left without one: it continues that line (a backtrace, a
   * message over several lines).
   */
  private byProcess(line: ParsedLine, stream: string): void {
    if (line.pid !== undefined) {
      line.pid = `${stream} ${line.pid}`;
      return;
    }
    const bare = line.kind === 'other' || line.kind === 'blank' || line.kind === 'frame';
    if (!bare || !Number.isNaN(line.time) || stream !== this.lastStream) line.pid = stream;
  }

  private stripEnvelopes(input: string, line: ParsedLine): string {
    let text = input;
    // Searched backwards from 100 so a long line without a bar costs nothing.
    const kubectl = text.startsWith('[pod/') ? KUBECTL_PREFIX.exec(text) : null;
    if (kubectl) {
      this.stream = kubectl[1];
      text = text.slice(kubectl[0].length);
    }
    const bar = text.lastIndexOf('|', 100);
    if (bar > 0) {
      const prefix = COMPOSE_PREFIX.exec(text);
      if (prefix && !text.startsWith('Completed')) {
        this.stream = prefix[1];
        text = text.slice(prefix[0].length);
      }
    }

    const first = text.charCodeAt(0);
    if (
      first === 60 /* < */ ||
      (first >= 65 && first <= 90 && text[3] === ' ' && text[1] !== ',')
    ) {
      const rfc5424 = first === 60 ? SYSLOG_5424.exec(text) : null;
      const digit4 = text.charCodeAt(4) >= 48 && text.charCodeAt(4) <= 57;
      const full = first !== 60 && digit4 ? JOURNAL_FULL.exec(text) : null;
      if (rfc5424) {
        this.setTime(line, rfc5424[1]);
        if (rfc5424[2] !== '-') line.pid = rfc5424[2];
        text = text.slice(rfc5424[0].length);
      } else if (full) {
        // A zone by name other than UTC (CET, Europe/Berlin) is read in the configured zone.
        this.setTime(line, full[1]);
        if (full[2]) line.pid = full[2];
        text = text.slice(full[0].length);
      } else {
        const bsd = SYSLOG_3164.exec(text);
        if (bsd) {
          const parsed = parseSyslogTime(bsd[1], bsd[2], bsd[3], this.zone, this.now);
          if (parsed) {
            line.time = parsed.epoch;
            line.timeExplicit = parsed.explicit;
          }
          if (bsd[4]) line.pid = bsd[4];
          text = text.slice(bsd[0].length);
        }
      }
    } else if (first >= 48 && first <= 57 && text[4] === '-' && text[10] === 'T') {
      const iso = SYSLOG_ISO.exec(text);
      if (iso) {
        this.setTime(line, iso[1]);
        line.pid = iso[2];
        text = text.slice(iso[0].length);
      }
    } else if (first >= 49 && first <= 57 && (text[10] === '.' || text[10] === ' ')) {
      const unix = JOURNAL_UNIX.exec(text);
      const epoch = unix ? Math.round(Number(unix[1]) * 1000) : NaN;
      if (unix && Number.isFinite(epoch)) {
        line.time = epoch;
        line.timeExplicit = true;
        if (unix[2]) line.pid = unix[2];
        text = text.slice(unix[0].length);
      }
    }

    if (text[1] === ',' && text[2] === ' ' && text[3] === '[') {
      const body = this.loggerFormatter(text, line);
      if (body !== undefined) return body;
    }
    const c = text.charCodeAt(0);
    if (
      (c >= 48 && c <= 57) ||
      (c === 91 && text.charCodeAt(1) >= 48 && text.charCodeAt(1) <= 57)
    ) {
      const iso = ISO_PREFIX.exec(text);
      if (iso) {
        this.setTime(line, iso[1]);
        if (iso[2]) line.level = LEVELS[iso[2]] ?? LEVEL_UNKNOWN;
        text = text.slice(iso[0].length);
        const heroku = text.charCodeAt(0) >= 97 ? HEROKU_SOURCE.exec(text) : null;
        if (heroku) {
          line.pid = heroku[1];
          text = text.slice(heroku[0].length);
        }
        // `docker logs --timestamps` (and Kamal's app logs) before a Logger::Formatter line.
        if (text[1] === ',' && text[2] === ' ' && text[3] === '[') {
          const body = this.loggerFormatter(text, line);
          if (body !== undefined) return body;
        }
      }
    }
    return text;
  }

  /**
   * `I, [2021-11-26T00:04:44.292577 #22988]  INFO -- progname: message`, read by hand: it is
   * the prefix of almost every production line, so it is worth not running a regex on it.
   */
  private loggerFormatter(text: string, line: ParsedLine): string | undefined {
    const close = text.indexOf(']', 4);
    if (close < 0 || close > 64) return undefined;
    const hash = text.lastIndexOf(' #', close);
    if (hash < 4) return undefined;
    let levelStart = close + 1;
    while (text.charCodeAt(levelStart) === 32) levelStart++;
    const dashes = text.indexOf(' -- ', levelStart);
    if (dashes < 0 || dashes - levelStart > 7) return undefined;
    const colon = text.indexOf(':', dashes + 4);
    if (colon < 0 || colon - dashes > 104) return undefined;

    // A wrapper's time with an offset (syslog, docker) says more than the Logger's without.
    const parsed = line.timeExplicit ? undefined : parseIsoLike(text, this.zone, 4);
    if (parsed) {
      line.time = parsed.epoch;
      line.timeExplicit = parsed.explicit;
    }
    let pidEnd = hash + 2;
    while (pidEnd < close && text.charCodeAt(pidEnd) >= 48 && text.charCodeAt(pidEnd) <= 57) {
      pidEnd++;
    }
    // Reuse the previous pid string when it repeats: no allocation, a cached hash for maps.
    const lastPid = this.lastPid;
    if (pidEnd - hash - 2 === lastPid.length && text.startsWith(lastPid, hash + 2)) {
      line.pid = lastPid;
    } else {
      line.pid = this.lastPid = text.slice(hash + 2, pidEnd);
    }
    line.level = LEVEL_BY_LETTER[text.charCodeAt(0)] ?? LEVEL_UNKNOWN;
    return text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
  }

  private setTime(line: ParsedLine, text: string): void {
    const parsed = parseIsoLike(text, this.zone);
    if (!parsed) return;
    line.time = parsed.epoch;
    line.timeExplicit = parsed.explicit;
  }

  /** Tags, reusing the previous line's request id string when it repeats (cheaper map keys). */
  private stripTags(input: string, line: ParsedLine): string {
    const last = this.lastTag;
    if (
      last &&
      input.charCodeAt(0) === 91 &&
      input.charCodeAt(last.length + 1) === 93 &&
      input.startsWith(last, 1)
    ) {
      const after = input.charCodeAt(last.length + 2);
      if (Number.isNaN(after) || after === 32) {
        line.requestId = last;
        return stripTags(input.slice(last.length + 3), line, 1);
      }
    }
    const text = stripTags(input, line);
    if (line.requestId) this.lastTag = line.requestId;
    return text;
  }
}

/** `[tag] [tag] message`: the first id-like tag is the request id (Rails' `log_tags`). */
function stripTags(input: string, line: ParsedLine, tagsBefore = 0): string {
  let text = input;
  for (let n = tagsBefore; n < 8 && text.charCodeAt(0) === 91 /* [ */; n++) {
    const close = text.indexOf(']', 1);
    if (close < 0 || close > 200) break;
    const after = text.charCodeAt(close + 1);
    if (!(Number.isNaN(after) || after === 32)) break;
    const tag = text.slice(1, close);
    if (n === 0 && tag === 'ActiveJob') line.job = true;
    if (!line.requestId && !line.job && looksLikeRequestId(tag)) line.requestId = tag;
    text = text.slice(close + 2);
  }
  return text;
}

/** UUIDs and long opaque tokens, as Rails, Heroku and nginx make them; not IPs or words. */
export function looksLikeRequestId(tag: string): boolean {
  if (tag.length < 8 || tag.length > 128) return false;
  let digitsSeen = false;
  let hexOnly = true;
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    const isDigit = c >= 48 && c <= 57;
    const isHex = isDigit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    const isWord = isHex || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 45;
    if (!isWord) return false;
    if (isDigit) digitsSeen = true;
    if (!isHex && c !== 45) hexOnly = false;
  }
  if (!digitsSeen) return false;
  return hexOnly ? tag.length >= 16 : tag.length >= 20;
}

function classifyBody(input: string, line: ParsedLine, zone: ZoneClock): void {
  let start = 0;
  while (input.charCodeAt(start) === 32 || input.charCodeAt(start) === 9) start++;
  if (start === input.length) {
    line.kind = 'blank';
    return;
  }
  const text = start ? input.slice(start) : input;
  const head = text.length > MAX_MATCH ? text.slice(0, MAX_MATCH) : text;

  switch (text.charCodeAt(0)) {
    case 83 /* S */:
      if (text.startsWith('Started ')) {
        // The whole line, read by hand in one pass: a path over MAX_MATCH keeps its tail, and the
        // address and time after it.
        if (parseStartedFast(text, line, zone)) {
          if (line.path !== undefined) {
            line.path = headAndTail(line.path, PATH_HEAD, PATH_TAIL, PARSER_CUT);
          }
          return;
        }
        const m = STARTED.exec(head);
        if (m) {
          line.kind = 'started';
          line.method = m[1];
          line.path = m[2];
          line.ip = m[3];
          setRequestTime(line, m[4], zone);
          return;
        }
        const cut = STARTED_CUT.exec(head);
        if (cut) {
          line.kind = 'started';
          line.method = cut[1];
          line.path = cut[2];
          return;
        }
      }
      break;
    case 80 /* P */:
      if (text.startsWith('Processing by ')) {
        const m = PROCESSING_BY.exec(head);
        if (m) {
          line.kind = 'processing';
          line.action = m[1];
          line.format = m[2];
          return;
        }
      } else if (text.startsWith('Processing ')) {
        const m = PROCESSING_RAILS2.exec(head);
        if (m) {
          line.kind = 'started';
          line.action = m[1];
          line.ip = m[2];
          line.method = m[4];
          setRequestTime(line, m[3], zone);
          return;
        }
      } else if (text.startsWith('Parameters: ')) {
        line.kind = 'parameters';
        line.params = keptParams(text.slice(12));
        return;
      }
      break;
    case 67 /* C */:
      if (text.startsWith('Completed ')) {
        if (parseCompleted(head, line)) return;
      } else if (text.startsWith('CACHE ')) {
        if (parseSql(head, line)) return;
      }
      break;
    case 82 /* R */:
      if (text.startsWith('Rendering ') && text.endsWith(')') && parseErrorPage(head, line)) {
        return;
      }
      if (text.startsWith('Redirected to ')) {
        // Where a sign-in sent the user: back to the form is a failed login (Rails 8).
        line.kind = 'redirect';
        line.url = head.slice(14, 14 + MAX_URL);
        return;
      }
      // The most common lines of a production log say nothing the summary needs.
      if (text.startsWith('Render')) return;
      break;
    case 0x21b3 /* ↳ */:
      line.kind = 'sqlSource';
      line.source = head.slice(1).trim().slice(0, 500);
      return;
  }

  const first = text.charCodeAt(0);
  if (first >= 65 && first <= 90) {
    if (head.includes('ms) ') && parseSql(head, line)) return;
    if (parseException(head, line)) return;
  } else if ((first >= 97 && first <= 122) || first === 47 /* / */) {
    const frame = appFrame(head);
    if (frame) {
      line.kind = 'frame';
      line.source = frame;
      return;
    }
    if (first !== 47 && head.includes('status=') && head.includes('method=')) {
      if (parseKeyValue(head, line, zone)) return;
    }
  }
  if (head.includes('ogin') && (head.includes('ailed login') || head.includes('ogin failed'))) {
    line.kind = 'failedLogin';
    // The formats write the address last, after the user name: a name typed as
    // `x from 198.51.100.7` comes before the real ` from `, and blames no one.
    const from = head.lastIndexOf(' from ');
    line.ip = (from >= 0 ? firstAddress(head, from + 6) : undefined) ?? firstAddress(head, 0);
  }
}

/** Longest word tried as an address: a full IPv6 with an IPv4 tail, brackets and a port. */
const MAX_ADDRESS_WORD = 64;

/** What ends a word that may hold an address: `ip=…`, `"::1"`, `(…)`, `…;`. */
const ADDRESS_SEPARATORS = ' \t"\'(),;<=>';

/**
 * The first IPv4 or IPv6 address among the words of `text` from `from`, as written, read by
 * hand (words are cut at spaces and punctuation and tried whole, so the cost is linear).
 */
function firstAddress(text: string, from: number): string | undefined {
  const n = text.length;
  let i = from;
  while (i < n) {
    while (i < n && ADDRESS_SEPARATORS.includes(text[i])) i++;
    let end = i;
    while (end < n && !ADDRESS_SEPARATORS.includes(text[end])) end++;
    if (end - i <= MAX_ADDRESS_WORD) {
      const address = addressIn(text.slice(i, end));
      if (address) return address;
    }
    i = end;
  }
  return undefined;
}

/**
 * The address a word is: `2001:db8::1`, `[2001:db8::1]:443`, `203.0.113.5:51234`, or either
 * with a full stop or colon after it; not `::` (no client has it) and nothing else.
 */
function addressIn(word: string): string | undefined {
  if (word.startsWith('[')) {
    const inside = word.slice(1, Math.max(word.indexOf(']'), 1));
    return isIP(inside) === 6 ? ipv6(inside) : undefined;
  }
  let text = word;
  if ((text.endsWith('.') || text.endsWith(':')) && isIP(text) === 0) text = text.slice(0, -1);
  const version = isIP(text);
  if (version === 6) return ipv6(text);
  if (version === 4) return text;
  // An IPv4 address and a port.
  const colon = text.indexOf(':');
  if (colon > 6 && colon === text.lastIndexOf(':') && isIP(text.slice(0, colon)) === 4) {
    return text.slice(0, colon);
  }
  return undefined;
}

function ipv6(address: string): string | undefined {
  return address === '::' ? undefined : address;
}

const ERROR_PAGE = /^Rendering \S{1,2000} \((\d{3}) [A-Z][A-Za-z' -]{0,40}\)$/;
const RESCUE_PAGE = /^Rendering rescues\/layout \(([a-z_]{1,40})\)$/;
/**
 * The statuses Rails 2 names in `Rendering rescues/layout (not_found)`; a Map, so that a name
 * such as `constructor` finds nothing.
 */
const RESCUE_STATUSES = new Map<string, number>([
  ['bad_request', 400],
  ['not_found', 404],
  ['method_not_allowed', 405],
  ['conflict', 409],
  ['unprocessable_entity', 422],
  ['internal_server_error', 500],
  ['not_implemented', 501],
]);

/**
 * Rails 2 logs no `Completed` line for a request that raised: the page it rendered instead
 * (`public/500.html` in production, `rescues/layout` in development) carries the status.
 */
function parseErrorPage(text: string, line: ParsedLine): boolean {
  const page = ERROR_PAGE.exec(text);
  const rescue = page ? undefined : RESCUE_PAGE.exec(text);
  const status = page ? Number(page[1]) : rescue ? RESCUE_STATUSES.get(rescue[1]) : undefined;
  if (status === undefined || status < 100 || status > 599) return false;
  line.kind = 'errorPage';
  line.status = status;
  return true;
}

const NO_ROUTE = pattern(
  String.raw`^No route matches (?:\[([A-Z]{1,16})\] )?"([^"]{0,2000})"?`,
  String.raw`(?: with \{:method=>:([a-z]{1,16})\})?`,
);

/**
 * The method and path a `RoutingError` names: `No route matches [GET] "/x"` (Rails 3.1 on),
 * `No route matches "/x" with {:method=>:get}` (Rails 2), `No route matches "/x"` (Rails 3.0).
 */
export function routingTarget(message: string): { method: string; path: string } | undefined {
  const m = NO_ROUTE.exec(message);
  if (!m) return undefined;
  return { method: m[1] ?? m[3]?.toUpperCase() ?? '', path: m[2] };
}

/** The request's start time from a `Started`/`Processing` line, when it parses. */
function setRequestTime(line: ParsedLine, time: string, zone: ZoneClock): void {
  const parsed = parseIsoLike(time, zone) ?? parseRubyTime(time);
  if (!parsed) return;
  line.requestTime = parsed.epoch;
  line.requestTimeExplicit = parsed.explicit;
}

/** `Started GET "/path" for 1.2.3.4 at 2026-12-04 10:00:00 +0000` read by hand, as above. */
function parseStartedFast(text: string, line: ParsedLine, zone: ZoneClock): boolean {
  const quote = text.indexOf(' "', 8);
  if (quote < 9 || quote > 24) return false;
  const forAt = text.lastIndexOf('" for ');
  if (forAt <= quote) return false;
  const atAt = text.indexOf(' at ', forAt + 6);
  if (atAt < 0 || atAt - forAt > 110 || text.indexOf(' ', forAt + 6) !== atAt) return false;
  const parsed = parseIsoLike(text, zone, atAt + 4);
  if (!parsed) return false;
  line.kind = 'started';
  line.method = text.slice(8, quote);
  line.path = text.slice(quote + 2, forAt);
  line.ip = text.slice(forAt + 6, atAt);
  line.requestTime = parsed.epoch;
  line.requestTimeExplicit = parsed.explicit;
  return true;
}

/**
 * The `[http://host/path]` that ends a Rails 2 `Completed` line. By hand: an unanchored
 * regular expression would retry at every `[` of a hostile line.
 */
function rails2Url(text: string): string | undefined {
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith(']')) return undefined;
  const open = trimmed.lastIndexOf('[');
  if (open < 0) return undefined;
  const url = trimmed.slice(open + 1, -1);
  return url && url.length <= 4000 && !/\s/.test(url) ? url : undefined;
}

function parseCompleted(text: string, line: ParsedLine): boolean {
  if (text.startsWith('Completed in ')) {
    const m = COMPLETED_RAILS2.exec(text);
    if (!m) return false;
    const value = Number(m[1]);
    line.kind = 'completed';
    line.durationMs = milliseconds(m[2] ? value : Math.round(value * 1_000_000) / 1000);
    const status = RAILS2_STATUS.exec(text);
    if (status) line.status = Number(status[1]);
    const url = rails2Url(text);
    if (url) line.url = url;
    const view = VIEW_MS.exec(text);
    const db = DB_MS.exec(text);
    const seconds = !m[2];
    const scale = seconds ? 1000 : 1;
    if (view) line.viewMs = milliseconds(Math.round(Number(view[1]) * scale * 1000) / 1000);
    if (db) line.dbMs = milliseconds(Math.round(Number(db[1]) * scale * 1000) / 1000);
    return true;
  }
  if (parseCompletedFast(text, line)) return true;
  const m = COMPLETED.exec(text);
  if (!m) return false;
  line.kind = 'completed';
  if (m[1]) line.status = Number(m[1]);
  line.durationMs = milliseconds(m[2]);
  if (m[3]) {
    const view = VIEW_MS.exec(m[3]);
    const db = DB_MS.exec(m[3]);
    if (view) line.viewMs = milliseconds(view[1]);
    if (db) line.dbMs = milliseconds(db[1]);
  }
  return true;
}

/** A decimal number at `at` (digits and one dot), or NaN; `numberEnd` is where it stopped. */
let numberEnd = 0;
function numberAt(text: string, at: number): number {
  let i = at;
  let value = 0;
  let scale = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (scale) {
        value += (c - 48) / scale;
        scale *= 10;
      } else {
        value = value * 10 + (c - 48);
      }
    } else if (c === 46 && !scale) {
      scale = 10;
    } else {
      break;
    }
  }
  numberEnd = i;
  return i === at ? NaN : Math.round(value * 1000) / 1000;
}

/**
 * `Completed 200 OK in 58ms (Views: 44.6ms | ActiveRecord: 0.0ms ...)` read by hand: one per
 * request, and the regular expression plus two more for the segments cost more than the rest
 * of the line. Anything unusual falls back to the regular expressions.
 */
function parseCompletedFast(text: string, line: ParsedLine): boolean {
  const status = numberAt(text, 10);
  if (numberEnd !== 13 || text.charCodeAt(13) !== 32) return false;
  const inAt = text.indexOf(' in ', 13);
  if (inAt < 0 || inAt > 100) return false;
  const duration = numberAt(text, inAt + 4);
  if (Number.isNaN(duration) || !text.startsWith('ms', numberEnd)) return false;
  line.kind = 'completed';
  line.status = status;
  line.durationMs = milliseconds(duration);
  const open = numberEnd + 2;
  if (text.charCodeAt(open) !== 32 || text.charCodeAt(open + 1) !== 40 /* ( */) return true;
  const views = text.indexOf('Views: ', open);
  if (views > 0) line.viewMs = milliseconds(numberAt(text, views + 7));
  const db = text.indexOf('ActiveRecord: ', open);
  if (db > 0) line.dbMs = milliseconds(numberAt(text, db + 14));
  return true;
}

function parseSql(text: string, line: ParsedLine): boolean {
  const m = SQL.exec(text);
  if (!m || !SQL_KEYWORD.test(m[4])) return false;
  line.kind = 'sql';
  line.cached = Boolean(m[1]) || m[2].startsWith('CACHE');
  line.sqlName = m[2];
  line.durationMs = Number(m[3]);
  line.sql = m[4];
  return true;
}

function parseException(text: string, line: ParsedLine): boolean {
  const m = EXCEPTION.exec(text);
  if (!m) return false;
  const name = m[1];
  const named = name.includes('::') || /(?:Error|Exception|Invalid|NotFound|Timeout)$/.test(name);
  const closed = text.endsWith('):');
  if (!named || !(closed || line.level >= LEVEL_ERROR || opensMore(m[2]))) return false;
  line.kind = 'exception';
  line.exceptionClass = name;
  let message = m[2];
  if (message.endsWith('):')) message = message.slice(0, -2);
  else if (message.endsWith(')')) message = message.slice(0, -1);
  line.exceptionMessage = message.slice(0, 500);
  return true;
}

/**
 * Whether the parenthesis after an exception's class stays open to the end of the line: its
 * message goes on over the next lines (`PG::UndefinedColumn: ERROR: ...`, then `LINE 1: ...`,
 * then `):`), which a log without levels (Rails 2 to 6 by default) shows no other way.
 */
function opensMore(message: string): boolean {
  let depth = 1;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */ && --depth === 0) return false;
  }
  return true;
}

/**
 * Reads lograge's `key=value key='quoted value'` format; hand-written for linear time. Lograge
 * writes its own keys first (method, path, format, controller, action, status), then error='...'
 * unescaped, the runtimes and the app's custom options, some of them raw text a client chose (a
 * query, a user agent). So a key given twice keeps its first value; an error runs to the last
 * quote that can close it; a `{...}` or `[...]` value (a params hash as Hash#inspect writes it,
 * its strings escaped) runs to its closing bracket; and a double-quoted value (logfmt) skips
 * its escaped quotes: no `status=` written inside any of them is read as the request's.
 */
export function splitKeyValue(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 0;
  const n = text.length;
  // The next `=` and space at or after i, found again only once i passes them: searching from
  // every word made `a a a … =` quadratic.
  let eq = -1;
  let space = -1;
  // A bracket that closed nowhere from here on: one after it is not searched to the end again;
  // nor, past a double quote that found no unescaped quote to close it, is one searched for.
  let unclosedBracket = n;
  let noPlainClose = n;
  while (i < n && fields.size < 64) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (eq < i) eq = text.indexOf('=', i);
    if (eq < 0) break;
    if (space < i) {
      space = text.indexOf(' ', i);
      if (space < 0) space = n;
    }
    if (space < eq) {
      i = space + 1;
      continue;
    }
    const key = text.slice(i, eq);
    let j = eq + 1;
    let value: string | undefined;
    const quote = text[j];
    if (quote === "'" || quote === '"') {
      const end =
        key === 'error' && quote === "'"
          ? lastClosingQuote(text, quote, j + 1)
          : closingQuote(text, quote, j + 1, j < noPlainClose);
      if (quote === '"' && end >= 0 && escaped(text, end, j + 1)) noPlainClose = j;
      const stop = end < 0 ? n : end;
      value = text.slice(j + 1, stop);
      j = stop + 1;
    } else if ((quote === '{' || quote === '[') && j < unclosedBracket) {
      const end = bracketEnd(text, j);
      if (end < 0) unclosedBracket = j;
      else {
        value = text.slice(j, end);
        j = end;
      }
    }
    if (value === undefined) {
      const end = text.indexOf(' ', j);
      let stop = end < 0 ? n : end;
      // Ruby's Time#to_s, which lograge writes unquoted: `time=2026-12-04 10:00:00 +0100`.
      if (stop - j === 10 && DATE_ONLY.test(text.slice(j, stop))) stop = timeEnd(text, stop);
      value = text.slice(j, stop);
      j = stop;
    }
    if (key && !fields.has(key)) fields.set(key, value);
    i = j;
  }
  return fields;
}

const DATE_ONLY = /^\d{4}-\d\d-\d\d$/;
const CLOCK = /^ \d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?: (?:[+-]\d{4}|UTC))?(?= |$)/;

/** Where the ` 10:00:00 +0100` after a date at `at` ends; `at` when none follows. */
function timeEnd(text: string, at: number): number {
  const m = CLOCK.exec(text.slice(at, at + 40));
  return m ? at + m[0].length : at;
}

/** Whether the quote at `at` can close a value: the line ends there or ` key=` follows. */
function canClose(text: string, at: number): boolean {
  if (at + 1 >= text.length) return true;
  if (text.charCodeAt(at + 1) !== 32) return false;
  let k = at + 2;
  while (k < text.length && k - at < 42 && /[A-Za-z0-9_.@]/.test(text[k])) k++;
  return k > at + 2 && text[k] === '=';
}

/**
 * Lograge writes `error='...'` without escaping, so a quote inside the message is common
 * ("Couldn't find"). The closing quote is the one followed by the end or by ` key=`; in a
 * double-quoted value (logfmt), one escaped with a backslash only when no other is.
 */
function closingQuote(text: string, quote: string, from: number, skipEscaped = true): number {
  // Heroku's router escapes nothing either: a path ending in `\` closes on its escaped quote
  // when no other quote can.
  let escapedClose = -1;
  for (let at = text.indexOf(quote, from); at >= 0; at = text.indexOf(quote, at + 1)) {
    if (!canClose(text, at)) continue;
    if (quote !== '"' || !skipEscaped || !escaped(text, at, from)) return at;
    if (escapedClose < 0) escapedClose = at;
  }
  return escapedClose;
}

/** Whether an odd run of backslashes, after `from`, comes before `at`. */
function escaped(text: string, at: number, from: number): boolean {
  let k = at - 1;
  while (k >= from && text.charCodeAt(k) === 92 /* \ */) k--;
  return (at - 1 - k) % 2 === 1;
}

/**
 * The last quote from `from` on that can close a value: an error's message quotes what a client
 * sent (`Couldn't find User with 'id'=x' status=200 y='`), so the first such quote may be theirs.
 */
function lastClosingQuote(text: string, quote: string, from: number): number {
  let at = text.lastIndexOf(quote);
  while (at >= from) {
    if (canClose(text, at)) return at;
    at = text.lastIndexOf(quote, at - 1);
  }
  return -1;
}

/**
 * Just past the bracket that closes the `{` or `[` at `open`, skipping double-quoted strings
 * (Hash#inspect escapes their quotes); -1 when none does.
 */
function bracketEnd(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 34 /* " */) {
      at++;
      while (at < text.length && text.charCodeAt(at) !== 34) {
        if (text.charCodeAt(at) === 92 /* \ */) at++;
        at++;
      }
      if (at >= text.length) return -1;
    } else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if ((c === 125 /* } */ || c === 93) /* ] */ && --depth === 0) return at + 1;
  }
  return -1;
}

function parseKeyValue(text: string, line: ParsedLine, zone: ZoneClock): boolean {
  // Heroku's router by its process, or by its first key in a syslog copy (`heroku/router:`).
  const routed = line.pid === 'router' || text.startsWith('at=');
  if (routed && parseRouterLine(text, line, zone)) return true;
  const fields = splitKeyValue(text);
  const status = Number(fields.get('status'));
  if (!fields.has('method') || !isHttpStatus(status)) return false;
  fillRequest(
    line,
    {
      method: fields.get('method'),
      path: fields.get('path'),
      controller: fields.get('controller'),
      action: fields.get('action'),
      format: fields.get('format'),
      status,
      duration: fields.get('duration'),
      view: fields.get('view'),
      db: fields.get('db'),
      ip: fields.get('remote_ip') ?? fields.get('ip'),
      requestId: fields.get('request_id') ?? fields.get('uuid'),
      error: fields.get('error'),
      time: fields.get('time') ?? fields.get('timestamp') ?? fields.get('@timestamp'),
      params: fields.get('params'),
    },
    zone,
  );
  return true;
}

/**
 * Heroku's router line (`heroku[router]:`, or a drain's `router` process): `at=info method=GET
 * path="/" host=… request_id=… fwd="…" dyno=web.1 connect=0ms service=12ms status=200 …`.
 * fwd= is the X-Forwarded-For the client sent, written as sent (quotes, spaces and `key=` too),
 * with the address the router saw last. So the router's keys are read before the first ` fwd="`
 * and after the last `" dyno=`, never from inside: a header with `" path="/" ip="…` forged the
 * request, its client and its time. False when the line has no such fwd=.
 */
function parseRouterLine(text: string, line: ParsedLine, zone: ZoneClock): boolean {
  const open = text.indexOf(' fwd="');
  const close = text.lastIndexOf('" dyno=');
  if (open < 0 || close < open + 5) return false;
  const request = splitKeyValue(text.slice(0, open));
  const router = splitKeyValue(text.slice(close + 2));
  const status = Number(router.get('status'));
  if (!request.has('method') || !isHttpStatus(status)) return false;
  // The client: the address the router appended, after the ones the client claimed.
  const forwarded = text.slice(open + 6, close);
  const client = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
  const service = router.get('service');
  // The router's line wherever it came from (`heroku/router:` in a syslog drain names none).
  line.pid ??= 'router';
  fillRequest(
    line,
    {
      method: request.get('method'),
      path: request.get('path'),
      status,
      // `service=` is empty on an H10: no time.
      duration: service?.endsWith('ms') && service.length > 2 ? service.slice(0, -2) : undefined,
      ip: client || undefined,
      requestId: request.get('request_id'),
    },
    zone,
  );
  return true;
}

interface RequestFields {
  method?: unknown;
  path?: unknown;
  controller?: unknown;
  action?: unknown;
  format?: unknown;
  status: number;
  duration?: unknown;
  view?: unknown;
  db?: unknown;
  ip?: unknown;
  requestId?: unknown;
  error?: unknown;
  time?: unknown;
  params?: unknown;
}

/** A JSON field as text, without the control characters its escapes may have decoded. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return withoutControls(value);
  try {
    return JSON.stringify(value).slice(0, 4096);
  } catch {
    // Nesting deep enough to overflow the stack: not worth showing, never worth failing on.
    return '[unprintable]';
  }
}

/**
 * The longest request id a field of a structured line (JSON, Semantic Logger's named tags) may
 * carry. Rails cuts an incoming X-Request-Id at 255 characters (ActionDispatch::RequestId), so
 * a longer one came from no Rails app; kept by each open request, it would let memory grow with
 * the log. A line with a longer one is read as having no request id, as an over-long tag is.
 */
const MAX_REQUEST_ID = 255;

function requestIdOf(value: unknown): string | undefined {
  const id = text(value);
  return id !== undefined && id.length <= MAX_REQUEST_ID ? id : undefined;
}

/** A status a response can have; JSON and key=value lines can hold any number there. */
function isHttpStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status < 600;
}

/**
 * The longest duration a line may give: a day. No Rails request, view or query of one lasts
 * longer; a line saying so is broken or forged, and a few of them made the window's mean (and
 * near 10^12 ms the microsecond sum, past 2^53) say nothing about the real requests.
 */
const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * A duration from any line, up to MAX_DURATION_MS; undefined for anything else, so the request
 * counts but is not timed: one line saying 1e308 (or 400 nines) made the mean, p95 and maximum of
 * the whole window infinite, and a `Views: x` without a number made an action's view share NaN.
 */
export function milliseconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Number(value);
  return ms >= 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

function fillRequest(line: ParsedLine, f: RequestFields, zone: ZoneClock): void {
  line.kind = 'request';
  line.method = text(f.method);
  line.path = text(f.path);
  const controller = text(f.controller);
  const action = text(f.action);
  if (controller && action) line.action = `${controller}#${action}`;
  line.format = text(f.format)?.slice(0, 60);
  line.status = f.status;
  line.durationMs = milliseconds(f.duration);
  line.viewMs = milliseconds(f.view);
  line.dbMs = milliseconds(f.db);
  line.ip = text(f.ip);
  const requestId = requestIdOf(f.requestId);
  if (requestId) line.requestId = requestId;
  const params = text(f.params);
  line.params = params === undefined ? undefined : keptParams(params);
  const error = text(f.error);
  if (error) {
    const colon = error.indexOf(': ');
    const name = colon > 0 ? error.slice(0, colon) : error;
    if (/^[A-Z][\w:]{0,200}$/.test(name)) {
      line.exceptionClass = name;
      line.exceptionMessage = colon > 0 ? error.slice(colon + 2, colon + 502) : '';
    }
  }
  const time = text(f.time);
  if (time) {
    const parsed = parseIsoLike(time, zone);
    if (parsed) {
      line.time = parsed.epoch;
      line.timeExplicit = parsed.explicit;
    }
  }
}

/** Scans a cut JSON line for the fields a request needs, since JSON.parse cannot read it. */
function scanJsonField(textValue: string, key: string): string | undefined {
  const at = textValue.indexOf(`"${key}":`);
  if (at < 0) return undefined;
  let i = at + key.length + 3;
  while (textValue[i] === ' ') i++;
  if (textValue[i] === '"') {
    const end = textValue.indexOf('"', i + 1);
    return end < 0 ? undefined : textValue.slice(i + 1, end);
  }
  let j = i;
  while (j < textValue.length && j - i < 40 && ',}]'.indexOf(textValue[j]) < 0) j++;
  return textValue.slice(i, j);
}

function parseJsonLine(textValue: string, line: ParsedLine, zone: ZoneClock): void {
  let data: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(textValue);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      data = parsed as Record<string, unknown>;
    }
  } catch {
    data = undefined;
  }

  if (!data) {
    // A line cut for length, or broken JSON: recover what a request needs.
    const status = Number(scanJsonField(textValue, 'status'));
    if (isHttpStatus(status)) {
      const get = (key: string): string | undefined => scanJsonField(textValue, key);
      fillRequest(
        line,
        {
          method: get('method'),
          path: get('path'),
          controller: get('controller'),
          action: get('action'),
          format: get('format'),
          status,
          duration: get('duration'),
          view: get('view'),
          db: get('db'),
          ip: get('remote_ip') ?? get('ip'),
          requestId: get('request_id'),
          time: get('timestamp') ?? get('time') ?? get('@timestamp'),
        },
        zone,
      );
    }
    return;
  }

  const levelText = text(data.level ?? data.severity);
  if (levelText && Object.hasOwn(LEVELS, levelText)) line.level = LEVELS[levelText];
  const status = Number(data.status);
  if (isHttpStatus(status) && (data.method !== undefined || data.path !== undefined)) {
    fillRequest(
      line,
      {
        method: data.method,
        path: data.path,
        controller: data.controller,
        action: data.action,
        format: data.format,
        status,
        duration: data.duration,
        view: data.view,
        db: data.db,
        ip: data.remote_ip ?? data.ip,
        requestId: data.request_id ?? data.uuid,
        error:
          data.error ?? (Array.isArray(data.exception) ? data.exception.join(': ') : undefined),
        time: data.timestamp ?? data.time ?? data['@timestamp'],
        params: data.params,
      },
      zone,
    );
    if (line.pid === undefined && data.process_id !== undefined) line.pid = text(data.process_id);
    return;
  }

  if (parseSemanticLogger(data, line, zone)) return;

  // A JSON logger wrapping an ordinary message: read the message like a plain line.
  // A message of several lines (an exception and its backtrace) is read by its first, as the
  // plain log it stands for would be.
  const raw = data.message ?? data.msg;
  const message = text(typeof raw === 'string' ? /^[^\r\n]*/.exec(raw)![0] : raw);
  if (message === undefined) return;
  const time = text(data.timestamp ?? data.time ?? data['@timestamp']);
  if (time) {
    const parsed = parseIsoLike(time, zone);
    if (parsed) {
      line.time = parsed.epoch;
      line.timeExplicit = parsed.explicit;
    }
  }
  const requestId = requestIdOf(data.request_id);
  if (requestId) line.requestId = requestId;
  if (data.pid !== undefined || data.process_id !== undefined) {
    line.pid = text(data.pid ?? data.process_id);
  }
  const inner = stripTags(message, line);
  line.body = inner;
  classifyBody(inner, line, zone);
}

/**
 * rails_semantic_logger's JSON: a request is one `Completed #action` line whose `payload` has
 * the controller's figures (`duration_ms` beside it); an exception is a line with an
 * `exception` object; the request id is a named tag.
 */
function parseSemanticLogger(
  data: Record<string, unknown>,
  line: ParsedLine,
  zone: ZoneClock,
): boolean {
  const payload = data.payload;
  const tags = isRecord(data.named_tags) ? data.named_tags : undefined;
  const requestId = tags?.request_id ?? tags?.request_uuid;
  const time = data.timestamp ?? data.time;
  if (isRecord(payload)) {
    const status = Number(payload.status);
    if (!isHttpStatus(status) || (payload.method === undefined && payload.path === undefined)) {
      return false;
    }
    fillRequest(
      line,
      {
        method: payload.method,
        path: payload.path,
        controller: payload.controller,
        action: payload.action,
        format: payload.format,
        status,
        duration: data.duration_ms,
        view: payload.view_runtime,
        db: payload.db_runtime,
        ip: payload.remote_ip ?? payload.ip ?? tags?.ip,
        requestId,
        time,
        params: payload.params,
      },
      zone,
    );
    if (data.pid !== undefined) line.pid = text(data.pid);
    // With its request id it is a `Completed` line: the exception Rails logs after it joins.
    if (line.requestId) line.kind = 'completed';
    return true;
  }
  const exception = data.exception;
  if (!isRecord(exception) || typeof exception.name !== 'string') return false;
  const parsed = text(time) === undefined ? undefined : parseIsoLike(text(time)!, zone);
  if (parsed) {
    line.time = parsed.epoch;
    line.timeExplicit = parsed.explicit;
  }
  const id = requestIdOf(requestId);
  if (id) line.requestId = id;
  if (data.pid !== undefined) line.pid = text(data.pid);
  line.kind = 'exception';
  line.exceptionClass = withoutControls(exception.name.slice(0, 300));
  line.exceptionMessage = (text(exception.message) ?? '').slice(0, 500);
  if (Array.isArray(exception.stack_trace)) {
    for (const frame of exception.stack_trace.slice(0, 200)) {
      line.source = typeof frame === 'string' ? appFrame(frame) : undefined;
      if (line.source) break;
    }
  }
  return true;
}

/** Semantic Logger's level letters: trace, debug, info, warn, error, fatal. */
const SEMANTIC_LEVELS = new Map<string, number>([
  ['T', LEVEL_DEBUG],
  ['D', LEVEL_DEBUG],
  ['I', LEVEL_INFO],
  ['W', LEVEL_WARN],
  ['E', LEVEL_ERROR],
  ['F', LEVEL_FATAL],
]);
/** `orders_controller.rb:12`: the caller Semantic Logger writes after the thread on errors. */
const CALLER = /^[^\s:]{1,200}:\d{1,9}$/;
const EXCEPTION_CLASS = /^[A-Z][\w:]{0,200}$/;

/**
 * rails_semantic_logger's text format after the time (SemanticLogger::Formatters::Default, and
 * Color without its colours): `I [pid:thread] [tag] {request_id: x} (12.3ms) UsersController
 * -- Completed #show -- {payload}`. The process is `pid:thread`, since Puma's threads of one
 * process log their requests interleaved. False, changing nothing, when the line is not so.
 */
function parseSemanticText(input: string, line: ParsedLine, zone: ZoneClock): boolean {
  const level = SEMANTIC_LEVELS.get(input[0]);
  if (level === undefined || input[1] !== ' ' || input[2] !== '[') return false;
  let digits = 3;
  while (digits < 14 && input.charCodeAt(digits) >= 48 && input.charCodeAt(digits) <= 57) {
    digits++;
  }
  if (digits === 3 || input[digits] !== ':') return false;
  const close = input.indexOf(']', digits);
  if (close < 0 || close > 300) return false;

  line.level = level;
  let process = input.slice(3, close);
  const space = process.lastIndexOf(' ');
  if (space > 0 && CALLER.test(process.slice(space + 1))) process = process.slice(0, space);
  line.pid = process;
  // No cut at MAX_MATCH: a payload with large params still ends in its status, and every step
  // here is linear.
  let text = input.slice(close + 1);
  text = text.startsWith(' [') ? stripTags(text.slice(1), line) : text.slice(1);
  let namedIp: string | undefined;
  if (text.startsWith('{')) {
    const end = text.indexOf('} ');
    if (end > 0 && end < 2000) {
      namedIp = semanticNamedTags(text.slice(1, end), line);
      text = text.slice(end + 2);
    }
  }
  let duration: number | undefined;
  if (text.startsWith('(')) {
    const end = text.indexOf(') ');
    if (end > 0 && end < 40) {
      duration = humanDuration(text.slice(1, end));
      text = text.slice(end + 2);
    }
  }

  const dashes = text.indexOf(' -- ');
  if (dashes < 0 || dashes > 300) {
    line.body = text;
    classifyBody(text, line, zone);
    if (line.kind === 'failedLogin') line.ip ??= namedIp;
    return true;
  }
  const name = text.slice(0, dashes);
  const message = text.slice(dashes + 4);
  line.body = message;
  if (message.startsWith('Completed #')) {
    if (semanticCompleted(name, message, duration, line)) {
      line.ip ??= namedIp;
      return true;
    }
  } else if (message.startsWith('Started -- {')) {
    const payload = readRubyHash(message, 11);
    if (payload?.has('method')) {
      line.kind = 'started';
      line.method = payload.get('method');
      line.path = payload.get('path');
      line.ip = payload.get('ip') ?? namedIp;
      return true;
    }
  } else if (message.startsWith('Processing #')) {
    const end = message.indexOf(' ', 12);
    line.kind = 'processing';
    line.action = `${name}#${message.slice(12, end < 0 ? undefined : end)}`;
    return true;
  } else if (name === 'ActiveRecord') {
    // `User Load -- { :sql => "SELECT ..." }`, a debug line; it does not say whether cached.
    const at = message.indexOf(' -- {');
    const sql = at < 0 ? undefined : readRubyHash(message, at + 4)?.get('sql');
    if (sql !== undefined && SQL_KEYWORD.test(sql)) {
      line.kind = 'sql';
      line.cached = false;
      line.sqlName = message.slice(0, at);
      line.durationMs = duration;
      line.sql = sql;
      return true;
    }
  }
  // `-- Exception: Class: message` after the message, or in its place when there is none.
  const exceptionAt = message.startsWith('Exception: ') ? 0 : message.indexOf(' -- Exception: ');
  if (exceptionAt >= 0) {
    const after = message.indexOf('Exception: ', exceptionAt) + 11;
    if (semanticException(message.slice(after), line)) return true;
  }
  classifyBody(message, line, zone);
  // A failed login that names no address has the client's in the named tags (`ip:`).
  if (line.kind === 'failedLogin') line.ip ??= namedIp;
  return true;
}

/**
 * Named tags, `request_id: 0f4c..., ip: 192.0.2.1` inside their braces: the request id goes to
 * the line; the client's address (`ip` or `remote_ip`) is returned, none when two differ.
 */
function semanticNamedTags(text: string, line: ParsedLine): string | undefined {
  const ips = new Set<string>();
  for (const pair of text.split(', ')) {
    const colon = pair.indexOf(': ');
    if (colon < 0) continue;
    const name = pair.slice(0, colon);
    const value = pair.slice(colon + 2);
    if ((name === 'request_id' || name === 'request_uuid') && !line.requestId) {
      line.requestId = requestIdOf(value);
    } else if (name === 'ip' || name === 'remote_ip') {
      ips.add(value);
    }
  }
  // Tags are written unescaped: a client's user agent tag can say `x, ip: 6.6.6.6`. Two
  // addresses cannot both be the client's, and which one the app wrote is not known.
  return ips.size === 1 ? [...ips][0] : undefined;
}

/** `Completed #show -- {payload}`: the controller's figures; false when no status. */
function semanticCompleted(
  name: string,
  message: string,
  duration: number | undefined,
  line: ParsedLine,
): boolean {
  const at = message.indexOf(' -- {');
  const payload = at < 0 ? undefined : readRubyHash(message, at + 4);
  const status = Number(payload?.get('status'));
  if (!payload || !isHttpStatus(status)) return false;
  line.kind = 'completed';
  line.method = payload.get('method');
  line.path = payload.get('path');
  const controller = payload.get('controller') ?? name;
  line.action = `${controller}#${payload.get('action') ?? message.slice(11, at)}`;
  line.status = status;
  line.durationMs = duration;
  line.viewMs = milliseconds(payload.get('view_runtime'));
  line.dbMs = milliseconds(payload.get('db_runtime'));
  const params = payload.get('params');
  line.params = params === undefined ? undefined : keptParams(params);
  return true;
}

/** `NoMethodError: undefined method 'x' for nil`, after `Exception: `. */
function semanticException(text: string, line: ParsedLine): boolean {
  const colon = text.indexOf(': ');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!EXCEPTION_CLASS.test(name)) return false;
  line.kind = 'exception';
  line.exceptionClass = name;
  line.exceptionMessage = colon < 0 ? '' : text.slice(colon + 2, colon + 502);
  return true;
}

const DURATION_UNITS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

/** Semantic Logger's `duration_human`: `1.234ms`, `12.3ms`, `1.234s`, `1m 2s`, `1d 2h 3m`. */
function humanDuration(text: string): number | undefined {
  let total = 0;
  for (const part of text.split(' ')) {
    const value = numberAt(part, 0);
    const unit = DURATION_UNITS.get(part.slice(numberEnd));
    if (Number.isNaN(value) || unit === undefined) return undefined;
    total += value * unit;
  }
  return milliseconds(Math.round(total * 1000) / 1000);
}
