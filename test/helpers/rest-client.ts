import { expect } from 'vitest';
import { RestRouter } from '../../src/sandbox/rest/router.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { RestSpec } from './rest-spec.js';

/**
 * Requests to the sandbox's REST v2 API that check every answer against Keap's OpenAPI file (the
 * response schema of the matched operation and status) and remember which routes answered what,
 * so a test can prove it reached every path it serves.
 */

export interface RestAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON (a string for HTML). */
  body: unknown;
  text: string;
}

export type Json = Record<string, unknown>;

export class RestClient {
  /** `GET /contacts` -> statuses answered and validated. */
  readonly seen = new Map<string, Set<number>>();
  /** `GET /contacts/{contact_id}` -> a concrete path (no query) that answered 200. */
  readonly examples = new Map<string, string>();
  private readonly router = new RestRouter();

  constructor(
    readonly sandbox: Sandbox,
    readonly spec: RestSpec,
  ) {}

  async call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RestAnswer> {
    const method = init.method ?? 'GET';
    const res = await fetch(this.sandbox.restUrl + path, {
      method,
      headers: { 'X-Keap-API-Key': this.sandbox.credentials.api_key, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const body: unknown = type.includes('json') && text !== '' ? JSON.parse(text) : text;
    const match = this.router.match(method, path.split('?')[0] ?? '');
    // A 429 comes from Keap's gateway before any endpoint (the spec declares none): its body is
    // the gateway's documented one, checked by the quota tests.
    if ('route' in match && res.status !== 429) {
      const key = `${method} ${match.route.path}`;
      expect(this.spec.check(method, match.route.path, res.status, body), `${method} ${path} -> ${res.status}: ${text.slice(0, 300)}`).toEqual([]);
      const statuses = this.seen.get(key) ?? new Set<number>();
      statuses.add(res.status);
      this.seen.set(key, statuses);
      if (res.status === 200 && !this.examples.has(key)) this.examples.set(key, path.split('?')[0] ?? path);
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  /** A 200 JSON object, or the test fails with the body. */
  async ok(path: string, init?: Parameters<RestClient['call']>[1]): Promise<Json> {
    const r = await this.call(path, init);
    expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
    return r.body as Json;
  }

  /** A 4xx with Keap's Error body; returns its message. */
  async error(path: string, status: number, init?: Parameters<RestClient['call']>[1]): Promise<string> {
    const r = await this.call(path, init);
    expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(status);
    const body = r.body as { code: number; message: string };
    expect(body.code).toBe(status);
    return body.message;
  }

  /** Every item of a list, page by page. */
  async all(path: string, items: string, pageSize = 1000): Promise<Json[]> {
    const out: Json[] = [];
    let token = '';
    const sep = path.includes('?') ? '&' : '?';
    do {
      const body = await this.ok(`${path}${sep}page_size=${pageSize}${token === '' ? '' : `&page_token=${encodeURIComponent(token)}`}`);
      out.push(...(body[items] as Json[]));
      token = body['next_page_token'] as string;
    } while (token !== '');
    return out;
  }
}
