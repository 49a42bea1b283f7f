import type { Clock } from '../keap/clock.js';
import { Prng } from './random.js';

/**
 * Keap's OAuth2 endpoints as a client meets them (keap-api.md §4): the token URL (refresh with
 * HTTP Basic client credentials; every refresh ROTATES the refresh token and the old one stops
 * working), the authorization-code exchange, and an authorize page that plays a user clicking
 * Allow. Access tokens live `ttlSeconds` on the sandbox clock.
 */

export interface SandboxCredentials {
  api_key: string;
  client_id: string;
  client_secret: string;
  refresh_token: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const SCOPE_PREFIX = 'full|';

function token(prng: Prng, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[prng.int(alphabet.length)];
  return s;
}

/** Credentials the sandbox accepts unless told otherwise; the same for the same seed. */
export function defaultCredentials(seed: number): SandboxCredentials {
  const prng = new Prng(seed, 0x0a07);
  return {
    api_key: `KeapAK-${token(prng, 40)}`,
    client_id: `sbx${token(prng, 21)}`,
    client_secret: token(prng, 16),
    refresh_token: token(prng, 32),
  };
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', ...extra },
  body: JSON.stringify(body),
});

export class OAuthServer {
  private readonly prng: Prng;
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, number>();
  private readonly codes = new Map<string, { redirectUri: string }>();
  /** Successful token grants (refresh or code exchange). */
  grants = 0;

  constructor(
    private readonly credentials: SandboxCredentials,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    /** `<app>.infusionsoft.com`, the second half of Keap's scope. */
    private readonly tenant: string,
    seed: number,
  ) {
    this.prng = new Prng(seed, 0x70c3);
    this.refreshTokens.add(credentials.refresh_token);
  }

  get scope(): string {
    return SCOPE_PREFIX + this.tenant;
  }

  /** The refresh tokens that currently work (one, after the first rotation). */
  liveRefreshTokens(): string[] {
    return [...this.refreshTokens];
  }

  isLiveAccessToken(t: string): boolean {
    const expiry = this.accessTokens.get(t);
    if (expiry === undefined) return false;
    if (expiry <= this.clock.now()) {
      this.accessTokens.delete(t);
      return false;
    }
    return true;
  }

  /** Every access token issued so far stops working (refresh tokens still do). */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** POST /token with a form body. */
  token(form: URLSearchParams, authorization: string | undefined): HttpAnswer {
    const grant = form.get('grant_type');
    const client = this.clientFrom(form, authorization);
    if (grant === 'refresh_token') {
      if (!client) return json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      const presented = form.get('refresh_token') ?? '';
      if (!this.refreshTokens.has(presented)) return json(400, { error: 'invalid_request', error_description: 'Invalid Refresh Token' });
      this.refreshTokens.delete(presented);
      return this.issue();
    }
    if (grant === 'authorization_code') {
      if (!client) return json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      const code = this.codes.get(form.get('code') ?? '');
      if (code === undefined) return json(400, { error: 'invalid_grant', error_description: 'Invalid Authorization Code' });
      if (code.redirectUri !== (form.get('redirect_uri') ?? '')) return json(400, { error: 'invalid_grant', error_description: 'Redirect URI mismatch' });
      this.codes.delete(form.get('code') ?? '');
      return this.issue();
    }
    return json(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant ?? '(none)'}` });
  }

  /** GET /app/oauth/authorize: the user clicks Allow; redirect back with a one-time code. */
  authorize(query: URLSearchParams): HttpAnswer {
    const text = (status: number, body: string): HttpAnswer => ({ status, headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body });
    if (query.get('client_id') !== this.credentials.client_id) return text(400, 'Invalid client_id');
    if (query.get('response_type') !== 'code') return text(400, 'response_type must be code');
    let target: URL;
    try {
      target = new URL(query.get('redirect_uri') ?? '');
    } catch {
      return text(400, 'redirect_uri must be an absolute URL');
    }
    const code = token(this.prng, 24);
    this.codes.set(code, { redirectUri: query.get('redirect_uri') ?? '' });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', this.scope);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { Location: target.toString() }, body: '' };
  }

  private issue(): HttpAnswer {
    const access = token(this.prng, 28);
    const refresh = token(this.prng, 32);
    this.accessTokens.set(access, this.clock.now() + this.ttlSeconds * 1000);
    this.refreshTokens.add(refresh);
    this.grants++;
    return json(200, { access_token: access, refresh_token: refresh, expires_in: this.ttlSeconds, token_type: 'bearer', scope: this.scope });
  }

  /** Basic auth (what Keap documents for refresh) or client_id/client_secret in the form. */
  private clientFrom(form: URLSearchParams, authorization: string | undefined): boolean {
    const ok = (id: string | null, secret: string | null): boolean => id === this.credentials.client_id && secret === this.credentials.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic === null) return ok(form.get('client_id'), form.get('client_secret'));
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return ok(id, secret) || ok(formDecode(id), formDecode(secret));
  }
}

/** RFC 6749 form-encodes Basic credentials; most clients don't, and plain text decodes to itself. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
