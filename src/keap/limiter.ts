import type { Clock } from './clock.js';
import { QuotaExhaustedError } from './errors.js';

/**
 * Keeps the connector under Keap's quotas before each call, not after a 429. Windows slide, so
 * whatever window alignment Keap's gateway uses, no second, minute or day can exceed the limit.
 * Keap tells what it counts in `x-keap-*` headers; the limiter adopts the lower of its own limits
 * and Keap's, and takes the server's remaining daily quota as the truth (other clients spend it too).
 */

export interface Quotas {
  perSecond: number;
  perMinute: number;
  perDay: number;
}

/** Keap's published quotas per credential kind (keap-api.md §5). */
export const DEFAULT_QUOTAS: Record<'oauth2' | 'api_key', Quotas> = {
  oauth2: { perSecond: 25, perMinute: 1_500, perDay: 150_000 },
  api_key: { perSecond: 10, perMinute: 240, perDay: 30_000 },
};

const SECOND = 1_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Keap counts a call when it arrives, we when we send it; network and event-loop jitter between
 * the two can push the 11th send of a second into the same gateway second as the 1st. Each window
 * is therefore treated as this much longer than it is: 2.5% of the per-second rate, under 1% of the
 * per-minute one, and no 429 from an honest jitter. Measured: with no guard, 3 of 4 runs of the
 * API-key quota test under load drew a 429 from the sandbox; with 20 ms, none of 16.
 */
export const JITTER_GUARD_MS = { second: 25, minute: 500 } as const;

export class RateLimiter {
  /** Send times within the last minute, oldest first. */
  private sent: number[] = [];
  private head = 0;
  private dayStart: number;
  private dayUsed = 0;
  /** Keap's own count of what is left today, when a response said so. */
  private serverDayLeft: number | undefined;
  private serverDayReset: number | undefined;
  /**
   * Keap's count of the calls left in its current minute, and when we heard it. A run does not
   * know what a run just before it (a discover, the previous sync) or another client spent of the
   * minute; the first answer says, and the limiter keeps to that count until the minute it was
   * counted in is surely over (its alignment is not ours to see: a minute after we heard it).
   */
  private serverMinuteLeft: number | undefined;
  private serverMinuteHeardAt = 0;
  private readonly limits: Quotas;
  /** Calls made, for the summary and the benchmark. */
  calls = 0;

  constructor(
    limits: Quotas,
    private readonly clock: Clock,
    /**
     * Told of every wait before it starts (the runtime flushes output and logs long ones). Waits
     * are bounded by construction: at most a minute and its guard, whatever the headers say.
     */
    private readonly onWait?: (ms: number) => Promise<void> | void,
  ) {
    this.limits = { ...limits };
    this.dayStart = Math.floor(clock.now() / DAY) * DAY;
  }

  get quotas(): Readonly<Quotas> {
    return this.limits;
  }

  /** Waits until one more call keeps every window within its limit, then counts it. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.rollDay(now);
      if (this.dayLeft() <= 0) throw new QuotaExhaustedError(this.serverDayReset ?? this.dayStart + DAY);
      const wait = this.waitMs(now);
      if (wait <= 0) {
        this.record(now);
        return;
      }
      await this.onWait?.(wait);
      await this.clock.sleep(wait);
    }
  }

  /** Adapts to the quota headers of a response. */
  observe(headers: Record<string, string>): void {
    const num = (k: string): number | undefined => {
      const v = headers[k];
      if (v === undefined) return undefined;
      const n = Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    const now = this.clock.now();
    // Spike arrest reads like "10ps" (per second) or "600pm".
    const spike = /^(\d+)\s*ps$/i.exec(headers['x-keap-product-spike-limit'] ?? '');
    if (spike) this.limits.perSecond = Math.min(this.limits.perSecond, Number(spike[1]));
    const throttleLimit = num('x-keap-product-throttle-limit');
    const unit = (headers['x-keap-product-throttle-time-unit'] ?? 'minute').toLowerCase();
    if (throttleLimit !== undefined && throttleLimit > 0 && unit.startsWith('minute')) {
      this.limits.perMinute = Math.min(this.limits.perMinute, throttleLimit);
    }
    const lefts = [num('x-keap-product-throttle-available'), num('x-keap-tenant-throttle-available')].filter((n): n is number => n !== undefined);
    if (lefts.length) {
      this.serverMinuteLeft = Math.min(...lefts);
      this.serverMinuteHeardAt = now;
    }
    const quotaLimit = num('x-keap-product-quota-limit');
    if (quotaLimit !== undefined && quotaLimit > 0) this.limits.perDay = Math.min(this.limits.perDay, quotaLimit);
    const quotaLeft = num('x-keap-product-quota-available');
    if (quotaLeft !== undefined) this.serverDayLeft = quotaLeft;
    const expiry = num('x-keap-product-quota-expiry-time');
    if (expiry !== undefined && expiry > now) this.serverDayReset = expiry;
  }

  /** What is left of the day's quota as far as we know. */
  dayLeft(): number {
    const ours = this.limits.perDay - this.dayUsed;
    return this.serverDayLeft === undefined ? ours : Math.min(ours, this.serverDayLeft);
  }

  private rollDay(now: number): void {
    const reset = this.serverDayReset ?? this.dayStart + DAY;
    if (now >= reset) {
      this.dayStart = Math.floor(now / DAY) * DAY;
      this.dayUsed = 0;
      this.serverDayLeft = undefined;
      this.serverDayReset = undefined;
    }
  }

  private waitMs(now: number): number {
    if (this.serverMinuteLeft !== undefined) {
      const over = this.serverMinuteHeardAt + MINUTE;
      // Its minute is over: Keap's next answer tells the new count.
      if (now >= over) this.serverMinuteLeft = undefined;
      else if (this.serverMinuteLeft <= 0) return over - now;
    }
    // Drop sends older than a (guarded) minute.
    while (this.head < this.sent.length && (this.sent[this.head] as number) <= now - MINUTE - JITTER_GUARD_MS.minute) this.head++;
    if (this.head > 4096) {
      this.sent = this.sent.slice(this.head);
      this.head = 0;
    }
    const inMinute = this.sent.length - this.head;
    let wait = 0;
    if (inMinute >= this.limits.perMinute) {
      wait = (this.sent[this.sent.length - this.limits.perMinute] as number) + MINUTE + JITTER_GUARD_MS.minute - now;
    }
    if (this.limits.perSecond > 0 && inMinute >= this.limits.perSecond) {
      const nth = this.sent[this.sent.length - this.limits.perSecond] as number;
      const span = SECOND + JITTER_GUARD_MS.second;
      if (nth > now - span) wait = Math.max(wait, nth + span - now);
    }
    return wait;
  }

  private record(now: number): void {
    this.sent.push(now);
    this.dayUsed++;
    this.calls++;
    if (this.serverDayLeft !== undefined) this.serverDayLeft--;
    if (this.serverMinuteLeft !== undefined) this.serverMinuteLeft--;
  }
}
