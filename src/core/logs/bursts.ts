/**
 * Bursts of 401/403/422 for one IP: at least 10 within any 5 minutes, wherever the clock's
 * minutes fall (fixed 5-minute slots missed a burst cut by a slot's edge). Responses are kept
 * by IP and minute: a count, and the earliest and latest 9 times of the minute, which is all a
 * sliding window needs (a minute with 10 or more is a burst by itself). Tables of two parts of
 * a log add up to the table of the whole, in any order.
 */
import type { BurstEntry } from './summaryTypes';

export const BURST_MIN = 10;
const WINDOW_MS = 5 * 60_000;
const MINUTE_MS = 60_000;
/** Times kept at each end of a minute: with one more response, a window holds 10. */
const EDGE = BURST_MIN - 1;
/**
 * Minutes around a minute from which a response could share a burst with it: a window's 5
 * minutes, and a burst goes on while its responses are 5 minutes apart or less.
 */
const REACH = 10;
/** Past this many minutes of table, small minutes that can join no burst go at once. */
const MAX_BUCKETS = 20_000;
const STATUS_CODES = new Map<number, number>([
  [401, 0],
  [403, 1],
  [422, 2],
]);
const STATUSES = ['401', '403', '422'] as const;

/** One IP's 401/403/422 responses within one minute. */
export interface BurstBucket {
  ip: string;
  minute: number;
  count: number;
  // Counts per status as fields: an object keyed "401" would get a 4 KB elements array.
  s401: number;
  s403: number;
  s422: number;
  /** The earliest and the latest EDGE responses as `time * 4 + status code`, ascending. */
  head: number[];
  tail: number[];
  /** Judged once its neighbours were final, and kept: it may belong to a burst. */
  judged?: boolean;
  /**
   * Set on the minutes of a long burst folded into one (see `condense`): the last minute it
   * holds. `head` and `tail` then hold only its first and its last response.
   */
  through?: number;
  /** A folded run's: responses after it up to this time are in a window of 10 from inside it. */
  markedUntil?: number;
}

/** A burst table as plain data. */
export interface BurstTableState {
  buckets: Map<string, BurstBucket>;
  /** The minute of the first response met; -Infinity when none came. */
  firstMinute: number;
  lastPrunedMinute: number;
  /** Responses that came after minutes around theirs were judged (see `behind`). */
  behind: number;
}

function keyOf(ip: string, minute: number): string {
  return `${ip}|${minute}`;
}

function copyBucket(b: BurstBucket): BurstBucket {
  return { ...b, head: [...b.head], tail: [...b.tail] };
}

/** Keeps the EDGE smallest values of `list` (ascending) with `value` added. */
function keepSmallest(list: number[], value: number): void {
  if (list.length === EDGE && value >= list[EDGE - 1]) return;
  let at = list.length;
  while (at > 0 && list[at - 1] > value) at--;
  list.splice(at, 0, value);
  if (list.length > EDGE) list.pop();
}

/** Keeps the EDGE largest values of `list` (ascending) with `value` added. */
function keepLargest(list: number[], value: number): void {
  if (list.length === EDGE && value <= list[0]) return;
  let at = list.length;
  while (at > 0 && list[at - 1] > value) at--;
  list.splice(at, 0, value);
  if (list.length > EDGE) list.shift();
}

export class BurstTable {
  private readonly buckets = new Map<string, BurstBucket>();
  private lastPrunedMinute = -Infinity;
  /**
   * Minutes up to REACH after the first one are never pruned: a log read in parts may hold
   * their neighbours in the part before (see `absorb`).
   */
  private firstMinute = -Infinity;
  /**
   * The size at which the table is pruned next: MAX_BUCKETS, or twice what a prune had to keep
   * (minutes of 10 or more are bursts and stay), so that a table full of bursts is not scanned
   * again for every new minute (a botnet's 20,000 addresses made each new one cost 1 ms).
   */
  private pruneAt = MAX_BUCKETS;
  /**
   * Minutes not yet judged: a minute is judged once, when the minutes around it are final
   * (REACH + 1 behind the newest), and then either goes or stays for good. Judging every kept
   * minute again at every prune made a client refused every 30 s for a week cost minutes.
   */
  private pending: BurstBucket[] = [];
  /** Minutes judged and kept, waiting until `condense` may fold them; in the order judged. */
  private settled: BurstBucket[] = [];
  /** The folded runs of each IP, in minute order; the last one the minute after it may join. */
  private readonly runs = new Map<string, BurstBucket[]>();
  /**
   * Responses that came more than REACH + 1 minutes behind the last prune: logs of the same
   * hours read one after another, or lines far out of order. Minutes around theirs may have
   * been forgotten already, so a burst there may be counted short or split; the report warns.
   */
  behind = 0;

