import { hashString } from '../random.js';
import { badRequest } from './errors.js';

/**
 * Keap's `page_size` / `page_token` paging, as an offset-based server does it. A token is opaque
 * to clients: base64url of `v1.<offset>.<query hash>`, plus `.<issued second>` when tokens expire.
 * It only works for the query it was issued for (same path, `filter` and `order_by`; `page_size`
 * and `fields` may change), and with a token lifetime set, only for that long on the sandbox
 * clock. Without a lifetime a token is the same on every run, so the page cache serves repeated
 * walks. The offset is deliberate:
 * a row deleted on an earlier page shifts every later row back by one, so a client that trusts
 * tokens across changes can miss rows, exactly as against a real offset-paged server.
 */

export interface PageRequest {
  offset: number;
  size: number;
}

/** The query a token belongs to: what changes the result set or its order. */
export function queryHash(path: string, filter: string, orderBy: string): string {
  return hashString(`${path}\n${filter}\n${orderBy}`).toString(36);
}

/** `issuedMs` only when tokens expire. */
export function encodeToken(offset: number, hash: string, issuedMs: number | undefined): string {
  const issued = issuedMs === undefined ? '' : `.${Math.floor(issuedMs / 1000)}`;
  return Buffer.from(`v1.${offset}.${hash}${issued}`, 'utf8').toString('base64url');
}

const TOKEN = /^v1\.(\d{1,12})\.([0-9a-z]{1,13})(?:\.(\d{1,12}))?$/;

/** The offset a token stands for, or a 400 naming why it cannot be used. */
export function decodeToken(token: string, hash: string, nowMs: number, ttlMs: number | undefined): number {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const m = TOKEN.exec(text);
  if (m === null) throw badRequest(`Invalid page_token '${token}'`);
  if (m[2] !== hash) throw badRequest('Invalid page_token: it was issued for a different filter or order_by');
  if (ttlMs !== undefined && (m[3] === undefined || nowMs - Number(m[3]) * 1000 > ttlMs)) throw badRequest('Invalid page_token: it has expired; start again from the first page');
  return Number(m[1]);
}

/** `page_size` from the query: absent or 0 is the maximum the spec allows for the endpoint. */
export function pageSize(text: string | null, max: number, min: number): number {
  if (text === null || text === '') return max;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n)) throw badRequest(`Invalid page_size '${text}': must be an integer from ${min} to ${max}`);
  if (n === 0 && min === 0) return max;
  if (n < min || n > max) throw badRequest(`Invalid page_size ${n}: must be from ${min} to ${max}`);
  return n;
}
