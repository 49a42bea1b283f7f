import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { systemClock, type Clock } from '../keap/clock.js';
import { encodeFault } from '../xmlrpc/encode.js';
import { parseXmlRpc } from '../xmlrpc/parse.js';
import type { XmlRpcValue } from '../xmlrpc/types.js';
import { SandboxData } from './data.js';
import { DOCTYPE_BODY, deepNestingBody, FAULT_BODIES, FaultInjector, OVERSIZE_BYTES, type FaultKind, type FaultPlan } from './faults.js';
import { dispatch, methodContext, withMethod, type MethodContext, type MethodDef, type MethodMap } from './methods.js';
// The report menu's methods register themselves (report-methods*.ts).
import './report-methods.js';
import { Mutator, type MutationPlan } from './mutations.js';
import { defaultCredentials, OAuthServer, type HttpAnswer, type SandboxCredentials } from './oauth.js';
import { API_KEY_QUOTAS, OAUTH_QUOTAS, QuotaCounter, type Quotas } from './quota.js';

/**
 * The Keap double: one HTTP server on loopback with Keap's XML-RPC endpoint, its OAuth token and
 * authorize URLs, its gateway's 401/429 JSON bodies and quota headers, and switches for latency,
 * faults and rows changing mid-sync. Tests, the benchmark and the demo run against it.
 */

export interface QuotaOptions extends Partial<Quotas> {
  /** Overrides for requests authenticated with X-Keap-API-Key (default 10/s, 240/min, 30,000/day). */
  apiKey?: Partial<Quotas>;
  /** Overrides for requests with an OAuth Bearer token (default 25/s, 1,500/min, 150,000/day). */
  oauth?: Partial<Quotas>;
}

export interface SandboxOptions {
  seed?: number;
  /** Contacts in the generated account; other tables scale from it (default 1000). */
  contacts?: number;
  /** 0 = an ephemeral port. */
  port?: number;
  /** The app's zone: dates are rendered and compared on its wall clock (default America/New_York). */
  timezone?: string;
  /** Time for quotas, token expiry and the stamps of changed rows (latency and hangs use real time). */
  clock?: Clock;
  /** Flat numbers apply to both kinds of credential; `apiKey`/`oauth` override per kind. */
  quotas?: QuotaOptions;
  /** Delay before every XML-RPC answer. */
  latencyMs?: number;
  /** Cache whole XML-RPC response bodies by request body (invalidated by any data change). */
  cachePages?: boolean;
  /**
   * Gzip XML-RPC answers for clients that accept it, as Keap does (default true). Turning it off
   * spares the sandbox ~5 ms of CPU per 1000-contact page, for benchmarks that measure the client.
   */
  gzip?: boolean;
  /** Defaults are generated from the seed. */
  credentials?: Partial<SandboxCredentials>;
  accessTokenTtlSeconds?: number;
  faults?: FaultPlan;
  mutations?: MutationPlan;
  /** Extra or replacement XML-RPC methods for this instance. */
  methods?: MethodMap;
  /** The app name in `<app>.infusionsoft.com` (scope, tenant header, getUserInfo). Default 'sandbox'. */
  app?: string;
}

export interface SandboxStats {
  /** XML-RPC requests received (every POST to the XML-RPC URL). */
  requests: number;
  /** Calls per method name, for requests that got as far as being parsed. */
  byMethod: Record<string, number>;
  /** HTTP 401s sent. */
  unauthorized: number;
  /** HTTP 429s sent: quota violations plus injected 'http429'. */
  throttled: number;
  /** Requests refused because a quota window was full. */
  quotaViolations: number;
  faults: Partial<Record<FaultKind, number>>;
  /** XML-RPC response bytes written (compressed size when gzipped). */
  bytesSent: number;
  /** POSTs to the token URL. */
  tokenRequests: number;
  /** Answers served from the page cache. */
  cacheHits: number;
}

