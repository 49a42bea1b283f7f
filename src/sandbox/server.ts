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
import { HTML_TYPE, JSON_TYPE, REST_OVERSIZE, restFaultBody, type SpecialBody } from './rest/fault-bodies.js';
import { errorBody } from './rest/errors.js';
import { REST_PREFIX, RestRouter } from './rest/router.js';

/**
 * The Keap double: one HTTP server on loopback with Keap's XML-RPC endpoint and its REST v2 API
 * (rest/) over one world of data, its OAuth token and authorize URLs, its gateway's 401/429 JSON
 * bodies and quota headers (one account's quota, whichever API spends it), and switches for
 * latency, faults and rows changing mid-sync. Tests, the benchmark and the demo run against it.
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
  /** Delay before every XML-RPC and REST answer. */
  latencyMs?: number;
  /** Cache whole XML-RPC response bodies by request body, REST ones by URL (invalidated by any data change). */
  cachePages?: boolean;
  /**
   * Gzip answers for clients that accept it, as Keap does (default true). Turning it off
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
  /** REST page tokens stop working this long after they were issued (sandbox clock). Default: never. */
  pageTokenTtlSeconds?: number;
}

export interface SandboxStats {
  /** API requests received: every POST to the XML-RPC URL and every request under the REST prefix. */
  requests: number;
  /** XML-RPC calls per method name, for requests that got as far as being parsed. */
  byMethod: Record<string, number>;
  /** REST requests per route, as `GET /contacts/{contact_id}` (`GET ?` for paths no route knows). */
  byPath: Record<string, number>;
  /** HTTP 401s sent. */
  unauthorized: number;
  /** HTTP 429s sent: quota violations plus injected 'http429'. */
  throttled: number;
  /** Requests refused because a quota window was full. */
  quotaViolations: number;
  faults: Partial<Record<FaultKind, number>>;
  /** API response bytes written (compressed size when gzipped). */
  bytesSent: number;
  /** POSTs to the token URL. */
  tokenRequests: number;
  /** Answers served from the page cache. */
  cacheHits: number;
}

export interface Sandbox {
  apiUrl: string;
  /** `http://127.0.0.1:<port>/crm/rest/v2`: REST v2 paths go after it. */
  restUrl: string;
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
  mutated(table: 'ContactGroupAssign' | 'Campaignee'): Set<string>;
  mutated(table: string): Set<number>;
  /** Every access token issued so far stops working (a mid-sync 401, then a refresh). */
  revokeAccessTokens(): void;
  liveRefreshTokens(): string[];
  /** The one JSON line the CLI prints (URLs of both APIs and the credentials). */
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
const REST_UNAUTHORIZED_BODY = JSON.stringify(errorBody(401, 'Invalid access token'));
const XML_TYPE = 'text/xml;charset=UTF-8';
const MAX_REST_BODY_BYTES = 1024 * 1024;

/**
 * How one API answers the fault kinds that are not the gateway's: `special` bodies (XML-RPC
 * faults, hostile documents; REST's Error bodies), the content type of its bodies, and the parts
 * of its 300 MB oversize body.
 */
interface Dialect {
  contentType: string;
  special(kind: FaultKind): SpecialBody | undefined;
  oversize: { head: string; chunk: Buffer; tail: string };
}

const XMLRPC_DIALECT: Dialect = {
  contentType: XML_TYPE,
  special: (kind) => {
    const fault = FAULT_BODIES[kind];
    if (fault !== undefined) return { status: 200, contentType: XML_TYPE, body: encodeFault(fault[0], fault[1]) };
    if (kind === 'doctype') return { status: 200, contentType: XML_TYPE, body: DOCTYPE_BODY };
    if (kind === 'deep-nesting') return { status: 200, contentType: XML_TYPE, body: deepNestingBody() };
    return undefined;
  },
  oversize: {
    head: '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data>',
    chunk: Buffer.from(`<value>${'x'.repeat(64 * 1024 - 15)}</value>`, 'utf8'),
    tail: '</data></array></value></param></params></methodResponse>',
  },
};

const REST_DIALECT: Dialect = { contentType: JSON_TYPE, special: restFaultBody, oversize: REST_OVERSIZE };

/** A response body, with its gzip form and cache key when the page cache holds it. */
interface Answer {
  /** Default 200 (XML-RPC answers everything with 200). */
  status?: number;
  contentType?: string;
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

/** What a sandbox is without options (the `sandbox` command's defaults, which its --help shows). */
export const SANDBOX_DEFAULTS = { seed: 1, contacts: 1000, timezone: 'America/New_York', accessTokenTtlSeconds: 86_400, app: 'sandbox' } as const;

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
    byPath: {},
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
  private readonly rest = new RestRouter();
  private readonly app: string;
  private readonly pageTokenTtlMs: number | undefined;
  private readonly waiters = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private requestNo = 0;
  private closed = false;
  private port = 0;

