import type { FailureType } from '../keap/errors.js';
import type { StreamState } from './state.js';

/** A field the source could not read faithfully and sent as null (Airbyte record meta). */
export interface NulledField {
  field: string;
  reason: 'SOURCE_SERIALIZATION_ERROR' | 'SOURCE_RETRIEVAL_ERROR';
}

/**
 * What the read engine says, independent of dialect. protocol/airbyte-output.ts and
 * protocol/singer-output.ts turn it into messages; only they (through the writer) reach stdout.
 */
export interface Sink {
  streamStarted(stream: string): void;
  streamRunning(stream: string): void;
  streamComplete(stream: string): void;
  streamIncomplete(stream: string, quotaResetAt?: number): void;
  estimate(stream: string, rows: number): void;
  /**
   * `data` is the record's JSON object, already serialised (the hot path builds it directly): as
   * text, or as UTF-8 bytes that are valid only during the call (the REST shaper reuses them).
   */
  record(stream: string, data: string | Uint8Array, nulled?: NulledField[]): void;
  /** Covers every record of `stream` emitted before it; `count` of them since the previous state. */
  state(stream: string, state: StreamState, count: number): void;
  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void;
  error(message: string, failureType: FailureType, stream?: string): void;
  /** Backpressure: undefined when output has room, else resolves when it has drained. */
  ready(): Promise<void> | undefined;
}
