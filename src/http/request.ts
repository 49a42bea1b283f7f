import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import { readBody, readErrorBody, flattenHeaders } from './body.js';
import { BodyTooLargeError, toTransportError } from './errors.js';
import { Deadline } from './timers.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** Query parameters, URL-encoded by axios. */
  params?: Record<string, string>;
  data?: string | Buffer;
}

export interface RequestLimits {
  /** Successful (2xx) bodies larger than this are refused (BodyTooLargeError). */
  maxBodyBytes: number;
  /** No byte for this long: the connection is dead. */
  idleMs: number;
  /** The whole answer within this long, or the request is abandoned (0 or undefined: none). */
  deadlineMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** The whole body of a 2xx answer; the first 64 KiB of any other. */
  body: Buffer;
  ms: number;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * One request whose answer is read whole and bounded: the token endpoint and the REST API. Every
 * failure to get a complete answer is a TransportError (or BodyTooLargeError), never an axios error.
 */
export async function request(http: AxiosInstance, req: HttpRequest, limits: RequestLimits): Promise<HttpAnswer> {
  const started = performance.now();
  const deadline = new Deadline(limits.deadlineMs);
  try {
    let stream: Readable;
    let status: number;
    let headers: Record<string, string>;
    try {
      const res = await http.request<Readable>({
        method: req.method,
        url: req.url,
        headers: req.headers,
        params: req.params,
        data: req.data,
        signal: deadline.signal,
      });
      stream = res.data;
      status = res.status;
      headers = flattenHeaders(res.headers as Record<string, unknown>);
    } catch (err) {
      throw toTransportError(deadline.signal.aborted ? { reason: deadline.signal.reason } : err, false);
    }
    deadline.attach(stream);
    let body: Buffer;
    if (status >= 200 && status < 300) {
      try {
        body = await readBody(stream, { maxBytes: limits.maxBodyBytes, idleMs: limits.idleMs, deadline });
      } catch (err) {
        if (err instanceof BodyTooLargeError) throw err;
        throw toTransportError(deadline.signal.aborted ? { reason: deadline.signal.reason } : err, true);
      }
    } else {
      body = Buffer.from(await readErrorBody(stream, ERROR_BODY_LIMIT, limits.idleMs), 'utf8');
    }
    return { status, headers, body, ms: performance.now() - started };
  } finally {
    deadline.stop();
  }
}