  add(ip: string, time: number, status: number): void {
    const code = STATUS_CODES.get(status);
    if (code === undefined || !Number.isFinite(time)) return;
    const minute = Math.floor(time / MINUTE_MS);
    if (minute > this.lastPrunedMinute + 5) {
      if (this.lastPrunedMinute === -Infinity) this.firstMinute = minute;
      this.prune(minute);
      this.lastPrunedMinute = minute;
    }
    const key = keyOf(ip, minute);
    let bucket = this.buckets.get(key);
    if (!bucket && minute < this.lastPrunedMinute - REACH - 1) {
      this.behind++;
      // Inside a folded run, a response is inside its burst: it only adds to the count.
      const run = this.runAt(ip, minute);
      if (run) {
        run.count++;
        if (code === 0) run.s401++;
        else if (code === 1) run.s403++;
        else run.s422++;
        return;
      }
    }
    if (!bucket) {
      if (this.buckets.size >= this.pruneAt) this.prune(minute);
      bucket = { ip, minute, count: 0, s401: 0, s403: 0, s422: 0, head: [], tail: [] };
      this.buckets.set(key, bucket);
      this.pending.push(bucket);
    }
    bucket.count++;
    if (code === 0) bucket.s401++;
    else if (code === 1) bucket.s403++;
    else bucket.s422++;
    const value = time * 4 + code;
    keepSmallest(bucket.head, value);
    keepLargest(bucket.tail, value);
  }

