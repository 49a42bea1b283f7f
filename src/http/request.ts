import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import { flattenHeaders, pumpBody, readBody, readErrorBody } from './body.js';
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
export function request(http: AxiosInstance, req: HttpRequest, limits: RequestLimits): Promise<HttpAnswer> {
  return exchange(http, req, limits, (stream, deadline) => readBody(stream, { maxBytes: limits.maxBodyBytes, idleMs: limits.idleMs, deadline }));
}

/**
 * One request whose 2xx body goes to a reader chunk by chunk as it arrives (pumpBody: the caller's
 * `ready` holds the socket while its output is full). `reader` is asked for the chunk consumer once
 * the status and headers are known; what that consumer throws (a parse error, the caller's own)
 * comes back as it is, and the answer's body is then empty. Other statuses are read as request() does.
 */
export function requestStream(
  http: AxiosInstance,
  req: HttpRequest,
  limits: Omit<RequestLimits, 'maxBodyBytes'>,
  reader: (head: { status: number; headers: Record<string, string> }) => (chunk: Buffer) => void,
  ready?: () => Promise<void> | undefined,
): Promise<HttpAnswer> {
  return exchange(http, req, limits, async (stream, deadline, head) => {
    const consume = reader(head);
    await pumpBody(
      stream,
      { idleMs: limits.idleMs, deadline },
      (chunk) => {
        try {
          consume(chunk);
        } catch (error) {
          throw new ReaderError(error);
        }
      },
      ready,
    );
    return EMPTY;
  });
}

const EMPTY = Buffer.alloc(0);

/** Carries what a body reader threw past the network error handling. */
class ReaderError {
  constructor(readonly error: unknown) {}
}

async function exchange(
  http: AxiosInstance,
  req: HttpRequest,
  limits: Omit<RequestLimits, 'maxBodyBytes'>,
  read2xx: (stream: Readable, deadline: Deadline, head: { status: number; headers: Record<string, string> }) => Promise<Buffer>,
): Promise<HttpAnswer> {
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
        body = await read2xx(stream, deadline, { status, headers });
      } catch (err) {
        stream.destroy();
        if (err instanceof ReaderError) throw err.error;
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
