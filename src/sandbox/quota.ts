/**
 * Keap's gateway quotas (keap-api.md §5), enforced with the sandbox's own counters in fixed
 * windows of the sandbox clock: the calendar second (spike arrest), the calendar minute
 * (throttle) and the UTC day (quota, reset at 00:00 UTC). Every XML-RPC answer carries the
 * `x-keap-product-*` headers Keap sends, so a client can pace itself from them.
 */

export interface Quotas {
  perSecond: number;
  perMinute: number;
  perDay: number;
}

/** Service Account Keys / Personal Access Tokens. */
export const API_KEY_QUOTAS: Quotas = { perSecond: 10, perMinute: 240, perDay: 30_000 };
/** OAuth apps (per client id). */
export const OAUTH_QUOTAS: Quotas = { perSecond: 25, perMinute: 1_500, perDay: 150_000 };

const SECOND = 1000;
const MINUTE = 60_000;
const DAY = 86_400_000;

export type QuotaDecision = { ok: true } | { ok: false; retryAfterMs: number; window: 'second' | 'minute' | 'day' };

export class QuotaCounter {
  private second = -1;
  private minute = -1;
  private day = -1;
  private usedSecond = 0;
  private usedMinute = 0;
  private usedDay = 0;

  constructor(
    readonly quotas: Quotas,
    private readonly tenant: string,
  ) {}

  /** Counts the request if every window has room; otherwise says how long until one does. */
  take(now: number): QuotaDecision {
    this.roll(now);
    if (this.usedDay >= this.quotas.perDay) return { ok: false, retryAfterMs: (this.day + 1) * DAY - now, window: 'day' };
    if (this.usedMinute >= this.quotas.perMinute) return { ok: false, retryAfterMs: (this.minute + 1) * MINUTE - now, window: 'minute' };
    if (this.usedSecond >= this.quotas.perSecond) return { ok: false, retryAfterMs: (this.second + 1) * SECOND - now, window: 'second' };
    this.usedSecond++;
    this.usedMinute++;
    this.usedDay++;
    return { ok: true };
  }

  headers(now: number): Record<string, string> {
    this.roll(now);
    const q = this.quotas;
    return {
      'x-keap-product-quota-limit': String(q.perDay),
      'x-keap-product-quota-available': String(Math.max(0, q.perDay - this.usedDay)),
      'x-keap-product-quota-used': String(this.usedDay),
      'x-keap-product-quota-expiry-time': String((this.day + 1) * DAY),
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-interval': '1',
      'x-keap-product-throttle-limit': String(q.perMinute),
      'x-keap-product-throttle-available': String(Math.max(0, q.perMinute - this.usedMinute)),
      'x-keap-product-throttle-used': String(this.usedMinute),
      'x-keap-product-throttle-time-unit': 'minute',
      'x-keap-product-throttle-interval': '1',
      'x-keap-product-spike-limit': `${q.perSecond}ps`,
      'x-keap-tenant-id': this.tenant,
    };
  }

  private roll(now: number): void {
    const s = Math.floor(now / SECOND);
    const m = Math.floor(now / MINUTE);
    const d = Math.floor(now / DAY);
    if (s !== this.second) {
      this.second = s;
      this.usedSecond = 0;
    }
    if (m !== this.minute) {
      this.minute = m;
      this.usedMinute = 0;
    }
    if (d !== this.day) {
      this.day = d;
      this.usedDay = 0;
    }
  }
}
