import type { FailureType } from '../keap/errors.js';
import type { JsonSchema } from '../streams/json-schema.js';
import type { NulledField, Sink } from '../streams/sink.js';
import type { StreamState } from '../streams/state.js';
import type { StderrLog } from './stderr.js';
import type { LineWriter } from './writer.js';

export interface SingerStreamInfo {
  schema: JsonSchema;
  keyProperties: string[];
  bookmarkProperties: string[];
}

/**
 * The Singer dialect (reference/singer-spec.md): SCHEMA before a stream's first RECORD, RECORD with
 * time_extracted, and STATE carrying the WHOLE tap state ({"bookmarks": {...}}) each time, since a
 * Singer state message replaces the previous one. Logs, statuses and metrics go to stderr.
 */
export class SingerOutput implements Sink {
  /** The envelope as UTF-8, encoded once: per stream, and per millisecond. */
  private readonly prefixes = new Map<string, Buffer>();
  private readonly bookmarks: Record<string, StreamState>;
  private readonly counts = new Map<string, number>();
  private readonly started = new Set<string>();
  private lastStamp = 0;
  /** `,"time_extracted":"<iso>"}` for the last millisecond seen. */
  private lastEnd = Buffer.alloc(0);

  constructor(
    private readonly writer: LineWriter,
    private readonly stderr: StderrLog,
    private readonly streams: Map<string, SingerStreamInfo>,
    initialBookmarks: Record<string, StreamState>,
    private readonly now: () => number = Date.now,
  ) {
    this.bookmarks = { ...initialBookmarks };
  }

  streamStarted(stream: string): void {
    const info = this.streams.get(stream);
    if (!info) return;
    this.started.add(stream);
    this.writer.line(
      JSON.stringify({
        type: 'SCHEMA',
        stream,
        schema: info.schema,
        key_properties: info.keyProperties,
        bookmark_properties: info.bookmarkProperties,
      }),
    );
    this.stderr.line(`INFO ${stream}: started`);
  }

  streamRunning(): void {}

  streamComplete(stream: string): void {
    this.stderr.metric('counter', 'record_count', this.counts.get(stream) ?? 0, { endpoint: stream });
    this.stderr.line(`INFO ${stream}: complete`);
  }

  streamIncomplete(stream: string, quotaResetAt?: number): void {
    // A stream the run stopped before trying has nothing to say (the run's error says why).
    if (!this.started.has(stream)) return;
    this.stderr.line(`WARNING ${stream}: incomplete${quotaResetAt ? ` (daily quota resets ${new Date(quotaResetAt).toISOString()})` : ''}`);
  }

  estimate(stream: string, rows: number): void {
    this.stderr.line(`INFO ${stream}: about ${rows} rows to read`);
  }

  record(stream: string, data: string | Uint8Array, _nulled?: NulledField[]): void {
    let prefix = this.prefixes.get(stream);
    if (prefix === undefined) {
      prefix = Buffer.from(`{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`, 'utf8');
      this.prefixes.set(stream, prefix);
    }
    const now = this.now();
    if (now !== this.lastStamp) {
      this.lastStamp = now;
      this.lastEnd = Buffer.from(`,"time_extracted":"${new Date(now).toISOString()}"}`, 'utf8');
    }
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + 1);
    this.writer.line3(prefix, data, this.lastEnd);
  }

  state(stream: string, state: StreamState): void {
    this.bookmarks[stream] = state;
    // A checkpoint goes out now, not with the next chunk of records.
    this.writer.urgent(JSON.stringify({ type: 'STATE', value: { bookmarks: this.bookmarks } }));
  }

  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    this.stderr.line(`${level === 'WARN' ? 'WARNING' : level} ${message}`);
  }

  error(message: string, failureType: FailureType, stream?: string): void {
    this.stderr.line(`CRITICAL ${stream ? `${stream}: ` : ''}${message} (${failureType})`);
  }

  ready(): Promise<void> | undefined {
    return this.writer.ready();
  }
}