export interface Sandbox {
  apiUrl: string;
  tokenUrl: string;
  authorizeUrl: string;
  port: number;
  /** What the sandbox accepted at start. The refresh token rotates: see liveRefreshTokens(). */
  credentials: SandboxCredentials;
  data: SandboxData;
  stats: SandboxStats;
  setFaults(plan: FaultPlan): void;
  setMutations(plan: MutationPlan): void;
  /** New quotas, counted from zero (as `quotas` at start). */
  setQuotas(quotas: QuotaOptions): void;
  /** Ids touched by the mutation plan ('ContactId:GroupId' strings for ContactGroupAssign). */
  mutated(table: 'ContactGroupAssign'): Set<string>;
  mutated(table: string): Set<number>;
  /** Every access token issued so far stops working (a mid-sync 401, then a refresh). */
  revokeAccessTokens(): void;
  liveRefreshTokens(): string[];
  /** The one JSON line the CLI prints. */
  announce(): string;
  close(): Promise<void>;
}

const XMLRPC_PATH = '/crm/xmlrpc/v1';
const TOKEN_PATH = '/token';
const AUTHORIZE_PATH = '/app/oauth/authorize';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
// Enough for every page of a million contacts (~1.7 GB at 1000 rows of 86 columns), which the
// benchmark reads from the cache so that rendering never slows the client it measures.
const MAX_CACHE_BYTES = 2560 * 1024 * 1024;

const gzip = promisify(zlib.gzip);

const UNAUTHORIZED_BODY = JSON.stringify({ fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } });
const QUOTA_BODY = JSON.stringify({ code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null });

/** A response body, with its gzip form and cache key when the page cache holds it. */
interface Answer {
  body: Buffer;
  fault: boolean;
  gz: Buffer | undefined;
  cacheKey: string | undefined;
}

interface CachedPage {
  version: number;
  body: Buffer;
  gz: Buffer | undefined;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const s = new SandboxServer(options);
  await s.listen(options.port ?? 0);
  return s.facade();
}

class SandboxServer {
  readonly data: SandboxData;
  readonly credentials: SandboxCredentials;
  readonly stats: SandboxStats = {
    requests: 0,
    byMethod: {},
    unauthorized: 0,
    throttled: 0,
    quotaViolations: 0,
    faults: {},
    bytesSent: 0,
    tokenRequests: 0,
    cacheHits: 0,
  };
  private readonly server: http.Server;
  private readonly clock: Clock;
  private readonly oauth: OAuthServer;
  private readonly faults: FaultInjector;
  private readonly mutator: Mutator;
  private quotaKey!: QuotaCounter;
  private quotaOAuth!: QuotaCounter;
  private readonly tenant: string;
  private readonly latencyMs: number;
  private readonly gzip: boolean;
  private readonly cache: Map<string, CachedPage> | null;
  private cacheBytes = 0;
  private readonly context: MethodContext;
  private readonly extra: Map<string, MethodDef>;
  private readonly waiters = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private requestNo = 0;
  private closed = false;
  private port = 0;

