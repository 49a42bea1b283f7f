import type { AxiosInstance } from 'axios';
import { BodyTooLargeError, TransportError } from '../http/errors.js';
import { request } from '../http/request.js';
import { KeapError } from './errors.js';

/**
 * The one way to call Keap's OAuth token endpoint (a refresh, and `tap-infusionsoft auth`'s code
 * exchange): through src/http, so the answer is bounded in size and time and no redirect is
 * followed (it would carry the client secret elsewhere), and read into what a caller can trust.
 */

/** A token answer is a few hundred bytes: anything near a megabyte is not one. */
export const TOKEN_BODY_LIMIT = 1024 * 1024;

/** Keap's access tokens live 24 hours (keap-api.md §4). */
const TOKEN_LIFETIME_MS = 86_400_000;
/** Longer than the refresh margin (keap/auth.ts), so a token said to die at once does not make every call refresh. */
const SHORTEST_LIFETIME_MS = 6 * 60_000;

export interface TokenAnswer {
  status: number;
  /** The JSON object answered, if it was one. */
  body: Record<string, unknown> | undefined;
}

export interface TokenCallLimits {
  idleMs: number;
  deadlineMs?: number;
}

/** POSTs a form to the token URL. Network failures and oversized answers are KeapErrors. */
export async function postToken(http: AxiosInstance, url: string, form: Record<string, string>, headers: Record<string, string>, limits: TokenCallLimits): Promise<TokenAnswer> {
  let res;
  try {
    res = await request(
      http,
      { method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers }, data: new URLSearchParams(form).toString() },
      // A gzip bomb from a hostile token_url reached gigabytes before this bound.
      { maxBodyBytes: TOKEN_BODY_LIMIT, idleMs: limits.idleMs, deadlineMs: limits.deadlineMs },
    );
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new KeapError(`the Keap token URL answered with more than ${TOKEN_BODY_LIMIT} bytes; refused (check token_url)`, 'config_error', 'token-refresh', undefined, 'account');
    }
    throw tokenUnreachable(err instanceof TransportError ? err.code : undefined, err instanceof TransportError ? err.message : undefined);
  }
  return { status: res.status, body: parseTokenBody(res.body) };
}

/** `error: error_description` of a refusal, when the answer says. */
export function tokenRefusal(body: Record<string, unknown> | undefined): string {
  return body ? [body['error'], body['error_description']].filter((x) => typeof x === 'string').join(': ') : '';
}

/** A non-empty string member of the answer. */
export function tokenText(body: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = body?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * When the access token stops working, from `expires_in` (seconds), kept within 6 minutes .. 24
 * hours. Anything else a server says (1e300, which no Date can hold; a negative number; text) is
 * absurd or unreadable: the token is then used until Keap refuses it, which costs one refresh.
 */
export function tokenExpiry(now: number, expiresIn: unknown): string {
  const ms = typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) ? TOKEN_LIFETIME_MS : Math.min(TOKEN_LIFETIME_MS, Math.max(SHORTEST_LIFETIME_MS, expiresIn * 1000));
  return new Date(now + ms).toISOString();
}

/** The Basic credential of the token call: base64 of `client_id:client_secret`. */
export function basicCredential(clientId: string, clientSecret: string): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
}

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
