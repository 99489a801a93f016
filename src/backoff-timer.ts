// A one-shot retry timer whose delay doubles on each use, for reopening connections after a
// failed connect without hammering a server that is down.

/** Schedules one retry at a time; the delay doubles from `minMs` up to `maxMs` until `reset()`. */
export class BackoffTimer {
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** True while a retry is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Runs `fn` after the next delay, unless a retry is already scheduled. The timer never holds the process open. */
  schedule(fn: () => void): void {
    if (this.timer !== undefined) return;
    this.delayMs = Math.min(this.maxMs, Math.max(this.minMs, this.delayMs * 2));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, this.delayMs);
    this.timer.unref();
  }

  /** The next retry waits the shortest delay again (the last attempt succeeded). */
  reset(): void {
    this.delayMs = 0;
  }

  /** Drops a scheduled retry. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
