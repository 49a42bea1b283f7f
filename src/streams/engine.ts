import { KeapError, QuotaExhaustedError } from '../keap/errors.js';
import { counted } from '../counted.js';
import { InputError } from '../input-error.js';
import type { KeapCaller, KeapCallOptions, Params, RestCall, RestPageCall } from '../keap/client.js';
import type { PageEnd } from '../rest/page-reader.js';
import type { XmlRpcValue } from '../xmlrpc/types.js';
import type { NulledField, Sink } from './sink.js';
import type { StreamState } from './state.js';
import type { StreamDef, StreamRun } from './stream-def.js';
import type { ReadContext } from './table-reader.js';

/**
 * Runs the selected streams, `concurrency` at a time (the client never has more requests in flight
 * than that, and the limiter keeps all of them within Keap's quotas). A stream that fails is marked
 * INCOMPLETE with an error trace and the others go on; a spent daily quota stops everything,
 * checkpointed, with the reset time. A failure that reaches the whole account (KeapError
 * `accountWide`: credentials refused, a host that cannot be found or trusted) stops everything
 * too: the running streams at their next call, the waiting ones without being tried, every one of
 * them INCOMPLETE, and the run returns the error for the caller to report once.
 *
 * Order: the first `concurrency` streams start at once, in catalog order (each asks for its row
 * count beside its first page). When the first of them ends, the others ask for their row counts,
 * and from then on the waiting stream with the most rows starts next. Pages of a table follow one
 * another (keyset paging), so a long table started last would run alone at the end, one request
 * at a time, while the quota sits idle: started early, it runs beside the short ones. The counts
 * wait for that first end so that the opening burst of requests is what it would be anyway. A
 * waiting stream says nothing until it starts: its count is held with its messages.
 */
export interface StreamJob {
  def: StreamDef;
  run: StreamRun;
}

export interface EngineResult {
  failed: string[];
  quotaResetAt: number | undefined;
  /** The account-wide failure that stopped the sync (not yet reported to the sink). */
  stoppedBy: KeapError | undefined;
}

