import { constants } from 'node:os';
import type { FailureType } from '../keap/errors.js';
import type { NulledField, Sink } from '../streams/sink.js';
import type { StreamState } from '../streams/state.js';

/**
 * What a run says when SIGTERM (a platform cancelling the sync, `docker stop`) or SIGINT (Ctrl-C)
 * stops it: the streams still under way are INCOMPLETE, with one error saying why. Node's default
 * on these signals is to die at once, with whatever sat in the output buffer lost.
 */

/** The exit code of a run stopped by `signal`: 128 + its number, as a shell reports it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Passes everything on, knowing which streams have started and not yet ended. */
export class TrackedSink implements Sink {
  private readonly running = new Set<string>();
  constructor(private readonly inner: Sink) {}

  /** Marks every stream under way INCOMPLETE and says why, once. */
  stopped(signal: NodeJS.Signals): void {
    for (const s of [...this.running]) this.streamIncomplete(s);
    this.inner.error(`stopped by ${signal} before the sync finished; the next run resumes from the last state`, 'transient_error');
  }

  streamStarted(stream: string): void {
    this.running.add(stream);
    this.inner.streamStarted(stream);
  }
  streamRunning(stream: string): void {
    this.inner.streamRunning(stream);
  }
  streamComplete(stream: string): void {
    this.running.delete(stream);
    this.inner.streamComplete(stream);
  }
  streamIncomplete(stream: string, quotaResetAt?: number): void {
    this.running.delete(stream);
    this.inner.streamIncomplete(stream, quotaResetAt);
  }
  estimate(stream: string, rows: number): void {
    this.inner.estimate(stream, rows);
  }
  record(stream: string, data: string, nulled?: NulledField[]): void {
    this.inner.record(stream, data, nulled);
  }
  state(stream: string, state: StreamState, count: number): void {
    this.inner.state(stream, state, count);
  }
  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    this.inner.log(level, message);
  }
  error(message: string, failureType: FailureType, stream?: string): void {
    this.inner.error(message, failureType, stream);
  }
  ready(): Promise<void> | undefined {
    return this.inner.ready();
  }
}