  /** The folded run of an IP that holds `minute`, if any. */
  private runAt(ip: string, minute: number): BurstBucket | undefined {
    const list = this.runs.get(ip);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const run = list[middle];
      if (minute < run.minute) high = middle - 1;
      else if (minute > (run.through ?? run.minute)) low = middle + 1;
      else return this.buckets.get(keyOf(run.ip, run.minute)) === run ? run : undefined;
    }
    return undefined;
  }

  /**
   * Responses of the IP within REACH minutes of a bucket, its own included; a minute of 10 or
   * more is a burst alone, and its neighbours are not looked up (a kept burst meets every prune).
   */
  private nearby(bucket: BurstBucket): number {
    if (bucket.count >= BURST_MIN) return bucket.count;
    let sum = 0;
    for (let k = -REACH; k <= REACH; k++) {
      sum += this.buckets.get(keyOf(bucket.ip, bucket.minute + k))?.count ?? 0;
    }
    return sum;
  }

  /**
   * Whether some response of a bucket could belong to a burst: a burst counts a response that
   * lies in a window of 5 minutes holding 10, or between two such windows' responses at most
   * 5 minutes apart, so such a window lies within REACH minutes of it. Exact where `nearby`,
   * a plain count, kept a client refused every 70 s (never 10 in 5 minutes) for ever.
   */
  private canJoinBurst(bucket: BurstBucket): boolean {
    if (bucket.count >= BURST_MIN || this.nearby(bucket) < BURST_MIN) {
      return bucket.count >= BURST_MIN;
    }
    const around: BurstBucket[] = [];
    for (let k = -REACH; k <= REACH; k++) {
      const other = this.buckets.get(keyOf(bucket.ip, bucket.minute + k));
      if (other) around.push(other);
    }
    let found = false;
    eachWindow(itemsOf(around), () => (found = true));
    return found;
  }

  /**
   * Forgets old minutes that can join no burst: fewer than 10 responses of their IP within
   * REACH minutes, and logs run forward, so no more will come near them. A minute that could
   * join one always has 10 such responses among the minutes kept, so what goes never counted.
   */
  private prune(currentMinute: number): void {
    this.forget(currentMinute);
    this.pruneAt = Math.max(MAX_BUCKETS, 2 * this.buckets.size);
  }

  private forget(currentMinute: number): void {
    const keepUpTo = this.firstMinute + REACH;
    const pending = this.pending;
    let waiting = 0;
    for (const bucket of pending) {
      if (bucket.minute >= currentMinute - REACH - 1) {
        pending[waiting++] = bucket;
        continue;
      }
      const key = keyOf(bucket.ip, bucket.minute);
      if (bucket.minute <= keepUpTo || this.buckets.get(key) !== bucket) continue;
      if (!this.canJoinBurst(bucket)) {
        this.buckets.delete(key);
      } else {
        bucket.judged = true;
        this.settled.push(bucket);
      }
    }
    pending.length = waiting;
    this.condense(currentMinute);
    if (this.buckets.size < MAX_BUCKETS) return;
    // Full (a hostile log): whatever can join no burst now, then every small minute. Minutes
    // judged already may belong to one, and `nearby` does not see inside a folded run.
    for (const [key, bucket] of this.buckets) {
      if (!bucket.judged && this.nearby(bucket) < BURST_MIN) this.buckets.delete(key);
    }
    if (this.buckets.size < MAX_BUCKETS) return;
    for (const [key, bucket] of this.buckets) {
      if (bucket.count < BURST_MIN && bucket.through === undefined) this.buckets.delete(key);
    }
  }

  /**
   * Folds the middle of a long burst into one bucket per run of minutes, so that a client
   * refused every 30 s for a month keeps a few dozen minutes, not 43,200 (the table's cap
   * would drop the burst's start). A minute folds once its neighbours are final and each of
   * its responses is in a window of 10 (see `foldable`), in minute order, so a run holds
   * consecutive minutes. Not near the first minutes, which a log read in parts joins to the
   * part before (see `absorb`).
   */
  private condense(currentMinute: number): void {
    const settled = this.settled;
    const earliest = this.firstMinute + 2 * REACH + 6;
    let waiting = 0;
    for (const bucket of settled) {
      if (bucket.minute >= currentMinute - 3 * REACH) {
        settled[waiting++] = bucket;
        continue;
      }
      const key = keyOf(bucket.ip, bucket.minute);
      if (bucket.minute <= earliest || this.buckets.get(key) !== bucket) continue;
      const list = this.runs.get(bucket.ip);
      let run = list?.[list.length - 1];
      if (
        run &&
        (run.through !== bucket.minute - 1 || this.buckets.get(keyOf(run.ip, run.minute)) !== run)
      ) {
        run = undefined;
      }
      const until = this.foldable(bucket, run);
      if (Number.isNaN(until)) continue;
      if (run) {
        run.markedUntil = until;
        run.count += bucket.count;
        run.s401 += bucket.s401;
        run.s403 += bucket.s403;
        run.s422 += bucket.s422;
        run.tail = [bucket.tail[bucket.tail.length - 1]];
        run.through = bucket.minute;
        this.buckets.delete(key);
      } else {
        bucket.head = [bucket.head[0]];
        bucket.tail = [bucket.tail[bucket.tail.length - 1]];
        bucket.through = bucket.minute;
        bucket.markedUntil = until;
        // Runs begin in minute order but for lines far out of order: keep the list sorted.
        const runs = list ?? [];
        let at = runs.length;
        while (at > 0 && runs[at - 1].minute > bucket.minute) at--;
        runs.splice(at, 0, bucket);
        if (!list) this.runs.set(bucket.ip, runs);
      }
    }
    settled.length = waiting;
  }

  /**
   * Whether a bucket may fold into `run` (its IP's run ending the minute before) or begin one,
   * and then the latest time its windows mark, else NaN. It may when a window of 10 holds each
   * of its responses, and, beginning a run, when the responses before it are marked as much
   * without it: a window from before a run that reaches into it sees none of it once folded.
   * A window from inside the run marks responses after it up to `markedUntil`.
   */
  private foldable(bucket: BurstBucket, run: BurstBucket | undefined): number {
    const around: BurstBucket[] = run ? [run] : [];
    for (let k = -2 * 6; k <= 2 * 6; k++) {
      const other = this.buckets.get(keyOf(bucket.ip, bucket.minute + k));
      if (other && other !== run) around.push(other);
    }
    around.sort((a, b) => a.minute - b.minute);
    const items = itemsOf(around);
    const marks = markedItems(items);
    for (let i = 0, depth = 0; i < items.length; i++) {
      depth += marks[i];
      if (depth <= 0 && items[i].bucket === bucket) return NaN;
    }
    let until = run?.markedUntil ?? -Infinity;
    eachWindow(items, (i, j) => {
      if (items[i].bucket === bucket) until = Math.max(until, items[j].time);
    });
    if (!run) {
      const before = itemsOf(around.filter((b) => b.minute < bucket.minute));
      const alone = markedItems(before);
      for (let i = 0, depth = 0, aloneDepth = 0; i < before.length; i++) {
        depth += marks[i];
        aloneDepth += alone[i];
        if (depth > 0 && aloneDepth <= 0 && before[i].bucket.minute >= bucket.minute - 6) {
          return NaN;
        }
      }
    }
    return until;
  }

  snapshot(): BurstTableState {
    const buckets = new Map<string, BurstBucket>();
    for (const [key, bucket] of this.buckets) buckets.set(key, copyBucket(bucket));
    return {
      buckets,
      firstMinute: this.firstMinute,
      lastPrunedMinute: this.lastPrunedMinute,
      behind: this.behind,
    };
  }

  /**
   * Adds the table of the part of the log right after this one. Minutes add up (counts, and
   * the earliest and latest times of both), so a minute cut by the split counts whole: the
   * other part kept its first minutes unpruned for this (see `prune`).
   */
  absorb(state: BurstTableState): void {
    this.behind += state.behind;
    for (const [key, other] of state.buckets) {
      const bucket = this.buckets.get(key);
      if (!bucket) {
        if (this.buckets.size >= this.pruneAt) this.prune(this.lastPrunedMinute);
        const copy = copyBucket(other);
        this.buckets.set(key, copy);
        // Judged minutes were judged with all their neighbours; the others are judged here.
        if (!copy.judged) this.pending.push(copy);
        continue;
      }
      bucket.count += other.count;
      bucket.s401 += other.s401;
      bucket.s403 += other.s403;
      bucket.s422 += other.s422;
      for (const value of other.head) keepSmallest(bucket.head, value);
      for (const value of other.tail) keepLargest(bucket.tail, value);
    }
    if (this.lastPrunedMinute === -Infinity) this.firstMinute = state.firstMinute;
    if (state.lastPrunedMinute > this.lastPrunedMinute) {
      this.lastPrunedMinute = state.lastPrunedMinute;
      this.prune(this.lastPrunedMinute);
    }
  }

  /** Every burst, unsorted. */
  entries(): BurstEntry[] {
    const byIp = new Map<string, BurstBucket[]>();
    for (const bucket of this.buckets.values()) {
      const list = byIp.get(bucket.ip);
      if (list) list.push(bucket);
      else byIp.set(bucket.ip, [bucket]);
    }
    const bursts: BurstEntry[] = [];
    for (const [ip, list] of byIp) {
      list.sort((a, b) => a.minute - b.minute);
      findBursts(ip, list, bursts);
    }
    return bursts;
  }
}

