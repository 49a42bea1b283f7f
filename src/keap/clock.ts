/**
 * Time is injected everywhere a decision depends on it (backoff, quotas, bookmarks), so a
 * 20-minute backoff is tested in milliseconds and a DST edge case is reproducible.
 */
export interface Clock {
  /** Milliseconds since the epoch (UTC). */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Node fires a timer of more than 2^31 - 1 ms at once (with a warning): longer sleeps go in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (ms <= 0) return resolve();
      if (signal?.aborted) return reject(signal.reason as Error);
      const step = Math.min(ms, MAX_TIMER_MS);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        if (step < ms) systemClock.sleep(ms - step, signal).then(resolve, reject);
        else resolve();
      }, step);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock whose time only moves when someone sleeps on it: every sleep advances `now` by exactly
 * the requested amount and resolves on the next microtask. Tests read `sleeps` to assert the exact
 * waits a policy asked for.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current = Date.UTC(2026, 10, 27, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (ms > 0) this.current += ms;
    await Promise.resolve();
  }
}

/**
 * Simulated time for concurrent code: sleepers wake in order of their wake time, and time jumps
 * straight to the next wake once everything runnable has run (checked on the next macrotask).
 * Hours of backoff across several streams pass in milliseconds, in the right order.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private scheduled = false;
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      if (next.at > this.current) this.current = next.at;
      next.resolve();
      if (this.timers.length) this.schedule();
    });
  }
}
