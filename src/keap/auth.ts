import type { AxiosInstance } from 'axios';
import { BodyTooLargeError, TransportError } from '../http/errors.js';
import { createHttp } from '../http/instance.js';
import { request } from '../http/request.js';
import type { Clock } from './clock.js';
import { KeapError } from './errors.js';

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

  /** Every secret value this run knows, as it sends them, for the output redactor. */
  secrets(): string[] {
    return secretsOf(this.creds);
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
      return Promise.reject(new KeapError('Keap rejected the API key (HTTP 401); check api_key', 'config_error', 'unauthorized'));
    }
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const c = this.creds;
    if (c.auth_type !== 'oauth2') return;
    const basic = basicCredential(c.client_id, c.client_secret);
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
        throw new KeapError(`the Keap token URL answered with more than ${TOKEN_BODY_LIMIT} bytes; refused (check token_url)`, 'config_error', 'token-refresh');
      }
      const code = err instanceof TransportError ? err.code : 'ENETWORK';
      throw new KeapError(
        `cannot reach the Keap token URL: ${err instanceof TransportError ? err.message : 'network error'} (check token_url)`,
        code === 'ENOTFOUND' ? 'config_error' : 'transient_error',
        'token-network',
      );
    }
    const body = parseTokenBody(res.body);
    const rotated = res.status === 200 && typeof body?.['refresh_token'] === 'string' && body['refresh_token'] !== '' ? body['refresh_token'] : undefined;
    if (res.status !== 200 || typeof body !== 'object' || body === null || typeof body['access_token'] !== 'string') {
      if (rotated !== undefined) {
        // Keap may have spent the old refresh token already: whatever else is wrong, the new one
        // is handed back before the error, or the next run could not sign in at all.
        const { access_token: _dropped, token_expiry: _stale, ...rest } = c;
        this.creds = { ...rest, refresh_token: rotated };
        await this.options.onRotate(this.creds);
      }
      const reason =
        typeof body === 'object' && body !== null
          ? [body['error'], body['error_description']].filter((x) => typeof x === 'string').join(': ')
          : '';
      const failure = res.status >= 500 || res.status === 429 ? 'transient_error' : 'config_error';
      throw new KeapError(
        `Keap refused to refresh the access token (HTTP ${res.status}${reason ? `, ${reason}` : ''}); authorize again with 'tap-infusionsoft auth' and update refresh_token`,
        failure,
        'token-refresh',
      );
    }
    const next: Credentials = {
      ...c,
      access_token: body['access_token'],
      // Keap rotates the refresh token; keep the old one only if a server did not send a new one.
      refresh_token: rotated ?? c.refresh_token,
      token_expiry: new Date(this.options.clock.now() + expiresInMs(body['expires_in'])).toISOString(),
    };
    this.creds = next;
    this.refreshes++;
    await this.options.onRotate(next);
  }
}

const TOKEN_BODY_LIMIT = 1024 * 1024;

/** Keap's access tokens live 24 hours (keap-api.md §4). */
const TOKEN_LIFETIME_MS = 86_400_000;
/** Past the refresh margin, so a token that claims to die at once does not make every call refresh. */
const SHORTEST_LIFETIME_MS = EXPIRY_MARGIN_MS + 60_000;

/**
 * `expires_in` (seconds) as a lifetime the connector can plan with: within 6 minutes .. 24 hours.
 * Anything else a server says (1e300, which no Date can hold; a negative number; text) is absurd
 * or unreadable: the token is used until Keap refuses it, which costs one refresh.
 */
function expiresInMs(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return TOKEN_LIFETIME_MS;
  return Math.min(TOKEN_LIFETIME_MS, Math.max(SHORTEST_LIFETIME_MS, v * 1000));
}

/** The Basic credential of the token call: base64 of `client_id:client_secret`. */
export function basicCredential(clientId: string, clientSecret: string): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
}

/** Every secret in `c` as it travels: the values themselves and the Basic credential built from them. */
export function secretsOf(c: Credentials): string[] {
  if (c.auth_type === 'api_key') return [c.api_key];
  return [c.client_secret, c.refresh_token, c.access_token ?? '', basicCredential(c.client_id, c.client_secret)].filter((s) => s.length > 0);
}

function parseTokenBody(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
