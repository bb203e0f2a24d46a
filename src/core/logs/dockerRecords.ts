/**
 * Docker's json-file logging driver, the default one: a container's output is kept in
 * /var/lib/docker/containers/<id>/<id>-json.log as one JSON record per line,
 * `{"log":"...\n","stream":"stdout","time":"2026-12-04T10:00:00.123456789Z"}`. The daemon cuts
 * a line longer than 16 KB into records of 16 KB; only the last piece's `log` ends in a line
 * break, and records of the other stream may come between the pieces. This joins the pieces of
 * each stream back into the line the app wrote. A shorter record without a line break is what
 * the app left unfinished when its stream closed: a line of its own.
 */

export const DOCKER_RECORD_START = '{"log":';

/** The size of the pieces the daemon cuts a long line into (its copier's buffer). */
const PIECE_BYTES = 16 * 1024;

/** Where a line Docker split begins in its file. */
export interface LineStart {
  line: number;
  offset: number;
  /** No line of the other stream was split open when its first piece came. */
  alone: boolean;
}

export type DockerRead =
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

export class DockerRecords {
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
  read(raw: string, line: number, offset: number): DockerRead | undefined {
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (typeof record !== 'object' || record === null) return undefined;
    const { log, time, stream } = record as { log?: unknown; time?: unknown; stream?: unknown };
    if (typeof log !== 'string' || typeof time !== 'string') return undefined;
    const key = stream === 'stderr' ? 'stderr' : 'stdout';
    const pieces = this.open.get(key);
    const ends = log.endsWith('\n');
    if (!ends && Buffer.byteLength(log) >= PIECE_BYTES) {
      if (pieces) {
        this.add(pieces, log);
      } else {
        const at = { line, offset, alone: this.open.size === 0 };
        const first = { head: log, tail: '', cut: false, time, at };
        this.open.set(key, first);
        this.bound(first);
      }
      return { kind: 'piece', time };
    }
    const last = !ends ? log : log.slice(0, log.endsWith('\r\n') ? -2 : -1);
    if (!pieces) return { kind: 'line', text: last, time };
    this.open.delete(key);
    this.add(pieces, last);
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
