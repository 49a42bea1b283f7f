/**
 * The network failed (refused, reset, DNS, timeout, deadline) before a complete answer arrived.
 * Carries a short reason and a code, never the request: axios errors hold the request headers, and
 * with them the credentials, so they are never passed on.
 */
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

/** An answer larger than the connector accepts: refused, not retried (the next one would be too). */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`response refused: body larger than ${limit} bytes`);
  }
}

export function toTransportError(err: unknown, partial: boolean): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; reason?: unknown };
  const code = typeof e.code === 'string' ? e.code : e.name === 'CanceledError' ? 'ECANCELED' : 'ENETWORK';
  // A deadline abort carries its own reason (see timers.ts); prefer it to axios's "canceled".
  const own = e.reason instanceof TransportError ? e.reason : undefined;
  if (own) return new TransportError(own.message, own.code, partial);
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
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};
