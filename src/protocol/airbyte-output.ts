import type { FailureType } from '../keap/errors.js';
import type { NulledField, Sink } from '../streams/sink.js';
import type { StreamState } from '../streams/state.js';
import type { Redactor } from './redact.js';
import type { LineWriter } from './writer.js';

/**
 * The Airbyte dialect (reference/airbyte-protocol.md): every line an AirbyteMessage. RECORD lines
 * are assembled as text around the pre-serialised data; everything else goes through JSON.stringify.
 */
export class AirbyteOutput implements Sink {
  /** The envelope as UTF-8, encoded once: per stream, and per millisecond (thousands of records share one). */
  private readonly prefixes = new Map<string, Buffer>();
  /** `,"emitted_at":<ms>}}` for the last millisecond seen. */
  private stampMs = Number.NaN;
  private stampEnd = Buffer.alloc(0);

  constructor(
    private readonly writer: LineWriter,
    private readonly redactor: Redactor,
    private readonly now: () => number = Date.now,
  ) {}

  message(m: object): void {
    this.writer.line(JSON.stringify(m));
  }

  /** A message that must reach stdout now (a checkpoint, a rotated token), not with the next chunk. */
  private urgent(m: object): void {
    this.writer.urgent(JSON.stringify(m));
  }

  record(stream: string, data: string | Uint8Array, nulled?: NulledField[]): void {
    let prefix = this.prefixes.get(stream);
    if (prefix === undefined) {
      prefix = Buffer.from(`{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`, 'utf8');
      this.prefixes.set(stream, prefix);
    }
    const now = this.now();
    if (nulled && nulled.length) {
      const changes = nulled.map((n) => ({ field: n.field, change: 'NULLED', reason: n.reason }));
      this.writer.line3(prefix, data, `,"emitted_at":${now},"meta":${JSON.stringify({ changes })}}}`);
      return;
    }
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stampEnd = Buffer.from(`,"emitted_at":${now}}}`, 'utf8');
    }
    this.writer.line3(prefix, data, this.stampEnd);
  }

  state(stream: string, state: StreamState, count: number): void {
    this.urgent({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: { name: stream }, stream_state: state },
        sourceStats: { recordCount: count },
      },
    });
  }

  private status(stream: string, status: string, extra?: object): void {
    this.message({
      type: 'TRACE',
      trace: { type: 'STREAM_STATUS', emitted_at: this.now(), stream_status: { stream_descriptor: { name: stream }, status, ...extra } },
    });
  }

  streamStarted(stream: string): void {
    this.status(stream, 'STARTED');
  }
  streamRunning(stream: string): void {
    this.status(stream, 'RUNNING');
  }
  streamComplete(stream: string): void {
    this.status(stream, 'COMPLETE');
  }
  streamIncomplete(stream: string, quotaResetAt?: number): void {
    this.status(
      stream,
      'INCOMPLETE',
      quotaResetAt === undefined ? undefined : { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: quotaResetAt } }] },
    );
  }

  estimate(stream: string, rows: number): void {
    this.message({ type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: this.now(), estimate: { name: stream, type: 'STREAM', row_estimate: rows } } });
  }

  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    this.message({ type: 'LOG', log: { level, message: this.redactor.clean(message) } });
  }

  error(message: string, failureType: FailureType, stream?: string): void {
    const error: Record<string, unknown> = { message: this.redactor.clean(message), failure_type: failureType };
    if (stream !== undefined) error['stream_descriptor'] = { name: stream };
    this.message({ type: 'TRACE', trace: { type: 'ERROR', emitted_at: this.now(), error } });
  }

  /** Rotated OAuth credentials: the platform merges this config into the one it stores. */
  control(config: object): void {
    this.urgent({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: this.now(), connectorConfig: { config } } });
  }

  connectionStatus(status: 'SUCCEEDED' | 'FAILED', message?: string): void {
    this.message({ type: 'CONNECTION_STATUS', connectionStatus: message === undefined ? { status } : { status, message: this.redactor.clean(message) } });
  }

  ready(): Promise<void> | undefined {
    return this.writer.ready();
  }
}
