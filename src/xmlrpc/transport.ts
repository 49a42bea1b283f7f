import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { encodeCall } from './encode.js';
import { XmlRpcReader, type ParsedMessage } from './parse.js';
import { XmlRpcParseError, type XmlRpcValue } from './types.js';

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

/** The network failed (refused, reset, DNS, timeout) before a complete answer arrived. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
    /** True when some of the answer had already been read (a truncated body). */
    readonly partial: boolean,
  ) {
    super(message);
  }
}

const ERROR_BODY_LIMIT = 64 * 1024;

export class XmlRpcTransport {
  private readonly http: AxiosInstance;

  constructor(private readonly options: TransportOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
    this.http = axios.create({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      timeout: options.timeoutMs,
      responseType: 'stream',
      decompress: true,
      maxRedirects: 0,
      // Every status is an answer to read: Keap's faults come with 200, its gateway's errors as JSON.
      validateStatus: () => true,
      // Bodies are streamed; axios must not buffer or transform them.
      transformResponse: [(d: unknown) => d],
      // The reader counts the decoded bytes itself and refuses an oversize body as a refusal, not a
      // network error; axios's own limit would surface as one and be retried.
      maxContentLength: -1,
      maxBodyLength: 16 * 1024 * 1024,
    });
  }

  async call(url: string, method: string, params: readonly XmlRpcValue[], options: CallOptions): Promise<CallResult> {
    const body = Buffer.from(encodeCall(method, params), 'utf8');
    const started = performance.now();
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
        signal: options.signal,
      });
      stream = res.data;
      status = res.status;
      headers = flattenHeaders(res.headers as Record<string, unknown>);
    } catch (err) {
      throw toTransportError(err, false);
    }
    if (status !== 200) {
      const text = await readBounded(stream, ERROR_BODY_LIMIT, this.options.timeoutMs);
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
      await pump(stream, reader, this.options.timeoutMs, options.ready);
    } catch (err) {
      stream.destroy();
      if (callerError) throw callerError.error;
      if (err instanceof XmlRpcParseError) throw err;
      throw toTransportError(err, true);
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

/**
 * Feeds the body to the reader chunk by chunk; records go out through onItem as they complete, and
 * the socket is not read again until the caller's output has room.
 */
async function pump(
  stream: Readable,
  reader: XmlRpcReader,
  idleMs: number,
  ready: (() => Promise<void> | undefined) | undefined,
): Promise<void> {
  const idle = new IdleTimer(stream, idleMs);
  try {
    for await (const chunk of stream) {
      idle.touch();
      reader.write(chunk as Buffer);
      const wait = ready?.();
      if (wait) {
        // Waiting on our own stdout is not the server going quiet.
        idle.stop();
        await wait;
        idle.restart();
      }
    }
  } finally {
    idle.stop();
  }
}

class IdleTimer {
  private timer: NodeJS.Timeout;
  constructor(
    private readonly stream: Readable,
    private readonly ms: number,
  ) {
    this.timer = this.arm();
  }
  private arm(): NodeJS.Timeout {
    const t = setTimeout(() => {
      const e = new Error(`no data for ${this.ms} ms`) as Error & { code: string };
      e.code = 'ETIMEDOUT';
      this.stream.destroy(e);
    }, this.ms);
    t.unref();
    return t;
  }
  touch(): void {
    this.timer.refresh();
  }
  restart(): void {
    clearTimeout(this.timer);
    this.timer = this.arm();
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

async function readBounded(stream: Readable, limit: number, idleMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const idle = new IdleTimer(stream, idleMs);
  try {
    for await (const chunk of stream) {
      idle.touch();
      const b = chunk as Buffer;
      if (size < limit) chunks.push(b.subarray(0, limit - size));
      size += b.length;
    }
  } catch {
    // An error body that breaks off still says what it says so far.
  } finally {
    idle.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** Never passes an axios error on: its `config` carries the request headers, secrets included. */
function toTransportError(err: unknown, partial: boolean): TransportError {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : e.name === 'CanceledError' ? 'ECANCELED' : 'ENETWORK';
  const reason = NETWORK_REASONS[code] ?? (typeof e.message === 'string' ? e.message.split('\n')[0] : 'network error');
  return new TransportError(reason ?? 'network error', code, partial);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'timed out',
  EPIPE: 'connection closed while sending',
  ECANCELED: 'cancelled',
  ERR_BAD_RESPONSE: 'bad HTTP response',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the answer ended',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};
