import { KeapError, QuotaExhaustedError } from '../keap/errors.js';
import { InputError } from '../input-error.js';
import type { KeapCaller, KeapCallOptions, Params } from '../keap/client.js';
import type { XmlRpcValue } from '../xmlrpc/types.js';
import type { NulledField, Sink } from './sink.js';
import type { StreamState } from './state.js';
import type { StreamDef, StreamRun } from './stream-def.js';
import type { ReadContext } from './table-reader.js';

/**
 * Runs the selected streams, `concurrency` at a time (the client never has more requests in flight
 * than that, and the limiter keeps all of them within Keap's quotas). A stream that fails is marked
 * INCOMPLETE with an error trace and the others go on; a spent daily quota stops everything,
 * checkpointed, with the reset time.
 */
export interface StreamJob {
  def: StreamDef;
  run: StreamRun;
}

export interface EngineResult {
  failed: string[];
  quotaResetAt: number | undefined;
}

export async function runStreams(jobs: readonly StreamJob[], ctx: ReadContext, concurrency: number): Promise<EngineResult> {
  const sink = ctx.sink;
  const failed: string[] = [];
  let quotaResetAt: number | undefined;
  let next = 0;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (quotaResetAt !== undefined) return;
      const job = jobs[next++];
      if (!job) return;
      const name = job.def.name;
      sink.streamStarted(name);
      // RUNNING as soon as requests start: a stream with no rows still shows STARTED, RUNNING, COMPLETE.
      sink.streamRunning(name);
      const counted = new CountingSink(sink, name);
      const caller = new CountingCaller(ctx.client);
      const started = ctx.clock.now();
      try {
        await job.def.read(job.run, { ...ctx, client: caller, sink: counted });
        sink.log('INFO', `${name}: ${counted.records} records, ${caller.requests} requests, ${((ctx.clock.now() - started) / 1000).toFixed(1)} s`);
        sink.streamComplete(name);
      } catch (err) {
        failed.push(name);
        if (err instanceof QuotaExhaustedError) {
          quotaResetAt ??= err.resetAt;
          sink.streamIncomplete(name, err.resetAt);
          continue;
        }
        sink.streamIncomplete(name);
        if (err instanceof KeapError || err instanceof InputError) {
          sink.error(`${name}: ${err.message}`, err instanceof KeapError ? err.failureType : 'config_error', name);
        } else {
          // A bug of ours: say so in one line; the stack goes to the debug log only.
          const e = err instanceof Error ? err : new Error(String(err));
          sink.error(`${name}: internal error: ${e.message}`, 'system_error', name);
          if (process.env['TAP_INFUSIONSOFT_DEBUG']) sink.log('DEBUG', e.stack ?? e.message);
        }
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, () => worker()));

  if (quotaResetAt !== undefined) {
    // Streams never started: say they are incomplete for the same reason.
    for (let i = next; i < jobs.length; i++) {
      const name = (jobs[i] as StreamJob).def.name;
      failed.push(name);
      sink.streamStarted(name);
      sink.streamIncomplete(name, quotaResetAt);
    }
    sink.error(new QuotaExhaustedError(quotaResetAt).message, 'transient_error');
  }
  return { failed, quotaResetAt };
}

/** Counts one stream's requests (the summary and the benchmark read them). */
class CountingCaller implements KeapCaller {
  requests = 0;
  constructor(private readonly inner: KeapCaller) {}
  call(method: string, params: Params, options?: KeapCallOptions): Promise<XmlRpcValue> {
    // Retries inside the client count as one call here: what the stream asked for.
    this.requests++;
    return this.inner.call(method, params, options);
  }
}

/** Counts one stream's records on their way to the real sink. */
class CountingSink implements Sink {
  records = 0;
  constructor(
    private readonly inner: Sink,
    private readonly stream: string,
  ) {}
  record(stream: string, data: string, nulled?: NulledField[]): void {
    if (stream === this.stream) this.records++;
    this.inner.record(stream, data, nulled);
  }
  state(stream: string, state: StreamState, count: number): void {
    this.inner.state(stream, state, count);
  }
  streamStarted(s: string): void {
    this.inner.streamStarted(s);
  }
  streamRunning(s: string): void {
    this.inner.streamRunning(s);
  }
  streamComplete(s: string): void {
    this.inner.streamComplete(s);
  }
  streamIncomplete(s: string, reset?: number): void {
    this.inner.streamIncomplete(s, reset);
  }
  estimate(s: string, rows: number): void {
    this.inner.estimate(s, rows);
  }
  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    this.inner.log(level, message);
  }
  error(message: string, failureType: Parameters<Sink['error']>[1], stream?: string): void {
    this.inner.error(message, failureType, stream);
  }
  ready(): Promise<void> | undefined {
    return this.inner.ready();
  }
}
