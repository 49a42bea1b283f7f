import type { ScheduleName } from './errors.js';

/**
 * Retry timings are data. Two schedules are the ones Keap users already rely on (documented by
 * Domo's Infusionsoft connector): a query Keap cancelled for taking too long is retried 5 times,
 * after 5 s, 10 s, 30 s, 1 min and 5 min; a saved search Keap has blocked is retried every 20
 * minutes, up to 10 times. Everything else transient backs off exponentially with jitter, and a
 * server's Retry-After wins over the schedule.
 */
export type Schedule =
  | { kind: 'fixed'; delaysMs: number[] }
  | {
      kind: 'exponential';
      /** Retries after the first attempt. */
      retries: number;
      baseMs: number;
      factor: number;
      maxMs: number;
      /** 0: exact; 1: anywhere in [0, delay] ("full jitter"). The delay is delay * (1 - jitter * random). */
      jitter: number;
    };

export type Schedules = Record<ScheduleName, Schedule>;

export const DEFAULT_SCHEDULES: Schedules = {
  query_timeout: { kind: 'fixed', delaysMs: [5_000, 10_000, 30_000, 60_000, 300_000] },
  saved_search_blocked: { kind: 'fixed', delaysMs: Array.from({ length: 10 }, () => 1_200_000) },
  transient: { kind: 'exponential', retries: 6, baseMs: 1_000, factor: 2, maxMs: 60_000, jitter: 0.5 },
  rate_limited: { kind: 'exponential', retries: 8, baseMs: 2_000, factor: 2, maxMs: 120_000, jitter: 0.5 },
};

/** The `retry` block of the config, every key optional. */
export interface RetryConfig {
  max_retries?: number;
  base_delay_ms?: number;
  max_delay_ms?: number;
  query_timeout_delays_seconds?: number[];
  saved_search_blocked_delay_seconds?: number;
  saved_search_blocked_retries?: number;
}

export function schedulesFromConfig(c: RetryConfig | undefined): Schedules {
  const s = structuredClone(DEFAULT_SCHEDULES);
  if (!c) return s;
  for (const name of ['transient', 'rate_limited'] as const) {
    const e = s[name];
    if (e.kind !== 'exponential') continue;
    if (c.max_retries !== undefined) e.retries = c.max_retries;
    if (c.base_delay_ms !== undefined) e.baseMs = c.base_delay_ms;
    if (c.max_delay_ms !== undefined) e.maxMs = c.max_delay_ms;
  }
  if (c.query_timeout_delays_seconds) {
    s.query_timeout = { kind: 'fixed', delaysMs: c.query_timeout_delays_seconds.map((x) => x * 1000) };
  }
  if (c.saved_search_blocked_delay_seconds !== undefined || c.saved_search_blocked_retries !== undefined) {
    const delay = (c.saved_search_blocked_delay_seconds ?? 1200) * 1000;
    s.saved_search_blocked = { kind: 'fixed', delaysMs: Array.from({ length: c.saved_search_blocked_retries ?? 10 }, () => delay) };
  }
  return s;
}

/**
 * The wait before retry number `retry` (0 = the first retry), or undefined when the schedule is
 * spent. `retryAfterMs`, when the server sent one, replaces the computed delay.
 */
export function retryDelay(schedule: Schedule, retry: number, random: () => number, retryAfterMs?: number): number | undefined {
  if (schedule.kind === 'fixed') {
    const d = schedule.delaysMs[retry];
    if (d === undefined) return undefined;
    return retryAfterMs !== undefined ? Math.max(retryAfterMs, d) : d;
  }
  if (retry >= schedule.retries) return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs;
  const raw = Math.min(schedule.maxMs, schedule.baseMs * schedule.factor ** retry);
  return Math.round(raw * (1 - schedule.jitter * random()));
}

/**
 * The longest Retry-After a schedule honours: its longest delay (`max_delay_ms` for the backoff
 * schedules). A server asking for more (a day; a value past Node's 24.8-day timer range, which
 * would fire at once and retry every millisecond) fails the stream with the time it asked for:
 * waiting in silence would look like a hang, and the next run can start when the user chooses.
 */
export function retryAfterCap(schedule: Schedule): number {
  return schedule.kind === 'exponential' ? schedule.maxMs : Math.max(0, ...schedule.delaysMs);
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