  constructor(options: SandboxOptions) {
    const seed = options.seed ?? SANDBOX_DEFAULTS.seed;
    this.clock = options.clock ?? systemClock;
    this.data = new SandboxData({ seed, contacts: options.contacts ?? SANDBOX_DEFAULTS.contacts, timezone: options.timezone ?? SANDBOX_DEFAULTS.timezone, clock: this.clock });
    this.credentials = { ...defaultCredentials(seed), ...definedOnly(options.credentials ?? {}) };
    const app = options.app ?? SANDBOX_DEFAULTS.app;
    this.app = app;
    this.pageTokenTtlMs = options.pageTokenTtlSeconds === undefined ? undefined : options.pageTokenTtlSeconds * 1000;
    const tenant = `${app}.infusionsoft.com`;
    this.oauth = new OAuthServer(this.credentials, this.clock, options.accessTokenTtlSeconds ?? SANDBOX_DEFAULTS.accessTokenTtlSeconds, tenant, seed);
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
      restUrl: base + REST_PREFIX,
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
          rest_url: sandbox.restUrl,
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
    if (url.pathname.startsWith(`${REST_PREFIX}/`)) return this.restRequest(req, res, url);
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
    const admitted = this.admit(res, this.authenticate(req, url), arrived, UNAUTHORIZED_BODY);
    if (admitted === null) return;
    const { auth, headers } = admitted;
    const gzipOk = this.acceptsGzip(req);
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
      return this.inject(fault, req, res, headers, gzipOk, respond, XMLRPC_DIALECT);
    }
    const out = respond();
    if (method === 'DataService.query' && !out.fault && typeof params[1] === 'string') this.mutator.afterQuery(params[1]);
    if (this.latencyMs > 0) await this.wait(this.latencyMs);
    if (this.closed) return void res.destroy();
    return this.sendBytes(res, 200, out.body, headers, gzipOk, out);
  }

