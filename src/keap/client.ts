import { TransportError } from '../http/errors.js';
import type { PageEnd } from '../rest/page-reader.js';
import type { RawJson } from '../rest/raw-json.js';
import { RestParseError, type RestPageResult, type RestRequest, type RestResult, type RestTransport } from '../rest/transport.js';
import { XmlRpcTransport, type CallResult } from '../xmlrpc/transport.js';
import { XmlRpcParseError, type XmlRpcValue } from '../xmlrpc/types.js';
import { answerShapeProblem } from './answer-shapes.js';
import { KEY_PLACEHOLDER, type Auth } from './auth.js';
import type { Clock } from './clock.js';
import { classify, gaveUp, KeapError, QuotaExhaustedError, type Api, type Signal } from './errors.js';
import type { RateLimiter } from './limiter.js';
import { Semaphore } from './semaphore.js';
import { parseRetryAfter, retryAfterCap, retryDelay, type Schedules } from './retry.js';

/**
 * The one way to call Keap, through either API: throttle before the call (one limiter: both APIs
 * spend the same account's quota), authenticate, send, read the body (XML-RPC faults come with HTTP
 * 200), classify what went wrong by the error table, and retry on its schedule.
 */

export type LogFn = (level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string) => void;
export type MetricFn = (metric: string, value: number, tags: Record<string, string | number>) => void;

export interface KeapClientOptions {
  apiUrl: string;
  /** Keap's REST v2 base URL, e.g. https://api.infusionsoft.com/crm/rest/v2 (no trailing slash). */
  restUrl?: string;
  auth: Auth;
  limiter: RateLimiter;
  transport: XmlRpcTransport;
  rest?: RestTransport;
  clock: Clock;
  schedules: Schedules;
  random?: () => number;
  /** Requests in flight at once (the connector's `concurrency`). */
  maxInFlight?: number;
  log?: LogFn;
  metric?: MetricFn;
  /**
   * Hands over everything printed so far and resolves once it is out (protocol/writer.ts settle):
   * awaited before every request and every backoff, so a rotated token, a checkpoint or a log line
   * about a wait is never held in a buffer while the connector waits.
   */
  settle?: () => Promise<void>;
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

/** A REST v2 request: a path under rest_url (`/contacts`), its query, and for POST a JSON body. */
export interface RestCall {
  method?: 'GET' | 'POST';
  path: string;
  /** Asked again before every retry, like Params. */
  query?: Record<string, string> | (() => Record<string, string>);
  body?: unknown;
  /** Names the call in messages, e.g. "GET /contacts". */
  what?: string;
  /**
   * Reads the parsed answer inside the attempt (a list page: rest/page.ts readPage), so an answer of
   * the wrong shape (a RestParseError) is retried as malformed rather than taken as empty; the call
   * returns what this returns.
   */
  read?: (json: unknown) => unknown;
}

/**
 * A REST v2 list page read as it streams in: each element of the list under `itemsKey` goes to
 * onItem as soon as it is read (valid only during the call: rest/raw-json.ts). An attempt that fails
 * after some went out is retried like any other, with `query` asked again first: the caller makes it
 * ask for what comes after what it already received, or skips what it receives again.
 */
export interface RestPageCall extends RestCall {
  itemsKey: string;
  onItem: (item: RawJson) => void;
  /** Awaited between chunks of the body: the caller's output has room. */
  ready?: () => Promise<void> | undefined;
}

/** What readers need of the client: one call per API. Per-stream counters wrap it (streams/engine.ts). */
export interface KeapCaller {
  call(method: string, params: Params, options?: KeapCallOptions): Promise<XmlRpcValue>;
  /** The parsed JSON answer of a REST v2 call. */
  rest(call: RestCall): Promise<unknown>;
  /** One page of a REST v2 list, streamed to call.onItem; resolves with where the next page is. */
  restPage(call: RestPageCall): Promise<PageEnd>;
}

/** One attempt's outcome: the answer, or what went wrong for the error table to judge. */
type Attempt<T> = { ok: true; value: T } | { ok: false; signal: Signal; retryAfter?: string };

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

  call(method: string, params: Params, options: KeapCallOptions = {}): Promise<XmlRpcValue> {
    return this.attempts(options.what ?? method, 'xmlrpc', async () => {
      const p = typeof params === 'function' ? params() : params;
      const result = await this.send(method, p, options);
      if (result.ok && result.message.kind === 'response') {
        const value = result.message.params[0] ?? null;
        const problem = answerShapeProblem(method, value);
        if (problem !== undefined) return { ok: false, signal: { kind: 'parse', reason: 'malformed', message: problem } };
        return { ok: true, value };
      }
      if (result.ok && result.message.kind === 'fault') return { ok: false, signal: { kind: 'fault', code: result.message.code, text: result.message.message } };
      if (!result.ok) {
        if (result.status === 429) this.checkDailyQuota(result.headers);
        return { ok: false, signal: { kind: 'http', status: result.status, body: result.body, contentType: result.headers['content-type'] }, retryAfter: result.headers['retry-after'] };
      }
      return { ok: false, signal: { kind: 'parse', reason: 'malformed', message: 'expected a methodResponse, got a methodCall' } };
    });
  }

