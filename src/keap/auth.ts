import type { AxiosInstance } from 'axios';
import { createHttp } from '../http/instance.js';
import type { Clock } from './clock.js';
import { classify, KeapError } from './errors.js';
import { basicCredential, postToken, tokenExpiry, tokenRefusal, tokenRefused, tokenText } from './token-endpoint.js';

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
    this.http ??= createHttp({ timeoutMs: this.options.timeoutMs, maxSockets: 1 });
    const { status, body } = await postToken(
      this.http,
      this.options.tokenUrl,
      { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      { Authorization: `Basic ${basicCredential(c.client_id, c.client_secret)}` },
      { idleMs: this.options.timeoutMs, deadlineMs: this.options.deadlineMs },
    );
    const rotated = status === 200 ? tokenText(body, 'refresh_token') : undefined;
    const access = tokenText(body, 'access_token');
    if (status !== 200 || access === undefined) {
      if (rotated !== undefined) {
        // Keap may have spent the old refresh token already: whatever else is wrong, the new one
        // is handed back before the error, or the next run could not sign in at all.
        this.creds = { auth_type: 'oauth2', client_id: c.client_id, client_secret: c.client_secret, refresh_token: rotated };
        await this.options.onRotate(this.creds);
      }
      throw tokenRefused(status, tokenRefusal(body));
    }
    const next: Credentials = {
      ...c,
      access_token: access,
      // Keap rotates the refresh token; keep the old one only if a server did not send a new one.
      refresh_token: rotated ?? c.refresh_token,
      token_expiry: tokenExpiry(this.options.clock.now(), body?.['expires_in']),
    };
    this.creds = next;
    this.refreshes++;
    await this.options.onRotate(next);
  }
}

/** Every secret in `c` as it travels: the values themselves and the Basic credential built from them. */
export function secretsOf(c: Credentials): string[] {
  if (c.auth_type === 'api_key') return [c.api_key];
  return [c.client_secret, c.refresh_token, c.access_token ?? '', basicCredential(c.client_id, c.client_secret)].filter((s) => s.length > 0);
}