/** A response, or (`code` -1) the responses of a full minute between its head and tail. */
interface Item {
  time: number;
  /** A folded run's first response; its `time` is its last. */
  start?: number;
  weight: number;
  /** The status's index; -1 the middle of a full minute, -2 a folded run. */
  code: number;
  bucket: BurstBucket;
}

function decode(value: number): [time: number, code: number] {
  const time = Math.floor(value / 4);
  return [time, value - time * 4];
}

/** One IP's responses in time order: every one, except the middle of a minute of over 18. */
function itemsOf(buckets: BurstBucket[]): Item[] {
  const items: Item[] = [];
  const push = (value: number, bucket: BurstBucket): void => {
    const [time, code] = decode(value);
    items.push({ time, weight: 1, code, bucket });
  };
  for (const bucket of buckets) {
    const { head, tail, count } = bucket;
    if (bucket.through !== undefined) {
      // A folded run: one item at its last response, inside a burst from its first.
      const [time] = decode(tail[tail.length - 1]);
      items.push({ time, start: decode(head[0])[0], weight: count, code: -2, bucket });
    } else if (count <= EDGE) {
      for (const value of head) push(value, bucket);
    } else if (count <= 2 * EDGE) {
      for (const value of head) push(value, bucket);
      for (const value of tail.slice(2 * EDGE - count)) push(value, bucket);
    } else {
      for (const value of head) push(value, bucket);
      // Somewhere between the head and the tail; never where a window starts.
      items.push({
        time: decode(head[EDGE - 1])[0],
        weight: count - 2 * EDGE,
        code: -1,
        bucket,
      });
      for (const value of tail) push(value, bucket);
    }
  }
  return items;
}

