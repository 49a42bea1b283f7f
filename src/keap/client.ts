import { XmlRpcTransport, TransportError, type CallResult } from '../xmlrpc/transport.js';
import { XmlRpcParseError, type XmlRpcValue } from '../xmlrpc/types.js';
import { KEY_PLACEHOLDER, type Auth } from './auth.js';
import type { Clock } from './clock.js';
import { classify, gaveUp, KeapError, QuotaExhaustedError, type Signal } from './errors.js';
import type { RateLimiter } from './limiter.js';
import { Semaphore } from './semaphore.js';
import { parseRetryAfter, retryDelay, type Schedules } from './retry.js';

/**
 * The one way to call Keap: throttle before the call, authenticate, send, read the body (faults
 * come with HTTP 200), classify what went wrong by the error table, and retry on its schedule.
 */

export type LogFn = (level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string) => void;
export type MetricFn = (metric: string, value: number, tags: Record<string, string | number>) => void;

export interface KeapClientOptions {
  apiUrl: string;
  auth: Auth;
  limiter: RateLimiter;
  transport: XmlRpcTransport;
  clock: Clock;
  schedules: Schedules;
  random?: () => number;
  /** Requests in flight at once (the connector's `concurrency`). */
  maxInFlight?: number;
  log?: LogFn;
  metric?: MetricFn;
}

export interface KeapCallOptions {
  /** Names the call in messages, e.g. "DataService.query on Contact". Defaults to the method. */
  what?: string;
  /** Streams the elements of an array result instead of returning them (see XmlRpcReader). */
  onItem?: (item: XmlRpcValue) => void;
  ready?: () => Promise<void> | undefined;
  /** DataService.getUserInfo is the one method that must be called without the key parameter. */
  noKey?: boolean;
}

/**
 * Parameters may be a function: it is asked again before every retry, so a caller that streamed
 * part of a page can resume after the last item it received instead of receiving it twice.
 */
export type Params = readonly XmlRpcValue[] | (() => readonly XmlRpcValue[]);

/** What readers need of the client: one call. Per-stream counters wrap it (streams/engine.ts). */
export interface KeapCaller {
  call(method: string, params: Params, options?: KeapCallOptions): Promise<XmlRpcValue>;
}

export class KeapClient implements KeapCaller {
  private readonly random: () => number;
  private readonly slots: Semaphore;
  /** Requests sent, retries included. */
  requests = 0;
  retries = 0;

  constructor(private readonly o: KeapClientOptions) {
    this.random = o.random ?? Math.random;
    this.slots = new Semaphore(o.maxInFlight ?? 1);
  }

  get auth(): Auth {
    return this.o.auth;
  }

  async call(method: string, params: Params, options: KeapCallOptions = {}): Promise<XmlRpcValue> {
    const what = options.what ?? method;
    const attempts = new Map<string, number>();
    let refreshed = false;
    for (;;) {
      const p = typeof params === 'function' ? params() : params;
      let signal: Signal;
      let retryAfter: string | undefined;
      try {
        const result = await this.send(method, p, options);
        if (result.ok && result.message.kind === 'response') {
          return result.message.params[0] ?? null;
        }
        if (result.ok && result.message.kind === 'fault') {
          signal = { kind: 'fault', code: result.message.code, text: result.message.message };
        } else if (!result.ok) {
          signal = { kind: 'http', status: result.status, body: result.body };
          retryAfter = result.headers['retry-after'];
          if (result.status === 429) this.checkDailyQuota(result.headers);
        } else {
          signal = { kind: 'parse', reason: 'malformed', message: 'expected a methodResponse, got a methodCall' };
        }
      } catch (err) {
        if (err instanceof KeapError) throw err;
        signal = toSignal(err);
      }
      const c = classify(signal, what);
      switch (c.action.do) {
        case 'fail':
          throw new KeapError(c.message, c.action.failureType, c.rule, signal, c.scope);
        case 'skip':
          throw new KeapError(c.message, 'config_error', c.rule, signal);
        case 'refresh':
          // A 401 that a refresh cannot cure (an API key, or the new token refused too).
          if (refreshed || this.o.auth.kind !== 'oauth2') throw new KeapError(c.message, 'config_error', c.rule, signal, c.scope);
          refreshed = true;
          this.o.log?.('INFO', `access token rejected (${what}); refreshing it once and retrying`);
          await this.o.auth.refresh();
          continue;
        case 'retry': {
          const n = attempts.get(c.action.schedule) ?? 0;
          const schedule = this.o.schedules[c.action.schedule];
          const wait = retryDelay(schedule, n, this.random, parseRetryAfter(retryAfter, this.o.clock.now()));
          if (wait === undefined) {
            throw new KeapError(gaveUp(c.message, n), 'transient_error', c.rule, signal);
          }
          attempts.set(c.action.schedule, n + 1);
          this.retries++;
          this.o.log?.('WARN', `${c.message}; retry ${n + 1} in ${formatWait(wait)}`);
          await this.o.clock.sleep(wait);
          continue;
        }
      }
    }
  }

  private async send(method: string, params: readonly XmlRpcValue[], options: KeapCallOptions): Promise<CallResult> {
    await this.slots.acquire();
    try {
      return await this.sendInSlot(method, params, options);
    } finally {
      this.slots.release();
    }
  }

  private async sendInSlot(method: string, params: readonly XmlRpcValue[], options: KeapCallOptions): Promise<CallResult> {
    // The quota is taken when the request is about to leave, not while it waits for a slot.
    await this.o.limiter.acquire();
    const headers = await this.o.auth.headers();
    this.requests++;
    const started = performance.now();
    let status = 0;
    try {
      const result = await this.o.transport.call(this.o.apiUrl, method, options.noKey ? params : [KEY_PLACEHOLDER, ...params], {
        headers,
        onItem: options.onItem,
        ready: options.ready,
      });
      status = result.status;
      this.o.limiter.observe(result.headers);
      return result;
    } finally {
      this.o.metric?.('http_request_duration', (performance.now() - started) / 1000, {
        endpoint: method,
        http_status_code: status,
        status: status === 200 ? 'succeeded' : 'failed',
      });
    }
  }

  /** A 429 that says the day's quota is gone is not worth retrying for hours: stop and checkpoint. */
  private checkDailyQuota(headers: Record<string, string>): void {
    const left = headers['x-keap-product-quota-available'];
    if (left !== undefined && Number(left) <= 0) {
      const expiry = Number(headers['x-keap-product-quota-expiry-time']);
      const now = this.o.clock.now();
      throw new QuotaExhaustedError(Number.isFinite(expiry) && expiry > now ? expiry : (Math.floor(now / 86_400_000) + 1) * 86_400_000);
    }
  }
}

function toSignal(err: unknown): Signal {
  if (err instanceof TransportError) return { kind: 'network', code: err.code, message: err.message };
  if (err instanceof XmlRpcParseError) return { kind: 'parse', reason: err.reason, message: err.message };
  // Anything else escaping the transport is a bug of ours; surface it as a system error.
  throw err;
}

function formatWait(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