  rest(call: RestCall): Promise<unknown> {
    return this.restAttempts(call, (t, req) => t.send(req), (result) => (call.read === undefined ? result.json : call.read(result.json)));
  }

  restPage(call: RestPageCall): Promise<PageEnd> {
    const page = { itemsKey: call.itemsKey, onItem: call.onItem, ready: call.ready };
    return this.restAttempts(call, (t, req) => t.sendPage(req, page), (result) => result.page);
  }

  private restAttempts<R extends RestResult | RestPageResult, T>(
    call: RestCall,
    send: (transport: RestTransport, req: RestRequest) => Promise<R>,
    value: (result: Extract<R, { ok: true }>) => T,
  ): Promise<T> {
    const method = call.method ?? 'GET';
    const what = call.what ?? `${method} ${call.path}`;
    return this.attempts(what, 'rest', async () => {
      const query = typeof call.query === 'function' ? call.query() : call.query;
      const result = await this.sendRest(method, call.path, query, call.body, send);
      if (result.ok) return { ok: true, value: value(result as Extract<R, { ok: true }>) };
      if (result.status === 429) this.checkDailyQuota(result.headers);
      return { ok: false, signal: { kind: 'http', status: result.status, body: result.body, contentType: result.headers['content-type'] }, retryAfter: result.headers['retry-after'] };
    });
  }

  /** Sends until an answer, a failure the error table says to stop on, or a spent retry schedule. */
  private async attempts<T>(what: string, api: Api, once: () => Promise<Attempt<T>>): Promise<T> {
    const attempts = new Map<string, number>();
    let refreshed = false;
    for (;;) {
      let outcome: Attempt<T>;
      await this.o.settle?.();
      try {
        outcome = await once();
      } catch (err) {
        if (err instanceof KeapError) throw err;
        outcome = { ok: false, signal: toSignal(err) };
      }
      if (outcome.ok) return outcome.value;
      const { signal, retryAfter } = outcome;
      const c = classify(signal, what, api);
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
          const asked = parseRetryAfter(retryAfter, this.o.clock.now());
          const cap = retryAfterCap(schedule);
          if (asked !== undefined && asked > cap) {
            throw new KeapError(
              `${c.message}; Keap asked to wait ${formatWait(asked)} before retrying (Retry-After), more than retry.max_delay_ms (${formatWait(cap)}) allows: stopping here, run again later`,
              'transient_error',
              c.rule,
              signal,
            );
          }
          const wait = retryDelay(schedule, n, this.random, asked);
          if (wait === undefined) {
            throw new KeapError(gaveUp(c.message, n), 'transient_error', c.rule, signal);
          }
          attempts.set(c.action.schedule, n + 1);
          this.retries++;
          this.o.log?.('WARN', `${c.message}; retry ${n + 1} in ${formatWait(wait)}`);
          await this.o.settle?.();
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

  private async sendRest<R extends RestResult | RestPageResult>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string> | undefined,
    body: unknown,
    send: (transport: RestTransport, req: RestRequest) => Promise<R>,
  ): Promise<R> {
    const transport = this.o.rest;
    const base = this.o.restUrl;
    if (transport === undefined || base === undefined) throw new Error('this client has no REST transport');
    await this.slots.acquire();
    try {
      await this.o.limiter.acquire();
      const headers = await this.o.auth.headers();
      this.requests++;
      const started = performance.now();
      let status = 0;
      try {
        const result = await send(transport, { method, url: base + path, params: query, body, headers });
        status = result.status;
        this.o.limiter.observe(result.headers);
        return result;
      } finally {
        this.o.metric?.('http_request_duration', (performance.now() - started) / 1000, {
          endpoint: `${method} ${path}`,
          http_status_code: status,
          status: status >= 200 && status < 300 ? 'succeeded' : 'failed',
        });
      }
    } finally {
      this.slots.release();
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
  if (err instanceof XmlRpcParseError || err instanceof RestParseError) return { kind: 'parse', reason: err.reason, message: err.message };
  // Anything else escaping the transport is a bug of ours; surface it as a system error.
  throw err;
}

export function formatWait(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
}
