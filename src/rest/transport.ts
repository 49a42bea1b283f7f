import { isUtf8 } from 'node:buffer';
import type { AxiosInstance } from 'axios';
import { BodyTooLargeError } from '../http/errors.js';
import { createHttp } from '../http/instance.js';
import { request } from '../http/request.js';

export { TransportError } from '../http/errors.js';

/**
 * JSON over HTTP for Keap's REST v2 API: GET with query parameters (and the one POST the reports
 * need), the body read whole, bounded and timed (src/http), and parsed as strict JSON. Knows HTTP
 * and JSON, not Keap and not streams: a non-2xx answer comes back as status, headers and a bounded
 * text body for the caller to judge.
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

/** An answer that is not the JSON it should be: cut short, not JSON, or refused (too large). */
export class RestParseError extends Error {
  override name = 'RestParseError';
  constructor(
    message: string,
    readonly reason: 'malformed' | 'truncated' | 'refused',
  ) {
    super(message);
  }
}

export class RestTransport {
  private readonly http: AxiosInstance;

  constructor(private readonly options: RestTransportOptions) {
    this.http = createHttp({ timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
  }

  async send(req: RestRequest): Promise<RestResult> {
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
    let answer;
    try {
      answer = await request(
        this.http,
        { method: req.method, url: req.url, headers, params: req.params, data },
        { maxBodyBytes: this.options.maxBodyBytes, idleMs: this.options.timeoutMs, deadlineMs: this.options.deadlineMs },
      );
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new RestParseError(err.message, 'refused');
      throw err;
    }
    const { status, headers: h, body, ms } = answer;
    if (status < 200 || status >= 300) return { ok: false, status, headers: h, body: body.toString('utf8'), ms };
    return { ok: true, status, headers: h, json: parseJson(body, h['content-type']), ms };
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
