/**
 * Refreshes with cancellation: each refresh gets its own AbortController and a new one aborts the
 * one still running; an optional timer refreshes on its own while the view is visible.
 */

export type RefreshRun = (signal: AbortSignal, refreshId: number) => Promise<void>;

export class Refresher {
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastId = 0;
  private disposed = false;

  constructor(
    private readonly run: RefreshRun,
    /** Auto-refresh skips its turn while this says false (a hidden panel). */
    private readonly shouldAutoRefresh: () => boolean = () => true,
  ) {}

  /** The id of the latest refresh started; messages of older ones are stale. */
  get currentId(): number {
    return this.lastId;
  }

  /** Starts a refresh, aborting the one still running; resolves when this one ends. */
  async refresh(): Promise<void> {
    if (this.disposed) return;
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

  /** Refreshes every `intervalMs` (0 turns it off); replaces any earlier schedule. */
  schedule(intervalMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.disposed || !(intervalMs > 0)) return;
    this.timer = setInterval(() => {
      if (this.shouldAutoRefresh()) void this.refresh();
    }, intervalMs);
  }

  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.controller?.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
