import { describe, expect, it } from 'vitest';
import { ManualClock, VirtualClock } from '../src/keap/clock.js';
import { QuotaExhaustedError } from '../src/keap/errors.js';
import { RateLimiter } from '../src/keap/limiter.js';

function maxInWindow(times: number[], window: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] as number) - (times[lo] as number) >= window) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('the rate limiter', () => {
  it('never lets any second or minute exceed the API-key quotas (10/s, 240/min)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 10, 0, 0, 123));
    const limiter = new RateLimiter({ perSecond: 10, perMinute: 240, perDay: 30_000 }, clock);
    const sent: number[] = [];
    for (let i = 0; i < 1000; i++) {
      await limiter.acquire();
      sent.push(clock.now());
    }
    expect(maxInWindow(sent, 1_000)).toBe(10);
    expect(maxInWindow(sent, 60_000)).toBe(240);
    // And it uses the quota: 1000 calls at 240/min need a little over 4 minutes, not more.
    expect(sent[999]! - sent[0]!).toBeLessThan(4 * 60_000 + 10_000);
  });

  it('keeps concurrent callers within the quota too', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ perSecond: 5, perMinute: 1000, perDay: 1e6 }, clock);
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 25; i++) {
          await limiter.acquire();
          sent.push(clock.now());
        }
      }),
    );
    sent.sort((a, b) => a - b);
    expect(maxInWindow(sent, 1_000)).toBeLessThanOrEqual(5);
  });

  it("adopts lower limits from Keap's x-keap headers", () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perSecond: 25, perMinute: 1500, perDay: 150_000 }, clock);
    limiter.observe({ 'x-keap-product-spike-limit': '10ps', 'x-keap-product-throttle-limit': '240', 'x-keap-product-throttle-time-unit': 'minute', 'x-keap-product-quota-limit': '30000' });
    expect(limiter.quotas).toEqual({ perSecond: 10, perMinute: 240, perDay: 30_000 });
  });

  it('waits a minute when Keap says the minute allowance is spent', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perSecond: 25, perMinute: 1500, perDay: 150_000 }, clock);
    limiter.observe({ 'x-keap-product-throttle-available': '0' });
    const t0 = clock.now();
    await limiter.acquire();
    expect(clock.now() - t0).toBe(60_000);
  });

  it("keeps to Keap's count of the minute's calls left, which a run before this one spent part of", async () => {
    const clock = new ManualClock();
    // A fresh run: its own window is empty, but Keap's first answer says only 3 calls are left.
    const limiter = new RateLimiter({ perSecond: 1000, perMinute: 240, perDay: 30_000 }, clock);
    limiter.observe({ 'x-keap-product-throttle-limit': '240', 'x-keap-product-throttle-available': '3' });
    const heard = clock.now();
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(clock.now()).toBe(heard);
    // The fourth waits until the minute Keap counted in is surely over, then goes.
    await limiter.acquire();
    expect(clock.now() - heard).toBe(60_000);
    // From then on the limiter's own window rules again, until Keap's next answer.
    for (let i = 0; i < 10; i++) await limiter.acquire();
    expect(clock.now() - heard).toBe(60_000);
  });

  it('stops with the reset time when the day quota (ours or Keap\'s count) is spent', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 23, 0, 0));
    const limiter = new RateLimiter({ perSecond: 100, perMinute: 10_000, perDay: 3 }, clock);
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    await expect(limiter.acquire()).rejects.toEqual(expect.objectContaining({ resetAt: Date.UTC(2026, 10, 28) }));
    const other = new RateLimiter({ perSecond: 100, perMinute: 10_000, perDay: 150_000 }, clock);
    other.observe({ 'x-keap-product-quota-available': '1', 'x-keap-product-quota-expiry-time': String(Date.UTC(2026, 10, 28)) });
    await other.acquire();
    await expect(other.acquire()).rejects.toBeInstanceOf(QuotaExhaustedError);
  });

  it('starts a new day at midnight UTC', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 23, 59, 59));
    const limiter = new RateLimiter({ perSecond: 100, perMinute: 10_000, perDay: 1 }, clock);
    await limiter.acquire();
    clock.advance(2_000);
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });
});