  /**
   * Authentication, then the quota (the same counters for both APIs): the quota headers to send,
   * or null once a 401 or 429 has been answered.
   */
  private admit(
    res: http.ServerResponse,
    auth: 'api_key' | 'oauth' | null,
    arrived: number,
    unauthorizedBody: string,
  ): { auth: 'api_key' | 'oauth'; headers: Record<string, string> } | null {
    if (auth === null) {
      this.stats.unauthorized++;
      answer(res, { status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' }, body: unauthorizedBody });
      return null;
    }
    const counter = auth === 'api_key' ? this.quotaKey : this.quotaOAuth;
    const decision = counter.take(arrived);
    const headers = counter.headers(arrived);
    if (!decision.ok) {
      this.stats.quotaViolations++;
      this.stats.throttled++;
      const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
      answer(res, { status: 429, headers: { ...headers, 'Content-Type': 'application/json', 'Retry-After': retryAfter }, body: QUOTA_BODY });
      return null;
    }
    return { auth, headers };
  }

  private acceptsGzip(req: http.IncomingMessage): boolean {
    return this.gzip && /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
  }

  /**
   * One REST v2 request: the same gateway (auth, quota, faults, latency, gzip, page cache) in front
   * of the REST router; a list page of a table-backed resource is followed by the Mutator, as a
   * DataService.query is. REST also takes the API key as a Bearer token, as Keap's samples send it.
   */
  private async restRequest(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const n = ++this.requestNo;
    this.stats.requests++;
    const arrived = this.clock.now();
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(REST_PREFIX.length);
    const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, MAX_REST_BODY_BYTES);
    if (raw === null) return answer(res, { status: 413, headers: { 'Content-Type': 'text/plain' }, body: 'Request Entity Too Large' });
    const match = this.rest.match(method, path);
    const template = 'route' in match ? match.route.path : null;
    const statKey = `${method} ${template ?? '?'}`;
    this.stats.byPath[statKey] = (this.stats.byPath[statKey] ?? 0) + 1;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const auth = this.authenticate(req, url) ?? (bearer === this.credentials.api_key ? 'api_key' : null);
    const admitted = this.admit(res, auth, arrived, REST_UNAUTHORIZED_BODY);
    if (admitted === null) return;
    const { headers } = admitted;
    const gzipOk = this.acceptsGzip(req);
    const cacheKey = method === 'GET' && this.cache !== null ? `REST ${url.pathname}${url.search}` : undefined;
    const respond = (): Answer => {
      const hit = cacheKey === undefined ? undefined : this.cache?.get(cacheKey);
      if (cacheKey !== undefined && hit !== undefined && hit.version === this.data.version) {
        this.stats.cacheHits++;
        return { body: hit.body, fault: false, gz: hit.gz, cacheKey, contentType: JSON_TYPE };
      }
      const { result } = this.rest.handle({ method, path, query: url.searchParams, body: jsonBody(raw), data: this.data, now: arrived, pageTokenTtlMs: this.pageTokenTtlMs, app: this.app });
      const html = result.contentType === 'html';
      const body = Buffer.from(html ? String(result.body) : JSON.stringify(result.body), 'utf8');
      const contentType = html ? HTML_TYPE : JSON_TYPE;
      if (cacheKey !== undefined && result.status === 200 && !html) return { body: this.remember(cacheKey, body), fault: false, gz: undefined, cacheKey, contentType };
      return { status: result.status, body, fault: result.status !== 200, gz: undefined, cacheKey: undefined, contentType };
    };
    let fault = this.faults.pick(n, template);
    // A page-token fault needs a page token to refuse.
    if (fault === 'bad-page-token' && !url.searchParams.has('page_token')) fault = null;
    if (fault !== null) {
      this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
      return this.inject(fault, req, res, headers, gzipOk, respond, REST_DIALECT);
    }
    const out = respond();
    const table = 'route' in match ? match.route.table : undefined;
    if (table !== undefined && (out.status ?? 200) === 200) this.mutator.afterQuery(table);
    if (this.latencyMs > 0) await this.wait(this.latencyMs);
    if (this.closed) return void res.destroy();
    return this.sendBytes(res, out.status ?? 200, out.body, headers, gzipOk, out);
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

  private async sendBytes(res: http.ServerResponse, status: number, raw: Buffer, headers: Record<string, string>, gzipOk: boolean, cached?: Answer): Promise<void> {
    let buf = raw;
    const h: Record<string, string> = { ...headers, 'Content-Type': cached?.contentType ?? XML_TYPE };
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
    dialect: Dialect,
  ): Promise<void> {
    const special = dialect.special(kind);
    if (special !== undefined) return this.sendBytes(res, special.status, Buffer.from(special.body, 'utf8'), headers, gzipOk, { ...plain(special.body), contentType: special.contentType });
    const typed = (body: Buffer): Answer => ({ ...plain(''), body, contentType: dialect.contentType });
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
        const late = respond();
        return this.sendBytes(res, late.status ?? 200, late.body, headers, gzipOk, typed(late.body));
      }
      case 'truncated': {
        // A complete HTTP message whose body stops half way, as a proxy that gave up would send.
        const full = respond().body;
        return this.sendBytes(res, 200, full.subarray(0, Math.floor(full.length / 2)), headers, gzipOk, typed(full));
      }
      case 'empty':
        res.writeHead(200, { ...headers, 'Content-Type': dialect.contentType, 'Content-Length': '0' });
        res.end();
        return;
      case 'oversize':
        return this.oversize(res, headers, dialect);
      default: {
        const out = respond();
        return this.sendBytes(res, out.status ?? 200, out.body, headers, gzipOk, typed(out.body));
      }
    }
  }

  /** 300 MB streamed in 64 KiB chunks with backpressure: never built in memory. */
  private async oversize(res: http.ServerResponse, headers: Record<string, string>, dialect: Dialect): Promise<void> {
    res.writeHead(200, { ...headers, 'Content-Type': dialect.contentType });
    const { head, chunk, tail } = dialect.oversize;
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
    res.end(tail);
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

/** An answer that is only bytes (no cache entry). */
function plain(text: string): Answer {
  return { body: Buffer.from(text, 'utf8'), fault: false, gz: undefined, cacheKey: undefined };
}

/** A POST body as an object of parameters; anything but a JSON object reads as none. */
function jsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
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