export async function runStreams(jobs: readonly StreamJob[], ctx: ReadContext, concurrency: number): Promise<EngineResult> {
  const sink = ctx.sink;
  const failed: string[] = [];
  let quotaResetAt: number | undefined;
  const stop: Stop = { by: undefined };
  const width = Math.max(1, Math.min(concurrency, jobs.length));
  const waiting = new Set<Pass>();
  const changed = new Signal();

  const admit = (pass: Pass): void => {
    waiting.delete(pass);
    sink.streamStarted(pass.name);
    // RUNNING as soon as requests start: a stream with no rows still shows STARTED, RUNNING, COMPLETE.
    sink.streamRunning(pass.name);
    pass.started = ctx.clock.now();
    pass.sink.open();
    pass.caller.open();
  };

  const passes = jobs.map((job, index) => new Pass(job, index, ctx, changed, stop));
  for (const pass of passes) {
    if (pass.index < width) {
      admit(pass);
      pass.start();
    } else waiting.add(pass);
  }
  let counting = false;

  const finish = async (pass: Pass): Promise<void> => {
    const name = pass.name;
    try {
      await pass.done;
      sink.log('INFO', `${name}: ${counted(pass.sink.records, 'record')}, ${counted(pass.caller.requests, 'request')}, ${((ctx.clock.now() - pass.started) / 1000).toFixed(1)} s`);
      sink.streamComplete(name);
    } catch (err) {
      failed.push(name);
      if (err instanceof KeapError && err.accountWide) {
        // Said once for the whole sync, by the caller; this stream is just one that stopped.
        stop.by ??= err;
        sink.streamIncomplete(name);
        return;
      }
      if (err instanceof QuotaExhaustedError) {
        quotaResetAt ??= err.resetAt;
        sink.streamIncomplete(name, err.resetAt);
        return;
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
  };

  /** The waiting stream to start next: the most rows among those whose count is in, catalog order on ties. */
  const next = async (): Promise<Pass | undefined> => {
    if (!counting) {
      // The first slot is free: the waiting streams ask for their counts (the rest of their reads
      // waits for their turn).
      counting = true;
      for (const p of waiting) p.start();
    }
    for (;;) {
      if (quotaResetAt !== undefined || stop.by !== undefined || waiting.size === 0) return undefined;
      let best: Pass | undefined;
      for (const p of waiting) {
        if (!p.settled) continue;
        if (best === undefined || p.rank > best.rank || (p.rank === best.rank && p.index < best.index)) best = p;
      }
      if (best !== undefined) {
        admit(best);
        return best;
      }
      await changed.wait();
    }
  };

  const worker = async (first: Pass): Promise<void> => {
    for (let pass: Pass | undefined = first; pass !== undefined; pass = await next()) await finish(pass);
  };

  await Promise.all(passes.slice(0, width).map((p) => worker(p)));

  if (quotaResetAt !== undefined) {
    // Streams never started: say they are incomplete for the same reason.
    for (const pass of passes) {
      if (!waiting.has(pass)) continue;
      pass.cancel();
      failed.push(pass.name);
      sink.streamStarted(pass.name);
      sink.streamIncomplete(pass.name, quotaResetAt);
    }
    sink.error(new QuotaExhaustedError(quotaResetAt).message, 'transient_error');
  } else if (stop.by !== undefined) {
    // Streams never started are not tried: they would fail the same way.
    for (const pass of passes) {
      if (!waiting.has(pass)) continue;
      pass.cancel();
      failed.push(pass.name);
      sink.streamIncomplete(pass.name);
    }
  }
  return { failed, quotaResetAt, stoppedBy: stop.by };
}

/** Set once an account-wide failure has stopped the sync; every later call ends with it. */
interface Stop {
  by: KeapError | undefined;
}

/** Wakes everyone waiting for a change. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A stream not admitted when the run stopped: its gated calls end with this, which nobody sees. */
class NotStarted extends Error {}

/** One stream's read: its counting, gated client and held sink, and where it stands. */
class Pass {
  readonly name: string;
  readonly caller: GatedCaller;
  readonly sink: CountingSink;
  /** The read, once start() has begun it; never rejects unobserved. */
  done: Promise<void> = Promise.resolve();
  private begun = false;
  started = 0;
  /** Whether its count is in (or none is coming): it can be ranked. */
  settled = false;
  /** Rows by its count; -1 when unknown (reports, a failed count). */
  rank = -1;

  constructor(
    private readonly job: StreamJob,
    readonly index: number,
    private readonly ctx: ReadContext,
    private readonly changed: Signal,
    stop: Stop,
  ) {
    this.name = job.def.name;
    this.sink = new CountingSink(ctx.sink, this.name);
    this.caller = new GatedCaller(new CountingCaller(ctx.client, stop), (rows) => this.settle(rows));
  }

  start(): void {
    if (this.begun) return;
    this.begun = true;
    // Async, so a read that throws before it returns a promise fails the same way.
    this.done = (async (): Promise<void> => this.job.def.read(this.job.run, { ...this.ctx, client: this.caller, sink: this.sink }))();
    // Settles a stream that ended (or failed) before any call, so no one waits on it; the
    // outcome itself is read by the worker that admits it.
    this.done.then(
      () => this.settle(undefined),
      () => this.settle(undefined),
    );
  }

  settle(rows: number | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (rows !== undefined) this.rank = rows;
    this.changed.notify();
  }

  cancel(): void {
    this.sink.drop();
    this.caller.cancel();
  }
}

const COUNT = 'DataService.count';

/**
 * Until open(), lets through the stream's first call if it is its row count (reporting the rows)
 * and holds every other call; after open(), passes everything.
 */
class GatedCaller implements KeapCaller {
  private isOpen = false;
  private first = true;
  private countPending = false;
  private readonly held: { go: () => void; stop: (err: Error) => void }[] = [];

  constructor(
    private readonly inner: CountingCaller,
    private readonly onCount: (rows: number | undefined) => void,
  ) {}

  get requests(): number {
    return this.inner.requests;
  }

  call(method: string, params: Params, options?: KeapCallOptions): Promise<XmlRpcValue> {
    if (this.isOpen) return this.inner.call(method, params, options);
    const first = this.first;
    this.first = false;
    if (first && method === COUNT) {
      this.countPending = true;
      const p = this.inner.call(method, params, options);
      p.then(
        (n) => this.onCount(typeof n === 'number' ? n : undefined),
        () => this.onCount(undefined),
      );
      return p;
    }
    // No count on its way: nothing to wait for before ranking this stream.
    if (!this.countPending) this.onCount(undefined);
    return this.hold().then(() => this.inner.call(method, params, options));
  }

  rest(call: RestCall): Promise<unknown> {
    return this.restTurn(() => this.inner.rest(call));
  }

  restPage(call: RestPageCall): Promise<PageEnd> {
    return this.restTurn(() => this.inner.restPage(call));
  }

  private restTurn<T>(go: () => Promise<T>): Promise<T> {
    if (this.isOpen) return go();
    // REST v2 has no cheap count: nothing to rank this stream by, so it waits its turn.
    this.first = false;
    if (!this.countPending) this.onCount(undefined);
    return this.hold().then(go);
  }

  private hold(): Promise<void> {
    return new Promise<void>((go, stop) => this.held.push({ go, stop }));
  }

  open(): void {
    this.isOpen = true;
    for (const h of this.held.splice(0)) h.go();
  }

  cancel(): void {
    for (const h of this.held.splice(0)) h.stop(new NotStarted());
  }
}

/**
 * Counts one stream's requests (the summary and the benchmark read them); once the sync is
 * stopped, ends every call with the failure that stopped it, before it leaves.
 */
class CountingCaller implements KeapCaller {
  requests = 0;
  constructor(
    private readonly inner: KeapCaller,
    private readonly stop: Stop,
  ) {}
  call(method: string, params: Params, options?: KeapCallOptions): Promise<XmlRpcValue> {
    if (this.stop.by !== undefined) return Promise.reject(this.stop.by);
    // Retries inside the client count as one call here: what the stream asked for.
    this.requests++;
    return this.inner.call(method, params, options);
  }
  rest(call: RestCall): Promise<unknown> {
    this.requests++;
    return this.inner.rest(call);
  }
  restPage(call: RestPageCall): Promise<PageEnd> {
    this.requests++;
    return this.inner.restPage(call);
  }
}

/**
 * Counts one stream's records on their way to the real sink; until open(), holds what the stream
 * says (a waiting stream's estimate or warnings), to say it once the stream has started.
 */
class CountingSink implements Sink {
  records = 0;
  private held: (() => void)[] | undefined = [];
  constructor(
    private readonly inner: Sink,
    private readonly stream: string,
  ) {}
  open(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const say of held) say();
  }
  /** The stream will never start: forget what it said and whatever it says still. */
  drop(): void {
    this.held = [];
  }
  private say(f: () => void): void {
    if (this.held === undefined) f();
    else this.held.push(f);
  }
  record(stream: string, data: string | Uint8Array, nulled?: NulledField[]): void {
    if (this.held !== undefined) {
      // Bytes are the shaper's, reused for its next record: a held record keeps a copy.
      const kept = typeof data === 'string' ? data : Uint8Array.from(data);
      this.say(() => this.record(stream, kept, nulled));
      return;
    }
    if (stream === this.stream) this.records++;
    this.inner.record(stream, data, nulled);
  }
  state(stream: string, state: StreamState, count: number): void {
    this.say(() => this.inner.state(stream, state, count));
  }
  streamStarted(s: string): void {
    this.say(() => this.inner.streamStarted(s));
  }
  streamRunning(s: string): void {
    this.say(() => this.inner.streamRunning(s));
  }
  streamComplete(s: string): void {
    this.say(() => this.inner.streamComplete(s));
  }
  streamIncomplete(s: string, reset?: number): void {
    this.say(() => this.inner.streamIncomplete(s, reset));
  }
  estimate(s: string, rows: number): void {
    this.say(() => this.inner.estimate(s, rows));
  }
  log(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string): void {
    this.say(() => this.inner.log(level, message));
  }
  error(message: string, failureType: Parameters<Sink['error']>[1], stream?: string): void {
    this.say(() => this.inner.error(message, failureType, stream));
  }
  ready(): Promise<void> | undefined {
    return this.held === undefined ? this.inner.ready() : undefined;
  }
}
