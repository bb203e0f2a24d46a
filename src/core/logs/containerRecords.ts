/**
 * The files container runtimes keep a container's output in, a record per line.
 *
 * Docker's json-file logging driver, the default one, in
 * /var/lib/docker/containers/<id>/<id>-json.log:
 * `{"log":"...\n","stream":"stdout","time":"2026-12-04T10:00:00.123456789Z"}`. The daemon cuts
 * a line longer than 16 KB into records of 16 KB; only the last piece's `log` ends in a line
 * break. A shorter record without a line break is what the app left unfinished when its stream
 * closed: a line of its own.
 *
 * containerd and CRI-O, under Kubernetes, in /var/log/pods (linked from /var/log/containers):
 * `2026-12-04T10:00:00.123456789Z stdout F message`, where `P` instead of `F` marks a piece of a
 * line the runtime cut (at 16 KB by default) and `F` its last piece or a whole line.
 *
 * Records of the other stream may come between the pieces of a line. This joins the pieces of
 * each stream back into the line the app wrote.
 */

import { parseJsonRecord } from '../util/isRecord';

export const DOCKER_RECORD_START = '{"log":';

/** The size of the pieces the daemon cuts a long line into (its copier's buffer). */
const PIECE_BYTES = 16 * 1024;

/** A CRI log line: RFC 3339 time with nanoseconds, stream, `P` or `F`, the message. */
const CRI_RECORD =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF]) ?/;

/** Whether `line` looks like a record of either file (a cheap test, before parsing it). */
export function isContainerRecord(line: string): boolean {
  return line.startsWith(DOCKER_RECORD_START) || CRI_RECORD.test(line);
}

/** Where a line the runtime split begins in its file. */
export interface LineStart {
  line: number;
  offset: number;
  /** No line of the other stream was split open when its first piece came. */
  alone: boolean;
}

export type ContainerRead =
  /** A whole line: `at` is where its first piece was when Docker split it. */
  | { kind: 'line'; text: string; time: string; at?: LineStart }
  /** A piece of a line whose end is in a later record. */
  | { kind: 'piece'; time: string };

interface Pieces {
  head: string;
  /** The latest pieces once `head` is full: at most twice `keep` characters. */
  tail: string;
  cut: boolean;
  time: string;
  at: LineStart;
}

export class ContainerRecords {
  private readonly open = new Map<'stdout' | 'stderr', Pieces>();

  /**
   * @param headChars how much of a long line to keep from its start
   * @param keep how much to keep from its end (the rest of the middle goes, as for any line)
   */
  constructor(
    private readonly headChars: number,
    private readonly keep: number,
  ) {}

  /** Whether a line of some stream is still waiting for its last piece. */
  get splitOpen(): boolean {
    return this.open.size > 0;
  }

  /** Drops the pieces held: the next record read does not continue anything before it. */
  forget(): void {
    this.open.clear();
  }

  /** The record `raw`, or undefined when it is not a json-file record. */
  readDocker(raw: string, line: number, offset: number): ContainerRead | undefined {
    const record = parseJsonRecord(raw);
    if (!record) return undefined;
    const { log, time, stream } = record;
    if (typeof log !== 'string' || typeof time !== 'string') return undefined;
    const ends = log.endsWith('\n');
    if (!ends && Buffer.byteLength(log) >= PIECE_BYTES) {
      return this.piece(stream === 'stderr', log, time, line, offset);
    }
    const last = !ends ? log : log.slice(0, log.endsWith('\r\n') ? -2 : -1);
    return this.last(stream === 'stderr', last, time);
  }

  /** The CRI record `raw`, or undefined when it is not one. */
  readCri(raw: string, line: number, offset: number): ContainerRead | undefined {
    const m = CRI_RECORD.exec(raw);
    if (!m) return undefined;
    const message = raw.slice(m[0].length);
    const stderr = m[2] === 'stderr';
    if (m[3] === 'P') return this.piece(stderr, message, m[1], line, offset);
    return this.last(stderr, message, m[1]);
  }

  private piece(
    stderr: boolean,
    piece: string,
    time: string,
    line: number,
    offset: number,
  ): ContainerRead {
    const key = stderr ? 'stderr' : 'stdout';
    const pieces = this.open.get(key);
    if (pieces) {
      this.add(pieces, piece);
    } else {
      const at = { line, offset, alone: this.open.size === 0 };
      const first = { head: piece, tail: '', cut: false, time, at };
      this.open.set(key, first);
      this.bound(first);
    }
    return { kind: 'piece', time };
  }

  /** The last piece of a line, or a whole one. */
  private last(stderr: boolean, piece: string, time: string): ContainerRead {
    const key = stderr ? 'stderr' : 'stdout';
    const pieces = this.open.get(key);
    if (!pieces) return { kind: 'line', text: piece, time };
    this.open.delete(key);
    this.add(pieces, piece);
    const text = pieces.cut
      ? `${pieces.head} … ${pieces.tail.slice(-this.keep)}`
      : pieces.head + pieces.tail;
    return { kind: 'line', text, time: pieces.time, at: pieces.at };
  }

  private add(pieces: Pieces, piece: string): void {
    if (pieces.tail === '' && !pieces.cut) pieces.head += piece;
    else pieces.tail += piece;
    this.bound(pieces);
  }

  /** Keeps a line of any length to its head and its end, in time linear in its pieces. */
  private bound(pieces: Pieces): void {
    if (pieces.head.length > this.headChars) {
      pieces.tail = pieces.head.slice(this.headChars) + pieces.tail;
      pieces.head = pieces.head.slice(0, this.headChars);
    }
    if (pieces.tail.length > 2 * this.keep) {
      pieces.tail = pieces.tail.slice(-this.keep);
      pieces.cut = true;
    }
  }
}
