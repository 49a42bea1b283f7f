import { isUtf8 } from 'node:buffer';
import type { AxiosInstance } from 'axios';
import { BodyTooLargeError } from '../http/errors.js';
import { createHttp } from '../http/instance.js';
import { request, requestStream, type HttpRequest } from '../http/request.js';
import { RestParseError } from './errors.js';
import { JsonPageReader, type PageEnd } from './page-reader.js';
import type { RawJson } from './raw-json.js';

export { TransportError } from '../http/errors.js';
export { RestParseError } from './errors.js';

/**
 * JSON over HTTP for Keap's REST v2 API: GET with query parameters (and the one POST the reports
 * need), bounded and timed (src/http). A whole answer is read and parsed as strict JSON (send); a
 * list page is read as it streams in, its records handed on one by one (sendPage, page-reader.ts).
 * Knows HTTP and JSON, not Keap and not streams: a non-2xx answer comes back as status, headers and
 * a bounded text body for the caller to judge.
 */

export interface RestTransportOptions {
  /** Gives up when no byte arrives for this long. */
  timeoutMs: number;
  /** The whole answer within this long (0: no deadline). */
  deadlineMs?: number;
  maxSockets: number;
  userAgent: string;
  /** Decoded bodies larger than this are refused. */
  maxBodyBytes: number;
}

export interface RestRequest {
  method: 'GET' | 'POST';
  url: string;
  params?: Record<string, string>;
  /** A JSON body (POST). */
  body?: unknown;
  headers: Record<string, string>;
}

export type RestResult =
  | { ok: true; status: number; headers: Record<string, string>; json: unknown; ms: number }
  | { ok: false; status: number; headers: Record<string, string>; body: string; ms: number };

export type RestPageResult =
  | { ok: true; status: number; headers: Record<string, string>; page: PageEnd; ms: number }
  | { ok: false; status: number; headers: Record<string, string>; body: string; ms: number };

export interface PageOptions {
  /** The list's key in the answer (`contacts`). */
  itemsKey: string;
  /** Each element of the list, as soon as it is read (valid only during the call: raw-json.ts). */
  onItem: (item: RawJson) => void;
  /** Awaited after each chunk: the socket is not read again until the caller's output has room. */
  ready?: () => Promise<void> | undefined;
}

export class RestTransport {
  private readonly http: AxiosInstance;

  constructor(private readonly options: RestTransportOptions) {
    this.http = createHttp({ timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
  }

  async send(req: RestRequest): Promise<RestResult> {
    let answer;
    try {
      answer = await request(this.http, this.httpRequest(req), { maxBodyBytes: this.options.maxBodyBytes, idleMs: this.options.timeoutMs, deadlineMs: this.options.deadlineMs });
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new RestParseError(err.message, 'refused');
      throw err;
    }
    const { status, headers: h, body, ms } = answer;
    if (status < 200 || status >= 300) return { ok: false, status, headers: h, body: body.toString('utf8'), ms };
    return { ok: true, status, headers: h, json: parseJson(body, h['content-type']), ms };
  }

  /**
   * One page of a list, streamed: each record goes to onItem as soon as it is read and checked, and
   * the result says where the next page is. A body that turns out cut short or malformed after some
   * records went out throws all the same (page-reader.ts says what the caller does then).
   */
  async sendPage(req: RestRequest, page: PageOptions): Promise<RestPageResult> {
    let reader: JsonPageReader | undefined;
    const answer = await requestStream(
      this.http,
      this.httpRequest(req),
      { idleMs: this.options.timeoutMs, deadlineMs: this.options.deadlineMs },
      ({ headers }) => {
        reader = new JsonPageReader({ itemsKey: page.itemsKey, onItem: page.onItem, maxBytes: this.options.maxBodyBytes, contentType: headers['content-type'] });
        const r = reader;
        return (chunk) => r.write(chunk);
      },
      page.ready,
    );
    const { status, headers, body, ms } = answer;
    if (status < 200 || status >= 300 || reader === undefined) return { ok: false, status, headers, body: body.toString('utf8'), ms };
    return { ok: true, status, headers, page: reader.end(), ms };
  }

  private httpRequest(req: RestRequest): HttpRequest {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Encoding': 'gzip',
      'User-Agent': this.options.userAgent,
      ...req.headers,
    };
    let data: string | undefined;
    if (req.body !== undefined) {
      data = JSON.stringify(req.body);
      headers['Content-Type'] = 'application/json';
    }
    return { method: req.method, url: req.url, headers, params: req.params, data };
  }
}

/**
 * Strict JSON: valid UTF-8, one JSON value, nothing after it. An empty body or one that is not JSON
 * (an HTML error page with status 200, a proxy's truncated answer) is malformed, never "no rows".
 */
export function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) throw new RestParseError('the answer was empty', 'malformed');
  // Checked first and decoded second: both native and fast, where a fatal TextDecoder is not.
  if (!isUtf8(body)) throw new RestParseError('the answer is not valid UTF-8', 'malformed');
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const kind = contentType && !/json/i.test(contentType) ? ` (${contentType.split(';')[0]?.trim()}, not JSON)` : '';
    const why = (err as Error).message.split('\n')[0] ?? 'not JSON';
    // JSON.parse says "Unexpected end of JSON input" for a body cut short.
    const truncated = /end of (JSON )?input/i.test(why);
    throw new RestParseError(`the answer is not JSON${kind}: ${why.slice(0, 120)}`, truncated ? 'truncated' : 'malformed');
  }
}