/**
 * Calls `found(i, j)` for every window of 5 minutes that starts at response `i` and holds 10
 * or more, `j` its last item; stops once `found` returns true.
 */
function eachWindow(items: Item[], found: (i: number, j: number) => boolean | void): void {
  const n = items.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + items[i].weight;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (items[i].code < 0) continue;
    if (j < i) j = i;
    while (j + 1 < n && items[j + 1].time <= items[i].time + WINDOW_MS) j++;
    if (prefix[j + 1] - prefix[i] >= BURST_MIN && found(i, j)) return;
  }
}

/**
 * The items in a window of 10 as +1 where such a run of items begins and -1 after it ends
 * (their running sum is positive inside); a folded run is in one by construction.
 */
function markedItems(items: Item[]): Int32Array {
  const marks = new Int32Array(items.length + 1);
  eachWindow(items, (i, j) => {
    marks[i]++;
    marks[j + 1]--;
  });
  items.forEach((item, i) => {
    if (item.code !== -2) return;
    const until = item.bucket.markedUntil ?? item.time;
    let j = i;
    while (j + 1 < items.length && items[j + 1].time <= until) j++;
    marks[i]++;
    marks[j + 1]--;
  });
  return marks;
}

/**
 * A response is in a burst when a window of 5 minutes holds it and 9 more; a burst runs from
 * the first such response to the last, until 5 minutes pass without one, and counts every
 * response in between. Windows start at a response: the window's first.
 */
function findBursts(ip: string, buckets: BurstBucket[], out: BurstEntry[]): void {
  const items = itemsOf(buckets);
  const n = items.length;
  const marks = markedItems(items);

  let depth = 0;
  let start = -1;
  let last = -1;
  const close = (): void => {
    if (start >= 0) out.push(burstOf(ip, items, start, last));
  };
  for (let i = 0; i < n; i++) {
    depth += marks[i];
    if (depth <= 0) continue;
    if (start < 0 || (items[i].start ?? items[i].time) - items[last].time > WINDOW_MS) {
      close();
      start = i;
    }
    last = i;
  }
  close();
}

function burstOf(ip: string, items: Item[], start: number, end: number): BurstEntry {
  const counts = [0, 0, 0];
  let count = 0;
  let whole: BurstBucket | undefined;
  for (let i = start; i <= end; i++) {
    const { bucket, code } = items[i];
    if (code === -2 || bucket.count > 2 * EDGE) {
      // A full minute counts by its totals, once (a burst holds all of it).
      if (bucket === whole) continue;
      whole = bucket;
      count += bucket.count;
      counts[0] += bucket.s401;
      counts[1] += bucket.s403;
      counts[2] += bucket.s422;
    } else {
      count++;
      counts[code]++;
    }
  }
  const statuses: Record<string, number> = {};
  counts.forEach((c, k) => {
    if (c > 0) statuses[STATUSES[k]] = c;
  });
  return {
    ip,
    from: new Date(items[start].start ?? items[start].time).toISOString(),
    to: new Date(items[end].time).toISOString(),
    count,
    statuses,
  };
}