  constructor(options: SandboxOptions) {
    const seed = options.seed ?? 1;
    this.clock = options.clock ?? systemClock;
    this.data = new SandboxData({ seed, contacts: options.contacts ?? 1000, timezone: options.timezone ?? 'America/New_York', clock: this.clock });
    this.credentials = { ...defaultCredentials(seed), ...definedOnly(options.credentials ?? {}) };
    const app = options.app ?? 'sandbox';
    const tenant = `${app}.infusionsoft.com`;
    this.oauth = new OAuthServer(this.credentials, this.clock, options.accessTokenTtlSeconds ?? 86_400, tenant, seed);
    this.faults = new FaultInjector(seed, options.faults);
    this.mutator = new Mutator(this.data, seed, options.mutations);
    this.tenant = tenant;
    this.setQuotas(options.quotas ?? {});
    this.latencyMs = options.latencyMs ?? 0;
    this.gzip = options.gzip ?? true;
    this.cache = options.cachePages === true ? new Map() : null;
    this.extra = new Map(Object.entries(options.methods ?? {}).map(([k, v]) => [k, typeof v === 'function' ? { handler: v } : v]));
    this.context = methodContext(this.data, { app });
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        // One line; the stack only when asked for, as the connector does.
        const debug = process.env['TAP_INFUSIONSOFT_DEBUG'] && err instanceof Error ? `\n${err.stack ?? ''}` : '';
        process.stderr.write(`sandbox: internal error: ${err instanceof Error ? err.message : String(err)}${debug}\n`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('sandbox error');
        } else res.destroy();
      });
    });
    // Longer than any client's keep-alive, so a client never reuses a socket the server just closed.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  setQuotas(q: QuotaOptions): void {
    const flat = definedOnly({ perSecond: q.perSecond, perMinute: q.perMinute, perDay: q.perDay });
    this.quotaKey = new QuotaCounter({ ...API_KEY_QUOTAS, ...flat, ...definedOnly(q.apiKey ?? {}) }, this.tenant);
    this.quotaOAuth = new QuotaCounter({ ...OAUTH_QUOTAS, ...flat, ...definedOnly(q.oauth ?? {}) }, this.tenant);
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  facade(): Sandbox {
    const base = `http://127.0.0.1:${this.port}`;
    const mutated = (table: string): Set<number> & Set<string> => this.mutator.mutated(table) as Set<number> & Set<string>;
    const sandbox: Sandbox = {
      apiUrl: base + XMLRPC_PATH,
      tokenUrl: base + TOKEN_PATH,
      authorizeUrl: base + AUTHORIZE_PATH,
      port: this.port,
      credentials: this.credentials,
      data: this.data,
      stats: this.stats,
      setFaults: (plan) => this.faults.set(plan),
      setMutations: (plan) => this.mutator.set(plan),
      setQuotas: (quotas) => this.setQuotas(quotas),
      mutated,
      revokeAccessTokens: () => this.oauth.revokeAccessTokens(),
      liveRefreshTokens: () => this.oauth.liveRefreshTokens(),
      announce: () =>
        JSON.stringify({
          api_url: sandbox.apiUrl,
          token_url: sandbox.tokenUrl,
          authorize_url: sandbox.authorizeUrl,
          api_key: this.credentials.api_key,
          client_id: this.credentials.client_id,
          client_secret: this.credentials.client_secret,
          refresh_token: this.credentials.refresh_token,
        }),
      close: () => this.close(),
    };
    return sandbox;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waiters.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox');
    } catch {
      // `GET http://[ HTTP/1.1` reaches here: Node's parser accepts any target.
      return answer(res, { status: 400, headers: { 'Content-Type': 'text/plain' }, body: 'Bad Request: the request target is not a URL' });
    }
    if (url.pathname === XMLRPC_PATH) {
      if (req.method !== 'POST') return answer(res, { status: 405, headers: { Allow: 'POST' }, body: '' });
      return this.xmlrpc(req, res, url);
    }
    if (url.pathname === TOKEN_PATH && req.method === 'POST') {
      this.stats.tokenRequests++;
      const body = await readBody(req, 64 * 1024);
      if (body === null) return answer(res, { status: 413, headers: {}, body: '' });
      return answer(res, this.oauth.token(new URLSearchParams(body.toString('utf8')), req.headers.authorization));
    }
    if (url.pathname === AUTHORIZE_PATH && req.method === 'GET') return answer(res, this.oauth.authorize(url.searchParams));
    return answer(res, { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' });
  }

  private authenticate(req: http.IncomingMessage, url: URL): 'api_key' | 'oauth' | null {
    const key = req.headers['x-keap-api-key'];
    if (typeof key === 'string' && key === this.credentials.api_key) return 'api_key';
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    // The query-string token is how older SDKs (and the Ruby gem) still send it.
    const token = bearer?.[1] ?? url.searchParams.get('access_token');
    if (token !== null && token !== undefined && this.oauth.isLiveAccessToken(token)) return 'oauth';
    return null;
  }

  private async xmlrpc(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const n = ++this.requestNo;
    this.stats.requests++;
    // Keap's gateway counts a call when it arrives, not once its body has been read.
    const arrived = this.clock.now();
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === null) return answer(res, { status: 413, headers: { 'Content-Type': 'text/plain' }, body: 'Request Entity Too Large' });
    const auth = this.authenticate(req, url);
    if (auth === null) {
      this.stats.unauthorized++;
      return answer(res, { status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' }, body: UNAUTHORIZED_BODY });
    }
    const counter = auth === 'api_key' ? this.quotaKey : this.quotaOAuth;
    const now = arrived;
    const decision = counter.take(now);
    const headers = counter.headers(now);
    if (!decision.ok) {
      this.stats.quotaViolations++;
      this.stats.throttled++;
      const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
      return answer(res, { status: 429, headers: { ...headers, 'Content-Type': 'application/json', 'Retry-After': retryAfter }, body: QUOTA_BODY });
    }
    const gzipOk = this.gzip && /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    const text = body.toString('utf8');

    let method: string | null = null;
    let params: XmlRpcValue[] = [];
    let parseFault: string | null = null;
    try {
      const message = parseXmlRpc(text);
      if (message.kind !== 'call') parseFault = 'Failed to parse XML-RPC request: expected a methodCall';
      else {
        method = message.method;
        params = message.params;
      }
    } catch (err) {
      parseFault = text.trim() === '' ? 'Failed to parse XML-RPC request: Premature end of file.' : `Failed to parse XML-RPC request: ${(err as Error).message}`;
    }
    if (method !== null) this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;

    const fault = this.faults.pick(n, method);
    const respond = (): Answer => {
      if (parseFault !== null || method === null) return faultAnswer(0, parseFault ?? 'Failed to parse XML-RPC request');
      return this.answerCall(text, method, params, auth);
    };
    if (fault !== null) {
      this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
      return this.inject(fault, req, res, headers, gzipOk, respond);
    }
    const out = respond();
    if (method === 'DataService.query' && !out.fault && typeof params[1] === 'string') this.mutator.afterQuery(params[1]);
    if (this.latencyMs > 0) await this.wait(this.latencyMs);
    if (this.closed) return void res.destroy();
    return this.sendBytes(res, 200, out.body, headers, gzipOk, out);
  }

  /** The real answer to a call, from the page cache when enabled. */
  private answerCall(text: string, method: string, params: XmlRpcValue[], auth: 'api_key' | 'oauth'): Answer {
    const cached = this.cache?.get(text);
    if (cached !== undefined && cached.version === this.data.version) {
      this.stats.cacheHits++;
      return { body: cached.body, fault: false, gz: cached.gz, cacheKey: text };
    }
    let result;
    try {
      result = dispatch(withMethod(this.context, method, auth), params, this.extra);
    } catch (err) {
      // A bug in a handler reaches the client the way Keap's own failures do: fault 3.
      process.stderr.write(`sandbox: ${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return faultAnswer(3, `[Unexpected]${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.cache !== null && !result.fault) {
      const body = this.remember(text, result.body);
      return { body, fault: false, gz: undefined, cacheKey: text };
    }
    return { body: result.body, fault: result.fault, gz: undefined, cacheKey: undefined };
  }

  /** Caches a page; returns the bytes kept, which the answer should send. */
  private remember(key: string, body: Buffer): Buffer {
    const cache = this.cache;
    if (cache === null) return body;
    const old = cache.get(key);
    if (old !== undefined) {
      cache.delete(key);
      this.cacheBytes -= old.body.length + (old.gz?.length ?? 0);
    }
    // A rendered page may sit in a larger buffer it grew in; keep only its bytes.
    const kept = body.buffer.byteLength > body.length + 64 * 1024 ? Buffer.from(body) : body;
    cache.set(key, { version: this.data.version, body: kept, gz: undefined });
    this.cacheBytes += kept.length;
    while (this.cacheBytes > MAX_CACHE_BYTES && cache.size > 1) {
      const first = cache.entries().next();
      if (first.done === true) break;
      cache.delete(first.value[0]);
      this.cacheBytes -= first.value[1].body.length + (first.value[1].gz?.length ?? 0);
    }
    return kept;
  }

  private sendXml(res: http.ServerResponse, status: number, xml: string, headers: Record<string, string>, gzipOk: boolean, cached?: Answer): Promise<void> {
    return this.sendBytes(res, status, Buffer.from(xml, 'utf8'), headers, gzipOk, cached);
  }

  private async sendBytes(res: http.ServerResponse, status: number, raw: Buffer, headers: Record<string, string>, gzipOk: boolean, cached?: Answer): Promise<void> {
    let buf = raw;
    const h: Record<string, string> = { ...headers, 'Content-Type': 'text/xml;charset=UTF-8' };
    if (gzipOk && raw.length > 0) {
      // Level 1 with the big window state: a 1.7 MB page in ~5 ms on the thread pool, ~10% of its
      // size; higher levels save little on this repetitive XML and cost the benchmark's CPU.
      buf = cached?.gz ?? (await gzip(raw, { level: 1, memLevel: 9 }));
      if (cached?.cacheKey !== undefined && cached.gz === undefined) this.attachGzip(cached.cacheKey, cached.body, buf);
      h['Content-Encoding'] = 'gzip';
      h['Vary'] = 'Accept-Encoding';
    }
    h['Content-Length'] = String(buf.length);
    this.stats.bytesSent += buf.length;
    if (this.closed) return void res.destroy();
    res.writeHead(status, h);
    res.end(buf);
  }

  /** Keeps the compressed form beside a cached page, so a cache hit costs no gzip either. */
  private attachGzip(key: string, body: Buffer, gz: Buffer): void {
    const page = this.cache?.get(key);
    if (page === undefined || page.body !== body || page.gz !== undefined) return;
    page.gz = gz;
    this.cacheBytes += gz.length;
  }

  private async inject(
    kind: FaultKind,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    headers: Record<string, string>,
    gzipOk: boolean,
    respond: () => Answer,
  ): Promise<void> {
    const xmlFault = FAULT_BODIES[kind];
    if (xmlFault !== undefined) return this.sendXml(res, 200, encodeFault(xmlFault[0], xmlFault[1]), headers, gzipOk);
    switch (kind) {
      case 'http429':
        this.stats.throttled++;
        return answer(res, { status: 429, headers: { ...headers, 'Content-Type': 'application/json', 'Retry-After': '1' }, body: QUOTA_BODY });
      case 'http500':
        return answer(res, { status: 500, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>500 Internal Server Error</h1></body></html>' });
      case 'http502':
        return answer(res, { status: 502, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
      case 'http503':
        return answer(res, { status: 503, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' });
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang': {
        await this.wait(this.faults.hangMs);
        if (this.closed || req.socket.destroyed) return void req.socket.destroy();
        return this.sendBytes(res, 200, respond().body, headers, gzipOk);
      }
      case 'truncated': {
        // A complete HTTP message whose XML stops half way, as a proxy that gave up would send.
        const full = respond().body;
        return this.sendBytes(res, 200, full.subarray(0, Math.floor(full.length / 2)), headers, gzipOk);
      }
      case 'empty':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': '0' });
        res.end();
        return;
      case 'doctype':
        return this.sendXml(res, 200, DOCTYPE_BODY, headers, gzipOk);
      case 'deep-nesting':
        return this.sendXml(res, 200, deepNestingBody(), headers, gzipOk);
      case 'oversize':
        return this.oversize(res, headers);
      default:
        return this.sendBytes(res, 200, respond().body, headers, gzipOk);
    }
  }

  /** 300 MB streamed in 64 KiB chunks with backpressure: never built in memory. */
  private async oversize(res: http.ServerResponse, headers: Record<string, string>): Promise<void> {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/xml;charset=UTF-8' });
    const head = '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data>';
    const chunk = Buffer.from(`<value>${'x'.repeat(64 * 1024 - 15)}</value>`, 'utf8');
    let sent = 0;
    const write = async (b: Buffer | string): Promise<boolean> => {
      if (res.destroyed || this.closed) return false;
      sent += b.length;
      this.stats.bytesSent += b.length;
      if (!res.write(b)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      return !res.destroyed;
    };
    if (!(await write(head))) return;
    while (sent < OVERSIZE_BYTES) if (!(await write(chunk))) return;
    res.end('</data></array></value></param></params></methodResponse>');
  }

  /** Real-time delay (latency, hangs) that close() cuts short. */
  private wait(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        timer: setTimeout(() => {
          this.waiters.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waiters.add(w);
    });
  }
}

function faultAnswer(code: number, message: string): Answer {
  return { body: Buffer.from(encodeFault(code, message), 'utf8'), fault: true, gz: undefined, cacheKey: undefined };
}

function answer(res: http.ServerResponse, a: HttpAnswer): void {
  const buf = Buffer.from(a.body, 'utf8');
  res.writeHead(a.status, { ...a.headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

/** The request body, or null when it is larger than `limit`. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
