import type { AxiosInstance } from 'axios';
import { BodyTooLargeError, TransportError } from '../http/errors.js';
import { createHttp } from '../http/instance.js';
import { request } from '../http/request.js';
import type { Clock } from './clock.js';
import { classify, KeapError } from './errors.js';

/**
 * Keap's two ways in (keap-api.md §4): an OAuth2 app (access token in `Authorization: Bearer`,
 * refreshed with Basic auth at the token URL; every refresh ROTATES the refresh token, so the new one
 * is handed back to be persisted) or a Personal Access Token / Service Account Key in `X-Keap-API-Key`.
 * Either way the credential travels in a header, never in the XML-RPC body.
 */

export type Credentials =
  | {
      auth_type: 'oauth2';
      client_id: string;
      client_secret: string;
      refresh_token: string;
      access_token?: string;
      /** ISO 8601 time the access token stops working. */
      token_expiry?: string;
    }
  | { auth_type: 'api_key'; api_key: string };

/** Keap's XML-RPC methods take the legacy key as parameter 1; with header auth it is this placeholder. */
export const KEY_PLACEHOLDER = 'backwards-compatability';

/** Refresh this long before expiry so a long page never starts with a token about to die. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export interface AuthOptions {
  tokenUrl: string;
  clock: Clock;
  timeoutMs: number;
  /** The token answer must arrive whole within this long. */
  deadlineMs?: number;
  /** Called with the new credentials after every refresh (refresh-token rotation). */
  onRotate: (credentials: Credentials) => Promise<void> | void;
}

export class Auth {
  private creds: Credentials;
  private refreshing: Promise<void> | undefined;
  private http: AxiosInstance | undefined;
  /** Refreshes done in this run (tests and the summary read it). */
  refreshes = 0;

  constructor(
    credentials: Credentials,
    private readonly options: AuthOptions,
  ) {
    this.creds = { ...credentials };
  }

  get kind(): Credentials['auth_type'] {
    return this.creds.auth_type;
  }

  get credentials(): Credentials {
    return this.creds;
  }

  /** Every secret value this run knows, for the output redactor. */
  secrets(): string[] {
    const c = this.creds;
    if (c.auth_type === 'api_key') return [c.api_key];
    return [c.client_secret, c.refresh_token, c.access_token ?? ''].filter((s) => s.length > 0);
  }

  /** Headers for one call, refreshing first when the access token is missing or about to expire. */
  async headers(): Promise<Record<string, string>> {
    const c = this.creds;
    if (c.auth_type === 'api_key') return { 'X-Keap-API-Key': c.api_key };
    const expiry = c.token_expiry ? Date.parse(c.token_expiry) : NaN;
    const fresh = c.access_token && (Number.isNaN(expiry) || expiry - EXPIRY_MARGIN_MS > this.options.clock.now());
    if (!fresh) await this.refresh();
    const token = (this.creds as { access_token?: string }).access_token as string;
    return { Authorization: `Bearer ${token}` };
  }

  /**
   * Exchanges the refresh token for a new pair. Concurrent callers (several streams hitting a 401
   * at once) share one refresh: a second one would present an already-rotated token and fail.
   */
  refresh(): Promise<void> {
    if (this.creds.auth_type !== 'oauth2') {
      // An API key cannot be refreshed: the 401 stands, worded as the error table words it.
      const c = classify({ kind: 'http', status: 401, body: '' }, 'the call');
      return Promise.reject(new KeapError(c.message, 'config_error', c.rule, undefined, c.scope));
    }
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const c = this.creds;
    if (c.auth_type !== 'oauth2') return;
    const basic = Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64');
    this.http ??= createHttp({ timeoutMs: this.options.timeoutMs, maxSockets: 1 });
    let res;
    try {
      res = await request(
        this.http,
        {
          method: 'POST',
          url: this.options.tokenUrl,
          headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          data: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refresh_token }).toString(),
        },
        // A token answer is a few hundred bytes: anything near a megabyte is not one (a gzip bomb
        // from a hostile token_url reached gigabytes before this bound).
        { maxBodyBytes: TOKEN_BODY_LIMIT, idleMs: this.options.timeoutMs, deadlineMs: this.options.deadlineMs },
      );
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        throw new KeapError(`the Keap token URL answered with more than ${TOKEN_BODY_LIMIT} bytes; refused (check token_url)`, 'config_error', 'token-refresh', undefined, 'account');
      }
      throw tokenUnreachable(err instanceof TransportError ? err.code : undefined, err instanceof TransportError ? err.message : undefined);
    }
    const body = parseTokenBody(res.body);
    if (res.status !== 200 || typeof body !== 'object' || body === null || typeof body['access_token'] !== 'string') {
      const reason =
        typeof body === 'object' && body !== null
          ? [body['error'], body['error_description']].filter((x) => typeof x === 'string').join(': ')
          : '';
      throw tokenRefused(res.status, reason);
    }
    const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] : 86_400;
    const next: Credentials = {
      ...c,
      access_token: body['access_token'],
      // Keap rotates the refresh token; keep the old one only if a server did not send a new one.
      refresh_token: typeof body['refresh_token'] === 'string' ? body['refresh_token'] : c.refresh_token,
      token_expiry: new Date(this.options.clock.now() + expiresIn * 1000).toISOString(),
    };
    this.creds = next;
    this.refreshes++;
    await this.options.onRotate(next);
  }
}

const TOKEN_BODY_LIMIT = 1024 * 1024;

function parseTokenBody(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token URL answered no to the refresh token. Unless Keap is only busy (429, 5xx), no stream
 * can go on without a token: the whole sync stops (scope `account`).
 */
export function tokenRefused(status: number, reason: string): KeapError {
  const busy = status >= 500 || status === 429;
  return new KeapError(
    `Keap refused to refresh the access token (HTTP ${status}${reason ? `, ${reason}` : ''}); authorize again with 'tap-infusionsoft auth' and update refresh_token`,
    busy ? 'transient_error' : 'config_error',
    'token-refresh',
    undefined,
    busy ? 'stream' : 'account',
  );
}

/** The token URL did not answer; a host that does not resolve stops the sync, like api_url's. */
export function tokenUnreachable(code: string | undefined, reason?: string): KeapError {
  const unknownHost = code === 'ENOTFOUND';
  return new KeapError(
    `cannot reach the Keap token URL: ${reason ?? code ?? 'network error'} (check token_url)`,
    unknownHost ? 'config_error' : 'transient_error',
    'token-network',
    undefined,
    unknownHost ? 'account' : 'stream',
  );
}
