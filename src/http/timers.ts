import type { Readable } from 'node:stream';
import { TransportError } from './errors.js';

/**
 * Two clocks guard every request. The idle timer gives up when no byte arrives for `ms` (a dead
 * connection); the deadline gives up when the whole answer has not arrived after `ms` however
 * steadily bytes drip in (a server sending one byte a second never trips an idle timer). Both run
 * on real time: they measure the network, not a decision the connector makes.
 */
export class IdleTimer {
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

/**
 * Aborts a request (and destroys its body stream, once there is one) when its deadline passes.
 * Time spent waiting for our own stdout to drain is not counted: that is the consumer being slow,
 * not the server.
 */
export class Deadline {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stream: Readable | undefined;
  private readonly started = performance.now();
  private pausedTotal = 0;
  private pausedAt: number | undefined;

  constructor(private readonly ms: number | undefined) {
    if (ms !== undefined && ms > 0) this.arm(ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The body stream, destroyed too when the deadline passes. */
  attach(stream: Readable): void {
    this.stream = stream;
  }

  pause(): void {
    this.pausedAt ??= performance.now();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  private check(): void {
    const now = performance.now();
    const paused = this.pausedTotal + (this.pausedAt === undefined ? 0 : now - this.pausedAt);
    const left = (this.ms ?? 0) - (now - this.started - paused);
    if (left > 1) return this.arm(left);
    const seconds = Math.round(((this.ms ?? 0) / 100)) / 10;
    const err = new TransportError(`no complete answer within ${seconds} s (request deadline)`, 'EDEADLINE', this.stream !== undefined);
    this.controller.abort(err);
    this.stream?.destroy(Object.assign(new Error(err.message), { code: 'EDEADLINE', reason: err }));
  }
}
