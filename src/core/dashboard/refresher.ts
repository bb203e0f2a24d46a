/**
 * Refreshes with cancellation: each refresh gets its own AbortController and a new one aborts the
 * one still running; an optional timer refreshes on its own while the view is visible and no
 * refresh is under way. Refreshes start at most once per `minGapMs`: the ones asked for in
 * between share one at its end.
 */

type RefreshRun = (signal: AbortSignal, refreshId: number) => Promise<void>;

interface RefresherOptions {
  /** The least time between two starts; a page that asks in a loop gets one per gap. */
  minGapMs?: number;
}

export class Refresher {
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastId = 0;
  private disposed = false;
  private lastStart = -Infinity;
  /** The refresh waiting for the gap to pass, shared by everyone who asked meanwhile. */
  private waiting:
    { timer: ReturnType<typeof setTimeout>; done: Promise<void>; settle(): void } | undefined;
  private readonly minGapMs: number;

  constructor(
    private readonly run: RefreshRun,
    /** Auto-refresh skips its turn while this says false (a hidden panel). */
    private readonly shouldAutoRefresh: () => boolean = () => true,
    options: RefresherOptions = {},
  ) {
    this.minGapMs = options.minGapMs ?? 0;
  }

  /** The id of the latest refresh started; messages of older ones are stale. */
  get currentId(): number {
    return this.lastId;
  }

  /**
   * Starts a refresh, aborting the one still running; resolves when this one ends. Within
   * `minGapMs` of the last start it waits for the gap to pass, together with any other asked.
   */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.waiting) return this.waiting.done;
    const wait = this.lastStart + this.minGapMs - Date.now();
    if (wait <= 0) return this.start();
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => {
      this.waiting = undefined;
      // Those who waited only learn it ran: a dashboard load reports failures per section.
      this.start().then(settle, settle);
    }, wait);
    this.waiting = { timer, done, settle };
    return this.waiting.done;
  }

  private async start(): Promise<void> {
    if (this.disposed) return;
    this.lastStart = Date.now();
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const id = ++this.lastId;
    try {
      await this.run(controller.signal, id);
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  /**
   * Refreshes every `intervalMs` (0 turns it off), skipping a turn while a refresh is under way;
   * replaces any earlier schedule.
   */
  schedule(intervalMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.disposed || !(intervalMs > 0)) return;
    this.timer = setInterval(() => {
      // A refresh still under way is left to finish: one that takes longer than the interval
      // (a large log, a slow server) was aborted by the next tick, again and again, and the
      // dashboard read and read without ever showing the logs. Refresh still starts afresh.
      if (this.controller || this.waiting) return;
      if (this.shouldAutoRefresh()) void this.refresh();
    }, intervalMs);
  }

  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      this.waiting.settle();
      this.waiting = undefined;
    }
    this.controller?.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
