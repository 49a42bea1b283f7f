import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import { toTransportError, TransportError } from '../http/errors.js';
import { flattenHeaders, pumpBody, readErrorBody } from '../http/body.js';
import { createHttp } from '../http/instance.js';
import { Deadline } from '../http/timers.js';
import { encodeCall } from './encode.js';
import { XmlRpcReader, type ParsedMessage } from './parse.js';
import { XmlRpcParseError, type XmlRpcValue } from './types.js';

export { TransportError } from '../http/errors.js';

/**
 * POSTs XML-RPC calls over one keep-alive connection pool (axios on Node's agents, gzip accepted)
 * and reads the answer as a stream straight into the reader. Knows HTTP and XML-RPC, not Keap:
 * a non-200 answer comes back as status, headers and a bounded text body for the caller to judge.
 */

export interface TransportOptions {
  /** Gives up when no byte arrives for this long, while connecting or while reading. */
  timeoutMs: number;
  /** Sockets kept open per host; match the caller's concurrency. */
  maxSockets: number;
  userAgent: string;
  /** Decoded response bodies larger than this are refused. */
  maxBodyBytes: number;
  /** The whole answer must have arrived within this long, however steadily it drips (0: none). */
  deadlineMs?: number;
}

export interface CallOptions {
  headers: Record<string, string>;
  onItem?: (item: XmlRpcValue) => void;
  /**
   * Awaited after each chunk is parsed: the caller's writer resolves it once stdout has drained,
   * so a slow consumer slows the socket instead of filling memory.
   */
  ready?: () => Promise<void> | undefined;
  signal?: AbortSignal;
}

export type CallResult =
  | { ok: true; status: number; headers: Record<string, string>; message: ParsedMessage; requestMs: number }
  | { ok: false; status: number; headers: Record<string, string>; body: string; requestMs: number };

const ERROR_BODY_LIMIT = 64 * 1024;

export class XmlRpcTransport {
  private readonly http: AxiosInstance;

  constructor(private readonly options: TransportOptions) {
    this.http = createHttp({ timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
  }

  async call(url: string, method: string, params: readonly XmlRpcValue[], options: CallOptions): Promise<CallResult> {
    const body = Buffer.from(encodeCall(method, params), 'utf8');
    const started = performance.now();
    const deadline = new Deadline(this.options.deadlineMs);
    try {
      return await this.send(url, body, options, started, deadline);
    } finally {
      deadline.stop();
    }
  }

  private async send(url: string, body: Buffer, options: CallOptions, started: number, deadline: Deadline): Promise<CallResult> {
    let stream: Readable;
    let status: number;
    let headers: Record<string, string>;
    try {
      const res = await this.http.post<Readable>(url, body, {
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          Accept: 'text/xml',
          'Accept-Encoding': 'gzip',
          'User-Agent': this.options.userAgent,
          ...options.headers,
        },
        signal: options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal,
      });
      stream = res.data;
      status = res.status;
      headers = flattenHeaders(res.headers as Record<string, unknown>);
    } catch (err) {
      throw toTransportError(deadline.signal.aborted ? { reason: deadline.signal.reason } : err, false);
    }
    deadline.attach(stream);
    // A 200 that says it is HTML or JSON is not XML-RPC at all (a gateway page, or an endpoint that
    // is gone): the caller judges it as an answer, not as XML that failed to parse.
    if (status !== 200 || !isXml(headers['content-type'])) {
      const text = await readErrorBody(stream, ERROR_BODY_LIMIT, this.options.timeoutMs);
      return { ok: false, status, headers, body: text, requestMs: performance.now() - started };
    }
    // An error thrown by the caller's onItem is the caller's, not the network's: pass it on as is.
    let callerError: { error: unknown } | undefined;
    const onItem = options.onItem;
    const reader = new XmlRpcReader({
      onItem: onItem
        ? (item) => {
            try {
              onItem(item);
            } catch (error) {
              callerError = { error };
              throw error;
            }
          }
        : undefined,
      maxBytes: this.options.maxBodyBytes,
    });
    try {
      // Records go out through onItem as they complete; the socket waits while the caller's output is full.
      await pumpBody(stream, { idleMs: this.options.timeoutMs, deadline }, (chunk) => reader.write(chunk), options.ready);
    } catch (err) {
      stream.destroy();
      if (callerError) throw callerError.error;
      if (err instanceof XmlRpcParseError) throw err;
      throw toTransportError(deadline.signal.aborted ? { reason: deadline.signal.reason } : err, true);
    }
    let message: ParsedMessage;
    try {
      message = reader.end();
    } catch (err) {
      stream.destroy();
      throw err;
    }
    return { ok: true, status, headers, message, requestMs: performance.now() - started };
  }
}

/** No content type is taken as XML (Keap always sends text/xml; some proxies drop the header). */
function isXml(contentType: string | undefined): boolean {
  return contentType === undefined || /xml/i.test(contentType);
}
